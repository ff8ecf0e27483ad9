//! Dashboard files (shipped, pasted, opened from disk, saved in the browser):
//! the model reader and validation, the writer, and everything that
//! interprets a dashboard's parts (alert rules, text panels, variables).
#![no_main]

use foresight_core::model::dashboard::{Dashboard, DashboardListing};
use foresight_core::model::edit::SavedDashboards;
use foresight_fuzz::{check_dashboard, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    if let Ok(dashboard) = Dashboard::from_json(&text) {
        check_dashboard(&dashboard);
    }

    // The same text as the browser's store of saved dashboards and as the
    // shipped index: damaged storage must be reported, never panic.
    if let Ok(saved) = SavedDashboards::from_storage(Some(&text)) {
        let stored = saved.to_storage();
        let again = SavedDashboards::from_storage(Some(&stored))
            .unwrap_or_else(|error| panic!("saved dashboards were stored unreadably: {error}"));
        assert_eq!(again, saved);
    }
    let _ = foresight_core::foundation::json::decode::<Vec<DashboardListing>>(&text);
});
