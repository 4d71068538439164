//! Checking expectations against a cluster, the way `netpol test` gates a change.
//!
//! Each expectation stands for every connection between the endpoints its two patterns
//! resolve to (a pod talking to itself left out: it is always allowed). When several
//! expectations cover one connection, the most specific decides: the one that covers the
//! fewest connections. So a platform team can write the rule and its exceptions in any
//! order:
//!
//! ```yaml
//! - deny: "*/* -> team-two/pod-3 : 8080"             # nothing reaches pod-3 ...
//! - allow: "team-one/pod-1 -> team-two/pod-3 : 8080" # ... but pod-1
//! ```
//!
//! Two equally specific expectations that disagree about a connection contradict each
//! other: that is an error in the file, as is a pattern that matches nothing.
//!
//! Verdicts come from the engine: [`crate::verdict`] per connection, or one
//! [`crate::matrix()`] per port when an expectation covers many; every connection that
//! fails is explained with [`crate::explain`].

use std::collections::HashMap;

use serde::Serialize;

use super::file::Stated;
use super::pattern::Pattern;
use crate::chain::{explain, verdict, Explanation};
use crate::diag::{self, Diagnostic};
use crate::endpoint::Endpoint;
use crate::model::Cluster;
use crate::ports::Protocol;
use crate::traffic::Traffic;

/// One connection that does not do what an expectation says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// The engine's verdict with its evidence (`explanation.allowed` is what happens).
    pub explanation: Explanation,
}

/// The grade of one expectation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The expectation and where it was written.
    pub stated: Stated,
    /// How many connections it decided (those a more specific expectation decides are not
    /// counted here).
    pub checked: usize,
    /// The connections that fail it, in cluster order.
    pub failures: Vec<Failure>,
}

impl Outcome {
    /// True when every connection it decided does what it says.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

impl Serialize for Outcome {
    /// `{"expectation": "allow a -> b : 80/TCP", "source": .., "line": .., "column": ..,
    /// "passed": .., "checked": .., "failures": [explanation, ...]}`
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let failures: Vec<&Explanation> = self.failures.iter().map(|f| &f.explanation).collect();
        let mut st = s.serialize_struct("Outcome", 7)?;
        st.serialize_field("expectation", &self.stated.expectation.to_string())?;
        st.serialize_field("source", &self.stated.origin.source)?;
        st.serialize_field("line", &self.stated.origin.line)?;
        st.serialize_field("column", &self.stated.origin.column)?;
        st.serialize_field("passed", &self.passed())?;
        st.serialize_field("checked", &self.checked)?;
        st.serialize_field("failures", &failures)?;
        st.end()
    }
}

/// The grade of an expectations file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TestReport {
    /// One per expectation, in file order.
    pub outcomes: Vec<Outcome>,
}

impl TestReport {
    /// True when every expectation holds.
    pub fn passed(&self) -> bool {
        self.outcomes.iter().all(Outcome::passed)
    }

    /// How many expectations fail.
    pub fn failed(&self) -> usize {
        self.outcomes.iter().filter(|o| !o.passed()).count()
    }

    /// How many connections were checked in all.
    pub fn checked(&self) -> usize {
        self.outcomes.iter().map(|o| o.checked).sum()
    }
}

/// One connection: dense endpoint ids (see [`Endpoints`]) and the probe.
type Key = (u32, u32, u16, Protocol);

/// Above this many connections on one port per endpoint, one matrix is cheaper than
/// asking for each verdict (a matrix row costs about what two verdicts do).
pub(super) const MATRIX_PER_ENDPOINT: usize = 2;

