//! Alert templates in Prometheus's language: Go's `text/template` (text,
//! pipelines, `if`/`else if`/`else`, `with`, `range` with `break` and
//! `continue`, variables, Go's built-in functions) with Prometheus's data
//! (`$labels`, `$externalLabels`, `$externalURL`, `$value`, `.Labels`, …)
//! and functions (`humanize…`, `query`, `first`, `label`, `value`,
//! `title`, `match`, `reReplaceAll`, …). Parsing is separate from rendering
//! so a template error is shown when the rule is edited, not when it fires;
//! rendering is bounded in output, steps and queries, each rendering alone
//! and the renderings of one evaluation together ([`SharedBudget`]).

mod eval;
mod functions;
mod regex;
mod syntax;
mod value;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::foundation::ordered::SortedMap;
use crate::query::series::Labels;

/// A `query`'s answer (an instant vector), or why it failed.
pub type QueryAnswer = Result<Vec<(Labels, f64)>, String>;

/// What a template can refer to.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TemplateData {
    pub labels: Labels,
    pub external_labels: Labels,
    /// `$externalURL` and `externalURL`: the address alerts link back to.
    pub external_url: String,
    pub value: f64,
    /// Answers to the template's `query` calls, by query text: the page runs
    /// the queries [`Template::next_query`] names, adds each with
    /// [`Self::answer`] and renders again. Shared, not copied, by the data of
    /// each alert of an evaluation (clones share them).
    pub query_answers: Rc<RefCell<SortedMap<String, (QueryAnswer, usize)>>>,
    /// What the renderings sharing this data have spent so far: clones share
    /// it, so one evaluation's renderings are bounded together; a new
    /// `TemplateData` starts afresh.
    pub spent: Rc<SharedBudget>,
}

impl TemplateData {
    /// Adds the answer to (or why it failed) the query `query`, for this
    /// data and every clone of it. Its weight in the budget of text made is
    /// reckoned once, here, and charged before a rendering copies it.
    pub fn answer(&self, query: String, answer: QueryAnswer) {
        let weight = answer.as_ref().map_or(0, |samples| {
            value::vector_weight(samples.iter().map(|(l, _)| l))
        });
        self.query_answers
            .borrow_mut()
            .insert(query, (answer, weight));
    }
}

/// Steps, text made and text read by regular expressions, counted across
/// renderings (see `MAX_EVALUATION_*` in `foundation::limits`).
#[derive(Debug, Default, PartialEq)]
pub struct SharedBudget {
    pub(crate) steps: Cell<usize>,
    pub(crate) work: Cell<usize>,
    pub(crate) regex_bytes: Cell<usize>,
}

impl SharedBudget {
    /// Whether a rendering ran out of it (renderings after it fail too).
    pub fn is_spent(&self) -> bool {
        use crate::foundation::limits::{
            MAX_EVALUATION_REGEX_BYTES, MAX_EVALUATION_TEMPLATE_STEPS,
            MAX_EVALUATION_TEMPLATE_WORK_BYTES,
        };
        self.steps.get() > MAX_EVALUATION_TEMPLATE_STEPS
            || self.work.get() > MAX_EVALUATION_TEMPLATE_WORK_BYTES
            || self.regex_bytes.get() >= MAX_EVALUATION_REGEX_BYTES
    }
}

/// A parsed template, ready to render many times.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    nodes: Vec<syntax::Node>,
}

impl Template {
    pub fn parse(text: &str) -> Result<Self, String> {
        Ok(Self {
            nodes: syntax::parse(text)?,
        })
    }

    /// Whether the template calls `query` (its rendering then needs the datasource).
    pub fn uses_queries(&self) -> bool {
        fn in_pipeline(p: &syntax::Pipeline) -> bool {
            p.commands
                .iter()
                .flat_map(|c| &c.operands)
                .any(|o| match o {
                    syntax::Operand::Function(function) => *function == syntax::Func::Query,
                    syntax::Operand::Pipeline(inner, _) => in_pipeline(inner),
                    _ => false,
                })
        }
        fn in_nodes(nodes: &[syntax::Node]) -> bool {
            nodes.iter().any(|node| match node {
                syntax::Node::Action(p) => in_pipeline(p),
                syntax::Node::If(chain) => {
                    chain
                        .arms
                        .iter()
                        .any(|(p, then)| in_pipeline(p) || in_nodes(then))
                        || in_nodes(&chain.otherwise)
                }
                syntax::Node::With(b) | syntax::Node::Range(b) => {
                    in_pipeline(&b.pipeline) || in_nodes(&b.then) || in_nodes(&b.otherwise)
                }
                _ => false,
            })
        }
        in_nodes(&self.nodes)
    }

