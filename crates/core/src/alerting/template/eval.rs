//! Runs a parsed template as Go's `text/template` runs it under Prometheus
//! (`missingkey=zero`), within bounds: output size, steps and queries.

use std::rc::Rc;

use super::functions::{self as f, bounded};
use super::syntax::{Branch, Command, Func, Node, Number, Operand, Pipeline};
use super::value::{Root, Sample, Value};
use super::TemplateData;
use crate::alerting::go_fmt::{self, GoValue};
use crate::foundation::float_text::parse_f64;
use crate::foundation::limits::{
    MAX_EVALUATION_REGEX_BYTES, MAX_EVALUATION_TEMPLATE_STEPS, MAX_EVALUATION_TEMPLATE_WORK_BYTES,
    MAX_TEMPLATE_QUERIES, MAX_TEMPLATE_REGEX_BYTES, MAX_TEMPLATE_STEPS, MAX_TEMPLATE_WORK_BYTES,
};
use crate::query::series::Labels;

/// Why a rendering stopped early.
pub(crate) enum Stop {
    Error(String),
    /// A `query` whose answer is not in [`TemplateData::query_answers`] yet.
    Query(String),
    Break,
    Continue,
}

impl From<String> for Stop {
    fn from(message: String) -> Self {
        Stop::Error(message)
    }
}

impl From<&str> for Stop {
    fn from(message: &str) -> Self {
        Stop::Error(message.to_string())
    }
}

type Outcome<T> = Result<T, Stop>;

// The messages below name these caps as written (a `format!` per message
// costs the page more than the text); a change of cap must change them.
const _: () = assert!(
    MAX_TEMPLATE_STEPS == 100_000
        && MAX_TEMPLATE_WORK_BYTES == 1024 * 1024
        && MAX_TEMPLATE_QUERIES == 8
        && MAX_TEMPLATE_REGEX_BYTES == 256 * 1024
        && crate::foundation::limits::MAX_TEMPLATE_OUTPUT_BYTES == 16 * 1024
        && MAX_EVALUATION_TEMPLATE_STEPS == 1_000_000
        && MAX_EVALUATION_TEMPLATE_WORK_BYTES == 8 * 1024 * 1024
        && MAX_EVALUATION_REGEX_BYTES == 256 * 1024
);

/// Adds `amount` to a count shared by an evaluation's renderings; whether it
/// is still within `cap`.
fn charge(shared: &std::cell::Cell<usize>, amount: usize, cap: usize) -> bool {
    let total = shared.get().saturating_add(amount);
    shared.set(total);
    total <= cap
}

pub(crate) struct State<'a> {
    data: &'a TemplateData,
    /// `$labels` and `$externalLabels`, shared rather than copied at each use.
    labels: Rc<Labels>,
    external_labels: Rc<Labels>,
    variables: Vec<(String, Value)>,
    steps: usize,
    /// Bytes of text made on the way (function results, loop items).
    work: usize,
    queries: usize,
    /// Bytes of pattern and text read by `match` and `reReplaceAll`.
    regex_bytes: usize,
    /// Answers already made into samples, by query: a loop that asks again
    /// shares them instead of copying every label each time.
    answers: Vec<(String, Rc<Vec<Rc<Sample>>>)>,
    pub out: String,
}

impl<'a> State<'a> {
    pub fn new(data: &'a TemplateData) -> Self {
        let labels = Rc::new(data.labels.clone());
        let external_labels = Rc::new(data.external_labels.clone());
        let variables = vec![
            ("$".to_string(), Value::Root),
            ("$labels".to_string(), Value::Labels(labels.clone())),
            (
                "$externalLabels".to_string(),
                Value::Labels(external_labels.clone()),
            ),
            (
                "$externalURL".to_string(),
                Value::text(data.external_url.as_str()),
            ),
            ("$value".to_string(), Value::Float(data.value)),
        ];
        Self {
            data,
            labels,
            external_labels,
            variables,
            steps: 0,
            work: 0,
            answers: Vec::new(),
            queries: 0,
            regex_bytes: 0,
            out: String::new(),
        }
    }

