//! Sorting that costs the browser build one copy of the standard sort, not one per call.
//!
//! `slice::sort_by` is generic over both the element and the comparison, so every call site
//! with its own closure gets its own driftsort or quicksort, with their small-sort and merge
//! helpers: 2–6 KB of wasm each, about 110 KB in all before this module. In the browser
//! ([`by_positions`]) the standard stable sort runs once, over positions (`usize`) compared
//! through a `dyn` function, and the slice is then put in that order by swaps: a few hundred
//! bytes per element type (core's sort code fell from 111 KB to 52 KB; what is left is the
//! sort inside `BTreeMap`/`BTreeSet` `collect`). Natively, where a snapshot sorts millions
//! of items and code size does not matter, the standard sorts are called directly.
//!
//! Every function here is stable, the `unstable` ones included on the wasm32 target (a
//! stable order is one of the orders an unstable sort may give); they may only be used
//! where equal elements are indistinguishable or their order does not matter.

#![allow(
    clippy::disallowed_methods,
    reason = "the one place that calls the standard sorts (clippy.toml)"
)]

use std::cmp::Ordering;

/// `v.sort_by(compare)`: stable.
pub fn sort_by<T>(v: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    if cfg!(target_arch = "wasm32") {
        by_positions(v, &mut compare);
    } else {
        v.sort_by(compare);
    }
}

/// `v.sort()`: stable.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// `v.sort_by_key(key)`: stable.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// `v.sort_unstable()`.
pub fn sort_unstable<T: Ord>(v: &mut [T]) {
    if cfg!(target_arch = "wasm32") {
        by_positions(v, &mut T::cmp);
    } else {
        v.sort_unstable();
    }
}

/// `v.sort_unstable_by_key(key)`.
pub fn sort_unstable_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    let mut compare = |a: &T, b: &T| key(a).cmp(&key(b));
    if cfg!(target_arch = "wasm32") {
        by_positions(v, &mut compare);
    } else {
        v.sort_unstable_by(compare);
    }
}

/// A stable sort whose only generic code is the comparison's adapter and the swaps that
/// apply the order. Compiled natively too, so the tests below hold it to the standard sort.
fn by_positions<T>(v: &mut [T], compare: &mut dyn FnMut(&T, &T) -> Ordering) {
    let mut order: Vec<usize> = (0..v.len()).collect();
    {
        let items: &[T] = v;
        sort_positions(&mut order, &mut |a, b| match (items.get(a), items.get(b)) {
            (Some(x), Some(y)) => compare(x, y),
            // Never: every position comes from 0..len.
            _ => Ordering::Equal,
        });
    }
    apply_order(v, &order);
}

/// The one instance of the standard sort the browser build keeps for this module.
#[inline(never)]
fn sort_positions(order: &mut [usize], compare: &mut dyn FnMut(usize, usize) -> Ordering) {
    order.sort_by(|&a, &b| compare(a, b));
}

/// Puts `v` in `order` (`order[i]` is the position whose element belongs at `i`), one cycle
/// of the permutation at a time.
fn apply_order<T>(v: &mut [T], order: &[usize]) {
    let mut placed = vec![false; order.len()];
    for start in 0..order.len() {
        let mut at = start;
        loop {
            match placed.get_mut(at) {
                Some(seen) if !*seen => *seen = true,
                _ => break,
            }
            let from = order.get(at).copied().unwrap_or(start);
            if from == start {
                break;
            }
            v.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test fails loudly on purpose")]

    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The browser's sort gives exactly the standard stable sort's order, ties included:
        /// elements are compared by their first field only and told apart by the second.
        #[test]
        fn sorting_by_positions_is_the_standard_stable_sort(
            items in proptest::collection::vec((0u8..6, any::<u32>()), 0..80)
        ) {
            let mut ours = items.clone();
            by_positions(&mut ours, &mut |a, b| a.0.cmp(&b.0));
            let mut standard = items;
            standard.sort_by_key(|item| item.0);
            prop_assert_eq!(ours, standard);
        }
    }

    #[test]
    fn an_empty_or_single_slice_is_left_alone() {
        let mut none: Vec<u8> = Vec::new();
        by_positions(&mut none, &mut u8::cmp);
        assert!(none.is_empty());
        let mut one = vec![7];
        by_positions(&mut one, &mut i32::cmp);
        assert_eq!(one, [7]);
    }
}
