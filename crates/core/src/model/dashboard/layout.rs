//! Where panels sit: a 24-column grid, as Grafana's, kept apart from the
//! panels so the same panel can move without being rewritten.

use crate::foundation::ordered::{sort_stable_by, sorted_positions};

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

/// Work allowed to the pushes of one compaction: a crafted layout can make
/// each push cascade into the boxes below it again and again. Past this, a
/// box is still moved clear of the ones above it but pushes nothing further.
const COMPACTION_PUSH_BUDGET: usize = 200_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cell {
    x: u64,
    y: u64,
    w: u64,
    h: u64,
}

impl Cell {
    fn bottom(&self) -> u64 {
        self.y + self.h
    }

    fn shares_columns(&self, other: &Cell) -> bool {
        self.x < other.x + other.w && other.x < self.x + self.w
    }

    fn collides(&self, other: &Cell) -> bool {
        self.shares_columns(other) && self.y < other.bottom() && other.y < self.bottom()
    }
}

/// Places `layout` as Grafana's grid shows it: each box kept within the 24
/// columns, then compacted vertically the way react-grid-layout (the grid
/// Grafana draws with) does: boxes taken by row then column, each moved up
/// until it meets one placed before it, then down below whichever it still
/// overlaps, pushing the boxes not yet placed that it lands on. The result has
/// no overlaps and no empty rows between boxes (short of the grid's end, where
/// rows past `u32::MAX` are held). A differential test holds it
/// to react-grid-layout's own code on random layouts.
pub fn compact(layout: &mut [GridPosition]) {
    for position in layout.iter_mut() {
        position.w = position.w.clamp(1, GRID_COLUMNS);
        position.x = position.x.min(GRID_COLUMNS - position.w);
        position.h = position.h.max(1);
    }
    // By row, then column; a stable sort keeps the document's order for ties.
    let order = sorted_positions(layout.len(), &|a, b| {
        reading_order(&layout[a], &layout[b]).then(a.cmp(&b))
    });
    let mut pending: Vec<Cell> = order
        .iter()
        .map(|&i| Cell {
            x: u64::from(layout[i].x),
            y: u64::from(layout[i].y),
            w: u64::from(layout[i].w),
            h: u64::from(layout[i].h),
        })
        .collect();
    let mut placed: Vec<Cell> = Vec::with_capacity(pending.len());
    let mut lowest = 0;
    let mut budget = COMPACTION_PUSH_BUDGET;
    for index in 0..pending.len() {
        let mut item = pending[index];
        item.y = item.y.min(lowest);
        if !placed.iter().any(|p| p.collides(&item)) {
            // Moving up one row at a time stops on the first row where it
            // meets a placed box: one row above the lowest bottom of those
            // above it in its columns (or at the top).
            item.y = placed
                .iter()
                .filter(|p| p.shares_columns(&item) && p.bottom() <= item.y)
                .map(|p| p.bottom() - 1)
                .max()
                .unwrap_or(0);
        }
        while let Some(first) = placed.iter().find(|p| p.collides(&item)) {
            let below = first.bottom();
            push_down(&mut pending, index, &mut item, below, &mut budget);
        }
        lowest = lowest.max(item.bottom());
        placed.push(item);
    }
    for (&original, item) in order.iter().zip(&placed) {
        layout[original].y = u32::try_from(item.y).unwrap_or(u32::MAX);
    }
}

/// By row, then column.
fn reading_order(a: &GridPosition, b: &GridPosition) -> std::cmp::Ordering {
    (a.y, a.x).cmp(&(b.y, b.x))
}

/// Sorts positions by row, then column, keeping the order of ties (the one
/// sort every layout decision uses).
pub fn sort_in_reading_order(layout: &mut [GridPosition]) {
    sort_stable_by(layout, reading_order);
}

/// Moves `item` (at `index` of `pending`) down to `to`, first pushing the
/// boxes after it that it would overlap one row lower to below its new place
/// (react-grid-layout's collision resolution, in its order).
fn push_down(pending: &mut [Cell], index: usize, item: &mut Cell, to: u64, budget: &mut usize) {
    item.y += 1;
    for next in index + 1..pending.len() {
        if *budget == 0 {
            break;
        }
        *budget -= 1;
        let mut other = pending[next];
        // The boxes are sorted by row: none further on can overlap.
        if other.y > item.bottom() {
            break;
        }
        if item.collides(&other) {
            push_down(pending, next, &mut other, to + item.h, budget);
            pending[next] = other;
        }
    }
    item.y = to;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boxes(spec: &[(u32, u32, u32, u32)]) -> Vec<GridPosition> {
        spec.iter()
            .enumerate()
            .map(|(i, &(x, y, w, h))| GridPosition {
                panel: format!("p{i}"),
                x,
                y,
                w,
                h,
            })
            .collect()
    }

    fn places(layout: &[GridPosition]) -> Vec<(u32, u32, u32, u32)> {
        layout.iter().map(|p| (p.x, p.y, p.w, p.h)).collect()
    }

    #[test]
    fn gaps_close_overlaps_move_down_and_boxes_stay_inside_the_grid() {
        let mut layout = boxes(&[
            (0, 10, 12, 4),
            (0, 10, 12, 4),
            (20, 3, 10, 2),
            (30, 0, 0, 0),
        ]);
        compact(&mut layout);
        assert_eq!(
            places(&layout),
            [(0, 0, 12, 4), (0, 4, 12, 4), (14, 1, 10, 2), (23, 0, 1, 1)]
        );
    }

    #[test]
    fn a_box_landed_on_pushes_the_ones_after_it_as_grafanas_grid_does() {
        // Shrunk from a disagreement between react-grid-layout and a placement
        // without pushes: the third box, pushed below the second, stays there
        // even though the column above it is free (react-grid-layout's answer).
        let mut layout = boxes(&[(0, 0, 1, 2), (0, 0, 2, 1), (1, 0, 1, 2)]);
        compact(&mut layout);
        assert_eq!(places(&layout), [(0, 0, 1, 2), (0, 2, 2, 1), (1, 3, 1, 2)]);
    }

    #[test]
    fn far_and_crowded_layouts_are_placed_without_overflow_or_delay() {
        let mut far = boxes(&[(0, u32::MAX, 24, u32::MAX), (0, u32::MAX, 24, u32::MAX)]);
        compact(&mut far);
        assert_eq!(
            places(&far),
            [(0, 0, 24, u32::MAX), (0, u32::MAX, 24, u32::MAX)]
        );
        // Five hundred boxes on one spot, each pushing all the others: the
        // push budget keeps this quick, and nothing overlaps.
        let mut crowded = boxes(&[(0, 0, 24, 1); 500]);
        compact(&mut crowded);
        let mut rows: Vec<u32> = crowded.iter().map(|p| p.y).collect();
        rows.sort_unstable();
        assert_eq!(rows, (0..500).collect::<Vec<_>>());
        let mut staggered: Vec<GridPosition> = boxes(
            &(0..500)
                .map(|i| {
                    (
                        (i % 13) as u32,
                        (i / 7) as u32,
                        5 + (i % 11) as u32,
                        1 + (i % 5) as u32,
                    )
                })
                .collect::<Vec<_>>(),
        );
        compact(&mut staggered);
        for (i, a) in staggered.iter().enumerate() {
            for b in &staggered[i + 1..] {
                let apart =
                    a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
                assert!(apart, "{a:?} overlaps {b:?}");
            }
        }
    }
}
