//! Sorted maps and sets kept in one vector, ordered by key.
//!
//! They replace `BTreeMap` and `BTreeSet` for the small keyed collections the
//! app holds (labels, variables, saved dashboards, alert states). A B-tree
//! compiles its node splitting, merging, cloning and dropping afresh for every
//! key and value type: about 4–9 KB of the browser build per type, 78 KB in
//! all. A sorted vector needs a binary search and the vector's own code, and is
//! as fast for collections of this size. Iteration is in key order and equality
//! compares the entries in that order, exactly as with the B-tree types.
//!
//! Inserting keys in ascending order appends; inserting one key out of order
//! moves the entries after it. Many entries at once (`collect`, `extend`) are
//! appended and sorted once, so filling a large collection in any order stays
//! fast (the time-keyed grids in `query::series` and `chart::heatmap` keep
//! `BTreeMap`: they take many single inserts).
//!
//! `litemap::LiteMap` is the same idea as a well-kept crate. In this map's
//! place it made the browser build 0.5 KB larger; its own `collect` (0.7 KB
//! smaller) inserts entries one by one, quadratic for keys in falling order.
//! `tests/ordered_differential.rs` checks this map against both.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::ops::Index;
use std::slice;

/// A map sorted by key, with the `BTreeMap` methods the app uses.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SortedMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for SortedMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K, V> SortedMap<K, V> {
    pub const fn new() -> Self {
        Self {
            entries: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter(self.entries.iter())
    }

    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        IterMut(self.entries.iter_mut())
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(key, _)| key)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(_, value)| value)
    }

    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, value)| value)
    }

    pub fn into_keys(self) -> impl DoubleEndedIterator<Item = K> + ExactSizeIterator {
        self.entries.into_iter().map(|(key, _)| key)
    }

    pub fn into_values(self) -> impl DoubleEndedIterator<Item = V> + ExactSizeIterator {
        self.entries.into_iter().map(|(_, value)| value)
    }

    /// Keeps the entries for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain_mut(|(key, value)| keep(key, value));
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    /// Where `key` is (`Ok`), or where it would go (`Err`).
    fn position<Q>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.entries
            .binary_search_by(|(candidate, _)| candidate.borrow().cmp(key))
    }

    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let index = self.position(key).ok()?;
        Some(&self.entries[index].1)
    }

    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let index = self.position(key).ok()?;
        Some(&mut self.entries[index].1)
    }

    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.position(key).is_ok()
    }

    /// Sets `key` to `value`; returns the value it had.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        let appends = self.entries.last().is_none_or(|(last, _)| *last < key);
        if appends {
            self.entries.push((key, value));
            return None;
        }
        match self.position(&key) {
            Ok(index) => Some(std::mem::replace(&mut self.entries[index].1, value)),
            Err(index) => {
                self.entries.insert(index, (key, value));
                None
            }
        }
    }

    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let index = self.position(key).ok()?;
        Some(self.entries.remove(index).1)
    }

    pub fn entry(&mut self, key: K) -> Entry<'_, K, V> {
        let position = self.position(&key);
        Entry {
            map: self,
            key,
            position,
        }
    }
}

/// A place in a [`SortedMap`] for one key, filled or not.
pub struct Entry<'a, K, V> {
    map: &'a mut SortedMap<K, V>,
    key: K,
    position: Result<usize, usize>,
}

impl<'a, K, V> Entry<'a, K, V> {
    pub fn or_insert_with(self, make: impl FnOnce() -> V) -> &'a mut V {
        let index = match self.position {
            Ok(index) => index,
            Err(index) => {
                self.map.entries.insert(index, (self.key, make()));
                index
            }
        };
        &mut self.map.entries[index].1
    }

    pub fn or_insert(self, value: V) -> &'a mut V {
        self.or_insert_with(|| value)
    }

    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.or_insert_with(V::default)
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for SortedMap<K, V> {
    /// A repeated key keeps its last value, as with `BTreeMap`.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        let mut map = Self::new();
        map.extend(pairs);
        map
    }
}

impl<K: Ord, V> Extend<(K, V)> for SortedMap<K, V> {
    /// Appends, then sorts once; a repeated key keeps its last value.
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, pairs: I) {
        // A plain loop: `Vec::extend` would compile its specialised copies per iterator type.
        for pair in pairs {
            self.entries.push(pair);
        }
        into_key_order(&mut self.entries, |(key, _)| key);
    }
}

