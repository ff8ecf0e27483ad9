//! What an SLO panel asks Prometheus: the SLOs it shows, their queries (one
//! status query per SLO; or, for the burn-down, the failed and all events
//! per step) and the time range (the burn-down spans the SLO's period,
//! whatever the dashboard's range).

use crate::alerting::slo::Slo;
use crate::alerting::slo_status::status_query;
use crate::foundation::float_text::parse_f64;
use crate::model::dashboard::{PanelKind, SloShow, Target};
use crate::query::time_range::ResolvedRange;

/// The legend of the burn-down's failed-events query.
pub const FAILED_EVENTS: &str = "failed";
/// The legend of the burn-down's all-events query.
pub const ALL_EVENTS: &str = "all";

/// The SLOs a panel of `kind` shows, in the dashboard's order: the one it
/// names, or every SLO for an overview without one. Empty for other panels.
pub fn slos_shown(kind: &PanelKind, all: &[Slo]) -> Vec<Slo> {
    match kind {
        PanelKind::Slo { slo, .. } if slo.is_empty() => all.to_vec(),
        PanelKind::Slo { slo, .. } => all.iter().filter(|s| s.id == *slo).cloned().collect(),
        _ => Vec::new(),
    }
}

/// The queries of an SLO panel showing `slos`; `None` for other panels (they
/// ask their own targets). An SLO with problems asks nothing.
pub fn slo_panel_targets(kind: &PanelKind, slos: &[Slo]) -> Option<Vec<Target>> {
    let PanelKind::Slo { show, .. } = kind else {
        return None;
    };
    let usable = slos.iter().filter(|slo| slo.problems().is_empty());
    Some(match show {
        SloShow::BurnDown => usable
            .take(1)
            .filter_map(|slo| slo.error_and_total_rate_exprs("$__interval"))
            .flat_map(|(failed, all)| {
                [(failed, FAILED_EVENTS), (all, ALL_EVENTS)].map(|(expr, legend)| Target {
                    expr,
                    legend_format: Some(legend.to_string()),
                    instant: false,
                })
            })
            .collect(),
        _ => usable
            .map(|slo| Target {
                expr: status_query(slo),
                legend_format: None,
                instant: true,
            })
            .collect(),
    })
}

