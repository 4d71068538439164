//! A [`Plan`] walked by several walkers at once (the CLI runs one per core) and written
//! back in sender order, byte for byte what one walk writes.
//!
//! The senders are cut into pieces of about the same number of changes
//! ([`Plan::split`]). Each walker takes every piece but walks only the senders of its own
//! groups: what explains a pair of groups is then worked out by one walker only, once for
//! every member (split by position, every walker would work out nearly every pair, since a
//! snapshot's replicas are not neighbours). A walker writes its share of a piece as a
//! [`Part`]; [`write_piece`] puts the walkers' parts of a piece back in sender order. The
//! engine does no threading: the caller runs [`Plan::walk_share`] where it likes.

use std::fmt;
use std::ops::Range;

use super::render::{Form, Streamer};
use super::{Plan, Tally};

/// One walker's share of one piece: its text, and where each sender's changes end in it
/// (an empty stretch for the senders of other walkers).
pub struct Part {
    text: String,
    ends: Vec<usize>,
    tally: Tally,
}

impl Part {
    /// The part's buffer, to write a later part into.
    pub fn into_text(self) -> String {
        self.text
    }
}

/// How the senders are shared out: the pieces, in order, and which walker walks each group
/// ([`Plan::group`]).
pub struct Split {
    /// Ranges of senders, in order, covering every sender.
    pub pieces: Vec<Range<usize>>,
    /// Per group: the walker (`0..walkers`) that walks its senders.
    pub owners: Vec<usize>,
}

impl Plan<'_> {
    /// The senders cut into pieces of about `piece` changes, and the groups shared among
    /// `walkers`: the heaviest first, each to the walker with the least work so far.
    pub fn split(&self, piece: usize, walkers: usize) -> Split {
        let weights: Vec<usize> = (0..self.senders()).map(|a| self.weight(a)).collect();
        let mut pieces = Vec::new();
        let (mut start, mut weight) = (0, 0);
        for (a, w) in weights.iter().enumerate() {
            weight += w;
            if weight >= piece {
                pieces.push(start..a + 1);
                (start, weight) = (a + 1, 0);
            }
        }
        if start < weights.len() {
            pieces.push(start..weights.len());
        }
        let mut group_weights = vec![0usize; self.groups()];
        for (a, w) in weights.iter().enumerate() {
            if let Some(g) = group_weights.get_mut(self.group(a)) {
                *g += w;
            }
        }
        let mut order: Vec<usize> = (0..group_weights.len()).collect();
        crate::sorting::sort_by_key(&mut order, |&g| {
            std::cmp::Reverse(group_weights.get(g).copied().unwrap_or(0))
        });
        let mut load = vec![0usize; walkers.max(1)];
        let mut owners = vec![0; group_weights.len()];
        for g in order {
            let least = (0..load.len()).min_by_key(|&t| load.get(t).copied().unwrap_or(0));
            let t = least.unwrap_or(0);
            if let (Some(l), Some(o)) = (load.get_mut(t), owners.get_mut(g)) {
                *l += group_weights.get(g).copied().unwrap_or(0);
                *o = t;
            }
        }
        Split { pieces, owners }
    }

    /// Walker `me`'s share of every piece, in order: the changes of the senders whose group
    /// `owners` gives it, written in `form` with one walker and one streamer (each cause is
    /// spelled out once). `each` gets each part and returns the buffer to write the next
    /// into, or `None` to stop.
    pub fn walk_share(
        &self,
        pieces: &[Range<usize>],
        owners: &[usize],
        me: usize,
        form: Form,
        mut each: impl FnMut(Part) -> Option<String>,
    ) -> Result<(), fmt::Error> {
        let mut walker = self.walker();
        let mut text = String::new();
        let mut streamer = Streamer::changes_only(&mut text, form);
        for senders in pieces {
            let mut ends = Vec::with_capacity(senders.len());
            let mut tally = Tally::default();
            for a in senders.clone() {
                if owners.get(self.group(a)) == Some(&me) {
                    tally += self.stream(a..a + 1, &mut walker, |c, causes| {
                        streamer.change(c, causes)
                    })?;
                }
                ends.push(streamer.output().len());
            }
            let text = std::mem::take(streamer.output_mut());
            let Some(mut next) = each(Part { text, ends, tally }) else {
                return Ok(());
            };
            next.clear();
            *streamer.output_mut() = next;
        }
        Ok(())
    }
}

/// Writes the walkers' parts of one piece of `senders` senders (in walker order) in sender
/// order; what they changed.
pub fn write_piece(
    parts: &[Part],
    senders: usize,
    mut write: impl FnMut(&str) -> fmt::Result,
) -> Result<Tally, fmt::Error> {
    for k in 0..senders {
        for part in parts {
            let start = k.checked_sub(1).and_then(|j| part.ends.get(j)).copied();
            let end = part.ends.get(k).copied().unwrap_or(0);
            write(part.text.get(start.unwrap_or(0)..end).unwrap_or(""))?;
        }
    }
    let mut tally = Tally::default();
    for part in parts {
        tally += part.tally;
    }
    Ok(tally)
}
