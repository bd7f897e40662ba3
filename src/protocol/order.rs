//! The one sort this crate uses: an insertion sort. The lists it sorts are short (a request's
//! headers and query) or already in order (part lists kept in a BTreeMap), where it is as fast
//! as any, and each type std's sort is instantiated for costs about 4 KB of wasm; there were
//! eight, a fifth of the bundle's code beyond our own.

/// Sorts `items` stably so that no item comes after one it is `before`.
pub fn sort_by<T>(items: &mut [T], before: impl Fn(&T, &T) -> bool) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 && before(&items[j], &items[j - 1]) {
            items.swap(j - 1, j);
            j -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_stably() {
        let mut v = vec![(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e')];
        sort_by(&mut v, |a, b| a.0 < b.0);
        assert_eq!(v, [(1, 'b'), (1, 'e'), (2, 'd'), (3, 'a'), (3, 'c')]);
        let mut empty: Vec<u8> = Vec::new();
        sort_by(&mut empty, |a, b| a < b);
        assert!(empty.is_empty());
    }
}
