//! What a change to the manifests opens and closes, and which policy change did it.
//!
//! [`diff`] compares the exact connectivity ([`crate::connectivity()`]) of two clusters,
//! the "old" and the "new" side of a change: for every ordered pair of endpoints present on
//! both sides (matched by id, `namespace/name` or `ip:...`), the connections that opened
//! and closed, as port sets per protocol. Endpoints present on one side only are listed as
//! added or removed, not as thousands of opened or closed flows.
//!
//! The connectivity maps are held per class of endpoints ([`crate::classes`]), so the sides
//! are compared per pair of joint classes first (an endpoint's class on the old side and on
//! the new): replicas that are alike on both sides open and close the same, an unchanged
//! cluster costs one pass over pairs of classes, and only the pods of joint classes that
//! differ are expanded into changes (and given causes, which name pods).
//!
//! Every change carries its [`Cause`]s: the policies and rules that were added, removed or
//! edited, derived from the evidence the engine gives before and after (which policies
//! isolate each side, which rules match the other end and what ports they allow). See
//! `cause.rs` for how, and `facts.rs` for where the evidence comes from.
//!
//! The types are what a Compare view draws from ([`compare`] keeps one side fixed while the
//! playground's workspace changes); [`render`] has the text, Markdown and CSV forms, and
//! [`Diff`] serializes to the JSON contract other tools rely on:
//!
//! ```json
//! {"changes": [{"from": "ns/a", "to": "ns/b", "opened": {"TCP": "80,8000-9000"},
//!               "closed": {"UDP": "53"}, "causes": ["..."]}],
//!  "added_endpoints": ["ns/c"], "removed_endpoints": []}
//! ```

mod cause;
mod changes;
mod cilium;
pub mod compare;
mod cover;
mod facts;
mod parts;
pub mod render;
mod side;

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use serde::ser::{SerializeMap, SerializeStruct};
use serde::Serialize;

use crate::cidr::Cidr;
use crate::connectivity::{connectivity, connectivity_covering, ConnectivityMap};
use crate::endpoint::{all_endpoints, Endpoint};
use crate::model::Cluster;
use crate::ports::{Connections, Protocol};

pub use cause::{Cause, CauseKind, NodeChange, NodeState, PolicyChange, TierRule};
pub use changes::Differences;
pub use cover::{reached, reached_with};
pub use parts::{write_piece, Part, Split};

/// Everything that differs between two sides.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diff {
    /// Pairs with anything opened or closed, in the old side's endpoint order (sender,
    /// then receiver). Pairs with no change are absent.
    pub changes: Vec<Change>,
    /// Endpoint ids only the new side has, in its order.
    pub added_endpoints: Vec<String>,
    /// Endpoint ids only the old side has, in its order.
    pub removed_endpoints: Vec<String>,
    /// Every cause, once; [`Change::causes`] holds indices into it, so the thousands of
    /// pairs one policy closes share its cause (and a view can group by cause).
    pub causes: Vec<Cause>,
}

impl Diff {
    /// True when no connection changed and no endpoint came or went.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
            && self.added_endpoints.is_empty()
            && self.removed_endpoints.is_empty()
    }

    /// Ordered pairs where at least one connection opened (a pair can also count as closed).
    pub fn opened_pairs(&self) -> usize {
        self.changes.iter().filter(|c| !c.opened.is_empty()).count()
    }

    /// Ordered pairs where at least one connection closed.
    pub fn closed_pairs(&self) -> usize {
        self.changes.iter().filter(|c| !c.closed.is_empty()).count()
    }

    /// The causes of one change.
    pub fn causes_of<'d>(&'d self, change: &'d Change) -> impl Iterator<Item = &'d Cause> + 'd {
        change.causes.iter().filter_map(|&i| self.causes.get(i))
    }
}

