//! JSON for Foresight's own documents and for Prometheus's answers: a value
//! tree, a reader that says where a document is wrong (`line 3 column 9`, and
//! for the model `panels[2].targets[0].expr: expected a string, found a number`),
//! and a writer (compact or indented like the usual pretty printers).
//!
//! The model's types derive serde's `Serialize` and `Deserialize`;
//! `json_serde` makes [`Json`] their format, and [`FromJson`] and [`ToJson`]
//! are the two calls the rest of the code uses. Prometheus's answers and
//! Grafana's exports, whose shapes are not ours, are read from the tree with
//! [`ObjectReader`].

use std::fmt;

/// How deep arrays and objects may nest before a document is refused.
const MAX_DEPTH: usize = 128;

/// A JSON value. Object members keep their order; a repeated key's last value wins.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// Parses a whole document; the error names the line and column.
    pub fn parse(text: &str) -> Result<Json, String> {
        let mut parser = Parser {
            text,
            bytes: text.as_bytes(),
            position: 0,
            depth: 0,
        };
        parser.skip_whitespace();
        let value = parser.value()?;
        parser.skip_whitespace();
        if parser.position < parser.bytes.len() {
            return Err(parser.error("unexpected text after the JSON value"));
        }
        Ok(value)
    }

    /// The member `key` of an object (`None` for other values).
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.as_object()?
            .iter()
            .rev()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value)
    }

    /// The value at a JSON Pointer (`/panels/0/title`; RFC 6901).
    pub fn pointer(&self, pointer: &str) -> Option<&Json> {
        if pointer.is_empty() {
            return Some(self);
        }
        let mut value = self;
        for token in pointer.strip_prefix('/')?.split('/') {
            let token = token.replace("~1", "/").replace("~0", "~");
            value = match value {
                Json::Object(_) => value.get(&token)?,
                Json::Array(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(value)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Number(number) => Some(*number),
            _ => None,
        }
    }

    /// A whole, non-negative number that fits a `u64` exactly.
    pub fn as_u64(&self) -> Option<u64> {
        let number = self.as_f64()?;
        let exact = number >= 0.0 && number.fract() == 0.0 && number <= 9_007_199_254_740_992.0;
        exact.then_some(number as u64)
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(flag) => Some(*flag),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&Vec<Json>> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[(String, Json)]> {
        match self {
            Json::Object(members) => Some(members),
            _ => None,
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Json::Object(_))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// What kind of value this is, for error messages ("a string").
    pub fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }

    /// Indented by two spaces, one member per line.
    pub fn to_pretty_string(&self) -> String {
        let mut out = String::new();
        write_value(&mut out, self, Some(0));
        out
    }
}

/// Compact JSON text (no spaces).
impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        write_value(&mut out, self, None);
        f.write_str(&out)
    }
}

impl From<&str> for Json {
    fn from(text: &str) -> Self {
        Json::String(text.to_string())
    }
}

/// `value["name"]` and `value[2]`, `null` when absent (as in tests and quick reads).
impl std::ops::Index<&str> for Json {
    type Output = Json;

    fn index(&self, key: &str) -> &Json {
        self.get(key).unwrap_or(&Json::Null)
    }
}

impl std::ops::Index<usize> for Json {
    type Output = Json;

    fn index(&self, index: usize) -> &Json {
        self.as_array()
            .and_then(|items| items.get(index))
            .unwrap_or(&Json::Null)
    }
}

impl PartialEq<&str> for Json {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

/// A reader over JSON text for callers that decode one known shape without
/// building its tree (a range answer holds hundreds of thousands of samples,
/// and a tree node and a string for each cost more than the numbers). It reads
/// with the same grammar as [`Json::parse`]; every method answers `None` at
/// anything unexpected, the caller's cue to fall back to [`Json::parse`],
/// whose errors are the ones reported.
pub struct JsonCursor<'a> {
    parser: Parser<'a>,
}

impl<'a> JsonCursor<'a> {
    pub fn new(text: &'a str) -> Self {
        Self {
            parser: Parser {
                text,
                bytes: text.as_bytes(),
                position: 0,
                depth: 0,
            },
        }
    }

