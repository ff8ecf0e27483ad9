//! Go `text/template`'s syntax, read in one pass: text, `{{ }}` actions with
//! trim markers and comments, pipelines, `if`/`else if`/`else`, `with`,
//! `range`, `break`/`continue` and variables. Every name is resolved here, so
//! a template with an unknown function or variable is refused when the rule
//! is edited, as Prometheus refuses it when the rule file is loaded.

use crate::foundation::limits::{MAX_TEMPLATE_CHARS, MAX_TEMPLATE_NESTING};

/// A constant as Go reads it in a template: `1` is an `int`, `1.0` and `1e3`
/// are `float64`, `'a'` is the `int` 97.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Number {
    Int(i64),
    Float(f64),
    /// An integer past `int`: as in Go, an error only if it runs.
    Overflow,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    Function(Func),
    Dot,
    Nil,
    Bool(bool),
    Number(Number),
    Text(String),
    /// `$name.field.field`
    Variable(String, Vec<String>),
    /// `.field.field`
    Field(Vec<String>),
    /// `(pipeline).field`
    Pipeline(Box<Pipeline>, Vec<String>),
}

/// Operands separated by spaces; the first is the function, if any.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Command {
    pub operands: Vec<Operand>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Pipeline {
    /// `$x :=` (or `$i, $x :=` in a range) or, with `assigns`, `$x =`.
    pub variables: Vec<String>,
    pub assigns: bool,
    pub commands: Vec<Command>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Branch {
    pub pipeline: Pipeline,
    pub then: Vec<Node>,
    pub otherwise: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct IfChain {
    pub arms: Vec<(Pipeline, Vec<Node>)>,
    pub otherwise: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Text(String),
    Action(Pipeline),
    /// `if`, its `else if`s (as many as there are, without nesting), `else`.
    If(IfChain),
    With(Branch),
    Range(Branch),
    Break,
    Continue,
}

/// Go's built-in functions and Prometheus's, resolved when parsing (so
/// running one is a jump, not a comparison of names).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Func {
    And,
    Or,
    Not,
    Len,
    Index,
    Slice,
    Print,
    Printf,
    Println,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Html,
    Js,
    Urlquery,
    Call,
    Query,
    First,
    Label,
    Value,
    Strvalue,
    Args,
    ReReplaceAll,
    SafeHtml,
    Match,
    Title,
    ToUpper,
    ToLower,
    GraphLink,
    TableLink,
    SortByLabel,
    Humanize,
    Humanize1024,
    HumanizeDuration,
    HumanizePercentage,
    HumanizeTimestamp,
    ToTime,
    PathPrefix,
    ExternalUrl,
    ParseDuration,
    StripPort,
    StripDomain,
}

/// Each function's name in templates.
pub(crate) const FUNCTIONS: [(&str, Func); 45] = [
    ("and", Func::And),
    ("or", Func::Or),
    ("not", Func::Not),
    ("len", Func::Len),
    ("index", Func::Index),
    ("slice", Func::Slice),
    ("print", Func::Print),
    ("printf", Func::Printf),
    ("println", Func::Println),
    ("eq", Func::Eq),
    ("ne", Func::Ne),
    ("lt", Func::Lt),
    ("le", Func::Le),
    ("gt", Func::Gt),
    ("ge", Func::Ge),
    ("html", Func::Html),
    ("js", Func::Js),
    ("urlquery", Func::Urlquery),
    ("call", Func::Call),
    ("query", Func::Query),
    ("first", Func::First),
    ("label", Func::Label),
    ("value", Func::Value),
    ("strvalue", Func::Strvalue),
    ("args", Func::Args),
    ("reReplaceAll", Func::ReReplaceAll),
    ("safeHtml", Func::SafeHtml),
    ("match", Func::Match),
    ("title", Func::Title),
    ("toUpper", Func::ToUpper),
    ("toLower", Func::ToLower),
    ("graphLink", Func::GraphLink),
    ("tableLink", Func::TableLink),
    ("sortByLabel", Func::SortByLabel),
    ("humanize", Func::Humanize),
    ("humanize1024", Func::Humanize1024),
    ("humanizeDuration", Func::HumanizeDuration),
    ("humanizePercentage", Func::HumanizePercentage),
    ("humanizeTimestamp", Func::HumanizeTimestamp),
    ("toTime", Func::ToTime),
    ("pathPrefix", Func::PathPrefix),
    ("externalURL", Func::ExternalUrl),
    ("parseDuration", Func::ParseDuration),
    ("stripPort", Func::StripPort),
    ("stripDomain", Func::StripDomain),
];

impl Func {
    pub fn name(self) -> &'static str {
        FUNCTIONS
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("?", |(name, _)| name)
    }
}

