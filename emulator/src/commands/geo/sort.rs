//! The two sorts Redis orders search results with, reproduced so that points at equal
//! distances come out in the same order: the C library's qsort, which in glibc is a top-down
//! merge sort (stable), and Redis's own partial quicksort (Bentley & McIlroy's, skipping the
//! partitions outside the ranks it is asked for), used when COUNT keeps only the first
//! results.
//!
//! Comparators answer like C ones (negative, zero, positive) and may be inconsistent (NaN
//! distances); neither sort relies on consistency, so neither can fail.

use std::cmp::min;

/// Sorts `items` as glibc's qsort does.
pub(super) fn merge_sort<T: Clone>(items: &mut [T], compare: &impl Fn(&T, &T) -> i32) {
    if items.len() <= 1 {
        return;
    }
    let mid = items.len() / 2;
    merge_sort(&mut items[..mid], compare);
    merge_sort(&mut items[mid..], compare);
    let left: Vec<T> = items[..mid].to_vec();
    let right: Vec<T> = items[mid..].to_vec();
    let (mut i, mut j) = (0, 0);
    for slot in items.iter_mut() {
        // Ties take the left element: the sort is stable.
        let take_left = match (left.get(i), right.get(j)) {
            (Some(l), Some(r)) => compare(l, r) <= 0,
            (Some(_), None) => true,
            _ => false,
        };
        let source = if take_left { left.get(i) } else { right.get(j) };
        if let Some(item) = source {
            *slot = item.clone();
        }
        if take_left {
            i += 1;
        } else {
            j += 1;
        }
    }
}

/// Partially sorts `items` so that ranks `first..=last` hold what a full sort would put
/// there, exactly as Redis's pqsort does.
pub(super) fn partial_sort<T>(
    items: &mut [T],
    compare: &impl Fn(&T, &T) -> i32,
    first: usize,
    last: usize,
) {
    partial_sort_from(items, 0, items.len(), compare, (first, last));
}

/// The index of the median of three elements.
fn median_of_three<T>(
    items: &[T],
    a: usize,
    b: usize,
    c: usize,
    compare: &impl Fn(&T, &T) -> i32,
) -> usize {
    let cmp = |x: usize, y: usize| compare(&items[x], &items[y]);
    if cmp(a, b) < 0 {
        if cmp(b, c) < 0 {
            b
        } else if cmp(a, c) < 0 {
            c
        } else {
            a
        }
    } else if cmp(b, c) > 0 {
        b
    } else if cmp(a, c) < 0 {
        a
    } else {
        c
    }
}

/// Swaps the `n` elements from `a` with the `n` from `b`, pairwise.
fn swap_blocks<T>(items: &mut [T], a: usize, b: usize, n: usize) {
    for k in 0..n {
        items.swap(a + k, b + k);
    }
}

/// Whether the elements `start..start + len` include any of the wanted ranks.
fn overlaps(start: usize, len: usize, wanted: (usize, usize)) -> bool {
    wanted.1 >= start && wanted.0 < start + len
}

/// Sorts the `n` elements from `start` (a partition of the whole array).
fn partial_sort_from<T>(
    items: &mut [T],
    mut start: usize,
    mut n: usize,
    compare: &impl Fn(&T, &T) -> i32,
    wanted: (usize, usize),
) {
    loop {
        let cmp = |items: &[T], x: usize, y: usize| compare(&items[x], &items[y]);
        if n < 7 {
            for m in start + 1..start + n {
                let mut l = m;
                while l > start && cmp(items, l - 1, l) > 0 {
                    items.swap(l, l - 1);
                    l -= 1;
                }
            }
            return;
        }
        let mut pivot = start + n / 2;
        if n > 7 {
            let mut low = start;
            let mut high = start + n - 1;
            if n > 40 {
                let d = n / 8;
                low = median_of_three(items, low, low + d, low + 2 * d, compare);
                pivot = median_of_three(items, pivot - d, pivot, pivot + d, compare);
                high = median_of_three(items, high - 2 * d, high - d, high, compare);
            }
            pivot = median_of_three(items, low, pivot, high, compare);
        }
        items.swap(start, pivot);
        // Elements equal to the pivot gather at both ends, then move to the middle.
        let (mut pa, mut pb) = (start + 1, start + 1);
        let (mut pc, mut pd) = (start + n - 1, start + n - 1);
        loop {
            while pb <= pc {
                let order = cmp(items, pb, start);
                if order > 0 {
                    break;
                }
                if order == 0 {
                    items.swap(pa, pb);
                    pa += 1;
                }
                pb += 1;
            }
            while pb <= pc {
                let order = cmp(items, pc, start);
                if order < 0 {
                    break;
                }
                if order == 0 {
                    items.swap(pc, pd);
                    pd -= 1;
                }
                pc -= 1;
            }
            if pb > pc {
                break;
            }
            items.swap(pb, pc);
            pb += 1;
            pc -= 1;
        }
        let end = start + n;
        let r = min(pa - start, pb - pa);
        swap_blocks(items, start, pb - r, r);
        let r = min(pd - pc, end - pd - 1);
        swap_blocks(items, pb, end - r, r);

        let smaller = pb - pa;
        if smaller > 1 && overlaps(start, smaller, wanted) {
            partial_sort_from(items, start, smaller, compare, wanted);
        }
        let larger = pd - pc;
        if larger <= 1 {
            return;
        }
        start = end - larger;
        n = larger;
        if !overlaps(start, n, wanted) {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_key(a: &(i32, usize), b: &(i32, usize)) -> i32 {
        (a.0 > b.0) as i32 - (a.0 < b.0) as i32
    }

    fn sample(n: usize) -> Vec<(i32, usize)> {
        let mut seed = 12345u64;
        (0..n)
            .map(|i| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (((seed >> 33) % 10) as i32, i)
            })
            .collect()
    }

    #[test]
    fn merge_sort_is_stable() {
        let mut items = sample(100);
        merge_sort(&mut items, &by_key);
        assert!(items
            .windows(2)
            .all(|w| w[0].0 < w[1].0 || (w[0].0 == w[1].0 && w[0].1 < w[1].1)));
    }

    #[test]
    fn partial_sort_orders_the_wanted_ranks() {
        for n in [0, 1, 5, 7, 8, 30, 41, 200] {
            for last in [0, 3, 10, 50] {
                let mut items = sample(n);
                let mut sorted = items.clone();
                sorted.sort_by_key(|x| x.0);
                if n == 0 {
                    continue;
                }
                let last = last.min(n - 1);
                partial_sort(&mut items, &by_key, 0, last);
                let keys: Vec<i32> = items[..=last].iter().map(|x| x.0).collect();
                let expected: Vec<i32> = sorted[..=last].iter().map(|x| x.0).collect();
                assert_eq!(keys, expected, "n={n} last={last}");
            }
        }
    }

    #[test]
    fn inconsistent_comparators_do_not_fail() {
        let odd = |_: &(i32, usize), _: &(i32, usize)| -1;
        let mut items = sample(100);
        merge_sort(&mut items, &odd);
        partial_sort(&mut items, &odd, 0, 10);
        assert_eq!(items.len(), 100);
    }
}