/// Grades `stated` against `cluster`, connection by connection. `Err` holds located
/// problems that make the file meaningless here: a pattern that matches nothing, an
/// expectation that covers only a pod talking to itself, two equally specific expectations
/// that disagree.
///
/// This is the reference [`super::check`] is held to (it computes per class of endpoints
/// and gives the same report); it costs every connection an expectation covers.
pub fn check_per_endpoint(
    cluster: &Cluster,
    stated: &[Stated],
) -> Result<TestReport, Vec<Diagnostic>> {
    let mut endpoints = Endpoints::default();
    let pods: HashMap<String, usize> = cluster
        .pods
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id(), i))
        .collect();
    let mut errors = Vec::new();
    let mut covered: Vec<Vec<(u32, u32)>> = Vec::with_capacity(stated.len());
    for s in stated {
        match resolve(cluster, &pods, s, &mut endpoints) {
            Ok(pairs) => covered.push(pairs),
            Err(message) => {
                let e = &s.expectation;
                errors.push(diag::INVALID_VALUE.at(&s.origin, format!("`{e}`: {message}")));
                covered.push(Vec::new());
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let sized: Vec<(usize, &[(u32, u32)])> =
        covered.iter().map(|p| (p.len(), p.as_slice())).collect();
    let decided = assign(stated, &sized)?;
    let verdicts = Verdicts::compute(cluster, &endpoints, stated, &decided);
    let outcomes = stated
        .iter()
        .zip(&decided)
        .map(|(s, pairs)| {
            let e = &s.expectation;
            let failures = pairs
                .iter()
                .filter(|&&(f, t)| verdicts.get((f, t, e.port, e.protocol)) != e.allowed)
                .map(|&(f, t)| Failure {
                    explanation: explain(cluster, &endpoints.traffic(f, t, e.port, e.protocol)),
                })
                .collect();
            Outcome {
                stated: s.clone(),
                checked: pairs.len(),
                failures,
            }
        })
        .collect();
    Ok(TestReport { outcomes })
}

/// Endpoints that expectations name, numbered densely so connections hash cheaply.
#[derive(Default)]
struct Endpoints {
    list: Vec<Endpoint>,
    ids: HashMap<Endpoint, u32>,
}

impl Endpoints {
    fn id(&mut self, e: &Endpoint) -> u32 {
        if let Some(id) = self.ids.get(e) {
            return *id;
        }
        let id = u32::try_from(self.list.len()).unwrap_or(u32::MAX);
        self.list.push(e.clone());
        self.ids.insert(e.clone(), id);
        id
    }

    fn get(&self, id: u32) -> Endpoint {
        self.list
            .get(id as usize)
            .cloned()
            .unwrap_or(Endpoint::Pod(usize::MAX))
    }

    fn traffic(&self, from: u32, to: u32, port: u16, protocol: Protocol) -> Traffic {
        Traffic {
            from: self.get(from),
            to: self.get(to),
            port,
            protocol,
        }
    }
}

/// The connections one expectation covers, or why it covers none.
fn resolve(
    cluster: &Cluster,
    pods: &HashMap<String, usize>,
    s: &Stated,
    endpoints: &mut Endpoints,
) -> Result<Vec<(u32, u32)>, String> {
    // A pod by id is by far the most common end: look it up instead of scanning the pods
    // (the scan stays for the message that names the closest pod).
    let ends = |pattern: Pattern| match &pattern {
        Pattern::Pod(id) => match pods.get(id) {
            Some(&i) => Ok(vec![Endpoint::Pod(i)]),
            None => pattern.resolve(cluster),
        },
        _ => pattern.resolve(cluster),
    };
    let (from, to) = s.expectation.patterns()?;
    let from = ends(from)?;
    let to = ends(to)?;
    let from: Vec<u32> = from.iter().map(|x| endpoints.id(x)).collect();
    let to: Vec<u32> = to.iter().map(|x| endpoints.id(x)).collect();
    let pairs: Vec<(u32, u32)> = from
        .iter()
        .flat_map(|&f| to.iter().map(move |&t| (f, t)))
        .filter(|(f, t)| f != t)
        .collect();
    if pairs.is_empty() {
        return Err("it covers only a pod talking to itself, which is always allowed".to_string());
    }
    Ok(pairs)
}

/// Gives each pair to the most specific expectation covering it (fewest connections;
/// equally specific ones that agree share it). Disagreeing equals are errors, reported once
/// per pair of expectations. `covered[k]` is how many connections expectation `k` covers
/// and the pairs it may decide: connections here, pairs of groups of endpoints in
/// `by_class.rs`, which share this.
pub(super) fn assign(
    stated: &[Stated],
    covered: &[(usize, &[(u32, u32)])],
) -> Result<Vec<Vec<(u32, u32)>>, Vec<Diagnostic>> {
    let mut order: Vec<usize> = (0..stated.len()).collect();
    crate::sorting::sort_unstable_by_key(&mut order, |&k| (covered.get(k).map_or(0, |c| c.0), k));
    // Pair and probe → (size of the expectation that took it, its verdict, its index).
    let mut claims: HashMap<Key, (usize, bool, usize)> = HashMap::new();
    let mut decided: Vec<Vec<(u32, u32)>> = vec![Vec::new(); stated.len()];
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut reported: Vec<(usize, usize)> = Vec::new();
    for k in order {
        let (Some(s), Some(&(covers, pairs)), Some(mine)) =
            (stated.get(k), covered.get(k), decided.get_mut(k))
        else {
            continue;
        };
        let e = &s.expectation;
        for &(f, t) in pairs {
            let claim = claims.entry((f, t, e.port, e.protocol));
            let &mut (size, allowed, owner) = claim.or_insert((covers, e.allowed, k));
            if size < covers {
                continue; // a more specific expectation decides this one
            }
            if allowed == e.allowed {
                mine.push((f, t));
            } else if !reported.contains(&(owner, k)) {
                reported.push((owner, k));
                let other = stated.get(owner).map(|o| (&o.expectation, o.origin.line));
                if let Some((other, line)) = other {
                    errors.push(diag::INVALID_VALUE.at(
                        &s.origin,
                        format!("`{e}` contradicts `{other}` on line {line}: both cover as many connections, so neither is more specific; narrow one of them"),
                    ));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(decided)
    } else {
        crate::diag::sort_by_line(&mut errors);
        Err(errors)
    }
}

/// Verdicts of the decided connections: a matrix for a port many connections probe, one
/// [`verdict`] each otherwise.
struct Verdicts(HashMap<Key, bool>);

impl Verdicts {
    fn compute(
        cluster: &Cluster,
        endpoints: &Endpoints,
        stated: &[Stated],
        decided: &[Vec<(u32, u32)>],
    ) -> Verdicts {
        let mut per_probe: HashMap<(u16, Protocol), Vec<(u32, u32)>> = HashMap::new();
        for (s, pairs) in stated.iter().zip(decided) {
            let e = &s.expectation;
            per_probe
                .entry((e.port, e.protocol))
                .or_default()
                .extend(pairs.iter().copied());
        }
        let mut out = HashMap::new();
        let n = endpoints.list.len();
        for ((port, protocol), pairs) in per_probe {
            if pairs.len() > n.saturating_mul(MATRIX_PER_ENDPOINT) {
                let m = crate::matrix(cluster, &endpoints.list, &[(port, protocol)]);
                if let Some(check) = m.checks.first() {
                    for (f, t) in pairs {
                        out.insert(
                            (f, t, port, protocol),
                            check.allowed(f as usize, t as usize),
                        );
                    }
                }
                continue;
            }
            for (f, t) in pairs {
                out.entry((f, t, port, protocol))
                    .or_insert_with(|| verdict(cluster, &endpoints.traffic(f, t, port, protocol)));
            }
        }
        Verdicts(out)
    }

    fn get(&self, key: Key) -> bool {
        self.0.get(&key).copied().unwrap_or(false)
    }
}
