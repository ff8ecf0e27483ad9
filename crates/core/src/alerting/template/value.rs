//! The values a template works with, typed as Go sees them in Prometheus's
//! templates, and printed as Go's `fmt` prints them.

use std::rc::Rc;

use super::functions::go_time_text;
use crate::alerting::go_fmt::{format_go_float, GoValue};
use crate::query::series::Labels;

/// One sample of a `query` answer (`*template.sample` in Prometheus).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sample {
    pub labels: Labels,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// An empty interface: a missing `args` entry, `nil`.
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(Rc<str>),
    /// `safeHtml`'s result: printed as text, a type of its own.
    Html(Rc<str>),
    /// `map[string]string`: `$labels`, `$externalLabels`.
    Labels(Rc<Labels>),
    /// `args`'s `map[string]interface{}`: `arg0`, `arg1`, …
    Args(Rc<Args>),
    /// The data root, `.` at the start and `$`.
    Root,
    /// `toTime`'s `*time.Time`, in milliseconds since the epoch (Prometheus
    /// keeps milliseconds).
    Time(i64),
    Sample(Rc<Sample>),
    /// A `query` answer (`template.queryResult`).
    Vector(Rc<Vec<Rc<Sample>>>),
}

/// `args`'s map, with what printing it takes and how deep maps nest in it
/// (kept as it is made: a map of itself twice, twenty times over, would
/// otherwise take 2^20 to print or even to weigh).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Args {
    pub values: Vec<Value>,
    pub weight: usize,
    pub depth: usize,
}

/// How deep `args` maps may nest (freeing or printing them recurses).
pub(crate) const MAX_ARGS_DEPTH: usize = 8;

impl Args {
    pub fn new(values: Vec<Value>) -> Result<Self, String> {
        let depth = 1 + values
            .iter()
            .map(|v| match v {
                Value::Args(inner) => inner.depth,
                _ => 0,
            })
            .max()
            .unwrap_or(0);
        if depth > MAX_ARGS_DEPTH {
            return Err("args: maps nested more than 8 deep".into());
        }
        let weight = values
            .iter()
            .fold(2, |sum: usize, v| sum.saturating_add(v.weight() + 8));
        Ok(Self {
            values,
            weight,
            depth,
        })
    }
}

/// The few properties of the data root a value needs to print it.
pub(crate) struct Root<'a> {
    pub labels: &'a Labels,
    pub external_labels: &'a Labels,
    pub external_url: &'a str,
    pub value: f64,
}

impl Value {
    /// One conversion for every caller (a generic one is copied per type).
    pub fn text(text: &str) -> Self {
        Value::Text(Rc::from(text))
    }

    pub fn owned(text: String) -> Self {
        Value::Text(Rc::from(text))
    }

