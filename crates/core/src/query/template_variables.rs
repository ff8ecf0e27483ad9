//! Substitutes dashboard variables (`$name`, `${name}`, `[[name]]`) and the
//! built-ins (`$__interval`, `$__rate_interval`, `$__range`, `$__range_s`,
//! `$__interval_ms`) into PromQL.
//!
//! Escaping follows where the variable stands: inside a regex matcher's string
//! (`=~"…"`, `!~"…"`) every value is RE2-escaped and several values become
//! `(a|b)`; inside any other string literal the value is escaped for the string;
//! outside strings only a number, a duration or a name may stand, and anything
//! else refuses the query. A value can therefore never break out of its
//! string, widen a regex or add PromQL of its own. The scan is linear in the
//! query, and the result is capped at [`MAX_QUERY_CHARS`].

use crate::foundation::limits::MAX_QUERY_CHARS;
use crate::foundation::ordered::SortedMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VariableValue {
    Single(String),
    Multi(Vec<String>),
    /// "All" of the listed values; `custom_all` replaces the alternation (e.g. `.*`).
    All {
        values: Vec<String>,
        custom_all: Option<String>,
    },
}

/// What the built-in variables are computed from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BuiltinIntervals {
    pub step_seconds: f64,
    pub range_seconds: f64,
    /// Prometheus's scrape interval, 15 s unless the dashboard says otherwise.
    pub scrape_interval_seconds: f64,
}

impl BuiltinIntervals {
    /// Grafana's `$__rate_interval`: at least four scrapes, and at least one step plus a scrape.
    pub fn rate_interval_seconds(&self) -> f64 {
        (self.step_seconds + self.scrape_interval_seconds).max(4.0 * self.scrape_interval_seconds)
    }
}

/// A duration as PromQL reads it: whole seconds as `20s`, otherwise milliseconds.
pub fn promql_duration(seconds: f64) -> String {
    let millis = (seconds * 1000.0).round() as i64;
    if millis % 1000 == 0 {
        format!("{}s", millis / 1000)
    } else {
        format!("{millis}ms")
    }
}

/// Escapes RE2 metacharacters so the value matches only itself.
pub fn escape_regex(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Escapes a value for a double- or single-quoted PromQL string.
fn escape_string(value: &str, quote: char) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            '\n' => escaped.push_str("\\n"),
            c if c == quote => {
                escaped.push('\\');
                escaped.push(c);
            }
            c => escaped.push(c),
        }
    }
    escaped
}

#[derive(Clone, Copy, PartialEq)]
enum Position {
    Code,
    String {
        quote: char,
        regex: bool,
    },
    /// Backtick strings are raw: no string escapes exist inside them.
    RawString {
        regex: bool,
    },
}

/// Whether `value` may stand in PromQL outside a string: a number (`0.99`,
/// `1e3`, `-2`), a duration (`5m`, `1h30m`) or a name (`instance`, `job:rate5m`).
/// Nothing else can appear there without changing what the query computes.
pub fn fits_code_position(value: &str) -> bool {
    let is_name = value.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
    let unsigned = value.strip_prefix(['-', '+']).unwrap_or(value);
    let is_number = unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && unsigned
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
        && crate::foundation::float_text::parse_f64(unsigned).is_some();
    let is_duration = value.starts_with(|c: char| c.is_ascii_digit())
        && value
            .chars()
            .all(|c| c.is_ascii_digit() || "smhdwy".contains(c))
        && value.ends_with(|c: char| "smhdwy".contains(c));
    !value.is_empty() && (is_name || is_number || is_duration)
}

