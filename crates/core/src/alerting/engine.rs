//! The alert engine as the page runs it, minus the clock, the fetch, the lock
//! and the view: when each rule is due ([`EvaluationSchedule`]), what an
//! instant answer means to a rule ([`instant_samples`]), which queries its
//! templates need ([`template_queries_to_run`]), and one evaluation
//! step ([`step`]): the rule's outputs through the state machine, the alerts
//! due to be sent (silences applied), the browser notices for alerts that
//! start firing, the history, and the rule's health.

use super::history::AlertHistory;
use super::notify::{due_alerts, Outgoing};
use super::rule::{rule_keys, AlertRule, Condition};
use super::silence::{is_silenced, Silence};
use super::state_machine::{AlertState, RuleState, Transition};
use super::template::{QueryAnswer, TemplateData};
use crate::foundation::limits::{
    MAX_EVALUATION_TEMPLATE_QUERIES, MAX_KEPT_ANNOTATION_BYTES, MAX_QUERY_CHARS,
};
use crate::foundation::ordered::{SortedMap, SortedSet};
use crate::query::prometheus_response::QueryData;
use crate::query::series::Labels;

/// How a rule's last evaluation went.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleHealth {
    /// Not evaluated yet.
    Waiting,
    Ok,
    /// The query returned nothing to compare.
    NoData,
    /// The query failed; the alerts stay as they were (as in Prometheus).
    Error(String),
}

impl RuleHealth {
    pub fn describe(&self) -> String {
        match self {
            Self::Waiting => "waiting for the first evaluation".into(),
            Self::Ok => "evaluated".into(),
            Self::NoData => "no data".into(),
            Self::Error(message) => format!("error: {message}"),
        }
    }
}

/// What one evaluation's query gave: the samples, and whether the query saw
/// any data at all (an analytic condition can see data and still output nothing).
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub samples: Vec<(Labels, f64)>,
    pub had_data: bool,
}

/// The samples of an instant query's answer: each sample of a vector, or a
/// scalar as one sample without labels. Anything else cannot be alerted on.
pub fn instant_samples(data: QueryData) -> Result<Answer, String> {
    let samples: Vec<(Labels, f64)> = match data {
        QueryData::Vector(samples) => samples.into_iter().map(|s| (s.labels, s.value)).collect(),
        QueryData::Scalar { value, .. } => vec![(Labels::new(), value)],
        _ => return Err("the expression must return an instant vector".into()),
    };
    let had_data = !samples.is_empty();
    Ok(Answer { samples, had_data })
}

/// A browser notification for an alert that started firing.
#[derive(Debug, Clone, PartialEq)]
pub struct FiringNotice {
    pub title: String,
    pub body: String,
    /// One notification per alert: a newer one with the same tag replaces it.
    pub tag: String,
}

/// What one evaluation step decided.
#[derive(Debug, Clone, PartialEq)]
pub struct StepOutcome {
    pub health: RuleHealth,
    pub transitions: Vec<Transition>,
    /// Alerts to send to the dashboard's notification targets now.
    pub due: Vec<Outgoing>,
    /// Alerts that started firing and are not silenced.
    pub notices: Vec<FiringNotice>,
}

/// Where the step sends and what it knows besides the rule and its answer.
#[derive(Debug, Clone, Copy)]
pub struct StepContext<'a> {
    /// What the rule's templates see besides each alert's series and value:
    /// the external labels (Prometheus's `external_labels`, also added to
    /// every alert sent) and URL, the answers to their queries (see
    /// [`template_queries_to_run`]), and the evaluation's shared budget.
    pub templates: &'a TemplateData,
    /// Whether the dashboard has notification targets (no targets: nothing is due).
    pub sends_notifications: bool,
    /// The silences in force (expired ones mute nothing).
    pub silences: &'a [Silence],
    /// The evaluation time: a multiple of the rule's interval.
    pub now: f64,
}

