//! The YAML that Prometheus rule files are written in: block mappings and
//! sequences, flow collections (`[a, b]`, `{a: b}`), plain, single- and
//! double-quoted scalars (folded over lines as YAML folds them), literal and
//! folded block scalars (`|`, `>-`, `|+2`), comments and several documents in
//! one file (`---`, `...`).
//!
//! A rule file comes from someone else: the reader is linear in the text (each
//! line is looked at a bounded number of times), nests at most
//! [`MAX_YAML_NESTING`] deep and refuses what would let a small file grow
//! large or mean something else than it shows: anchors and aliases (`&a`,
//! `*a`: the "billion laughs"), tags (`!!str`), directives (`%YAML`) and
//! complex keys (`? `) are named in the error instead of being read.
//!
//! Scalars keep their text: a rule file's values are all strings to
//! Prometheus (`for: 5m`, `severity: 1`), so nothing is resolved to numbers
//! or booleans here; `plain` says whether a scalar was unquoted, for the
//! reader that wants to tell `null`/`~` from `"null"`.

use super::limits::{MAX_YAML_NESTING, MAX_YAML_NODES};
use super::ordered::sorted_positions;
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum Yaml {
    /// An empty node (`key:` with nothing after it).
    Null,
    Scalar {
        text: String,
        plain: bool,
    },
    Sequence(Vec<Yaml>),
    /// Members in the document's order; a repeated key is an error.
    Mapping(Vec<(String, Yaml)>),
}

impl Yaml {
    /// The member `name` of a mapping.
    pub fn get(&self, name: &str) -> Option<&Yaml> {
        match self {
            Yaml::Mapping(members) => members
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value),
            _ => None,
        }
    }

    /// `null`, `~`, `Null`, `NULL` unquoted, or nothing at all.
    pub fn is_null(&self) -> bool {
        match self {
            Yaml::Null => true,
            Yaml::Scalar { text, plain: true } => {
                matches!(text.as_str(), "null" | "Null" | "NULL" | "~")
            }
            _ => false,
        }
    }

    /// What kind of node it is, for messages ("expected a list, found a mapping").
    pub fn kind(&self) -> &'static str {
        match self {
            Yaml::Null => "nothing",
            Yaml::Scalar { .. } => "a string",
            Yaml::Sequence(_) => "a list",
            Yaml::Mapping(_) => "a mapping",
        }
    }
}

/// Why a text is not YAML this reader takes, and on which line (from 1).
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Every document of `text` (an empty text has none).
pub fn parse_documents(text: &str) -> Result<Vec<Yaml>, YamlError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // YAML's text is printable: a control character (other than tab and the
    // line breaks) is refused, as Prometheus's reader refuses it.
    if let Some(at) = text.char_indices().find_map(|(at, c)| {
        let control = c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{85}');
        let lone_return = c == '\r' && !text[at + 1..].starts_with('\n');
        (control || lone_return).then_some(at)
    }) {
        return Err(YamlError {
            line: text[..at].matches('\n').count() + 1,
            message: "a control character; YAML's text is printable".into(),
        });
    }
    // Prometheus's reader (a libyaml port) also breaks lines at NEL, LS and
    // PS: a rule after one inside a comment would run in Prometheus and be
    // missing here. Refused, as are the two non-characters it refuses.
    if let Some((at, c)) = text.char_indices().find(|(_, c)| {
        matches!(
            c,
            '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{fffe}' | '\u{ffff}'
        )
    }) {
        return Err(YamlError {
            line: text[..at].matches('\n').count() + 1,
            message: format!(
                "U+{:04X}, which other YAML readers take for a line break or refuse; write it as \\u{:04x} inside double quotes",
                c as u32, c as u32
            ),
        });
    }
    // The line break ending the last line does not start another line (and
    // a block scalar on the last line ends without one if the text does).
    let ends_with_break = text.ends_with('\n');
    let text = text.strip_suffix('\n').unwrap_or(text);
    let lines: Vec<&str> = text
        .split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .collect();
    let mut parser = Parser {
        lines,
        ends_with_break,
        line: 0,
        depth: 0,
        nodes: 0,
    };
    parser.documents()
}

struct Parser<'a> {
    lines: Vec<&'a str>,
    /// Whether the last line ended with a line break.
    ends_with_break: bool,
    /// The line being read (an index into `lines`).
    line: usize,
    depth: usize,
    nodes: usize,
}

fn is_blank(text: &str) -> bool {
    text.trim_start_matches([' ', '\t']).is_empty()
}

/// Nothing but whitespace and perhaps a comment.
fn is_blank_or_comment(text: &str) -> bool {
    let rest = text.trim_start_matches([' ', '\t']);
    rest.is_empty() || rest.starts_with('#')
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// `---` or `...` at the start of a line, alone or followed by a space.
fn document_marker(line: &str) -> Option<&'static str> {
    ["---", "..."].into_iter().find(|marker| {
        line.strip_prefix(marker)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
    })
}

/// `-` alone or followed by whitespace: a block sequence entry.
fn is_entry(rest: &str) -> bool {
    rest.strip_prefix('-')
        .is_some_and(|after| after.is_empty() || after.starts_with([' ', '\t']))
}

/// Where a comment starts in `text` (a `#` at its start or after whitespace).
fn comment_start(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    (0..bytes.len()).find(|&i| bytes[i] == b'#' && (i == 0 || matches!(bytes[i - 1], b' ' | b'\t')))
}

