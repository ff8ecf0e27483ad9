//! Per-series overrides, as Grafana's field overrides: the series a matcher
//! picks are drawn in their own colour, under their own name and unit, on a
//! scale of their own on the right, mirrored below zero, or left out of the
//! legend, the tooltip or the chart. Later overrides win, property by
//! property, as in Grafana.

use crate::foundation::json::{DecodeError, Json, ObjectReader};
use crate::foundation::json_serde::read_object;
use crate::foundation::ordered::SortedSet;
use crate::foundation::units::Unit;
use regex_lite::{Regex, RegexBuilder};
use serde::{Deserialize, Deserializer, Serialize};

/// Overrides kept per panel (checked when a dashboard is read).
pub const MAX_OVERRIDES: usize = 100;
/// The longest name or pattern a matcher takes.
pub const MAX_MATCHER_CHARS: usize = 1000;

/// Which series an override applies to; written as an object of one member
/// (`{"name": "Receive"}`, `{"names": ["a", "b"]}`, `{"regex": "/eth.*/"}`,
/// `{"query": 1}`, `{"notNames": ["a", "b"]}`, `{"notRegex": "/^eth/"}`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SeriesMatcher {
    /// The series whose legend name is exactly this.
    Name(String),
    /// The series whose legend name is one of these.
    Names(Vec<String>),
    /// Grafana's "fields with name matching regex": `/pattern/flags` finds the
    /// pattern anywhere in the name; a bare pattern must match all of it.
    Regex(String),
    /// Every series of the panel's query at this position (0 for the first).
    Query(usize),
    /// Every series whose name is none of these (Grafana's "filter by name"
    /// keeping only these: the others are hidden).
    NotNames(Vec<String>),
    /// Every series the pattern does not match.
    NotRegex(String),
}

impl<'de> Deserialize<'de> for SeriesMatcher {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        read_object(deserializer, SeriesMatcher::read)
    }
}

impl SeriesMatcher {
    fn read(object: &ObjectReader, value: &Json) -> Result<Self, DecodeError> {
        let members = value.as_object().map_or(0, |m| m.len());
        let matcher = if let Some(name) = object.optional("name")? {
            SeriesMatcher::Name(name)
        } else if let Some(names) = object.optional("names")? {
            SeriesMatcher::Names(names)
        } else if let Some(pattern) = object.optional("regex")? {
            SeriesMatcher::Regex(pattern)
        } else if let Some(position) = object.optional("query")? {
            SeriesMatcher::Query(position)
        } else if let Some(names) = object.optional("notNames")? {
            SeriesMatcher::NotNames(names)
        } else if let Some(pattern) = object.optional("notRegex")? {
            SeriesMatcher::NotRegex(pattern)
        } else {
            return Err(DecodeError::new(
                "a series matcher needs one of \"name\", \"names\", \"regex\", \"query\", \"notNames\" or \"notRegex\"",
            ));
        };
        if members != 1 {
            return Err(DecodeError::new(
                "a series matcher has exactly one of \"name\", \"names\", \"regex\", \"query\", \"notNames\" or \"notRegex\"",
            ));
        }
        Ok(matcher)
    }
}

crate::foundation::json_serde::json_as_name!(AxisSide => id);

/// Which value scale a series is drawn against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AxisSide {
    #[default]
    Left,
    /// A scale of its own, labelled on the right.
    Right,
    /// A scale of its own without labels.
    Hidden,
}

impl AxisSide {
    pub const ALL: [AxisSide; 3] = [Self::Left, Self::Right, Self::Hidden];

    pub fn id(self) -> &'static str {
        match self {
            Self::Left => "left",
            Self::Right => "right",
            Self::Hidden => "hidden",
        }
    }
}

/// One override: a matcher and what changes for the series it picks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeriesOverride {
    pub matcher: SeriesMatcher,
    /// `green`, `amber`, `red`, `blue`, or `#rrggbb`, as thresholds take.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Unit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub axis: Option<AxisSide>,
    /// Drawn below zero (Grafana's "negative Y" transform: transmit under receive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub negative: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hide_in_legend: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hide_in_tooltip: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hide_in_chart: Option<bool>,
}

impl SeriesOverride {
    /// An override that changes nothing yet.
    pub fn new(matcher: SeriesMatcher) -> Self {
        Self {
            matcher,
            color: None,
            display_name: None,
            unit: None,
            axis: None,
            negative: None,
            hide_in_legend: None,
            hide_in_tooltip: None,
            hide_in_chart: None,
        }
    }

