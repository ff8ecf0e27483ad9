//! Text panels: Markdown written by whoever wrote the dashboard (which may
//! have come in a link). Links must only ever point somewhere harmless.
#![no_main]

use foresight_core::foundation::markdown::{
    is_safe_href, parse_markdown, parse_text_panel, Block, Inline,
};
use foresight_fuzz::text;
use libfuzzer_sys::fuzz_target;

fn check_inlines(inlines: &[Inline]) {
    for inline in inlines {
        if let Inline::Link { href, .. } = inline {
            assert!(is_safe_href(href), "a link to {href:?} was kept");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    let (blocks, _cut) = parse_text_panel(&text);
    for block in blocks.iter().chain(&parse_markdown(&text)) {
        match block {
            Block::Heading(level, inlines) => {
                assert!((1..=6).contains(level), "heading level {level}");
                check_inlines(inlines);
            }
            Block::Paragraph(inlines) => check_inlines(inlines),
            Block::List(items) => items.iter().for_each(|item| check_inlines(item)),
            Block::Code(_) => {}
        }
    }
    let _ = is_safe_href(&text);
});