/// What changed for one ordered pair.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Change {
    /// Sender id (`namespace/name` or `ip:...`).
    pub from: String,
    /// Receiver id, in the same form.
    pub to: String,
    /// Connections the new side allows and the old did not.
    pub opened: Connections,
    /// Connections the old side allowed and the new does not.
    pub closed: Connections,
    /// Why: indices into [`Diff::causes`], one per policy rule or isolation that made a
    /// difference, in the order of [`Cause`]'s `Ord`.
    pub causes: Vec<usize>,
}

impl Change {
    /// A port to show this change with (`explain` on both sides at it): the first port
    /// that opened, else the first that closed, in TCP, UDP, SCTP order.
    pub fn probe(&self) -> Option<(u16, Protocol)> {
        [&self.opened, &self.closed].into_iter().find_map(|c| {
            Protocol::ALL
                .into_iter()
                .find_map(|p| c.ports(p).ranges().first().map(|&(lo, _)| (lo, p)))
        })
    }
    /// [`Change::probe`], unless `preferred` opened or closed: then that port (the one a
    /// person is already looking at, such as the playground's truth-table port, explains
    /// the change better than the first port of a range).
    pub fn probe_preferring(&self, preferred: (u16, Protocol)) -> Option<(u16, Protocol)> {
        let (port, protocol) = preferred;
        if self.opened.allows(port, protocol) || self.closed.allows(port, protocol) {
            return Some(preferred);
        }
        self.probe()
    }
}

/// One side of a comparison: a cluster, the endpoints to compare (pods, then any outside
/// addresses), and their connectivity, built from parts the caller already computed (the
/// playground has the connectivity anyway); [`diff`] builds both sides itself.
#[derive(Clone, Copy, Debug)]
pub struct Snapshot<'a> {
    /// The side's cluster, for explaining a change at a port.
    pub cluster: &'a Cluster,
    /// The endpoints `connectivity` was computed for, in its order.
    pub endpoints: &'a [Endpoint],
    /// `connectivity(cluster, endpoints)`.
    pub connectivity: &'a ConnectivityMap,
}

/// Compares two clusters over their pods plus the given outside addresses.
pub fn diff(old: &Cluster, new: &Cluster, externals: &[Cidr]) -> Diff {
    let old_endpoints = all_endpoints(old, externals);
    let new_endpoints = all_endpoints(new, externals);
    let differences = Differences::between(old, new);
    let reached = reached_with(&differences, old, new, &old_endpoints, &new_endpoints);
    let (old_map, new_map) = match reached {
        Some((old_reached, new_reached)) => (
            connectivity_covering(old, &old_endpoints, &old_reached),
            connectivity_covering(new, &new_endpoints, &new_reached),
        ),
        None => (
            connectivity(old, &old_endpoints),
            connectivity(new, &new_endpoints),
        ),
    };
    compare(
        Snapshot {
            cluster: old,
            endpoints: &old_endpoints,
            connectivity: &old_map,
        },
        Snapshot {
            cluster: new,
            endpoints: &new_endpoints,
            connectivity: &new_map,
        },
        differences,
        true,
    )
}

/// Compares two snapshots (see [`Snapshot`]).
pub fn diff_snapshots(old: Snapshot<'_>, new: Snapshot<'_>) -> Diff {
    compare(
        old,
        new,
        Differences::between(old.cluster, new.cluster),
        true,
    )
}

/// [`diff_snapshots`] with every cause taken from the two explanations of its pair, never
/// from the shortcut over changed policies: the reference the shortcut is tested against.
/// Same result, slower.
pub fn diff_snapshots_explained(old: Snapshot<'_>, new: Snapshot<'_>) -> Diff {
    compare(
        old,
        new,
        Differences::between(old.cluster, new.cluster),
        false,
    )
}

