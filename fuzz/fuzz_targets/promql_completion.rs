//! The query editor's completion: what is typed at the cursor, and the query
//! with a candidate (from Prometheus's answer) put in. The first two input
//! bytes are the cursor, a byte offset that may fall past the end or inside a
//! character, as a browser's selection offset (UTF-16) can after conversion;
//! the rest is the query, then after a NUL the candidate.
#![no_main]

use foresight_core::query::promql_completion::{apply_completion, completion_context, matching};
use foresight_fuzz::{split_field, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((cursor, rest)) = data.split_first_chunk::<2>() else {
        return;
    };
    let cursor = usize::from(u16::from_le_bytes(*cursor));
    let text = text(rest);
    let (query, candidate) = split_field(&text);

    let _ = completion_context(query, cursor);
    let completed = apply_completion(query, cursor, candidate);

    // What follows the cursor is kept as it was.
    let mut at = cursor.min(query.len());
    while !query.is_char_boundary(at) {
        at -= 1;
    }
    assert!(
        completed.ends_with(&query[at..]),
        "{completed:?} lost the text after the cursor {:?}",
        &query[at..]
    );

    let candidates: Vec<String> = candidate.lines().map(str::to_string).collect();
    let prefix = query.get(..at).unwrap_or_default();
    for found in matching(&candidates, prefix, 10) {
        assert!(found.starts_with(prefix));
    }
});
