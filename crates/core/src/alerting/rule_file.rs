//! Prometheus rule files imported into a dashboard, rule by rule: a file of
//! `groups:` (or a Kubernetes `PrometheusRule` with `spec.groups`, several
//! documents in one file), each alerting rule either imported as it is or
//! named with the reason it is not. Prometheus refuses a whole file for one
//! bad rule; here the others still come in, and the report says which did not.

use super::rule::{AlertRule, Condition};
use crate::foundation::limits::{excerpt, MAX_ALERT_RULES, MAX_QUERY_CHARS, MAX_RULE_FILE_BYTES};
use crate::foundation::ordered::SortedMap;
use crate::foundation::yaml::{parse_documents, Yaml};

/// What a rule file holds for a dashboard.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RuleFileImport {
    /// The alerting rules that can be added, in the file's order.
    pub imported: Vec<ImportedRule>,
    /// The alerting rules that cannot, each with why.
    pub refused: Vec<RefusedRule>,
    /// Recording rules: Prometheus computes them; a dashboard only reads them.
    pub recording_rules: usize,
    /// What applies to a whole group or file (a group `limit` not applied, …).
    pub notes: Vec<String>,
    /// Refused rules and notes past [`MAX_LISTED`] each: counted, not listed
    /// (a file of 190,000 refused rules would otherwise list them all).
    pub unlisted_refused: usize,
    pub unlisted_notes: usize,
}

/// Refused rules, and notes, listed in one report.
pub const MAX_LISTED: usize = 500;

#[derive(Debug, Clone, PartialEq)]
pub struct ImportedRule {
    pub group: String,
    pub rule: AlertRule,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RefusedRule {
    pub group: String,
    /// The alert's name, or its place (`rule 3`) when it has none.
    pub name: String,
    pub reason: String,
}

impl RuleFileImport {
    /// "137 of 139 alerting rules imported (98.6 %)".
    pub fn summary(&self) -> String {
        let alerting = self.imported.len() + self.refused.len() + self.unlisted_refused;
        let share = if alerting == 0 {
            String::new()
        } else {
            format!(
                " ({:.1} %)",
                100.0 * self.imported.len() as f64 / alerting as f64
            )
        };
        let recording = match self.recording_rules {
            0 => String::new(),
            1 => "; 1 recording rule left to Prometheus".to_string(),
            n => format!("; {n} recording rules left to Prometheus"),
        };
        format!(
            "{} of {alerting} alerting rules imported{share}{recording}",
            self.imported.len()
        )
    }
}

impl RuleFileImport {
    fn refuse(&mut self, rule: RefusedRule) {
        if self.refused.len() < MAX_LISTED {
            self.refused.push(rule);
        } else {
            self.unlisted_refused += 1;
        }
    }

    fn note(&mut self, note: String) {
        if self.notes.len() < MAX_LISTED {
            self.notes.push(note);
        } else {
            self.unlisted_notes += 1;
        }
    }

    /// What was counted and not listed, as lines for the end of the report.
    pub fn unlisted(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if self.unlisted_refused > 0 {
            lines.push(format!(
                "… and {} more rules not imported",
                self.unlisted_refused
            ));
        }
        if self.unlisted_notes > 0 {
            lines.push(format!("… and {} more notes", self.unlisted_notes));
        }
        lines
    }

