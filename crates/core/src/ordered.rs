//! Sorted maps and sets built by inserting one element at a time.
//!
//! `collect()` into a `BTreeMap` or `BTreeSet` sorts its input first, with a
//! stable sort compiled afresh for every iterator type it is called with:
//! about 4 KB of the browser build per call site. Inserting gives the same
//! result (a repeated key keeps its last value) with code shared per type.

use std::collections::{BTreeMap, BTreeSet};

pub fn map_from<K: Ord, V>(pairs: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    for (key, value) in pairs {
        map.insert(key, value);
    }
    map
}

pub fn set_from<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    let mut set = BTreeSet::new();
    for item in items {
        set.insert(item);
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_as_collecting() {
        let pairs = [("b", 1), ("a", 2), ("b", 3)];
        assert_eq!(
            map_from(pairs),
            pairs.into_iter().collect::<BTreeMap<_, _>>()
        );
        assert_eq!(set_from([3, 1, 3]), [1, 3].into_iter().collect());
    }
}
