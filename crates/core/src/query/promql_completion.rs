//! What the query editor can complete at the cursor: a metric or function
//! name, a label name inside `{…}`, or a label value after `label="`. The
//! editor asks Prometheus for the candidates (scoped by the selector being
//! typed) and offers each as the whole query with the completion inserted.

/// PromQL's functions and aggregation operators that the supported Prometheus
/// (2.x) runs without feature flags, each with its opening parenthesis:
/// completed beside the metric names (an end-to-end test asks the real
/// Prometheus for each).
pub const PROMQL_FUNCTIONS: [&str; 81] = [
    "abs(",
    "absent(",
    "absent_over_time(",
    "acos(",
    "acosh(",
    "asin(",
    "asinh(",
    "atan(",
    "atanh(",
    "avg(",
    "avg_over_time(",
    "bottomk(",
    "ceil(",
    "changes(",
    "clamp(",
    "clamp_max(",
    "clamp_min(",
    "cos(",
    "cosh(",
    "count(",
    "count_over_time(",
    "count_values(",
    "day_of_month(",
    "day_of_week(",
    "day_of_year(",
    "days_in_month(",
    "deg(",
    "delta(",
    "deriv(",
    "exp(",
    "floor(",
    "group(",
    "histogram_count(",
    "histogram_fraction(",
    "histogram_quantile(",
    "histogram_sum(",
    "hour(",
    "idelta(",
    "increase(",
    "irate(",
    "label_join(",
    "label_replace(",
    "last_over_time(",
    "ln(",
    "log10(",
    "log2(",
    "max(",
    "max_over_time(",
    "min(",
    "min_over_time(",
    "minute(",
    "month(",
    "pi(",
    "predict_linear(",
    "present_over_time(",
    "quantile(",
    "quantile_over_time(",
    "rad(",
    "rate(",
    "resets(",
    "round(",
    "scalar(",
    "sgn(",
    "sin(",
    "sinh(",
    "sort(",
    "sort_desc(",
    "sqrt(",
    "stddev(",
    "stddev_over_time(",
    "stdvar(",
    "stdvar_over_time(",
    "sum(",
    "sum_over_time(",
    "tan(",
    "tanh(",
    "time(",
    "timestamp(",
    "topk(",
    "vector(",
    "year(",
];

/// The byte offset in `text` of a cursor the browser gives in UTF-16 code
/// units (`selectionStart`), clamped to the text; the completion works in bytes.
pub fn byte_offset_of_utf16(text: &str, utf16_units: usize) -> usize {
    let mut units = 0;
    for (offset, c) in text.char_indices() {
        units += c.len_utf16();
        // A cursor inside a surrogate pair stays before the character.
        if units > utf16_units {
            return offset;
        }
    }
    text.len()
}

/// What is being typed at the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompletionContext {
    /// A metric or function name starting with `prefix`.
    Name { prefix: String },
    /// A label name inside the braces of `selector` (e.g. `up{job="x"}` so far).
    LabelName { selector: String, prefix: String },
    /// A value of `label` inside the braces of `selector`.
    LabelValue {
        selector: String,
        label: String,
        prefix: String,
    },
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

/// The name characters at the end of `text`: what is being typed when the
/// cursor is at its end.
fn name_at_end(text: &str) -> &str {
    &text[text.trim_end_matches(is_name_char).len()..]
}

/// The context at byte offset `cursor` of `query` (clamped to the text).
pub fn completion_context(query: &str, cursor: usize) -> CompletionContext {
    let mut cursor = cursor.min(query.len());
    while !query.is_char_boundary(cursor) {
        cursor -= 1;
    }
    let before = &query[..cursor];
    // Inside braces? Find the last unclosed `{` (ignoring braces inside strings).
    let mut open_brace = None;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in before.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '{' if !in_string => open_brace = Some(i),
            '}' if !in_string => open_brace = None,
            _ => {}
        }
    }
    if let Some(brace) = open_brace {
        let metric = name_at_end(&before[..brace]);
        let inside = &before[brace + 1..];
        // The matchers before the one being typed scope the candidates.
        let last_comma = {
            let mut quote = false;
            let mut at = None;
            for (i, c) in inside.char_indices() {
                match c {
                    '"' => quote = !quote,
                    ',' if !quote => at = Some(i),
                    _ => {}
                }
            }
            at
        };
        let (done, current) = match last_comma {
            Some(i) => (&inside[..i], inside[i + 1..].trim_start()),
            None => ("", inside.trim_start()),
        };
        let selector = format!("{metric}{{{done}}}");
        if in_string {
            if let Some((label, value)) = current.split_once('"') {
                let label = label.trim_end_matches(['=', '!', '~']).trim().to_string();
                return CompletionContext::LabelValue {
                    selector,
                    label,
                    prefix: value.to_string(),
                };
            }
        }
        // What ends at the cursor: `apply_completion` replaces exactly that.
        return CompletionContext::LabelName {
            selector,
            prefix: name_at_end(current).to_string(),
        };
    }
    CompletionContext::Name {
        prefix: name_at_end(before).to_string(),
    }
}

