//! A fixed-size bit set: one bit per endpoint, for precomputed selector matches and rows
//! of the matrix.

/// A set of indices `0..len`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Bits {
    words: Vec<u64>,
    len: usize,
}

impl Bits {
    /// The empty set over `0..len`.
    pub fn new(len: usize) -> Bits {
        Bits {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }

    /// The full set over `0..len`.
    pub fn full(len: usize) -> Bits {
        let mut b = Bits {
            words: vec![u64::MAX; len.div_ceil(64)],
            len,
        };
        b.trim();
        b
    }

    fn trim(&mut self) {
        let extra = self.words.len() * 64 - self.len;
        if extra > 0 {
            if let Some(last) = self.words.last_mut() {
                *last &= u64::MAX >> extra;
            }
        }
    }

    /// Number of indices the set ranges over.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Adds `i` (ignored when out of range).
    pub fn set(&mut self, i: usize) {
        if i < self.len {
            if let Some(w) = self.words.get_mut(i / 64) {
                *w |= 1 << (i % 64);
            }
        }
    }

    /// Whether `i` is in the set.
    pub fn get(&self, i: usize) -> bool {
        self.words
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// `self |= other`.
    pub fn or_assign(&mut self, other: &Bits) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    /// `self &= other`.
    pub fn and_assign(&mut self, other: &Bits) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= b;
        }
    }

    /// `self &= !other`.
    pub fn and_not_assign(&mut self, other: &Bits) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= !b;
        }
    }

    /// `self | (a & b)`, without allocating.
    pub fn or_and_assign(&mut self, a: &Bits, b: &Bits) {
        for ((s, x), y) in self.words.iter_mut().zip(&a.words).zip(&b.words) {
            *s |= x & y;
        }
    }

    /// Membership of `0..len` in order.
    pub fn iter(&self) -> Members<'_> {
        Members {
            words: self.words.iter(),
            word: 0,
            left_in_word: 0,
            remaining: self.len,
        }
    }

    /// Indices in the set, ascending.
    pub fn ones(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(wi, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let b = w.trailing_zeros() as usize;
                w &= w - 1;
                Some(wi * 64 + b)
            })
        })
    }
}

/// Membership of each index of a [`Bits`], in order: a word is loaded once and shifted, the
/// inner loop of every rendering of a truth table (5,000 endpoints: 25 million per port).
#[derive(Clone, Debug, Default)]
pub struct Members<'a> {
    words: std::slice::Iter<'a, u64>,
    word: u64,
    left_in_word: u32,
    remaining: usize,
}