    /// The imported rules a dashboard that holds `existing` can take, in the
    /// file's order: a rule it already has is left out, and so is any past
    /// [`MAX_ALERT_RULES`] in all (each named with why).
    pub fn rules_to_add(&self, existing: &[AlertRule]) -> (Vec<AlertRule>, Vec<RefusedRule>) {
        let mut added: Vec<AlertRule> = Vec::new();
        let mut left_out = Vec::new();
        for ImportedRule { group, rule } in &self.imported {
            let reason = if existing.contains(rule) || added.contains(rule) {
                "the dashboard already has this rule".to_string()
            } else if existing.len() + added.len() >= MAX_ALERT_RULES {
                format!("a dashboard holds at most {MAX_ALERT_RULES} alert rules")
            } else {
                added.push(rule.clone());
                continue;
            };
            left_out.push(RefusedRule {
                group: group.clone(),
                name: excerpt(&rule.name, 120),
                reason,
            });
        }
        (added, left_out)
    }
}

/// Labels one group may give all its rules.
/// Labels of a group, and labels or annotations of a rule.
const MAX_STRINGS: usize = 64;

const RULE_FIELDS: [&str; 7] = [
    "alert",
    "record",
    "expr",
    "for",
    "keep_firing_for",
    "labels",
    "annotations",
];

/// Reads a rule file. An error means nothing could be read (not YAML, no
/// `groups`); a rule that cannot be imported is in [`RuleFileImport::refused`].
pub fn import_rule_file(text: &str) -> Result<RuleFileImport, String> {
    if text.len() > MAX_RULE_FILE_BYTES {
        return Err(format!(
            "the rule file is {} KB; at most {} KB are read",
            text.len() / 1024,
            MAX_RULE_FILE_BYTES / 1024
        ));
    }
    let documents = parse_documents(text)
        .map_err(|e| format!("the rule file is not YAML this page reads: {e}"))?;
    let mut import = RuleFileImport::default();
    let mut found_groups = false;
    for (index, document) in documents.iter().enumerate() {
        let groups = document
            .get("groups")
            .or_else(|| document.get("spec").and_then(|spec| spec.get("groups")));
        let Some(groups) = groups else {
            if !document.is_null() {
                import.note(format!(
                    "document {} has no `groups` (or `spec.groups`) and was skipped",
                    index + 1
                ));
            }
            continue;
        };
        found_groups = true;
        let Yaml::Sequence(groups) = groups else {
            return Err(format!("`groups` is {}; it must be a list", groups.kind()));
        };
        for (position, group) in groups.iter().enumerate() {
            read_group(group, position, &mut import);
        }
    }
    if !found_groups {
        return Err("no rule groups: a rule file has `groups:` at the top (or `spec.groups` in a PrometheusRule)".into());
    }
    Ok(import)
}

/// A scalar's text; `None` when absent or null.
fn text_of(node: Option<&Yaml>) -> Result<Option<String>, String> {
    match node {
        None => Ok(None),
        Some(node) if node.is_null() => Ok(None),
        Some(Yaml::Scalar { text, .. }) => Ok(Some(text.clone())),
        Some(other) => Err(format!("is {}, not a string", other.kind())),
    }
}

/// A mapping of strings (labels, annotations); a null value is empty, as in
/// Prometheus. At most [`MAX_STRINGS`], refused before any is read; sorted once.
fn strings_of(node: Option<&Yaml>, what: &str) -> Result<SortedMap<String, String>, String> {
    match node {
        None => Ok(SortedMap::new()),
        Some(node) if node.is_null() => Ok(SortedMap::new()),
        Some(Yaml::Mapping(members)) => {
            if members.len() > MAX_STRINGS {
                return Err(format!("`{what}` has more than {MAX_STRINGS} entries"));
            }
            let mut strings = Vec::with_capacity(members.len());
            for (name, value) in members {
                let value = text_of(Some(value))
                    .map_err(|e| format!("{what} {:?} {e}", excerpt(name, 40)))?;
                strings.push((name.clone(), value.unwrap_or_default()));
            }
            Ok(strings.into_iter().collect())
        }
        Some(other) => Err(format!("`{what}` is {}, not a mapping", other.kind())),
    }
}

fn read_group(group: &Yaml, position: usize, import: &mut RuleFileImport) {
    let fallback_name = format!("group {}", position + 1);
    // Shortened once: it goes into every rule and note of the group.
    let name = text_of(group.get("name"))
        .ok()
        .flatten()
        .map_or(fallback_name, |name| excerpt(&name, 120));
    let refuse_all = |import: &mut RuleFileImport, reason: String| {
        import.refuse(RefusedRule {
            group: name.clone(),
            name: "every rule".into(),
            reason,
        })
    };
    let Yaml::Mapping(members) = group else {
        return refuse_all(
            import,
            format!("the group is {}, not a mapping", group.kind()),
        );
    };
    let interval = match text_of(group.get("interval")) {
        Ok(interval) => interval,
        Err(e) => return refuse_all(import, format!("the group's `interval` {e}")),
    };
    let group_labels = match strings_of(group.get("labels"), "labels") {
        Ok(labels) => labels,
        Err(e) => return refuse_all(import, format!("the group's {e}")),
    };
    // Checked once here, not again with every rule (a group of many labels
    // and many rules would take their product).
    let label_check = AlertRule {
        labels: group_labels.clone(),
        ..AlertRule::starter("group labels", "vector(1)", 0.0, "")
    };
    let problems = label_check.problems();
    if !problems.is_empty() {
        return refuse_all(
            import,
            format!("the group's labels: {}", problems.join("; ")),
        );
    }
    for (key, value) in members {
        match key.as_str() {
            "name" | "interval" | "rules" | "labels" => {}
            "limit" => {
                let limit = text_of(Some(value)).ok().flatten();
                if limit.is_some_and(|limit| limit != "0") {
                    import.note(format!(
                        "group {name:?}: its `limit` (at most so many alerts) is not applied here"
                    ));
                }
            }
            "query_offset" => import.note(format!(
                "group {name:?}: its `query_offset` is not applied here; rules are evaluated at the current time"
            )),
            other => import.note(format!("group {name:?}: `{}` is not a group field and was ignored", excerpt(other, 40))),
        }
    }
    let rules = match group.get("rules") {
        Some(Yaml::Sequence(rules)) => rules.as_slice(),
        None => &[],
        Some(node) if node.is_null() => &[],
        Some(other) => {
            return refuse_all(import, format!("`rules` is {}, not a list", other.kind()))
        }
    };
    for (index, rule) in rules.iter().enumerate() {
        if rule.get("record").is_some() {
            if rule.get("alert").is_some() {
                let shown = text_of(rule.get("alert"))
                    .ok()
                    .flatten()
                    .unwrap_or_default();
                import.refuse(RefusedRule {
                    group: name.clone(),
                    name: excerpt(&shown, 120),
                    reason: "it has both `record` and `alert` (Prometheus refuses the file)".into(),
                });
            } else {
                import.recording_rules += 1;
            }
            continue;
        }
        let alert_name = text_of(rule.get("alert"))
            .ok()
            .flatten()
            .filter(|n| !n.trim().is_empty());
        let shown_name = alert_name
            .clone()
            .map(|n| excerpt(&n, 120))
            .unwrap_or_else(|| format!("rule {}", index + 1));
        let refused = |reason: String| RefusedRule {
            group: name.clone(),
            name: shown_name.clone(),
            reason,
        };
        if import.imported.len() >= MAX_ALERT_RULES {
            import.refuse(refused(format!(
                "a dashboard holds at most {MAX_ALERT_RULES} alert rules"
            )));
            continue;
        }
        match read_rule(rule, alert_name, interval.clone(), &group_labels) {
            Ok(rule) => import.imported.push(ImportedRule {
                group: name.clone(),
                rule,
            }),
            Err(reason) => import.refuse(refused(reason)),
        }
    }
}

fn read_rule(
    rule: &Yaml,
    name: Option<String>,
    interval: Option<String>,
    group_labels: &SortedMap<String, String>,
) -> Result<AlertRule, String> {
    let Yaml::Mapping(members) = rule else {
        return Err(format!("the rule is {}, not a mapping", rule.kind()));
    };
    if let Some((unknown, _)) = members
        .iter()
        .find(|(key, _)| !RULE_FIELDS.contains(&key.as_str()))
    {
        return Err(format!(
            "`{}` is not a rule field (Prometheus refuses the file)",
            excerpt(unknown, 40)
        ));
    }
    let name = name.ok_or("it has no `alert` name (nor `record`)")?;
    let expr = text_of(rule.get("expr"))
        .map_err(|e| format!("`expr` {e}"))?
        .ok_or("it has no `expr`")?;
    if expr.len() > MAX_QUERY_CHARS {
        return Err(format!(
            "its expression is longer than {} KB",
            MAX_QUERY_CHARS / 1024
        ));
    }
    let labels = strings_of(rule.get("labels"), "labels")?;
    let mut rule = AlertRule {
        name,
        expr,
        condition: Condition::Returns,
        for_duration: text_of(rule.get("for")).map_err(|e| format!("`for` {e}"))?,
        keep_firing_for: text_of(rule.get("keep_firing_for"))
            .map_err(|e| format!("`keep_firing_for` {e}"))?,
        interval,
        labels,
        annotations: strings_of(rule.get("annotations"), "annotations")?,
        unit: None,
        actions: Vec::new(),
    };
    let problems = rule.problems();
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    // The group's labels (checked already), unless the rule sets its own.
    for (label, value) in group_labels.iter() {
        if rule.labels.get(label).is_none() {
            rule.labels.insert(label.clone(), value.clone());
        }
    }
    Ok(rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVICE_RULES: &str = include_str!("../../tests/rule-files/service.rules.yml");
    const PROMETHEUS_RULE: &str =
        include_str!("../../tests/rule-files/kubernetes.prometheusrule.yaml");

    fn names(import: &RuleFileImport) -> Vec<&str> {
        import
            .imported
            .iter()
            .map(|r| r.rule.name.as_str())
            .collect()
    }

    #[test]
    fn imports_every_alerting_rule_of_a_rule_file() {
        let import = import_rule_file(SERVICE_RULES).unwrap();
        assert_eq!(
            names(&import),
            [
                "HighErrorRate",
                "HighErrorRate",
                "SlowRequests",
                "InstanceDown",
                "DiskWillFill"
            ]
        );
        assert_eq!((import.refused.len(), import.recording_rules), (0, 1));
        assert_eq!(
            import.summary(),
            "5 of 5 alerting rules imported (100.0 %); 1 recording rule left to Prometheus"
        );
        let first = &import.imported[0];
        assert_eq!(first.group, "service.rules");
        assert_eq!(
            first.rule,
            AlertRule {
                name: "HighErrorRate".into(),
                expr: "sum by (job) (rate(http_requests_total{status=~\"5..\"}[5m]))\n  /\nsum by (job) (rate(http_requests_total[5m])) > 0.05\n".into(),
                condition: Condition::Returns,
                for_duration: Some("10m".into()),
                keep_firing_for: None,
                interval: Some("30s".into()),
                labels: [("severity".to_string(), "critical".to_string())].into(),
                annotations: [
                    ("summary".to_string(), "{{ $labels.job }} fails {{ $value | humanizePercentage }} of requests".to_string()),
                    ("description".to_string(), "More than 5 % of the requests to {{ $labels.job }} failed over the last 5 minutes.".to_string()),
                    ("runbook_url".to_string(), "https://runbooks.example.com/high-error-rate".to_string()),
                ]
                .into(),
                unit: None,
                actions: Vec::new(),
            }
        );
        assert_eq!(import.imported[1].rule.for_seconds(), Ok(5400.0));
        assert_eq!(import.imported[2].rule.keep_firing_for_seconds(), Ok(120.0));
        assert_eq!(
            import.imported[2]
                .rule
                .labels
                .get("quantile")
                .map(String::as_str),
            Some("0.95")
        );
        // The second group has no interval: the default applies.
        assert_eq!(import.imported[3].rule.interval, None);
        assert_eq!(
            import.imported[4].rule.annotations.get("summary").map(String::as_str),
            Some("{{ with $labels.mountpoint }}{{ . }} on {{ end }}{{ $labels.instance }} fills within a day\n")
        );
    }

    #[test]
    fn imports_a_kubernetes_prometheus_rule() {
        let import = import_rule_file(PROMETHEUS_RULE).unwrap();
        assert_eq!(names(&import), ["SampleTargetMissing", "SampleQueueFull"]);
        assert_eq!(import.recording_rules, 1);
        assert_eq!(
            import.imported[0].rule.annotations.get("description").map(String::as_str),
            Some("{{ printf \"%.4g\" $value }}% of the {{ $labels.job }}/{{ $labels.service }} targets in {{ $labels.namespace }} namespace are down.")
        );
        assert_eq!(
            import.imported[1].rule.expr,
            "max_over_time(sample_queue_length[5m]) / sample_queue_capacity * 100 > 90"
        );
        assert_eq!(
            import.notes,
            ["document 2 has no `groups` (or `spec.groups`) and was skipped"]
        );
    }

    #[test]
    fn names_each_rule_it_does_not_import_and_imports_the_others() {
        let import = import_rule_file(
            "groups:
- name: g
  limit: 10
  rules:
  - alert: NoExpr
  - alert: BadFor
    expr: up
    for: 5 minutes
  - alert: BadTemplate
    expr: up
    annotations:
      summary: '{{ if }}'
  - alert: Unknown
    expr: up
    severity: page
  - expr: up
  - alert: Fine
    expr: up
    labels:
      empty:
  - alert: BadLabel
    expr: up
    labels:
      bad-name: x
      nested: {a: b}
- name: broken
  rules: 5
",
        )
        .unwrap();
        assert_eq!(names(&import), ["Fine"]);
        assert_eq!(
            import.imported[0]
                .rule
                .labels
                .get("empty")
                .map(String::as_str),
            Some("")
        );
        let refused: Vec<(&str, &str)> = import
            .refused
            .iter()
            .map(|r| (r.name.as_str(), r.reason.as_str()))
            .collect();
        assert_eq!(
            refused,
            [
                ("NoExpr", "it has no `expr`"),
                (
                    "BadFor",
                    "for: \"5 minutes\" is not a duration like 30s, 5m, 1h30m or 2d"
                ),
                ("BadTemplate", "summary: missing value for a command"),
                (
                    "Unknown",
                    "`severity` is not a rule field (Prometheus refuses the file)"
                ),
                ("rule 5", "it has no `alert` name (nor `record`)"),
                ("BadLabel", "labels \"nested\" is a mapping, not a string"),
                ("every rule", "`rules` is a string, not a list"),
            ]
        );
        assert_eq!(
            import.notes,
            ["group \"g\": its `limit` (at most so many alerts) is not applied here"]
        );
        assert_eq!(import.summary(), "1 of 8 alerting rules imported (12.5 %)");
    }

    #[test]
    fn adds_only_what_the_dashboard_does_not_have_and_can_hold() {
        let import = import_rule_file(SERVICE_RULES).unwrap();
        let existing = vec![import.imported[2].rule.clone()];
        let (added, left_out) = import.rules_to_add(&existing);
        assert_eq!(added.len(), 4);
        assert_eq!(
            (left_out[0].name.as_str(), left_out[0].reason.as_str()),
            ("SlowRequests", "the dashboard already has this rule")
        );
        let full = vec![existing[0].clone(); MAX_ALERT_RULES - 1];
        let (added, left_out) = import.rules_to_add(&full);
        assert_eq!((added.len(), left_out.len()), (1, 4));
        assert_eq!(
            left_out[0].reason,
            format!("a dashboard holds at most {MAX_ALERT_RULES} alert rules")
        );
    }

    #[test]
    fn a_groups_labels_go_to_every_rule_that_does_not_set_its_own() {
        let import = import_rule_file(
            "groups:\n- name: g\n  labels: {team: a, tier: '1'}\n  rules:\n  - {alert: A, expr: up}\n  - {alert: B, expr: up, labels: {team: b}}\n",
        )
        .unwrap();
        let labels: Vec<Vec<(&str, &str)>> = import
            .imported
            .iter()
            .map(|r| {
                r.rule
                    .labels
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect()
            })
            .collect();
        assert_eq!(
            labels,
            [
                vec![("team", "a"), ("tier", "1")],
                vec![("team", "b"), ("tier", "1")]
            ]
        );
        let many: Vec<String> = (0..=MAX_STRINGS).map(|i| format!("l{i}: x")).collect();
        let import = import_rule_file(&format!(
            "groups:\n- name: g\n  labels: {{{}}}\n  rules:\n  - {{alert: A, expr: up}}\n",
            many.join(", ")
        ))
        .unwrap();
        assert_eq!(
            import.refused[0].reason,
            format!("the group's `labels` has more than {MAX_STRINGS} entries")
        );
    }

    #[test]
    fn a_rule_that_records_and_alerts_is_refused_as_prometheus_refuses_it() {
        let import = import_rule_file(
            "groups:\n- name: g\n  rules:\n  - {record: r, alert: A, expr: up}\n  - {record: r2, expr: up}\n",
        )
        .unwrap();
        assert_eq!(import.recording_rules, 1);
        assert_eq!(import.refused.len(), 1);
        assert_eq!(import.refused[0].name, "A");
        assert!(import.refused[0]
            .reason
            .contains("both `record` and `alert`"));
    }

    #[test]
    fn a_hostile_file_costs_memory_in_proportion_to_itself() {
        // A 100 KB group name and 3,000 refused rules: the name is shortened
        // once, and only the first MAX_LISTED refusals are listed.
        let name = "n".repeat(100_000);
        let rules = "  - x\n".repeat(3_000);
        let import =
            import_rule_file(&format!("groups:\n- name: {name}\n  rules:\n{rules}")).unwrap();
        assert_eq!(import.refused.len(), MAX_LISTED);
        assert_eq!(import.unlisted_refused, 3_000 - MAX_LISTED);
        assert!(import
            .refused
            .iter()
            .all(|r| r.group.chars().count() <= 121));
        assert_eq!(import.unlisted(), ["… and 2500 more rules not imported"]);
        assert_eq!(
            import.summary(),
            "0 of 3000 alerting rules imported (0.0 %)"
        );
        // Labels written in falling order are sorted once, and too many are
        // refused before they are read.
        let labels: Vec<String> = (0..MAX_STRINGS)
            .rev()
            .map(|i| format!("k{i:05}: v"))
            .collect();
        let import = import_rule_file(&format!(
            "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    labels: {{{}}}\n",
            labels.join(", ")
        ))
        .unwrap();
        let read = &import.imported[0].rule.labels;
        assert_eq!(read.len(), MAX_STRINGS);
        assert_eq!(read.keys().next().map(String::as_str), Some("k00000"));
        let labels: Vec<String> = (0..=MAX_STRINGS).map(|i| format!("k{i}: v")).collect();
        let import = import_rule_file(&format!(
            "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    annotations: {{{}}}\n",
            labels.join(", ")
        ))
        .unwrap();
        assert_eq!(
            import.refused[0].reason,
            format!("`annotations` has more than {MAX_STRINGS} entries")
        );
    }

    #[test]
    fn refuses_what_is_not_a_rule_file() {
        assert_eq!(
            import_rule_file("a: [1"),
            Err(
                "the rule file is not YAML this page reads: line 1: a `[` or `{` is never closed"
                    .into()
            )
        );
        assert_eq!(
            import_rule_file("kind: ConfigMap\n"),
            Err("no rule groups: a rule file has `groups:` at the top (or `spec.groups` in a PrometheusRule)".into())
        );
        assert_eq!(
            import_rule_file("groups: {}\n"),
            Err("`groups` is a mapping; it must be a list".into())
        );
        let huge = "#".repeat(MAX_RULE_FILE_BYTES + 1);
        assert!(import_rule_file(&huge).unwrap_err().contains("at most"));
        let many: String = (0..MAX_ALERT_RULES + 2)
            .map(|i| format!("  - alert: A{i}\n    expr: up\n"))
            .collect();
        let import = import_rule_file(&format!("groups:\n- name: g\n  rules:\n{many}")).unwrap();
        assert_eq!(
            (import.imported.len(), import.refused.len()),
            (MAX_ALERT_RULES, 2)
        );
    }
}