/// The variables Prometheus declares before every alert template.
pub(crate) const PREDECLARED: [&str; 5] =
    ["$", "$labels", "$externalLabels", "$externalURL", "$value"];

enum Token {
    Text(String),
    Open,
    Close,
    Space,
    Identifier(String),
    Dot,
    Field(String),
    Variable(String),
    Quoted(String),
    Number(Number),
    OpenParen,
    CloseParen,
    Bar,
    Declare,
    Assign,
    Comma,
}

const SPACE: [char; 4] = [' ', '\t', '\r', '\n'];

fn is_space(c: char) -> bool {
    SPACE.contains(&c)
}

fn is_word(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Splits a template into tokens, as Go's lexer does: `{{- ` trims the white
/// space before it and ` -}}` the white space after it; a comment must touch
/// its delimiters.
fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut trim_next = false;
    loop {
        let open = rest.find("{{");
        let mut literal = &rest[..open.unwrap_or(rest.len())];
        if trim_next {
            literal = literal.trim_start_matches(SPACE);
        }
        let Some(open) = open else {
            if !literal.is_empty() {
                out.push(Token::Text(literal.to_string()));
            }
            return Ok(out);
        };
        let mut after = &rest[open + 2..];
        let trims = after.starts_with('-') && after[1..].starts_with(SPACE);
        if trims {
            literal = literal.trim_end_matches(SPACE);
            after = &after[2..];
        }
        if !literal.is_empty() {
            out.push(Token::Text(literal.to_string()));
        }
        if let Some(comment) = after.strip_prefix("/*") {
            let end = comment.find("*/").ok_or("a comment is never closed")?;
            let tail = &comment[end + 2..];
            let trims = tail.starts_with(SPACE) && tail[1..].starts_with("-}}");
            rest = if trims {
                &tail[4..]
            } else {
                tail.strip_prefix("}}")
                    .ok_or("a comment ends before its closing \"}}\"")?
            };
            trim_next = trims;
            continue;
        }
        out.push(Token::Open);
        let (consumed, trims_after) = action_tokens(after, &mut out)?;
        out.push(Token::Close);
        rest = &after[consumed..];
        trim_next = trims_after;
    }
}

