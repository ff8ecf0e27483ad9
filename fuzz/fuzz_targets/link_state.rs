//! Links: the query string a shared URL carries. Decoding never fails (a bad
//! parameter falls back to its default), and whatever it decodes must encode
//! to a link that decodes again without a complaint.
#![no_main]

use foresight_core::model::url_state::{percent_decode, ViewState};
use foresight_core::query::time_range::TimeExpression;
use foresight_fuzz::text;
use libfuzzer_sys::fuzz_target;

/// A clock in 2026, when links are opened.
const NOW_MS: i64 = 1_780_000_000_000;

/// How the time reads back from its written form. Relative times keep their
/// unit, except that a zero offset (`now-0h`) is written as plain `now`.
fn as_written(time: &Option<TimeExpression>) -> Option<TimeExpression> {
    time.as_ref().map(|time| {
        TimeExpression::parse(&time.to_string())
            .unwrap_or_else(|error| panic!("{time:?} was written as {time}, unreadable: {error}"))
    })
}

fn check_round_trip(state: &ViewState) {
    let link = state.encode();
    let (again, problems) = ViewState::decode(&link);
    assert!(
        problems.is_empty(),
        "{state:?} encoded as {link:?} reads with problems: {problems:?}"
    );
    let expected = ViewState {
        from: as_written(&state.from),
        to: as_written(&state.to),
        ..state.clone()
    };
    assert_eq!(again, expected, "encoded as {link:?}");
    for (before, after) in [(&state.from, &again.from), (&state.to, &again.to)] {
        assert_eq!(
            before.as_ref().map(|t| t.resolve(NOW_MS)),
            after.as_ref().map(|t| t.resolve(NOW_MS)),
            "{before:?} and {after:?} mean different times"
        );
    }
    assert_eq!(again.encode(), link);
}

fuzz_target!(|data: &[u8]| {
    let query = text(data);
    let (state, _problems) = ViewState::decode(&query);
    check_round_trip(&state);

    // "Copy a link with the time frozen": relative times become epoch milliseconds.
    let frozen = state.with_absolute_time(
        &TimeExpression::parse("now-6h").unwrap(),
        &TimeExpression::now(),
        NOW_MS,
    );
    check_round_trip(&frozen);

    let _ = percent_decode(&query);
});