/// The position of the `:` ending a plain key in `text` (`: ` or `:` at the
/// end), before any comment.
fn plain_key_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    for i in 0..bytes.len() {
        if bytes[i] == b'#' && i > 0 && matches!(bytes[i - 1], b' ' | b'\t') {
            return None;
        }
        if bytes[i] == b':' && (i + 1 == bytes.len() || matches!(bytes[i + 1], b' ' | b'\t')) {
            return Some(i);
        }
    }
    None
}

#[cold]
#[inline(never)]
fn located(line: usize, message: String) -> YamlError {
    YamlError {
        line: line + 1,
        message,
    }
}

impl<'a> Parser<'a> {
    // Errors are the rare path: one cold builder, so that each of the many
    // places that fail carries a call instead of a copy of it.
    #[inline(always)]
    fn error<T>(&self, line: usize, message: impl Into<String>) -> Result<T, YamlError> {
        Err(located(line, message.into()))
    }

    fn count_node(&mut self) -> Result<(), YamlError> {
        self.nodes += 1;
        if self.nodes > MAX_YAML_NODES {
            return self.error(self.line, format!("more than {MAX_YAML_NODES} values"));
        }
        Ok(())
    }

    fn enter(&mut self) -> Result<(), YamlError> {
        self.depth += 1;
        if self.depth > MAX_YAML_NESTING {
            return self.error(
                self.line,
                format!("nested more than {MAX_YAML_NESTING} deep"),
            );
        }
        Ok(())
    }

    /// The next line from `self.line` with content (not blank, not only a
    /// comment), and its indentation; `None` at the end or at a document marker.
    fn peek_content(&self) -> Result<Option<(usize, usize)>, YamlError> {
        for line in self.line..self.lines.len() {
            let text = self.lines[line];
            if document_marker(text).is_some() {
                return Ok(None);
            }
            if is_blank_or_comment(text) {
                continue;
            }
            let indent = indent_of(text);
            if text[indent..].starts_with('\t') {
                return self.error(line, "a tab indents this line; YAML indents with spaces");
            }
            return Ok(Some((line, indent)));
        }
        Ok(None)
    }

    fn documents(&mut self) -> Result<Vec<Yaml>, YamlError> {
        let mut documents = Vec::new();
        loop {
            while self.line < self.lines.len() && is_blank_or_comment(self.lines[self.line]) {
                self.line += 1;
            }
            let Some(text) = self.lines.get(self.line) else {
                break;
            };
            if text.starts_with('%') {
                return self.error(self.line, "directives (%YAML, %TAG) are not supported");
            }
            match document_marker(text) {
                Some("...") => {
                    if !is_blank_or_comment(&text[3..]) {
                        return self.error(self.line, "text after `...`, which ends a document");
                    }
                    self.line += 1;
                    continue;
                }
                Some(_) => {
                    if !is_blank_or_comment(&text[3..]) {
                        return self.error(
                            self.line,
                            "content on the `---` line is not supported; start it on the next line",
                        );
                    }
                    self.line += 1;
                }
                None => {}
            }
            let document = match self.peek_content()? {
                Some((line, indent)) => {
                    self.line = line;
                    self.block_node(indent, None)?
                }
                None => Yaml::Null,
            };
            documents.push(document);
            // What follows must be another document.
            while self.line < self.lines.len() && is_blank_or_comment(self.lines[self.line]) {
                self.line += 1;
            }
            if let Some(text) = self.lines.get(self.line) {
                if document_marker(text).is_none() {
                    return self.error(
                        self.line,
                        "this line is indented less than the value it follows",
                    );
                }
            }
        }
        Ok(documents)
    }

    /// The node that starts at column `column` of the current line, inside a
    /// block indented `parent` (`None` at the top of a document).
    fn block_node(&mut self, column: usize, parent: Option<usize>) -> Result<Yaml, YamlError> {
        self.enter()?;
        self.count_node()?;
        let rest = &self.lines[self.line][column..];
        let node = if is_entry(rest) {
            self.block_sequence(column)
        } else if self.mapping_key(column)?.is_some() {
            self.block_mapping(column)
        } else {
            self.inline_value(column, parent, false)
        };
        self.depth -= 1;
        node
    }

    /// The key at `column` of the current line and where its value starts,
    /// if the line holds `key: …` there.
    fn mapping_key(&self, column: usize) -> Result<Option<(String, usize)>, YamlError> {
        let text = self.lines[self.line];
        let rest = &text[column..];
        if rest.starts_with("? ") || rest == "?" {
            return self.error(self.line, "complex keys (`? `) are not supported");
        }
        let (key, after) = if rest.starts_with(['"', '\'']) {
            // A quoted key sits on one line.
            let Some((key, end)) = self.quoted_on_line(column)? else {
                return Ok(None);
            };
            let after_quote = &text[end..];
            let trimmed = after_quote.trim_start_matches([' ', '\t']);
            match trimmed.strip_prefix(':') {
                Some(value) if value.is_empty() || value.starts_with([' ', '\t']) => {
                    (key, text.len() - value.len())
                }
                _ => return Ok(None),
            }
        } else {
            if rest.starts_with([
                '[', '{', ']', '}', ',', '#', '&', '*', '!', '|', '>', '%', '@', '`',
            ]) {
                return Ok(None);
            }
            let Some(end) = plain_key_end(rest) else {
                return Ok(None);
            };
            (rest[..end].trim_end().to_string(), column + end + 1)
        };
        Ok(Some((key, after)))
    }