/// Sorts `items` by `key_of`, keeping only the last of items with equal keys.
fn into_key_order<T, K: Ord>(items: &mut Vec<T>, key_of: impl Fn(&T) -> &K) {
    let ordered = items
        .windows(2)
        .all(|pair| key_of(&pair[0]) < key_of(&pair[1]));
    if ordered {
        return;
    }
    // Equal keys latest first, so that `dedup` (which keeps the first) keeps the last.
    let order = sorted_positions(items.len(), &|a, b| {
        key_of(&items[a]).cmp(key_of(&items[b])).then(b.cmp(&a))
    });
    put_in_order(order, &mut |a, b| items.swap(a, b));
    items.dedup_by(|later, earlier| key_of(later) == key_of(earlier));
}

/// Sorts `items` by `compare`, keeping the order of items it calls equal (a
/// stable sort), with the one sort of positions below instead of a merge sort
/// compiled for every item type.
pub fn sort_stable_by<T>(items: &mut [T], compare: impl Fn(&T, &T) -> Ordering) {
    let order = sorted_positions(items.len(), &|a, b| {
        compare(&items[a], &items[b]).then(a.cmp(&b))
    });
    put_in_order(order, &mut |a, b| items.swap(a, b));
}

/// Puts the item at `order[rank]` at `rank` for every rank, by swapping along
/// the permutation's cycles.
fn put_in_order(order: Vec<usize>, swap: &mut dyn FnMut(usize, usize)) {
    let mut destination = vec![0; order.len()];
    for (rank, position) in order.into_iter().enumerate() {
        destination[position] = rank;
    }
    for start in 0..destination.len() {
        while destination[start] != start {
            let target = destination[start];
            swap(start, target);
            destination.swap(start, target);
        }
    }
}

/// Positions `0..length` in the order `compare` gives (which must not call two
/// positions equal). One sort compiled for the whole program: it sorts plain
/// positions.
pub fn sorted_positions(length: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut positions: Vec<usize> = (0..length).collect();
    positions.sort_unstable_by(|a, b| compare(*a, *b));
    positions
}

impl<K: Ord, V, const N: usize> From<[(K, V); N]> for SortedMap<K, V> {
    fn from(pairs: [(K, V); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl<K: Ord + Borrow<Q>, Q: Ord + ?Sized, V> Index<&Q> for SortedMap<K, V> {
    type Output = V;

    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("no entry for this key in the map")
    }
}

impl<K, V> IntoIterator for SortedMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a, K, V> IntoIterator for &'a SortedMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, K, V> IntoIterator for &'a mut SortedMap<K, V> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

/// The entries of a [`SortedMap`] in key order.
#[derive(Clone)]
pub struct Iter<'a, K, V>(slice::Iter<'a, (K, V)>);

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(key, value)| (key, value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<K, V> DoubleEndedIterator for Iter<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(key, value)| (key, value))
    }
}

impl<K, V> ExactSizeIterator for Iter<'_, K, V> {}

/// The entries of a [`SortedMap`] in key order, values mutable.
pub struct IterMut<'a, K, V>(slice::IterMut<'a, (K, V)>);

impl<'a, K, V> Iterator for IterMut<'a, K, V> {
    type Item = (&'a K, &'a mut V);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(key, value)| (&*key, value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<K, V> DoubleEndedIterator for IterMut<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(key, value)| (&*key, value))
    }
}

impl<K, V> ExactSizeIterator for IterMut<'_, K, V> {}

/// A set kept sorted, with the `BTreeSet` methods the app uses.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SortedSet<T> {
    items: Vec<T>,
}

impl<T> Default for SortedSet<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: fmt::Debug> fmt::Debug for SortedSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<T> SortedSet<T> {
    pub const fn new() -> Self {
        Self { items: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> slice::Iter<'_, T> {
        self.items.iter()
    }

    pub fn first(&self) -> Option<&T> {
        self.items.first()
    }

    pub fn last(&self) -> Option<&T> {
        self.items.last()
    }
}

impl<T: Ord> SortedSet<T> {
    fn position<Q>(&self, item: &Q) -> Result<usize, usize>
    where
        T: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.items
            .binary_search_by(|candidate| candidate.borrow().cmp(item))
    }

    pub fn contains<Q>(&self, item: &Q) -> bool
    where
        T: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.position(item).is_ok()
    }

    /// Adds `item`; false if it was already there.
    pub fn insert(&mut self, item: T) -> bool {
        if self.items.last().is_none_or(|last| *last < item) {
            self.items.push(item);
            return true;
        }
        match self.position(&item) {
            Ok(_) => false,
            Err(index) => {
                self.items.insert(index, item);
                true
            }
        }
    }

    pub fn remove<Q>(&mut self, item: &Q) -> bool
    where
        T: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        match self.position(item) {
            Ok(index) => {
                self.items.remove(index);
                true
            }
            Err(_) => false,
        }
    }
}

impl<T: Ord> FromIterator<T> for SortedSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        let mut set = Self::new();
        set.extend(items);
        set
    }
}

