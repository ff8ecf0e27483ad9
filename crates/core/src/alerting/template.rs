//! Alert templates in Prometheus's syntax (Go `text/template` with
//! Prometheus's functions), for annotations and labels: `{{ $value }}`,
//! `{{ $labels.instance }}`, `{{ $externalLabels.cluster }}`, `.Value`,
//! `.Labels.x`, pipelines (`{{ $value | humanizePercentage }}`) and the common
//! functions `humanize`, `humanize1024`, `humanizePercentage`,
//! `humanizeDuration`, `printf`, `toUpper`, `toLower`, `title`. Parsing is
//! separate from rendering so a template error is shown when the rule is
//! edited, not when it fires.

use super::go_fmt::{self, format_go_float, GoValue};
use crate::foundation::limits::MAX_TEMPLATE_OUTPUT_BYTES;
use crate::query::series::Labels;

/// What a template can refer to.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TemplateData {
    pub labels: Labels,
    pub external_labels: Labels,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq)]
enum Operand {
    Value,
    /// `$labels` itself, printed as Go prints a map: `map[instance:a job:b]`.
    Labels,
    ExternalLabels,
    Label(String),
    ExternalLabel(String),
    Text(String),
    Number(f64),
}

#[derive(Debug, Clone, PartialEq)]
enum Command {
    Operand(Operand),
    Call(String, Vec<Operand>),
}

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(String),
    Pipeline(Vec<Command>),
}

/// A parsed template, ready to render many times.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pieces: Vec<Piece>,
}

const FUNCTIONS: [&str; 8] = [
    "humanize",
    "humanize1024",
    "humanizePercentage",
    "humanizeDuration",
    "printf",
    "toUpper",
    "toLower",
    "title",
];

/// Go `text/template` actions, named when a template uses one.
const GO_ACTIONS: [&str; 10] = [
    "if", "else", "end", "with", "range", "define", "template", "block", "break", "continue",
];

