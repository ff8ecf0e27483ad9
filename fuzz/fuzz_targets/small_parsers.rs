//! The small readers of text typed into the page or carried in a link. The
//! first input byte picks the reader; the rest is its text.
#![no_main]

use foresight_core::alerting::silence::parse_matchers;
use foresight_core::foundation::span::parse_span;
use foresight_core::foundation::units::{format_value, Unit};
use foresight_core::model::dashboard::OverlayToggles;
use foresight_core::model::datasource::Datasource;
use foresight_core::model::edit::{format_thresholds, parse_thresholds};
use foresight_core::model::refresh::parse_refresh;
use foresight_core::model::variables::parse_label_values_query;
use foresight_core::query::time_range::{TimeExpression, TimeRange};
use foresight_core::foundation::ordered::SortedMap;
use foresight_fuzz::{text, AWKWARD_VALUES};
use libfuzzer_sys::fuzz_target;

/// Clocks a page may run at: 2001, 2026 and 2100.
const CLOCKS_MS: [i64; 3] = [1_000_000_000_000, 1_780_000_000_000, 4_102_444_800_000];

fn time_expression(text: &str) {
    let Ok(time) = TimeExpression::parse(text) else {
        return;
    };
    let written = time.to_string();
    let again = TimeExpression::parse(&written)
        .unwrap_or_else(|error| panic!("{time:?} was written as {written:?}, unreadable: {error}"));
    assert_eq!(again.to_string(), written);
    for now in CLOCKS_MS {
        assert_eq!(
            again.resolve(now),
            time.resolve(now),
            "{text:?} and {written:?} differ"
        );
        let range = TimeRange {
            from: time.clone(),
            to: TimeExpression::now(),
        };
        let _ = range.resolve(now);
    }
}

fn local_time(text: &str) {
    let Some((offset, text)) = text.split_at_checked(text.len().min(2)) else {
        return;
    };
    // Time zones are at most 14 hours from UTC.
    let offset = offset.bytes().fold(0i32, |sum, b| sum * 256 + i32::from(b)) % 1681 - 840;
    if let Ok(time) = TimeExpression::parse_local(text, &offset) {
        let _ = time.to_string();
        let _ = time.resolve(CLOCKS_MS[1]);
    }
}

fn datasource(text: &str) {
    let Ok(datasource) = Datasource::parse(text) else {
        return;
    };
    let again = Datasource::parse(&datasource.to_string())
        .unwrap_or_else(|error| panic!("{datasource} does not read back: {error}"));
    assert_eq!(again, datasource);
    // What the page accepts, the URL standard reads the same (the core's own
    // reader stands in for the `url` crate in the app).
    let standard = url::Url::parse(text)
        .unwrap_or_else(|error| panic!("{datasource} is not a URL to the standard: {error}"));
    assert_eq!(
        standard.as_str().trim_end_matches('/'),
        datasource.base_url(),
        "{text:?}"
    );
    assert_eq!(standard.origin().ascii_serialization(), datasource.origin());
    let _ = datasource.api_url("/api/v1/query", &[("query", text.to_string())]);
}

fn thresholds(text: &str) {
    let Ok(thresholds) = parse_thresholds(text) else {
        return;
    };
    // "Thresholds must rise": each step above the one before, and a number a
    // dashboard file can hold (JSON has no NaN or infinity).
    let values: Vec<f64> = thresholds.iter().filter_map(|t| t.value).collect();
    assert!(
        values.iter().all(|v| v.is_finite()) && values.windows(2).all(|w| w[0] < w[1]),
        "{text:?} gave thresholds {values:?}"
    );
    let written = format_thresholds(&thresholds);
    assert_eq!(
        parse_thresholds(&written).as_ref(),
        Ok(&thresholds),
        "written as {written:?}"
    );
}

fn overlays(text: &str) {
    if let Ok(toggles) = OverlayToggles::parse(text) {
        assert_eq!(OverlayToggles::parse(&toggles.encode()), Ok(toggles));
    }
}

fn value_format(text: &str) {
    let bytes = text.as_bytes();
    let unit = Unit::ALL[usize::from(bytes.first().copied().unwrap_or(0)) % Unit::ALL.len()];
    let decimals = bytes
        .get(1)
        .map(|&d| d.wrapping_sub(1))
        .filter(|&d| d != u8::MAX);
    let typed = text.get(2..).and_then(|t| t.trim().parse::<f64>().ok());
    for value in typed.into_iter().chain(AWKWARD_VALUES) {
        let _ = format_value(value, unit, decimals);
    }
}

/// A latency SLO's matchers: accepted ones stay between the selector's
/// braces (nothing outside quotes opens or closes one).
fn latency_matchers(text: &str) {
    use foresight_core::alerting::slo::{Indicator, LatencyIndicator, Slo};
    let slo = Slo {
        id: "fuzz".into(),
        name: "fuzz".into(),
        service: String::new(),
        indicator: Indicator {
            latency: Some(LatencyIndicator {
                histogram: "h".into(),
                matchers: text.into(),
                threshold_seconds: 0.5,
            }),
            ..Indicator::default()
        },
        objective_percent: 99.0,
        period: "30d".into(),
        interval: None,
    };
    if slo.problems().is_empty() {
        let mut quote = None;
        let mut escaped = false;
        for c in text.chars() {
            match quote {
                Some(_) if escaped => escaped = false,
                Some(q) if c == '\\' && q != '`' => escaped = true,
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if matches!(c, '"' | '\'' | '`') => quote = Some(c),
                None => assert!(!"{}[]".contains(c), "{text:?} accepted with {c:?}"),
            }
        }
        let _ = slo.error_ratio_expr("5m");
    }
}

/// An SLO made from a panel whose first query is `text`: any query, no panic,
/// and what is made is a valid SLO.
fn slo_from_query(text: &str) {
    use foresight_core::model::dashboard::Dashboard;
    use foresight_core::model::slo_panel::suggested_slo;
    static PANEL: std::sync::OnceLock<foresight_core::model::dashboard::Panel> =
        std::sync::OnceLock::new();
    let mut panel = PANEL
        .get_or_init(|| {
            Dashboard::from_json(include_str!("../../public/dashboards/service-health.json"))
                .unwrap()
                .panels
                .remove(0)
        })
        .clone();
    panel.targets[0].expr = text.to_string();
    if let Ok(slo) = suggested_slo(&panel, &SortedMap::new(), &[]) {
        assert!(slo.problems().is_empty());
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let text = text(rest);
    match which % 12 {
        0 => time_expression(&text),
        1 => local_time(&text),
        2 => {
            if let Some(seconds) = parse_refresh(&text) {
                assert!(seconds > 0);
            }
        }
        3 => datasource(&text),
        4 => {
            if let Ok(matchers) = parse_matchers(&text) {
                assert!(!matchers.is_empty());
            }
        }
        5 => thresholds(&text),
        6 => {
            let _ = parse_label_values_query(&text);
        }
        7 => {
            if let Ok(seconds) = parse_span(&text) {
                assert!(seconds > 0.0 && seconds.is_finite());
            }
        }
        8 => overlays(&text),
        10 => latency_matchers(&text),
        11 => slo_from_query(&text),
        _ => value_format(&text),
    }
});
