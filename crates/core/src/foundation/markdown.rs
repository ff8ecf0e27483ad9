//! A safe Markdown subset for text panels, parsed into a tree that the page
//! renders as elements: raw HTML is shown as text, never interpreted, and links
//! only keep http(s), mailto and relative targets. Parsing is linear in the
//! text, so a hostile text panel cannot hang the page.

use crate::foundation::limits::MAX_TEXT_PANEL_CHARS;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Heading(u8, Vec<Inline>),
    Paragraph(Vec<Inline>),
    List(Vec<Vec<Inline>>),
    Code(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    Strong(String),
    Emphasis(String),
    Code(String),
    Link { text: String, href: String },
}

/// Whether a link target is harmless to follow.
pub fn is_safe_href(href: &str) -> bool {
    let lower = href.trim().to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("mailto:")
    {
        return true;
    }
    // Relative targets have no scheme before the first '/', '?' or '#'.
    let before_path = lower.split(['/', '?', '#']).next().unwrap_or_default();
    !before_path.contains(':')
}

/// Finds markers in a text read front to back, remembering each marker's last
/// search: where it started and what it found. A later search from inside the
/// span that search covered has the same answer (nothing, or the same match),
/// so each byte is searched for each marker at most once and the whole scan
/// stays linear in the text — also when thousands of `[` share one far `](`
/// (remembering only failed searches left that quadratic).
struct ForwardSearch {
    markers: [&'static str; 5],
    last: [Option<(usize, Option<usize>)>; 5],
}

impl ForwardSearch {
    fn new() -> Self {
        Self {
            markers: ["**", "*", "_", "`", "]("],
            last: [None; 5],
        }
    }