    /// The next byte after any whitespace, not consumed.
    pub fn peek(&mut self) -> Option<u8> {
        self.parser.skip_whitespace();
        self.parser.peek()
    }

    /// Consumes `byte` (after any whitespace) if it comes next.
    pub fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.parser.position += 1;
        }
        found
    }

    /// Inside an array or object, after `[`/`{` (`first`) or an item:
    /// whether it closes with `close` (consumed), else the `,` is consumed.
    pub fn next_or_close(&mut self, close: u8, first: bool) -> Option<bool> {
        self.parser.skip_whitespace();
        self.parser.next_or_close(close, first).ok()
    }

    /// A string.
    pub fn string(&mut self) -> Option<String> {
        (self.peek() == Some(b'"'))
            .then(|| self.parser.string().ok())
            .flatten()
    }

    /// A string without escapes, borrowed from the text (`None` for one
    /// with escapes, which the tree reads).
    pub fn plain_string(&mut self) -> Option<&'a str> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let start = self.parser.position + 1;
        let end = start
            + self.parser.bytes[start..]
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        if self.parser.bytes[end] != b'"' {
            return None;
        }
        self.parser.position = end + 1;
        Some(&self.parser.text[start..end])
    }

    /// A number (finite, as [`Json::parse`] reads it).
    pub fn number(&mut self) -> Option<f64> {
        if !matches!(self.peek(), Some(b'-' | b'0'..=b'9')) {
            return None;
        }
        match self.parser.number() {
            Ok(Json::Number(number)) => Some(number),
            _ => None,
        }
    }

    /// Any value, as the tree reads it, sitting inside `depth` open arrays
    /// and objects (the nesting bound counts them, as in the tree).
    pub fn value(&mut self, depth: usize) -> Option<Json> {
        self.parser.skip_whitespace();
        self.parser.depth = depth;
        self.parser.value().ok()
    }

    /// Whether only whitespace is left.
    pub fn at_end(&mut self) -> bool {
        self.peek().is_none()
    }
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    position: usize,
    depth: usize,
}