    /// Go's `%T`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float64",
            Value::Text(_) => "string",
            Value::Html(_) => "template.HTML",
            Value::Labels(_) => "map[string]string",
            Value::Args(_) => "map[string]interface {}",
            Value::Root => "struct",
            Value::Time(_) => "*time.Time",
            Value::Sample(_) => "*template.sample",
            Value::Vector(_) => "template.queryResult",
        }
    }

    /// Go's `fmt.Sprint` of the value (`%v`).
    pub fn print(&self, root: &Root) -> String {
        match self {
            Value::Nil => "<nil>".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(n) => n.to_string(),
            Value::Float(f) => format_go_float(*f),
            Value::Text(t) | Value::Html(t) => t.to_string(),
            Value::Labels(labels) => go_map(labels),
            Value::Args(args) => {
                let values = &args.values;
                let pairs: Vec<String> = args_in_key_order(values.len())
                    .into_iter()
                    .map(|i| format!("arg{i}:{}", values[i].print(root)))
                    .collect();
                format!("map[{}]", pairs.join(" "))
            }
            Value::Root => format!(
                "{{{} {} {} {}}}",
                go_map(root.labels),
                go_map(root.external_labels),
                root.external_url,
                format_go_float(root.value)
            ),
            Value::Time(ms) => go_time_text(*ms),
            Value::Sample(s) => format!("{{{} {}}}", go_map(&s.labels), format_go_float(s.value)),
            // Prometheus prints the samples' addresses here; their contents
            // say more.
            Value::Vector(samples) => {
                let items: Vec<String> = samples
                    .iter()
                    .map(|s| Value::Sample(s.clone()).print(root))
                    .collect();
                format!("[{}]", items.join(" "))
            }
        }
    }

    /// About the bytes printing the value takes (counted before printing).
    pub fn weight(&self) -> usize {
        let labels = labels_weight;
        match self {
            Value::Text(t) | Value::Html(t) => t.len(),
            Value::Labels(l) => labels(l),
            Value::Args(a) => a.weight,
            Value::Sample(s) => labels(&s.labels).saturating_add(24),
            Value::Vector(v) => vector_weight(v.iter().map(|s| &s.labels)),
            Value::Root => 64,
            Value::Time(_) => 32,
            Value::Nil | Value::Bool(_) | Value::Int(_) | Value::Float(_) => 24,
        }
    }

    /// Go's truth: false, 0, "", nil and empty collections are false.
    pub fn truth(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(n) => *n != 0,
            Value::Float(f) => *f != 0.0,
            Value::Text(t) | Value::Html(t) => !t.is_empty(),
            Value::Labels(l) => !l.is_empty(),
            Value::Args(a) => !a.values.is_empty(),
            Value::Vector(v) => !v.is_empty(),
            Value::Root | Value::Time(_) | Value::Sample(_) => true,
        }
    }

    /// The value as `fmt` receives it.
    pub fn as_go<'a>(&'a self, root: &Root, printed: &'a mut Option<String>) -> GoValue<'a> {
        match self {
            Value::Nil => GoValue::Nil,
            Value::Bool(b) => GoValue::Bool(*b),
            Value::Int(n) => GoValue::Int(*n),
            Value::Float(f) => GoValue::Float(*f),
            Value::Text(t) => GoValue::Text(t),
            other => {
                let mut text = other.print(root);
                // `fmt` marks a pointer to a struct (a query's sample) with `&`.
                if matches!(other, Value::Sample(_)) {
                    text.insert(0, '&');
                }
                let text = printed.insert(text);
                GoValue::Other {
                    type_name: other.type_name(),
                    text,
                    is_string: matches!(other, Value::Html(_)),
                }
            }
        }
    }
}

/// The indexes of `args`'s entries in the order Go prints and ranges over
/// them: by key, so `arg10` comes before `arg2`.
pub(crate) fn args_in_key_order(count: usize) -> Vec<usize> {
    // The numbers in the order of their decimal text: a walk of the digit tree.
    fn visit(number: usize, count: usize, out: &mut Vec<usize>) {
        if number < count {
            out.push(number);
            for digit in 0..10 {
                visit(number * 10 + digit, count, out);
            }
        }
    }
    let mut out = Vec::with_capacity(count);
    if count > 0 {
        out.push(0);
    }
    for first in 1..10 {
        visit(first, count, &mut out);
    }
    out
}

/// A `map[string]string` as Go's `fmt` prints it: keys in order.
pub(crate) fn go_map(labels: &Labels) -> String {
    let pairs: Vec<String> = labels
        .iter()
        .map(|(name, value)| format!("{name}:{value}"))
        .collect();
    format!("map[{}]", pairs.join(" "))
}

/// What a label set weighs in the budget of text made.
fn labels_weight(labels: &Labels) -> usize {
    labels.iter().fold(5, |sum: usize, (k, v)| {
        sum.saturating_add(k.len() + v.len() + 2)
    })
}

/// What a vector of samples with these label sets weighs (a query's answer
/// is weighed once, when it arrives, and charged before it is copied).
pub(crate) fn vector_weight<'a>(labels: impl Iterator<Item = &'a Labels>) -> usize {
    labels.fold(2, |sum: usize, l| sum.saturating_add(labels_weight(l) + 24))
}

#[cfg(test)]
mod tests {
    #[test]
    fn args_are_in_the_order_of_their_keys() {
        for count in [0, 1, 2, 10, 11, 25, 101, 1234] {
            let mut keys: Vec<String> = (0..count).map(|i| format!("arg{i}")).collect();
            keys.sort();
            let order: Vec<String> = super::args_in_key_order(count)
                .into_iter()
                .map(|i| format!("arg{i}"))
                .collect();
            assert_eq!(order, keys, "{count}");
        }
    }
}
