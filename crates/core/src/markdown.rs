//! A safe Markdown subset for text panels, parsed into a tree that the page
//! renders as elements: raw HTML is shown as text, never interpreted, and links
//! only keep http(s), mailto and relative targets.

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

fn parse_inline(text: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    let flush = |plain: &mut String, out: &mut Vec<Inline>| {
        if !plain.is_empty() {
            out.push(Inline::Text(std::mem::take(plain)));
        }
    };
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
                flush(&mut plain, &mut out);
                out.push(inline);
                rest = &rest[consumed..];
            }
            None => {
                plain.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    flush(&mut plain, &mut out);
    out
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
}
