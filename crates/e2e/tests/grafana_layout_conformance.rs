//! Differential test of the grid placement against react-grid-layout, the
//! grid Grafana draws dashboards with (its own code, pinned, run by Node.js):
//! random layouts, including overlapping, out-of-bounds and gapped ones, must
//! come out exactly as react-grid-layout places them. A disagreement is shrunk
//! to a small layout and printed, ready to become a unit test.

use foresight_core::model::dashboard::layout::compact;
use foresight_core::model::dashboard::GridPosition;
use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Stdio};

const CASES: usize = 3000;

struct Random(u64);

impl Random {
    fn below(&mut self, n: u32) -> u32 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as u32 % n
    }
}

fn random_layout(random: &mut Random) -> Vec<GridPosition> {
    let count = 1 + random.below(14);
    (0..count)
        .map(|i| GridPosition {
            panel: format!("p{i}"),
            // Mostly inside the grid, sometimes past its right edge.
            x: random.below(27),
            y: random.below(24),
            w: 1 + random.below(26),
            h: 1 + random.below(7),
        })
        .collect()
}

fn to_json(layout: &[GridPosition]) -> Value {
    Value::Array(
        layout
            .iter()
            .map(|p| json!({"i": p.panel, "x": p.x, "y": p.y, "w": p.w, "h": p.h}))
            .collect(),
    )
}

/// react-grid-layout's placement of each layout.
fn reference(layouts: &[Vec<GridPosition>]) -> Vec<Vec<GridPosition>> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/js/react_grid_layout.js");
    let mut child = Command::new("node")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node (the test command installs it)");
    let input = Value::Array(layouts.iter().map(|l| to_json(l)).collect()).to_string();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "react-grid-layout failed (run scripts/ensure-tools.sh): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let placed: Value = serde_json::from_slice(&output.stdout).unwrap();
    placed
        .as_array()
        .unwrap()
        .iter()
        .map(|layout| {
            layout
                .as_array()
                .unwrap()
                .iter()
                .map(|p| GridPosition {
                    panel: p["i"].as_str().unwrap().to_string(),
                    x: p["x"].as_u64().unwrap() as u32,
                    y: p["y"].as_u64().unwrap() as u32,
                    w: p["w"].as_u64().unwrap() as u32,
                    h: p["h"].as_u64().unwrap() as u32,
                })
                .collect()
        })
        .collect()
}

fn placed_by(place: fn(&mut [GridPosition]), layout: &[GridPosition]) -> Vec<GridPosition> {
    let mut ours = layout.to_vec();
    place(&mut ours);
    ours
}

/// Smaller layouts that still disagree: an item removed or a number lowered,
/// every candidate of a step placed by react-grid-layout in one run.
fn shrink(place: fn(&mut [GridPosition]), mut layout: Vec<GridPosition>) -> Vec<GridPosition> {
    loop {
        let mut candidates: Vec<Vec<GridPosition>> = (0..layout.len())
            .filter(|_| layout.len() > 1)
            .map(|i| {
                let mut candidate = layout.clone();
                candidate.remove(i);
                candidate
            })
            .collect();
        for i in 0..layout.len() {
            for field in 0..4 {
                let mut candidate = layout.clone();
                let p = &mut candidate[i];
                let (value, floor) = match field {
                    0 => (&mut p.x, 0),
                    1 => (&mut p.y, 0),
                    2 => (&mut p.w, 1),
                    _ => (&mut p.h, 1),
                };
                if *value > floor {
                    *value -= 1;
                    candidates.push(candidate);
                }
            }
        }
        let expected = reference(&candidates);
        match candidates
            .into_iter()
            .zip(expected)
            .find(|(candidate, expected)| &placed_by(place, candidate) != expected)
        {
            Some((smaller, _)) => layout = smaller,
            None => return layout,
        }
    }
}

/// The layouts (of `CASES` random ones) on which `place` and react-grid-layout differ.
fn disagreements(place: fn(&mut [GridPosition])) -> Vec<Vec<GridPosition>> {
    let mut random = Random(0x9E37_79B9_7F4A_7C15);
    let layouts: Vec<Vec<GridPosition>> = (0..CASES).map(|_| random_layout(&mut random)).collect();
    let expected = reference(&layouts);
    layouts
        .into_iter()
        .zip(expected)
        .filter(|(layout, expected)| &placed_by(place, layout) != expected)
        .map(|(layout, _)| layout)
        .collect()
}

#[test]
fn the_grid_places_random_layouts_as_grafanas_grid_does() {
    let failures = disagreements(compact);
    if let Some(first) = failures.first() {
        let small = shrink(compact, first.clone());
        panic!(
            "{} of {CASES} layouts placed differently; smallest found: {}\n react-grid-layout: {}\n ours: {}",
            failures.len(),
            to_json(&small),
            to_json(&reference(std::slice::from_ref(&small))[0]),
            to_json(&placed_by(compact, &small))
        );
    }
    println!("{CASES} random layouts placed exactly as react-grid-layout places them");
}

/// A plausible but wrong placement: boxes moved up and then below what they
/// overlap, without react-grid-layout's pushing of the boxes not yet placed.
fn compact_without_pushes(layout: &mut [GridPosition]) {
    for p in layout.iter_mut() {
        p.w = p.w.clamp(1, 24);
        p.x = p.x.min(24 - p.w);
    }
    let mut order: Vec<usize> = (0..layout.len()).collect();
    order.sort_by_key(|&i| (layout[i].y, layout[i].x));
    let mut placed: Vec<GridPosition> = Vec::new();
    let overlaps = |a: &GridPosition, b: &GridPosition| {
        a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
    };
    for i in order {
        let mut item = layout[i].clone();
        item.y = item
            .y
            .min(placed.iter().map(|p| p.y + p.h).max().unwrap_or(0));
        while item.y > 0 && !placed.iter().any(|p| overlaps(p, &item)) {
            item.y -= 1;
        }
        while let Some(p) = placed.iter().find(|p| overlaps(p, &item)) {
            item.y = p.y + p.h;
        }
        layout[i] = item.clone();
        placed.push(item);
    }
}

#[test]
fn the_comparison_finds_a_placement_that_is_only_nearly_right() {
    let failures = disagreements(compact_without_pushes);
    assert!(
        !failures.is_empty(),
        "the differential test cannot tell a placement without pushes from react-grid-layout's"
    );
    let small = shrink(compact_without_pushes, failures[0].clone());
    println!(
        "a placement without pushes differs on {} of {CASES} layouts; smallest: {}",
        failures.len(),
        to_json(&small)
    );
}
