//! [`check`] per class of endpoints: what `netpol test` runs, so that an expectation
//! covering a hundred thousand pods costs the classes it covers, not its connections.
//!
//! The reference is [`super::check::check_per_endpoint`], which walks every connection;
//! this gives the same report (property-tested in `tests/expect_classes.rs`):
//!
//! 1. Every pattern is resolved once (`*/app=web` tested on one pod per class of
//!    [`crate::classes`], then expanded to its members).
//! 2. Endpoints are grouped by their class and the set of patterns that hold them. Every
//!    connection between two groups is covered by the same expectations (a pod talking to
//!    itself left out), so "the most specific expectation decides" is settled per pair of
//!    groups, with each pair weighing the connections it holds.
//! 3. A pair of groups gets its verdict from one connection between its classes (two
//!    members of one class stand for a class talking to itself), asked once per
//!    (class, class, port, protocol).
//! 4. Only failing pairs of groups are expanded to connections, each explained as the
//!    reference explains it: explanations name pods and their addresses, so they are never
//!    shared between the members of a class.

use std::collections::{HashMap, HashSet};

use super::check::{Failure, Outcome, TestReport};
use super::file::Stated;
use super::pattern::Pattern;
use crate::chain::explain_indexed;
use crate::classes::Classes;
use crate::diag::{self, Diagnostic};
use crate::endpoint::Endpoint;
use crate::eval::PoliciesByNamespace;
use crate::model::Cluster;
use crate::ports::Protocol;
use crate::traffic::Traffic;

/// Grades `stated` against `cluster`, as [`super::check::check_per_endpoint`] does (same
/// report, same errors in the same order), per class of endpoints.
pub fn check(cluster: &Cluster, stated: &[Stated]) -> Result<TestReport, Vec<Diagnostic>> {
    let mut space = Space::new(cluster, stated);
    // Per expectation: the ids of its two patterns, or why they cover nothing. All are
    // resolved before any is grouped, since the groups depend on every pattern.
    let ends: Vec<Result<(usize, usize), String>> =
        stated.iter().map(|s| space.ends_of(s)).collect();
    let groups = Groups::new(&space);
    let mut errors = Vec::new();
    let mut covered: Vec<Cover> = Vec::with_capacity(stated.len());
    for (s, ends) in stated.iter().zip(&ends) {
        let cover = match ends {
            Ok((from, to)) => groups.cover(*from, *to),
            Err(_) => Cover::default(),
        };
        let problem = match ends {
            Err(message) => Some(message.as_str()),
            Ok(_) if cover.size == 0 => {
                Some("it covers only a pod talking to itself, which is always allowed")
            }
            Ok(_) => None,
        };
        if let Some(message) = problem {
            let e = &s.expectation;
            errors.push(diag::INVALID_VALUE.at(&s.origin, format!("`{e}`: {message}")));
        }
        covered.push(cover);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let sized: Vec<(usize, &[(u32, u32)])> = covered
        .iter()
        .map(|c| (c.size, c.pairs.as_slice()))
        .collect();
    let decided = super::check::assign(stated, &sized)?;
    let index = PoliciesByNamespace::new(cluster);
    let mut needed: Vec<Probe> = Vec::new();
    for (s, pairs) in stated.iter().zip(&decided) {
        let e = &s.expectation;
        for &(f, t) in pairs {
            needed.push((groups.class(f), groups.class(t), e.port, e.protocol));
        }
    }
    let verdicts = space.verdicts(&index, needed);
    let outcomes = stated
        .iter()
        .zip(&decided)
        .map(|(s, pairs)| {
            let e = &s.expectation;
            let mut checked = 0usize;
            let mut failing: Vec<(usize, usize)> = Vec::new();
            for &(f, t) in pairs {
                checked = checked.saturating_add(groups.connections(f, t));
                let (cf, ct) = (groups.class(f), groups.class(t));
                let allowed = verdicts.get(&(cf, ct, e.port, e.protocol)).copied();
                if allowed != Some(e.allowed) {
                    groups.expand(f, t, &mut failing);
                }
            }
            // The reference lists failures in the order of its connections: senders in
            // cluster order, then receivers.
            crate::sorting::sort_unstable(&mut failing);
            let failures = failing
                .into_iter()
                .map(|(f, t)| Failure {
                    explanation: explain_indexed(
                        cluster,
                        &index,
                        &space.traffic(f, t, e.port, e.protocol),
                    ),
                })
                .collect();
            Outcome {
                stated: s.clone(),
                checked,
                failures,
            }
        })
        .collect();
    Ok(TestReport { outcomes })
}

/// The endpoints the expectations can name, their classes and the patterns resolved.
struct Space<'c> {
    cluster: &'c Cluster,
    /// Every pod (position = pod index), then the other endpoints the patterns name.
    endpoints: Vec<Endpoint>,
    classes: Classes,
    /// Pod classes (by first member) per namespace, and all pod classes, for the scans.
    classes_of_namespace: HashMap<&'c str, Vec<usize>>,
    pod_classes: Vec<usize>,
    /// Pod id → index for the pods patterns name by id (a later duplicate wins, as in the
    /// reference).
    pods: HashMap<String, usize>,
    /// Pattern text → id; per id, its endpoints (positions, ascending) or why none.
    ids: HashMap<String, usize>,
    resolved: Vec<Result<Vec<usize>, String>>,
}