fn render(value: &VariableValue, position: Position) -> Result<String, String> {
    let values: Vec<&str> = match value {
        VariableValue::Single(v) => vec![v.as_str()],
        VariableValue::Multi(vs) | VariableValue::All { values: vs, .. } => {
            vs.iter().map(String::as_str).collect()
        }
    };
    let in_regex = matches!(
        position,
        Position::String { regex: true, .. } | Position::RawString { regex: true }
    );
    if let (
        VariableValue::All {
            custom_all: Some(all),
            ..
        },
        true,
    ) = (value, in_regex)
    {
        return Ok(all.clone());
    }
    if position == (Position::RawString { regex: false }) {
        if let Some(bad) = values.iter().find(|v| v.contains('`')) {
            return Err(format!(
                "the value {:?} contains a backtick, which cannot stand inside a `…` string (use \"…\")",
                crate::foundation::limits::excerpt(bad, 60)
            ));
        }
    }
    if position == Position::Code {
        if let Some(bad) = values.iter().find(|v| !fits_code_position(v)) {
            return Err(format!(
                "the value {:?} cannot stand outside a string in PromQL (only a number, a duration or a name can)",
                crate::foundation::limits::excerpt(bad, 60)
            ));
        }
    }
    Ok(match position {
        Position::String { regex: true, quote } => {
            let escaped: Vec<String> = values
                .iter()
                .map(|v| escape_string(&escape_regex(v), quote))
                .collect();
            if escaped.len() == 1 {
                escaped[0].clone()
            } else {
                format!("({})", escaped.join("|"))
            }
        }
        Position::String {
            regex: false,
            quote,
        } => escape_string(&values.join("|"), quote),
        Position::RawString { regex: true } => {
            // RE2's \x60 stands for a backtick, which a raw string cannot contain.
            let escaped: Vec<String> = values
                .iter()
                .map(|v| escape_regex(v).replace('`', "\\x60"))
                .collect();
            if escaped.len() == 1 {
                escaped[0].clone()
            } else {
                format!("({})", escaped.join("|"))
            }
        }
        Position::RawString { regex: false } | Position::Code => values.join("|"),
    })
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Finds variable references (`${name}`, `${name:format}`, `$name`,
/// `[[name]]`) in a forward scan.
#[derive(Default)]
struct ReferenceScanner {
    // The scan only moves forward: once a closing `}` or `]]` was not found
    // from some index on, it cannot be found from any later one. Remembering
    // that keeps a text full of unclosed `${` or `[[` linear.
    no_brace_from: Option<usize>,
    no_brackets_from: Option<usize>,
}

/// The longest name (with its `:format`) a `${…}` or `[[…]]` reference has. A
/// longer span up to the closing mark is text: each position is then looked at
/// a bounded number of times, so `[[[[…]]` over a long text stays linear.
const MAX_REFERENCE_CHARS: usize = 256;

impl ReferenceScanner {
    /// The reference starting at `index`: its name and its length in chars.
    fn reference_at(&mut self, chars: &[char], index: usize) -> Option<(String, usize)> {
        let before = |limit: Option<usize>| limit.is_none_or(|limit| index + 2 < limit);
        // Where the closing mark is, looked for at most MAX_REFERENCE_CHARS
        // ahead; `Err(true)` when the text ends first (nothing closes from here on).
        let closing = |is_close: &dyn Fn(usize) -> bool, mark: usize| {
            let end = chars.len().saturating_sub(mark - 1);
            let window_end = (index + 2 + MAX_REFERENCE_CHARS + 1).min(end);
            (index + 2..window_end)
                .find(|&i| is_close(i))
                .ok_or(window_end == end)
        };
        match chars[index] {
            '$' if chars.get(index + 1) == Some(&'{') && before(self.no_brace_from) => {
                match closing(&|i| chars[i] == '}', 1) {
                    Ok(close) => {
                        let inner: String = chars[index + 2..close].iter().collect();
                        let name = inner.split(':').next().unwrap_or_default().to_string();
                        Some((name, close + 1 - index))
                    }
                    Err(text_ended) => {
                        if text_ended {
                            self.no_brace_from = Some(index + 2);
                        }
                        None
                    }
                }
            }
            '$' if chars.get(index + 1).copied().is_some_and(is_name_start) => {
                let length = chars[index + 1..]
                    .iter()
                    .take_while(|&&c| is_name_char(c))
                    .count();
                Some((
                    chars[index + 1..index + 1 + length].iter().collect(),
                    length + 1,
                ))
            }
            '[' if chars.get(index + 1) == Some(&'[') && before(self.no_brackets_from) => {
                match closing(&|i| chars[i] == ']' && chars[i + 1] == ']', 2) {
                    Ok(close) => {
                        Some((chars[index + 2..close].iter().collect(), close + 2 - index))
                    }
                    Err(text_ended) => {
                        if text_ended {
                            self.no_brackets_from = Some(index + 2);
                        }
                        None
                    }
                }
            }
            _ => None,
        }
    }
}

/// Longest text [`interpolate_text`] returns.
pub const MAX_INTERPOLATED_TEXT_CHARS: usize = 1000;

/// Replaces variables in a text shown to the viewer (a panel or row title),
/// as Grafana's `text` format does: a value as it is, several joined by
/// ` + `, "All" for all. Unknown names stay as written; the result is cut at
/// [`MAX_INTERPOLATED_TEXT_CHARS`] characters.
pub fn interpolate_text(text: &str, variables: &SortedMap<String, VariableValue>) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut scanner = ReferenceScanner::default();
    let mut index = 0;
    let mut written = 0;
    while index < chars.len() && written < MAX_INTERPOLATED_TEXT_CHARS {
        let value = scanner
            .reference_at(&chars, index)
            .and_then(|(name, length)| Some((variables.get(&name)?, length)));
        let piece = match value {
            Some((value, length)) => {
                index += length;
                match value {
                    VariableValue::Single(v) => v.clone(),
                    VariableValue::Multi(values) => values.join(" + "),
                    VariableValue::All { .. } => "All".to_string(),
                }
            }
            None => {
                index += 1;
                chars[index - 1].to_string()
            }
        };
        for c in piece.chars().take(MAX_INTERPOLATED_TEXT_CHARS - written) {
            out.push(c);
            written += 1;
        }
    }
    out
}

/// Replaces variables in `query`. Unknown names are left as written, so `$1` in
/// `label_replace` and a regex's `$` anchor survive untouched. Fails, naming
/// the variable, when a value cannot stand where it is used, or when the
/// result would be longer than [`MAX_QUERY_CHARS`].
pub fn interpolate(
    query: &str,
    variables: &SortedMap<String, VariableValue>,
    builtins: &BuiltinIntervals,
) -> Result<String, String> {
    let builtin = |name: &str| -> Option<String> {
        Some(match name {
            "__interval" => promql_duration(builtins.step_seconds),
            "__interval_ms" => format!("{}", (builtins.step_seconds * 1000.0).round() as i64),
            "__rate_interval" => promql_duration(builtins.rate_interval_seconds()),
            "__range" => promql_duration(builtins.range_seconds),
            "__range_s" => format!("{}", builtins.range_seconds.round() as i64),
            _ => return None,
        })
    };
    let chars: Vec<char> = query.chars().collect();
    let mut out = String::with_capacity(query.len());
    let mut position = Position::Code;
    let mut index = 0;
    let mut scanner = ReferenceScanner::default();
    while index < chars.len() {
        let c = chars[index];
        let reference = scanner.reference_at(&chars, index);
        if let Some((name, length)) = reference {
            let replacement = match builtin(&name) {
                Some(text) => Some(text),
                None => variables
                    .get(&name)
                    .map(|value| render(value, position))
                    .transpose()
                    .map_err(|problem| format!("variable ${name}: {problem}"))?,
            };
            if let Some(replacement) = replacement {
                out.push_str(&replacement);
                if out.len() > MAX_QUERY_CHARS {
                    return Err(format!(
                        "the query is longer than {MAX_QUERY_CHARS} characters once its variables are filled in"
                    ));
                }
                index += length;
                continue;
            }
        }
        // Track string literals and whether they are the operand of a regex matcher.
        match (position, c) {
            (Position::Code, '"' | '\'' | '`') => {
                let before: String = out.trim_end().chars().rev().take(2).collect();
                let regex = before == "~=" || before == "~!";
                position = if c == '`' {
                    Position::RawString { regex }
                } else {
                    Position::String { quote: c, regex }
                };
            }
            (Position::String { .. }, '\\') => {
                out.push(c);
                if let Some(&next) = chars.get(index + 1) {
                    out.push(next);
                }
                index += 2;
                continue;
            }
            (Position::String { quote, .. }, c) if c == quote => position = Position::Code,
            (Position::RawString { .. }, '`') => position = Position::Code,
            _ => {}
        }
        out.push(c);
        index += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, VariableValue)]) -> SortedMap<String, VariableValue> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    const BUILTINS: BuiltinIntervals = BuiltinIntervals {
        step_seconds: 20.0,
        range_seconds: 21_600.0,
        scrape_interval_seconds: 15.0,
    };

    #[test]
    fn titles_show_values_as_grafanas_text_format_does() {
        let v = vars(&[
            ("instance", VariableValue::Single("node-1:9100".into())),
            (
                "job",
                VariableValue::Multi(vec!["api".into(), "web".into()]),
            ),
            (
                "pool",
                VariableValue::All {
                    values: vec!["a".into()],
                    custom_all: Some(".*".into()),
                },
            ),
        ]);
        assert_eq!(
            interpolate_text("CPU $instance / ${job} [[pool]] $other ${unclosed", &v),
            "CPU node-1:9100 / api + web All $other ${unclosed"
        );
        // Long values are cut, and a text of unclosed references stays linear.
        let long = vars(&[("x", VariableValue::Single("y".repeat(5000)))]);
        assert_eq!(
            interpolate_text("$x$x", &long).chars().count(),
            MAX_INTERPOLATED_TEXT_CHARS
        );
        let hostile = "${[[".repeat(50_000);
        assert_eq!(
            interpolate_text(&hostile, &v).chars().count(),
            MAX_INTERPOLATED_TEXT_CHARS
        );
        // A span longer than any name up to its closing mark is text (so
        // `[[[[…]]` closed far away is read once, not once per `[[`).
        let far = format!("[[{}]] ${{{}}}", "p".repeat(300), "q".repeat(300));
        assert_eq!(interpolate_text(&far, &v), far);
        let near = format!("[[{}]]", "p".repeat(256));
        assert_eq!(
            interpolate_text(&near, &v),
            near,
            "unknown, so kept as written"
        );
        let mut with_long = v.clone();
        with_long.insert("p".repeat(256), VariableValue::Single("found".into()));
        assert_eq!(interpolate_text(&near, &with_long), "found");
    }

    #[test]
    fn substitutes_all_three_syntaxes() {
        let v = vars(&[("job", VariableValue::Single("api".into()))]);
        assert_eq!(
            interpolate(r#"up{job="$job"}"#, &v, &BUILTINS).unwrap(),
            r#"up{job="api"}"#
        );
        assert_eq!(
            interpolate(r#"up{job="${job}"}"#, &v, &BUILTINS).unwrap(),
            r#"up{job="api"}"#
        );
        assert_eq!(
            interpolate(r#"up{job="[[job]]"}"#, &v, &BUILTINS).unwrap(),
            r#"up{job="api"}"#
        );
        assert_eq!(
            interpolate(r#"up{job="${job:regex}x"}"#, &v, &BUILTINS).unwrap(),
            r#"up{job="apix"}"#
        );
    }

    #[test]
    fn regex_matchers_get_escaped_alternations() {
        let v = vars(&[(
            "path",
            VariableValue::Multi(vec!["/api/v1.0".into(), "a|b".into()]),
        )]);
        assert_eq!(
            interpolate(r#"x{path=~"$path"}"#, &v, &BUILTINS).unwrap(),
            r#"x{path=~"(/api/v1\\.0|a\\|b)"}"#
        );
        let single = vars(&[("path", VariableValue::Single("a.b".into()))]);
        assert_eq!(
            interpolate(r#"x{path!~"$path"}"#, &single, &BUILTINS).unwrap(),
            r#"x{path!~"a\\.b"}"#
        );
        assert_eq!(
            interpolate(r#"x{path=~'$path'}"#, &single, &BUILTINS).unwrap(),
            r#"x{path=~'a\\.b'}"#
        );
    }

    #[test]
    fn hostile_values_cannot_break_out_of_their_string() {
        let v = vars(&[(
            "job",
            VariableValue::Single("x\"} or vector(1) or up{a=\"".into()),
        )]);
        let query = interpolate(r#"up{job="$job"}"#, &v, &BUILTINS).unwrap();
        assert_eq!(query, r#"up{job="x\"} or vector(1) or up{a=\""}"#);
        let backslash = vars(&[("job", VariableValue::Single("a\\".into()))]);
        assert_eq!(
            interpolate(r#"up{job="$job"}"#, &backslash, &BUILTINS).unwrap(),
            r#"up{job="a\\"}"#
        );
    }

    #[test]
    fn all_uses_the_custom_value_or_every_value() {
        let custom = vars(&[(
            "job",
            VariableValue::All {
                values: vec!["a".into(), "b".into()],
                custom_all: Some(".*".into()),
            },
        )]);
        assert_eq!(
            interpolate(r#"up{job=~"$job"}"#, &custom, &BUILTINS).unwrap(),
            r#"up{job=~".*"}"#
        );
        let every = vars(&[(
            "job",
            VariableValue::All {
                values: vec!["a".into(), "b".into()],
                custom_all: None,
            },
        )]);
        assert_eq!(
            interpolate(r#"up{job=~"$job"}"#, &every, &BUILTINS).unwrap(),
            r#"up{job=~"(a|b)"}"#
        );
    }

    #[test]
    fn builtins_and_unknown_names() {
        let none = SortedMap::new();
        assert_eq!(
            interpolate("rate(x[$__rate_interval])", &none, &BUILTINS).unwrap(),
            "rate(x[60s])"
        );
        assert_eq!(
            interpolate("rate(x[$__interval])", &none, &BUILTINS).unwrap(),
            "rate(x[20s])"
        );
        assert_eq!(
            interpolate("increase(x[$__range])", &none, &BUILTINS).unwrap(),
            "increase(x[21600s])"
        );
        assert_eq!(
            interpolate("$__range_s $__interval_ms", &none, &BUILTINS).unwrap(),
            "21600 20000"
        );
        let wide = BuiltinIntervals {
            step_seconds: 300.0,
            ..BUILTINS
        };
        assert_eq!(
            interpolate("[$__rate_interval]", &none, &wide).unwrap(),
            "[315s]"
        );
        // Regex anchors, label_replace references and unknown names stay as written.
        let query = r#"label_replace(up{job=~"api$"}, "x", "$1", "job", "(.*)") + $unknown"#;
        assert_eq!(interpolate(query, &none, &BUILTINS).unwrap(), query);
        assert_eq!(promql_duration(0.5), "500ms");
    }

    #[test]
    fn code_positions_and_raw_strings_insert_as_written() {
        let v = vars(&[
            ("by", VariableValue::Single("instance".into())),
            ("re", VariableValue::Single("a.b".into())),
        ]);
        assert_eq!(
            interpolate("sum by ($by) (up)", &v, &BUILTINS).unwrap(),
            "sum by (instance) (up)"
        );
        assert_eq!(
            interpolate("x{a=~`$re`}", &v, &BUILTINS).unwrap(),
            "x{a=~`a\\.b`}"
        );
        assert_eq!(
            interpolate("x{a=`$re`}", &v, &BUILTINS).unwrap(),
            "x{a=`a.b`}"
        );
    }

    #[test]
    fn only_numbers_durations_and_names_stand_outside_strings() {
        let forged = "0.99,vector(0)) or label_replace(vector(42),\"a\",\"b\",\"c\",\"d\") or histogram_quantile(0.99";
        let v = vars(&[("quantile", VariableValue::Single(forged.into()))]);
        let error =
            interpolate("histogram_quantile($quantile, rate(x[5m]))", &v, &BUILTINS).unwrap_err();
        assert!(
            error.starts_with("variable $quantile: the value"),
            "{error}"
        );
        // The same value is harmless inside a string, where it is escaped.
        assert!(interpolate(r#"x{q="$quantile"}"#, &v, &BUILTINS).is_ok());
        for good in [
            "0.99",
            "1e3",
            "-2",
            ".5",
            "5m",
            "1h30m",
            "instance",
            "job:rate5m",
            "_x",
        ] {
            assert!(fits_code_position(good), "{good}");
        }
        for bad in [
            "",
            "1 or up",
            "up)",
            "a-b",
            "0.9)",
            "5m]",
            "x{a=\"b\"}",
            "1e",
            "--1",
            "é",
        ] {
            assert!(!fits_code_position(bad), "{bad}");
        }
    }

    #[test]
    fn a_backtick_cannot_end_a_raw_string_early() {
        let v = vars(&[(
            "v",
            VariableValue::Single("a` or vector(1) or x{b=`".into()),
        )]);
        assert!(interpolate("x{a=`$v`}", &v, &BUILTINS)
            .unwrap_err()
            .contains("backtick"));
        assert_eq!(
            interpolate("x{a=~`$v`}", &v, &BUILTINS).unwrap(),
            "x{a=~`a\\x60 or vector\\(1\\) or x\\{b=\\x60`}"
        );
    }

    #[test]
    fn unclosed_references_in_bulk_are_read_in_linear_time() {
        let v = vars(&[("a", VariableValue::Single("x".into()))]);
        for unit in ["${", "[[", "${a", "[[a]"] {
            let query = unit.repeat(1_000_000 / unit.len());
            assert_eq!(interpolate(&query, &v, &BUILTINS).unwrap(), query);
        }
        let huge = vars(&[("a", VariableValue::Single("y".repeat(40_000)))]);
        assert!(interpolate("$a $a", &huge, &BUILTINS)
            .unwrap_err()
            .contains("longer than"));
    }
}
