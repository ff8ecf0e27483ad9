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
    Args(Rc<Vec<Value>>),
    /// The data root, `.` at the start and `$`.
    Root,
    /// `toTime`'s `*time.Time`, in milliseconds since the epoch (Prometheus
    /// keeps milliseconds).
    Time(i64),
    Sample(Rc<Sample>),
    /// A `query` answer (`template.queryResult`).
    Vector(Rc<Vec<Rc<Sample>>>),
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
            Value::Args(values) => {
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

    /// Go's truth: false, 0, "", nil and empty collections are false.
    pub fn truth(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(n) => *n != 0,
            Value::Float(f) => *f != 0.0,
            Value::Text(t) | Value::Html(t) => !t.is_empty(),
            Value::Labels(l) => !l.is_empty(),
            Value::Args(a) => !a.is_empty(),
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
                let text = printed.insert(other.print(root));
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
    let mut keys: Vec<String> = (0..count).map(|i| i.to_string()).collect();
    keys.sort();
    keys.iter().filter_map(|k| k.parse().ok()).collect()
}

/// A `map[string]string` as Go's `fmt` prints it: keys in order.
pub(crate) fn go_map(labels: &Labels) -> String {
    let pairs: Vec<String> = labels
        .iter()
        .map(|(name, value)| format!("{name}:{value}"))
        .collect();
    format!("map[{}]", pairs.join(" "))
}
