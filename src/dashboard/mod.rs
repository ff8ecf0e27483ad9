//! A loaded dashboard: the page (header controls and the grid), each panel
//! with its queries, the panel bodies, and the datasource badge.

pub mod datasource_status;
pub mod page;
pub mod panel;
pub mod panel_context;
pub mod panels;
