//! The core's folders are layers (see `src/lib.rs`): a file may refer to its
//! own layer and the ones below, never above, so no import cycle can form
//! between folders. This reads every source file (tests included) and lists
//! each reference that goes up. The browser app's folders (`../../src`) are
//! layered the same way (see ARCHITECTURE.md), and checked here too.

use std::path::{Path, PathBuf};

/// Bottom to top.
const LAYERS: [&str; 6] = [
    "foundation",
    "query",
    "chart",
    "analytics",
    "alerting",
    "model",
];

/// The browser app's folders (and top-level modules), bottom to top.
const APP_LAYERS: [&str; 8] = [
    "browser",
    "hooks",
    "charts",
    "trust_banner",
    "alerts",
    "editor",
    "dashboard",
    "app",
];

fn rank(layer: &str) -> Option<usize> {
    LAYERS.iter().position(|l| *l == layer)
}

fn rank_in(layers: &[&str], layer: &str) -> Option<usize> {
    layers.iter().position(|l| *l == layer)
}

/// The top-level modules a file names through `crate::`: `crate::query::…`
/// and each member of `crate::{query::…, chart}`.
fn referenced_layers(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find("crate::") {
        // `$crate::` in a macro, or `foresight_core::crate` never occur; a word
        // ending in `crate` (e.g. `my_crate::`) is not a path into this crate.
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut member_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => member_start = true,
                    c if member_start && depth == 1 && (c.is_alphanumeric() || c == '_') => {
                        member_start = false;
                        found.push(leading_identifier(&group[i..]));
                    }
                    _ => {}
                }
            }
        } else {
            found.push(leading_identifier(rest));
        }
    }
    found
}

fn leading_identifier(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// `(file, its layer, the layer it refers to)` for every upward reference.
fn upward_references(files: &[(String, String)]) -> Vec<(String, String, String)> {
    upward_references_in(&LAYERS, files)
}

fn upward_references_in(
    layers: &[&str],
    files: &[(String, String)],
) -> Vec<(String, String, String)> {
    let mut found = Vec::new();
    for (path, source) in files {
        let first = path.split('/').next().unwrap_or_default();
        let layer = first.strip_suffix(".rs").unwrap_or(first);
        let Some(own) = rank_in(layers, layer) else {
            continue;
        };
        for target in referenced_layers(source) {
            if rank_in(layers, &target).is_some_and(|t| t > own) {
                found.push((path.clone(), layer.to_string(), target));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

fn rust_files(root: &Path, dir: &Path, into: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path: PathBuf = entry.unwrap().path();
        if path.is_dir() {
            rust_files(root, &path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            into.push((relative, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

#[test]
fn no_layer_refers_to_a_layer_above_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &root, &mut files);
    // Every folder is a known layer, so none escapes the check.
    for (path, _) in &files {
        if let Some((folder, _)) = path.split_once('/') {
            assert!(
                rank(folder).is_some(),
                "{folder}/ is not one of the layers {LAYERS:?}"
            );
        }
    }
    assert!(files.len() > 40, "only {} files read", files.len());
    let upward = upward_references(&files);
    assert!(
        upward.is_empty(),
        "references going up a layer: {upward:#?}"
    );
}

#[test]
fn the_check_finds_an_upward_reference_in_any_form() {
    let files = [
        ("alerting/a.rs", "use crate::model::dashboard::Panel;"),
        (
            "query/b.rs",
            "fn f() { crate::chart::geometry::nearest_sample(); }",
        ),
        (
            "foundation/c.rs",
            "use crate::{foundation::json, analytics::options::X};",
        ),
        (
            "chart/d.rs",
            "use crate::{query::{series::Series, step}, foundation::json};",
        ),
        (
            "model/e.rs",
            "use crate::alerting::rule; use crate::query::series;",
        ),
    ]
    .map(|(p, s)| (p.to_string(), s.to_string()));
    let upward: Vec<(String, String)> = upward_references(&files)
        .into_iter()
        .map(|(path, _, target)| (path, target))
        .collect();
    assert_eq!(
        upward,
        [
            ("alerting/a.rs".to_string(), "model".to_string()),
            ("foundation/c.rs".to_string(), "analytics".to_string()),
            ("query/b.rs".to_string(), "chart".to_string()),
        ]
    );
}

#[test]
fn no_folder_of_the_browser_app_refers_to_one_above_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../src");
    let mut files = Vec::new();
    rust_files(&root, &root, &mut files);
    for (path, _) in &files {
        let first = path.split('/').next().unwrap_or_default();
        let module = first.strip_suffix(".rs").unwrap_or(first);
        assert!(
            rank_in(&APP_LAYERS, module).is_some() || ["lib", "main"].contains(&module),
            "{path} is in no layer of {APP_LAYERS:?}"
        );
    }
    assert!(files.len() > 40, "only {} files read", files.len());
    let upward = upward_references_in(&APP_LAYERS, &files);
    assert!(
        upward.is_empty(),
        "references going up a layer: {upward:#?}"
    );
}
