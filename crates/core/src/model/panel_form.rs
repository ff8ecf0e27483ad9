//! The panel editor's form, as typed, and the panel it makes: what each field
//! must be, and what a change of type keeps (a stat's reducer, a time series'
//! line style and overlays).

use crate::analytics::options::{BaselineKind, ForecastKind, ForesightOptions};
use crate::foundation::span::parse_span;
use crate::foundation::units::Unit;
use crate::model::dashboard::{
    BarDisplay, BarOrientation, LegendMode, LegendOptions, LegendPlacement, LineStyle, Panel,
    PanelKind, Reducer, SeriesMatcher, SeriesOverride, SloShow, Target,
};
use crate::model::edit::parse_thresholds;

/// One query row of the form.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueryForm {
    pub expr: String,
    pub legend: String,
    pub instant: bool,
    /// Which of the panel's queries this row was (`None` for a row added in
    /// the editor), so that overrides picking a query follow it.
    pub origin: Option<usize>,
}

/// Every field of the form as text (or a switch), as the editor shows it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PanelForm {
    pub title: String,
    /// A panel type id (`timeseries`, `stat`, …).
    pub kind: String,
    /// A unit id.
    pub unit: String,
    pub decimals: String,
    /// `green, 80 amber, 90 red`.
    pub thresholds: String,
    /// Markdown, for text panels.
    pub content: String,
    /// `none`, `linear` or `seasonal`.
    pub forecast: String,
    /// `none`, `1d`, `1w` or `seasonal`.
    pub baseline: String,
    pub anomalies: bool,
    /// A span (`4h`), or empty for a quarter of the range.
    pub horizon: String,
    /// A time series' legend: `table`, `list` or `hidden`, and `bottom` or `right`.
    pub legend: String,
    pub legend_placement: String,
    /// A bar gauge's `basic`, `gradient` or `lcd`, and `horizontal`, `vertical` or `auto`.
    pub bar_display: String,
    pub bar_orientation: String,
    /// An SLO panel's SLO id (empty: every SLO) and what it shows (a `SloShow` id).
    pub slo: String,
    pub slo_show: String,
    pub queries: Vec<QueryForm>,
}

/// The member of `all` named `id` (the form's selects offer only these), else the first.
fn named<T: Copy>(all: &[T], name: fn(T) -> &'static str, id: &str) -> T {
    all.iter()
        .copied()
        .find(|v| name(*v) == id)
        .unwrap_or(all[0])
}

impl PanelForm {
    /// The form filled in from `panel`.
    pub fn of(panel: &Panel) -> Self {
        let own = match &panel.kind {
            PanelKind::Timeseries { foresight, .. } => foresight.clone(),
            _ => ForesightOptions::default(),
        };
        let legend = match &panel.kind {
            PanelKind::Timeseries { legend, .. } => *legend,
            _ => LegendOptions::default(),
        };
        let (bar_display, bar_orientation) = match &panel.kind {
            PanelKind::Bargauge {
                display,
                orientation,
                ..
            } => (*display, *orientation),
            _ => Default::default(),
        };
        let (slo, slo_show) = match &panel.kind {
            PanelKind::Slo { slo, show } => (slo.clone(), *show),
            _ => Default::default(),
        };
        Self {
            title: panel.title.clone(),
            kind: panel.kind.type_id().to_string(),
            unit: panel.unit.id().to_string(),
            decimals: panel.decimals.map(|d| d.to_string()).unwrap_or_default(),
            thresholds: crate::model::edit::format_thresholds(&panel.thresholds),
            content: match &panel.kind {
                PanelKind::Text { content } => content.clone(),
                _ => String::new(),
            },
            forecast: own.forecast.map_or("none", ForecastKind::id).to_string(),
            baseline: own.baseline.map_or("none", BaselineKind::id).to_string(),
            anomalies: own.anomalies,
            horizon: own.forecast_horizon.unwrap_or_default(),
            legend: legend.mode.id().to_string(),
            legend_placement: legend.placement.id().to_string(),
            bar_display: bar_display.id().to_string(),
            bar_orientation: bar_orientation.id().to_string(),
            slo,
            slo_show: slo_show.id().to_string(),
            queries: panel
                .targets
                .iter()
                .enumerate()
                .map(|(k, t)| QueryForm {
                    expr: t.expr.clone(),
                    legend: t.legend_format.clone().unwrap_or_default(),
                    instant: t.instant,
                    origin: Some(k),
                })
                .collect(),
        }
    }