fn tokens(action: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = action.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' || c == '`' {
            chars.next();
            let mut text = String::from('"');
            let mut closed = false;
            while let Some(d) = chars.next() {
                if d == c {
                    closed = true;
                    break;
                }
                if d == '\\' && c == '"' {
                    match chars.next() {
                        Some('n') => text.push('\n'),
                        Some('t') => text.push('\t'),
                        Some(other) => text.push(other),
                        None => break,
                    }
                } else {
                    text.push(d);
                }
            }
            if !closed {
                return Err(format!("unterminated string in {{{{{action}}}}}"));
            }
            out.push(text);
        } else if c == '|' {
            chars.next();
            out.push("|".into());
        } else {
            let mut word = String::new();
            while let Some(&d) = chars.peek() {
                if d.is_whitespace() || d == '|' {
                    break;
                }
                word.push(d);
                chars.next();
            }
            out.push(word);
        }
    }
    Ok(out)
}

fn operand(token: &str) -> Result<Operand, String> {
    if let Some(text) = token.strip_prefix('"') {
        return Ok(Operand::Text(text.to_string()));
    }
    match token {
        "$value" | ".Value" => return Ok(Operand::Value),
        "$labels" | ".Labels" => return Ok(Operand::Labels),
        "$externalLabels" | ".ExternalLabels" => return Ok(Operand::ExternalLabels),
        _ => {}
    }
    for prefix in ["$labels.", ".Labels."] {
        if let Some(name) = token.strip_prefix(prefix) {
            return Ok(Operand::Label(name.to_string()));
        }
    }
    for prefix in ["$externalLabels.", ".ExternalLabels."] {
        if let Some(name) = token.strip_prefix(prefix) {
            return Ok(Operand::ExternalLabel(name.to_string()));
        }
    }
    if let Some(number) = crate::foundation::float_text::parse_f64(token) {
        return Ok(Operand::Number(number));
    }
    Err(format!(
        "{token:?} is not something a template knows ($value, $labels.<name>, $externalLabels.<name>, a string or a number)"
    ))
}

impl Template {
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut pieces = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find("{{") {
            let mut literal = &rest[..open];
            let mut after = &rest[open + 2..];
            if let Some(trimmed) = after.strip_prefix('-') {
                literal = literal.trim_end();
                after = trimmed;
            }
            if !literal.is_empty() {
                pieces.push(Piece::Text(literal.to_string()));
            }
            let close = after
                .find("}}")
                .ok_or_else(|| format!("\"{{{{\" at character {open} is never closed"))?;
            let mut action = &after[..close];
            rest = &after[close + 2..];
            if let Some(trimmed) = action.strip_suffix('-') {
                action = trimmed;
                rest = rest.trim_start();
            }
            let action = action.trim();
            if action.starts_with("/*") {
                continue; // a comment
            }
            let words = tokens(action)?;
            if words.is_empty() {
                return Err("an empty {{ }}".into());
            }
            let declares = matches!(words.get(1).map(String::as_str), Some(":=" | "="));
            if GO_ACTIONS.contains(&words[0].as_str()) || declares {
                return Err(format!(
                    "{{{{{action}}}}}: Go's actions and variables (if, else, with, range, $x := …) are not supported yet"
                ));
            }
            let mut commands = Vec::new();
            for command in words.split(|w| w == "|") {
                let Some((head, args)) = command.split_first() else {
                    return Err(format!("an empty pipeline step in {{{{{action}}}}}"));
                };
                if FUNCTIONS.contains(&head.as_str()) {
                    let args = args
                        .iter()
                        .map(|a| operand(a))
                        .collect::<Result<Vec<_>, _>>()?;
                    commands.push(Command::Call(head.clone(), args));
                } else if args.is_empty() {
                    commands.push(Command::Operand(operand(head)?));
                } else if head.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    return Err(format!(
                        "function {head:?} is not available (available: {})",
                        FUNCTIONS.join(", ")
                    ));
                } else {
                    return Err(format!("{{{{{action}}}}} has more than one value"));
                }
            }
            if matches!(commands.first(), Some(Command::Operand(_)))
                && commands
                    .iter()
                    .skip(1)
                    .any(|c| matches!(c, Command::Operand(_)))
            {
                return Err(format!("{{{{{action}}}}}: only functions can follow \"|\""));
            }
            pieces.push(Piece::Pipeline(commands));
        }
        // A "}}" outside an action is text, as in Go.
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_string()));
        }
        Ok(Self { pieces })
    }

    pub fn render(&self, data: &TemplateData) -> Result<String, String> {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Pipeline(commands) => {
                    let mut current: Option<Value> = None;
                    for command in commands {
                        current = Some(match command {
                            Command::Operand(o) => resolve(o, data),
                            Command::Call(name, args) => {
                                let mut values: Vec<Value> =
                                    args.iter().map(|a| resolve(a, data)).collect();
                                if let Some(piped) = current.take() {
                                    values.push(piped);
                                }
                                call(name, &values)?
                            }
                        });
                        // Checked at every step: `"%v%v…" | printf | printf`
                        // would otherwise grow with each one.
                        if let Some(Value::Text(text)) = &current {
                            if text.len() > MAX_TEMPLATE_OUTPUT_BYTES {
                                return Err(too_long());
                            }
                        }
                    }
                    if let Some(value) = current {
                        out.push_str(&value.to_text());
                    }
                }
            }
            if out.len() > MAX_TEMPLATE_OUTPUT_BYTES {
                return Err(too_long());
            }
        }
        Ok(out)
    }
}

#[cold]
fn too_long() -> String {
    format!(
        "the template renders to more than {} KiB",
        MAX_TEMPLATE_OUTPUT_BYTES / 1024
    )
}

/// Parses and renders in one go.
pub fn render_template(text: &str, data: &TemplateData) -> Result<String, String> {
    Template::parse(text)?.render(data)
}

#[derive(Debug, Clone, PartialEq)]
enum Value {
    Number(f64),
    Text(String),
}

impl Value {
    fn as_go(&self) -> GoValue<'_> {
        match self {
            Value::Number(n) => GoValue::Float(*n),
            Value::Text(t) => GoValue::Text(t),
        }
    }

    fn to_text(&self) -> String {
        match self {
            Value::Number(n) => format_go_float(*n),
            Value::Text(t) => t.clone(),
        }
    }

    fn number(&self) -> Result<f64, String> {
        match self {
            Value::Number(n) => Ok(*n),
            Value::Text(t) => crate::foundation::float_text::parse_f64(t.trim())
                .ok_or_else(|| format!("{t:?} is not a number")),
        }
    }
}

fn resolve(operand: &Operand, data: &TemplateData) -> Value {
    match operand {
        Operand::Value => Value::Number(data.value),
        Operand::Labels => Value::Text(go_map(&data.labels)),
        Operand::ExternalLabels => Value::Text(go_map(&data.external_labels)),
        Operand::Label(name) => Value::Text(data.labels.get(name).cloned().unwrap_or_default()),
        Operand::ExternalLabel(name) => {
            Value::Text(data.external_labels.get(name).cloned().unwrap_or_default())
        }
        Operand::Text(text) => Value::Text(text.clone()),
        Operand::Number(n) => Value::Number(*n),
    }
}

/// Prometheus's `humanize` / `humanize1024`: divide down through the prefixes, then `%.4g`.
fn humanize(value: f64, base: f64, large: &[&str], small: &[&str]) -> String {
    let special = value == 0.0 || !value.is_finite();
    if special || (base == 1024.0 && value.abs() <= 1.0) {
        return format_significant(value);
    }
    let mut v = value;
    let mut prefix = "";
    if v.abs() >= 1.0 {
        for p in large {
            if v.abs() < base {
                break;
            }
            prefix = p;
            v /= base;
        }
    } else {
        for p in small {
            if v.abs() >= 1.0 {
                break;
            }
            prefix = p;
            v *= base;
        }
    }
    format!("{}{prefix}", format_significant(v))
}

/// Go's `%.4g`, as Prometheus's `humanize` functions end.
fn format_significant(value: f64) -> String {
    go_fmt::format_significant(value, 4)
}

/// Prometheus's `humanizeDuration`.
fn humanize_duration(seconds: f64) -> String {
    if !seconds.is_finite() {
        return format_significant(seconds);
    }
    if seconds == 0.0 {
        return format!("{}s", format_significant(seconds)); // `-0s` too, as Go
    }
    if seconds.abs() >= 1.0 {
        let sign = if seconds < 0.0 { "-" } else { "" };
        // Go's `int64(v)`: past 2^63 it is the smallest int64 on the
        // machines Prometheus runs on (Rust's `as` would saturate instead).
        let whole = if seconds.abs() >= 9_223_372_036_854_775_808.0 {
            i64::MIN
        } else {
            seconds.abs().trunc() as i64
        };
        let (days, hours, minutes, secs) = (
            whole / 86_400,
            whole / 3600 % 24,
            whole / 60 % 60,
            whole % 60,
        );
        return if days != 0 {
            format!("{sign}{days}d {hours}h {minutes}m {secs}s")
        } else if hours != 0 {
            format!("{sign}{hours}h {minutes}m {secs}s")
        } else if minutes != 0 {
            format!("{sign}{minutes}m {secs}s")
        } else {
            format!("{sign}{}s", format_significant(seconds.abs()))
        };
    }
    let mut v = seconds;
    let mut prefix = "";
    for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
        if v.abs() >= 1.0 {
            break;
        }
        prefix = p;
        v *= 1000.0;
    }
    format!("{}{prefix}s", format_significant(v))
}

/// Go's `unicode.ToUpper`: one character for one, so `ß` stays `ß` where
/// Rust's full mapping makes `SS`.
fn go_upper(c: char) -> char {
    single(c.to_uppercase()).unwrap_or(c)
}

/// Go's `unicode.ToLower` (`İ` is `i`, where Rust's full mapping adds a dot).
fn go_lower(c: char) -> char {
    if c == '\u{130}' {
        return 'i';
    }
    single(c.to_lowercase()).unwrap_or(c)
}

/// Go's `unicode.ToTitle`: upper case, except the digraphs `ǅ ǈ ǋ ǲ`, whose
/// title case is their own.
fn go_title_case(c: char) -> char {
    match c {
        '\u{1C4}'..='\u{1C6}' => '\u{1C5}',
        '\u{1C7}'..='\u{1C9}' => '\u{1C8}',
        '\u{1CA}'..='\u{1CC}' => '\u{1CB}',
        '\u{1F1}'..='\u{1F3}' => '\u{1F2}',
        _ => go_upper(c),
    }
}

fn single(mut mapped: impl Iterator<Item = char>) -> Option<char> {
    match (mapped.next(), mapped.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

/// A `map[string]string` as Go's `fmt` prints it: keys in order.
fn go_map(labels: &Labels) -> String {
    let pairs: Vec<String> = labels
        .iter()
        .map(|(name, value)| format!("{name}:{value}"))
        .collect();
    format!("map[{}]", pairs.join(" "))
}

/// Go's `strings.Title` (which Prometheus's `title` is): each letter that
/// follows a separator is upper-cased, the rest left as they are. ASCII
/// letters, digits and `_` are not separators, nor are other letters and
/// digits; other ASCII characters and white space are.
fn go_title(text: &str) -> String {
    let separates = |c: char| {
        if c.is_ascii() {
            !(c.is_ascii_alphanumeric() || c == '_')
        } else {
            c.is_whitespace()
        }
    };
    let mut previous = ' ';
    text.chars()
        .map(|c| {
            let upper = separates(previous);
            previous = c;
            if upper {
                go_title_case(c)
            } else {
                c
            }
        })
        .collect()
}

fn call(name: &str, args: &[Value]) -> Result<Value, String> {
    let one = || -> Result<&Value, String> {
        args.first().ok_or_else(|| format!("{name} needs a value"))
    };
    Ok(match name {
        "humanize" => Value::Text(humanize(
            one()?.number()?,
            1000.0,
            &["k", "M", "G", "T", "P", "E", "Z", "Y"],
            &["m", "u", "n", "p", "f", "a", "z", "y"],
        )),
        "humanize1024" => Value::Text(humanize(
            one()?.number()?,
            1024.0,
            &["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"],
            &[],
        )),
        "humanizePercentage" => {
            Value::Text(format!("{}%", format_significant(one()?.number()? * 100.0)))
        }
        "humanizeDuration" => Value::Text(humanize_duration(one()?.number()?)),
        "printf" => {
            let (format, rest) = args.split_first().ok_or("printf needs a format")?;
            let rest: Vec<GoValue> = rest.iter().map(Value::as_go).collect();
            Value::Text(go_fmt::sprintf(&format.to_text(), &rest)?)
        }
        "toUpper" => Value::Text(one()?.to_text().chars().map(go_upper).collect()),
        "toLower" => Value::Text(one()?.to_text().chars().map(go_lower).collect()),
        "title" => Value::Text(go_title(&one()?.to_text())),
        other => return Err(format!("function {other:?} is not available")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(value: f64) -> TemplateData {
        TemplateData {
            labels: [("instance".to_string(), "app-1:8000".to_string())].into(),
            external_labels: [("cluster".to_string(), "eu".to_string())].into(),
            value,
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
            .contains("more than 16 KiB"));
        let many = format!(
            "{{{{ printf \"{}\" {} }}}}",
            "%s".repeat(3000),
            "$labels.instance ".repeat(3000)
        );
        let wide = TemplateData {
            labels: [("instance".to_string(), "x".repeat(10_000))].into(),
            ..d.clone()
        };
        assert!(render_template(&many, &wide)
            .unwrap_err()
            .contains("longer than 16 KiB"));
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
        assert!(Template::parse("{{ query \"up\" }}")
            .unwrap_err()
            .contains("not available"));
        for unsupported in [
            "{{ if gt $value 1.0 }}x{{ end }}",
            "{{ with $labels.cluster -}} on {{ . }} {{- end }}",
            "{{ $down := 2 }}",
        ] {
            let error = Template::parse(unsupported).unwrap_err();
            assert!(
                error.contains("not supported yet"),
                "{unsupported}: {error}"
            );
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
            external_labels: Labels::new(),
            value,
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
}