impl Parser<'_> {
    fn error(&self, message: &str) -> String {
        let before = &self.text[..self.position.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
        format!("{message} at line {line} column {column}")
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.position) {
            self.position += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.position).copied()
    }

    fn expect_word(&mut self, word: &str, value: Json) -> Result<Json, String> {
        if self.bytes[self.position..].starts_with(word.as_bytes()) {
            self.position += word.len();
            Ok(value)
        } else {
            Err(self.error("expected a value"))
        }
    }

    fn value(&mut self) -> Result<Json, String> {
        match self.peek() {
            None => Err(self.error("the text ends where a value should be")),
            Some(b'n') => self.expect_word("null", Json::Null),
            Some(b't') => self.expect_word("true", Json::Bool(true)),
            Some(b'f') => self.expect_word("false", Json::Bool(false)),
            Some(b'"') => self.string().map(Json::String),
            Some(b'[' | b'{') => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(self.error("arrays and objects nest too deeply"));
                }
                let value = if self.peek() == Some(b'[') {
                    self.array()
                } else {
                    self.object()
                };
                self.depth -= 1;
                value
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected a value")),
        }
    }

    /// After `[`/`{` or a member: whether the container closes (`close`) or
    /// continues (`,`).
    fn next_or_close(&mut self, close: u8, first: bool) -> Result<bool, String> {
        self.skip_whitespace();
        if self.peek() == Some(close) {
            self.position += 1;
            return Ok(true);
        }
        if !first {
            if self.peek() != Some(b',') {
                let expected = if close == b']' {
                    "expected `,` or `]`"
                } else {
                    "expected `,` or `}`"
                };
                return Err(self.error(expected));
            }
            self.position += 1;
            self.skip_whitespace();
        }
        Ok(false)
    }

    fn array(&mut self) -> Result<Json, String> {
        self.position += 1;
        let mut items = Vec::new();
        while !self.next_or_close(b']', items.is_empty())? {
            items.push(self.value()?);
        }
        Ok(Json::Array(items))
    }

    fn object(&mut self) -> Result<Json, String> {
        self.position += 1;
        let mut members = Vec::new();
        while !self.next_or_close(b'}', members.is_empty())? {
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a member name in double quotes"));
            }
            let name = self.string()?;
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.error("expected `:`"));
            }
            self.position += 1;
            self.skip_whitespace();
            members.push((name, self.value()?));
        }
        Ok(Json::Object(members))
    }

    fn number(&mut self) -> Result<Json, String> {
        let start = self.position;
        let digits = |parser: &mut Self| {
            let from = parser.position;
            while let Some(b'0'..=b'9') = parser.peek() {
                parser.position += 1;
            }
            parser.position > from
        };
        if self.peek() == Some(b'-') {
            self.position += 1;
        }
        let leading_zero = self.peek() == Some(b'0');
        let integer_start = self.position;
        let mut valid = digits(self);
        if leading_zero && self.position - integer_start > 1 {
            valid = false;
        }
        if valid && self.peek() == Some(b'.') {
            self.position += 1;
            valid = digits(self);
        }
        if valid && matches!(self.peek(), Some(b'e' | b'E')) {
            self.position += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.position += 1;
            }
            valid = digits(self);
        }
        let number = valid
            .then(|| crate::foundation::float_text::parse_f64(&self.text[start..self.position]))
            .flatten()
            .filter(|number| number.is_finite());
        match number {
            Some(number) => Ok(Json::Number(number)),
            None => {
                self.position = start;
                Err(self.error("invalid number"))
            }
        }
    }

    fn hex_escape(&mut self) -> Result<u32, String> {
        let code = self
            .text
            .get(self.position..self.position + 4)
            .filter(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .ok_or_else(|| self.error("invalid \\u escape"))?;
        self.position += 4;
        Ok(code)
    }

    fn string(&mut self) -> Result<String, String> {
        self.position += 1;
        let mut out = String::new();
        loop {
            let run_start = self.position;
            while let Some(byte) = self.peek() {
                if byte == b'"' || byte == b'\\' || byte < 0x20 {
                    break;
                }
                self.position += 1;
            }
            out.push_str(&self.text[run_start..self.position]);
            match self.peek() {
                None => return Err(self.error("the text ends inside a string")),
                Some(b'"') => {
                    self.position += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.position += 1;
                    let escape = self.peek();
                    self.position += 1;
                    let decoded = match escape {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => self.unicode_escape()?,
                        _ => {
                            self.position -= 1;
                            return Err(self.error("invalid escape in a string"));
                        }
                    };
                    out.push(decoded);
                }
                Some(_) => return Err(self.error("control character inside a string")),
            }
        }
    }

    /// The character of a `\uXXXX` escape (a surrogate pair takes two).
    fn unicode_escape(&mut self) -> Result<char, String> {
        let first = self.hex_escape()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if !self.bytes[self.position..].starts_with(b"\\u") {
                return Err(self.error("unpaired surrogate in a \\u escape"));
            }
            self.position += 2;
            let second = self.hex_escape()?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(self.error("unpaired surrogate in a \\u escape"));
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code).ok_or_else(|| self.error("unpaired surrogate in a \\u escape"))
    }
}

fn write_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Whole numbers without a fraction (`3`, not `3.0`); non-finite numbers,
/// which JSON cannot hold, as `null`.
fn write_number(out: &mut String, number: f64) {
    if !number.is_finite() {
        out.push_str("null");
    } else if number.fract() == 0.0 && number.abs() < 1e17 {
        out.push_str(&(number as i64).to_string());
    } else {
        out.push_str(&number.to_string());
    }
}

fn write_value(out: &mut String, value: &Json, indent: Option<usize>) {
    let newline = |out: &mut String, level: usize| {
        out.push('\n');
        out.extend(std::iter::repeat_n(' ', level * 2));
    };
    let inner = indent.map(|level| level + 1);
    match value {
        Json::Null => out.push_str("null"),
        Json::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
        Json::Number(number) => write_number(out, *number),
        Json::String(text) => write_string(out, text),
        Json::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                if let Some(level) = inner {
                    newline(out, level);
                }
                write_value(out, item, inner);
            }
            if let (Some(level), false) = (indent, items.is_empty()) {
                newline(out, level);
            }
            out.push(']');
        }
        Json::Object(members) => {
            out.push('{');
            for (index, (name, item)) in members.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                if let Some(level) = inner {
                    newline(out, level);
                }
                write_string(out, name);
                out.push_str(if indent.is_some() { ": " } else { ":" });
                write_value(out, item, inner);
            }
            if let (Some(level), false) = (indent, members.is_empty()) {
                newline(out, level);
            }
            out.push('}');
        }
    }
}

