//! Editing a dashboard: the operations the editor offers, each producing a
//! valid dashboard (or a message saying why not), an undo history, the
//! threshold text the panel editor shows, and the browser's saved-dashboards
//! store. Pure, so every edit is tested natively.

use crate::foundation::json::ToJson;
use crate::foundation::ordered::SortedMap;
use crate::model::dashboard::{
    Dashboard, ForesightOptions, GridPosition, LineStyle, Panel, PanelKind, SloShow, Target,
    Threshold, GRID_COLUMNS,
};
use serde::{Deserialize, Serialize};

/// Undo keeps this many earlier versions.
pub const UNDO_DEPTH: usize = 50;

/// A panel id not used in `dashboard`, from `base`.
pub fn free_panel_id(dashboard: &Dashboard, base: &str) -> String {
    let base: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .trim_matches('-')
        .to_string();
    let base = if base.is_empty() {
        "panel".to_string()
    } else {
        base
    };
    let mut id = base.clone();
    let mut n = 2;
    while dashboard.panel(&id).is_some() {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

fn bottom(dashboard: &Dashboard) -> u32 {
    dashboard
        .layout
        .iter()
        .map(|p| p.y + p.h)
        .max()
        .unwrap_or(0)
}

/// The edits the editor offers.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// A new time-series panel at the bottom.
    AddPanel,
    /// A new time-series panel at the bottom showing `expr` ("What else
    /// moved?" adds a related series this way).
    AddQueryPanel {
        title: String,
        expr: String,
    },
    Duplicate(String),
    Delete(String),
    /// Move by grid units (clamped to the grid).
    Move {
        panel: String,
        dx: i32,
        dy: i32,
    },
    /// Resize by grid units (at least 2×2, at most the grid's width).
    Resize {
        panel: String,
        dw: i32,
        dh: i32,
    },
    /// Replace a panel (same id) with an edited one.
    Replace(Box<Panel>),
    SetTitle(String),
    SetTime {
        from: String,
        to: String,
    },
    SetRefresh(String),
    SetDatasource(Option<String>),
    SetDatasourceOptions(crate::model::datasource::DatasourceOptions),
    SetVariables(Vec<crate::model::dashboard::Variable>),
    /// Replace the alert rule at `index`, or add one at the end (`None`).
    SetAlertRule {
        index: Option<usize>,
        rule: Box<crate::alerting::rule::AlertRule>,
    },
    DeleteAlertRule(usize),
    /// Rules added at the end in one step (an imported rule file).
    AddAlertRules(Vec<crate::alerting::rule::AlertRule>),
    SetNotify(crate::model::dashboard::NotifyTargets),
    /// Service-level objectives added at the end (an imported spec).
    AddSlos(Vec<crate::alerting::slo::Slo>),
    /// The SLOs as edited in the settings (all of them, in order).
    SetSlos(Vec<crate::alerting::slo::Slo>),
    /// One SLO (made from a panel's query), with a panel of its budget left
    /// and one of its burn-down at the bottom.
    AddSloWithPanels(Box<crate::alerting::slo::Slo>),
}

fn shifted(value: u32, by: i32, max: u32) -> u32 {
    (i64::from(value) + i64::from(by)).clamp(0, i64::from(max)) as u32
}

/// Applies `edit`; the result is validated like any loaded dashboard.
pub fn apply_edit(dashboard: &Dashboard, edit: &Edit) -> Result<Dashboard, String> {
    // An SLO added, or whose queries changed, must be one whose rules can
    // run. One the dashboard already had keeps its queries when its name,
    // objective or period is edited in the settings (which cannot change
    // queries), so that those stay editable.
    let made: &[crate::alerting::slo::Slo] = match edit {
        Edit::AddSlos(slos) | Edit::SetSlos(slos) => slos,
        Edit::AddSloWithPanels(slo) => std::slice::from_ref(&**slo),
        _ => &[],
    };
    let had = |slo: &crate::alerting::slo::Slo| {
        dashboard
            .slos
            .iter()
            .any(|old| old.id == slo.id && old.indicator == slo.indicator)
    };
    for slo in made.iter().filter(|slo| !had(slo)) {
        if let Some(problem) = slo.variable_problem() {
            return Err(format!("SLO {:?}: {problem}", slo.id));
        }
    }
    let mut next = dashboard.clone();
    let position = |next: &mut Dashboard, id: &str| -> Result<usize, String> {
        next.layout
            .iter()
            .position(|p| p.panel == id)
            .ok_or_else(|| format!("there is no panel {id:?}"))
    };
    match edit {
        Edit::AddPanel | Edit::AddQueryPanel { .. } => {
            let (title, expr, id_base) = match edit {
                Edit::AddQueryPanel { title, expr } => {
                    (title.clone(), expr.clone(), title.as_str())
                }
                _ => ("New panel".to_string(), "up".to_string(), "panel"),
            };
            let id = free_panel_id(dashboard, id_base);
            next.panels.push(Panel::plain(
                id.clone(),
                title,
                PanelKind::Timeseries {
                    style: LineStyle::Lines,
                    zero_line: false,
                    foresight: ForesightOptions::default(),
                    legend: Default::default(),
                },
                vec![Target {
                    expr,
                    legend_format: None,
                    instant: false,
                }],
            ));
            next.layout.push(GridPosition {
                panel: id,
                x: 0,
                y: bottom(dashboard),
                w: 12,
                h: 8,
            });
        }
        Edit::Duplicate(id) => {
            let original = dashboard
                .panel(id)
                .ok_or_else(|| format!("there is no panel {id:?}"))?;
            let copy_id = free_panel_id(dashboard, &format!("{id}-copy"));
            let mut copy = original.clone();
            copy.id = copy_id.clone();
            copy.title = format!("{} (copy)", original.title);
            let at = position(&mut next, id)?;
            let placed = next.layout[at].clone();
            next.panels.push(copy);
            next.layout.push(GridPosition {
                panel: copy_id,
                y: bottom(dashboard),
                ..placed
            });
        }
        Edit::Delete(id) => {
            let at = position(&mut next, id)?;
            next.layout.remove(at);
            next.panels.retain(|p| &p.id != id);
            if next.panels.is_empty() {
                return Err(
                    "a dashboard needs at least one panel; add another before deleting this one"
                        .into(),
                );
            }
        }
        Edit::Move { panel, dx, dy } => {
            // The page shows the layout compacted (as Grafana's grid does), so
            // a step up or down swaps the panel with its neighbour above or
            // below in its columns: a one-row shift would be compacted away.
            crate::model::dashboard::layout::compact(&mut next.layout);
            let at = position(&mut next, panel)?;
            let p = &mut next.layout[at];
            p.x = shifted(p.x, *dx, GRID_COLUMNS - p.w);
            let moved = next.layout[at].clone();
            let shares_columns = |o: &GridPosition| o.x < moved.x + moved.w && moved.x < o.x + o.w;
            let neighbour = next
                .layout
                .iter()
                .enumerate()
                .filter(|(i, o)| *i != at && shares_columns(o))
                .filter(|(_, o)| match dy.signum() {
                    -1 => o.y < moved.y,
                    1 => o.y > moved.y,
                    _ => false,
                })
                .min_by_key(|(_, o)| o.y.abs_diff(moved.y))
                .map(|(i, _)| i);
            if let Some(other) = neighbour {
                let (top, first_h, second) = if *dy < 0 {
                    (next.layout[other].y, moved.h, other)
                } else {
                    (moved.y, next.layout[other].h, at)
                };
                // The one that goes first takes the top; the other follows it.
                let first = if second == at { other } else { at };
                next.layout[first].y = top;
                next.layout[second].y = top.saturating_add(first_h);
            }
            crate::model::dashboard::layout::compact(&mut next.layout);
        }
        Edit::Resize { panel, dw, dh } => {
            let at = position(&mut next, panel)?;
            let p = &mut next.layout[at];
            p.w = shifted(p.w, *dw, GRID_COLUMNS - p.x).max(2);
            p.h = shifted(p.h, *dh, 60).max(2);
        }
        Edit::Replace(panel) => {
            let slot = next
                .panels
                .iter_mut()
                .find(|p| p.id == panel.id)
                .ok_or_else(|| format!("there is no panel {:?}", panel.id))?;
            *slot = (**panel).clone();
        }
        Edit::SetTitle(title) => {
            if title.trim().is_empty() {
                return Err("the title cannot be empty".into());
            }
            next.title = title.trim().to_string();
        }
        Edit::SetTime { from, to } => {
            next.time.from = from.trim().to_string();
            next.time.to = to.trim().to_string();
        }
        Edit::SetRefresh(refresh) => next.refresh = refresh.clone(),
        Edit::SetDatasource(datasource) => {
            next.datasource = datasource.clone().filter(|d| !d.trim().is_empty())
        }
        Edit::SetDatasourceOptions(options) => next.datasource_options = options.clone(),
        Edit::SetVariables(variables) => next.variables = variables.clone(),
        Edit::SetAlertRule { index, rule } => match index {
            Some(i) => {
                *next
                    .alerts
                    .get_mut(*i)
                    .ok_or_else(|| format!("there is no rule {i}"))? = (**rule).clone()
            }
            None => next.alerts.push((**rule).clone()),
        },
        Edit::DeleteAlertRule(index) => {
            if *index >= next.alerts.len() {
                return Err(format!("there is no rule {index}"));
            }
            next.alerts.remove(*index);
        }
        Edit::AddAlertRules(rules) => next.alerts.extend(rules.iter().cloned()),
        Edit::SetNotify(targets) => next.notify = targets.clone(),
        Edit::AddSlos(slos) => next.slos.extend(slos.iter().cloned()),
        Edit::SetSlos(slos) => {
            next.slos = slos.clone();
            // A removed SLO takes its own panels with it (an overview of
            // every SLO stays).
            let gone = |kind: &PanelKind| {
                matches!(kind, PanelKind::Slo { slo, .. }
                    if !slo.is_empty() && !slos.iter().any(|s| s.id == *slo))
            };
            let removed: Vec<String> = next
                .panels
                .iter()
                .filter(|p| gone(&p.kind))
                .map(|p| p.id.clone())
                .collect();
            next.panels.retain(|p| !removed.contains(&p.id));
            next.layout.retain(|place| !removed.contains(&place.panel));
        }
        Edit::AddSloWithPanels(slo) => {
            next.slos.push((**slo).clone());
            let y = bottom(dashboard);
            for (show, words, x, w) in [
                (SloShow::Budget, "error budget left", 0, 8),
                (SloShow::BurnDown, "budget burn-down", 8, 16),
            ] {
                let id = free_panel_id(&next, &format!("{}-{}", slo.id, show.id()));
                next.panels.push(Panel::plain(
                    id.clone(),
                    format!("{}: {words}", slo.name),
                    PanelKind::Slo {
                        slo: slo.id.clone(),
                        show,
                    },
                    Vec::new(),
                ));
                next.layout.push(GridPosition {
                    panel: id,
                    x,
                    y,
                    w,
                    h: 8,
                });
            }
        }
    }
    // Every edit must leave a dashboard that loads.
    Dashboard::from_json(&next.to_json())
}

/// The current dashboard and the versions before it.
#[derive(Debug, Clone, PartialEq)]
pub struct EditHistory {
    pub current: Dashboard,
    undo: Vec<Dashboard>,
    /// The version last saved (to know whether there are unsaved changes).
    saved: Dashboard,
}

impl EditHistory {
    pub fn new(dashboard: Dashboard) -> Self {
        Self {
            saved: dashboard.clone(),
            current: dashboard,
            undo: Vec::new(),
        }
    }

    /// Applies an edit; a refused edit changes nothing.
    pub fn apply(&mut self, edit: &Edit) -> Result<(), String> {
        let next = apply_edit(&self.current, edit)?;
        if next != self.current {
            self.undo.push(std::mem::replace(&mut self.current, next));
            if self.undo.len() > UNDO_DEPTH {
                self.undo.remove(0);
            }
        }
        Ok(())
    }

    /// A dashboard that has never been saved (imported, recovered): dirty from the start.
    pub fn new_unsaved(dashboard: Dashboard) -> Self {
        let mut saved = dashboard.clone();
        saved.title.push_str(" (never saved)");
        Self {
            current: dashboard,
            undo: Vec::new(),
            saved,
        }
    }

    pub fn undo(&mut self) -> bool {
        match self.undo.pop() {
            Some(previous) => {
                self.current = previous;
                true
            }
            None => false,
        }
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn is_dirty(&self) -> bool {
        self.current != self.saved
    }

    pub fn mark_saved(&mut self) {
        self.saved = self.current.clone();
    }
}

/// Thresholds as the editor shows them: `green, 80 amber, 90 red`.
pub fn format_thresholds(thresholds: &[Threshold]) -> String {
    thresholds
        .iter()
        .map(|t| match t.value {
            None => t.color.clone(),
            Some(v) => format!("{v} {}", t.color),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parses the editor's threshold text (empty means none).
pub fn parse_thresholds(text: &str) -> Result<Vec<Threshold>, String> {
    let mut thresholds = Vec::new();
    let mut last = f64::NEG_INFINITY;
    for (index, part) in text
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .enumerate()
    {
        let words: Vec<&str> = part.split_whitespace().collect();
        let color_ok = |c: &str| {
            ["green", "amber", "orange", "yellow", "red", "blue"].contains(&c)
                || (c.len() == 7
                    && c.starts_with('#')
                    && c[1..].chars().all(|h| h.is_ascii_hexdigit()))
        };
        match (index, words.as_slice()) {
            (0, [color]) if color_ok(color) => thresholds.push(Threshold {
                value: None,
                color: color.to_string(),
            }),
            (i, [value, color]) if i > 0 && color_ok(color) => {
                // A dashboard file holds JSON numbers: no infinity (`1e999`) or NaN.
                let value = crate::foundation::float_text::parse_f64(value)
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| format!("{value:?} in {part:?} is not a number"))?;
                if value <= last {
                    return Err(format!("thresholds must rise: {part:?} is not above the one before"));
                }
                last = value;
                thresholds.push(Threshold {
                    value: Some(value),
                    color: color.to_string(),
                });
            }
            _ => {
                return Err(format!(
                    "{part:?}: write the base colour first, then \"value colour\" steps, e.g. \"green, 80 amber, 90 red\" (colours: green, amber, red, blue or #rrggbb)"
                ))
            }
        }
    }
    Ok(thresholds)
}

/// The dashboards saved in this browser, by id (kept as one JSON document).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SavedDashboards {
    #[serde(default)]
    pub dashboards: SortedMap<String, Dashboard>,
}

impl SavedDashboards {
    /// Reads the stored document; damage is reported and nothing is lost from it
    /// (the caller keeps the raw text until the user decides).
    pub fn from_storage(text: Option<&str>) -> Result<Self, String> {
        match text {
            None => Ok(Self::default()),
            Some(text) => crate::foundation::json::decode(text).map_err(|e| {
                format!("the dashboards saved in this browser cannot be read ({e}); they are kept untouched")
            }),
        }
    }

    pub fn to_storage(&self) -> String {
        ToJson::to_json(self).to_string()
    }

    /// Saves (or overwrites) a dashboard under its id.
    pub fn save(&mut self, dashboard: &Dashboard) {
        self.dashboards
            .insert(dashboard.id.clone(), dashboard.clone());
    }

    pub fn rename(&mut self, id: &str, title: &str) -> Result<(), String> {
        if title.trim().is_empty() {
            return Err("the title cannot be empty".into());
        }
        let dashboard = self
            .dashboards
            .get_mut(id)
            .ok_or_else(|| format!("no saved dashboard {id:?}"))?;
        dashboard.title = title.trim().to_string();
        Ok(())
    }

    pub fn delete(&mut self, id: &str) -> bool {
        self.dashboards.remove(id).is_some()
    }

    /// Reads dashboards stored one per key (`(key, text)` pairs with keys from
    /// [`saved_dashboard_key`]). Each is read and validated on its own, so a
    /// damaged or invalid one is reported by name and left untouched while
    /// the others load.
    pub fn from_entries(entries: &[(String, String)]) -> (Self, Vec<String>) {
        let mut saved = Self::default();
        let mut problems = Vec::new();
        for (key, text) in entries {
            let Some(id) = key.strip_prefix(SAVED_DASHBOARD_KEY_PREFIX) else {
                continue;
            };
            match Dashboard::from_json(text) {
                Ok(dashboard) if dashboard.id == id => saved.save(&dashboard),
                Ok(dashboard) => problems.push(format!(
                    "the dashboard saved as {id:?} calls itself {:?}; it is kept untouched",
                    dashboard.id
                )),
                Err(error) => problems.push(format!(
                    "the dashboard saved as {id:?} cannot be read ({error}); it is kept untouched"
                )),
            }
        }
        (saved, problems)
    }
}

/// Saved dashboards live one per storage key, so that writing one can never
/// damage another and a bad one cannot hide the rest.
pub const SAVED_DASHBOARD_KEY_PREFIX: &str = "foresight.saved.";

/// Where the dashboard `id` is saved.
pub fn saved_dashboard_key(id: &str) -> String {
    format!("{SAVED_DASHBOARD_KEY_PREFIX}{id}")
}

/// Above this many characters a link may be refused by common servers and proxies.
pub const LONG_URL_CHARACTERS: usize = 8_000;

/// A warning for links longer than common servers accept, if needed.
pub fn long_url_warning(url: &str) -> Option<String> {
    (url.len() > LONG_URL_CHARACTERS).then(|| {
        format!(
            "this link is {} characters long; many servers and proxies refuse links over {} (8 KB), so prefer downloading the JSON or hosting it beside Foresight",
            url.len(),
            LONG_URL_CHARACTERS
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> Dashboard {
        Dashboard::from_json(include_str!(
            "../../../../public/dashboards/service-health.json"
        ))
        .unwrap()
    }

    #[test]
    fn removing_an_slo_in_the_settings_removes_its_panels_but_not_the_overview() {
        let dashboard = crate::model::dashboard::Dashboard::from_json(include_str!(
            "../../../../public/dashboards/service-health.json"
        ))
        .unwrap();
        let kept: Vec<_> = dashboard
            .slos
            .iter()
            .filter(|s| s.id != "availability")
            .cloned()
            .collect();
        let next = apply_edit(&dashboard, &Edit::SetSlos(kept)).unwrap();
        assert_eq!(next.slos.len(), 2);
        for gone in ["availability-budget", "availability-burn-down"] {
            assert!(next.panel(gone).is_none(), "{gone}");
            assert!(next.layout.iter().all(|p| p.panel != gone));
        }
        assert!(next.panel("slo-overview").is_some());
        assert!(next.panel("search-burn-rates").is_some());
    }

    #[test]
    fn an_slo_with_a_dashboard_variable_is_refused_when_made_but_one_already_saved_stays() {
        let dashboard = shipped();
        let mut with_variable = dashboard.slos[0].clone();
        with_variable.id = "with-variable".into();
        with_variable.indicator.total = r#"sum(rate(t{job="$job"}[{{.window}}]))"#.into();
        for edit in [
            Edit::AddSlos(vec![with_variable.clone()]),
            Edit::AddSloWithPanels(Box::new(with_variable.clone())),
            Edit::SetSlos(vec![with_variable.clone()]),
        ] {
            let error = apply_edit(&dashboard, &edit).unwrap_err();
            assert!(
                error.contains("total query uses the dashboard variable $job"),
                "{error}"
            );
        }
        // A dashboard saved before the check still reads, and its settings
        // can be applied with that SLO unchanged.
        let mut saved = dashboard.clone();
        saved.slos.push(with_variable.clone());
        let saved = Dashboard::from_json(&saved.to_json()).unwrap();
        assert!(apply_edit(&saved, &Edit::SetSlos(saved.slos.clone())).is_ok());
        // Its alerts are not evaluated (they could never fire), and the page says why.
        assert_eq!(saved.evaluated_rules(), dashboard.evaluated_rules());
        let notes = saved.unevaluated_slos();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].contains("its alerts are not evaluated, since the total query uses the dashboard variable $job"), "{notes:?}");
        assert!(dashboard.unevaluated_slos().is_empty());
        let mut renamed = saved.slos.clone();
        renamed.last_mut().unwrap().name = "Renamed".into();
        assert!(apply_edit(&saved, &Edit::SetSlos(renamed)).is_ok());
    }

    #[test]
    fn edits_keep_the_dashboard_valid_and_undo_restores_it() {
        let original = shipped();
        let mut history = EditHistory::new(original.clone());
        history.apply(&Edit::AddPanel).unwrap();
        let added = history.current.panels.last().unwrap().id.clone();
        assert_eq!(added, "panel");
        history
            .apply(&Edit::AddQueryPanel {
                title: "p95 of /api/orders".into(),
                expr: "histogram_quantile(0.95, rate(x_bucket[5m]))".into(),
            })
            .unwrap();
        let query_panel = history.current.panels.last().unwrap();
        assert_eq!(query_panel.id, "p95-of--api-orders");
        assert_eq!(
            query_panel.targets[0].expr,
            "histogram_quantile(0.95, rate(x_bucket[5m]))"
        );
        history.undo();
        history.apply(&Edit::Duplicate("traffic".into())).unwrap();
        assert!(history.current.panel("traffic-copy").is_some());
        history
            .apply(&Edit::Move {
                panel: added.clone(),
                dx: 30,
                dy: -1,
            })
            .unwrap();
        let placed = history
            .current
            .layout
            .iter()
            .find(|p| p.panel == added)
            .unwrap();
        assert_eq!(placed.x, 12, "clamped to the grid's right edge");
        // Up and down swap a panel with its neighbour in its columns (a
        // one-row shift would be compacted away on the page).
        let two = Dashboard::from_json(
            r#"{"schemaVersion": 1, "id": "d", "title": "D", "panels": [
            {"id": "a", "title": "A", "type": "text", "content": "a"},
            {"id": "b", "title": "B", "type": "text", "content": "b"}],
          "layout": [{"panel": "a", "x": 0, "y": 0, "w": 24, "h": 8},
                     {"panel": "b", "x": 0, "y": 8, "w": 24, "h": 4}]}"#,
        )
        .unwrap();
        let rows = |d: &Dashboard| {
            d.layout
                .iter()
                .map(|p| (p.panel.clone(), p.y))
                .collect::<Vec<_>>()
        };
        let down = apply_edit(
            &two,
            &Edit::Move {
                panel: "a".into(),
                dx: 0,
                dy: 1,
            },
        )
        .unwrap();
        assert_eq!(rows(&down), [("a".to_string(), 4), ("b".to_string(), 0)]);
        let up = apply_edit(
            &down,
            &Edit::Move {
                panel: "a".into(),
                dx: 0,
                dy: -1,
            },
        )
        .unwrap();
        assert_eq!(rows(&up), rows(&two));
        let top = apply_edit(
            &two,
            &Edit::Move {
                panel: "a".into(),
                dx: 0,
                dy: -1,
            },
        )
        .unwrap();
        assert_eq!(rows(&top), rows(&two), "nothing above: it stays");
        history
            .apply(&Edit::Resize {
                panel: added.clone(),
                dw: -20,
                dh: 4,
            })
            .unwrap();
        let placed = history
            .current
            .layout
            .iter()
            .find(|p| p.panel == added)
            .unwrap();
        assert_eq!((placed.w, placed.h), (2, 12));
        history.apply(&Edit::Delete("about".into())).unwrap();
        assert!(history.current.panel("about").is_none());
        assert!(history.is_dirty());
        assert!(history.apply(&Edit::SetTitle("  ".into())).is_err());
        assert!(
            history
                .apply(&Edit::SetTime {
                    from: "yesterday".into(),
                    to: "now".into()
                })
                .is_err(),
            "validated"
        );
        while history.undo() {}
        assert_eq!(history.current, original);
        assert!(!history.is_dirty());
    }

    #[test]
    fn rules_are_added_replaced_deleted_and_validated() {
        let mut history = EditHistory::new(shipped());
        let shipped_rules = history.current.alerts.len();
        let rule: crate::alerting::rule::AlertRule = crate::foundation::json::decode(
            r#"{"name": "Traffic", "expr": "sum(rate(http_requests_total[5m]))",
                "condition": {"kind": "anomalyScore", "above": 0.99},
                "annotations": {"summary": "score {{ $value }}"}}"#,
        )
        .unwrap();
        history
            .apply(&Edit::SetAlertRule {
                index: None,
                rule: Box::new(rule.clone()),
            })
            .unwrap();
        assert_eq!(history.current.alerts.len(), shipped_rules + 1);
        let duplicate = history.apply(&Edit::SetAlertRule {
            index: None,
            rule: Box::new(rule.clone()),
        });
        assert!(duplicate.unwrap_err().contains("defined twice"));
        let mut broken = rule.clone();
        broken
            .annotations
            .insert("summary".into(), "{{ $value ".into());
        let refused = history
            .apply(&Edit::SetAlertRule {
                index: Some(shipped_rules),
                rule: Box::new(broken),
            })
            .unwrap_err();
        assert!(refused.contains("summary"), "{refused}");
        let mut with_variable = rule;
        with_variable.expr = "rate(x{job=\"$job\"}[5m])".into();
        let refused = history
            .apply(&Edit::SetAlertRule {
                index: Some(shipped_rules),
                rule: Box::new(with_variable),
            })
            .unwrap_err();
        assert!(refused.contains("$job"), "{refused}");
        history
            .apply(&Edit::DeleteAlertRule(shipped_rules))
            .unwrap();
        assert_eq!(history.current.alerts.len(), shipped_rules);
        assert!(history.apply(&Edit::DeleteAlertRule(99)).is_err());
        let bad_target = crate::model::dashboard::NotifyTargets {
            alertmanager: Some("localhost:9093".into()),
            ..Default::default()
        };
        assert!(history.apply(&Edit::SetNotify(bad_target)).is_err());
    }

    #[test]
    fn the_last_panel_cannot_be_deleted_and_unknown_panels_are_errors() {
        let mut dashboard = shipped();
        let keep = dashboard.panels[0].id.clone();
        dashboard.panels.truncate(1);
        dashboard.layout.retain(|p| p.panel == keep);
        assert!(apply_edit(&dashboard, &Edit::Delete(keep))
            .unwrap_err()
            .contains("at least one panel"));
        assert!(apply_edit(&dashboard, &Edit::Duplicate("nope".into())).is_err());
    }

    #[test]
    fn thresholds_round_trip_through_the_editor_text() {
        let parsed = parse_thresholds("green, 80 amber, 90 #ff0000").unwrap();
        assert_eq!(parsed.len(), 3);
        assert_eq!(format_thresholds(&parsed), "green, 80 amber, 90 #ff0000");
        assert_eq!(parse_thresholds("").unwrap(), vec![]);
        assert!(parse_thresholds("green, 00051.00000000000000E002020 #fb0001").is_err());
        assert!(parse_thresholds("80 amber")
            .unwrap_err()
            .contains("base colour first"));
        assert!(parse_thresholds("green, 90 red, 80 amber")
            .unwrap_err()
            .contains("must rise"));
        assert!(parse_thresholds("green, x red")
            .unwrap_err()
            .contains("not a number"));
    }

    #[test]
    fn saved_dashboards_survive_storage_and_damage_is_reported() {
        let mut saved = SavedDashboards::default();
        saved.save(&shipped());
        saved.rename("service-health", "Mine").unwrap();
        let text = saved.to_storage();
        let back = SavedDashboards::from_storage(Some(&text)).unwrap();
        assert_eq!(back.dashboards["service-health"].title, "Mine");
        assert!(SavedDashboards::from_storage(Some(&text[..text.len() / 2]))
            .unwrap_err()
            .contains("kept untouched"));
        assert_eq!(
            SavedDashboards::from_storage(None).unwrap(),
            SavedDashboards::default()
        );
        let mut back = back;
        assert!(back.delete("service-health"));
        assert!(!back.delete("service-health"));
    }

    #[test]
    fn one_damaged_saved_dashboard_does_not_hide_the_others() {
        let good = shipped();
        let mut renamed = shipped();
        renamed.id = "other".into();
        let entries = vec![
            (saved_dashboard_key(&good.id), good.to_json()),
            (
                saved_dashboard_key("broken"),
                good.to_json()[..100].to_string(),
            ),
            (saved_dashboard_key("liar"), renamed.to_json()),
            ("foresight.draft.x".to_string(), good.to_json()),
        ];
        let (saved, problems) = SavedDashboards::from_entries(&entries);
        assert_eq!(
            saved.dashboards.keys().collect::<Vec<_>>(),
            vec!["service-health"]
        );
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("\"broken\" cannot be read"));
        assert!(problems[1].contains("calls itself \"other\""));
    }

    #[test]
    fn long_links_get_a_warning() {
        assert!(long_url_warning("https://x/?a=1").is_none());
        let long = format!("https://x/?inline={}", "a".repeat(9000));
        assert!(long_url_warning(&long).unwrap().contains("9018 characters"));
    }
}
