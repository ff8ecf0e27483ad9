//! Dashboard variables substituted into PromQL. Their values come from
//! outside (a link's `var-…`, Prometheus's label values), so a value must
//! never end the string literal it is put in. Input: the query, then after a
//! NUL one variable per line, `name=value` (one value), `name+a<TAB>b` (several),
//! `name*a<TAB>b` (All) or `name!custom<TAB>a<TAB>b` (All with a custom value).
#![no_main]

use foresight_core::foundation::ordered::SortedMap;
use foresight_core::query::template_variables::{interpolate, BuiltinIntervals, VariableValue};
use foresight_fuzz::{split_field, text};
use libfuzzer_sys::fuzz_target;

const BUILTINS: [BuiltinIntervals; 2] = [
    BuiltinIntervals {
        step_seconds: 20.0,
        range_seconds: 21_600.0,
        scrape_interval_seconds: 15.0,
    },
    // A datasource or a dashboard can make these odd too.
    BuiltinIntervals {
        step_seconds: f64::NAN,
        range_seconds: 1e300,
        scrape_interval_seconds: -0.001,
    },
];

fn variable(line: &str) -> Option<(String, VariableValue)> {
    let split = line.find(['=', '+', '*', '!'])?;
    let (name, kind, text) = (&line[..split], line.as_bytes()[split], &line[split + 1..]);
    let list = |text: &str| text.split('\t').map(str::to_string).collect::<Vec<_>>();
    let value = match kind {
        b'=' => VariableValue::Single(text.to_string()),
        b'+' => VariableValue::Multi(list(text)),
        b'*' => VariableValue::All {
            values: list(text),
            custom_all: None,
        },
        _ => {
            let (custom, values) = text.split_once('\t').unwrap_or((text, ""));
            VariableValue::All {
                values: list(values),
                custom_all: Some(custom.to_string()),
            }
        }
    };
    Some((name.to_string(), value))
}

/// Byte offset of the quote that ends the PromQL string literal opening at
/// `open`: a backslash escapes the next character in '…' and "…"; `…` has no
/// escapes. `None` if it never ends or holds a line break where PromQL refuses one.
fn literal_end(query: &str, open: usize) -> Option<usize> {
    let quote = query[open..].chars().next()?;
    let body = open + quote.len_utf8();
    let mut chars = query[body..].char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' if quote != '`' => {
                chars.next();
            }
            '\n' if quote != '`' => return None,
            c if c == quote => return Some(body + at),
            _ => {}
        }
    }
    None
}

/// Matchers whose string a value is put in, as (before, after) the reference.
const STRING_POSITIONS: [(&str, &str); 6] = [
    ("x{a=\"", "\"}"),
    ("x{a=~\"", "\"}"),
    ("x{a!~'", "'}"),
    ("x{a='", "'}"),
    ("x{a=~`", "`}"),
    ("x{a=`", "`}"),
];

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    let (query, lines) = split_field(&text);
    let variables: Vec<(String, VariableValue)> = lines.lines().filter_map(variable).collect();
    let by_name: SortedMap<String, VariableValue> = variables.iter().cloned().collect();
    for builtins in &BUILTINS {
        let _ = interpolate(query, &by_name, builtins);
    }

    // Each value, put in each kind of string literal, stays inside it. A
    // custom "All" value is the dashboard author's own regex, inserted as written.
    for (_, value) in variables.iter().take(4) {
        if matches!(
            value,
            VariableValue::All {
                custom_all: Some(_),
                ..
            }
        ) {
            continue;
        }
        let only: SortedMap<String, VariableValue> = [("v".to_string(), value.clone())].into();
        for (before, after) in STRING_POSITIONS {
            let query = format!("{before}$v{after}");
            let Ok(filled) = interpolate(&query, &only, &BUILTINS[0]) else {
                continue;
            };
            let open = before.len() - 1;
            assert!(
                filled.starts_with(before)
                    && filled.ends_with(after)
                    && literal_end(&filled, open) == Some(filled.len() - after.len()),
                "{value:?} breaks out of its string: {query} became {filled}"
            );
        }
    }
});