/// Why a JSON value does not fit the model, and where (`panels[2].title`).
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeError {
    path: String,
    message: String,
}

// Errors are the rare path: their constructors are cold and never inlined, so
// the readers carry one call instead of a copy of the error building.
impl DecodeError {
    #[cold]
    #[inline(never)]
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            path: String::new(),
            message: message.into(),
        }
    }

    /// "expected a string, found a number".
    #[cold]
    #[inline(never)]
    pub fn expected(what: &str, found: &Json) -> Self {
        Self::new(format!("expected {what}, found {}", found.kind()))
    }

    /// The same error seen from the member `name` of an object.
    #[cold]
    #[inline(never)]
    pub fn in_member(self, name: &str) -> Self {
        self.within(name)
    }

    /// The same error seen from item `index` of an array.
    #[cold]
    #[inline(never)]
    pub fn in_item(self, index: usize) -> Self {
        self.within(&format!("[{index}]"))
    }

    /// Where it went wrong (`panels[2].title`; empty at the top) and what.
    pub(crate) fn parts(&self) -> (&str, &str) {
        (&self.path, &self.message)
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn from_parts(path: String, message: String) -> Self {
        Self { path, message }
    }

    /// `segment` put in front of the path (`a` + `b[2]` = `a.b[2]`, `a` + `[2]` = `a[2]`).
    #[cold]
    #[inline(never)]
    fn within(mut self, segment: &str) -> Self {
        let separator = if self.path.is_empty() || self.path.starts_with('[') {
            ""
        } else {
            "."
        };
        self.path = format!("{segment}{separator}{}", self.path);
        self
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// A model type read from JSON: every `Deserialize` type (see `json_serde`).
pub trait FromJson: Sized {
    fn from_json(value: &Json) -> Result<Self, DecodeError>;
}

impl<T: serde::de::DeserializeOwned> FromJson for T {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        crate::foundation::json_serde::from_json(value)
    }
}

/// A model type written as JSON: every `Serialize` type.
pub trait ToJson {
    fn to_json(&self) -> Json;
}

impl<T: serde::Serialize + ?Sized> ToJson for T {
    fn to_json(&self) -> Json {
        crate::foundation::json_serde::to_json(self)
    }
}

/// Parses `text` and reads a `T` from it, the error naming where it went wrong.
pub fn decode<T: FromJson>(text: &str) -> Result<T, String> {
    let value = Json::parse(text)?;
    T::from_json(&value).map_err(|error| error.to_string())
}

/// Reads each item of an array with `read`; an error names the item.
pub fn decode_items<T>(
    value: &Json,
    read: fn(&Json) -> Result<T, DecodeError>,
) -> Result<Vec<T>, DecodeError> {
    let items = value
        .as_array()
        .ok_or_else(|| DecodeError::expected("an array", value))?;
    let mut decoded = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        decoded.push(read(item).map_err(|error| error.in_item(index))?);
    }
    Ok(decoded)
}

/// Reads the members of an object; absent members and `null` count as unset.
pub struct ObjectReader<'a> {
    members: &'a [(String, Json)],
}

impl<'a> ObjectReader<'a> {
    pub fn new(value: &'a Json) -> Result<Self, DecodeError> {
        value
            .as_object()
            .map(|members| Self { members })
            .ok_or_else(|| DecodeError::expected("an object", value))
    }

