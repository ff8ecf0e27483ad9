//! The dialog open over the dashboard, if any: import, settings, alert rules,
//! one rule, or one panel.

use crate::app::session::{effective_datasource, Dialog, EditSession};
use crate::editor::panel_editor::{ImportDialog, PanelEditor, SettingsDialog};
use crate::editor::rule_editor::{RuleEditor, RulesDialog};
use foresight_core::alerting::rule::AlertRule;
use foresight_core::model::dashboard::{Dashboard, Panel};
use foresight_core::model::edit::Edit;
use leptos::prelude::*;

#[component]
pub fn Dialogs(session: EditSession, apply: Callback<Edit>) -> impl IntoView {
    let EditSession {
        view_state,
        history,
        dialog,
        notice,
        ..
    } = session;
    let keep_draft = move |draft: Option<&Dashboard>| session.keep_draft(draft);
    move || match dialog.get()? {
        Dialog::Import => Some(
            view! {
                <ImportDialog
                    on_open=Callback::new(move |imported: Dashboard| {
                        dialog.set(None);
                        notice.set(None);
                        session.edit_unsaved(imported);
                    })
                    on_close=Callback::new(move |_| dialog.set(None))
                />
            }
            .into_any(),
        ),
        Dialog::Settings => {
            let current = history.with_untracked(|h| h.as_ref().map(|h| h.current.clone()))?;
            Some(
                view! {
                    <SettingsDialog
                        datasource=effective_datasource(view_state, &current)
                        dashboard=current
                        on_apply=Callback::new(move |edits: Vec<Edit>| {
                            let mut problem = None;
                            history.update(|h| {
                                if let Some(h) = h {
                                    let before = h.clone();
                                    for edit in &edits {
                                        if let Err(message) = h.apply(edit) {
                                            problem = Some(message);
                                            *h = before;
                                            break;
                                        }
                                    }
                                    keep_draft(Some(&h.current));
                                }
                            });
                            // A refusal is said in the dialog, which stays
                            // open (the page behind a modal dialog is inert).
                            if problem.is_none() { dialog.set(None); }
                            problem
                        })
                        on_close=Callback::new(move |_| dialog.set(None))
                    />
                }
                .into_any(),
            )
        }
        Dialog::Rules => {
            let current = history.with_untracked(|h| h.as_ref().map(|h| h.current.clone()))?;
            Some(
                view! {
                    <RulesDialog
                        dashboard_id=current.id.clone()
                        rules=current.alerts.clone()
                        slos=current.slos.clone()
                        notify=current.notify.clone()
                        on_edit=Callback::new(move |edit: Edit| {
                            apply.run(edit);
                            // Re-open with the new list (or stay to show the problem).
                            dialog.set(Some(Dialog::Rules));
                        })
                        on_open_rule=Callback::new(move |(index, rule): (Option<usize>, AlertRule)| dialog.set(Some(Dialog::Rule(index, Box::new(rule)))))
                        on_close=Callback::new(move |_| dialog.set(None))
                    />
                }
                .into_any(),
            )
        }
        Dialog::Rule(index, rule) => {
            let (datasource, external_labels) = history.with_untracked(|h| {
                h.as_ref().map(|h| {
                    (
                        effective_datasource(view_state, &h.current),
                        h.current.notify.external_labels.clone(),
                    )
                })
            })?;
            Some(
                view! {
                    <RuleEditor
                        index=index
                        rule=*rule
                        datasource=datasource
                        external_labels=external_labels
                        on_apply=Callback::new(move |(index, rule): (Option<usize>, AlertRule)| {
                            apply.run(Edit::SetAlertRule { index, rule: Box::new(rule) });
                            if notice.with_untracked(Option::is_none) { dialog.set(Some(Dialog::Rules)); }
                        })
                        on_close=Callback::new(move |_| dialog.set(Some(Dialog::Rules)))
                    />
                }
                .into_any(),
            )
        }
        Dialog::Panel(id) => {
            let (panel, variables, datasource, slos) = history.with_untracked(|h| {
                let current = &h.as_ref()?.current;
                let datasource = effective_datasource(view_state, current);
                Some((
                    current.panel(&id)?.clone(),
                    current.variables.clone(),
                    datasource,
                    current
                        .slos
                        .iter()
                        .map(|s| (s.id.clone(), s.name.clone()))
                        .collect(),
                ))
            })?;
            Some(
                view! {
                    <PanelEditor
                        panel=panel
                        variables=variables
                        datasource=datasource
                        slos=slos
                        on_apply=Callback::new(move |edited: Panel| {
                            apply.run(Edit::Replace(Box::new(edited)));
                            if notice.with_untracked(Option::is_none) { dialog.set(None); }
                        })
                        on_close=Callback::new(move |_| dialog.set(None))
                    />
                }
                .into_any(),
            )
        }
    }
}
