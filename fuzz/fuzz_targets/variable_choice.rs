//! A link's choice for a dashboard variable (`var-NAME=…`), checked against
//! the variable's options (Prometheus's label values, or its custom list).
//! Whatever the link says, the value the panels get is one of the options
//! (or All, where the variable offers it), the picker shows the same choice,
//! and a refused value is said. Input, one field per line: flags (`m` multi,
//! `a` include All, `n` options could not be loaded), the default values, the
//! link's values (each field's values split by tabs), then one option per line.
#![no_main]

use foresight_core::model::variables::{Variable, VariableSource, ALL_SELECTION};
use foresight_core::query::template_variables::VariableValue;
use foresight_fuzz::text;
use libfuzzer_sys::fuzz_target;

fn values(field: &str) -> Vec<String> {
    if field.is_empty() {
        Vec::new()
    } else {
        field.split('\t').map(str::to_string).collect()
    }
}

fuzz_target!(|data: &[u8]| {
    let input = text(data);
    let mut lines = input.split('\n');
    let flags = lines.next().unwrap_or_default();
    let default = values(lines.next().unwrap_or_default());
    let link = lines.next().map(values);
    let options: Vec<String> = lines.map(str::to_string).collect();
    let variable = Variable {
        name: "v".into(),
        label: None,
        source: VariableSource::Custom {
            values: options.clone(),
        },
        multi: flags.contains('m'),
        include_all: flags.contains('a'),
        all_value: flags.contains('r').then(|| ".*".to_string()),
        default: default.clone(),
    };
    // A set: the harness must not be slower than what it checks.
    let option_set: std::collections::BTreeSet<&String> = options.iter().collect();
    let offered = |value: &String| option_set.contains(value);

    if flags.contains('n') {
        // Unchecked, only the dashboard's own default is used.
        let resolved = variable.resolve(link.as_deref(), None);
        assert_eq!(resolved.selected, default);
        return;
    }
    let resolved = variable.resolve(link.as_deref(), Some(&options));
    match &resolved.value {
        VariableValue::Single(value) => assert!(
            offered(value) || (options.is_empty() && value.is_empty()),
            "{value:?} is not among {options:?}"
        ),
        VariableValue::Multi(chosen) => {
            assert!(variable.multi, "several values for a single-value variable");
            assert!(
                chosen.iter().all(offered),
                "{chosen:?} not all among {options:?}"
            );
        }
        VariableValue::All { values, custom_all } => {
            assert!(variable.include_all, "All for a variable without All");
            assert_eq!(values, &options);
            assert_eq!(custom_all, &variable.all_value);
        }
    }
    // The picker shows what the panels get.
    assert!(resolved
        .selected
        .iter()
        .all(|s| offered(s) || (variable.include_all && s == ALL_SELECTION)));
    assert!(variable.multi || resolved.selected.len() <= 1);
    // A refused value from the link is said.
    let refused = link
        .iter()
        .flatten()
        .any(|value| !(offered(value) || (variable.include_all && value == ALL_SELECTION)));
    if refused {
        assert!(resolved.note.is_some(), "a refused value without a note");
    }
});
