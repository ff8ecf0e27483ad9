//! Every check a dashboard passes before it is shown, with each problem said
//! where it is: caps, identifiers, layout, queries, variables and rules.

use super::{Dashboard, PanelKind, GRID_COLUMNS};
use crate::foundation::names::is_identifier;
use crate::foundation::ordered::SortedSet;
use crate::foundation::span::parse_span;
use crate::query::time_range::TimeExpression;

impl Dashboard {
    pub(super) fn validate(&self) -> Result<(), String> {
        use crate::foundation::limits::{
            MAX_ALERT_RULES, MAX_PANELS, MAX_SLOS, MAX_TARGETS_PER_PANEL, MAX_VARIABLES,
        };
        let mut problems = Vec::new();
        for (what, count, cap) in [
            ("panels", self.panels.len(), MAX_PANELS),
            ("variables", self.variables.len(), MAX_VARIABLES),
            ("alert rules", self.alerts.len(), MAX_ALERT_RULES),
            ("service-level objectives", self.slos.len(), MAX_SLOS),
            (
                "annotation queries",
                self.annotations.len(),
                super::MAX_ANNOTATION_QUERIES,
            ),
        ] {
            if count > cap {
                // Checking thousands of them would only repeat this message.
                return Err(format!(
                    "the dashboard has {count} {what}; Foresight shows at most {cap}"
                ));
            }
        }
        if let Some(panel) = self
            .panels
            .iter()
            .find(|p| p.targets.len() > MAX_TARGETS_PER_PANEL)
        {
            problems.push(format!(
                "panel {:?} has {} queries; at most {MAX_TARGETS_PER_PANEL} are allowed",
                panel.id,
                panel.targets.len()
            ));
        }
        for panel in &self.panels {
            if panel.overrides.len() > super::series_override::MAX_OVERRIDES {
                problems.push(format!(
                    "panel {:?} has {} series overrides; at most {} are allowed",
                    panel.id,
                    panel.overrides.len(),
                    super::series_override::MAX_OVERRIDES
                ));
            }
            for problem in panel.overrides.iter().filter_map(|o| o.problem()) {
                problems.push(format!("panel {:?}: {problem}", panel.id));
            }
        }
        for (what, expression) in [("time.from", &self.time.from), ("time.to", &self.time.to)] {
            if let Err(error) = TimeExpression::parse(expression) {
                problems.push(format!("{what}: {error}"));
            }
        }
        if self.refresh != "off" && crate::model::refresh::parse_refresh(&self.refresh).is_none() {
            problems.push(format!(
                "refresh {:?} is not off or a duration like 30s",
                self.refresh
            ));
        }
        if let Some(datasource) = &self.datasource {
            if let Err(error) = crate::model::datasource::Datasource::parse(datasource) {
                problems.push(error);
            }
        }
        problems.extend(
            self.datasource_options
                .problems()
                .into_iter()
                .map(|problem| format!("datasource options: {problem}")),
        );
        for url in self.notify.addresses() {
            if let Err(error) = crate::model::datasource::Datasource::parse(url) {
                problems.push(format!("notification target: {error}"));
            }
        }
        for name in self.notify.external_labels.keys() {
            if !is_identifier(name) {
                problems.push(format!(
                    "external label name {name:?} must be letters, digits and _"
                ));
            }
        }
        // Rules may share a name (a warning and a critical `HighErrorRate`, as
        // in Prometheus); the same rule twice would only double its alerts.
        for (index, rule) in self.alerts.iter().enumerate() {
            if self.alerts[..index].contains(rule) {
                problems.push(format!("alert rule {:?} is defined twice", rule.name));
            }
            for problem in rule.problems() {
                problems.push(format!("alert rule {:?}: {problem}", rule.name));
            }
        }
        let mut slo_ids = SortedSet::new();
        for slo in &self.slos {
            if !slo_ids.insert(slo.id.as_str()) {
                problems.push(format!("SLO {:?} is defined twice", slo.id));
            }
            for problem in slo.problems() {
                problems.push(format!("SLO {:?}: {problem}", slo.id));
            }
        }
        let mut annotation_names = SortedSet::new();
        for annotation in &self.annotations {
            problems.extend(annotation.problems());
            if !annotation_names.insert(annotation.name.as_str()) {
                problems.push(format!("annotation {:?} is defined twice", annotation.name));
            }
        }
        problems.extend(self.change_events.problems());
        let mut panel_ids = SortedSet::new();
        for panel in &self.panels {
            if panel.id.is_empty() || !panel_ids.insert(panel.id.as_str()) {
                problems.push(format!("panel id {:?} is empty or used twice", panel.id));
            }
            if let PanelKind::Timeseries { foresight, .. } = &panel.kind {
                if let Some(Err(error)) = foresight.forecast_horizon.as_deref().map(parse_span) {
                    problems.push(format!("panel {:?}: forecastHorizon {error}", panel.id));
                }
            }
            if let PanelKind::Slo { slo, show } = &panel.kind {
                if slo.is_empty() && show.needs_one_slo() {
                    problems.push(format!(
                        "panel {:?} shows {} of one SLO: name it in \"slo\"",
                        panel.id,
                        show.id()
                    ));
                } else if !slo.is_empty() && !self.slos.iter().any(|s| s.id == *slo) {
                    problems.push(format!(
                        "panel {:?} shows SLO {slo:?}, which the dashboard does not define",
                        panel.id
                    ));
                }
            }
            let needs_query = panel.kind.uses_targets();
            if needs_query && panel.targets.iter().all(|t| t.expr.trim().is_empty()) {
                problems.push(format!("panel {:?} has no query", panel.id));
            }
        }
        let mut placed = SortedSet::new();
        for position in &self.layout {
            if !panel_ids.contains(position.panel.as_str()) {
                problems.push(format!("layout places unknown panel {:?}", position.panel));
            }
            if !placed.insert(position.panel.as_str()) {
                problems.push(format!("layout places panel {:?} twice", position.panel));
            }
            if position.w == 0
                || position.h == 0
                || position.x.saturating_add(position.w) > GRID_COLUMNS
            {
                problems.push(format!(
                    "panel {:?} does not fit the {GRID_COLUMNS}-column grid",
                    position.panel
                ));
            }
        }
        for id in panel_ids.iter().filter(|id| !placed.contains(*id)) {
            problems.push(format!("panel {id:?} has no place in the layout"));
        }
        let mut variable_names = SortedSet::new();
        for variable in &self.variables {
            if !is_identifier(&variable.name) || variable.name.starts_with("__") {
                problems.push(format!(
                    "variable name {:?} must be letters, digits and _ (not starting with __)",
                    variable.name
                ));
            }
            if !variable_names.insert(variable.name.as_str()) {
                problems.push(format!("variable {:?} is defined twice", variable.name));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "the dashboard is not valid: {}",
                problems.join("; ")
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Dashboard;

    #[test]
    fn a_dashboard_carries_its_slos_and_refuses_broken_ones() {
        let slo = r#"{"id": "availability", "name": "Availability", "sli": {"errors": "e[{{.window}}]", "total": "t[{{.window}}]"}, "objective": 99.5}"#;
        let dashboard = |slos: &str| {
            Dashboard::from_json(&format!(
                r#"{{"schemaVersion": 1, "id": "d", "title": "T", "panels": [], "layout": [], "slos": [{slos}]}}"#
            ))
        };
        let read = dashboard(slo).unwrap();
        assert_eq!(read.slos[0].id, "availability");
        assert!(read.to_json().contains(r#""objective": 99.5"#));
        let twice = dashboard(&format!("{slo}, {slo}")).unwrap_err();
        assert!(
            twice.contains(r#"SLO "availability" is defined twice"#),
            "{twice}"
        );
        let broken = dashboard(&slo.replace("99.5", "100")).unwrap_err();
        assert!(
            broken.contains("the objective must be above 0 % and below 100 %"),
            "{broken}"
        );
    }

    #[test]
    fn an_slo_panel_names_a_defined_slo() {
        let slo = r#"{"id": "availability", "name": "Availability", "sli": {"errors": "e[{{.window}}]", "total": "t[{{.window}}]"}, "objective": 99.5}"#;
        let with_panel = |panel: &str| {
            Dashboard::from_json(&format!(
                r#"{{"schemaVersion": 1, "id": "d", "title": "T", "panels": [{panel}], "layout": [{{"panel": "p", "x": 0, "y": 0, "w": 6, "h": 4}}], "slos": [{slo}]}}"#
            ))
        };
        let overview = with_panel(r#"{"id": "p", "title": "SLOs", "type": "slo"}"#).unwrap();
        assert!(overview.to_json().contains(r#""show": "overview""#));
        with_panel(r#"{"id": "p", "title": "B", "type": "slo", "slo": "availability", "show": "burnDown"}"#).unwrap();
        let unknown = with_panel(
            r#"{"id": "p", "title": "B", "type": "slo", "slo": "latency", "show": "budget"}"#,
        )
        .unwrap_err();
        assert!(
            unknown.contains(r#"shows SLO "latency", which the dashboard does not define"#),
            "{unknown}"
        );
        let unnamed =
            with_panel(r#"{"id": "p", "title": "B", "type": "slo", "show": "burnRates"}"#)
                .unwrap_err();
        assert!(unnamed.contains("name it in"), "{unnamed}");
        let wrong =
            with_panel(r#"{"id": "p", "title": "B", "type": "slo", "show": "pie"}"#).unwrap_err();
        assert!(
            wrong.contains(r#""pie" is not one of "overview", "budget", "burnRates", "burnDown""#),
            "{wrong}"
        );
    }

    #[test]
    fn an_slos_alerts_are_evaluated_beside_the_rules() {
        let slo = r#"{"id": "availability", "name": "Availability", "sli": {"errors": "e[{{.window}}]", "total": "t[{{.window}}]"}, "objective": 99.5}"#;
        let dashboard = Dashboard::from_json(&format!(
            r#"{{"schemaVersion": 1, "id": "d", "title": "T", "panels": [], "layout": [], "slos": [{slo}]}}"#
        ))
        .unwrap();
        let names: Vec<String> = dashboard
            .evaluated_rules()
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(
            names,
            [
                "AvailabilityErrorBudgetBurnPage",
                "AvailabilityErrorBudgetBurnTicket"
            ]
        );
        let page = &dashboard.evaluated_rules()[0];
        assert!(page.problems().is_empty(), "{:?}", page.problems());
        assert!(
            page.expr.starts_with(
                "(max((((e[5m]) or (0 * (t[5m]))) / ((t[5m]) > 0)) > (14.4 * 0.005)) without (slo_window)"
            ),
            "{}",
            page.expr
        );
    }
}