/// The tokens of one action up to and including its `}}`: how many bytes
/// that was, and whether it ended with ` -}}`.
fn action_tokens(text: &str, out: &mut Vec<Token>) -> Result<(usize, bool), String> {
    let bytes = text.as_bytes();
    let mut at = 0;
    let mut parens = 0usize;
    let word_end = |from: usize| {
        text[from..]
            .char_indices()
            .find(|(_, c)| !is_word(*c))
            .map_or(text.len(), |(i, _)| from + i)
    };
    loop {
        let rest = &text[at..];
        if rest.starts_with("}}") {
            if parens > 0 {
                return Err("unclosed \"(\" in an action".into());
            }
            return Ok((at + 2, false));
        }
        let Some(c) = rest.chars().next() else {
            return Err("an action \"{{\" is never closed".into());
        };
        if is_space(c) {
            let spaces = rest.len() - rest.trim_start_matches(SPACE).len();
            let after = &rest[spaces..];
            if after.starts_with("-}}") {
                if parens > 0 {
                    return Err("unclosed \"(\" in an action".into());
                }
                return Ok((at + spaces + 3, true));
            }
            out.push(Token::Space);
            at += spaces;
            continue;
        }
        match c {
            '|' => {
                out.push(Token::Bar);
                at += 1;
            }
            ',' => {
                out.push(Token::Comma);
                at += 1;
            }
            '(' => {
                parens += 1;
                out.push(Token::OpenParen);
                at += 1;
            }
            ')' => {
                parens = parens.checked_sub(1).ok_or("unexpected \")\"")?;
                out.push(Token::CloseParen);
                at += 1;
            }
            '=' => {
                out.push(Token::Assign);
                at += 1;
            }
            ':' => {
                if !rest.starts_with(":=") {
                    return Err("expected \":=\" after \":\"".into());
                }
                out.push(Token::Declare);
                at += 2;
            }
            '"' => {
                let (value, length) = quoted(rest)?;
                out.push(Token::Quoted(value));
                at += length;
            }
            '`' => {
                let end = rest[1..].find('`').ok_or("an unterminated raw string")?;
                out.push(Token::Quoted(rest[1..1 + end].replace('\r', "")));
                at += end + 2;
            }
            '\'' => {
                let (value, length) = character(rest)?;
                out.push(Token::Number(Number::Int(value)));
                at += length;
            }
            '$' => {
                let end = word_end(at + 1);
                out.push(Token::Variable(text[at..end].to_string()));
                at = end;
            }
            '.' if bytes.get(at + 1).is_some_and(u8::is_ascii_digit) => {
                at += number(rest, out)?;
            }
            '.' => {
                let end = word_end(at + 1);
                if end == at + 1 {
                    out.push(Token::Dot);
                } else {
                    out.push(Token::Field(text[at + 1..end].to_string()));
                }
                at = end;
            }
            '+' | '-' | '0'..='9' => {
                at += number(rest, out)?;
            }
            c if is_word(c) => {
                let end = word_end(at);
                out.push(Token::Identifier(text[at..end].to_string()));
                at = end;
            }
            other => return Err(format!("unrecognized character in action: {other:?}")),
        }
    }
}

/// A number as Go's lexer scans it (sign, base prefix, `_`, fraction,
/// exponent), then as Go's parser reads it.
fn number(text: &str, out: &mut Vec<Token>) -> Result<usize, String> {
    let bytes = text.as_bytes();
    let mut at = 0;
    if matches!(bytes.first(), Some(b'+' | b'-')) {
        at += 1;
    }
    let mut hex = false;
    if bytes.get(at) == Some(&b'0')
        && matches!(
            bytes.get(at + 1),
            Some(b'x' | b'X' | b'o' | b'O' | b'b' | b'B')
        )
    {
        hex = matches!(bytes[at + 1], b'x' | b'X');
        at += 2;
    }
    let digit = |b: u8| b == b'_' || b.is_ascii_digit() || (hex && b.is_ascii_hexdigit());
    while bytes.get(at).copied().is_some_and(digit) {
        at += 1;
    }
    if bytes.get(at) == Some(&b'.') {
        at += 1;
        while bytes.get(at).copied().is_some_and(digit) {
            at += 1;
        }
    }
    if !hex && matches!(bytes.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(bytes.get(at), Some(b'+' | b'-')) {
            at += 1;
        }
        while bytes.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
    }
    let written = &text[..at];
    if text[at..].chars().next().is_some_and(is_word) || at == 0 {
        let shown: String = text.chars().take(at + 1).collect();
        return Err(format!("bad number syntax: {shown:?}"));
    }
    out.push(Token::Number(read_number(written)?));
    Ok(at)
}

fn read_number(written: &str) -> Result<Number, String> {
    let bad = || format!("bad number syntax: {written:?}");
    let (negative, unsigned) = match written.as_bytes()[0] {
        b'-' => (true, &written[1..]),
        b'+' => (false, &written[1..]),
        _ => (false, written),
    };
    if unsigned.is_empty() || unsigned.starts_with('_') || unsigned.ends_with('_') {
        return Err(bad());
    }
    let lower = unsigned.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') && lower.bytes().all(|b| b.is_ascii_digit())
    {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    let digits = digits.replace('_', "");
    if radix == 10 && digits.contains(['.', 'e']) {
        let value = crate::foundation::float_text::parse_f64(&digits)
            .filter(|v| v.is_finite())
            .ok_or_else(bad)?;
        return Ok(Number::Float(if negative { -value } else { value }));
    }
    let magnitude = u64::from_str_radix(&digits, radix).map_err(|_| bad())?;
    let value = if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    };
    Ok(value.map_or(Number::Overflow, Number::Int))
}