/// Browser notices one evaluation of a rule shows; past it, the last says how
/// many more series started firing.
pub const MAX_NOTICES_PER_EVALUATION: usize = 5;

/// One evaluation of `rule` with its query's `answer`, as Prometheus's rule
/// manager: a failed query leaves the alerts as they were; otherwise the
/// outputs move the state machine, the history records each transition, and
/// the alerts due (past their resend delay, not silenced) are returned to send.
pub fn step(
    rule: &AlertRule,
    answer: Result<Answer, String>,
    state: &mut RuleState,
    history: &mut AlertHistory,
    context: StepContext<'_>,
) -> StepOutcome {
    let now = context.now;
    let answer = match answer {
        Ok(answer) => answer,
        Err(message) => {
            return StepOutcome {
                health: RuleHealth::Error(message),
                transitions: Vec::new(),
                due: Vec::new(),
                notices: Vec::new(),
            }
        }
    };
    let external_labels = &context.templates.external_labels;
    let outputs = rule.outputs_with(&answer.samples, context.templates);
    // Labels past the evaluation's template budget would be error texts, and
    // alerts that differ only in them would merge: the evaluation fails
    // instead, and the alerts stay as they were.
    if context.templates.spent.is_spent() {
        return StepOutcome {
            health: RuleHealth::Error(
                "the rule's label templates ran out of the evaluation's budget".into(),
            ),
            transitions: Vec::new(),
            due: Vec::new(),
            notices: Vec::new(),
        };
    }
    let transitions = state.evaluate_outputs(
        now,
        &outputs,
        rule.for_seconds().unwrap_or(0.0),
        rule.keep_firing_for_seconds().unwrap_or(0.0),
    );
    // As Prometheus, each alert present now gets its annotations rendered
    // now; one absent (kept firing, resolved) keeps those of its last
    // presence. Past the rule's share of storage they are not kept (they are
    // rendered again when shown), so one rule cannot fill the browser's storage.
    let mut kept_bytes = 0;
    for output in &outputs {
        if let Some(alert) = state.alert_mut(&output.labels) {
            let annotations = rule.render_annotations_with(
                &output.series_labels,
                output.value,
                context.templates,
            );
            kept_bytes += annotations
                .iter()
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>();
            alert.annotations = if kept_bytes <= MAX_KEPT_ANNOTATION_BYTES {
                annotations
            } else {
                SortedMap::new()
            };
        }
    }
    let mut due = if context.sends_notifications {
        due_alerts(rule, state, now, external_labels)
    } else {
        Vec::new()
    };
    due.retain(|alert| !is_silenced(context.silences, &alert.labels, now));
    let newly_firing: Vec<_> = transitions
        .iter()
        .filter(|t| t.to == AlertState::Firing && !is_silenced(context.silences, &t.labels, now))
        .collect();
    // A rule that starts firing for 500 series shows a few notices and a
    // count, not 500 notices on the desktop at once.
    let shown = if newly_firing.len() > MAX_NOTICES_PER_EVALUATION {
        MAX_NOTICES_PER_EVALUATION - 1
    } else {
        newly_firing.len()
    };
    let mut notices: Vec<FiringNotice> = newly_firing[..shown]
        .iter()
        .map(|transition| {
            let body = state
                .alert(&transition.labels)
                .and_then(|alert| alert.annotations.get("summary").cloned())
                .unwrap_or_else(|| describe_labels(&transition.labels));
            FiringNotice {
                title: format!("[FIRING] {}", rule.name),
                body,
                tag: format!("{}{{{}}}", rule.name, describe_labels(&transition.labels)),
            }
        })
        .collect();
    if shown < newly_firing.len() {
        notices.push(FiringNotice {
            title: format!("[FIRING] {}", rule.name),
            body: format!("… and {} more series", newly_firing.len() - shown),
            tag: format!("{}{{…}}", rule.name),
        });
    }
    history.record(&rule.name, &transitions, now);
    // With the comparison in the PromQL, an empty answer just means nothing matches.
    let health = if answer.had_data || !outputs.is_empty() || rule.condition == Condition::Returns {
        RuleHealth::Ok
    } else {
        RuleHealth::NoData
    };
    StepOutcome {
        health,
        transitions,
        due,
        notices,
    }
}