    /// What is wrong with it, for the dashboard's checks. A pattern that does
    /// not compile is not: it picks no series (see [`Self::pattern_error`]).
    pub fn problem(&self) -> Option<String> {
        let too_long = |text: &String| text.chars().count() > MAX_MATCHER_CHARS;
        let long = match &self.matcher {
            SeriesMatcher::Name(text)
            | SeriesMatcher::Regex(text)
            | SeriesMatcher::NotRegex(text) => too_long(text),
            SeriesMatcher::Names(names) | SeriesMatcher::NotNames(names) => {
                names.len() > MAX_OVERRIDES * 10 || names.iter().any(too_long)
            }
            SeriesMatcher::Query(_) => false,
        };
        long.then(|| {
            format!("a series matcher is longer than {MAX_MATCHER_CHARS} characters or names more than {} series", MAX_OVERRIDES * 10)
        })
    }
}

impl SeriesOverride {
    /// Why its pattern picks no series, if it is one that does not compile.
    pub fn pattern_error(&self) -> Option<String> {
        match &self.matcher {
            SeriesMatcher::Regex(pattern) | SeriesMatcher::NotRegex(pattern) => {
                grafana_regex(pattern)
                    .err()
                    .map(|error| format!("series pattern {pattern:?}: {error}"))
            }
            _ => None,
        }
    }
}

/// How one series is shown once every override that picks it is applied.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SeriesLook {
    /// The name shown instead of the legend name.
    pub display_name: Option<String>,
    pub color: Option<String>,
    pub unit: Option<Unit>,
    pub axis: AxisSide,
    pub negative: bool,
    pub hide_in_legend: bool,
    pub hide_in_tooltip: bool,
    pub hide_in_chart: bool,
}

/// A Grafana pattern as a regular expression: `/inner/flags` (flags `i`, `m`,
/// `s`; `g` and `y` change nothing for a test) is searched for; anything else
/// is anchored at both ends, as Grafana's `stringToJsRegex` does. Time is
/// linear in the name whatever the pattern.
pub fn grafana_regex(pattern: &str) -> Result<Regex, String> {
    let (inner, flags, slashed) = match pattern.strip_prefix('/').and_then(|rest| {
        let end = rest.rfind('/')?;
        let flags = &rest[end + 1..];
        flags
            .chars()
            .all(|f| "gimsy".contains(f))
            .then(|| (&rest[..end], flags))
    }) {
        Some((inner, flags)) => (inner, flags, true),
        None => (pattern, "", false),
    };
    // As Grafana writes them: `^` and `$` around the bare text, no group (so
    // `a|b` is `^a` or `b$`); the sticky flag matches only at the start.
    let text = if !slashed {
        format!("^{inner}$")
    } else if flags.contains('y') {
        format!("^(?:{inner})")
    } else {
        inner.to_string()
    };
    RegexBuilder::new(&text)
        .case_insensitive(flags.contains('i'))
        .multi_line(flags.contains('m'))
        .dot_matches_new_line(flags.contains('s'))
        // Matching time grows with the compiled size times the name's
        // length: a small limit keeps each match cheap (Grafana's patterns
        // compile to a fraction of it).
        .size_limit(PATTERN_SIZE_LIMIT)
        .build()
        .map_err(|error| {
            let text = error.to_string();
            text.lines().last().unwrap_or_default().trim().to_string()
        })
}

/// The compiled size a pattern may reach (regex-lite's measure, bytes).
const PATTERN_SIZE_LIMIT: usize = 1 << 13;

/// Characters of series names that one panel's answer matches against its
/// patterns, at most (every pattern counts each name it is tried on). A
/// dashboard's own patterns on its own series use a few thousand; past the
/// budget the remaining pattern overrides are not applied and the panel says
/// so. The costliest pattern the size limit lets through takes about 15 µs a
/// character natively, so a hostile one on many long names holds the page
/// for about half a second (natively; wasm is slower), not for minutes.
pub const PATTERN_MATCH_BUDGET: usize = 30_000;

/// A panel's overrides ready to match: each pattern compiled once, and the
/// budget of name characters its patterns may still be tried on.
pub struct OverrideMatchers<'a> {
    overrides: &'a [SeriesOverride],
    patterns: Vec<Option<Regex>>,
    /// Each name list sorted once: a panel may have 100 lists of 1,000 names
    /// and 13,000 series, too many to compare one by one at every drawing.
    name_sets: Vec<SortedSet<&'a str>>,
    budget_left: std::cell::Cell<usize>,
    over_budget: std::cell::Cell<bool>,
}

