//! What an SLO panel asks Prometheus: the SLOs it shows, their queries (one
//! status query per SLO; or, for the burn-down, the failed and all events
//! per step) and the time range (the burn-down spans the SLO's period,
//! whatever the dashboard's range).

use crate::alerting::slo::Slo;
use crate::alerting::slo_status::status_query;
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
                start_ms: range.end_ms - (period * 1000.0) as i64,
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