    fn root(&self) -> Root<'a> {
        Root {
            labels: &self.data.labels,
            external_labels: &self.data.external_labels,
            external_url: &self.data.external_url,
            value: self.data.value,
        }
    }

    fn step(&mut self) -> Outcome<()> {
        self.steps += 1;
        if self.steps > MAX_TEMPLATE_STEPS {
            return Err("the template takes more than 100,000 steps".into());
        }
        if !charge(&self.data.spent.steps, 1, MAX_EVALUATION_TEMPLATE_STEPS) {
            return Err(
                "the rule's templates take more than 1,000,000 steps in one evaluation".into(),
            );
        }
        Ok(())
    }

    /// Counts text made on the way: within the step cap, a loop copying
    /// 16 KiB at every step would still take seconds.
    fn spend(&mut self, bytes: usize) -> Outcome<()> {
        self.work += bytes;
        if self.work > MAX_TEMPLATE_WORK_BYTES {
            return Err("the template makes more than 1 MiB of text on the way".into());
        }
        if !charge(
            &self.data.spent.work,
            bytes,
            MAX_EVALUATION_TEMPLATE_WORK_BYTES,
        ) {
            return Err(
                "the rule's templates make more than 8 MiB of text on the way in one evaluation"
                    .into(),
            );
        }
        Ok(())
    }

    fn write(&mut self, text: &str) -> Outcome<()> {
        self.out.push_str(text);
        if self.out.len() > crate::foundation::limits::MAX_TEMPLATE_OUTPUT_BYTES {
            bounded(std::mem::take(&mut self.out))?;
        }
        Ok(())
    }

    pub fn walk(&mut self, nodes: &[Node], dot: &Value) -> Outcome<()> {
        for node in nodes {
            self.step()?;
            match node {
                Node::Text(text) => self.write(text)?,
                Node::Action(pipeline) => {
                    let value = self.pipeline(dot, pipeline)?;
                    if pipeline.variables.is_empty() {
                        if !matches!(value, Value::Text(_) | Value::Html(_)) {
                            self.spend(value.weight())?;
                        }
                        let text = match value {
                            Value::Nil => "<no value>".to_string(),
                            other => other.print(&self.root()),
                        };
                        self.write(&text)?;
                    }
                }
                Node::If(chain) => {
                    let mark = self.variables.len();
                    let mut result = Ok(());
                    let mut taken = false;
                    for (pipeline, then) in &chain.arms {
                        // An empty interface is false, as in Go.
                        match self.pipeline(dot, pipeline) {
                            Ok(value) if value.truth() => {
                                result = self.walk(then, dot);
                                taken = true;
                            }
                            Ok(_) => continue,
                            Err(stop) => result = Err(stop),
                        }
                        break;
                    }
                    if !taken && result.is_ok() {
                        result = self.walk(&chain.otherwise, dot);
                    }
                    self.variables.truncate(mark);
                    result?;
                }
                Node::With(branch) => {
                    let mark = self.variables.len();
                    let value = self.pipeline(dot, &branch.pipeline)?;
                    let result = if value.truth() {
                        self.walk(&branch.then, &value)
                    } else {
                        self.walk(&branch.otherwise, dot)
                    };
                    self.variables.truncate(mark);
                    result?;
                }
                Node::Range(branch) => self.range(branch, dot)?,
                Node::Break => return Err(Stop::Break),
                Node::Continue => return Err(Stop::Continue),
            }
        }
        Ok(())
    }

    fn range(&mut self, branch: &Branch, dot: &Value) -> Outcome<()> {
        let mark = self.variables.len();
        let value = self.pipeline(dot, &branch.pipeline)?;
        let items: Vec<(Value, Value)> = match &value {
            Value::Nil => Vec::new(),
            Value::Labels(labels) => labels
                .iter()
                .map(|(k, v)| (Value::text(k.as_str()), Value::text(v.as_str())))
                .collect(),
            Value::Args(args) => super::value::args_in_key_order(args.values.len())
                .into_iter()
                .map(|i| (Value::owned(format!("arg{i}")), args.values[i].clone()))
                .collect(),
            Value::Vector(samples) => samples
                .iter()
                .enumerate()
                .map(|(i, s)| (Value::Int(i as i64), Value::Sample(s.clone())))
                .collect(),
            other => {
                return Err(Stop::Error(format!(
                    "range can't iterate over a {}",
                    other.type_name()
                )))
            }
        };
        let made: usize = items.iter().map(|(k, v)| k.weight() + v.weight()).sum();
        self.spend(made)?;
        let declared = &branch.pipeline.variables;
        let result = if items.is_empty() {
            self.walk(&branch.otherwise, dot)
        } else {
            let mut result = Ok(());
            for (key, element) in items {
                self.step()?;
                match declared.as_slice() {
                    [] => {}
                    [one] => self.set(one, element.clone())?,
                    [first, second, ..] => {
                        self.set(first, key)?;
                        self.set(second, element.clone())?;
                    }
                }
                let inner = self.variables.len();
                let outcome = self.walk(&branch.then, &element);
                self.variables.truncate(inner);
                match outcome {
                    Ok(()) | Err(Stop::Continue) => {}
                    Err(Stop::Break) => break,
                    Err(other) => {
                        result = Err(other);
                        break;
                    }
                }
            }
            result
        };
        self.variables.truncate(mark);
        result
    }

    /// Sets the innermost variable of that name.
    fn set(&mut self, name: &str, value: Value) -> Outcome<()> {
        match self.variables.iter_mut().rev().find(|(n, _)| n == name) {
            Some(slot) => {
                slot.1 = value;
                Ok(())
            }
            None => Err(Stop::Error(format!("undefined variable: {name}"))),
        }
    }

    fn variable(&mut self, name: &str) -> Outcome<Value> {
        let found = self
            .variables
            .iter()
            .rev()
            .position(|(n, _)| n == name)
            .ok_or_else(|| Stop::Error(format!("undefined variable: {name}")))?;
        // A lookup past thousands of variables costs steps in proportion.
        self.steps += found / 32;
        Ok(self.variables[self.variables.len() - 1 - found].1.clone())
    }

    fn pipeline(&mut self, dot: &Value, pipeline: &Pipeline) -> Outcome<Value> {
        let mut value: Option<Value> = None;
        for command in &pipeline.commands {
            value = Some(self.command(dot, command, value)?);
        }
        let value = value.unwrap_or(Value::Nil);
        for name in &pipeline.variables {
            if pipeline.assigns {
                self.set(name, value.clone())?;
            } else {
                self.variables.push((name.clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn command(&mut self, dot: &Value, command: &Command, last: Option<Value>) -> Outcome<Value> {
        self.step()?;
        let (first, arguments) = command
            .operands
            .split_first()
            .ok_or("missing value for command")?;
        let takes_arguments = !arguments.is_empty() || last.is_some();
        if let Operand::Function(name) = first {
            return self.call(*name, dot, arguments, last);
        }
        if let Operand::Field(fields) = first {
            return self.fields(dot.clone(), fields, takes_arguments);
        }
        if takes_arguments {
            return Err("can't give arguments to something that is not a function".into());
        }
        match first {
            Operand::Nil => Err("nil is not a command".into()),
            other => self.argument(dot, other),
        }
    }

    /// An operand's value where it is an argument (a function named alone is called).
    fn argument(&mut self, dot: &Value, operand: &Operand) -> Outcome<Value> {
        // Each operand is a step: one command may have thousands.
        self.step()?;
        Ok(match operand {
            Operand::Function(name) => self.call(*name, dot, &[], None)?,
            Operand::Dot => dot.clone(),
            Operand::Nil => Value::Nil,
            Operand::Bool(b) => Value::Bool(*b),
            Operand::Number(Number::Int(n)) => Value::Int(*n),
            Operand::Number(Number::Float(x)) => Value::Float(*x),
            Operand::Number(Number::Overflow) => return Err("a number overflows int".into()),
            Operand::Text(text) => Value::text(text.as_str()),
            Operand::Variable(name, fields) => {
                let value = self.variable(name)?;
                self.fields(value, fields, false)?
            }
            Operand::Field(fields) => self.fields(dot.clone(), fields, false)?,
            Operand::Pipeline(pipeline, fields) => {
                let value = self.pipeline(dot, pipeline)?;
                self.fields(value, fields, false)?
            }
        })
    }

    fn fields(
        &mut self,
        mut value: Value,
        fields: &[String],
        takes_arguments: bool,
    ) -> Outcome<Value> {
        for name in fields {
            value = self.field(&value, name)?;
        }
        if takes_arguments {
            if let Some(name) = fields.last() {
                return Err(Stop::Error(format!(
                    "{name} is not a method but has arguments"
                )));
            }
        }
        Ok(value)
    }

    fn field(&self, receiver: &Value, name: &str) -> Outcome<Value> {
        let data = self.data;
        Ok(match receiver {
            Value::Root => match name {
                "Labels" => Value::Labels(self.labels.clone()),
                "ExternalLabels" => Value::Labels(self.external_labels.clone()),
                "ExternalURL" => Value::text(data.external_url.as_str()),
                "Value" => Value::Float(data.value),
                _ => return Err(cannot_evaluate(name, receiver)),
            },
            Value::Labels(labels) => Value::text(labels.get(name).map_or("", String::as_str)),
            Value::Args(args) => arg_named(&args.values, name),
            Value::Sample(sample) => match name {
                "Labels" => Value::Labels(Rc::new(sample.labels.clone())),
                "Value" => Value::Float(sample.value),
                _ => return Err(cannot_evaluate(name, receiver)),
            },
            Value::Time(millis) => match f::time_method(*millis, name) {
                Some(n) => Value::Int(n),
                None => return Err(cannot_evaluate(name, receiver)),
            },
            Value::Nil => return Err("a field of nothing (nil)".into()),
            _ => return Err(cannot_evaluate(name, receiver)),
        })
    }

    fn call(
        &mut self,
        function: Func,
        dot: &Value,
        operands: &[Operand],
        last: Option<Value>,
    ) -> Outcome<Value> {
        // `and` and `or` stop at the first argument that decides.
        if matches!(function, Func::And | Func::Or) {
            let count = operands.len() + usize::from(last.is_some());
            if count == 0 {
                return Err(Stop::Error(format!(
                    "wrong number of args for {}: want at least 1 got 0",
                    function.name()
                )));
            }
            let mut value = Value::Nil;
            for operand in operands {
                value = self.argument(dot, operand)?;
                if value.truth() == (function == Func::Or) {
                    return Ok(value);
                }
            }
            return Ok(last.unwrap_or(value));
        }
        let mut args = Vec::with_capacity(operands.len() + 1);
        for operand in operands {
            args.push(self.argument(dot, operand)?);
        }
        args.extend(last);
        if matches!(function, Func::Match | Func::ReReplaceAll) {
            return self
                .regular_expression(function, &args)
                .map_err(Stop::Error);
        }
        if function == Func::Query {
            let [Value::Text(query)] = args.as_slice() else {
                return Err(Stop::Error(wrong_arguments(function)));
            };
            return self.query(query);
        }
        // Their work is in proportion to their arguments: printing prints
        // maps whole (even where a precision keeps little of it), comparing
        // reads texts whole, sorting reads every sample.
        if matches!(
            function,
            Func::Print
                | Func::Printf
                | Func::Println
                | Func::Html
                | Func::Js
                | Func::Urlquery
                | Func::Eq
                | Func::Ne
                | Func::Lt
                | Func::Le
                | Func::Gt
                | Func::Ge
                | Func::SortByLabel
        ) {
            let weight = args
                .iter()
                .fold(0, |sum: usize, a| sum.saturating_add(a.weight()));
            self.spend(weight)?;
        }
        let root = self.root();
        let value = call_function(function, args, &root, self.data).map_err(Stop::Error)?;
        if matches!(value, Value::Text(_) | Value::Html(_)) {
            self.spend(value.weight())?;
        }
        Ok(value)
    }

    /// `match` and `reReplaceAll`, which read against the rendering's budget
    /// of text read by regular expressions.
    fn regular_expression(&mut self, function: Func, args: &[Value]) -> Result<Value, String> {
        let kinds: &[Kind] = if function == Func::Match {
            &[Kind::Text, Kind::Text]
        } else {
            &[Kind::Text, Kind::Text, Kind::Text]
        };
        let texts: Vec<&str> = expect(function, args, kinds)?.iter().map(text_of).collect();
        // The smaller of this rendering's budget and the evaluation's.
        let shared = &self.data.spent.regex_bytes;
        let mut budget = (MAX_TEMPLATE_REGEX_BYTES - self.regex_bytes)
            .min(MAX_EVALUATION_REGEX_BYTES.saturating_sub(shared.get()));
        let before = budget;
        let value = if function == Func::Match {
            super::regex::is_match(texts[0], texts[1], &mut budget)
                .map(Value::Bool)
                .map_err(|e| format!("error calling match: {e}"))
        } else {
            super::regex::replace_all(texts[0], texts[1], texts[2], &mut budget)
                .map(Value::owned)
                .map_err(|e| format!("error calling reReplaceAll: {e}"))
        };
        self.regex_bytes += before - budget;
        charge(shared, before - budget, MAX_EVALUATION_REGEX_BYTES);
        let value = value?;
        if let Value::Text(_) = value {
            self.spend(value.weight()).map_err(|stop| match stop {
                Stop::Error(message) => message,
                _ => String::new(),
            })?;
        }
        Ok(value)
    }

    fn query(&mut self, query: &str) -> Outcome<Value> {
        if let Some((_, samples)) = self.answers.iter().find(|(q, _)| q == query) {
            return Ok(Value::Vector(samples.clone()));
        }
        let data = self.data;
        match data.query_answers.borrow().get(query) {
            Some((Ok(answer), weight)) => {
                self.queries += 1;
                // Charged before the copy: a large answer is refused, not copied.
                self.spend(*weight)?;
                let samples: Rc<Vec<Rc<Sample>>> = Rc::new(
                    answer
                        .iter()
                        .map(|(labels, value)| {
                            Rc::new(Sample {
                                labels: labels.clone(),
                                value: *value,
                            })
                        })
                        .collect(),
                );
                self.answers.push((query.to_string(), samples.clone()));
                Ok(Value::Vector(samples))
            }
            Some((Err(message), _)) => Err(Stop::Error(format!("query {query:?}: {message}"))),
            None if self.queries >= MAX_TEMPLATE_QUERIES => {
                Err("a template may run at most 8 queries".into())
            }
            None => Err(Stop::Query(query.to_string())),
        }
    }
}

/// `args`'s entry `argN` (a missing one is an empty interface).
fn arg_named(values: &[Value], key: &str) -> Value {
    key.strip_prefix("arg")
        .filter(|n| n.bytes().all(|b| b.is_ascii_digit()) && (!n.starts_with('0') || *n == "0"))
        .and_then(|n| n.parse::<usize>().ok())
        .and_then(|i| values.get(i).cloned())
        .unwrap_or(Value::Nil)
}

fn cannot_evaluate(name: &str, receiver: &Value) -> Stop {
    Stop::Error(format!(
        "can't evaluate field {name} in type {}",
        receiver.type_name()
    ))
}

/// What a function's parameter accepts.
#[derive(Clone, Copy)]
enum Kind {
    Any,
    Text,
    Sample,
    Vector,
}

/// Checks the arguments against the parameters: Go refuses a call whose
/// argument types do not fit before the function runs.
fn expect<'v>(name: Func, args: &'v [Value], kinds: &[Kind]) -> Result<&'v [Value], String> {
    let fits = args.len() == kinds.len()
        && args.iter().zip(kinds).all(|(arg, kind)| match kind {
            Kind::Any => true,
            Kind::Text => matches!(arg, Value::Text(_)),
            Kind::Sample => matches!(arg, Value::Sample(_)),
            Kind::Vector => matches!(arg, Value::Vector(_)),
        });
    if fits {
        Ok(args)
    } else {
        Err(wrong_arguments(name))
    }
}

/// Go names the parameter and the type; the function and its use say enough.
#[cold]
fn wrong_arguments(function: Func) -> String {
    format!("wrong number or type of arguments for {}", function.name())
}

fn text_of(value: &Value) -> &str {
    match value {
        Value::Text(t) | Value::Html(t) => t,
        _ => "",
    }
}

/// Go's `strconv.ParseFloat` of decimal text: `_` between digits allowed,
/// out of range refused (hexadecimal floats are not read).
fn go_parse_float(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let separated = bytes.iter().enumerate().all(|(i, b)| {
        *b != b'_'
            || (i > 0
                && bytes[i - 1].is_ascii_digit()
                && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
    });
    if !separated {
        return None;
    }
    let value = parse_f64(&text.replace('_', ""))?;
    let named_infinity = text.to_ascii_lowercase().contains("inf");
    (value.is_finite() || named_infinity).then_some(value)
}

/// Prometheus's `convertToFloat`: numbers, and text Go's `ParseFloat` reads.
fn to_float(value: &Value) -> Result<f64, String> {
    match value {
        Value::Float(x) => Ok(*x),
        Value::Int(n) => Ok(*n as f64),
        Value::Text(t) => go_parse_float(t).ok_or_else(|| {
            format!(
                "strconv.ParseFloat: parsing {}: invalid syntax",
                go_fmt::go_quote(t, false)
            )
        }),
        other => Err(format!("can't convert {} to float", other.type_name())),
    }
}

fn go_values<'a>(
    args: &'a [Value],
    root: &Root,
    printed: &'a mut [Option<String>],
) -> Vec<GoValue<'a>> {
    args.iter()
        .zip(printed.iter_mut())
        .map(|(arg, slot)| arg.as_go(root, slot))
        .collect()
}

/// `fmt.Sprint` of the arguments, as `html`, `js` and `urlquery` take them.
fn sprint_args(args: &[Value], root: &Root) -> Result<String, String> {
    if let [Value::Text(t)] = args {
        return Ok(t.to_string());
    }
    let mut printed = vec![None; args.len()];
    go_fmt::sprint(&go_values(args, root, &mut printed), false)
}

/// The kind Go's comparison functions compare by.
#[derive(PartialEq, Clone, Copy)]
enum Basic {
    Bool,
    Int,
    Float,
    Text,
}

fn basic(value: &Value) -> Option<Basic> {
    match value {
        Value::Bool(_) => Some(Basic::Bool),
        Value::Int(_) => Some(Basic::Int),
        Value::Float(_) => Some(Basic::Float),
        Value::Text(_) | Value::Html(_) => Some(Basic::Text),
        _ => None,
    }
}

fn go_equal(a: &Value, b: &Value) -> Result<bool, String> {
    match (basic(a), basic(b)) {
        (Some(x), Some(y)) if x != y => Err("incompatible types for comparison".into()),
        (Some(_), Some(_)) => Ok(match (a, b) {
            (Value::Bool(x), Value::Bool(y)) => x == y,
            (Value::Int(x), Value::Int(y)) => x == y,
            (Value::Float(x), Value::Float(y)) => x == y,
            _ => text_of(a) == text_of(b),
        }),
        _ if matches!(a, Value::Nil) || matches!(b, Value::Nil) => {
            Ok(matches!(a, Value::Nil) && matches!(b, Value::Nil))
        }
        (None, None) => match (a, b) {
            (Value::Sample(x), Value::Sample(y)) => Ok(Rc::ptr_eq(x, y)),
            _ => Err("non-comparable types".into()),
        },
        _ => Err("incompatible types for comparison".into()),
    }
}

fn go_less(a: &Value, b: &Value) -> Result<bool, String> {
    match (basic(a), basic(b)) {
        (Some(Basic::Bool), _) | (_, Some(Basic::Bool)) | (None, _) | (_, None) => {
            Err("invalid type for comparison".into())
        }
        (Some(x), Some(y)) if x != y => Err("incompatible types for comparison".into()),
        _ => Ok(match (a, b) {
            (Value::Int(x), Value::Int(y)) => x < y,
            (Value::Float(x), Value::Float(y)) => x < y,
            _ => text_of(a) < text_of(b),
        }),
    }
}

fn call_function(
    function: Func,
    args: Vec<Value>,
    root: &Root,
    data: &TemplateData,
) -> Result<Value, String> {
    use Kind::{Any, Text};
    let name = function;
    let one_float =
        |args: &[Value]| -> Result<f64, String> { to_float(&expect(name, args, &[Any])?[0]) };
    let one_text = |args: &[Value]| -> Result<String, String> {
        Ok(text_of(&expect(name, args, &[Text])?[0]).to_string())
    };
    Ok(match function {
        Func::Not => Value::Bool(!expect(name, &args, &[Any])?[0].truth()),
        Func::Len => {
            let n = match &expect(name, &args, &[Any])?[0] {
                Value::Text(t) | Value::Html(t) => t.len(),
                Value::Labels(l) => l.len(),
                Value::Args(a) => a.values.len(),
                Value::Vector(v) => v.len(),
                other => return Err(format!("len of type {}", other.type_name())),
            };
            Value::Int(n as i64)
        }
        Func::Index => {
            let (item, keys) = args
                .split_first()
                .ok_or("wrong number of args for index: want at least 1 got 0")?;
            let mut item = item.clone();
            for key in keys {
                item = match (&item, key) {
                    (Value::Labels(l), Value::Text(k)) => {
                        Value::text(l.get(&**k).map_or("", String::as_str))
                    }
                    (Value::Args(a), Value::Text(k)) => arg_named(&a.values, k),
                    (Value::Vector(v), Value::Int(i)) => v
                        .get(usize::try_from(*i).unwrap_or(usize::MAX))
                        .map(|s| Value::Sample(s.clone()))
                        .ok_or_else(|| format!("index out of range: {i}"))?,
                    (Value::Text(t), Value::Int(i)) => t
                        .as_bytes()
                        .get(usize::try_from(*i).unwrap_or(usize::MAX))
                        .map(|b| Value::Int(i64::from(*b)))
                        .ok_or_else(|| format!("index out of range: {i}"))?,
                    // A map takes a string, a list an int; nothing else is indexed.
                    _ => return Err("index: an item that cannot take this index".into()),
                };
            }
            item
        }
        Func::Slice => {
            let (item, bounds) = args
                .split_first()
                .ok_or("wrong number of args for slice: want at least 1 got 0")?;
            let length = match item {
                Value::Text(t) => t.len(),
                Value::Vector(v) => v.len(),
                _ => return Err("slice: only text and query answers are sliced".into()),
            };
            let mut indexes = [0usize, length];
            if bounds.len() > 2 {
                return Err("too many slice indexes".into());
            }
            for (slot, bound) in bounds.iter().enumerate() {
                let Value::Int(n) = bound else {
                    return Err("slice: an index that is not an int".into());
                };
                indexes[slot] = usize::try_from(*n)
                    .ok()
                    .filter(|n| *n <= length)
                    .ok_or_else(|| format!("index out of range: {n}"))?;
            }
            let [from, to] = indexes;
            if from > to {
                return Err(format!("invalid slice index: {from} > {to}"));
            }
            match item {
                Value::Text(t) => Value::text(t.get(from..to).ok_or("slice splits a character")?),
                Value::Vector(v) => Value::Vector(Rc::new(v[from..to].to_vec())),
                _ => unreachable!("checked above"),
            }
        }
        Func::Print | Func::Println => {
            let mut printed = vec![None; args.len()];
            Value::owned(go_fmt::sprint(
                &go_values(&args, root, &mut printed),
                function == Func::Println,
            )?)
        }
        Func::Printf => {
            let (format, rest) = args
                .split_first()
                .ok_or("wrong number of args for printf: want at least 1 got 0")?;
            let Value::Text(format) = format else {
                return Err(format!(
                    "wrong type for value; expected string; got {}",
                    format.type_name()
                ));
            };
            let mut printed = vec![None; rest.len()];
            Value::owned(go_fmt::sprintf(
                format,
                &go_values(rest, root, &mut printed),
            )?)
        }
        Func::Eq | Func::Ne => {
            let (first, others) = args.split_first().ok_or(format!(
                "wrong number of args for {}: want at least 1 got 0",
                name.name()
            ))?;
            if others.is_empty() {
                return Err("missing argument for comparison".into());
            }
            if function == Func::Ne && others.len() > 1 {
                return Err(format!(
                    "wrong number of args for ne: want 2 got {}",
                    args.len()
                ));
            }
            let mut equal = false;
            for other in others {
                if go_equal(first, other)? {
                    equal = true;
                    break;
                }
            }
            Value::Bool(equal == (function == Func::Eq))
        }
        Func::Lt | Func::Le | Func::Gt | Func::Ge => {
            let [a, b] = expect(name, &args, &[Any, Any])? else {
                unreachable!("two arguments")
            };
            let less = go_less(a, b)?;
            // As Go: `le` is `lt` or `eq`, `gt` is not `le`, `ge` is not `lt`
            // (so `gt NaN 1` is true).
            let less_or_equal = less || go_equal(a, b)?;
            Value::Bool(match function {
                Func::Lt => less,
                Func::Le => less_or_equal,
                Func::Gt => !less_or_equal,
                _ => !less,
            })
        }
        Func::Html => Value::owned(bounded(f::html_escape(&sprint_args(&args, root)?))?),
        Func::Js => Value::owned(bounded(f::js_escape(&sprint_args(&args, root)?))?),
        Func::Urlquery => Value::owned(bounded(f::query_escape(&sprint_args(&args, root)?))?),
        Func::Call => {
            return Err(match args.first() {
                None => "wrong number of args for call: want at least 1 got 0".into(),
                Some(Value::Nil) => "call of nil".into(),
                Some(other) => format!("non-function of type {}", other.type_name()),
            })
        }
        Func::First => match &expect(name, &args, &[Kind::Vector])?[0] {
            Value::Vector(v) => Value::Sample(
                v.first()
                    .cloned()
                    .ok_or("first() called on vector with no elements")?,
            ),
            _ => unreachable!("checked"),
        },
        Func::Label => match expect(name, &args, &[Text, Kind::Sample])? {
            [Value::Text(label), Value::Sample(s)] => {
                Value::text(s.labels.get(&**label).map_or("", String::as_str))
            }
            _ => unreachable!("checked"),
        },
        Func::Value => match &expect(name, &args, &[Kind::Sample])?[0] {
            Value::Sample(s) => Value::Float(s.value),
            _ => unreachable!("checked"),
        },
        Func::Strvalue => match &expect(name, &args, &[Kind::Sample])?[0] {
            Value::Sample(s) => Value::text(s.labels.get("__value__").map_or("", String::as_str)),
            _ => unreachable!("checked"),
        },
        Func::Args => Value::Args(Rc::new(super::value::Args::new(args)?)),
        Func::SortByLabel => match expect(name, &args, &[Text, Kind::Vector])? {
            [Value::Text(label), Value::Vector(v)] => {
                // Go's stable sort: by the label, then by place.
                let mut order: Vec<(&str, usize)> = v
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (s.labels.get(&**label).map_or("", String::as_str), i))
                    .collect();
                order.sort_unstable();
                let sorted: Vec<Rc<Sample>> = order.iter().map(|(_, i)| v[*i].clone()).collect();
                Value::Vector(Rc::new(sorted))
            }
            _ => unreachable!("checked"),
        },
        Func::SafeHtml => Value::Html(one_text(&args)?.into()),
        Func::Title => Value::owned(f::go_title(&one_text(&args)?)),
        Func::ToUpper => Value::owned(
            one_text(&args)?
                .chars()
                .map(f::go_upper)
                .collect::<String>(),
        ),
        Func::ToLower => Value::owned(
            one_text(&args)?
                .chars()
                .map(f::go_lower)
                .collect::<String>(),
        ),
        Func::Humanize => Value::owned(f::humanize(
            one_float(&args)?,
            1000.0,
            &["k", "M", "G", "T", "P", "E", "Z", "Y"],
            &["m", "u", "n", "p", "f", "a", "z", "y"],
        )),
        Func::Humanize1024 => Value::owned(f::humanize(
            one_float(&args)?,
            1024.0,
            &["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"],
            &[],
        )),
        Func::HumanizeDuration => Value::owned(f::humanize_duration(one_float(&args)?)),
        Func::HumanizePercentage => Value::owned(format!(
            "{}%",
            f::format_significant(one_float(&args)? * 100.0)
        )),
        Func::HumanizeTimestamp => {
            let seconds = one_float(&args)?;
            if !seconds.is_finite() {
                Value::owned(f::format_significant(seconds))
            } else {
                Value::owned(f::go_time_text(f::timestamp_millis(seconds)?))
            }
        }
        Func::ToTime => {
            let seconds = one_float(&args)?;
            if !seconds.is_finite() {
                return Err("value is NaN or Inf".into());
            }
            Value::Time(f::timestamp_millis(seconds)?)
        }
        Func::PathPrefix => {
            expect(name, &args, &[])?;
            Value::owned(f::url_path(&data.external_url))
        }
        Func::ExternalUrl => {
            expect(name, &args, &[])?;
            Value::text(data.external_url.as_str())
        }
        Func::ParseDuration => Value::Float(f::parse_duration(&one_text(&args)?)?),
        Func::StripPort => Value::owned(f::strip_port(&one_text(&args)?)),
        Func::StripDomain => Value::owned(f::strip_domain(&one_text(&args)?)),
        // Parsing names them as not supported; `and`, `or`, `query`, `match`
        // and `reReplaceAll` are run by the caller.
        Func::Match
        | Func::ReReplaceAll
        | Func::GraphLink
        | Func::TableLink
        | Func::And
        | Func::Or
        | Func::Query => return Err(format!("{} is not supported here", function.name())),
    })
}