/// The range an SLO panel asks over: the burn-down covers the SLO's period
/// up to the end of the dashboard's range; the others are evaluated at its
/// end, so the dashboard's range serves.
pub fn slo_panel_range(kind: &PanelKind, slos: &[Slo], range: ResolvedRange) -> ResolvedRange {
    match (kind, slos.first()) {
        (
            PanelKind::Slo {
                show: SloShow::BurnDown,
                ..
            },
            Some(slo),
        ) => match slo.period_seconds() {
            Ok(period) => ResolvedRange {
                start_ms: range.end_ms.saturating_sub((period * 1000.0) as i64),
                end_ms: range.end_ms,
            },
            Err(_) => range,
        },
        _ => range,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerting::slo::Indicator;

    fn slo(id: &str) -> Slo {
        Slo {
            id: id.into(),
            name: id.into(),
            service: String::new(),
            indicator: Indicator {
                good: Some("sum(rate(g[{{.window}}]))".into()),
                total: "sum(rate(t[{{.window}}]))".into(),
                ..Indicator::default()
            },
            objective_percent: 99.0,
            period: "7d".into(),
            interval: None,
        }
    }

    #[test]
    fn an_overview_asks_one_status_query_per_slo_and_a_burn_down_its_events() {
        let all = [slo("a"), slo("b")];
        let overview = PanelKind::Slo {
            slo: String::new(),
            show: SloShow::Overview,
        };
        let shown = slos_shown(&overview, &all);
        let targets = slo_panel_targets(&overview, &shown).unwrap();
        assert_eq!(targets.len(), 2);
        assert!(targets.iter().all(|t| t.instant));
        assert!(targets[1].expr.contains(r#""slo_id", "b""#));

        let burn_down = PanelKind::Slo {
            slo: "b".into(),
            show: SloShow::BurnDown,
        };
        let shown = slos_shown(&burn_down, &all);
        assert_eq!(shown.len(), 1);
        let targets = slo_panel_targets(&burn_down, &shown).unwrap();
        assert_eq!(
            targets.iter().map(|t| t.expr.as_str()).collect::<Vec<_>>(),
            [
                "(sum(rate(t[$__interval]))) - (sum(rate(g[$__interval])))",
                "sum(rate(t[$__interval]))"
            ]
        );
        let range = ResolvedRange {
            start_ms: 1_000_000_000,
            end_ms: 2_000_000_000,
        };
        assert_eq!(
            slo_panel_range(&burn_down, &shown, range),
            ResolvedRange {
                start_ms: 2_000_000_000 - 7 * 86_400_000,
                end_ms: 2_000_000_000
            }
        );
        assert_eq!(slo_panel_range(&overview, &shown, range), range);
        // Other panels ask their own targets.
        assert_eq!(slo_panel_targets(&PanelKind::Table, &all), None);
    }
}

/// The objective an SLO made from a panel starts with; the user edits it.
pub const SUGGESTED_OBJECTIVE_PERCENT: f64 = 99.0;

/// "Create an SLO from this panel": its first query, with the page's
/// variable selection written in, read as a ratio of two rates (`errors /
/// total`, possibly `× 100`), each rate's range becoming `{{.window}}`. The
/// numerator counts errors when it or the title says so (`5..`, "error",
/// "fail"), else good events. Its id is the title's, unlike every id in
/// `taken`. The objective starts at 99 % over 30 days.
pub fn suggested_slo(
    panel: &crate::model::dashboard::Panel,
    values: &crate::foundation::ordered::SortedMap<
        String,
        crate::query::template_variables::VariableValue,
    >,
    taken: &[String],
) -> Result<Slo, String> {
    use crate::alerting::slo::Indicator;
    use crate::query::template_variables::{interpolate, BuiltinIntervals};
    let target = panel
        .targets
        .first()
        .ok_or("the panel has no query to make an SLO of")?;
    let builtins = BuiltinIntervals {
        step_seconds: 60.0,
        range_seconds: 3600.0,
        scrape_interval_seconds: 15.0,
    };
    let expr = interpolate(&target.expr, values, &builtins)
        .map_err(|e| format!("the panel's query: {e}"))?;
    let (numerator, denominator) = ratio_parts(&expr).ok_or(
        "the panel's first query is not a ratio of two rates (such as errors / total): an SLO needs one",
    )?;
    let windowed = |part: &str| {
        windowed_ranges(part).ok_or(format!(
            "{part} must take a rate over a plain range (such as [5m]) to become an SLO query"
        ))
    };
    let (counted, total) = (windowed(&numerator)?, windowed(&denominator)?);
    let says_errors = |text: &str| {
        let lower = text.to_lowercase();
        ["5..", "5xx", "error", "fail"]
            .iter()
            .any(|word| lower.contains(word))
    };
    let counts_errors = says_errors(&numerator) || says_errors(&panel.title);
    let base: String = panel
        .title
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
        .chars()
        .take(48)
        .collect();
    let base = if base.is_empty() {
        "slo".to_string()
    } else {
        base
    };
    let id = std::iter::once(base.clone())
        .chain((2..).map(|n| format!("{base}-{n}")))
        .find(|id| !taken.contains(id))
        .unwrap_or(base);
    let slo = Slo {
        id,
        name: panel.title.chars().take(200).collect(),
        service: match values.get("job") {
            Some(crate::query::template_variables::VariableValue::Single(job)) => job.clone(),
            _ => String::new(),
        },
        indicator: if counts_errors {
            Indicator {
                errors: Some(counted),
                total,
                ..Indicator::default()
            }
        } else {
            Indicator {
                good: Some(counted),
                total,
                ..Indicator::default()
            }
        },
        objective_percent: SUGGESTED_OBJECTIVE_PERCENT,
        period: "30d".into(),
        interval: None,
    };
    let problems = slo.problems();
    if problems.is_empty() {
        Ok(slo)
    } else {
        Err(problems.join("; "))
    }
}

/// The periods the settings offer.
pub const PERIOD_CHOICES: [&str; 4] = ["7d", "28d", "30d", "90d"];

/// `original` with the name, objective (percent, as typed) and period the
/// settings give it, or what is wrong with them.
pub fn edited_slo(
    original: &Slo,
    name: &str,
    objective: &str,
    period: &str,
) -> Result<Slo, String> {
    let text = objective.trim().trim_end_matches('%').trim();
    // The core's float reader: `str::parse::<f64>` would add its tables to the app.
    let objective_percent: f64 = parse_f64(text).ok_or_else(|| {
        format!(
            "SLO {}: the objective {objective:?} is not a number of percent",
            original.id
        )
    })?;
    let slo = Slo {
        name: name.trim().to_string(),
        objective_percent,
        period: period.trim().to_string(),
        ..original.clone()
    };
    let problems = slo.problems();
    if problems.is_empty() {
        Ok(slo)
    } else {
        Err(format!("SLO {}: {}", slo.id, problems.join("; ")))
    }
}

/// Where a scan of PromQL stands with respect to its string literals
/// (double, single or back quotes; backslash escapes except in back quotes).
#[derive(Default)]
struct StringLiterals {
    quote: Option<char>,
    escaped: bool,
}

impl StringLiterals {
    /// Takes the next character; true when it belongs to a string literal
    /// (its quotes included), which the scans treat as plain text.
    fn take(&mut self, c: char) -> bool {
        match self.quote {
            Some(q) => {
                if self.escaped {
                    self.escaped = false;
                } else if c == '\\' && q != '`' {
                    self.escaped = true;
                } else if c == q {
                    self.quote = None;
                }
                true
            }
            None if matches!(c, '"' | '\'' | '`') => {
                self.quote = Some(c);
                true
            }
            None => false,
        }
    }

    fn is_open(&self) -> bool {
        self.quote.is_some()
    }
}

/// Positions of the characters outside quotes at bracket depth 0, as
/// (index, char); `None` when the brackets do not balance. One pass.
fn top_level(expr: &str) -> Option<Vec<(usize, char)>> {
    let mut depth = 0i32;
    let mut literals = StringLiterals::default();
    let mut found = Vec::new();
    for (i, c) in expr.char_indices() {
        if literals.take(c) {
            continue;
        }
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
            }
            _ if depth == 0 => found.push((i, c)),
            _ => {}
        }
    }
    (depth == 0 && !literals.is_open()).then_some(found)
}

/// `expr` without the parentheses around all of it, however many pairs: the
/// pairs are matched in one pass, then peeled from both ends.
fn unwrapped(expr: &str) -> &str {
    // The closing position of each `(`, by its byte index.
    let mut closes = vec![usize::MAX; expr.len()];
    let mut open = Vec::new();
    let mut literals = StringLiterals::default();
    for (i, c) in expr.char_indices() {
        if literals.take(c) {
            continue;
        }
        match c {
            '(' => open.push(i),
            ')' => match open.pop() {
                Some(at) => closes[at] = i,
                None => return expr.trim(),
            },
            _ => {}
        }
    }
    let mut inner = expr.trim();
    loop {
        // `inner` is a slice of `expr`: its offset there.
        let at = inner.as_ptr() as usize - expr.as_ptr() as usize;
        let wrapped =
            inner.starts_with('(') && inner.len() >= 2 && closes[at] == at + inner.len() - 1;
        if !wrapped {
            return inner;
        }
        inner = inner[1..inner.len() - 1].trim();
    }
}

/// The two sides of a ratio `a / b` (also `(a / b) * 100` and `100 * (a / b)`);
/// `None` when the query is anything else at its top level (another
/// operator, a comparison, a set operation or vector matching), since an
/// SLO's indicator is exactly a count over a count.
fn ratio_parts(expr: &str) -> Option<(String, String)> {
    let mut expr = unwrapped(expr);
    for _ in 0..2 {
        let top = top_level(expr)?;
        let stars: Vec<usize> = top
            .iter()
            .filter(|(_, c)| *c == '*')
            .map(|(i, _)| *i)
            .collect();
        if let [star] = stars.as_slice() {
            let (left, right) = (expr[..*star].trim(), expr[star + 1..].trim());
            expr = match (parse_f64(left), parse_f64(right)) {
                (_, Some(_)) => unwrapped(left),
                (Some(_), _) => unwrapped(right),
                _ => return None,
            };
        }
    }
    let top = top_level(expr)?;
    if top.iter().any(|(_, c)| "+-*%^<>=!".contains(*c)) {
        return None;
    }
    // Words at the top level: `sum by` is fine; `and`, `on (…)` are not.
    let mut words = Vec::new();
    let mut word = String::new();
    let mut last = None;
    for &(i, c) in &top {
        let continues = last.is_some_and(|l: usize| l + 1 == i);
        if c.is_ascii_alphanumeric() || c == '_' {
            if !continues {
                words.push(std::mem::take(&mut word));
            }
            word.push(c);
        } else {
            words.push(std::mem::take(&mut word));
        }
        last = Some(i);
    }
    words.push(word);
    const REFUSED: [&str; 8] = [
        "and",
        "or",
        "unless",
        "on",
        "ignoring",
        "group_left",
        "group_right",
        "bool",
    ];
    if words
        .iter()
        .any(|w| REFUSED.contains(&w.to_ascii_lowercase().as_str()))
    {
        return None;
    }
    let slashes: Vec<usize> = top
        .iter()
        .filter(|(_, c)| *c == '/')
        .map(|(i, _)| *i)
        .collect();
    let [slash] = slashes.as_slice() else {
        return None;
    };
    let (numerator, denominator) = (unwrapped(&expr[..*slash]), unwrapped(&expr[slash + 1..]));
    (!numerator.is_empty() && !denominator.is_empty())
        .then(|| (numerator.to_string(), denominator.to_string()))
}

/// `part` with every plain range (`[5m]`) as `[{{.window}}]`; `None` when it
/// has none, or a subquery (`[1h:1m]`), whose window would not be the SLO's.
/// Brackets inside quotes (`status=~"5[0-9]{2}"`) are the text's, not ranges.
fn windowed_ranges(part: &str) -> Option<String> {
    let mut out = String::with_capacity(part.len() + 16);
    let mut literals = StringLiterals::default();
    let mut range: Option<String> = None;
    let mut replaced = 0;
    for c in part.chars() {
        if let Some(inside) = range.as_mut() {
            if c == ']' {
                if inside.contains(':') || inside.trim().is_empty() {
                    return None;
                }
                out.push_str("[{{.window}}]");
                replaced += 1;
                range = None;
            } else {
                inside.push(c);
            }
            continue;
        }
        if !literals.take(c) && c == '[' {
            range = Some(String::new());
        } else {
            out.push(c);
        }
    }
    (replaced > 0 && range.is_none()).then_some(out)
}

#[cfg(test)]
mod suggestion_tests {
    use super::*;
    use crate::model::dashboard::Dashboard;
    use crate::query::template_variables::VariableValue;

    fn job(value: &str) -> crate::foundation::ordered::SortedMap<String, VariableValue> {
        [("job".to_string(), VariableValue::Single(value.into()))]
            .into_iter()
            .collect()
    }

    #[test]
    fn the_shipped_error_rate_panel_becomes_an_availability_slo() {
        let dashboard = Dashboard::from_json(include_str!(
            "../../../../public/dashboards/service-health.json"
        ))
        .unwrap();
        let panel = dashboard.panel("error-rate").unwrap();
        let slo = suggested_slo(panel, &job("sample-service"), &["error-rate".into()]).unwrap();
        assert_eq!(slo.id, "error-rate-2");
        assert_eq!(slo.service, "sample-service");
        assert_eq!(
            slo.indicator.errors.as_deref(),
            Some(
                r#"sum(rate(http_requests_total{job="sample-service",status_code=~"5.."}[{{.window}}]))"#
            )
        );
        assert_eq!(
            slo.indicator.total,
            r#"sum(rate(http_requests_total{job="sample-service"}[{{.window}}]))"#
        );
        assert_eq!(slo.objective_percent, 99.0);
    }

    #[test]
    fn the_settings_change_the_objective_and_period_and_refuse_nonsense() {
        let dashboard = Dashboard::from_json(include_str!(
            "../../../../public/dashboards/service-health.json"
        ))
        .unwrap();
        let original = &dashboard.slos[0];
        let edited = edited_slo(original, " Availability ", "99.9 %", "7d").unwrap();
        assert_eq!(
            (
                edited.name.as_str(),
                edited.objective_percent,
                edited.period.as_str()
            ),
            ("Availability", 99.9, "7d")
        );
        assert_eq!(edited.indicator, original.indicator);
        assert!(edited_slo(original, "A", "lots", "7d")
            .unwrap_err()
            .contains("not a number"));
        assert!(edited_slo(original, "A", "100", "7d")
            .unwrap_err()
            .contains("below 100 %"));
    }

    #[test]
    fn ratios_are_found_at_the_top_level_only() {
        assert_eq!(
            ratio_parts("100 * (sum(rate(a[5m])) / sum(rate(b[5m])))"),
            Some(("sum(rate(a[5m]))".into(), "sum(rate(b[5m]))".into()))
        );
        assert_eq!(
            ratio_parts("(sum(rate(a[5m]))) / (sum(rate(b[5m])))"),
            Some(("sum(rate(a[5m]))".into(), "sum(rate(b[5m]))".into()))
        );
        // A division inside a function, or a quote, is not the query's.
        assert_eq!(ratio_parts("sum(rate(a[5m]) / rate(b[5m]))"), None);
        assert_eq!(ratio_parts(r#"sum(rate(a{path="/x/y"}[5m]))"#), None);
        assert_eq!(ratio_parts("a / b / c"), None);
        // Anything else at the top level is not a ratio of counts.
        for other in [
            "1 - sum(rate(e[5m])) / sum(rate(t[5m]))",
            "sum(rate(e[5m])) / ignoring(code) sum(rate(t[5m]))",
            "sum(rate(e[5m])) / sum(rate(t[5m])) > 0.01",
            "sum(rate(e[5m])) / sum(rate(t[5m])) and on() vector(1)",
            "sum(rate(e[5m])) / sum(rate(t[5m])) * 100 * 2",
        ] {
            assert_eq!(ratio_parts(other), None, "{other}");
        }
        assert_eq!(
            ratio_parts("sum by (code) (rate(e[5m])) / sum by (code) (rate(t[5m]))"),
            Some((
                "sum by (code) (rate(e[5m]))".into(),
                "sum by (code) (rate(t[5m]))".into()
            ))
        );
        // Deep parentheses are peeled in one pass, however deep.
        let deep = format!("{}a / b{}", "(".repeat(50_000), ")".repeat(50_000));
        assert_eq!(ratio_parts(&deep), Some(("a".into(), "b".into())));
        assert_eq!(unwrapped("(a) / (b)"), "(a) / (b)");
        assert_eq!(unwrapped("((a))"), "a");
        // A regex's brackets are not ranges.
        assert_eq!(
            windowed_ranges(r#"rate(x{code=~"5[0-9]{2}"}[5m])"#).as_deref(),
            Some(r#"rate(x{code=~"5[0-9]{2}"}[{{.window}}])"#)
        );
        assert_eq!(ratio_parts("(a / b"), None);
        assert_eq!(
            windowed_ranges("rate(a[5m])").as_deref(),
            Some("rate(a[{{.window}}])")
        );
        assert_eq!(windowed_ranges("max_over_time(rate(a[5m])[1h:1m])"), None);
        assert_eq!(windowed_ranges("a"), None);
    }

    #[test]
    fn a_good_event_ratio_and_refusals() {
        let panel = |title: &str, expr: &str| {
            let mut dashboard = Dashboard::from_json(include_str!(
                "../../../../public/dashboards/service-health.json"
            ))
            .unwrap();
            let mut panel = dashboard.panels.remove(0);
            panel.title = title.into();
            panel.targets[0].expr = expr.into();
            panel
        };
        let fast = panel(
            "Fast searches",
            r#"sum(rate(d_bucket{le="0.5"}[5m])) / sum(rate(d_count[5m]))"#,
        );
        let slo = suggested_slo(&fast, &job("x"), &[]).unwrap();
        assert_eq!(slo.id, "fast-searches");
        assert!(slo.indicator.good.is_some() && slo.indicator.errors.is_none());
        let not_a_ratio = panel("Traffic", "sum(rate(http_requests_total[5m]))");
        assert!(suggested_slo(&not_a_ratio, &job("x"), &[])
            .unwrap_err()
            .contains("not a ratio"));
        let gauges = panel("Memory", "used / total");
        assert!(suggested_slo(&gauges, &job("x"), &[])
            .unwrap_err()
            .contains("plain range"));
    }
}