    /// The member's value unless it is absent or `null`.
    #[inline(never)]
    pub fn value(&self, name: &str) -> Option<&'a Json> {
        self.members
            .iter()
            .rev()
            .find(|(member, _)| member == name)
            .map(|(_, value)| value)
            .filter(|value| !value.is_null())
    }

    /// The member's value; absent or `null` is an error.
    pub fn required_value(&self, name: &str) -> Result<&'a Json, DecodeError> {
        self.value(name)
            .ok_or_else(|| DecodeError::new(format!("the member {name:?} is missing or null")))
    }

    pub fn optional<T: FromJson>(&self, name: &str) -> Result<Option<T>, DecodeError> {
        self.value(name)
            .map(|value| T::from_json(value).map_err(|error| error.in_member(name)))
            .transpose()
    }

    pub fn required<T: FromJson>(&self, name: &str) -> Result<T, DecodeError> {
        T::from_json(self.required_value(name)?).map_err(|error| error.in_member(name))
    }

    pub fn or_default<T: FromJson + Default>(&self, name: &str) -> Result<T, DecodeError> {
        Ok(self.optional(name)?.unwrap_or_default())
    }

    pub fn or<T: FromJson>(&self, name: &str, fallback: T) -> Result<T, DecodeError> {
        Ok(self.optional(name)?.unwrap_or(fallback))
    }
}

/// Builds an object member by member, in order.
#[derive(Default)]
pub struct ObjectWriter {
    members: Vec<(String, Json)>,
}

impl ObjectWriter {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn member(&mut self, name: &str, value: &dyn ToJson) -> &mut Self {
        self.members.push((name.to_string(), value.to_json()));
        self
    }

    /// Writes the member only when `include` holds (defaults are left out).
    pub fn member_if(&mut self, include: bool, name: &str, value: &dyn ToJson) -> &mut Self {
        if include {
            self.member(name, value);
        }
        self
    }

    /// Writes the member unless it is `None`.
    pub fn optional<T: ToJson>(&mut self, name: &str, value: &Option<T>) -> &mut Self {
        if let Some(value) = value {
            self.member(name, value);
        }
        self
    }

