//! `foundation::ordered::SortedMap` against the maps it stands in for: the
//! standard `BTreeMap` and ICU4X's `litemap::LiteMap` (the same sorted-vector
//! idea). Seeded random sequences of every operation the app uses must leave
//! all three with the same entries in the same order and give the same answers.
//!
//! Why it stays: measured in the browser build, `LiteMap` in its place costs
//! 0.5 KB gzip more (with this map's sort-once bulk building) or saves 0.7 KB
//! (with its own, which inserts each entry in place: 100,000 keys in falling
//! order take 7.0 s natively against 17 ms sorted once, so a hostile answer
//! could hang the page).

use foresight_core::foundation::ordered::SortedMap;
use litemap::LiteMap;
use std::collections::BTreeMap;

mod support;
use support::Seeded;

fn same(ours: &SortedMap<u64, u64>, btree: &BTreeMap<u64, u64>, lite: &LiteMap<u64, u64>) -> bool {
    ours.iter().eq(btree.iter()) && ours.iter().eq(lite.iter()) && ours.len() == lite.len()
}

#[test]
fn every_operation_agrees_with_btree_map_and_litemap() {
    let mut random = Seeded(0x0dde_55ed);
    for round in 0..200 {
        let keys = 1 + random.below_u64(if round % 2 == 0 { 8 } else { 200 });
        let mut ours = SortedMap::new();
        let mut btree = BTreeMap::new();
        let mut lite = LiteMap::new_vec();
        for step in 0..300 {
            let key = random.below_u64(keys);
            let value = random.below_u64(1000);
            match random.below_u64(8) {
                0 | 1 => {
                    let answers = (ours.insert(key, value), btree.insert(key, value));
                    assert_eq!(answers.0, answers.1);
                    lite.insert(key, value);
                }
                2 => {
                    let answers = (ours.remove(&key), btree.remove(&key));
                    assert_eq!(answers.0, answers.1);
                    assert_eq!(lite.remove(&key), answers.1);
                }
                3 => {
                    assert_eq!(ours.get(&key), btree.get(&key));
                    assert_eq!(ours.contains_key(&key), lite.contains_key(&key));
                    if let (Some(a), Some(b)) = (ours.get_mut(&key), btree.get_mut(&key)) {
                        *a += 1;
                        *b += 1;
                        *lite.get_mut(&key).unwrap() += 1;
                    }
                }
                4 => {
                    *ours.entry(key).or_insert(value) += 1;
                    *btree.entry(key).or_insert(value) += 1;
                    *lite.entry(key).or_insert(value) += 1;
                }
                5 => {
                    let limit = random.below_u64(1000);
                    ours.retain(|_, value| *value < limit);
                    btree.retain(|_, value| *value < limit);
                    lite.retain(|_, value| *value < limit);
                }
                6 => {
                    // Many at once, in any order, with repeats: the last wins.
                    let pairs: Vec<(u64, u64)> = (0..random.below_u64(50))
                        .map(|_| (random.below_u64(keys), random.below_u64(1000)))
                        .collect();
                    ours.extend(pairs.iter().copied());
                    btree.extend(pairs.iter().copied());
                    for (key, value) in pairs {
                        lite.insert(key, value);
                    }
                }
                _ => {
                    let pairs: Vec<(u64, u64)> =
                        btree.iter().rev().map(|(k, v)| (*k, *v)).collect();
                    ours = pairs.iter().copied().collect();
                    lite = pairs.into_iter().collect();
                }
            }
            assert!(
                same(&ours, &btree, &lite),
                "round {round} step {step}: {ours:?} vs {btree:?}"
            );
        }
    }
}

/// The comparison can fail: one changed value is noticed.
#[test]
fn the_comparison_notices_a_difference() {
    let ours: SortedMap<u64, u64> = [(1, 1), (2, 2)].into();
    let btree: BTreeMap<u64, u64> = [(1, 1), (2, 3)].into();
    let lite: LiteMap<u64, u64> = [(1, 1), (2, 2)].into_iter().collect();
    assert!(!same(&ours, &btree, &lite));
}

/// `ordered::sort_stable_by` (one sort of positions for the whole program)
/// against the standard library's stable `sort_by`: lists of every length up
/// to 300 with many ties (keys drawn from a few values) and float keys with
/// NaNs and signed zeros must end in the same order, ties in their first order.
#[test]
fn sort_stable_by_agrees_with_the_standard_stable_sort() {
    use foresight_core::foundation::ordered::sort_stable_by;
    let mut random = Seeded(0x5017_ab1e);
    for round in 0..2_000 {
        let length = random.below_u64(if round % 4 == 0 { 300 } else { 20 }) as usize;
        let keys = 1 + random.below_u64(if round % 2 == 0 { 4 } else { 1_000 });
        let items: Vec<(u64, usize)> = (0..length).map(|i| (random.below_u64(keys), i)).collect();
        let mut ours = items.clone();
        let mut theirs = items;
        sort_stable_by(&mut ours, |a, b| a.0.cmp(&b.0));
        theirs.sort_by_key(|a| a.0);
        assert_eq!(ours, theirs, "round {round}");
        sort_stable_by(&mut ours, |a, b| b.0.cmp(&a.0));
        theirs.sort_by_key(|a| std::cmp::Reverse(a.0));
        assert_eq!(ours, theirs, "round {round}, falling");
    }
    let special = [
        f64::NAN,
        -0.0,
        0.0,
        1.0,
        -1.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];
    for round in 0..500 {
        let length = random.below_u64(40) as usize;
        let items: Vec<(f64, usize)> = (0..length)
            .map(|i| (special[random.below_u64(special.len() as u64) as usize], i))
            .collect();
        let mut ours = items.clone();
        let mut theirs = items;
        sort_stable_by(&mut ours, |a, b| a.0.total_cmp(&b.0));
        theirs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let bits =
            |v: &[(f64, usize)]| v.iter().map(|(x, i)| (x.to_bits(), *i)).collect::<Vec<_>>();
        assert_eq!(bits(&ours), bits(&theirs), "round {round}");
    }
}