impl<'a> OverrideMatchers<'a> {
    pub fn new(overrides: &'a [SeriesOverride]) -> Self {
        let overrides = &overrides[..overrides.len().min(MAX_OVERRIDES)];
        let patterns = overrides
            .iter()
            .map(|o| match &o.matcher {
                SeriesMatcher::Regex(pattern) | SeriesMatcher::NotRegex(pattern) => {
                    grafana_regex(pattern).ok()
                }
                _ => None,
            })
            .collect();
        let name_sets = overrides
            .iter()
            .map(|o| match &o.matcher {
                SeriesMatcher::Names(names) | SeriesMatcher::NotNames(names) => {
                    names.iter().map(String::as_str).collect()
                }
                _ => SortedSet::new(),
            })
            .collect();
        Self {
            overrides,
            patterns,
            name_sets,
            budget_left: std::cell::Cell::new(PATTERN_MATCH_BUDGET),
            over_budget: std::cell::Cell::new(false),
        }
    }

    /// Whether some pattern was left untried because the budget ran out.
    pub fn over_budget(&self) -> bool {
        self.over_budget.get()
    }

    fn pattern_matches(&self, pattern: &Regex, name: &str) -> bool {
        let cost = name.len().max(1);
        match self.budget_left.get().checked_sub(cost) {
            Some(left) => {
                self.budget_left.set(left);
                pattern.is_match(name)
            }
            None => {
                self.over_budget.set(true);
                false
            }
        }
    }