fn compare<'s>(
    old: Snapshot<'s>,
    new: Snapshot<'s>,
    differences: Differences<'s>,
    shortcut: bool,
) -> Diff {
    let (added_endpoints, removed_endpoints) = endpoint_changes(old, new);
    let mut changes = Vec::new();
    let mut cilium_of: Vec<Vec<usize>> = Vec::new();
    let plan = Plan::new(old, new, differences);
    let mut walker = plan.walker_with(shortcut);
    let walked: Result<(), std::convert::Infallible> =
        plan.walk(0..plan.senders(), &mut walker, |change, cilium_ids, _| {
            changes.push(change.clone());
            cilium_of.push(cilium_ids);
            Ok(())
        });
    let Ok(()) = walked;
    let mut causes = walker
        .facts
        .map(facts::Facts::into_causes)
        .unwrap_or_default();
    let cilium_causes = walker.cilium.map(|c| c.causes).unwrap_or_default();
    let offset = causes.len();
    for (change, ids) in changes.iter_mut().zip(cilium_of) {
        change.causes.extend(ids.into_iter().map(|i| i + offset));
    }
    causes.extend(cilium_causes);
    Diff {
        causes,
        changes,
        added_endpoints,
        removed_endpoints,
    }
}

/// Which cause of a streamed diff a [`Cause`] is: the same cause reached again has the
/// same id, so a writer can spell each cause out once ([`Diff::causes`] indices, for a
/// held diff).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CauseId {
    cilium: bool,
    index: usize,
}

impl CauseId {
    /// The cause at index `i` of [`Diff::causes`] (or of a stream's NetworkPolicy and tier
    /// causes).
    pub fn of(index: usize) -> CauseId {
        CauseId {
            cilium: false,
            index,
        }
    }

    fn of_cilium(index: usize) -> CauseId {
        CauseId {
            cilium: true,
            index,
        }
    }
}

/// How many pairs a streamed diff changed (what its summary counts).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Ordered pairs with anything opened or closed.
    pub changed: usize,
    /// Of those, pairs where something opened.
    pub opened: usize,
    /// Of those, pairs where something closed.
    pub closed: usize,
}

impl std::ops::AddAssign for Tally {
    /// Adds the tally of another range of senders ([`Plan::stream`]).
    fn add_assign(&mut self, other: Tally) {
        self.changed += other.changed;
        self.opened += other.opened;
        self.closed += other.closed;
    }
}

/// The endpoint ids only the new side has and only the old side has, each in its side's
/// order ([`Diff::added_endpoints`], [`Diff::removed_endpoints`]).
pub fn endpoint_changes(old: Snapshot<'_>, new: Snapshot<'_>) -> (Vec<String>, Vec<String>) {
    let (old_ids, new_ids) = (&old.connectivity.endpoints, &new.connectivity.endpoints);
    // Maps of the same type as the walk's (one instance of the hash map's code).
    let (in_old, in_new) = (positions(old_ids), positions(new_ids));
    let only = |list: &[String], other: &HashMap<&str, usize>| -> Vec<String> {
        list.iter()
            .filter(|id| !other.contains_key(id.as_str()))
            .cloned()
            .collect()
    };
    (only(new_ids, &in_old), only(old_ids, &in_new))
}

/// Each id's position in `ids`.
fn positions(ids: &[String]) -> HashMap<&str, usize> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect()
}

/// [`diff_snapshots`] without holding the changes: `each` gets every change, in the order
/// of [`Diff::changes`], with its causes spelled out, as soon as it is found; a diff of
/// two 100,000-pod snapshots can change millions of pairs. The first error `each`
/// returns stops the walk and is returned. The endpoints added and removed come from
/// [`endpoint_changes`]. [`Plan`] does the same in pieces, for callers with threads.
pub fn stream_snapshots<E>(
    old: Snapshot<'_>,
    new: Snapshot<'_>,
    each: impl FnMut(&Change, &[(CauseId, &Cause)]) -> Result<(), E>,
) -> Result<Tally, E> {
    let plan = Plan::new(old, new, Differences::between(old.cluster, new.cluster));
    plan.stream(0..plan.senders(), &mut plan.walker(), each)
}

