//! Where panels sit: a 24-column grid, as Grafana's, kept apart from the
//! panels so the same panel can move without being rewritten.

/// Width of the layout grid in columns (as Grafana's).
pub const GRID_COLUMNS: u32 = 24;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GridPosition {
    pub panel: String,
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}