    fn block_mapping(&mut self, column: usize) -> Result<Yaml, YamlError> {
        let mut members: Vec<(String, Yaml)> = Vec::new();
        let mut key_lines = Vec::new();
        loop {
            let line = self.line;
            if is_entry(&self.lines[line][column..]) {
                return self.error(line, "a list item where a key was expected");
            }
            let Some((key, after)) = self.mapping_key(column)? else {
                return self.error(
                    line,
                    "expected `key: value` at the indentation of the keys above",
                );
            };
            self.count_node()?;
            key_lines.push(line);
            let text = self.lines[line];
            let value_start =
                after + (text[after..].len() - text[after..].trim_start_matches([' ', '\t']).len());
            let value = if is_blank_or_comment(&text[after..]) {
                self.line += 1;
                match self.peek_content()? {
                    Some((next, indent)) if indent > column => {
                        self.line = next;
                        self.block_node(indent, Some(column))?
                    }
                    // A list may sit at its key's indentation.
                    Some((next, indent))
                        if indent == column && is_entry(&self.lines[next][indent..]) =>
                    {
                        self.line = next;
                        self.enter()?;
                        self.count_node()?;
                        let list = self.block_sequence(column)?;
                        self.depth -= 1;
                        list
                    }
                    _ => Yaml::Null,
                }
            } else {
                self.count_node()?;
                self.inline_value(value_start, Some(column), true)?
            };
            members.push((key, value));
            match self.peek_content()? {
                Some((next, indent)) if indent == column => self.line = next,
                Some((next, indent)) if indent > column => {
                    return self.error(next, "this line is indented more than the keys above it");
                }
                _ => {
                    self.no_repeated_keys(&members, &key_lines)?;
                    return Ok(Yaml::Mapping(members));
                }
            }
        }
    }

    /// A key given twice in one mapping is an error (as in Prometheus's
    /// reader); sorted once, so that a mapping of many keys stays linear-ish.
    fn no_repeated_keys(
        &self,
        members: &[(String, Yaml)],
        lines: &[usize],
    ) -> Result<(), YamlError> {
        let order = sorted_positions(members.len(), &|a, b| {
            members[a].0.cmp(&members[b].0).then(a.cmp(&b))
        });
        let repeated = order
            .windows(2)
            .filter(|pair| members[pair[0]].0 == members[pair[1]].0)
            .map(|pair| pair[1])
            .min();
        match repeated {
            Some(index) => self.error(
                lines[index],
                format!("the key {:?} is repeated in one mapping", members[index].0),
            ),
            None => Ok(()),
        }
    }

    fn block_sequence(&mut self, column: usize) -> Result<Yaml, YamlError> {
        let mut items = Vec::new();
        loop {
            let text = self.lines[self.line];
            let after = column + 1;
            let item = if is_blank_or_comment(&text[after..]) {
                self.line += 1;
                match self.peek_content()? {
                    Some((next, indent)) if indent > column => {
                        self.line = next;
                        self.block_node(indent, Some(column))?
                    }
                    _ => Yaml::Null,
                }
            } else {
                let start = after
                    + (text[after..].len() - text[after..].trim_start_matches([' ', '\t']).len());
                self.block_node(start, Some(column))?
            };
            items.push(item);
            match self.peek_content()? {
                Some((next, indent))
                    if indent == column && is_entry(&self.lines[next][indent..]) =>
                {
                    self.line = next
                }
                Some((next, indent)) if indent > column => {
                    return self.error(
                        next,
                        "this line is indented more than the list items above it",
                    );
                }
                _ => return Ok(Yaml::Sequence(items)),
            }
        }
    }

    /// A scalar or flow collection starting at `column` of the current line;
    /// afterwards `self.line` is the line after it. `in_mapping`: it is a
    /// mapping's value, where an unquoted `: ` would start a second mapping.
    fn inline_value(
        &mut self,
        column: usize,
        parent: Option<usize>,
        in_mapping: bool,
    ) -> Result<Yaml, YamlError> {
        let line = self.line;
        let rest = &self.lines[line][column..];
        let first = rest.chars().next().unwrap_or(' ');
        match first {
            '|' | '>' => return self.block_scalar(column, parent),
            '&' | '*' | '!' => {
                return self.error(
                    line,
                    "anchors (&), aliases (*) and tags (!) are not supported; write the value out",
                )
            }
            '%' | '@' | '`' | ',' | ']' | '}' => {
                return self.error(
                    line,
                    format!("a value cannot start with {first:?}; quote it"),
                )
            }
            '"' | '\'' | '[' | '{' => {
                let value = if first == '"' || first == '\'' {
                    let (text, end) = self.quoted(column)?;
                    (Yaml::Scalar { text, plain: false }, end)
                } else {
                    self.flow(column)?
                };
                let (node, end) = value;
                if !is_blank_or_comment(&self.lines[self.line][end..]) {
                    return self.error(self.line, "unexpected text after the value");
                }
                self.line += 1;
                return Ok(node);
            }
            '-' if is_entry(rest) => {
                return self.error(
                    line,
                    "a list cannot start on the line of its key; start it on the next line",
                )
            }
            _ => {}
        }
        self.plain(column, parent, in_mapping)
    }