/// One escape of a Go string or character literal, after its `\`.
fn escape(chars: &mut std::str::Chars, quote: char) -> Result<char, String> {
    let bad = || "a bad escape in a string".to_string();
    let hex = |chars: &mut std::str::Chars, count: usize| -> Result<char, String> {
        let digits: String = chars.by_ref().take(count).collect();
        if digits.len() != count || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        u32::from_str_radix(&digits, 16)
            .ok()
            .and_then(char::from_u32)
            .ok_or_else(bad)
    };
    Ok(match chars.next().ok_or_else(bad)? {
        'a' => '\u{7}',
        'b' => '\u{8}',
        'f' => '\u{c}',
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        'v' => '\u{b}',
        '\\' => '\\',
        // Go writes these as bytes; above 0x7f that is not UTF-8 text.
        'x' => Some(hex(chars, 2)?)
            .filter(char::is_ascii)
            .ok_or_else(bad)?,
        'u' => hex(chars, 4)?,
        'U' => hex(chars, 8)?,
        c @ '0'..='7' => {
            let rest: String = chars.by_ref().take(2).collect();
            let value = u32::from_str_radix(&format!("{c}{rest}"), 8).map_err(|_| bad())?;
            if rest.len() != 2 || value > 0x7f {
                return Err(bad());
            }
            char::from_u32(value).ok_or_else(bad)?
        }
        c if c == quote => c,
        _ => return Err(bad()),
    })
}

/// A `"…"` string: its value and its length in the template.
fn quoted(text: &str) -> Result<(String, usize), String> {
    let mut chars = text[1..].chars();
    let mut value = String::new();
    loop {
        match chars.next() {
            None | Some('\n') => return Err("an unterminated quoted string".into()),
            Some('"') => return Ok((value, text.len() - chars.as_str().len())),
            Some('\\') => value.push(escape(&mut chars, '"')?),
            Some(c) => value.push(c),
        }
    }
}

/// A `'…'` character constant: its code point and its length.
fn character(text: &str) -> Result<(i64, usize), String> {
    let mut chars = text[1..].chars();
    let c = match chars.next() {
        Some('\\') => escape(&mut chars, '\'')?,
        Some(c) if c != '\'' && c != '\n' => c,
        _ => return Err("a bad character constant".into()),
    };
    if chars.next() != Some('\'') {
        return Err("an unterminated character constant".into());
    }
    Ok((c as i64, text.len() - chars.as_str().len()))
}