    /// The panel this form makes out of `original` (its id, description and
    /// anything the form does not show stay), or what is wrong with it.
    pub fn panel(&self, original: &Panel) -> Result<Panel, String> {
        if self.title.trim().is_empty() {
            return Err("the title cannot be empty".into());
        }
        let decimals = match self.decimals.trim() {
            "" => None,
            text => Some(
                text.parse::<u8>()
                    .map_err(|_| format!("decimals {text:?} is not a whole number from 0 to 12"))?
                    .min(12),
            ),
        };
        let thresholds = parse_thresholds(&self.thresholds)?;
        let kept: Vec<&QueryForm> = self
            .queries
            .iter()
            .filter(|row| !row.expr.trim().is_empty())
            .collect();
        // An override that picks a query follows its row; one whose row is gone goes too.
        let overrides = original
            .overrides
            .iter()
            .filter_map(|one| match one.matcher {
                SeriesMatcher::Query(position) => {
                    let now = kept.iter().position(|row| row.origin == Some(position))?;
                    Some(SeriesOverride {
                        matcher: SeriesMatcher::Query(now),
                        ..one.clone()
                    })
                }
                _ => Some(one.clone()),
            })
            .collect();
        let targets: Vec<Target> = kept
            .iter()
            .map(|row| Target {
                expr: row.expr.trim().to_string(),
                legend_format: Some(row.legend.clone()).filter(|l| !l.trim().is_empty()),
                instant: row.instant,
            })
            .collect();
        let horizon = self.horizon.trim();
        if !horizon.is_empty() {
            parse_span(horizon).map_err(|e| format!("forecast horizon: {e}"))?;
        }
        let kind = self.kind_from(original, horizon);
        if let PanelKind::Slo { slo, show } = &kind {
            if slo.is_empty() && show.needs_one_slo() {
                return Err(format!("showing {} needs one SLO picked", show.id()));
            }
        }
        if kind.uses_targets() && targets.is_empty() {
            return Err("a panel needs at least one query".into());
        }
        Ok(Panel {
            title: self.title.trim().to_string(),
            kind,
            targets,
            unit: Unit::from_id(&self.unit).unwrap_or_default(),
            decimals,
            thresholds,
            overrides,
            ..original.clone()
        })
    }