impl<T: Ord> Extend<T> for SortedSet<T> {
    /// Appends, then sorts once.
    fn extend<I: IntoIterator<Item = T>>(&mut self, items: I) {
        for item in items {
            self.items.push(item);
        }
        into_key_order(&mut self.items, |item| item);
    }
}

impl<T: Ord, const N: usize> From<[T; N]> for SortedSet<T> {
    fn from(items: [T; N]) -> Self {
        items.into_iter().collect()
    }
}

impl<T> IntoIterator for SortedSet<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a SortedSet<T> {
    type Item = &'a T;
    type IntoIter = slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Written as a JSON object (keys in order); read from one, where a repeated
/// key keeps its last value. Read entries are sorted once, so a large object
/// in any order stays linear-logarithmic.
impl<K: serde::Serialize, V: serde::Serialize> serde::Serialize for SortedMap<K, V> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de, K, V> serde::Deserialize<'de> for SortedMap<K, V>
where
    K: Ord + serde::Deserialize<'de>,
    V: serde::Deserialize<'de>,
{
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<K, V>(std::marker::PhantomData<(K, V)>);

        impl<'de, K, V> serde::de::Visitor<'de> for MapVisitor<K, V>
        where
            K: Ord + serde::Deserialize<'de>,
            V: serde::Deserialize<'de>,
        {
            type Value = SortedMap<K, V>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                into_key_order(&mut entries, |(key, _)| key);
                Ok(SortedMap { entries })
            }
        }

        deserializer.deserialize_map(MapVisitor(std::marker::PhantomData))
    }
}

/// Written as a JSON array (in order); read from one, repeats dropped.
impl<T: serde::Serialize> serde::Serialize for SortedSet<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de, T: Ord + serde::Deserialize<'de>> serde::Deserialize<'de> for SortedSet<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<T>::deserialize(deserializer).map(|items| items.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    #[test]
    fn behaves_like_a_btree_map() {
        let pairs = [("b", 1), ("a", 2), ("d", 4), ("b", 3), ("c", 5)];
        let sorted: SortedMap<_, _> = pairs.into_iter().collect();
        let btree: BTreeMap<_, _> = pairs.into_iter().collect();
        assert!(sorted.iter().eq(btree.iter()));
        assert_eq!(sorted.len(), 4);
        assert_eq!(sorted.get("b"), Some(&3));
        assert_eq!(sorted["c"], 5);
        assert!(!sorted.contains_key("z"));
        assert_eq!(format!("{sorted:?}"), format!("{btree:?}"));

        let mut edited = sorted.clone();
        assert_eq!(edited.insert("a", 9), Some(2));
        assert_eq!(edited.insert("0", 0), None);
        assert_eq!(edited.remove("d"), Some(4));
        assert_eq!(edited.remove("d"), None);
        *edited.entry("e").or_default() += 7;
        *edited.entry("e").or_insert(100) += 1;
        edited.retain(|key, _| *key != "c");
        let keys: Vec<_> = edited.keys().copied().collect();
        assert_eq!(keys, ["0", "a", "b", "e"]);
        assert_eq!(edited.values().copied().collect::<Vec<_>>(), [0, 9, 3, 8]);
        assert_ne!(edited, sorted);
    }

    #[test]
    fn many_entries_in_any_order_are_sorted_once() {
        // 50,000 keys in a scrambled order, some repeated: the last value wins.
        let pairs: Vec<(u64, u64)> = (0..60_000u64).map(|i| ((i * 7_919) % 50_000, i)).collect();
        let sorted: SortedMap<_, _> = pairs.iter().copied().collect();
        let btree: BTreeMap<_, _> = pairs.iter().copied().collect();
        assert!(sorted.iter().eq(btree.iter()));
        let mut extended: SortedMap<u64, u64> = [(3, 0), (70_000, 1)].into();
        extended.extend(pairs.iter().copied());
        let mut expected: BTreeMap<u64, u64> = [(3, 0), (70_000, 1)].into();
        expected.extend(pairs.iter().copied());
        assert!(extended.iter().eq(expected.iter()));
        let set: SortedSet<u64> = pairs.iter().map(|(key, _)| *key).collect();
        assert!(set.iter().eq(btree.keys()));
    }

    #[test]
    fn behaves_like_a_btree_set() {
        let items = [3, 1, 3, 2];
        let sorted: SortedSet<_> = items.into_iter().collect();
        let btree: BTreeSet<_> = items.into_iter().collect();
        assert!(sorted.iter().eq(btree.iter()));
        let mut edited = sorted.clone();
        assert!(!edited.insert(2));
        assert!(edited.insert(0));
        assert!(edited.remove(&3));
        assert!(edited.contains(&1) && !edited.contains(&3));
        assert_eq!(edited.into_iter().collect::<Vec<_>>(), [0, 1, 2]);
    }
}