/// What a comparison walks, worked out once: the endpoints on both sides, their joint
/// classes and which pairs of joint classes differ. The changes of a range of senders can
/// then be walked on their own ([`Plan::stream`]), each range with its own [`Walker`], in
/// any order and on any thread; put back in sender order, they are the changes of
/// [`stream_snapshots`], with the same causes (a change's causes are sorted by what they
/// say, not by when a walker found them).
pub struct Plan<'s> {
    old: Snapshot<'s>,
    new: Snapshot<'s>,
    /// Endpoints on both sides: (position in old, position in new).
    common: Vec<(usize, usize)>,
    differences: Differences<'s>,
    joint: Joint,
    /// Per joint class, as sender: see [`Joint::changed_pairs`].
    changed: Vec<Vec<(usize, Arc<Delta>)>>,
}

/// What one walker of a [`Plan`] has found out so far: what explains a change (worked out
/// at its first change, so identical sides, a nightly job over an unchanged cluster, never
/// pay for it) and the Cilium causes. Causes reached again cost nothing, so a thread keeps
/// one walker for every range it walks.
pub struct Walker<'p> {
    shortcut: bool,
    facts: Option<facts::Facts<'p>>,
    /// Cilium policies are causes too, when either side has one; their indices follow
    /// the facts' (see `cilium.rs`).
    cilium: Option<cilium::CiliumCauses>,
    targets: Vec<usize>,
    change: Change,
}

impl<'s> Plan<'s> {
    /// Works out what comparing `old` with `new`, whose `differences` are known, walks.
    pub fn new(old: Snapshot<'s>, new: Snapshot<'s>, differences: Differences<'s>) -> Plan<'s> {
        let in_new = positions(&new.connectivity.endpoints);
        let common: Vec<(usize, usize)> = old
            .connectivity
            .endpoints
            .iter()
            .enumerate()
            .filter_map(|(i, id)| Some((i, *in_new.get(id.as_str())?)))
            .collect();
        let joint = Joint::new(old, new, &common);
        let changed = joint.changed_pairs(old, new);
        Plan {
            old,
            new,
            common,
            differences,
            joint,
            changed,
        }
    }

    /// A walker that takes causes from the changed policies where it can (as [`diff`]).
    pub fn walker(&self) -> Walker<'_> {
        self.walker_with(true)
    }

