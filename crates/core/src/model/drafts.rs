//! Unsaved drafts, kept per tab, and which one a page offers to resume.
//!
//! Every tab keeps its unsaved edit under its own key, so two tabs editing
//! never overwrite each other's. A page that opens looks for a draft to offer:
//! its own (a reload), else one a closed or crashed tab left behind. A draft
//! whose tab is still open belongs to that tab: it may be copied here, but
//! neither resuming nor dismissing it here may remove it.

use crate::foundation::ordered::{sort_stable_by, SortedSet};

/// Where drafts are kept in local storage; the rest of the key is the tab's id.
pub const DRAFT_KEY_PREFIX: &str = "foresight.draft.";

/// Whose a kept draft is, seen from the tab that opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DraftOwner {
    /// This tab's own, from before a reload: resuming takes it back.
    ThisTab,
    /// Left by a tab that is no longer open: resuming here takes it over.
    ClosedTab,
    /// A tab still open keeps editing it: this tab may only copy it.
    OpenTab,
}

impl DraftOwner {
    /// Whether resuming or dismissing the draft here may remove it from storage.
    pub fn may_remove(self) -> bool {
        self != DraftOwner::OpenTab
    }
}

/// Whose the draft under `key` is. `open_tabs` are the tabs this browser
/// reports open for the page (by their Web Lock); `None` when it cannot say,
/// and then every other tab's draft counts as left behind.
pub fn draft_owner(key: &str, own_tab: &str, open_tabs: Option<&SortedSet<String>>) -> DraftOwner {
    let tab = key.strip_prefix(DRAFT_KEY_PREFIX).unwrap_or(key);
    if tab == own_tab {
        DraftOwner::ThisTab
    } else if open_tabs.is_some_and(|open| open.contains(tab)) {
        DraftOwner::OpenTab
    } else {
        DraftOwner::ClosedTab
    }
}

/// The kept drafts' keys in the order to offer them: this tab's, then those
/// left behind, then those another open tab is editing (stable within each).
pub fn drafts_in_offer_order(
    keys: Vec<String>,
    own_tab: &str,
    open_tabs: Option<&SortedSet<String>>,
) -> Vec<(String, DraftOwner)> {
    let mut owned: Vec<(String, DraftOwner)> = keys
        .into_iter()
        .filter(|key| key.starts_with(DRAFT_KEY_PREFIX))
        .map(|key| {
            let owner = draft_owner(&key, own_tab, open_tabs);
            (key, owner)
        })
        .collect();
    sort_stable_by(&mut owned, |(_, a), (_, b)| a.cmp(b));
    owned
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(tab: &str) -> String {
        format!("{DRAFT_KEY_PREFIX}{tab}")
    }

    fn open(tabs: &[&str]) -> SortedSet<String> {
        tabs.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn this_tabs_draft_first_then_left_behind_then_open_elsewhere() {
        let open_tabs = open(&["mine", "busy"]);
        let order = drafts_in_offer_order(
            vec![
                key("busy"),
                key("gone"),
                "foresight.saved.x".into(),
                key("mine"),
                key("gone2"),
            ],
            "mine",
            Some(&open_tabs),
        );
        assert_eq!(
            order,
            vec![
                (key("mine"), DraftOwner::ThisTab),
                (key("gone"), DraftOwner::ClosedTab),
                (key("gone2"), DraftOwner::ClosedTab),
                (key("busy"), DraftOwner::OpenTab),
            ]
        );
    }

    #[test]
    fn an_open_tabs_draft_is_never_removed_from_here() {
        let open_tabs = open(&["busy"]);
        assert!(!draft_owner(&key("busy"), "mine", Some(&open_tabs)).may_remove());
        assert!(draft_owner(&key("mine"), "mine", Some(&open_tabs)).may_remove());
        assert!(draft_owner(&key("gone"), "mine", Some(&open_tabs)).may_remove());
    }

    #[test]
    fn without_a_list_of_open_tabs_others_count_as_left_behind() {
        assert_eq!(
            draft_owner(&key("other"), "mine", None),
            DraftOwner::ClosedTab
        );
        assert_eq!(draft_owner(&key("mine"), "mine", None), DraftOwner::ThisTab);
    }
}