    /// Byte offset in `text` of the first `marker` at or after `start`.
    fn find(&mut self, text: &str, start: usize, marker: &str) -> Option<usize> {
        let slot = self.markers.iter().position(|&m| m == marker);
        if let Some((from, found)) = slot.and_then(|slot| self.last[slot]) {
            match found {
                None if start >= from => return None,
                Some(at) if (from..=at).contains(&start) => return Some(at),
                _ => {}
            }
        }
        let found = text.get(start..)?.find(marker).map(|at| start + at);
        if let Some(slot) = slot {
            self.last[slot] = Some((start, found));
        }
        found
    }
}

fn parse_inline(text: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut missing = ForwardSearch::new();
    // A link's closing parenthesis: searched once per "](" found, and a failed
    // search ends every later link in the same way.
    let mut no_parenthesis_after = usize::MAX;
    let mut at = 0;
    let flush = |plain: &mut String, out: &mut Vec<Inline>| {
        if !plain.is_empty() {
            out.push(Inline::Text(std::mem::take(plain)));
        }
    };
    while let Some(c) = text[at..].chars().next() {
        let rest = &text[at..];
        let mut delimited = |open: &'static str, close: &'static str| -> Option<(String, usize)> {
            rest.strip_prefix(open)?;
            let end = missing.find(text, at + open.len(), close)?;
            let inner = &text[at + open.len()..end];
            (!inner.is_empty()).then(|| (inner.to_string(), end + close.len() - at))
        };
        let token = if rest.starts_with("**") {
            delimited("**", "**").map(|(t, n)| (Inline::Strong(t), n))
        } else if c == '*' {
            delimited("*", "*").map(|(t, n)| (Inline::Emphasis(t), n))
        } else if c == '_' {
            delimited("_", "_").map(|(t, n)| (Inline::Emphasis(t), n))
        } else if c == '`' {
            delimited("`", "`").map(|(t, n)| (Inline::Code(t), n))
        } else if c == '[' {
            missing.find(text, at, "](").and_then(|mid| {
                if mid + 2 >= no_parenthesis_after {
                    return None;
                }
                let Some(end) = text[mid + 2..].find(')').map(|p| p + mid + 2) else {
                    no_parenthesis_after = no_parenthesis_after.min(mid + 2);
                    return None;
                };
                let (label, href) = (&text[at + 1..mid], &text[mid + 2..end]);
                let inline = if is_safe_href(href) {
                    Inline::Link {
                        text: label.to_string(),
                        href: href.trim().to_string(),
                    }
                } else {
                    Inline::Text(label.to_string())
                };
                Some((inline, end + 1 - at))
            })
        } else {
            None
        };
        match token {
            Some((inline, consumed)) => {
                flush(&mut plain, &mut out);
                out.push(inline);
                at += consumed;
            }
            None => {
                plain.push(c);
                at += c.len_utf8();
            }
        }
    }
    flush(&mut plain, &mut out);
    out
}

/// The Markdown of a text panel, cut at [`MAX_TEXT_PANEL_CHARS`] (the bool
/// says whether it was cut, for a note under the panel).
pub fn parse_text_panel(source: &str) -> (Vec<Block>, bool) {
    match source.char_indices().nth(MAX_TEXT_PANEL_CHARS) {
        Some((cut, _)) => (parse_markdown(&source[..cut]), true),
        None => (parse_markdown(source), false),
    }
}

pub fn parse_markdown(source: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut list: Vec<Vec<Inline>> = Vec::new();
    let mut code: Option<Vec<&str>> = None;
    let end_paragraph = |paragraph: &mut Vec<&str>, blocks: &mut Vec<Block>| {
        if !paragraph.is_empty() {
            blocks.push(Block::Paragraph(parse_inline(&paragraph.join(" "))));
            paragraph.clear();
        }
    };
    let end_list = |list: &mut Vec<Vec<Inline>>, blocks: &mut Vec<Block>| {
        if !list.is_empty() {
            blocks.push(Block::List(std::mem::take(list)));
        }
    };
    for line in source.lines() {
        if let Some(lines) = &mut code {
            if line.trim_start().starts_with("```") {
                blocks.push(Block::Code(lines.join("\n")));
                code = None;
            } else {
                lines.push(line);
            }
            continue;
        }
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            end_paragraph(&mut paragraph, &mut blocks);
            end_list(&mut list, &mut blocks);
            code = Some(Vec::new());
        } else if trimmed.is_empty() {
            end_paragraph(&mut paragraph, &mut blocks);
            end_list(&mut list, &mut blocks);
        } else if let Some(item) = trimmed
            .strip_prefix("- ")
            .or_else(|| trimmed.strip_prefix("* "))
        {
            end_paragraph(&mut paragraph, &mut blocks);
            list.push(parse_inline(item));
        } else if trimmed.starts_with('#') {
            end_paragraph(&mut paragraph, &mut blocks);
            end_list(&mut list, &mut blocks);
            let level = trimmed.chars().take_while(|&c| c == '#').count().min(6) as u8;
            blocks.push(Block::Heading(
                level,
                parse_inline(trimmed.trim_start_matches('#').trim()),
            ));
        } else {
            end_list(&mut list, &mut blocks);
            paragraph.push(trimmed);
        }
    }
    if let Some(lines) = code {
        blocks.push(Block::Code(lines.join("\n")));
    }
    end_paragraph(&mut paragraph, &mut blocks);
    end_list(&mut list, &mut blocks);
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_blocks_and_inlines() {
        let blocks = parse_markdown("# Title\n\nSome **bold** and *soft* `code`.\n\n- one\n- [two](https://x.example)\n\n```\nraw <b>\n```");
        assert_eq!(
            blocks[0],
            Block::Heading(1, vec![Inline::Text("Title".into())])
        );
        assert_eq!(
            blocks[1],
            Block::Paragraph(vec![
                Inline::Text("Some ".into()),
                Inline::Strong("bold".into()),
                Inline::Text(" and ".into()),
                Inline::Emphasis("soft".into()),
                Inline::Text(" ".into()),
                Inline::Code("code".into()),
                Inline::Text(".".into()),
            ])
        );
        assert_eq!(
            blocks[2],
            Block::List(vec![
                vec![Inline::Text("one".into())],
                vec![Inline::Link {
                    text: "two".into(),
                    href: "https://x.example".into()
                }]
            ])
        );
        assert_eq!(blocks[3], Block::Code("raw <b>".into()));
    }

    #[test]
    fn html_stays_text_and_dangerous_links_are_dropped() {
        let blocks = parse_markdown("<img src=x onerror=alert(1)> [click](javascript:alert(1)) [ok](/runbook#a) [data](DATA:text/html,x)");
        let Block::Paragraph(inlines) = &blocks[0] else {
            panic!()
        };
        assert_eq!(
            inlines[0],
            Inline::Text("<img src=x onerror=alert(1)> ".into())
        );
        assert_eq!(inlines[1], Inline::Text("click".into()));
        assert_eq!(
            inlines[3],
            Inline::Link {
                text: "ok".into(),
                href: "/runbook#a".into()
            }
        );
        assert_eq!(inlines[5], Inline::Text("data".into()));
        assert!(!is_safe_href(" JavaScript:x"));
        assert!(is_safe_href("runbooks/disk.md"));
    }