    fn walker_with(&self, shortcut: bool) -> Walker<'_> {
        Walker {
            shortcut,
            facts: None,
            cilium: cilium::CiliumCauses::wanted(self.old.cluster, self.new.cluster)
                .then(cilium::CiliumCauses::default),
            targets: Vec::new(),
            change: Change::default(),
        }
    }

    /// How many senders there are: [`Plan::stream`] takes ranges of `0..senders()`, in the
    /// old side's order of endpoints.
    pub fn senders(&self) -> usize {
        self.common.len()
    }

    /// Sender `a`'s group: what explains a change is worked out once per pair of groups
    /// (sender's, receiver's) and walker, so threads that split the senders by group work
    /// each out once between them.
    pub fn group(&self, a: usize) -> usize {
        self.joint.of.get(a).copied().unwrap_or(usize::MAX)
    }

    /// How many groups there are ([`Plan::group`] is below it).
    pub fn groups(&self) -> usize {
        self.joint.classes.len()
    }

    /// How many changes sender `a` can have at most (what it costs to walk).
    fn weight(&self, a: usize) -> usize {
        self.row(a).map_or(0, |row| {
            row.iter().map(|(c, _)| self.joint.members(*c).len()).sum()
        })
    }

    fn row(&self, a: usize) -> Option<&[(usize, Arc<Delta>)]> {
        let row = self.joint.of.get(a).and_then(|&j| self.changed.get(j))?;
        Some(row.as_slice())
    }

    /// [`stream_snapshots`] for the senders in `senders` only.
    pub fn stream<'p, E>(
        &'p self,
        senders: Range<usize>,
        walker: &mut Walker<'p>,
        mut each: impl FnMut(&Change, &[(CauseId, &Cause)]) -> Result<(), E>,
    ) -> Result<Tally, E> {
        let mut tally = Tally::default();
        self.walk(senders, walker, |change, cilium_ids, (facts, cilium)| {
            tally.changed += 1;
            tally.opened += usize::from(!change.opened.is_empty());
            tally.closed += usize::from(!change.closed.is_empty());
            let mut causes: Vec<(CauseId, &Cause)> = change
                .causes
                .iter()
                .filter_map(|&i| Some((CauseId::of(i), facts.cause(i)?)))
                .collect();
            if let Some(c) = cilium {
                let of_cilium = |&i: &usize| Some((CauseId::of_cilium(i), c.causes.get(i)?));
                causes.extend(cilium_ids.iter().filter_map(of_cilium));
            }
            each(change, &causes)
        })?;
        Ok(tally)
    }

    /// Walks the changed pairs of `senders` in order: `found` gets each change (its causes
    /// as indices into the facts' causes), the indices of its Cilium causes, and the
    /// causes the walker has found so far.
    fn walk<'p, E>(
        &'p self,
        senders: Range<usize>,
        walker: &mut Walker<'p>,
        mut found: impl FnMut(
            &Change,
            Vec<usize>,
            (&facts::Facts<'p>, Option<&cilium::CiliumCauses>),
        ) -> Result<(), E>,
    ) -> Result<(), E> {
        let (old, new) = (self.old, self.new);
        let old_ids = &old.connectivity.endpoints;
        let none = String::new();
        let Walker {
            shortcut,
            facts,
            cilium,
            targets,
            change,
        } = walker;
        for a in senders {
            let (Some(row), Some(&(from_old, from_new))) = (self.row(a), self.common.get(a)) else {
                continue;
            };
            if row.is_empty() {
                continue;
            }
            // The receivers whose joint class changed towards this sender's, in the common
            // order the changes are listed in.
            targets.clear();
            for (to_class, _) in row {
                targets.extend(self.joint.members(*to_class));
            }
            crate::sorting::sort_unstable(targets);
            for &b in targets.iter() {
                let (Some(&(to_old, to_new)), Some(&to_class)) =
                    (self.common.get(b), self.joint.of.get(b))
                else {
                    continue;
                };
                if a == b {
                    continue;
                }
                // The row is sorted by class.
                let found_here = row
                    .binary_search_by_key(&to_class, |(c, _)| *c)
                    .ok()
                    .and_then(|i| row.get(i));
                let Some((_, delta)) = found_here else {
                    continue;
                };
                let (opened, closed) = (&delta.0, &delta.1);
                let facts = facts.get_or_insert_with(|| {
                    facts::Facts::new(old, new, &self.common, &self.differences, *shortcut)
                });
                let from_class = self.joint.of.get(a).copied().unwrap_or(usize::MAX);
                let causes = facts.causes((a, b), (from_class, to_class), opened, closed);
                let cilium_ids = match cilium {
                    Some(c) => c.of(
                        &old,
                        &new,
                        (from_old, to_old),
                        (from_new, to_new),
                        opened,
                        closed,
                    ),
                    None => Vec::new(),
                };
                // One change, refilled for every pair: a stream of millions of them
                // allocates its ids only when they grow.
                change
                    .from
                    .clone_from(old_ids.get(from_old).unwrap_or(&none));
                change.to.clone_from(old_ids.get(to_old).unwrap_or(&none));
                change.opened.clone_from(opened);
                change.closed.clone_from(closed);
                change.causes = causes;
                found(change, cilium_ids, (facts, cilium.as_ref()))?;
            }
        }
        Ok(())
    }
}