    /// The next query the rendering needs whose answer `data` does not have.
    pub fn next_query(&self, data: &TemplateData) -> Option<String> {
        let mut state = eval::State::new(data);
        match state.walk(&self.nodes, &value::Value::Root) {
            Err(eval::Stop::Query(query)) => Some(query),
            _ => None,
        }
    }

    pub fn render(&self, data: &TemplateData) -> Result<String, String> {
        let mut state = eval::State::new(data);
        match state.walk(&self.nodes, &value::Value::Root) {
            Ok(()) => Ok(state.out),
            Err(eval::Stop::Error(message)) => Err(message),
            Err(eval::Stop::Query(query)) => Err(format!(
                "the query {query:?} has not been run (queries run in the page, against the rule's datasource)"
            )),
            // The parser allows these only inside a range, which catches them.
            Err(eval::Stop::Break | eval::Stop::Continue) => Ok(state.out),
        }
    }
}

/// Parses and renders in one go.
pub fn render_template(text: &str, data: &TemplateData) -> Result<String, String> {
    Template::parse(text)?.render(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerting::go_fmt::format_go_float;

    fn data(value: f64) -> TemplateData {
        TemplateData {
            labels: [("instance".to_string(), "app-1:8000".to_string())].into(),
            external_labels: [("cluster".to_string(), "eu".to_string())].into(),
            value,
            ..TemplateData::default()
        }
    }

    #[test]
    fn huge_printf_precisions_and_outputs_are_refused() {
        let d = data(1.5);
        for template in [
            r#"{{ printf "%.70000f" $value }}"#,
            r#"{{ printf "%.201f" $value }}"#,
            r#"{{ printf "%.99999999999999999999999e" $value }}"#,
        ] {
            let error = render_template(template, &d).unwrap_err();
            assert!(error.contains("more than 200"), "{template}: {error}");
        }
        assert_eq!(
            render_template(r#"{{ printf "%.0002f" $value }}"#, &d).unwrap(),
            "1.50"
        );
        let long = format!(
            "{{{{ printf \"%.200f%.200f\" $value $value }}}}{}",
            "x".repeat(16_000)
        );
        assert!(render_template(&long, &d)
            .unwrap_err()
            .contains("more than 16 KiB"));
        // Found in review: each `printf` turned every `%` of the one before
        // into `%!v(MISSING)`, so a chain grew without bound before the check.
        let chained = format!(
            "{{{{ \"{}\"{} }}}}",
            "%v".repeat(2000),
            " | printf".repeat(40)
        );
        assert!(render_template(&chained, &d)
            .unwrap_err()
            .contains("longer than 16 KiB"));
        let many = format!(
            "{{{{ printf \"{}\" {} }}}}",
            "%s".repeat(3000),
            "$labels.instance ".repeat(3000)
        );
        let wide = TemplateData {
            labels: [("instance".to_string(), "x".repeat(10_000))].into(),
            ..d.clone()
        };
        // Refused before printf runs: its arguments alone are 30 MB.
        assert!(render_template(&many, &wide)
            .unwrap_err()
            .contains("on the way"));
    }

    #[test]
    fn values_labels_and_pipelines_render() {
        let d = data(0.0734);
        assert_eq!(
            render_template("{{ $labels.instance }} errors at {{ $value | humanizePercentage }} in {{$externalLabels.cluster}}", &d).unwrap(),
            "app-1:8000 errors at 7.34% in eu"
        );
        assert_eq!(
            render_template("{{ .Labels.instance }}={{ .Value }}", &d).unwrap(),
            "app-1:8000=0.0734"
        );
        assert_eq!(
            render_template(r#"{{ printf "%.2f" $value }}"#, &data(12.3456)).unwrap(),
            "12.35"
        );
        assert_eq!(
            render_template("{{ humanize $value }}", &data(1_234_567.0)).unwrap(),
            "1.235M"
        );
        assert_eq!(
            render_template("{{ humanize 0.0012 }}", &d).unwrap(),
            "1.2m"
        );
        assert_eq!(
            render_template("{{ humanize1024 $value }}", &data(2048.0)).unwrap(),
            "2ki"
        );
        assert_eq!(
            render_template("{{ humanizeDuration $value }}", &data(93_784.0)).unwrap(),
            "1d 2h 3m 4s"
        );
        assert_eq!(
            render_template("{{ humanizeDuration $value }}", &data(0.25)).unwrap(),
            "250ms"
        );
        assert_eq!(render_template("a {{- \" b \" -}} c", &d).unwrap(), "a b c");
        assert_eq!(render_template("{{ $labels.missing }}|", &d).unwrap(), "|");
    }

    #[test]
    fn go_float_formatting() {
        assert_eq!(format_go_float(0.05), "0.05");
        assert_eq!(format_go_float(100000.0), "100000");
        assert_eq!(format_go_float(1e21), "1e+21");
        assert_eq!(format_go_float(1_234_567.0), "1.234567e+06");
        assert_eq!(format_go_float(123_456.0), "123456");
        assert_eq!(format_go_float(0.00001), "1e-05");
        assert_eq!(format_go_float(f64::NAN), "NaN");
        assert_eq!(format_go_float(f64::INFINITY), "+Inf");
    }

    #[test]
    fn template_errors_are_found_when_parsing() {
        assert!(Template::parse("{{ $value ")
            .unwrap_err()
            .contains("never closed"));
        assert!(Template::parse("{{ $valu }}")
            .unwrap_err()
            .contains("\"$valu\""));
        assert!(Template::parse("{{ quer \"up\" }}")
            .unwrap_err()
            .contains("not defined"));
        for (refused, why) in [
            ("{{ if gt $value 1.0 }}x", "no {{end}}"),
            ("{{ end }}", "unexpected {{end}}"),
            ("{{ $down }}", "undefined variable"),
            ("{{ break }}", "inside {{range}}"),
            ("{{ define \"x\" }}{{ end }}", "not supported"),
            ("{{ 1 | 2 }}", "non executable"),
            ("{{/* c */ x }}", "before its closing"),
            ("{{ 1e400 }}", "bad number"),
            ("{{ \"\\x+f\" }}", "bad escape"),
            (
                "{{ with 1 }}x{{ else if 1 }}y{{ end }}z{{ end }}",
                "else if",
            ),
            ("{{ /* c */ }}", "unrecognized character"),
            ("{{ 3x }}", "bad number"),
        ] {
            let error = Template::parse(refused).unwrap_err();
            assert!(error.contains(why), "{refused}: {error}");
        }
        assert!(Template::parse("{{ \"x }}")
            .unwrap_err()
            .contains("unterminated"));
        // As in Go: a "}}" outside an action is text, a verb that does not
        // fit its argument is marked in the output.
        assert_eq!(
            render_template("threshold of 80 }}.", &data(1.0)).unwrap(),
            "threshold of 80 }}."
        );
        assert_eq!(
            render_template("{{ printf \"%q\" $value }}", &data(1.0)).unwrap(),
            "%!q(float64=1)"
        );
    }

    /// The examples of the conformance report, each as Prometheus 2.42 renders it.
    #[test]
    fn renders_as_prometheus_where_it_differed() {
        let d = |value: f64| TemplateData {
            labels: [
                ("env".to_string(), "straße".to_string()),
                ("instance".to_string(), "db.example.com:5432".to_string()),
            ]
            .into(),
            value,
            ..TemplateData::default()
        };
        for (template, value, expected) in [
            (r#"{{ printf "%0.2f" $value }}"#, 60.0, "60.00"),
            (r#"{{ printf "%0.0f" $value }}"#, 59.7, "60"),
            (r#"{{ printf "%.4g" $value }}"#, 123456.789, "1.235e+05"),
            (r#"{{ printf "%.2f" $value }}"#, f64::INFINITY, "+Inf"),
            (r#"{{ humanizePercentage $value }}"#, -0.0, "-0%"),
            (r#"{{ $value | humanize }}"#, -0.0, "-0"),
            (
                r#"{{ $labels.instance | title }}"#,
                0.0,
                "Db.Example.Com:5432",
            ),
            (
                r#"{{ title "hello wORLD-foo_bar 9lives" }}"#,
                0.0,
                "Hello WORLD-Foo_bar 9lives",
            ),
            // Found by the randomized comparison with promtool.
            (r#"{{ toUpper "straße ǆ" }}"#, 0.0, "STRAßE Ǆ"),
            (r#"{{ toLower "İSTANBUL" }}"#, 0.0, "istanbul"),
            (r#"{{ title "ǆungla ǉ" }}"#, 0.0, "ǅungla ǈ"),
            (r#"{{ humanizeDuration $value }}"#, -0.0, "-0s"),
            (
                r#"{{ humanizeDuration $value }}"#,
                2.42151e19,
                "-106751991167300d -15h -30m -8s",
            ),
            (
                r#"{{ humanizeDuration $value }}"#,
                -5.5e19,
                "--106751991167300d -15h -30m -8s",
            ),
            (
                "LABELS = {{ $labels }}",
                0.0,
                "LABELS = map[env:straße instance:db.example.com:5432]",
            ),
            ("{{ $externalLabels }}", 0.0, "map[]"),
        ] {
            assert_eq!(
                render_template(template, &d(value)).unwrap(),
                expected,
                "{template}"
            );
        }
    }

    /// Each as `promtool test rules` (Prometheus 2.42) rendered it, for the
    /// series `metric{env="prod", instance="db.example.com:5432", job="api"}`
    /// at 1.5, external label `cluster="eu"` and external URL
    /// `http://prom.example:9090/prefix`.
    #[test]
    fn the_go_template_language_renders_as_promtool_renders_it() {
        let data = TemplateData {
            labels: [
                ("__name__", "metric"),
                ("env", "prod"),
                ("instance", "db.example.com:5432"),
                ("job", "api"),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
            external_labels: [("cluster".to_string(), "eu".to_string())].into(),
            external_url: "http://prom.example:9090/prefix".into(),
            value: 1.5,
            ..TemplateData::default()
        };
        for (template, expected) in [
            ("{{ humanizeTimestamp 1.5 }} | {{ humanizeTimestamp 1700000000.123456 }} | {{ toTime 1.5 }} | {{ humanizeTimestamp -1.5 }}",
             "1970-01-01 00:00:01.5 +0000 UTC | 2023-11-14 22:13:20.123 +0000 UTC | 1970-01-01 00:00:01.5 +0000 UTC | 1969-12-31 23:59:58.5 +0000 UTC"),
            ("{{ parseDuration \"1h30m\" }} {{ parseDuration \"1d\" }} {{ parseDuration \"1y\" }} {{ parseDuration \"90s\" }} {{ parseDuration \"1ms\" }}",
             "5400 86400 3.1536e+07 90 0.001"),
            ("{{ stripPort \"a:1\" }} {{ stripPort \"[::1]:80\" }} {{ stripPort \"x\" }} {{ stripDomain \"db.example.com:5432\" }} {{ stripDomain \"1.2.3.4:5\" }} {{ stripDomain \"[::1]:80\" }}",
             "a ::1 x db:5432 1.2.3.4:5 [::1]:80"),
            ("{{ args 1 \"a\" 2.5 }} {{ (args 1 \"a\").arg1 }} {{ (args 1).arg5 }} {{ safeHtml \"<b>\" }} {{ len \"héllo\" }}",
             "map[arg0:1 arg1:a arg2:2.5] a <no value> <b> 6"),
            ("{{ print 1 2 \"a\" \"b\" 3.0 true }} {{ println \"x\" 1 }}| {{ html \"<a&'\\\">\" }} {{ js \"<a'\\\"\\\\>\" }} {{ urlquery \"a b&c/é\" }}",
             "1 2ab3 true x 1\n| &lt;a&amp;&#39;&#34;&gt; \\u003Ca\\'\\\"\\\\\\u003E a+b%26c%2F%C3%A9"),
            ("{{ eq 1 1 2 }} {{ eq \"a\" \"b\" \"a\" }} {{ ne 1 2 }} {{ lt 1.5 2.0 }} {{ le \"a\" \"b\" }} {{ gt $value 1.0 }} {{ and 1 0 2 }} {{ or 0 \"\" \"x\" }} {{ not 0 }} {{ not \"a\" }}",
             "true true true true true true 0 x true false"),
            ("{{ index $labels \"env\" }} {{ index $labels \"nope\" }}| {{ slice \"hello\" 1 3 }} {{ $labels.nope }}| {{ .Labels.env }}",
             "prod | el | prod"),
            ("{{ if $labels.env }}yes{{ else if $value }}v{{ else }}no{{ end }} {{ with $labels.nope }}X{{ else }}empty{{ end }} {{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }} {{ range $labels }}{{ . }},{{ end }} {{ range $i := $labels }}{{ $i }}{{ end }}",
             "yes empty __name__=metric;env=prod;instance=db.example.com:5432;job=api; metric,prod,db.example.com:5432,api, metricproddb.example.com:5432api"),
            ("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ $y := 3 }}{{ end }}{{ $x }} {{ range $k, $v := $labels }}{{ if eq $k \"instance\" }}{{ break }}{{ end }}{{ $k }}{{ end }}",
             "2 __name__env"),
            ("{{ 1 }} {{ 1.50 }} {{ 1e3 }} {{ 0x1F }} {{ 'a' }} {{ -3 }} {{ +4 }} {{ 1_000 }} {{ \"a\\tb\\u00e9\\x41\\101\" }} {{ `raw\\n` }}",
             "1 1.5 1000 31 97 -3 4 1000 a\tbéAA raw\\n"),
            ("{{ printf \"%d %5.2f %x %q %t %v %s\" 42 3.14159 255 \"hi\" true $labels \"s\" }} {{ printf \"%v\" (args 1) }} {{ printf \"%d\" 1.5 }} {{ printf \"%s\" 5 }}",
             "42  3.14 ff \"hi\" true map[__name__:metric env:prod instance:db.example.com:5432 job:api] s map[arg0:1] %!d(float64=1.5) %!s(int=5)"),
            ("{{ .Value }} {{ $ }} {{ $.Labels.env }} {{ title \"x\" | printf \"%s-%s\" \"a\" }}",
             "1.5 {map[__name__:metric env:prod instance:db.example.com:5432 job:api] map[cluster:eu] http://prom.example:9090/prefix 1.5} prod a-X"),
            ("{{ eq $value 1.5 }} {{ eq \"a\" \"a\" }} {{ eq true true }} {{ lt 1 2 }} {{ lt \"b\" \"a\" }}", "true true true true false"),
            ("{{ humanize \"1234\" }} {{ humanize 1234 }} {{ humanize1024 \"2048\" }} {{ humanizePercentage \"0.5\" }}", "1.234k 1.234k 2ki 50%"),
            ("{{ if eq $value 1.5 }}a{{ end }}{{ if 0 }}b{{ end }}{{ if \"\" }}c{{ end }}{{ if $labels }}d{{ end }}{{ if (args) }}e{{ end }}{{ if $externalLabels }}f{{ end }}{{ if 0.0 }}g{{ end }}", "adf"),
            ("{{ with $x := $labels.env }}{{ $x }}{{ . }}{{ end }} {{ range $i, $v := (args 5 6) }}{{ $i }}{{ $v }}{{ end }}", "prodprod arg05arg16"),
            ("{{ index (args 1 2) \"arg1\" }} {{ print (args 1).arg3 }} {{ (args 1).arg3 }} {{ printf \"%v|%s\" (args 1).arg3 (args 1).arg3 }}", "2 <nil> <no value> <nil>|%!s(<nil>)"),
            ("{{ $labels.env | len }} {{ \"x\" | printf \"%s%s\" \"y\" }} {{ 3 | printf \"%d\" }}", "4 yx 3"),
            ("{{ print 1.0 2.5 }} {{ print \"a\" 1 2 \"b\" }} {{ print $labels.env $value }} {{ print true false }} {{ print }}", "1 2.5 a1 2b prod1.5 true false "),
            ("{{ printf \"%5.1f|%-6d|%06.2f|%+d|%x|%X|%o|%b|%c|%e\" 3.14159 42 3.14159 5 255 255 8 5 65 1234.5 }}", "  3.1|42    |003.14|+5|ff|FF|10|101|A|1.234500e+03"),
            ("{{ printf \"%t|%v|%5t|%d\" true false true true }} {{ printf \"%q\" \"a\\\"b\" }} {{ printf \"%x\" \"hi\" }} {{ printf \"%10s|%-10s|\" \"a\" \"b\" }}", "true|false| true|%!d(bool=true) \"a\\\"b\" 6869          a|b         |"),
            ("{{ toTime $value }} {{ (toTime 1.5).Unix }} {{ humanizeDuration \"90\" }}", "1970-01-01 00:00:01.5 +0000 UTC 1 1m 30s"),
            ("{{ $externalURL }} {{ .ExternalURL }} {{ $externalLabels }}", "http://prom.example:9090/prefix http://prom.example:9090/prefix map[cluster:eu]"),
            ("a {{- /* gone */ -}} b {{/* kept */}} c", "ab  c"),
            // Found in review, each checked with promtool.
            ("{{ if (args).arg0 }}a{{ else }}b{{ end }}|{{ with (args).arg0 }}a{{ else }}b{{ end }}", "b|b"),
            ("{{ parseDuration \"30y1ms\" }}|{{ toUpper \"ᾳ ᾀ ῃ\" }}|{{ humanize \"1_000\" }}", "9.460800000009999e+08|ᾼ ᾈ ῌ|1k"),
            ("{{ index (args 1 2) \"arg+1\" }}|{{ if false }}{{ 18446744073709551615 }}{{ end }}ok", "<no value>|ok"),
            ("{{ humanizeTimestamp 9223372036.854776 }}", "1677-09-21 00:12:43.146 +0000 UTC"),
            ("{{ printf \"%U|%#x|%O|%b|%q|%#o|%#b\" 65 255 8 1.0 (safeHtml \"a\") 8 5 }}", "U+0041|0xff|0o10|4503599627370496p-52|\"a\"|010|0b101"),
            ("{{ print (args 1) }}", "map[arg0:1]"),
        ] {
            assert_eq!(render_template(template, &data).as_deref(), Ok(expected), "{template}");
        }
        for (template, error) in [
            ("{{ eq 1 1.0 }}", "incompatible types"),
            ("{{ gt $value 1 }}", "incompatible types"),
            ("{{ nil }}", "nil is not a command"),
            ("{{ humanizeTimestamp 1e10 }}", "overflows int64"),
            ("{{ parseDuration \"1.5s\" }}", "not a valid duration"),
            ("{{ humanize true }}", "can't convert bool to float"),
            ("{{ len 5 }}", "len of type int"),
            ("{{ and }}", "want at least 1 got 0"),
            ("{{ not }}", "arguments for not"),
            ("{{ humanize \"1e400\" }}", "ParseFloat"),
            ("{{ 18446744073709551615 }}", "overflows int"),
            ("{{ title 5 }}", "arguments for title"),
            ("{{ query \"up\" | first | value }}", "has not been run"),
        ] {
            let got = render_template(template, &data).unwrap_err();
            assert!(got.contains(error), "{template}: {got}");
        }
    }

    #[test]
    fn renderings_are_bounded() {
        let data = data(1.0);
        // Nested ranges over the labels would take 2^40 steps.
        let nested = format!(
            "{}{}",
            "{{ range $labels }}".repeat(40),
            "{{ end }}".repeat(40)
        );
        let wide = TemplateData {
            labels: (0..2).map(|i| (format!("l{i}"), "v".into())).collect(),
            ..data.clone()
        };
        let got = render_template(&nested, &wide);
        assert!(got.as_ref().unwrap_err().contains("steps"), "{got:?}");
        // A variable doubled in a loop.
        let doubling = "{{ $x := \"ab\" }}{{ range $labels }}{{ range $labels }}{{ $x = print $x $x }}{{ end }}{{ end }}{{ $x }}";
        let many = TemplateData {
            labels: (0..30).map(|i| (format!("l{i}"), "v".into())).collect(),
            ..data.clone()
        };
        assert!(render_template(doubling, &many)
            .unwrap_err()
            .contains("longer than"));
        // Text copied at every step: 2.4 s before the work was counted.
        let big = TemplateData {
            labels: (0..300)
                .map(|i| (format!("l{i}"), "v".repeat(50)))
                .collect(),
            ..data.clone()
        };
        let copying = format!(
            "{{{{ $x := printf \"%200s\" \"\" }}}}{{{{ $x = print{} }}}}{{{{ range $labels }}}}{{{{ range $labels }}}}{{{{ $y := print $x }}}}{{{{ $z := html $x }}}}{{{{ end }}}}{{{{ end }}}}",
            " $x".repeat(75)
        );
        assert!(render_template(&copying, &big)
            .unwrap_err()
            .contains("on the way"));
        let maps =
            "{{ range $labels }}{{ range $labels }}{{ printf \"%.0v\" $labels }}{{ end }}{{ end }}";
        assert!(render_template(maps, &big)
            .unwrap_err()
            .contains("on the way"));
        // Found in review: a map of itself twice, doubled 22 times, took
        // 3.5 s and 335 MB; a chain 4,900 deep overflowed the stack.
        let ones = |n: usize| " 1".repeat(n);
        let doubling = format!(
            "{{{{ $x := args 1 }}}}{{{{ range (args{}) }}}}{{{{ $x = args $x $x }}}}{{{{ end }}}}{{{{ $x }}}}",
            ones(30)
        );
        let error = render_template(&doubling, &data).unwrap_err();
        assert!(
            error.contains("on the way") || error.contains("nested"),
            "{error}"
        );
        let quiet = doubling.replace("{{ $x }}", "{{ printf \"%.0v\" $x }}");
        assert!(render_template(&quiet, &data).is_err());
        let chain = format!(
            "{{{{ $x := args 1 }}}}{{{{ range (args{0}) }}}}{{{{ range (args{0}) }}}}{{{{ $x = args $x }}}}{{{{ end }}}}{{{{ end }}}}{{{{ len $x }}}}",
            ones(150)
        );
        assert!(render_template(&chain, &data)
            .unwrap_err()
            .contains("nested more than 8"));
        // Thousands of operands in one command, each a step.
        let operands = format!(
            "{{{{ range (args{0}) }}}}{{{{ range (args{0}) }}}}{{{{ $z := and{1} }}}}{{{{ end }}}}{{{{ end }}}}",
            ones(60),
            " $".repeat(12_000)
        );
        assert!(render_template(&operands, &data)
            .unwrap_err()
            .contains("steps"));
        // Long texts compared many times.
        let comparing = format!(
            "{{{{ $x := printf \"%200s\" \"a\" }}}}{{{{ $x = print{0} }}}}{{{{ $z := eq $x{1} }}}}",
            " $x".repeat(75),
            " $x".repeat(2000)
        );
        assert!(render_template(&comparing, &data)
            .unwrap_err()
            .contains("on the way"));
        // A map of 10,000 numbers printed with nothing kept.
        let numbers = format!(
            "{{{{ $m := args{} }}}}{{{{ range (args{}) }}}}{{{{ printf \"%.0v\" $m }}}}{{{{ end }}}}",
            ones(10_000),
            ones(60)
        );
        assert!(render_template(&numbers, &data)
            .unwrap_err()
            .contains("on the way"));
        // A long `else if` chain is one `if`, not nesting.
        let chain = format!(
            "{{{{ if 0 }}}}{}{{{{ else }}}}last{{{{ end }}}}",
            "{{ else if 0 }}".repeat(3000)
        );
        assert_eq!(render_template(&chain, &data).unwrap(), "last");
        let deep = format!("{}1{}", "{{ if 1 }}".repeat(100), "{{ end }}".repeat(100));
        assert!(Template::parse(&deep).unwrap_err().contains("nest"));
        let parens = format!("{{{{ {}1{} }}}}", "(".repeat(100), ")".repeat(100));
        assert!(Template::parse(&parens).unwrap_err().contains("nest"));
    }

    #[test]
    fn queries_are_named_then_answered() {
        let template =
            Template::parse("{{ range query \"up == 0\" }}{{ .Labels.job }} down; {{ end }}{{ with query \"count(up)\" }}{{ . | first | value }}{{ end }}")
                .unwrap();
        assert!(template.uses_queries());
        let data = data(1.0);
        assert_eq!(template.next_query(&data).as_deref(), Some("up == 0"));
        let down: Labels = [("job".to_string(), "api".to_string())].into();
        data.answer("up == 0".into(), Ok(vec![(down, 0.0)]));
        assert_eq!(template.next_query(&data).as_deref(), Some("count(up)"));
        data.answer("count(up)".into(), Ok(vec![(Labels::new(), 7.0)]));
        assert_eq!(template.next_query(&data), None);
        assert_eq!(template.render(&data).unwrap(), "api down; 7");
        // `fmt` marks a sample (a pointer to a struct) with `&`; an action does not.
        let printed = Template::parse(
            "{{ print (query \"up == 0\" | first) }}|{{ query \"up == 0\" | first }}",
        )
        .unwrap();
        assert_eq!(
            printed.render(&data).unwrap(),
            "&{map[job:api] 0}|{map[job:api] 0}"
        );
        data.answer("count(up)".into(), Err("timed out".into()));
        assert!(template.render(&data).unwrap_err().contains("timed out"));
        assert!(!Template::parse("{{ $value }}").unwrap().uses_queries());
    }
}