/// What ended a list of nodes.
enum ListEnd {
    Eof,
    End,
    Else,
    ElseIf,
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    /// Declared variables, innermost last; a block's own are dropped at its end.
    variables: Vec<String>,
    depth: usize,
    ranges: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        // Each token is read once: taken, not copied.
        let token = self
            .tokens
            .get_mut(self.at)
            .map(|t| std::mem::replace(t, Token::Space));
        self.at += 1;
        token
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(Token::Space)) {
            self.at += 1;
        }
    }

    fn expect_close(&mut self) -> Result<(), String> {
        self.skip_space();
        match self.next() {
            Some(Token::Close) => Ok(()),
            _ => Err("unexpected input after a keyword".into()),
        }
    }

    fn enter(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_TEMPLATE_NESTING {
            return Err(format!(
                "blocks and parentheses nest more than {MAX_TEMPLATE_NESTING} deep"
            ));
        }
        Ok(())
    }

    fn list(&mut self) -> Result<(Vec<Node>, ListEnd), String> {
        let mut nodes = Vec::new();
        loop {
            match self.next() {
                None => return Ok((nodes, ListEnd::Eof)),
                Some(Token::Text(text)) => nodes.push(Node::Text(text)),
                Some(Token::Open) => {
                    self.skip_space();
                    let keyword = match self.peek() {
                        Some(Token::Identifier(word)) => word.clone(),
                        _ => String::new(),
                    };
                    match keyword.as_str() {
                        "end" => {
                            self.at += 1;
                            self.expect_close()?;
                            return Ok((nodes, ListEnd::End));
                        }
                        "else" => {
                            self.at += 1;
                            self.skip_space();
                            if let Some(Token::Identifier(word)) = self.peek() {
                                if word == "if" {
                                    self.at += 1;
                                    return Ok((nodes, ListEnd::ElseIf));
                                }
                                return Err("only {{else if}} is read after {{else}}".into());
                            }
                            self.expect_close()?;
                            return Ok((nodes, ListEnd::Else));
                        }
                        "if" | "with" | "range" => {
                            self.at += 1;
                            nodes.push(self.control(&keyword)?);
                        }
                        "break" | "continue" => {
                            self.at += 1;
                            if self.ranges == 0 {
                                return Err(
                                    "{{break}} and {{continue}} belong inside {{range}}".into()
                                );
                            }
                            self.expect_close()?;
                            nodes.push(if keyword == "break" {
                                Node::Break
                            } else {
                                Node::Continue
                            });
                        }
                        "define" | "template" | "block" => {
                            return Err(
                                "named templates (define, template, block) are not supported"
                                    .into(),
                            )
                        }
                        _ => {
                            let pipeline = self.pipeline("command", false)?;
                            nodes.push(Node::Action(pipeline));
                        }
                    }
                }
                Some(_) => return Err("unexpected input in an action".into()),
            }
        }
    }

    /// `if`, `with` or `range` after its keyword, up to its `{{end}}`.
    fn control(&mut self, keyword: &str) -> Result<Node, String> {
        self.enter()?;
        let mark = self.variables.len();
        let mut arms = Vec::new();
        let end = loop {
            let pipeline = self.pipeline(keyword, keyword == "range")?;
            if keyword == "range" {
                self.ranges += 1;
            }
            let (then, end) = self.list()?;
            if keyword == "range" {
                self.ranges -= 1;
            }
            arms.push((pipeline, then));
            // `{{else if …}}` is one more arm of the same `if`, ended by the
            // same `{{end}}` (read in a loop: a long chain does not recurse).
            match end {
                ListEnd::ElseIf if keyword == "if" => continue,
                other => break other,
            };
        };
        let otherwise = match end {
            ListEnd::Eof => return Err("a block has no {{end}}".into()),
            ListEnd::End => Vec::new(),
            // Prometheus 2.42's Go reads `{{else if …}}` only after `if`.
            ListEnd::ElseIf => {
                return Err("unexpected {{else if}} after {{with}} or {{range}}".into())
            }
            ListEnd::Else => {
                let (otherwise, end) = self.list()?;
                if !matches!(end, ListEnd::End) {
                    return Err("a block has no {{end}}".into());
                }
                otherwise
            }
        };
        self.variables.truncate(mark);
        self.depth -= 1;
        if keyword == "if" {
            return Ok(Node::If(IfChain { arms, otherwise }));
        }
        let (pipeline, then) = arms.pop().expect("one arm");
        let branch = Branch {
            pipeline,
            then,
            otherwise,
        };
        Ok(match keyword {
            "with" => Node::With(branch),
            _ => Node::Range(branch),
        })
    }

    /// A pipeline up to `}}` (or `)` inside parentheses), with its declaration.
    fn pipeline(&mut self, context: &str, in_range: bool) -> Result<Pipeline, String> {
        self.skip_space();
        let mut pipeline = Pipeline::default();
        let start = self.at;
        let mut names = Vec::new();
        let mut declared = false;
        // Read without taking: a pipeline that turns out not to declare
        // is read again from its start.
        while let Some(Token::Variable(name)) = self.peek() {
            let name = name.clone();
            self.at += 1;
            self.skip_space();
            match self.peek() {
                Some(Token::Declare | Token::Assign) => {
                    pipeline.assigns = matches!(self.peek(), Some(Token::Assign));
                    self.at += 1;
                    names.push(name);
                    declared = true;
                    break;
                }
                Some(Token::Comma) if in_range && names.is_empty() => {
                    self.at += 1;
                    self.skip_space();
                    names.push(name);
                }
                _ => break,
            }
        }
        if declared {
            if names.len() > 1 && !in_range {
                return Err("too many declarations".into());
            }
            pipeline.variables = names;
        } else if !names.is_empty() {
            return Err("only range can declare two variables".into());
        } else {
            self.at = start;
        }
        loop {
            self.skip_space();
            match self.peek() {
                Some(Token::Close) => {
                    self.at += 1;
                    break;
                }
                Some(Token::CloseParen) if context == "parenthesized pipeline" => {
                    self.at += 1;
                    break;
                }
                _ => {}
            }
            let command = self.command()?;
            pipeline.commands.push(command);
            self.skip_space();
            match self.peek() {
                Some(Token::Bar) => {
                    self.at += 1;
                }
                Some(Token::Close | Token::CloseParen) => {}
                _ => return Err("unexpected input in a pipeline".into()),
            }
        }
        if pipeline.commands.is_empty() {
            return Err("missing value for a command".into());
        }
        for (stage, command) in pipeline.commands.iter().enumerate().skip(1) {
            if matches!(
                command.operands[0],
                Operand::Bool(_)
                    | Operand::Dot
                    | Operand::Nil
                    | Operand::Number(_)
                    | Operand::Text(_)
            ) {
                return Err(format!(
                    "non executable command in pipeline stage {}",
                    stage + 1
                ));
            }
        }
        // As in Go, `$x = …` of an undeclared `$x` is an error only when it runs.
        self.variables.extend(pipeline.variables.iter().cloned());
        Ok(pipeline)
    }

    fn command(&mut self) -> Result<Command, String> {
        let mut operands = Vec::new();
        loop {
            self.skip_space();
            match self.peek() {
                None | Some(Token::Close | Token::CloseParen | Token::Bar) => break,
                _ => {}
            }
            operands.push(self.operand()?);
            match self.peek() {
                Some(Token::Space | Token::Close | Token::CloseParen | Token::Bar) => {}
                _ => return Err("unexpected input after an operand".into()),
            }
        }
        if operands.is_empty() {
            return Err("missing value for command".into());
        }
        Ok(Command { operands })
    }

    fn fields(&mut self) -> Vec<String> {
        let mut fields = Vec::new();
        while let Some(Token::Field(name)) = self.peek() {
            fields.push(name.clone());
            self.at += 1;
        }
        fields
    }

    fn operand(&mut self) -> Result<Operand, String> {
        let token = self.next().ok_or("an action is never closed")?;
        let operand = match token {
            Token::Identifier(word) => match word.as_str() {
                "true" => Operand::Bool(true),
                "false" => Operand::Bool(false),
                "nil" => Operand::Nil,
                // Links into Prometheus's own web page, which Foresight is not.
                "graphLink" | "tableLink" => {
                    return Err(format!(
                        "{word}: not supported (it links to Prometheus's /graph page)"
                    ))
                }
                _ => match FUNCTIONS.iter().find(|(name, _)| *name == word) {
                    Some((_, function)) => Operand::Function(*function),
                    None => return Err(format!("function {word:?} not defined")),
                },
            },
            Token::Dot => Operand::Dot,
            Token::Field(name) => {
                let mut fields = vec![name];
                fields.extend(self.fields());
                return Ok(Operand::Field(fields));
            }
            Token::Variable(name) => {
                if !self.variables.contains(&name) {
                    return Err(format!("undefined variable {name:?}"));
                }
                Operand::Variable(name, self.fields())
            }
            Token::Quoted(text) => Operand::Text(text),
            Token::Number(number) => Operand::Number(number),
            Token::OpenParen => {
                self.enter()?;
                let inner = self.pipeline("parenthesized pipeline", false)?;
                self.depth -= 1;
                Operand::Pipeline(Box::new(inner), self.fields())
            }
            _ => return Err("unexpected input in an operand".into()),
        };
        if matches!(self.peek(), Some(Token::Field(_))) {
            return Err("a field can follow only a variable, a field or a parenthesis".into());
        }
        Ok(operand)
    }
}

/// Parses a whole template.
pub(crate) fn parse(text: &str) -> Result<Vec<Node>, String> {
    if text.len() > MAX_TEMPLATE_CHARS {
        return Err(format!(
            "a template is longer than {} KiB",
            MAX_TEMPLATE_CHARS / 1024
        ));
    }
    let mut parser = Parser {
        tokens: tokens(text)?,
        at: 0,
        variables: PREDECLARED.iter().map(|v| v.to_string()).collect(),
        depth: 0,
        ranges: 0,
    };
    match parser.list()? {
        (nodes, ListEnd::Eof) => Ok(nodes),
        (_, ListEnd::End) => Err("unexpected {{end}}".into()),
        (_, _) => Err("unexpected {{else}}".into()),
    }
}