impl<'c> Space<'c> {
    /// Parses every pattern, lays out the endpoints and classes them. Patterns are
    /// resolved later, in file order, because the first error of an expectation is the one
    /// reported.
    fn new(cluster: &'c Cluster, stated: &[Stated]) -> Space<'c> {
        let mut endpoints: Vec<Endpoint> = (0..cluster.pods.len()).map(Endpoint::Pod).collect();
        // Addresses outside are the only endpoints besides pods a pattern can name; one
        // position each.
        let mut externals: HashSet<Endpoint> = HashSet::new();
        // Pods named by id, looked up once below.
        let mut named: HashSet<String> = HashSet::new();
        for s in stated {
            for text in [&s.expectation.from, &s.expectation.to] {
                match Pattern::parse(text) {
                    Ok(Pattern::External(c)) => {
                        let e = Endpoint::External(c);
                        if externals.insert(e.clone()) {
                            endpoints.push(e);
                        }
                    }
                    Ok(Pattern::Pod(id)) => {
                        named.insert(id);
                    }
                    _ => {}
                }
            }
        }
        let classes = Classes::of_endpoints(cluster, &endpoints);
        let mut classes_of_namespace: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut pod_classes = Vec::new();
        for (class, first) in classes.representatives().enumerate() {
            // Positions below the number of pods are the pods themselves.
            if let Some(pod) = cluster.pods.get(first) {
                classes_of_namespace
                    .entry(pod.namespace.as_str())
                    .or_default()
                    .push(class);
                pod_classes.push(class);
            }
        }
        Space {
            cluster,
            endpoints,
            classes,
            classes_of_namespace,
            pod_classes,
            pods: pods_named(cluster, &named),
            ids: HashMap::new(),
            resolved: Vec::new(),
        }
    }

    /// The pattern ids of an expectation's two ends, or the message of the first end that
    /// is wrong (the sender's first, as the reference reports it).
    fn ends_of(&mut self, s: &Stated) -> Result<(usize, usize), String> {
        s.expectation.patterns()?;
        let from = self.pattern(&s.expectation.from)?;
        let to = self.pattern(&s.expectation.to)?;
        Ok((from, to))
    }

    fn pattern(&mut self, text: &str) -> Result<usize, String> {
        let id = match self.ids.get(text) {
            Some(&id) => id,
            None => {
                let resolved = Pattern::parse(text).and_then(|p| self.resolve(&p));
                let id = self.resolved.len();
                self.resolved.push(resolved);
                self.ids.insert(text.to_string(), id);
                id
            }
        };
        match self.resolved.get(id) {
            Some(Ok(_)) => Ok(id),
            Some(Err(message)) => Err(message.clone()),
            None => Err("internal error: a pattern was not resolved".to_string()),
        }
    }

    /// The positions of a pattern's endpoints, ascending.
    fn resolve(&mut self, pattern: &Pattern) -> Result<Vec<usize>, String> {
        // A pod by id is by far the most common end: looked up, as the reference does
        // (the scan stays for the message that names the closest pod).
        if let Pattern::Pod(id) = pattern {
            if let Some(&i) = self.pods.get(id) {
                return Ok(vec![i]);
            }
        }
        let (cluster, classes) = (self.cluster, &self.classes);
        let (by_namespace, all) = (&self.classes_of_namespace, &self.pod_classes);
        let found = pattern.resolve_among(cluster, &mut |namespace, keep| {
            let candidates: &[usize] = match namespace {
                Some(ns) => by_namespace.get(ns).map_or(&[], Vec::as_slice),
                None => all,
            };
            // Members of a class share namespace and labels, all a pattern tests.
            let mut positions: Vec<usize> = candidates
                .iter()
                .filter(|&&class| {
                    let first = classes.members(class).first().copied();
                    first.and_then(|i| cluster.pods.get(i)).is_some_and(keep)
                })
                .flat_map(|&class| classes.members(class).iter().copied())
                .collect();
            crate::sorting::sort_unstable(&mut positions);
            positions.into_iter().map(Endpoint::Pod).collect()
        })?;
        Ok(found
            .iter()
            .filter_map(|e| self.position(e))
            .collect::<Vec<usize>>())
    }

    /// The position of an endpoint a pattern resolved to.
    fn position(&self, endpoint: &Endpoint) -> Option<usize> {
        match endpoint {
            Endpoint::Pod(i) if *i < self.cluster.pods.len() => Some(*i),
            e => self
                .endpoints
                .iter()
                .skip(self.cluster.pods.len())
                .position(|x| x == e)
                .map(|k| k + self.cluster.pods.len()),
        }
    }

    fn traffic(&self, from: usize, to: usize, port: u16, protocol: Protocol) -> Traffic {
        let get = |pos: usize| {
            self.endpoints
                .get(pos)
                .cloned()
                .unwrap_or(Endpoint::Pod(usize::MAX))
        };
        Traffic {
            from: get(from),
            to: get(to),
            port,
            protocol,
        }
    }

    /// The connection that stands for every connection from class `from` to class `to`:
    /// their first members, or the first two members of a class talking to itself (its
    /// first member alone would be a loopback, always allowed).
    fn stand_in(&self, from: u32, to: u32) -> Option<(usize, usize)> {
        let members = |c: u32| self.classes.members(c as usize);
        if from == to {
            let m = members(from);
            m.first().copied().zip(m.get(1).copied())
        } else {
            members(from)
                .first()
                .copied()
                .zip(members(to).first().copied())
        }
    }

    /// The verdict of every probe of `needed`, as the reference decides which way: a
    /// matrix over the classes' stand-ins for a port many pairs of classes probe, one
    /// explanation's verdict each otherwise.
    fn verdicts(&self, index: &PoliciesByNamespace, needed: Vec<Probe>) -> HashMap<Probe, bool> {
        let mut per_port: HashMap<(u16, Protocol), HashSet<(u32, u32)>> = HashMap::new();
        for (f, t, port, protocol) in needed {
            per_port.entry((port, protocol)).or_default().insert((f, t));
        }
        let mut out: HashMap<Probe, bool> = HashMap::new();
        let mut per_port: Vec<_> = per_port.into_iter().collect();
        // The most probed ports first (then by port, so every run builds the same matrix):
        // one matrix holds the ports for which it is cheaper than a verdict per pair, and
        // its cost grows with every endpoint it holds, so each port is weighed against the
        // endpoints the matrix would have with it.
        crate::sorting::sort_unstable_by_key(&mut per_port, |(probe, pairs)| {
            (std::cmp::Reverse(pairs.len()), *probe)
        });
        let mut bulk: Vec<(Port, HashSet<(u32, u32)>)> = Vec::new();
        // The matrix's endpoints (stand-ins, by position) and each one's place in it.
        let mut positions: Vec<usize> = Vec::new();
        let mut column: HashMap<usize, usize> = HashMap::new();
        for (probe, pairs) in per_port {
            let stand_ins: HashSet<usize> = pairs
                .iter()
                .filter_map(|&(f, t)| self.stand_in(f, t))
                .flat_map(|(a, b)| [a, b])
                .filter(|p| !column.contains_key(p))
                .collect();
            let size = positions.len() + stand_ins.len();
            if pairs.len() > size.saturating_mul(super::check::MATRIX_PER_ENDPOINT) {
                let mut new: Vec<usize> = stand_ins.into_iter().collect();
                crate::sorting::sort_unstable(&mut new);
                for p in new {
                    column.insert(p, positions.len());
                    positions.push(p);
                }
                bulk.push((probe, pairs));
                continue;
            }
            for (f, t) in pairs {
                let allowed = self.stand_in(f, t).is_some_and(|(a, b)| {
                    let traffic = self.traffic(a, b, probe.0, probe.1);
                    explain_indexed(self.cluster, index, &traffic).allowed
                });
                out.insert((f, t, probe.0, probe.1), allowed);
            }
        }
        if bulk.is_empty() {
            return out;
        }
        let endpoints: Vec<Endpoint> = positions
            .iter()
            .map(|&p| self.traffic(p, p, 0, Protocol::Tcp).from)
            .collect();
        let probes: Vec<(u16, Protocol)> = bulk.iter().map(|(probe, _)| *probe).collect();
        let matrix = crate::matrix(self.cluster, &endpoints, &probes);
        for ((probe, pairs), check) in bulk.into_iter().zip(&matrix.checks) {
            for (f, t) in pairs {
                let allowed = self.stand_in(f, t).is_some_and(|(a, b)| {
                    match (column.get(&a), column.get(&b)) {
                        (Some(&i), Some(&j)) => check.allowed(i, j),
                        _ => false,
                    }
                });
                out.insert((f, t, probe.0, probe.1), allowed);
            }
        }
        out
    }
}

/// A pair of classes (or of groups) and a port: what one verdict is asked for, or what one
/// expectation claims.
type Probe = (u32, u32, u16, Protocol);

/// A port and its protocol.
type Port = (u16, Protocol);

/// Pod id → index for the ids in `named`, a later duplicate winning as in the reference's
/// map of every pod. Only pods of a namespace some id starts with have their id written:
/// the reference's map of every pod's id was a tenth of a second at 100,000 pods.
fn pods_named(cluster: &Cluster, named: &HashSet<String>) -> HashMap<String, usize> {
    let namespaces: HashSet<&str> = named
        .iter()
        .flat_map(|id| {
            id.match_indices('/')
                .map(|(at, _)| id.get(..at).unwrap_or(""))
        })
        .collect();
    let mut out = HashMap::new();
    for (i, pod) in cluster.pods.iter().enumerate() {
        if !namespaces.contains(pod.namespace.as_str()) {
            continue;
        }
        let id = pod.id();
        if named.contains(&id) {
            out.insert(id, i);
        }
    }
    out
}

/// Endpoints grouped by class and by the patterns that hold them.
struct Groups {
    /// Per group: its class and members (positions, ascending).
    class: Vec<u32>,
    members: Vec<Vec<usize>>,
    /// Per pattern: its groups, in the order of their first members.
    of_pattern: Vec<Vec<u32>>,
}

/// The pairs of groups one expectation covers, and how many connections they hold.
#[derive(Default)]
struct Cover {
    pairs: Vec<(u32, u32)>,
    size: usize,
}

impl Groups {
    fn new(space: &Space<'_>) -> Groups {
        // Per position: the patterns that hold it, ascending.
        let mut holders: Vec<Vec<u32>> = vec![Vec::new(); space.endpoints.len()];
        for (id, resolved) in space.resolved.iter().enumerate() {
            for &pos in resolved.as_ref().map_or(&[][..], Vec::as_slice) {
                if let Some(h) = holders.get_mut(pos) {
                    h.push(u32::try_from(id).unwrap_or(u32::MAX));
                }
            }
        }
        let mut ids: HashMap<(usize, &[u32]), u32> = HashMap::new();
        let mut out = Groups {
            class: Vec::new(),
            members: Vec::new(),
            of_pattern: vec![Vec::new(); space.resolved.len()],
        };
        for (pos, patterns) in holders.iter().enumerate() {
            if patterns.is_empty() {
                continue;
            }
            let class = space.classes.class_of(pos).unwrap_or(usize::MAX);
            let next = u32::try_from(out.members.len()).unwrap_or(u32::MAX);
            let group = *ids.entry((class, patterns.as_slice())).or_insert(next);
            if group == next {
                out.class.push(u32::try_from(class).unwrap_or(u32::MAX));
                out.members.push(Vec::new());
                for &p in patterns {
                    if let Some(list) = out.of_pattern.get_mut(p as usize) {
                        list.push(group);
                    }
                }
            }
            if let Some(m) = out.members.get_mut(group as usize) {
                m.push(pos);
            }
        }
        out
    }