// The refusals below name the caps as written.
const _: () = assert!(MAX_EVALUATION_TEMPLATE_QUERIES == 32 && MAX_QUERY_CHARS == 64 * 1024);

/// The queries the rule's templates need answered before [`step`] can render
/// the alerts of `answer`, within the evaluation's cap: the caller runs them
/// at the evaluation time, puts each answer (or why it failed) in
/// `templates` ([`TemplateData::answer`]), and asks again until this is empty (a later
/// query may depend on an earlier answer). Those past the cap are answered
/// here with why they did not run.
pub fn template_queries_to_run(
    rule: &AlertRule,
    answer: &Answer,
    templates: &mut TemplateData,
) -> Vec<String> {
    let mut wanted = rule.template_queries(&answer.samples, templates);
    // One the datasource would be asked in an address of a megabyte is not asked.
    wanted.retain(|query| {
        let fits = query.len() <= MAX_QUERY_CHARS;
        if !fits {
            templates.answer(
                query.clone(),
                Err("not run: the query is longer than 64 KiB".into()),
            );
        }
        fits
    });
    let room =
        MAX_EVALUATION_TEMPLATE_QUERIES.saturating_sub(templates.query_answers.borrow().len());
    for refused in wanted.split_off(room.min(wanted.len())) {
        templates.answer(
            refused,
            Err("not run: one evaluation runs at most 32 template queries".into()),
        );
    }
    if wanted.is_empty() {
        // Finding the queries rendered the templates already: rendering them
        // for the step starts with the whole budget.
        templates.spent = Default::default();
    }
    wanted
}

/// The loop the page runs before [`step`], for callers that answer at once
/// (tests, the conformance comparison): each query [`template_queries_to_run`]
/// names is answered by `answer_of`, until none is left.
pub fn answer_template_queries_now(
    rule: &AlertRule,
    answer: &Answer,
    templates: &mut TemplateData,
    mut answer_of: impl FnMut(&str) -> QueryAnswer,
) {
    loop {
        let queries = template_queries_to_run(rule, answer, templates);
        if queries.is_empty() {
            return;
        }
        for query in queries {
            let answered = answer_of(&query);
            templates.answer(query, answered);
        }
    }
}