    #[test]
    fn unterminated_markers_are_plain_text() {
        assert_eq!(
            parse_markdown("a * b ` c [d"),
            vec![Block::Paragraph(vec![Inline::Text("a * b ` c [d".into())])]
        );
        assert_eq!(parse_markdown(""), vec![]);
    }

    /// Bytes of text the inlines show.
    fn shown_length(inlines: &[Inline]) -> usize {
        inlines
            .iter()
            .map(|i| match i {
                Inline::Text(t) | Inline::Strong(t) | Inline::Emphasis(t) | Inline::Code(t) => {
                    t.len()
                }
                Inline::Link { text, .. } => text.len(),
            })
            .sum()
    }

    #[test]
    fn unclosed_markers_in_bulk_are_read_in_linear_time() {
        // Two million of each marker: quadratic scanning would take hours.
        for marker in ["[", "*", "_", "a`", "**", "[a](", "](", "[x]("] {
            let text = marker.repeat(2_000_000 / marker.len());
            let blocks = parse_markdown(&text);
            let Block::Paragraph(inlines) = &blocks[0] else {
                panic!("{marker}: {blocks:?}")
            };
            let length = shown_length(inlines);
            assert!(length > 0, "{marker}");
        }
    }

    #[test]
    fn many_openers_before_one_far_marker_are_read_in_linear_time() {
        // A million openers, each finding the same far marker that then
        // leads nowhere: searching afresh from each would take hours.
        for (openers, far) in [("[", "]("), ("[a", "](x"), ("[", "](]("), ("*[", "](")] {
            let text = format!("{}{far}", openers.repeat(1_000_000 / openers.len()));
            let inlines = parse_inline(&text);
            let length = shown_length(&inlines);
            assert!(length >= text.len() / 2, "{openers:?}: {length}");
        }
    }

    /// The scanner before it was made linear: searches from every marker to the
    /// end of the text. Kept as the reference the linear one must agree with.
    fn quadratic_reference(text: &str) -> Vec<Inline> {
        let mut out = Vec::new();
        let mut plain = String::new();
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            let delimited = |open: &str, close: &str| -> Option<(String, usize)> {
                let inner = rest.strip_prefix(open)?;
                let end = inner.find(close)?;
                (end > 0).then(|| (inner[..end].to_string(), open.len() + end + close.len()))
            };
            let token = if rest.starts_with("**") {
                delimited("**", "**").map(|(t, n)| (Inline::Strong(t), n))
            } else if c == '*' || c == '_' {
                let marker = &rest[..1];
                delimited(marker, marker).map(|(t, n)| (Inline::Emphasis(t), n))
            } else if c == '`' {
                delimited("`", "`").map(|(t, n)| (Inline::Code(t), n))
            } else if c == '[' {
                rest.find("](").and_then(|mid| {
                    let end = rest[mid..].find(')')? + mid;
                    let (text, href) = (&rest[1..mid], &rest[mid + 2..end]);
                    let inline = if is_safe_href(href) {
                        Inline::Link {
                            text: text.to_string(),
                            href: href.trim().to_string(),
                        }
                    } else {
                        Inline::Text(text.to_string())
                    };
                    Some((inline, end + 1))
                })
            } else {
                None
            };
            match token {
                Some((inline, consumed)) => {
                    if !plain.is_empty() {
                        out.push(Inline::Text(std::mem::take(&mut plain)));
                    }
                    out.push(inline);
                    rest = &rest[consumed..];
                }
                None => {
                    plain.push(c);
                    rest = &rest[c.len_utf8()..];
                }
            }
        }
        if !plain.is_empty() {
            out.push(Inline::Text(plain));
        }
        out
    }

    #[test]
    fn the_linear_scanner_agrees_with_the_reference_on_random_text() {
        let alphabet = [
            "*", "_", "`", "[", "]", "(", ")", "](", "a", " ", "é", "**", "x:y",
        ];
        let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
        for _ in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let length = (seed % 14) as usize;
            let text: String = (0..length)
                .map(|k| alphabet[((seed >> (k * 4 % 60)) % alphabet.len() as u64) as usize])
                .collect();
            assert_eq!(parse_inline(&text), quadratic_reference(&text), "{text:?}");
        }
    }

    #[test]
    fn long_text_panels_are_cut() {
        let (blocks, cut) = parse_text_panel(&"a".repeat(MAX_TEXT_PANEL_CHARS + 5));
        assert!(cut);
        assert_eq!(blocks.len(), 1);
        assert!(!parse_text_panel("é").1);
    }
}
