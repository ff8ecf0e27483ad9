//! `match` and `reReplaceAll`: Go's RE2 regular expressions, run by
//! `regex-lite` (the same RE2 syntax, and time linear in the text for a
//! given pattern), with Go's `ReplaceAllString` loop and `$1`/`${name}`
//! expansion written out here so that empty matches and odd references are
//! replaced exactly as Go replaces them.
//!
//! A pattern comes from whoever wrote the rule: it is compiled with a size
//! cap (so `(a{100}){100}` is refused rather than grown), and the caller
//! bounds how much text the expressions of one rendering read.

use crate::foundation::limits::MAX_TEMPLATE_OUTPUT_BYTES;
use regex_lite::{Captures, Regex, RegexBuilder};

/// Compiled size one pattern may take: under it, the slowest patterns read
/// 16 KiB of text in about 50 ms.
const MAX_COMPILED_BYTES: usize = 16 * 1024;

/// Syntax regex-lite takes and Go's regexp (Go 1.19, as in Prometheus 2.42)
/// refuses: `(?<name>`, flags other than `i m s U`, a repetition of a
/// repetition (`a**`, `a*{2}`; `a*?` is lazy, not nested) and counts above
/// 1000. Returns the pattern for regex-lite: a `{` that starts no repetition
/// is text to Go (`x{a}`), and is escaped.
fn translate_from_go(pattern: &str) -> Result<String, String> {
    let unsupported = |what: &str| Err(format!("error parsing regexp: {what}"));
    let bytes = pattern.as_bytes();
    let mut at = 0;
    let mut in_class = false;
    // After a repetition (`*`, `+`, `?`, `{n,m}`), and whether a lazy `?` followed it.
    let mut after_repeat = false;
    let mut lazy = false;
    let mut translated = String::with_capacity(pattern.len());
    let mut copied = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        let mut repeat = false;
        match byte {
            b'\\' => at += 1,
            b'[' if !in_class => in_class = true,
            b']' if in_class => in_class = false,
            _ if in_class => {}
            b'(' if bytes.get(at + 1) == Some(&b'?') => {
                let rest = &pattern[at + 2..];
                if rest.starts_with('<') {
                    return unsupported("invalid or unsupported Perl syntax: `(?<`");
                }
                if !rest.starts_with("P<") {
                    let flags = rest.split([':', ')']).next().unwrap_or("");
                    if !flags.chars().all(|c| "imsU-".contains(c)) {
                        return unsupported("invalid or unsupported Perl syntax: `(?`");
                    }
                }
            }
            b'*' | b'+' | b'?' => repeat = true,
            b'{' => {
                // `{n}`, `{n,}` or `{n,m}` is a repetition; other braces are text.
                let inside = pattern[at + 1..].split('}').next().unwrap_or("");
                let closed = pattern[at + 1..].contains('}');
                let (low, high) = inside.split_once(',').unwrap_or((inside, inside));
                let number =
                    |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
                if closed && number(low) && (high.is_empty() || number(high)) {
                    let too_many =
                        |text: &str| text.len() > 4 || text.parse::<u32>().unwrap_or(0) > 1000;
                    if too_many(low) || too_many(high) {
                        return unsupported("invalid repeat count");
                    }
                    repeat = true;
                    at += inside.len() + 1;
                } else {
                    translated.push_str(&pattern[copied..at]);
                    translated.push('\\');
                    copied = at;
                }
            }
            _ => {}
        }
        if repeat {
            // One `?` right after a repetition makes it lazy; anything more nests.
            if after_repeat && (byte != b'?' || lazy) {
                return unsupported("invalid nested repetition operator");
            }
            lazy = after_repeat;
            after_repeat = true;
        } else {
            after_repeat = false;
            lazy = false;
        }
        at += 1;
    }
    translated.push_str(&pattern[copied..]);
    Ok(translated)
}

fn compile(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(&translate_from_go(pattern)?)
        .size_limit(MAX_COMPILED_BYTES)
        .nest_limit(64)
        .build()
        .map_err(|e| format!("error parsing regexp: {e}"))
}

/// Go's `regexp.MatchString`: anywhere in the text.
pub(crate) fn is_match(pattern: &str, text: &str) -> Result<bool, String> {
    Ok(compile(pattern)?.is_match(text))
}