    /// How the series `name`, returned by the query at `query`, is shown.
    pub fn look(&self, name: &str, query: usize) -> SeriesLook {
        let mut look = SeriesLook::default();
        for ((one, pattern), names) in self
            .overrides
            .iter()
            .zip(&self.patterns)
            .zip(&self.name_sets)
        {
            let picked = match &one.matcher {
                SeriesMatcher::Name(wanted) => wanted == name,
                SeriesMatcher::Regex(_) => pattern
                    .as_ref()
                    .is_some_and(|p| self.pattern_matches(p, name)),
                SeriesMatcher::Query(position) => *position == query,
                SeriesMatcher::Names(_) => names.contains(name),
                SeriesMatcher::NotNames(_) => !names.contains(name),
                // A pattern that does not compile (or was not tried) hides nothing.
                SeriesMatcher::NotRegex(_) => pattern
                    .as_ref()
                    .is_some_and(|p| !self.pattern_matches(p, name) && !self.over_budget()),
            };
            if !picked {
                continue;
            }
            if let Some(color) = &one.color {
                look.color = Some(color.clone());
            }
            if let Some(shown) = &one.display_name {
                look.display_name = Some(shown.clone());
            }
            look.unit = one.unit.or(look.unit);
            look.axis = one.axis.unwrap_or(look.axis);
            look.negative = one.negative.unwrap_or(look.negative);
            look.hide_in_legend = one.hide_in_legend.unwrap_or(look.hide_in_legend);
            look.hide_in_tooltip = one.hide_in_tooltip.unwrap_or(look.hide_in_tooltip);
            look.hide_in_chart = one.hide_in_chart.unwrap_or(look.hide_in_chart);
        }
        look
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by(matcher: SeriesMatcher) -> SeriesOverride {
        SeriesOverride::new(matcher)
    }

    #[test]
    fn bare_patterns_match_whole_names_and_slashed_ones_anywhere() {
        let whole = grafana_regex("Trans.*").unwrap();
        assert!(whole.is_match("Transmit eth0"));
        assert!(!whole.is_match("eth0 Transmit"), "anchored at the start");
        // No group around the bare text, as Grafana writes it: `^Receive|Transmit$`.
        let either = grafana_regex("Receive|Transmit").unwrap();
        assert!(either.is_match("Receive eth0") && !either.is_match("eth0 Receive"));
        assert!(!grafana_regex("/eth/y").unwrap().is_match("xeth"), "sticky");
        let anywhere = grafana_regex("/trans/i").unwrap();
        assert!(anywhere.is_match("eth0 Transmit"));
        assert!(!grafana_regex("/trans/").unwrap().is_match("Transmit"));
        // A slash inside the pattern stays in it.
        assert!(grafana_regex("/a/b/").unwrap().is_match("xa/by"));
        // Unknown flags make it a bare pattern, slashes and all.
        assert!(grafana_regex("/x/q").unwrap().is_match("/x/q"));
        assert!(grafana_regex("(?=x)").is_err(), "look-ahead is refused");
    }

    #[test]
    fn later_overrides_win_property_by_property() {
        let mut red = by(SeriesMatcher::Regex("/.*/".into()));
        red.color = Some("red".into());
        red.unit = Some(Unit::BytesIec);
        let mut named = by(SeriesMatcher::Name("Transmit".into()));
        named.color = Some("#00ff00".into());
        named.negative = Some(true);
        named.axis = Some(AxisSide::Right);
        let mut second_query = by(SeriesMatcher::Query(1));
        second_query.hide_in_legend = Some(true);
        second_query.display_name = Some("Errors".into());
        let overrides = [red, named, second_query];
        let matchers = OverrideMatchers::new(&overrides);
        let transmit = matchers.look("Transmit", 0);
        assert_eq!(transmit.color.as_deref(), Some("#00ff00"));
        assert_eq!(transmit.unit, Some(Unit::BytesIec), "kept from the first");
        assert!(transmit.negative);
        assert_eq!(transmit.axis, AxisSide::Right);
        assert!(!transmit.hide_in_legend);
        let receive = matchers.look("Receive", 1);
        assert_eq!(receive.color.as_deref(), Some("red"));
        assert!(receive.hide_in_legend && !receive.negative);
        assert_eq!(receive.display_name.as_deref(), Some("Errors"));
    }

    #[test]
    fn a_pattern_that_does_not_compile_picks_nothing_and_is_a_problem() {
        let mut broken = by(SeriesMatcher::Regex("(unclosed".into()));
        broken.color = Some("red".into());
        assert!(broken.problem().is_none(), "the dashboard stays valid");
        assert!(broken.pattern_error().unwrap().contains("(unclosed"));
        let overrides = [broken];
        assert_eq!(
            OverrideMatchers::new(&overrides).look("(unclosed", 0),
            SeriesLook::default()
        );
        let long = by(SeriesMatcher::Name("x".repeat(MAX_MATCHER_CHARS + 1)));
        assert!(long.problem().is_some());
    }

    #[test]
    fn a_hostile_pattern_takes_linear_time() {
        let overrides = [by(SeriesMatcher::Regex("(a*)*b".into()))];
        let matchers = OverrideMatchers::new(&overrides);
        let name = "a".repeat(29_000);
        assert_eq!(matchers.look(&name, 0), SeriesLook::default());
        assert!(!matchers.over_budget());
    }

    #[test]
    fn patterns_stop_at_their_budget_and_say_so() {
        // A pattern that compiles to much work per character is refused...
        assert!(grafana_regex("(?:[a-z0-9]{0,60}){0,60}z").is_err());
        // ...and one that is allowed is tried on a bounded number of characters.
        let mut wide = by(SeriesMatcher::Regex("/(?:a*b*c*d*){0,4}z/".into()));
        wide.color = Some("red".into());
        let overrides = vec![wide; 10];
        let matchers = OverrideMatchers::new(&overrides);
        let name = format!("{}z", "a".repeat(999));
        let picked = (0..500)
            .filter(|&k| matchers.look(&name, k).color.is_some())
            .count();
        assert!(matchers.over_budget());
        // Each picked series took all ten patterns, 1,000 characters each.
        assert_eq!(picked, PATTERN_MATCH_BUDGET / 1000 / overrides.len());
    }

    #[test]
    fn written_and_read_back_in_its_json_form() {
        let mut one = by(SeriesMatcher::Regex("/eth.*/".into()));
        one.axis = Some(AxisSide::Right);
        one.hide_in_tooltip = Some(true);
        use crate::foundation::json::{decode, ToJson};
        let text = one.to_json().to_string();
        assert_eq!(
            text,
            r#"{"matcher":{"regex":"/eth.*/"},"axis":"right","hideInTooltip":true}"#
        );
        let back: SeriesOverride = decode(&text).unwrap();
        assert_eq!(back, one);
        for wrong in [
            r#"{"matcher":{"name":"a","regex":"b"}}"#,
            r#"{"matcher":{}}"#,
            r#"{"matcher":{"query":-1}}"#,
            r#"{"matcher":"a"}"#,
        ] {
            assert!(decode::<SeriesOverride>(wrong).is_err(), "{wrong}");
        }
    }
}