/// Labels as `name="value", …`, without the alert name.
pub fn describe_labels(labels: &Labels) -> String {
    labels
        .iter()
        .filter(|(name, _)| name.as_str() != "alertname")
        .map(|(name, value)| format!("{name}=\"{value}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// When each rule is evaluated. Like Prometheus, at multiples of its interval:
/// the evaluation times are exact, so `for` counts whole intervals whatever
/// the page's timers do. A boundary missed while the tab slept is skipped, not
/// caught up.
#[derive(Debug, Clone, Default)]
pub struct EvaluationSchedule {
    last_boundary: SortedMap<String, f64>,
    /// Rules whose evaluation is on its way (a slow datasource, template
    /// queries): as in Prometheus, such a rule misses its turns until it ends,
    /// rather than running twice at once and applying an older answer last.
    running: SortedSet<String>,
}

impl EvaluationSchedule {
    /// Forgets the past, so every rule is due at the next check (this tab just
    /// became the one that evaluates, or stopped being it).
    pub fn restart(&mut self) {
        self.last_boundary.clear();
    }

    /// The rules due at `now` (their places in `rules`), each with its
    /// evaluation time (the latest boundary of its interval), marked as
    /// evaluated and running until [`Self::finished`].
    pub fn due(&mut self, rules: &[AlertRule], now: f64) -> Vec<(usize, f64)> {
        let mut due = Vec::new();
        for (index, (rule, key)) in rules.iter().zip(rule_keys(rules)).enumerate() {
            let interval = rule.interval_seconds().unwrap_or(60.0).max(1.0);
            let boundary = (now / interval).floor() * interval;
            if self
                .last_boundary
                .get(&key)
                .is_none_or(|&last| boundary > last)
            {
                self.last_boundary.insert(key.clone(), boundary);
                if self.running.insert(key) {
                    due.push((index, boundary));
                }
            }
        }
        due
    }

    /// The evaluation of the rule `key` ended: it is due again at its next turn.
    pub fn finished(&mut self, key: &str) {
        self.running.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerting::rule::Comparison;
    use crate::alerting::state_machine::Alert;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn rule() -> AlertRule {
        let mut rule = AlertRule::starter(
            "HighErrors",
            "errors",
            0.5,
            "{{ $labels.job }} at {{ $value }}",
        );
        rule.for_duration = Some("2m".into());
        rule.interval = Some("1m".into());
        rule
    }

    fn answer(value: f64) -> Result<Answer, String> {
        Ok(Answer {
            samples: vec![(labels(&[("job", "api")]), value)],
            had_data: true,
        })
    }

    struct Run {
        state: RuleState,
        history: AlertHistory,
        silences: Vec<Silence>,
        templates: TemplateData,
        sends: bool,
    }

    impl Run {
        fn new() -> Self {
            Self {
                state: RuleState::default(),
                history: AlertHistory::default(),
                silences: Vec::new(),
                templates: TemplateData::default(),
                sends: true,
            }
        }

        fn step(
            &mut self,
            rule: &AlertRule,
            answer: Result<Answer, String>,
            now: f64,
        ) -> StepOutcome {
            step(
                rule,
                answer,
                &mut self.state,
                &mut self.history,
                StepContext {
                    templates: &self.templates,
                    sends_notifications: self.sends,
                    silences: &self.silences,
                    now,
                },
            )
        }
    }

    #[test]
    fn pending_for_the_whole_for_duration_then_firing_with_one_notice_and_one_alert_due() {
        let rule = rule();
        let mut run = Run::new();
        let first = run.step(&rule, answer(0.9), 60.0);
        assert_eq!(first.health, RuleHealth::Ok);
        assert_eq!(first.transitions.len(), 1);
        assert_eq!(first.transitions[0].to, AlertState::Pending);
        assert!(first.notices.is_empty() && first.due.is_empty());
        assert!(run.step(&rule, answer(0.9), 120.0).notices.is_empty());
        let firing = run.step(&rule, answer(0.9), 180.0);
        assert_eq!(firing.transitions[0].to, AlertState::Firing);
        assert_eq!(
            firing.notices,
            [FiringNotice {
                title: "[FIRING] HighErrors".into(),
                body: "api at 0.9".into(),
                tag: "HighErrors{job=\"api\"}".into(),
            }]
        );
        assert_eq!(firing.due.len(), 1);
        assert!(firing.due[0].firing);
        // Still firing a minute later: no new notice, and not due again before the resend delay.
        let again = run.step(&rule, answer(0.9), 240.0);
        assert!(again.notices.is_empty() && again.transitions.is_empty() && again.due.is_empty());
        assert_eq!(run.history.entries.len(), 2);
    }

    #[test]
    fn a_failed_query_leaves_the_alerts_as_they_were() {
        let rule = rule();
        let mut run = Run::new();
        run.step(&rule, answer(0.9), 60.0);
        let before = run.state.clone();
        let failed = run.step(&rule, Err("Prometheus is down".into()), 120.0);
        assert_eq!(
            failed.health,
            RuleHealth::Error("Prometheus is down".into())
        );
        assert_eq!(run.state, before);
        assert_eq!(run.history.entries.len(), 1);
    }

    #[test]
    fn silenced_alerts_neither_notify_nor_are_sent_but_still_fire() {
        let mut rule = rule();
        rule.for_duration = None;
        let mut run = Run::new();
        run.silences.push(Silence {
            id: "s1".into(),
            matchers: labels(&[("job", "api")]),
            created_at: 0.0,
            ends_at: 1000.0,
            comment: "maintenance".into(),
        });
        let outcome = run.step(&rule, answer(0.9), 60.0);
        // Without `for`, pending and firing in the same evaluation (as Prometheus).
        assert_eq!(
            outcome.transitions.last().map(|t| t.to),
            Some(AlertState::Firing)
        );
        assert!(outcome.notices.is_empty() && outcome.due.is_empty());
        // Once the silence has ended, the firing alert is sent.
        let later = run.step(&rule, answer(0.9), 1060.0);
        assert_eq!(later.due.len(), 1);
    }

    #[test]
    fn without_notification_targets_nothing_is_due_but_the_browser_is_told() {
        let mut rule = rule();
        rule.for_duration = None;
        let mut run = Run::new();
        run.sends = false;
        let outcome = run.step(&rule, answer(0.9), 60.0);
        assert!(outcome.due.is_empty());
        assert_eq!(outcome.notices.len(), 1);
    }

    #[test]
    fn firing_for_hundreds_of_series_shows_a_few_notices_and_a_count() {
        let mut rule = rule();
        rule.for_duration = None;
        let firing_jobs = |count: usize| {
            Ok(Answer {
                samples: (0..count)
                    .map(|i| (labels(&[("job", &format!("api-{i}"))]), 0.9))
                    .collect(),
                had_data: true,
            })
        };
        let mut run = Run::new();
        let outcome = run.step(&rule, firing_jobs(500), 60.0);
        assert_eq!(outcome.due.len(), 500);
        assert_eq!(outcome.notices.len(), MAX_NOTICES_PER_EVALUATION);
        assert_eq!(outcome.notices[4].body, "… and 496 more series");
        // Exactly the cap: every one shown.
        let mut run = Run::new();
        let outcome = run.step(&rule, firing_jobs(5), 60.0);
        assert!(outcome
            .notices
            .iter()
            .all(|n| !n.body.contains("more series")));
        assert_eq!(outcome.notices.len(), 5);
    }

    #[test]
    fn health_says_no_data_only_when_nothing_came_back_for_a_threshold() {
        let rule = rule();
        let mut run = Run::new();
        let empty = Ok(Answer {
            samples: Vec::new(),
            had_data: false,
        });
        assert_eq!(
            run.step(&rule, empty.clone(), 60.0).health,
            RuleHealth::NoData
        );
        // Below the threshold is data, just nothing firing.
        assert_eq!(run.step(&rule, answer(0.1), 120.0).health, RuleHealth::Ok);
        let mut returns = rule.clone();
        returns.condition = Condition::Returns;
        assert_eq!(run.step(&returns, empty, 180.0).health, RuleHealth::Ok);
        assert!(matches!(
            rule.condition,
            Condition::Threshold {
                op: Comparison::Above,
                ..
            }
        ));
    }

    #[test]
    fn external_labels_reach_the_alerts_sent() {
        let mut rule = rule();
        rule.for_duration = None;
        let mut run = Run::new();
        run.templates.external_labels = labels(&[("cluster", "eu-1")]);
        let outcome = run.step(&rule, answer(0.9), 60.0);
        assert_eq!(
            outcome.due[0].labels.get("cluster").map(String::as_str),
            Some("eu-1")
        );
    }

    #[test]
    fn instant_answers_become_samples_or_a_clear_refusal() {
        let scalar = instant_samples(QueryData::Scalar {
            timestamp: 1.0,
            value: 2.0,
        })
        .unwrap();
        assert_eq!(scalar.samples, [(Labels::new(), 2.0)]);
        assert!(scalar.had_data);
        let empty = instant_samples(QueryData::Vector(Vec::new())).unwrap();
        assert!(!empty.had_data);
        assert!(instant_samples(QueryData::Matrix(Vec::new())).is_err());
    }

    /// Due rules whose evaluations end at once.
    fn due_and_done(
        schedule: &mut EvaluationSchedule,
        rules: &[AlertRule],
        now: f64,
    ) -> Vec<(usize, f64)> {
        let due = schedule.due(rules, now);
        for (index, _) in &due {
            schedule.finished(&rule_keys(rules)[*index]);
        }
        due
    }

    #[test]
    fn rules_are_due_at_exact_boundaries_and_a_missed_one_is_skipped() {
        let mut fast = rule();
        fast.name = "Fast".into();
        fast.interval = Some("15s".into());
        let rules = [rule(), fast];
        let mut schedule = EvaluationSchedule::default();
        let names = |due: Vec<(usize, f64)>| -> Vec<(String, f64)> {
            due.into_iter()
                .map(|(index, at)| (rules[index].name.clone(), at))
                .collect()
        };
        assert_eq!(
            names(due_and_done(&mut schedule, &rules, 100.3)),
            [("HighErrors".to_string(), 60.0), ("Fast".to_string(), 90.0)]
        );
        assert!(due_and_done(&mut schedule, &rules, 104.9).is_empty());
        assert_eq!(
            names(due_and_done(&mut schedule, &rules, 105.0)),
            [("Fast".to_string(), 105.0)]
        );
        // The tab slept for ten minutes: one evaluation at the latest boundary.
        assert_eq!(
            names(due_and_done(&mut schedule, &rules, 700.0)),
            [
                ("HighErrors".to_string(), 660.0),
                ("Fast".to_string(), 690.0)
            ]
        );
        schedule.restart();
        assert_eq!(due_and_done(&mut schedule, &rules, 701.0).len(), 2);
    }

    #[test]
    fn rules_of_the_same_name_are_each_due() {
        // Prometheus allows them (a warning and a critical `HighErrors`).
        let rules = [rule(), rule()];
        let mut schedule = EvaluationSchedule::default();
        assert_eq!(
            due_and_done(&mut schedule, &rules, 100.0),
            [(0, 60.0), (1, 60.0)]
        );
        assert!(due_and_done(&mut schedule, &rules, 110.0).is_empty());
    }

    /// The loop the page runs before a step, recording the queries asked.
    fn answer_template_queries(
        rule: &AlertRule,
        answer: &Answer,
        templates: &mut TemplateData,
        answer_of: impl Fn(&str) -> QueryAnswer,
    ) -> Vec<String> {
        let mut asked = Vec::new();
        answer_template_queries_now(rule, answer, templates, |query| {
            asked.push(query.to_string());
            answer_of(query)
        });
        asked
    }

    /// An answer of `count` series labelled `i="0"`, `i="1"`, … (zero-padded
    /// to `width` digits), each with the value 1.
    fn numbered_answer(count: usize, width: usize) -> Answer {
        Answer {
            samples: (0..count)
                .map(|i| (labels(&[("i", &format!("{i:0width$}"))]), 1.0))
                .collect(),
            had_data: true,
        }
    }

    #[test]
    fn template_queries_run_before_the_step_and_their_answers_stay_with_the_alert() {
        let mut rule = rule();
        rule.for_duration = None;
        rule.keep_firing_for = Some("5m".into());
        rule.annotations.insert(
            "summary".into(),
            r#"{{ $labels.job }}: {{ printf "up{job='%s'}" $labels.job | query | first | value }} up of {{ query "count(up)" | first | value }}"#.into(),
        );
        let two = Answer {
            samples: vec![
                (labels(&[("job", "api")]), 0.9),
                (labels(&[("job", "db")]), 0.8),
            ],
            had_data: true,
        };
        let mut run = Run::new();
        let asked = answer_template_queries(&rule, &two, &mut run.templates, |query| {
            let value = if query == "count(up)" { 7.0 } else { 1.0 };
            Ok(vec![(Labels::new(), value)])
        });
        // The second query of the template is asked once the first is answered.
        assert_eq!(asked, ["up{job='api'}", "up{job='db'}", "count(up)"]);
        let outcome = run.step(&rule, Ok(two), 60.0);
        assert_eq!(outcome.notices[0].body, "api: 1 up of 7");
        assert_eq!(outcome.due[1].annotations["summary"], "db: 1 up of 7");
        // The series went away and the alerts keep firing: their annotations are
        // those of their last presence, not rendered again without the answers.
        run.templates = TemplateData::default();
        let gone = Answer {
            samples: Vec::new(),
            had_data: false,
        };
        assert!(template_queries_to_run(&rule, &gone, &mut run.templates).is_empty());
        run.step(&rule, Ok(gone), 120.0);
        let kept = run.state.alert(&outcome.due[0].labels).unwrap();
        assert!(kept.is_recovering());
        assert_eq!(kept.annotations["summary"], "api: 1 up of 7");
        assert_eq!(
            rule.annotations_of(kept, &TemplateData::default())["summary"],
            "api: 1 up of 7"
        );
    }

    #[test]
    fn a_failed_template_query_reads_as_prometheus_says_and_the_cap_is_named() {
        let mut rule = rule();
        rule.for_duration = None;
        rule.annotations.insert(
            "summary".into(),
            r#"{{ printf "up{i='%s'}" $labels.i | query | first | value }}"#.into(),
        );
        let many = numbered_answer(40, 2);
        let mut run = Run::new();
        let asked = answer_template_queries(&rule, &many, &mut run.templates, |_| {
            Err("server error (503)".into())
        });
        assert_eq!(asked.len(), 32);
        let outcome = run.step(&rule, Ok(many), 60.0);
        assert_eq!(outcome.due.len(), 40);
        assert_eq!(
            outcome.due[0].annotations["summary"],
            r#"<error expanding template: query "up{i='00'}": server error (503)>"#
        );
        assert_eq!(
            outcome.due[39].annotations["summary"],
            r#"<error expanding template: query "up{i='39'}": not run: one evaluation runs at most 32 template queries>"#
        );
    }

    #[test]
    fn the_renderings_of_one_evaluation_share_a_budget() {
        // Each alert's template is within a rendering's caps, but a thousand
        // alerts would take a thousand times as long: the evaluation stops them.
        let mut rule = rule();
        rule.for_duration = None;
        rule.annotations.insert(
            "summary".into(),
            r#"{{ range $i := args 1 2 3 4 5 6 7 8 9 10 }}{{ range args 1 2 3 4 5 6 7 8 9 10 }}{{ range args 1 2 3 4 5 6 7 8 9 10 }}{{ if match "(a|b)*c" "abababababababababababababababababababab" }}x{{ end }}{{ end }}{{ end }}{{ end }}"#.into(),
        );
        let one = Answer {
            samples: vec![(labels(&[("job", "api")]), 1.0)],
            had_data: true,
        };
        let alone = Run::new().step(&rule, Ok(one), 60.0);
        let summary = &alone.due[0].annotations["summary"];
        assert!(!summary.contains("error"), "{summary}");
        let thousand = numbered_answer(1000, 0);
        let mut run = Run::new();
        let outcome = run.step(&rule, Ok(thousand), 60.0);
        let stopped: Vec<&Outgoing> = outcome
            .due
            .iter()
            .filter(|alert| alert.annotations["summary"].contains("per rule evaluation"))
            .collect();
        assert!(
            outcome.due.len() == 1000 && stopped.len() > 900,
            "{}",
            stopped.len()
        );
        assert!(run.templates.spent.regex_bytes.get() <= 256 * 1024 + 64);
    }

    #[test]
    fn labels_past_the_evaluations_budget_fail_the_evaluation_instead_of_merging_alerts() {
        let mut rule = rule();
        rule.for_duration = None;
        // Each alert's label reads 10,000 steps' worth: the thousand together
        // run past the evaluation's million.
        rule.labels.insert(
            "slow".into(),
            "{{ range args 1 2 3 4 5 6 7 8 9 10 }}{{ range args 1 2 3 4 5 6 7 8 9 10 }}{{ range args 1 2 3 4 5 6 7 8 9 10 }}{{ range args 1 2 3 4 5 6 7 8 9 10 }}{{ end }}{{ end }}{{ end }}{{ end }}x".into(),
        );
        let many = numbered_answer(1000, 0);
        let mut run = Run::new();
        let outcome = run.step(&rule, Ok(many), 60.0);
        assert!(
            matches!(&outcome.health, RuleHealth::Error(m) if m.contains("budget")),
            "{:?}",
            outcome.health
        );
        assert!(run.state.alerts.is_empty() && outcome.transitions.is_empty());
    }

    #[test]
    fn a_rules_kept_annotations_are_capped_and_the_rest_rendered_when_shown() {
        let mut rule = rule();
        rule.for_duration = None;
        rule.annotations
            .insert("long".into(), "{{ range args 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 }}{{ printf \"%200s\" \"x\" }}{{ end }}".into());
        let many = numbered_answer(100, 3);
        let mut run = Run::new();
        run.step(&rule, Ok(many), 60.0);
        let kept: Vec<&Alert> = run
            .state
            .alerts
            .values()
            .filter(|alert| !alert.annotations.is_empty())
            .collect();
        let kept_bytes: usize = kept
            .iter()
            .flat_map(|alert| alert.annotations.iter())
            .map(|(k, v)| k.len() + v.len())
            .sum();
        assert!(kept.len() > 50 && kept.len() < 100, "{}", kept.len());
        assert!(kept_bytes <= MAX_KEPT_ANNOTATION_BYTES);
        let not_kept = run
            .state
            .alerts
            .values()
            .find(|alert| alert.annotations.is_empty())
            .unwrap();
        assert_eq!(
            rule.annotations_of(not_kept, &TemplateData::default())["long"].len(),
            4000
        );
    }

    #[test]
    fn a_template_query_longer_than_a_query_may_be_is_not_asked() {
        let mut rule = rule();
        rule.for_duration = None;
        rule.annotations
            .insert("summary".into(), "{{ query $labels.selector }}".into());
        // A label value from the datasource can be as long as it likes.
        let long = format!("up{{job=\"{}\"}}", "x".repeat(70_000));
        let one = Answer {
            samples: vec![(labels(&[("selector", &long)]), 1.0)],
            had_data: true,
        };
        let mut templates = TemplateData::default();
        let asked = answer_template_queries(&rule, &one, &mut templates, |_| Ok(Vec::new()));
        assert!(asked.is_empty(), "{asked:?}");
        let outcome = Run {
            templates,
            ..Run::new()
        }
        .step(&rule, Ok(one), 60.0);
        assert!(
            outcome.due[0].annotations["summary"].contains("longer than 64 KiB"),
            "{}",
            outcome.due[0].annotations["summary"]
        );
    }

    #[test]
    fn a_rule_still_evaluating_misses_its_turns() {
        let rules = [rule()];
        let mut schedule = EvaluationSchedule::default();
        assert_eq!(schedule.due(&rules, 60.0), [(0, 60.0)]);
        // Its answer has not come back two boundaries later.
        assert!(schedule.due(&rules, 120.0).is_empty());
        assert!(schedule.due(&rules, 180.0).is_empty());
        schedule.finished(&rule_keys(&rules)[0]);
        assert!(schedule.due(&rules, 200.0).is_empty());
        assert_eq!(schedule.due(&rules, 240.0), [(0, 240.0)]);
    }
}