/// Go's `Regexp.ReplaceAllString`, stopped as soon as the result passes the
/// output cap (a long replacement at every empty match would be gigabytes).
pub(crate) fn replace_all(pattern: &str, replacement: &str, text: &str) -> Result<String, String> {
    let regex = compile(pattern)?;
    let mut out = String::new();
    let mut last_end = 0;
    let mut search = 0;
    while search <= text.len() {
        let Some(captures) = regex.captures_at(text, search) else {
            break;
        };
        let whole = captures.get(0).map_or(search..search, |m| m.range());
        out.push_str(&text[last_end..whole.start]);
        // Not for an empty match right after another match, as in Go.
        if whole.end > last_end || whole.start == 0 {
            expand(&regex, &captures, replacement, &mut out);
        }
        last_end = whole.end;
        let width = text[search..].chars().next().map_or(1, char::len_utf8);
        search = if search + width > whole.end {
            search + width
        } else {
            whole.end
        };
        if out.len() > MAX_TEMPLATE_OUTPUT_BYTES {
            return Err(format!(
                "reReplaceAll: the result is longer than {} KiB",
                MAX_TEMPLATE_OUTPUT_BYTES / 1024
            ));
        }
    }
    out.push_str(&text[last_end..]);
    Ok(out)
}

/// Go's `Regexp.expand`: `$$` is `$`, `$name` and `${name}` the group of that
/// number or name (empty when there is none), and a `$` that starts no name
/// is itself.
fn expand(regex: &Regex, captures: &Captures, template: &str, out: &mut String) {
    let mut rest = template;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        rest = &rest[dollar..];
        if rest[1..].starts_with('$') {
            out.push('$');
            rest = &rest[2..];
            continue;
        }
        let Some((name, after)) = reference(rest) else {
            out.push('$');
            rest = &rest[1..];
            continue;
        };
        rest = after;
        let group = match group_number(name) {
            Some(number) => captures.get(number),
            None => regex
                .capture_names()
                .position(|n| n == Some(name))
                .and_then(|index| captures.get(index)),
        };
        if let Some(group) = group {
            out.push_str(group.as_str());
        }
    }
    out.push_str(rest);
}

/// The name after `$` (`$name`, `${name}`): letters, digits and `_`; and
/// what follows it.
fn reference(text: &str) -> Option<(&str, &str)> {
    let after = &text[1..];
    let (braced, inner) = match after.strip_prefix('{') {
        Some(inner) => (true, inner),
        None => (false, after),
    };
    let end = inner
        .char_indices()
        .find(|&(_, c)| !(c.is_alphabetic() || c.is_numeric() || c == '_'))
        .map_or(inner.len(), |(index, _)| index);
    if end == 0 {
        return None;
    }
    let (name, rest) = inner.split_at(end);
    if braced {
        return rest.strip_prefix('}').map(|rest| (name, rest));
    }
    Some((name, rest))
}

/// A group's number, as Go reads one: decimal digits without a leading zero.
fn group_number(name: &str) -> Option<usize> {
    if !name.bytes().all(|b| b.is_ascii_digit())
        || (name.len() > 1 && name.starts_with('0'))
        || name.len() > 8
    {
        return None;
    }
    name.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_as_go_does() {
        for (pattern, replacement, text, expected) in [
            ("(.*):.*", "$1", "db1.example:5432", "db1.example"),
            ("a*", "-", "baaac", "-b-c-"),
            ("", "-", "ab", "-a-b-"),
            (
                "(?P<host>[^:]+):(?P<port>\\d+)",
                "${port}/${host}",
                "h:80",
                "80/h",
            ),
            ("(a)", "$1x", "a", ""),
            ("(a)", "${1}x", "a", "ax"),
            ("(a)", "$$1 $ $- $9", "a", "$1 $ $- "),
            ("(a)", "$01", "a", ""),
            ("x", "y", "", ""),
            ("é", "e", "café é", "cafe e"),
        ] {
            assert_eq!(
                replace_all(pattern, replacement, text).as_deref(),
                Ok(expected),
                "{pattern} {replacement} {text}"
            );
        }
    }

    #[test]
    fn matches_anywhere_and_refuses_what_go_refuses() {
        assert_eq!(is_match("^db", "db1"), Ok(true));
        assert_eq!(is_match("b", "abc"), Ok(true));
        assert_eq!(is_match("^b", "abc"), Ok(false));
        for pattern in [
            "[",
            "(?<n>a)",
            "(?x)a",
            "(a{100}){100}",
            "a**",
            "a*{2}",
            "a{2}*",
            "a*??",
            "a{1001}",
        ] {
            assert!(is_match(pattern, "a").is_err(), "{pattern}");
        }
        assert_eq!(is_match("(?P<n>a)", "a"), Ok(true));
        assert_eq!(is_match("(?i)A", "a"), Ok(true));
        assert_eq!(is_match("[(?<]", "<"), Ok(true));
        assert_eq!(is_match("a*?b", "aab"), Ok(true));
        assert_eq!(is_match("a{2}b{1,}c{1,3}", "aabc"), Ok(true));
        assert_eq!(is_match("x{a}", "x{a}"), Ok(true));
    }

    #[test]
    fn a_replacement_cannot_grow_without_bound() {
        let text = "a".repeat(4000);
        assert!(replace_all("", "0123456789", &text)
            .unwrap_err()
            .contains("longer than"));
    }
}
