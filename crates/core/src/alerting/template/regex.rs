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

/// Go's regexp syntax (Go 1.19, as in Prometheus 2.42) written for
/// regex-lite, or refused where the two would read it differently:
/// - refused, as Go refuses them: `(?<name>`, a capture name other than
///   ASCII letters, digits and `_`, flags other than `i m s U`, a repetition
///   of a repetition (`a**`, `a*{2}`; `a*?` is lazy, not nested) and counts
///   above 1000;
/// - refused, because regex-lite reads them otherwise: `--`, `&&` and `~~` in
///   a class (set operations to regex-lite, text to Go) and `\S` in a class;
/// - rewritten: a `{` that starts no count (`x{a}`, `a{01}`) is text;
///   `\s` is Go's `[\t\n\f\r ]` (regex-lite's also takes `\v`); `\<` and
///   `\>` are the characters (word boundaries to regex-lite).
fn translate_from_go(pattern: &str) -> Result<String, String> {
    let unsupported = |what: &str| Err(format!("error parsing regexp: {what}"));
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut rest = pattern;
    let mut in_class = false;
    // After a repetition (`*`, `+`, `?`, `{n,m}`), and whether a lazy `?` followed it.
    let mut after_repeat = false;
    let mut lazy = false;
    while let Some(c) = rest.chars().next() {
        let mut repeat = false;
        let mut taken = c.len_utf8();
        match c {
            '\\' => {
                let Some(escaped) = rest[1..].chars().next() else {
                    // A pattern ending in `\`: regex-lite says what is wrong.
                    out.push('\\');
                    break;
                };
                taken += escaped.len_utf8();
                match escaped {
                    // `\x{41}`, `\p{Greek}`: the braces belong to the escape.
                    'x' | 'p' | 'P' if rest[2..].starts_with('{') => {
                        let end = rest.find('}').map_or(rest.len(), |end| end + 1);
                        out.push_str(&rest[..end]);
                        rest = &rest[end..];
                        after_repeat = false;
                        lazy = false;
                        continue;
                    }
                    's' if in_class => out.push_str("\\t\\n\\f\\r "),
                    's' => out.push_str("[\\t\\n\\f\\r ]"),
                    'S' if in_class => return unsupported("\\S inside a class is not supported"),
                    'S' => out.push_str("[^\\t\\n\\f\\r ]"),
                    '<' | '>' => out.push(escaped),
                    _ => out.push_str(&rest[..taken]),
                }
            }
            '[' if !in_class => {
                in_class = true;
                // `^` and a first `]` belong to the class.
                let mut start = 1;
                if rest[start..].starts_with('^') {
                    start += 1;
                }
                if rest[start..].starts_with(']') {
                    start += 1;
                }
                taken = start;
                out.push_str(&rest[..taken]);
            }
            '[' if rest.starts_with("[:") => {
                // `[:alpha:]` inside a class.
                taken = rest.find(":]").map_or(1, |end| end + 2);
                out.push_str(&rest[..taken]);
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            _ if in_class => {
                if rest.starts_with("--") || rest.starts_with("&&") || rest.starts_with("~~") {
                    return unsupported("`--`, `&&` and `~~` in a class are not supported");
                }
                out.push(c);
            }
            '(' if rest[1..].starts_with('?') => {
                let after = &rest[2..];
                if after.starts_with('<') {
                    return unsupported("invalid or unsupported Perl syntax: `(?<`");
                }
                if let Some(named) = after.strip_prefix("P<") {
                    let name = named.split('>').next().unwrap_or("");
                    if name.is_empty()
                        || name.len() == named.len()
                        || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                    {
                        return unsupported("invalid named capture");
                    }
                } else {
                    let flags = after.split([':', ')']).next().unwrap_or("");
                    if !flags.chars().all(|c| "imsU-".contains(c)) {
                        return unsupported("invalid or unsupported Perl syntax: `(?`");
                    }
                }
                out.push(c);
            }
            '*' | '+' | '?' => {
                repeat = true;
                out.push(c);
            }
            '{' => {
                // `{n}`, `{n,}` or `{n,m}` (Go's numbers: no leading zero) is
                // a repetition; other braces are text.
                let inside = rest[1..].split('}').next().unwrap_or("");
                let closed = rest[1..].contains('}');
                let (low, high) = inside.split_once(',').unwrap_or((inside, inside));
                let number = |text: &str| {
                    !text.is_empty()
                        && text.bytes().all(|b| b.is_ascii_digit())
                        && !(text.len() > 1 && text.starts_with('0'))
                };
                if closed && number(low) && (high.is_empty() || number(high)) {
                    let too_many =
                        |text: &str| text.len() > 4 || text.parse::<u32>().unwrap_or(0) > 1000;
                    if too_many(low) || too_many(high) {
                        return unsupported("invalid repeat count");
                    }
                    repeat = true;
                    taken = inside.len() + 2;
                    out.push_str(&rest[..taken]);
                } else {
                    out.push_str("\\{");
                }
            }
            _ => out.push(c),
        }
        if repeat {
            // One `?` right after a repetition makes it lazy; anything more nests.
            if after_repeat && (c != '?' || lazy) {
                return unsupported("invalid nested repetition operator");
            }
            lazy = after_repeat;
            after_repeat = true;
        } else {
            after_repeat = false;
            lazy = false;
        }
        rest = &rest[taken.min(rest.len())..];
    }
    Ok(out)
}

fn compile(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(&translate_from_go(pattern)?)
        .size_limit(MAX_COMPILED_BYTES)
        .nest_limit(64)
        .build()
        .map_err(|e| format!("error parsing regexp: {e}"))
}

/// Spends `bytes` of a rendering's budget of text read by regular expressions.
fn spend(budget: &mut usize, bytes: usize) -> Result<(), String> {
    *budget = budget
        .checked_sub(bytes)
        .ok_or("regular expressions read more text than allowed (256 KiB per template and per rule evaluation)")?;
    Ok(())
}

/// Go's `regexp.MatchString`: anywhere in the text. `budget`: bytes the
/// rendering's expressions may still read (see [`replace_all`]).
pub(crate) fn is_match(pattern: &str, text: &str, budget: &mut usize) -> Result<bool, String> {
    spend(budget, pattern.len() + text.len())?;
    Ok(compile(pattern)?.is_match(text))
}

/// Go's `Regexp.ReplaceAllString`, stopped as soon as the result passes the
/// output cap (a long replacement at every empty match would be gigabytes).
/// Each search may read the rest of the text (Go's loop too: a pattern such
/// as `a(.*z)?` makes it quadratic), so every search spends what it may read.
pub(crate) fn replace_all(
    pattern: &str,
    replacement: &str,
    text: &str,
    budget: &mut usize,
) -> Result<String, String> {
    spend(budget, pattern.len())?;
    let regex = compile(pattern)?;
    let mut out = String::new();
    let mut last_end = 0;
    let mut search = 0;
    while search <= text.len() {
        spend(budget, text.len() - search + 1)?;
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
        .find(|&(_, c)| !(c.is_alphabetic() || c.is_ascii_digit() || c == '_'))
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
                replace_all(pattern, replacement, text, &mut usize::MAX.clone()).as_deref(),
                Ok(expected),
                "{pattern} {replacement} {text}"
            );
        }
    }

    fn is_match_unbounded(pattern: &str, text: &str) -> Result<bool, String> {
        is_match(pattern, text, &mut usize::MAX.clone())
    }

    #[test]
    fn matches_anywhere_and_refuses_what_go_refuses() {
        assert_eq!(is_match_unbounded("^db", "db1"), Ok(true));
        assert_eq!(is_match_unbounded("b", "abc"), Ok(true));
        assert_eq!(is_match_unbounded("^b", "abc"), Ok(false));
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
            assert!(is_match_unbounded(pattern, "a").is_err(), "{pattern}");
        }
        assert_eq!(is_match_unbounded("(?P<n>a)", "a"), Ok(true));
        assert_eq!(is_match_unbounded("(?i)A", "a"), Ok(true));
        assert_eq!(is_match_unbounded("[(?<]", "<"), Ok(true));
        assert_eq!(is_match_unbounded("a*?b", "aab"), Ok(true));
        assert_eq!(is_match_unbounded("a{2}b{1,}c{1,3}", "aabc"), Ok(true));
        assert_eq!(is_match_unbounded("x{a}", "x{a}"), Ok(true));
    }

    #[test]
    fn cases_a_review_found_read_as_go_reads_them() {
        for (pattern, text, expected) in [
            ("^a{01}$", "a", false),
            ("^a{01}$", "a{01}", true),
            ("\\<a", "<a", true),
            ("\\<a", "a", false),
            ("^\\s$", "\u{b}", false),
            ("^[\\s]$", "\u{b}", false),
            ("^\\S$", "\u{b}", true),
            ("[]a]", "]", true),
            ("[^]a]", "]", false),
            ("[[:alpha:]*]+", "a*", true),
            ("\\x{41}*", "AA", true),
            ("\\x{e9}", "é", true),
        ] {
            assert_eq!(
                is_match_unbounded(pattern, text),
                Ok(expected),
                "{pattern} {text:?}"
            );
        }
        for pattern in [
            "[--a]",
            "[a&&b]",
            "[a~~b]",
            "(?P<a.b>x)",
            "(?P<é>x)",
            "[\\S]",
            "\\",
        ] {
            assert!(is_match_unbounded(pattern, "a").is_err(), "{pattern}");
        }
        let replace = |pattern, replacement, text| {
            replace_all(pattern, replacement, text, &mut usize::MAX.clone())
        };
        assert_eq!(replace("(a)", "$1²", "a").as_deref(), Ok("a²"));
        assert_eq!(replace("(a)", "${1²}", "a").as_deref(), Ok("${1²}"));
    }

    #[test]
    fn every_search_spends_what_it_may_read() {
        // `a(.*z)?` reads to the end of the text at each of its matches: a
        // quadratic loop, stopped by the budget instead of taking seconds.
        let text = "a".repeat(16 * 1024);
        let mut budget = 256 * 1024;
        assert!(replace_all("a(.*z)?", "", &text, &mut budget)
            .unwrap_err()
            .contains("256 KiB"));
        let mut budget = 256 * 1024;
        assert_eq!(
            replace_all("b", "c", "abab", &mut budget).as_deref(),
            Ok("acac")
        );
        assert!(budget > 256 * 1024 - 20);
    }

    #[test]
    fn a_replacement_cannot_grow_without_bound() {
        let text = "a".repeat(4000);
        assert!(
            replace_all("", "0123456789", &text, &mut usize::MAX.clone())
                .unwrap_err()
                .contains("longer than")
        );
    }
}