    /// The panel type picked, keeping what the original had of it.
    fn kind_from(&self, original: &Panel, horizon: &str) -> PanelKind {
        let keep_reduce = match &original.kind {
            PanelKind::Stat { reduce, .. }
            | PanelKind::Gauge { reduce }
            | PanelKind::Bargauge { reduce, .. } => *reduce,
            _ => Reducer::Last,
        };
        match self.kind.as_str() {
            "timeseries" => {
                let (style, zero_line, mut foresight, legend) = match &original.kind {
                    PanelKind::Timeseries {
                        style,
                        zero_line,
                        foresight,
                        legend,
                    } => (*style, *zero_line, foresight.clone(), *legend),
                    _ => (
                        LineStyle::Lines,
                        false,
                        ForesightOptions::default(),
                        Default::default(),
                    ),
                };
                foresight.forecast = ForecastKind::parse(&self.forecast);
                foresight.baseline = BaselineKind::parse(&self.baseline);
                foresight.anomalies = self.anomalies;
                foresight.forecast_horizon = Some(horizon.to_string()).filter(|h| !h.is_empty());
                let legend = LegendOptions {
                    mode: named(&LegendMode::ALL, LegendMode::id, &self.legend),
                    placement: named(
                        &LegendPlacement::ALL,
                        LegendPlacement::id,
                        &self.legend_placement,
                    ),
                    ..legend
                };
                PanelKind::Timeseries {
                    style,
                    zero_line,
                    foresight,
                    legend,
                }
            }
            "stat" => match &original.kind {
                PanelKind::Stat { .. } => original.kind.clone(),
                _ => PanelKind::Stat {
                    reduce: keep_reduce,
                    sparkline: true,
                    no_value_text: None,
                },
            },
            "gauge" => PanelKind::Gauge {
                reduce: keep_reduce,
            },
            "bargauge" => PanelKind::Bargauge {
                reduce: keep_reduce,
                display: named(&BarDisplay::ALL, BarDisplay::id, &self.bar_display),
                orientation: named(
                    &BarOrientation::ALL,
                    BarOrientation::id,
                    &self.bar_orientation,
                ),
            },
            "table" => PanelKind::Table,
            "heatmap" => PanelKind::Heatmap,
            "row" => match &original.kind {
                PanelKind::Row { .. } => original.kind.clone(),
                _ => PanelKind::Row { collapsed: false },
            },
            "slo" => PanelKind::Slo {
                slo: self.slo.trim().to_string(),
                show: named(&SloShow::ALL, SloShow::id, &self.slo_show),
            },
            _ => PanelKind::Text {
                content: self.content.clone(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::dashboard::Dashboard;

    fn shipped_panels() -> Vec<Panel> {
        Dashboard::from_json(include_str!(
            "../../../../public/dashboards/service-health.json"
        ))
        .unwrap()
        .panels
    }

    #[test]
    fn an_untouched_form_gives_the_panel_back() {
        for panel in shipped_panels() {
            assert_eq!(
                PanelForm::of(&panel).panel(&panel).as_ref(),
                Ok(&panel),
                "{}",
                panel.id
            );
        }
    }

    #[test]
    fn legend_and_bar_gauge_display_are_set_in_the_form() {
        let chart = shipped_panels()
            .into_iter()
            .find(|p| matches!(p.kind, PanelKind::Timeseries { .. }))
            .unwrap();
        let mut form = PanelForm::of(&chart);
        assert_eq!(
            (form.legend.as_str(), form.legend_placement.as_str()),
            ("table", "bottom")
        );
        form.legend = "list".into();
        form.legend_placement = "right".into();
        let changed = form.panel(&chart).unwrap();
        let PanelKind::Timeseries { legend, .. } = changed.kind else {
            panic!("still a time series")
        };
        assert_eq!(
            (legend.mode, legend.placement),
            (LegendMode::List, LegendPlacement::Right)
        );
        form.kind = "bargauge".into();
        form.bar_display = "lcd".into();
        form.bar_orientation = "auto".into();
        let bars = form.panel(&chart).unwrap();
        assert!(matches!(
            bars.kind,
            PanelKind::Bargauge {
                display: BarDisplay::Lcd,
                orientation: BarOrientation::Auto,
                ..
            }
        ));
        // And read back as set.
        let again = PanelForm::of(&bars);
        assert_eq!(
            (again.bar_display.as_str(), again.bar_orientation.as_str()),
            ("lcd", "auto")
        );
    }

    #[test]
    fn overrides_that_pick_a_query_follow_its_row() {
        let mut panel = shipped_panels()
            .into_iter()
            .find(|p| matches!(p.kind, PanelKind::Timeseries { .. }))
            .unwrap();
        panel.targets = ["a", "b", "c"]
            .map(|expr| Target {
                expr: expr.into(),
                legend_format: None,
                instant: false,
            })
            .to_vec();
        panel.overrides = (0..3)
            .map(|k| SeriesOverride {
                display_name: Some(format!("query {k}")),
                ..SeriesOverride::new(SeriesMatcher::Query(k))
            })
            .collect();
        let mut form = PanelForm::of(&panel);
        form.queries.remove(0);
        form.queries.push(QueryForm {
            expr: "d".into(),
            ..QueryForm::default()
        });
        let edited = form.panel(&panel).unwrap();
        let picked: Vec<(usize, String)> = edited
            .overrides
            .iter()
            .map(|o| match o.matcher {
                SeriesMatcher::Query(k) => (k, o.display_name.clone().unwrap()),
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(picked, [(0, "query 1".into()), (1, "query 2".into())]);
    }

    #[test]
    fn each_field_says_what_is_wrong_with_it() {
        let panel = shipped_panels()
            .into_iter()
            .find(|p| !p.targets.is_empty())
            .unwrap();
        let form = PanelForm::of(&panel);
        let wrong = |change: &dyn Fn(&mut PanelForm)| {
            let mut form = form.clone();
            change(&mut form);
            form.panel(&panel).unwrap_err()
        };
        assert!(wrong(&|f| f.title = "  ".into()).contains("title"));
        assert!(wrong(&|f| f.decimals = "two".into()).contains("decimals"));
        assert!(wrong(&|f| f.decimals = "-1".into()).contains("decimals"));
        assert!(wrong(&|f| f.horizon = "soon".into()).contains("horizon"));
        assert!(
            wrong(&|f| f.queries.iter_mut().for_each(|q| q.expr = " ".into()))
                .contains("at least one query")
        );
        // Decimals past 12 are held at 12; a text panel needs no query.
        let mut form = form.clone();
        form.decimals = "40".into();
        assert_eq!(form.panel(&panel).unwrap().decimals, Some(12));
        form.kind = "text".into();
        form.queries.clear();
        form.content = "# notes".into();
        assert_eq!(
            form.panel(&panel).unwrap().kind,
            PanelKind::Text {
                content: "# notes".into()
            }
        );
    }

    #[test]
    fn a_new_type_keeps_what_the_panel_had_of_it() {
        let stat = shipped_panels()
            .into_iter()
            .find(|p| matches!(p.kind, PanelKind::Stat { reduce, .. } if reduce != Reducer::Last))
            .or_else(|| {
                shipped_panels()
                    .into_iter()
                    .find(|p| matches!(p.kind, PanelKind::Stat { .. }))
            })
            .unwrap();
        let PanelKind::Stat { reduce, .. } = stat.kind else {
            unreachable!()
        };
        let mut form = PanelForm::of(&stat);
        form.kind = "gauge".into();
        assert_eq!(form.panel(&stat).unwrap().kind, PanelKind::Gauge { reduce });
        let series = shipped_panels()
            .into_iter()
            .find(|p| matches!(p.kind, PanelKind::Timeseries { .. }))
            .unwrap();
        let mut form = PanelForm::of(&series);
        form.forecast = "linear".into();
        form.horizon = " 4h ".into();
        let PanelKind::Timeseries { foresight, .. } = form.panel(&series).unwrap().kind else {
            panic!("still a time series")
        };
        assert_eq!(foresight.forecast, Some(ForecastKind::Linear));
        assert_eq!(foresight.forecast_horizon.as_deref(), Some("4h"));
    }
}