/// The common endpoints' joint classes: endpoints in the same class on the old side and in
/// the same class on the new side get the same connections on each side towards every
/// other endpoint, so they open and close the same, and the sides are compared once per
/// pair of joint classes. An unchanged cluster has as many joint classes as classes, and
/// no pair of them differs.
struct Joint {
    /// Per common endpoint: its joint class.
    of: Vec<usize>,
    /// Per joint class: (old class, new class).
    classes: Vec<(usize, usize)>,
    /// Per joint class: its members (positions in `common`), ascending.
    members: Vec<Vec<usize>>,
}

/// What opened and what closed between two joint classes.
type Delta = (Connections, Connections);

impl Joint {
    fn new(old: Snapshot<'_>, new: Snapshot<'_>, common: &[(usize, usize)]) -> Joint {
        let (old_classes, new_classes) = (old.connectivity.classes(), new.connectivity.classes());
        let mut ids: HashMap<(usize, usize), usize> = HashMap::new();
        let mut out = Joint {
            of: Vec::with_capacity(common.len()),
            classes: Vec::new(),
            members: Vec::new(),
        };
        for (c, &(o, n)) in common.iter().enumerate() {
            // Every position has a class; `usize::MAX` would only make a joint class of
            // its own, compared through `between`, which answers nothing for it.
            let key = (
                old_classes.class_of(o).unwrap_or(usize::MAX),
                new_classes.class_of(n).unwrap_or(usize::MAX),
            );
            let next = out.classes.len();
            let j = *ids.entry(key).or_insert(next);
            if j == next {
                out.classes.push(key);
                out.members.push(Vec::new());
            }
            if let Some(m) = out.members.get_mut(j) {
                m.push(c);
            }
            out.of.push(j);
        }
        out
    }

    fn members(&self, j: usize) -> &[usize] {
        self.members.get(j).map_or(&[], Vec::as_slice)
    }

    /// Per joint class (as sender): the joint classes (as receivers, ascending) towards
    /// which something opened or closed, with what.
    fn changed_pairs(&self, old: Snapshot<'_>, new: Snapshot<'_>) -> Vec<Vec<(usize, Arc<Delta>)>> {
        let mut same = SameCache::new();
        let mut deltas: HashMap<(*const Connections, *const Connections), Arc<Delta>> =
            HashMap::new();
        // Maps built for a comparison hold only the rows and columns of the endpoints a
        // change can reach (`cover.rs`): a pair of joint classes neither of which it
        // reaches is the same on both sides and is not visited.
        let has_row =
            |&(o, n): &(usize, usize)| old.connectivity.has_row(o) && new.connectivity.has_row(n);
        let has_column = |&(o, n): &(usize, usize)| {
            old.connectivity.has_column(o) && new.connectivity.has_column(n)
        };
        let reached: Vec<usize> = (0..self.classes.len())
            .filter(|&b| self.classes.get(b).is_some_and(has_column))
            .collect();
        let every: Vec<usize> = (0..self.classes.len()).collect();
        let mut out = Vec::with_capacity(self.classes.len());
        for (a, &(old_a, new_a)) in self.classes.iter().enumerate() {
            let mut row = Vec::new();
            let columns = if has_row(&(old_a, new_a)) {
                &every
            } else {
                &reached
            };
            for &b in columns {
                let Some(&(old_b, new_b)) = self.classes.get(b) else {
                    continue;
                };
                // A class towards itself counts only between two distinct members.
                if a == b && self.members(a).len() < 2 {
                    continue;
                }
                let (Some(before), Some(after)) = (
                    old.connectivity.between(old_a, old_b),
                    new.connectivity.between(new_a, new_b),
                ) else {
                    continue;
                };
                if same.equal(before, after) {
                    continue;
                }
                // Maps intern their sets: equal sets share an address, so the difference
                // of each distinct pair of sets is computed once.
                let delta = deltas
                    .entry((std::ptr::from_ref(before), std::ptr::from_ref(after)))
                    .or_insert_with(|| {
                        Arc::new((after.difference(before), before.difference(after)))
                    });
                row.push((b, Arc::clone(delta)));
            }
            out.push(row);
        }
        out
    }
}