/// The whole query with `candidate` completing what is typed at `cursor`
/// (label values are closed with a quote).
pub fn apply_completion(query: &str, cursor: usize, candidate: &str) -> String {
    let mut cursor = cursor.min(query.len());
    while !query.is_char_boundary(cursor) {
        cursor -= 1;
    }
    let context = completion_context(query, cursor);
    let typed = match &context {
        CompletionContext::Name { prefix }
        | CompletionContext::LabelName { prefix, .. }
        | CompletionContext::LabelValue { prefix, .. } => prefix.len(),
    };
    let start = cursor - typed;
    let inserted = match context {
        CompletionContext::LabelValue { .. } => {
            format!("{}\"", candidate.replace('\\', "\\\\").replace('"', "\\\""))
        }
        _ => candidate.to_string(),
    };
    format!("{}{inserted}{}", &query[..start], &query[cursor..])
}

/// Candidates starting with `prefix` (all when it is empty), at most `limit`.
pub fn matching<'a>(candidates: &'a [String], prefix: &str, limit: usize) -> Vec<&'a str> {
    candidates
        .iter()
        .filter(|c| c.starts_with(prefix))
        .take(limit)
        .map(String::as_str)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_labels_and_values_are_recognised() {
        assert_eq!(
            completion_context("sum(rate(http_req", 17),
            CompletionContext::Name {
                prefix: "http_req".into()
            }
        );
        assert_eq!(
            completion_context("up{jo", 5),
            CompletionContext::LabelName {
                selector: "up{}".into(),
                prefix: "jo".into()
            }
        );
        assert_eq!(
            completion_context(r#"up{job="prom", inst"#, 19),
            CompletionContext::LabelName {
                selector: r#"up{job="prom"}"#.into(),
                prefix: "inst".into()
            }
        );
        assert_eq!(
            completion_context(
                r#"rate(http_requests_total{job="sample", status_code=~"5"#,
                54
            ),
            CompletionContext::LabelValue {
                selector: r#"http_requests_total{job="sample"}"#.into(),
                label: "status_code".into(),
                prefix: "5".into()
            }
        );
        // A brace inside a string does not open a selector; a closed one ends it.
        assert_eq!(
            completion_context(r#"up{job="a{b"} + no"#, 18),
            CompletionContext::Name {
                prefix: "no".into()
            }
        );
    }

    #[test]
    fn completions_replace_what_is_typed() {
        assert_eq!(
            apply_completion("sum(rate(http_req", 17, "http_requests_total"),
            "sum(rate(http_requests_total"
        );
        assert_eq!(apply_completion("up{jo}", 5, "job"), "up{job}");
        assert_eq!(
            apply_completion(r#"up{job="sam"#, 11, r#"sample "x""#),
            r#"up{job="sample \"x\"""#
        );
        assert_eq!(
            apply_completion("é", 1, "x"),
            "xé",
            "never splits a character"
        );
        let names = vec!["up".to_string(), "upstream".to_string(), "down".to_string()];
        assert_eq!(matching(&names, "up", 10), ["up", "upstream"]);
        assert_eq!(matching(&names, "", 2), ["up", "upstream"]);
    }

    #[test]
    fn a_label_name_completion_replaces_only_what_precedes_the_cursor() {
        // Found by fuzzing: the prefix was read from the start of the matcher,
        // so replacing it cut into the character before the cursor.
        let query = "up{rat\u{e9}";
        assert_eq!(
            completion_context(query, query.len()),
            CompletionContext::LabelName {
                selector: "up{}".into(),
                prefix: String::new()
            }
        );
        assert_eq!(
            apply_completion(query, query.len(), "job"),
            "up{rat\u{e9}job"
        );
        assert_eq!(apply_completion("up{a b", 6, "job"), "up{a job");
        assert_eq!(
            apply_completion(r#"up{job="x" inst"#, 15, "instance"),
            r#"up{job="x" instance"#
        );
    }

    #[test]
    fn a_browser_cursor_becomes_a_byte_offset() {
        assert_eq!(byte_offset_of_utf16("rate(x", 5), 5);
        // é is one UTF-16 unit and two bytes; 😀 is two units and four bytes.
        assert_eq!(byte_offset_of_utf16("é{a}", 2), 3);
        assert_eq!(byte_offset_of_utf16("😀up", 2), 4);
        assert_eq!(byte_offset_of_utf16("😀up", 3), 5);
        assert_eq!(byte_offset_of_utf16("😀up", 1), 0);
        assert_eq!(byte_offset_of_utf16("up", 99), 2);
        assert_eq!(byte_offset_of_utf16("", 0), 0);
    }
}
