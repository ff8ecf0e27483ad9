//! Text panels: the safe Markdown subset, rendered as elements (never as HTML).

use foresight_core::foundation::limits::MAX_TEXT_PANEL_CHARS;
use foresight_core::foundation::markdown::{parse_text_panel, Block, Inline};
use leptos::prelude::*;

fn inline_view(inline: Inline) -> AnyView {
    match inline {
        Inline::Text(text) => text.into_any(),
        Inline::Strong(text) => view! { <strong>{text}</strong> }.into_any(),
        Inline::Emphasis(text) => view! { <em>{text}</em> }.into_any(),
        Inline::Code(text) => view! { <code>{text}</code> }.into_any(),
        Inline::Link { text, href } => {
            view! { <a href=href target="_blank" rel="noopener noreferrer">{text}</a> }.into_any()
        }
    }
}

fn inlines(list: Vec<Inline>) -> Vec<AnyView> {
    list.into_iter().map(inline_view).collect()
}

#[component]
pub fn TextBody(content: String) -> impl IntoView {
    let (blocks, cut) = parse_text_panel(&content);
    let blocks = blocks
        .into_iter()
        .map(|block| match block {
            Block::Heading(1, content) => view! { <h3>{inlines(content)}</h3> }.into_any(),
            Block::Heading(_, content) => view! { <h4>{inlines(content)}</h4> }.into_any(),
            Block::Paragraph(content) => view! { <p>{inlines(content)}</p> }.into_any(),
            Block::List(items) => {
                view! { <ul>{items.into_iter().map(|item| view! { <li>{inlines(item)}</li> }).collect::<Vec<_>>()}</ul> }
                    .into_any()
            }
            Block::Code(text) => view! { <pre><code>{text}</code></pre> }.into_any(),
        })
        .collect::<Vec<_>>();
    let note = cut.then(|| {
        view! {
            <p class="panel-note" role="note" data-testid="text-cut">
                {format!("This text is longer than {MAX_TEXT_PANEL_CHARS} characters; the rest is not shown.")}
            </p>
        }
    });
    view! { <div class="markdown">{blocks}{note}</div> }
}
