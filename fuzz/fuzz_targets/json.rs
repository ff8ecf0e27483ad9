//! The JSON reader under every document and answer. What it accepts must be
//! what a conforming reader accepts (serde_json, with exact numbers, is the
//! reference), with the same values, and what it writes must read back the same.
#![no_main]

use foresight_core::foundation::json::Json;
use foresight_fuzz::text;
use libfuzzer_sys::fuzz_target;

/// Both readers refuse deeper documents, at slightly different depths.
const DEPTH_BOTH_READ: usize = 100;

fn nesting(text: &str) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0, false, false);
    for byte in text.bytes() {
        match byte {
            _ if escaped => escaped = false,
            b'\\' if in_string => escaped = true,
            b'"' => in_string = !in_string,
            b'[' | b'{' if !in_string => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' if !in_string => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// The same value? Objects are compared as the model reads them: a repeated
/// member's last value wins.
fn same(ours: &Json, reference: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (ours, reference) {
        (Json::Null, Value::Null) => true,
        (Json::Bool(a), Value::Bool(b)) => a == b,
        (Json::Number(a), Value::Number(b)) => b
            .as_f64()
            .is_some_and(|b| a.to_bits() == b.to_bits() || *a == b),
        (Json::String(a), Value::String(b)) => a == b,
        (Json::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same(a, b))
        }
        (Json::Object(members), Value::Object(b)) => {
            let names: std::collections::BTreeSet<&str> =
                members.iter().map(|(name, _)| name.as_str()).collect();
            names.len() == b.len()
                && names.iter().all(|name| {
                    b.get(*name)
                        .is_some_and(|value| same(ours.get(name).unwrap(), value))
                })
        }
        _ => false,
    }
}

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    let ours = Json::parse(&text);

    if nesting(&text) <= DEPTH_BOTH_READ {
        let reference = serde_json::from_str::<serde_json::Value>(&text);
        match (&ours, &reference) {
            (Ok(ours), Ok(reference)) => {
                assert!(
                    same(ours, reference),
                    "{text:?}: {ours:?} but {reference:?}"
                )
            }
            (Err(_), Err(_)) => {}
            (ours, reference) => panic!("{text:?}: ours {ours:?}, reference {reference:?}"),
        }
    }

    if let Ok(value) = ours {
        for written in [value.to_string(), value.to_pretty_string()] {
            let again = Json::parse(&written).unwrap_or_else(|error| {
                panic!("{value:?} was written unreadably as {written:?}: {error}")
            });
            assert_eq!(again, value, "written as {written:?}");
        }
        let _ = value.pointer("/panels/0/targets/0/expr");
        let _ = value.as_u64();
    }
});