/// Remembers comparisons by the addresses of the two values: a connectivity map shares
/// one value between every cell that allows the same, so a million cells hold a few dozen
/// distinct values and almost every comparison is a repeat.
struct SameCache {
    slots: Vec<Option<(*const Connections, *const Connections, bool)>>,
}

impl SameCache {
    const SLOTS: usize = 1024;

    fn new() -> SameCache {
        SameCache {
            slots: vec![None; Self::SLOTS],
        }
    }

    fn equal(&mut self, a: &Connections, b: &Connections) -> bool {
        let (pa, pb) = (a as *const Connections, b as *const Connections);
        // Values are a few words apart in their tables: mix both addresses' low bits.
        let hash = ((pa as usize) >> 3) ^ ((pb as usize) >> 3).rotate_left(5);
        let at = hash % Self::SLOTS;
        if let Some(Some((la, lb, eq))) = self.slots.get(at) {
            if std::ptr::eq(*la, pa) && std::ptr::eq(*lb, pb) {
                return *eq;
            }
        }
        let eq = a == b;
        if let Some(slot) = self.slots.get_mut(at) {
            *slot = Some((pa, pb, eq));
        }
        eq
    }
}

/// `{"TCP": "80,8000-9000", "UDP": "53"}`: protocols with no port are left out, every port
/// is `1-65535`.
pub struct PortsByProtocol<'a>(pub &'a Connections);

impl Serialize for PortsByProtocol<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let present: Vec<Protocol> = Protocol::ALL
            .into_iter()
            .filter(|p| !self.0.ports(*p).is_empty())
            .collect();
        let mut map = s.serialize_map(Some(present.len()))?;
        for p in present {
            map.serialize_entry(p.as_str(), &self.0.ports(p).to_string())?;
        }
        map.end()
    }
}

/// A change with its causes spelled out (the JSON contract has strings, not indices): a
/// row of [`Diff`]'s JSON, and what `render::Streamer` writes one at a time.
pub(crate) struct ChangeRow<'d> {
    pub change: &'d Change,
    pub causes: Vec<&'d str>,
}

impl Serialize for ChangeRow<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Change", 5)?;
        st.serialize_field("from", &self.change.from)?;
        st.serialize_field("to", &self.change.to)?;
        st.serialize_field("opened", &PortsByProtocol(&self.change.opened))?;
        st.serialize_field("closed", &PortsByProtocol(&self.change.closed))?;
        st.serialize_field("causes", &self.causes)?;
        st.end()
    }
}

impl Serialize for Diff {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let texts: Vec<String> = self.causes.iter().map(Cause::describe).collect();
        let rows: Vec<ChangeRow<'_>> = self
            .changes
            .iter()
            .map(|change| ChangeRow {
                change,
                causes: change
                    .causes
                    .iter()
                    .filter_map(|&i| texts.get(i).map(String::as_str))
                    .collect(),
            })
            .collect();
        let mut st = s.serialize_struct("Diff", 3)?;
        st.serialize_field("changes", &rows)?;
        st.serialize_field("added_endpoints", &self.added_endpoints)?;
        st.serialize_field("removed_endpoints", &self.removed_endpoints)?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::PortRanges;

    #[test]
    fn a_change_is_probed_at_the_preferred_port_when_it_changed_there() {
        let change = Change {
            from: "x/a".into(),
            to: "x/b".into(),
            opened: Connections::of(Protocol::Udp, PortRanges::range(53, 53)),
            closed: Connections::of(Protocol::Tcp, PortRanges::all()),
            causes: Vec::new(),
        };
        assert_eq!(change.probe(), Some((53, Protocol::Udp)));
        assert_eq!(
            change.probe_preferring((8080, Protocol::Tcp)),
            Some((8080, Protocol::Tcp))
        );
        assert_eq!(
            change.probe_preferring((54, Protocol::Udp)),
            Some((53, Protocol::Udp))
        );
    }
}
