//! Names people give things in dashboards, rules and silences (variables,
//! rule names, label names): one rule for all of them, as PromQL's.

/// Whether `name` is an identifier: a letter or `_`, then letters, digits or `_`.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