    /// A plain (unquoted) scalar, continued on more indented lines.
    fn plain(
        &mut self,
        column: usize,
        parent: Option<usize>,
        in_mapping: bool,
    ) -> Result<Yaml, YamlError> {
        let first_line = self.line;
        let cut = |text: &'a str| -> &'a str {
            let text = match comment_start(text) {
                Some(start) => &text[..start],
                None => text,
            };
            text.trim_matches([' ', '\t'])
        };
        let text = self.lines[first_line];
        let mut out = cut(&text[column..]).to_string();
        if in_mapping && plain_key_end(&out).is_some() {
            return self.error(first_line, "`: ` inside an unquoted value; quote the value");
        }
        let has_comment = |text: &str| comment_start(text).is_some();
        let mut ended = has_comment(&text[column..]);
        self.line += 1;
        let mut empty_lines = 0;
        let mut line = self.line;
        while !ended && line < self.lines.len() {
            let text = self.lines[line];
            if document_marker(text).is_some() {
                break;
            }
            if is_blank(text) {
                empty_lines += 1;
                line += 1;
                continue;
            }
            let indent = indent_of(text);
            let deeper = parent.is_none_or(|parent| indent > parent);
            let content = text.trim_start_matches([' ', '\t']);
            if !deeper || content.starts_with('#') {
                break;
            }
            if in_mapping || parent.is_some() {
                // `key: value` would be a mapping nested in a scalar.
                if plain_key_end(content).is_some() {
                    return self.error(line, "`: ` inside an unquoted value; quote the value");
                }
            }
            if empty_lines == 0 {
                out.push(' ');
            } else {
                out.extend(std::iter::repeat_n('\n', empty_lines));
            }
            empty_lines = 0;
            out.push_str(cut(content));
            ended = has_comment(content);
            line += 1;
            self.line = line;
        }
        Ok(Yaml::Scalar {
            text: out,
            plain: true,
        })
    }

    /// A quoted scalar that starts at `column` and ends on the same line:
    /// its text and the column after it (`None` if it goes on).
    fn quoted_on_line(&self, column: usize) -> Result<Option<(String, usize)>, YamlError> {
        let text = self.lines[self.line];
        let double = text[column..].starts_with('"');
        let mut out = String::new();
        let mut chars = text[column + 1..].char_indices();
        while let Some((offset, c)) = chars.next() {
            let at = column + 1 + offset;
            match c {
                '"' if double => return Ok(Some((out, at + 1))),
                '\'' if !double => {
                    if text[at + 1..].starts_with('\'') {
                        chars.next();
                        out.push('\'');
                    } else {
                        return Ok(Some((out, at + 1)));
                    }
                }
                '\\' if double => {
                    let Some((_, escape)) = chars.next() else {
                        return Ok(None);
                    };
                    self.escape(escape, &mut chars, &mut out)?;
                }
                c => out.push(c),
            }
        }
        Ok(None)
    }

    /// One escape of a double-quoted scalar (after the `\`).
    fn escape(
        &self,
        escape: char,
        chars: &mut std::str::CharIndices,
        out: &mut String,
    ) -> Result<(), YamlError> {
        let simple = match escape {
            '0' => Some('\0'),
            'a' => Some('\u{7}'),
            'b' => Some('\u{8}'),
            't' | '\t' => Some('\t'),
            'n' => Some('\n'),
            'v' => Some('\u{b}'),
            'f' => Some('\u{c}'),
            'r' => Some('\r'),
            'e' => Some('\u{1b}'),
            ' ' => Some(' '),
            '"' => Some('"'),
            '/' => Some('/'),
            '\\' => Some('\\'),
            'N' => Some('\u{85}'),
            '_' => Some('\u{a0}'),
            'L' => Some('\u{2028}'),
            'P' => Some('\u{2029}'),
            _ => None,
        };
        if let Some(c) = simple {
            out.push(c);
            return Ok(());
        }
        let digits = match escape {
            'x' => 2,
            'u' => 4,
            'U' => 8,
            _ => {
                return self.error(
                    self.line,
                    format!("unknown escape \\{escape} in a double-quoted string"),
                )
            }
        };
        let mut code = 0u32;
        for _ in 0..digits {
            let digit = chars.next().and_then(|(_, c)| c.to_digit(16));
            let Some(digit) = digit else {
                return self.error(
                    self.line,
                    format!("\\{escape} needs {digits} hexadecimal digits"),
                );
            };
            code = code * 16 + digit;
        }
        match char::from_u32(code) {
            Some(c) => out.push(c),
            None => return self.error(self.line, format!("\\{escape}{code:X} is not a character")),
        }
        Ok(())
    }

    /// A quoted scalar from `column`, perhaps over several lines (folded: a
    /// line break is a space, each empty line a line break). Returns the text
    /// and the column after the closing quote on `self.line`.
    fn quoted(&mut self, column: usize) -> Result<(String, usize), YamlError> {
        let start_line = self.line;
        let double = self.lines[self.line][column..].starts_with('"');
        let mut out = String::new();
        let mut position = column + 1;
        loop {
            let text = self.lines[self.line];
            // Text up to here that folding must keep (escapes, non-blanks).
            let mut kept = out.len();
            let mut escaped_break = false;
            let mut chars = text[position..].char_indices();
            while let Some((offset, c)) = chars.next() {
                let at = position + offset;
                match c {
                    '"' if double => return Ok((out, at + 1)),
                    '\'' if !double => {
                        if text[at + 1..].starts_with('\'') {
                            chars.next();
                            out.push('\'');
                            kept = out.len();
                        } else {
                            return Ok((out, at + 1));
                        }
                    }
                    '\\' if double => match chars.next() {
                        None => escaped_break = true,
                        Some((_, escape)) => {
                            self.escape(escape, &mut chars, &mut out)?;
                            kept = out.len();
                        }
                    },
                    ' ' | '\t' => out.push(c),
                    c => {
                        out.push(c);
                        kept = out.len();
                    }
                }
            }
            // The line ends inside the string: fold.
            if !escaped_break {
                out.truncate(kept);
            }
            self.line += 1;
            let mut empty_lines = 0;
            while self.line < self.lines.len() && is_blank(self.lines[self.line]) {
                empty_lines += 1;
                self.line += 1;
            }
            if self.line >= self.lines.len() || document_marker(self.lines[self.line]).is_some() {
                return self.error(start_line, "this quoted string is never closed");
            }
            if empty_lines > 0 {
                out.extend(std::iter::repeat_n('\n', empty_lines));
            } else if !escaped_break {
                out.push(' ');
            }
            let text = self.lines[self.line];
            position = text.len() - text.trim_start_matches([' ', '\t']).len();
        }
    }