impl Iterator for Members<'_> {
    type Item = bool;

    #[inline]
    fn next(&mut self) -> Option<bool> {
        if self.remaining == 0 {
            return None;
        }
        if self.left_in_word == 0 {
            self.word = *self.words.next()?;
            self.left_in_word = 64;
        }
        let member = self.word & 1 != 0;
        self.word >>= 1;
        self.left_in_word -= 1;
        self.remaining -= 1;
        Some(member)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

/// `rows[i][j] &= columns[j][i]` for every `Some` column (a `None` column leaves its cells
/// alone): applies sets kept column by column, such as the sources each destination's
/// ingress allows, to a table kept row by row. Clearing one cell per (column, row) would
/// touch a different row at every step and miss the cache each time (most of the matrix's
/// time at 5,000 endpoints); this works on 64 × 64 blocks transposed in registers instead.
pub fn and_columns(rows: &mut [Bits], columns: &[Option<&Bits>]) {
    let row_blocks = rows.len().div_ceil(64);
    for (jb, block) in columns.chunks(64).enumerate() {
        if block.iter().all(Option::is_none) {
            continue;
        }
        for ib in 0..row_blocks {
            // block_words[t]: column 64·jb + t over rows 64·ib .. 64·ib + 63.
            let mut words = [u64::MAX; 64];
            for (w, column) in words.iter_mut().zip(block) {
                if let Some(c) = column {
                    *w = c.words.get(ib).copied().unwrap_or(0);
                }
            }
            transpose(&mut words);
            // Now words[s]: row 64·ib + s over the block's 64 columns.
            let block_rows = rows.iter_mut().skip(ib * 64).take(64);
            for (row, mask) in block_rows.zip(words) {
                if let Some(w) = row.words.get_mut(jb) {
                    *w &= mask;
                }
            }
        }
    }
}

/// Transposes a 64 × 64 bit matrix (`m[r]` bit `c` ↔ `m[c]` bit `r`) by swapping ever
/// smaller off-diagonal blocks (Hacker's Delight, 7-3).
fn transpose(m: &mut [u64; 64]) {
    let mut width = 32;
    let mut mask: u64 = 0x0000_0000_FFFF_FFFF;
    while width > 0 {
        for pair in m.chunks_exact_mut(2 * width) {
            let (low, high) = pair.split_at_mut(width);
            for (a, b) in low.iter_mut().zip(high) {
                let t = ((*a >> width) ^ *b) & mask;
                *b ^= t;
                *a ^= t << width;
            }
        }
        width /= 2;
        mask ^= mask << width;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_ops() {
        let mut a = Bits::new(130);
        a.set(0);
        a.set(64);
        a.set(129);
        a.set(500); // out of range: ignored
        assert_eq!(a.ones().collect::<Vec<_>>(), vec![0, 64, 129]);
        let full = Bits::full(130);
        assert_eq!(full.ones().count(), 130);
        let mut b = Bits::new(130);
        b.or_and_assign(&full, &a);
        assert_eq!(b, a);
        assert!(b.get(64));
        let members: Vec<bool> = a.iter().collect();
        assert_eq!(members.len(), 130);
        assert!(members.iter().enumerate().all(|(i, &m)| m == a.get(i)));
    }

    /// A deterministic stream of bits (xorshift), so the tests need no dependency.
    fn noise(seed: u64) -> impl FnMut() -> bool {
        let mut x = seed | 1;
        move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % 3 == 0
        }
    }

    #[test]
    fn transpose_swaps_rows_and_columns() {
        let mut bit = noise(7);
        let mut m = [0u64; 64];
        for w in &mut m {
            for c in 0..64 {
                if bit() {
                    *w |= 1 << c;
                }
            }
        }
        let mut t = m;
        transpose(&mut t);
        for (r, row) in m.iter().enumerate() {
            for (c, column) in t.iter().enumerate() {
                assert_eq!(row >> c & 1, column >> r & 1, "({r}, {c})");
            }
        }
    }

    #[test]
    fn and_columns_is_a_cell_by_cell_and() {
        // Sizes around the 64-bit word and block edges, a mix of set and absent columns.
        for n in [0, 1, 63, 64, 65, 130, 200] {
            let mut bit = noise(n as u64 + 1);
            let mut rows: Vec<Bits> = (0..n)
                .map(|_| {
                    let mut b = Bits::new(n);
                    (0..n).filter(|_| !bit()).for_each(|j| b.set(j));
                    b
                })
                .collect();
            let sets: Vec<Bits> = (0..n)
                .map(|_| {
                    let mut b = Bits::new(n);
                    (0..n).filter(|_| !bit()).for_each(|i| b.set(i));
                    b
                })
                .collect();
            let columns: Vec<Option<&Bits>> = sets
                .iter()
                .enumerate()
                .map(|(j, s)| (j % 5 != 0).then_some(s))
                .collect();
            let want: Vec<Bits> = rows
                .iter()
                .enumerate()
                .map(|(i, row)| {
                    let mut b = Bits::new(n);
                    for j in row.ones() {
                        if columns[j].is_none_or(|c| c.get(i)) {
                            b.set(j);
                        }
                    }
                    b
                })
                .collect();
            and_columns(&mut rows, &columns);
            assert_eq!(rows, want, "n = {n}");
        }
    }
}