    fn class(&self, group: u32) -> u32 {
        self.class.get(group as usize).copied().unwrap_or(u32::MAX)
    }

    fn members(&self, group: u32) -> &[usize] {
        self.members.get(group as usize).map_or(&[], Vec::as_slice)
    }

    /// Connections from group `f` to group `t` (a member to itself left out).
    fn connections(&self, f: u32, t: u32) -> usize {
        let (a, b) = (self.members(f).len(), self.members(t).len());
        if f == t {
            a.saturating_mul(a.saturating_sub(1))
        } else {
            a.saturating_mul(b)
        }
    }

    /// The pairs of groups from pattern `from` to pattern `to`, ordered by their first
    /// connection in the reference's order (so contradictions are met in the same order).
    fn cover(&self, from: usize, to: usize) -> Cover {
        let groups = |p: usize| self.of_pattern.get(p).map_or(&[][..], Vec::as_slice);
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        let mut size = 0usize;
        for &f in groups(from) {
            for &t in groups(to) {
                let n = self.connections(f, t);
                if n > 0 {
                    pairs.push((f, t));
                    size = size.saturating_add(n);
                }
            }
        }
        pairs.sort_by_cached_key(|&(f, t)| self.first_connection(f, t));
        Cover { pairs, size }
    }

    fn first_connection(&self, f: u32, t: u32) -> (usize, usize) {
        let (from, to) = (self.members(f), self.members(t));
        let first = |m: &[usize], k: usize| m.get(k).copied().unwrap_or(usize::MAX);
        if f == t {
            (first(from, 0), first(from, 1))
        } else {
            (first(from, 0), first(to, 0))
        }
    }

    /// Appends every connection from group `f` to group `t` to `out`.
    fn expand(&self, f: u32, t: u32, out: &mut Vec<(usize, usize)>) {
        for &a in self.members(f) {
            for &b in self.members(t) {
                if a != b {
                    out.push((a, b));
                }
            }
        }
    }
}