    /// A literal (`|`) or folded (`>`) block scalar whose header is at `column`.
    fn block_scalar(&mut self, column: usize, parent: Option<usize>) -> Result<Yaml, YamlError> {
        let header_line = self.line;
        let header = &self.lines[header_line][column..];
        let literal = header.starts_with('|');
        let mut keep = None;
        let mut explicit_indent = None;
        let mut rest = &header[1..];
        for _ in 0..2 {
            match rest.chars().next() {
                Some(c @ ('+' | '-')) if keep.is_none() => keep = Some(c == '+'),
                Some(c @ '1'..='9') if explicit_indent.is_none() => {
                    explicit_indent = c.to_digit(10)
                }
                _ => break,
            }
            rest = &rest[1..];
        }
        if !is_blank_or_comment(rest) || !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
            return self.error(
                header_line,
                "a block scalar's header is `|` or `>`, then `+` or `-` and an indentation digit",
            );
        }
        self.line += 1;
        let base = parent.map_or(0, |parent| parent + 1);
        let indent =
            match explicit_indent {
                Some(digits) => parent.map_or(digits as usize, |parent| parent + digits as usize),
                None => {
                    // The first line with content sets the indentation; without
                    // one, the longest of the empty lines before it does.
                    let mut widest_empty = 0;
                    let mut found = None;
                    for line in self.line..self.lines.len() {
                        let text = self.lines[line];
                        if is_blank(text) && !text.contains('\t') {
                            widest_empty = widest_empty.max(text.len());
                            continue;
                        }
                        found = Some(indent_of(text)).filter(|&indent| indent >= base);
                        break;
                    }
                    match found {
                        Some(indent) if widest_empty > indent => return self.error(
                            self.line,
                            "an empty line at the start of a block is indented more than its text",
                        ),
                        Some(indent) => indent,
                        None => widest_empty.max(base),
                    }
                }
            };
        let mut lines: Vec<&str> = Vec::new();
        let mut trailing_empty = 0;
        while self.line < self.lines.len() {
            let text = self.lines[self.line];
            let spaces = indent_of(text);
            if spaces == text.len() && spaces <= indent {
                // An empty line (only spaces, no more than the indentation).
                lines.push("");
                trailing_empty += 1;
            } else if spaces >= indent && !(indent == 0 && document_marker(text).is_some()) {
                lines.push(&text[indent..]);
                trailing_empty = 0;
            } else {
                break;
            }
            self.line += 1;
        }
        // The last line of a text that does not end with a line break has
        // none to keep: an empty one adds nothing, one with text no final break.
        let at_end_without_break = self.line == self.lines.len() && !self.ends_with_break;
        let last_has_break = !(at_end_without_break && trailing_empty == 0);
        if at_end_without_break && trailing_empty > 0 {
            lines.pop();
            trailing_empty -= 1;
        }
        let content = &lines[..lines.len() - trailing_empty];
        let mut out = String::new();
        let mut previous: Option<&str> = None;
        let mut empty_run = 0;
        for line in content {
            if line.is_empty() {
                empty_run += 1;
                continue;
            }
            match previous {
                None => out.extend(std::iter::repeat_n('\n', empty_run)),
                Some(before) => {
                    let more_indented = |l: &str| l.starts_with([' ', '\t']);
                    if literal || more_indented(before) || more_indented(line) {
                        out.extend(std::iter::repeat_n('\n', empty_run + 1));
                    } else if empty_run == 0 {
                        out.push(' ');
                    } else {
                        out.extend(std::iter::repeat_n('\n', empty_run));
                    }
                }
            }
            out.push_str(line);
            previous = Some(line);
            empty_run = 0;
        }
        match keep {
            Some(false) => {}
            Some(true) => {
                if previous.is_some() && last_has_break {
                    out.push('\n');
                }
                out.extend(std::iter::repeat_n('\n', trailing_empty + empty_run));
            }
            None => {
                if previous.is_some() && last_has_break {
                    out.push('\n');
                }
            }
        }
        Ok(Yaml::Scalar {
            text: out,
            plain: false,
        })
    }

    /// A flow collection from `column`; returns it and the column after it on
    /// `self.line`.
    fn flow(&mut self, column: usize) -> Result<(Yaml, usize), YamlError> {
        let mut position = column;
        let node = self.flow_node(&mut position)?;
        Ok((node, position))
    }

    /// Moves past whitespace, line breaks and comments inside a flow collection.
    fn flow_space(&mut self, position: &mut usize) -> Result<(), YamlError> {
        loop {
            let text = self.lines[self.line];
            let rest = &text[*position..];
            let trimmed = rest.trim_start_matches([' ', '\t']);
            *position = text.len() - trimmed.len();
            if !(trimmed.is_empty() || trimmed.starts_with('#')) {
                return Ok(());
            }
            self.line += 1;
            *position = 0;
            if self.line >= self.lines.len() || document_marker(self.lines[self.line]).is_some() {
                return self.error(self.line - 1, "a `[` or `{` is never closed");
            }
        }
    }

    fn flow_node(&mut self, position: &mut usize) -> Result<Yaml, YamlError> {
        self.enter()?;
        self.count_node()?;
        self.flow_space(position)?;
        let text = self.lines[self.line];
        let node = match text[*position..].chars().next().unwrap_or(' ') {
            open @ ('[' | '{') => {
                let close = if open == '[' { ']' } else { '}' };
                *position += 1;
                let mut items = Vec::new();
                let mut members: Vec<(String, Yaml)> = Vec::new();
                let mut key_lines = Vec::new();
                loop {
                    self.flow_space(position)?;
                    if self.lines[self.line][*position..].starts_with(close) {
                        *position += 1;
                        break;
                    }
                    let start_line = self.line;
                    let item = self.flow_node(position)?;
                    self.flow_space(position)?;
                    let after = &self.lines[self.line][*position..];
                    if after.starts_with(':') {
                        if open == '[' {
                            return self.error(
                                start_line,
                                "`key: value` pairs inside `[ ]` are not supported",
                            );
                        }
                        let Yaml::Scalar { text: key, .. } = item else {
                            return self.error(start_line, "a key must be a string");
                        };
                        key_lines.push(start_line);
                        *position += 1;
                        self.flow_space(position)?;
                        let value = if self.lines[self.line][*position..].starts_with([',', '}']) {
                            Yaml::Null
                        } else {
                            self.flow_node(position)?
                        };
                        members.push((key, value));
                    } else if open == '{' {
                        let key = match item {
                            Yaml::Scalar { text, .. } => text,
                            _ => return self.error(start_line, "a key must be a string"),
                        };
                        key_lines.push(start_line);
                        members.push((key, Yaml::Null));
                    } else {
                        items.push(item);
                    }
                    self.flow_space(position)?;
                    let after = &self.lines[self.line][*position..];
                    if after.starts_with(',') {
                        *position += 1;
                    } else if !after.starts_with(close) {
                        return self.error(self.line, format!("expected `,` or `{close}`"));
                    }
                }
                if open == '[' {
                    Yaml::Sequence(items)
                } else {
                    self.no_repeated_keys(&members, &key_lines)?;
                    Yaml::Mapping(members)
                }
            }
            '"' | '\'' => {
                let (text, end) = self.quoted(*position)?;
                *position = end;
                Yaml::Scalar { text, plain: false }
            }
            '&' | '*' | '!' => {
                return self.error(
                    self.line,
                    "anchors (&), aliases (*) and tags (!) are not supported; write the value out",
                )
            }
            ']' | '}' | ',' => return self.error(self.line, "a value is missing"),
            _ => {
                // A plain scalar ends at `,[]{}`, at `: ` and at a comment;
                // at the end of a line it goes on, folded, on the next one
                // unless that starts with one of those.
                let mut out = String::new();
                let mut text = text;
                let mut start = *position;
                loop {
                    let bytes = text.as_bytes();
                    let mut end = start;
                    while end < bytes.len() {
                        let b = bytes[end];
                        if matches!(b, b',' | b'[' | b']' | b'{' | b'}')
                            || (b == b':'
                                && (end + 1 == bytes.len()
                                    || matches!(bytes[end + 1], b' ' | b'\t' | b',' | b']' | b'}')))
                            || (b == b'#' && end > start && matches!(bytes[end - 1], b' ' | b'\t'))
                        {
                            break;
                        }
                        end += 1;
                    }
                    out.push_str(text[start..end].trim_matches([' ', '\t']));
                    *position = end;
                    if end < bytes.len() {
                        break;
                    }
                    // The line ended inside the scalar: does the next text go on?
                    let mut next = self.line + 1;
                    while next < self.lines.len() && is_blank(self.lines[next]) {
                        next += 1;
                    }
                    let Some(line) = self.lines.get(next) else {
                        break;
                    };
                    let content = line.trim_start_matches([' ', '\t']);
                    if document_marker(line).is_some()
                        || content.starts_with([',', '[', ']', '{', '}', '#'])
                        || plain_key_end(content) == Some(0)
                    {
                        break;
                    }
                    let empty_lines = next - self.line - 1;
                    if empty_lines == 0 {
                        out.push(' ');
                    } else {
                        out.extend(std::iter::repeat_n('\n', empty_lines));
                    }
                    self.line = next;
                    text = line;
                    start = line.len() - content.len();
                }
                Yaml::Scalar {
                    text: out,
                    plain: true,
                }
            }
        };
        self.depth -= 1;
        Ok(node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: &str) -> Yaml {
        Yaml::Scalar {
            text: value.into(),
            plain: false,
        }
    }

    fn plain(value: &str) -> Yaml {
        Yaml::Scalar {
            text: value.into(),
            plain: true,
        }
    }

    fn one(source: &str) -> Yaml {
        let mut documents = parse_documents(source).unwrap_or_else(|e| panic!("{source:?}: {e}"));
        assert_eq!(documents.len(), 1, "{source:?}");
        documents.remove(0)
    }

    fn error(source: &str) -> String {
        parse_documents(source).unwrap_err().to_string()
    }

    #[test]
    fn reads_a_rule_file() {
        let source = "\
# Rules
groups:
- name: example   # a comment
  interval: 30s
  rules:
    - alert: HighErrorRate
      expr: |
        sum(rate(errors[5m])) by (job)
          > 0.5
      for: 10m
      labels: {severity: page, team: \"a: b\"}
      annotations:
        summary: 'It''s {{ $labels.job }}'
        description: >-
          Errors are
          high.

          Look at {{ $value }}.
";
        let expected = Yaml::Mapping(vec![(
            "groups".into(),
            Yaml::Sequence(vec![Yaml::Mapping(vec![
                ("name".into(), plain("example")),
                ("interval".into(), plain("30s")),
                (
                    "rules".into(),
                    Yaml::Sequence(vec![Yaml::Mapping(vec![
                        ("alert".into(), plain("HighErrorRate")),
                        (
                            "expr".into(),
                            text("sum(rate(errors[5m])) by (job)\n  > 0.5\n"),
                        ),
                        ("for".into(), plain("10m")),
                        (
                            "labels".into(),
                            Yaml::Mapping(vec![
                                ("severity".into(), plain("page")),
                                ("team".into(), text("a: b")),
                            ]),
                        ),
                        (
                            "annotations".into(),
                            Yaml::Mapping(vec![
                                ("summary".into(), text("It's {{ $labels.job }}")),
                                (
                                    "description".into(),
                                    text("Errors are high.\nLook at {{ $value }}."),
                                ),
                            ]),
                        ),
                    ])]),
                ),
            ])]),
        )]);
        assert_eq!(one(source), expected);
    }

    #[test]
    fn folds_plain_and_quoted_scalars_over_lines() {
        assert_eq!(
            one("a: one\n  two\n\n  three # c\n"),
            Yaml::Mapping(vec![("a".into(), plain("one two\nthree"))])
        );
        assert_eq!(
            one("a: \"x  \n   y\\\n   z\\tq\"\n"),
            Yaml::Mapping(vec![("a".into(), text("x yz\tq"))])
        );
        assert_eq!(one("- 'a\n\n  b'\n"), Yaml::Sequence(vec![text("a\nb")]));
        assert_eq!(one("\"\\u00e9\\x41\\U0001F600\\N\""), text("éA😀\u{85}"));
    }

    #[test]
    fn block_scalars_keep_or_fold_lines_and_chomp() {
        let value = |source: &str| one(source).get("a").cloned().unwrap();
        assert_eq!(
            value("a: |\n  x\n   y\n\n  z\n\n\nb: 1\n"),
            text("x\n y\n\nz\n")
        );
        assert_eq!(value("a: |-\n  x\n\n"), text("x"));
        assert_eq!(value("a: |+\n  x\n\n"), text("x\n\n"));
        assert_eq!(
            value("a: >\n  x\n  y\n\n  z\n    more\n  w\n"),
            text("x y\nz\n  more\nw\n")
        );
        assert_eq!(value("a: |2\n   x\n  y\n"), text(" x\ny\n"));
        assert_eq!(value("a: |\nb: 1\n"), text(""));
    }

    #[test]
    fn a_block_scalar_at_the_end_of_a_text_without_a_line_break_has_none() {
        let value = |source: &str| one(source).get("a").cloned().unwrap();
        assert_eq!(value("a: |\n  x"), text("x"));
        assert_eq!(value("a: |+\n  x"), text("x"));
        assert_eq!(value("a: |+\n  x\n  "), text("x\n"));
        assert_eq!(value("a: >-\n  x\n  y"), text("x y"));
        assert_eq!(value("a: |\n  x\n"), text("x\n"));
        // Lines of spaces only: empty, the longest setting the indentation.
        assert_eq!(value("a: |\n    \nb: 1\n"), text(""));
        assert_eq!(
            error("a: |\n     \n  x\n"),
            "line 2: an empty line at the start of a block is indented more than its text"
        );
    }

    #[test]
    fn refuses_what_yaml_refuses_found_by_review() {
        assert_eq!(
            error("a: 1\n- b: 2\n"),
            "line 2: a list item where a key was expected"
        );
        assert_eq!(
            error("{a: 1, a}\n"),
            "line 1: the key \"a\" is repeated in one mapping"
        );
        assert_eq!(
            error("a: 1\n... garbage\n"),
            "line 2: text after `...`, which ends a document"
        );
        assert_eq!(
            error("a: x:\n\n  y\n"),
            "line 1: `: ` inside an unquoted value; quote the value"
        );
        assert_eq!(
            error("a: }x\n"),
            "line 1: a value cannot start with '}'; quote it"
        );
        assert_eq!(
            error("a: \u{1}\n"),
            "line 1: a control character; YAML's text is printable"
        );
        assert_eq!(
            error("a: 1\rb: 2\n"),
            "line 1: a control character; YAML's text is printable"
        );
        // A rule hidden in a comment from this reader, not from Prometheus's.
        assert_eq!(
            error("groups:\n# ok\u{2028}- name: hidden\n"),
            "line 2: U+2028, which other YAML readers take for a line break or refuse; write it as \\u2028 inside double quotes"
        );
        for c in ['\u{85}', '\u{2029}', '\u{fffe}', '\u{ffff}'] {
            assert!(error(&format!("a: \"x{c}\"\n")).starts_with("line 1: U+"));
        }
        // Written as an escape, it is read as the character.
        assert!(matches!(
            one("a: \"x\\u2028y\"\n").get("a"),
            Some(Yaml::Scalar { text, .. }) if text == "x\u{2028}y"
        ));
    }

    #[test]
    fn plain_scalars_in_flow_collections_go_on_over_lines() {
        assert_eq!(
            one("a: [a\n b,\n  c\n\n  d]\nl: {severity: wa\n  ng, x: y}\n"),
            Yaml::Mapping(vec![
                (
                    "a".into(),
                    Yaml::Sequence(vec![plain("a b"), plain("c\nd")])
                ),
                (
                    "l".into(),
                    Yaml::Mapping(vec![
                        ("severity".into(), plain("wa ng")),
                        ("x".into(), plain("y"))
                    ])
                ),
            ])
        );
    }

    #[test]
    fn many_keys_are_checked_for_repeats_in_linear_time() {
        let keys: String = (0..150_000).map(|i| format!("k{i}:\n")).collect();
        assert!(parse_documents(&keys).is_ok());
        let flow = format!(
            "{{{}}}",
            (0..100_000)
                .map(|i| format!("k{i}"))
                .collect::<Vec<_>>()
                .join(",")
        );
        assert!(parse_documents(&flow).is_ok());
    }

    #[test]
    fn lists_may_sit_at_their_keys_indentation_and_items_may_be_empty() {
        assert_eq!(
            one("a:\n- 1\n-\n- - x\n  - y\nb: ~\nc:\n"),
            Yaml::Mapping(vec![
                (
                    "a".into(),
                    Yaml::Sequence(vec![
                        plain("1"),
                        Yaml::Null,
                        Yaml::Sequence(vec![plain("x"), plain("y")])
                    ])
                ),
                ("b".into(), plain("~")),
                ("c".into(), Yaml::Null),
            ])
        );
        assert!(one("b: ~").get("b").unwrap().is_null());
    }

    #[test]
    fn reads_flow_collections_over_lines() {
        assert_eq!(
            one("a: [1, 'two', {b: c, \"d\": [], e}, ]\nf: {\n  g: h,  # c\n  i: \"j\"\n}\n"),
            Yaml::Mapping(vec![
                (
                    "a".into(),
                    Yaml::Sequence(vec![
                        plain("1"),
                        text("two"),
                        Yaml::Mapping(vec![
                            ("b".into(), plain("c")),
                            ("d".into(), Yaml::Sequence(vec![])),
                            ("e".into(), Yaml::Null)
                        ]),
                    ])
                ),
                (
                    "f".into(),
                    Yaml::Mapping(vec![("g".into(), plain("h")), ("i".into(), text("j"))])
                ),
            ])
        );
    }

    #[test]
    fn reads_several_documents() {
        let documents = parse_documents("a: 1\n---\n# only a comment\n---\nb: 2\n...\n").unwrap();
        assert_eq!(
            documents,
            vec![
                Yaml::Mapping(vec![("a".into(), plain("1"))]),
                Yaml::Null,
                Yaml::Mapping(vec![("b".into(), plain("2"))]),
            ]
        );
        assert_eq!(parse_documents("").unwrap(), vec![]);
        assert_eq!(
            parse_documents("\u{feff}a: 1\r\nb: 2\r\n").unwrap().len(),
            1
        );
    }

    #[test]
    fn refuses_what_it_does_not_read_and_names_the_line() {
        assert_eq!(
            error("a: &x 1\nb: *x\n"),
            "line 1: anchors (&), aliases (*) and tags (!) are not supported; write the value out"
        );
        assert_eq!(
            error("a: !!str 1\n"),
            "line 1: anchors (&), aliases (*) and tags (!) are not supported; write the value out"
        );
        assert_eq!(
            error("%YAML 1.2\n---\na: 1\n"),
            "line 1: directives (%YAML, %TAG) are not supported"
        );
        assert_eq!(
            error("? a\n: b\n"),
            "line 1: complex keys (`? `) are not supported"
        );
        assert_eq!(
            error("a: 1\na: 2\n"),
            "line 2: the key \"a\" is repeated in one mapping"
        );
        assert_eq!(
            error("a: b: c\n"),
            "line 1: `: ` inside an unquoted value; quote the value"
        );
        assert_eq!(
            error("a:\n\tb: 1\n"),
            "line 2: a tab indents this line; YAML indents with spaces"
        );
        assert_eq!(
            error("a: 1\n   b: 2\n"),
            "line 2: `: ` inside an unquoted value; quote the value"
        );
        assert_eq!(
            error("a: \"open\n"),
            "line 1: this quoted string is never closed"
        );
        assert_eq!(error("a: [1, 2\n"), "line 1: a `[` or `{` is never closed");
        assert_eq!(
            error("a: \"\\q\"\n"),
            "line 1: unknown escape \\q in a double-quoted string"
        );
        assert_eq!(
            error("a: - b\n"),
            "line 1: a list cannot start on the line of its key; start it on the next line"
        );
    }

    #[test]
    fn nesting_and_size_are_capped() {
        let deep = "[".repeat(MAX_YAML_NESTING + 1);
        assert!(error(&deep).contains("nested more than"));
        let mut block = String::new();
        for level in 0..=MAX_YAML_NESTING {
            block.push_str(&" ".repeat(level));
            block.push_str("a:\n");
        }
        assert!(error(&block).contains("nested more than"));
        let many = format!("[{}]", "a,".repeat(MAX_YAML_NODES));
        assert!(error(&many).contains("more than"));
    }

    #[test]
    fn hostile_shapes_stay_linear() {
        // Each shape is read in time proportional to its length (a quadratic
        // reader would take minutes on these).
        let long_plain = format!("a: x{}\n", "\n y".repeat(200_000));
        assert!(parse_documents(&long_plain).is_ok());
        let many_keys: String = (0..20_000).map(|i| format!("k{i}: v\n")).collect();
        assert!(parse_documents(&many_keys).is_ok());
        let open_quote = format!("a: \"{}", "x\n".repeat(200_000));
        assert!(parse_documents(&open_quote).is_err());
        let blank_lines = format!("a:{}b: 1\n", "\n".repeat(200_000));
        assert!(parse_documents(&blank_lines).is_ok());
    }
}
