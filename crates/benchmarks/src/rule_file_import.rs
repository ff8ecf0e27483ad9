//! `benchmarks rule-files FILE_OR_DIR…` — imports every Prometheus rule file
//! (`.yml`, `.yaml`, found recursively) as the page's "Import rule file" does
//! and prints, per file and in total, how many alerting rules were imported
//! and why each other one was not.

use foresight_core::alerting::rule_file::import_rule_file;
use std::path::{Path, PathBuf};

fn rule_files(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .collect();
        entries.sort();
        for entry in entries {
            rule_files(&entry, out)?;
        }
    } else if path
        .extension()
        .is_some_and(|extension| extension == "yml" || extension == "yaml")
    {
        out.push(path.to_path_buf());
    }
    Ok(())
}

pub fn run(args: &[String]) -> Result<(), String> {
    if args.is_empty() {
        return Err("usage: benchmarks rule-files FILE_OR_DIR…".into());
    }
    let mut files = Vec::new();
    for arg in args {
        rule_files(Path::new(arg), &mut files)?;
    }
    let (mut imported, mut refused, mut recording, mut unreadable) = (0, 0, 0, 0);
    for file in &files {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        match import_rule_file(&text) {
            Ok(import) => {
                // Files without alerting or recording rules are not rule files.
                if import.imported.is_empty()
                    && import.refused.is_empty()
                    && import.recording_rules == 0
                {
                    continue;
                }
                println!("{}: {}", file.display(), import.summary());
                for rule in &import.refused {
                    println!(
                        "    not imported: {} / {}: {}",
                        rule.group, rule.name, rule.reason
                    );
                }
                for note in &import.notes {
                    println!("    note: {note}");
                }
                imported += import.imported.len();
                refused += import.refused.len();
                recording += import.recording_rules;
            }
            Err(e) if e.starts_with("no rule groups") => {}
            Err(e) => {
                unreadable += 1;
                println!("{}: NOT READ: {e}", file.display());
            }
        }
    }
    let alerting = imported + refused;
    println!(
        "\ntotal: {imported} of {alerting} alerting rules imported ({:.1} %), {refused} not, \
         {recording} recording rules left to Prometheus, {unreadable} files not read",
        100.0 * imported as f64 / alerting.max(1) as f64
    );
    Ok(())
}