    pub fn finish(&mut self) -> Json {
        Json::Object(std::mem::take(&mut self.members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_kind_of_value() {
        let value = Json::parse(
            r#" {"a": [1, -2.5, 3e2, true, false, null], "b": {"c": "d\n\u00e9\ud83d\ude00"}, "e": ""} "#,
        )
        .unwrap();
        assert_eq!(
            value.get("a"),
            Some(&Json::Array(vec![
                Json::Number(1.0),
                Json::Number(-2.5),
                Json::Number(300.0),
                Json::Bool(true),
                Json::Bool(false),
                Json::Null
            ]))
        );
        assert_eq!(
            value
                .get("b")
                .and_then(|b| b.get("c"))
                .and_then(Json::as_str),
            Some("d\né😀")
        );
        assert_eq!(value.get("e").and_then(Json::as_str), Some(""));
        assert_eq!(value.get("missing"), None);
        assert_eq!(value.pointer("/a/1"), Some(&Json::Number(-2.5)));
        assert_eq!(value.pointer("/b/c").and_then(Json::as_str), Some("d\né😀"));
        assert_eq!(value.pointer("/a/9"), None);
        assert_eq!(value.pointer(""), Some(&value));
    }

    #[test]
    fn errors_name_line_and_column() {
        let error = Json::parse("{\n  \"a\": 1,\n  \"b\" 2\n}").unwrap_err();
        assert_eq!(error, "expected `:` at line 3 column 7");
        for (text, problem) in [
            ("", "the text ends where a value should be"),
            ("[1, 2", "expected `,` or `]`"),
            ("{\"a\": 1 \"b\": 2}", "expected `,` or `}`"),
            ("\"open", "the text ends inside a string"),
            ("01", "invalid number"),
            ("1.", "invalid number"),
            ("-", "invalid number"),
            ("1e999", "invalid number"),
            ("tru", "expected a value"),
            ("\"\\x\"", "invalid escape in a string"),
            ("\"\\ud800\"", "unpaired surrogate"),
            ("\"a\tb\"", "control character inside a string"),
            ("{1: 2}", "expected a member name in double quotes"),
            ("[1] [2]", "unexpected text after the JSON value"),
            ("[1,]", "expected a value"),
        ] {
            let error = Json::parse(text).unwrap_err();
            assert!(error.starts_with(problem), "{text:?}: {error}");
        }
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(Json::parse(&deep).unwrap_err().contains("nest too deeply"));
        let nested = "[".repeat(100) + &"]".repeat(100);
        assert!(Json::parse(&nested).is_ok());
    }

    #[test]
    fn writes_what_it_reads() {
        let text = r#"{"name":"a \"quoted\" \\ line\nbreak \u0001","n":[0,-3,1.5,0.1,1e-7,12345678901234567890],"t":true,"z":null,"o":{},"l":[]}"#;
        let value = Json::parse(text).unwrap();
        let compact = value.to_string();
        assert_eq!(Json::parse(&compact).unwrap(), value);
        assert!(compact
            .starts_with(r#"{"name":"a \"quoted\" \\ line\nbreak \u0001","n":[0,-3,1.5,0.1,"#));
        assert_eq!(Json::parse(&value.to_pretty_string()).unwrap(), value);
        assert_eq!(Json::Number(f64::NAN).to_string(), "null");
    }

    #[test]
    fn pretty_output_is_indented_by_two_spaces() {
        let value = Json::parse(r#"{"a":[1,{"b":"c"}],"d":{},"e":[]}"#).unwrap();
        assert_eq!(
            value.to_pretty_string(),
            "{\n  \"a\": [\n    1,\n    {\n      \"b\": \"c\"\n    }\n  ],\n  \"d\": {},\n  \"e\": []\n}"
        );
    }

    #[test]
    fn decode_errors_give_the_path() {
        #[derive(serde::Deserialize)]
        struct Target {
            expr: String,
        }
        #[derive(serde::Deserialize)]
        struct Panel {
            #[serde(default)]
            targets: Vec<Target>,
        }
        let panels: Vec<Panel> = decode(r#"[{"targets":[{"expr":"up"}]}, {}]"#).unwrap();
        assert_eq!(panels[0].targets[0].expr, "up");
        assert!(panels[1].targets.is_empty());
        assert_eq!(
            decode::<Vec<Panel>>(r#"[{}, {"targets":[{"expr":"up"},{"expr":3}]}]"#)
                .err()
                .unwrap(),
            "[1].targets[1].expr: expected a string, found a number"
        );
        assert_eq!(
            decode::<Vec<Panel>>(r#"[{"targets":[{}]}]"#).err().unwrap(),
            "[0].targets[0]: the member \"expr\" is missing or null"
        );
        assert_eq!(
            decode::<Vec<Panel>>(r#"[{"targets":[{"expr":null}]}]"#)
                .err()
                .unwrap(),
            "[0].targets[0]: the member \"expr\" is missing or null"
        );
        // The last of a repeated member wins; unknown members are ignored.
        let panel: Panel =
            decode(r#"{"targets":[{"expr":1}],"x":{},"targets":[{"expr":"b","n":2}]}"#).unwrap();
        assert_eq!(panel.targets[0].expr, "b");
        assert_eq!(
            u8::from_json(&Json::Number(300.0)).unwrap_err().to_string(),
            "300 is not a whole number from 0 to 255"
        );
        assert_eq!(
            u32::from_json(&Json::Number(1.5)).unwrap_err().to_string(),
            "1.5 is not a whole number from 0 to 4294967295"
        );
        assert_eq!(u32::from_json(&Json::Number(7.0)), Ok(7));
    }

    #[test]
    fn choices_list_the_accepted_names() {
        #[derive(Clone, Copy, Debug, PartialEq)]
        enum Level {
            Low,
            High,
        }
        impl Level {
            const ALL: [Level; 2] = [Level::Low, Level::High];
            fn id(self) -> &'static str {
                match self {
                    Level::Low => "low",
                    Level::High => "high",
                }
            }
        }
        crate::foundation::json_serde::json_as_name!(Level => id);
        assert_eq!(Level::from_json(&"high".into()), Ok(Level::High));
        assert_eq!(Level::High.to_json(), Json::from("high"));
        assert_eq!(
            Level::from_json(&"mid".into()).unwrap_err().to_string(),
            "\"mid\" is not one of \"low\", \"high\""
        );
    }
}
