//! Grading by behaviour: a learner's workspace is right when, on the lesson's endpoints and
//! on every probe (see `probes`), it allows exactly what the lesson's solution allows,
//! except where the lesson's `accept:` list says a difference is fine.
//!
//! Both are compared with the exact connectivity ([`crate::connectivity::connectivity_by_side`]):
//! every port of every protocol between every ordered pair, so a probe port is never what
//! decides, only what names a difference. Each side of a connection is compared on its own,
//! the sender's egress and the receiver's ingress: in a namespace whose default denies egress,
//! an ingress rule that admits every pod of the namespace changes no connection today, yet it
//! is not what the lesson teaches, and the first egress rule a team adds would expose it.
//! A difference in what gets through is reported before a difference of one side only.
//!
//! The solution's maps are computed once per lesson (and again only when a learner's
//! selectors call for probes the lesson's own do not); the learner's once per workspace.

use serde::Serialize;

use super::model::Accept;
use super::probes::Probes;
use super::Lesson;
use crate::chain::{explain, Explanation};
use crate::cidr::Cidr;
use crate::connectivity::{connectivity_by_side, ConnectivityMap};
use crate::endpoint::{all_endpoints, external_id, Endpoint};
use crate::expect::Pattern;
use crate::model::{Cluster, Direction, Labels};
use crate::ports::{Connections, Protocol};
use crate::traffic::Traffic;
use crate::workspace::{self, Evaluation, Workspace};

/// The first way a learner's workspace behaves differently from the lesson's solution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Difference {
    /// A connection one side allows and the other does not.
    Connection(Box<ConnectionDifference>),
    /// A pod of the lesson that the learner's workspace no longer has.
    Missing {
        /// Its id (`namespace/name`).
        endpoint: String,
        /// The sentence a learner reads.
        message: String,
    },
}

impl Difference {
    /// The sentence a learner reads.
    pub fn message(&self) -> &str {
        match self {
            Difference::Connection(c) => &c.message,
            Difference::Missing { message, .. } => message,
        }
    }
}

/// A connection on which the learner's workspace and the solution disagree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConnectionDifference {
    /// Sender id (`namespace/name`, `ip:ADDR`).
    pub from: String,
    /// Receiver id.
    pub to: String,
    /// The port shown (the first probe port the two sides disagree on).
    pub port: u16,
    /// Its protocol.
    pub protocol: Protocol,
    /// True when the learner's workspace allows it and the solution does not.
    pub learner_allows: bool,
    /// `None` when what gets through differs; otherwise the one side (the sender's egress
    /// or the receiver's ingress) that differs while the other denies on both sides.
    pub side: Option<Direction>,
    /// Every port the two sides disagree on between these two endpoints, this way.
    pub ports: String,
    /// Probes among the two ends, for a view to show while the message is open.
    pub probes: Vec<ShownProbe>,
    /// The sentence a learner reads.
    pub message: String,
    /// The engine's explanation of the connection in the learner's workspace.
    pub explanation: Explanation,
    /// The same connection under the solution.
    pub solution_explanation: Explanation,
}

/// A probe endpoint, as a view draws it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ShownProbe {
    /// `namespace/name` or `ip:ADDR`.
    pub id: String,
    /// What it stands for (`a pod labelled `app: pod-1` in another namespace`).
    pub why: String,
    /// A probe pod's labels (empty for an address).
    pub labels: Labels,
}

/// How a learner's workspace compares with the solution.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// The first difference, in this order: between the lesson's own endpoints before
    /// probes, and what the learner opens before what it closes.
    pub first: Option<Difference>,
    /// How many ordered pairs differ (accepted differences left out).
    pub pairs: usize,
    /// How many endpoints the comparison covered, probes included.
    pub endpoints: usize,
}

/// One side of the comparison: a cluster with the probes in it, its endpoints in the
/// reference order, and what each side of each connection allows.
#[derive(Clone, Debug)]
struct Side {
    cluster: Cluster,
    endpoints: Vec<Endpoint>,
    /// The sender's egress, per ordered pair.
    egress: ConnectivityMap,
    /// The receiver's ingress, per ordered pair.
    ingress: ConnectivityMap,
}

/// One difference found, before it is described: its rank (lower is reported first), the
/// pair, the connections that differ, which way, and on which side.
struct Found {
    rank: u8,
    pair: (usize, usize),
    diff: Connections,
    learner_allows: bool,
    side: Option<Direction>,
}

/// The solution's side, computed once per lesson and reused for every workspace graded.
#[derive(Clone, Debug)]
pub struct Reference {
    /// The lesson's workspaces evaluated: solution first, then start, right and wrong
    /// answers (their selectors decide the probes).
    lesson_clusters: Vec<Cluster>,
    /// The lesson's own outside endpoints (its workspaces' `externals`).
    externals: Vec<Cidr>,
    /// Ids of the solution's own pods and externals: differences between them come first.
    own: Vec<String>,
    probes: Probes,
    solution: Side,
    accept: Vec<Accept>,
    /// The goal lines' ports: after the receiver's own ports, the ones a difference is
    /// best named at (the learner has been reading them).
    goal_ports: Vec<(u16, Protocol)>,
}

impl Reference {
    /// Evaluates the lesson's workspaces, derives the probes and the solution's side.
    pub fn new(lesson: &Lesson) -> Reference {
        let mut externals: Vec<Cidr> = Vec::new();
        let mut evaluate = |ws: &Workspace, own_externals: bool| {
            let evaluation = workspace::evaluate(ws);
            // Only the start's and the solution's drawn externals are the lesson's own.
            if own_externals {
                for e in &evaluation.endpoints {
                    if let Endpoint::External(c) = e {
                        if !externals.contains(c) {
                            externals.push(*c);
                        }
                    }
                }
            }
            evaluation.effective
        };
        let solution = evaluate(&lesson.solution, true);
        let mut others = vec![evaluate(&lesson.start, true)];
        let answers = lesson.right_answers.iter().map(|r| &r.workspace);
        let answers = answers.chain(lesson.wrong_answers.iter().map(|w| &w.workspace));
        others.extend(answers.map(|ws| evaluate(ws, false)));
        let mut reference = Reference::from_clusters(solution, others, externals);
        reference.accept = lesson.accept.clone();
        reference.goal_ports = lesson.goal.iter().map(|g| (g.port, g.protocol)).collect();
        reference
    }

    /// A reference for a solution given as a cluster: `others` are the other clusters whose
    /// selectors the probes cover, `externals` the outside endpoints of the solution's own.
    /// Nothing is accepted.
    pub fn from_clusters(
        solution: Cluster,
        others: Vec<Cluster>,
        externals: Vec<Cidr>,
    ) -> Reference {
        let mut own: Vec<String> = solution.pods.iter().map(|p| p.id()).collect();
        own.extend(externals.iter().map(external_id));
        let mut lesson_clusters = vec![solution];
        lesson_clusters.extend(others);
        let refs: Vec<&Cluster> = lesson_clusters.iter().collect();
        let probes = Probes::derive(&refs);
        let solution_cluster = lesson_clusters.first().cloned().unwrap_or_default();
        let solution = reference_side(&solution_cluster, &probes, &externals);
        Reference {
            lesson_clusters,
            externals,
            own,
            probes,
            solution,
            accept: Vec::new(),
            goal_ports: Vec::new(),
        }
    }

    /// The solution's cluster with the lesson's probes in it (what its explanations are of).
    pub fn solution_cluster(&self) -> &Cluster {
        &self.solution.cluster
    }

    /// The probes of the lesson alone (a learner's selectors may add more).
    pub fn probes(&self) -> &Probes {
        &self.probes
    }

    /// Compares a learner's evaluated workspace with the solution.
    pub fn compare(&self, learner: &Evaluation) -> Comparison {
        self.compare_cluster(&learner.effective)
    }

    /// The probes a learner's cluster is compared on: the lesson's, and those its own
    /// selectors, ranges and ports call for.
    pub fn probes_for(&self, learner: &Cluster) -> Probes {
        let mut refs: Vec<&Cluster> = self.lesson_clusters.iter().collect();
        refs.push(learner);
        Probes::derive(&refs)
    }

    /// Compares a learner's effective cluster with the solution.
    pub fn compare_cluster(&self, learner: &Cluster) -> Comparison {
        let probes = self.probes_for(learner);
        if probes == self.probes {
            self.compare_with(&self.solution, &self.probes, learner)
        } else {
            // The learner's policies test labels, ranges or ports the lesson's do not: probe
            // those too, on both sides.
            let solution_cluster = self.lesson_clusters.first().cloned().unwrap_or_default();
            let solution = reference_side(&solution_cluster, &probes, &self.externals);
            self.compare_with(&solution, &probes, learner)
        }
    }

    /// [`Reference::compare`] for a workspace not yet evaluated.
    pub fn compare_workspace(&self, ws: &Workspace) -> Comparison {
        self.compare(&workspace::evaluate(ws))
    }

    fn compare_with(&self, solution: &Side, probes: &Probes, learner: &Cluster) -> Comparison {
        let mut cluster = learner.clone();
        probes.add_to(&mut cluster);
        let mut endpoints = Vec::with_capacity(solution.endpoints.len());
        for id in &solution.egress.endpoints {
            match Endpoint::parse(&cluster, id) {
                Ok(e) => endpoints.push(e),
                Err(_) => {
                    return Comparison {
                        first: Some(Difference::Missing {
                            endpoint: id.clone(),
                            message: format!(
                            "`{id}` is missing from your workspace; the lesson needs it as it was"
                        ),
                        }),
                        pairs: 0,
                        endpoints: solution.endpoints.len(),
                    }
                }
            }
        }
        let (egress, ingress) = connectivity_by_side(&cluster, &endpoints);
        let learner = Side {
            cluster,
            endpoints,
            egress,
            ingress,
        };
        self.first_difference(solution, &learner, probes)
    }

    fn first_difference(&self, solution: &Side, learner: &Side, probes: &Probes) -> Comparison {
        let ids = &solution.egress.endpoints;
        let n = ids.len();
        let own: Vec<bool> = ids.iter().map(|id| self.own.contains(id)).collect();
        let mut best: Option<Found> = None;
        let mut pairs = 0;
        for i in 0..n {
            for j in 0..n {
                if i == j {
                    continue;
                }
                let Some(found) = self.pair_difference(solution, learner, (i, j)) else {
                    continue;
                };
                pairs += 1;
                let probe = !(own.get(i) == Some(&true) && own.get(j) == Some(&true));
                let rank = found.rank + 4 * u8::from(probe);
                if best.as_ref().is_none_or(|b| rank < b.rank) {
                    best = Some(Found { rank, ..found });
                }
            }
        }
        let first = best.and_then(|found| {
            let port = self.telling_port(solution, probes, found.pair.1, &found.diff)?;
            describe(solution, learner, probes, &found, port)
                .map(|d| Difference::Connection(Box::new(d)))
        });
        Comparison {
            first,
            pairs,
            endpoints: n,
        }
    }

    /// How the pair `(i, j)` differs, if it does (accepted differences left out): first in
    /// what gets through, else on one side. The rank is 0-3 (through before one side,
    /// opened before closed).
    fn pair_difference(
        &self,
        solution: &Side,
        learner: &Side,
        (i, j): (usize, usize),
    ) -> Option<Found> {
        let se = solution.egress.get(i, j)?;
        let si = solution.ingress.get(i, j)?;
        let le = learner.egress.get(i, j)?;
        let li = learner.ingress.get(i, j)?;
        if se == le && si == li {
            return None;
        }
        let (from, to) = (solution.endpoints.get(i)?, solution.endpoints.get(j)?);
        let found = |rank: u8, diff: Connections, learner_allows: bool, side: Option<Direction>| {
            Some(Found {
                rank,
                pair: (i, j),
                diff,
                learner_allows,
                side,
            })
        };
        let (s, l) = (se.intersect(si), le.intersect(li));
        let opened = self.unaccepted(l.difference(&s), true, from, to, solution);
        if !opened.is_empty() {
            return found(0, opened, true, None);
        }
        let closed = self.unaccepted(s.difference(&l), false, from, to, solution);
        if !closed.is_empty() {
            return found(1, closed, false, None);
        }
        let sides = [(Direction::Egress, se, le), (Direction::Ingress, si, li)];
        for (side, s, l) in sides {
            let opened = self.unaccepted(l.difference(s), true, from, to, solution);
            if !opened.is_empty() {
                return found(2, opened, true, Some(side));
            }
        }
        for (side, s, l) in sides {
            let closed = self.unaccepted(s.difference(l), false, from, to, solution);
            if !closed.is_empty() {
                return found(3, closed, false, Some(side));
            }
        }
        None
    }

    /// The port to name a difference at: one the receiver listens on, else one of the
    /// goal's, else the first probe port, else the first port of the difference.
    fn telling_port(
        &self,
        solution: &Side,
        probes: &Probes,
        to: usize,
        diff: &Connections,
    ) -> Option<(u16, Protocol)> {
        let listening: Vec<(u16, Protocol)> = match solution.endpoints.get(to) {
            Some(Endpoint::Pod(i)) => solution
                .cluster
                .pods
                .get(*i)
                .map(|p| p.ports.iter().map(|c| (c.port, c.protocol)).collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        listening
            .into_iter()
            .chain(self.goal_ports.iter().copied())
            .chain(probes.ports.iter().copied())
            .find(|(port, protocol)| diff.allows(*port, *protocol))
            .or_else(|| first_port(diff))
    }

    /// `diff` less what the lesson accepts for this pair, this way (`opened`: the learner
    /// allows it and the solution does not).
    fn unaccepted(
        &self,
        mut diff: Connections,
        opened: bool,
        from: &Endpoint,
        to: &Endpoint,
        side: &Side,
    ) -> Connections {
        if diff.is_empty() {
            return diff;
        }
        for a in self.accept.iter().filter(|a| a.leeway.covers(opened)) {
            if covers(&a.from, &side.cluster, from) && covers(&a.to, &side.cluster, to) {
                diff = match &a.ports {
                    Some(ports) => diff.difference(ports),
                    None => Connections::none(),
                };
            }
        }
        diff
    }
}

fn reference_side(solution: &Cluster, probes: &Probes, externals: &[Cidr]) -> Side {
    let mut cluster = solution.clone();
    probes.add_to(&mut cluster);
    let mut addresses: Vec<Cidr> = externals.to_vec();
    for a in &probes.addresses {
        if !addresses.contains(&a.cidr) {
            addresses.push(a.cidr);
        }
    }
    let endpoints = all_endpoints(&cluster, &addresses);
    let (egress, ingress) = connectivity_by_side(&cluster, &endpoints);
    Side {
        cluster,
        endpoints,
        egress,
        ingress,
    }
}

/// True when `pattern` stands for `endpoint` in `cluster`.
fn covers(pattern: &Pattern, cluster: &Cluster, endpoint: &Endpoint) -> bool {
    match (pattern, endpoint) {
        (Pattern::External(range), Endpoint::External(c)) => range.contains(c),
        (Pattern::External(_), Endpoint::Pod(_)) => false,
        (_, Endpoint::External(_)) => false,
        (pattern, Endpoint::Pod(i)) => {
            let Some(pod) = cluster.pods.get(*i) else {
                return false;
            };
            match pattern {
                Pattern::Pod(id) => pod.id() == *id,
                Pattern::Namespace(ns) => pod.namespace == *ns,
                Pattern::Labels {
                    namespace,
                    selector,
                } => {
                    namespace.as_ref().is_none_or(|ns| pod.namespace == *ns)
                        && selector.matches(&pod.labels)
                }
                Pattern::Everything => true,
                Pattern::External(_) => false,
            }
        }
    }
}

/// A difference found, at `port`, with both workspaces' explanations.
fn describe(
    solution: &Side,
    learner: &Side,
    probes: &Probes,
    found: &Found,
    (port, protocol): (u16, Protocol),
) -> Option<ConnectionDifference> {
    let (i, j) = found.pair;
    let ids = &solution.egress.endpoints;
    let (from, to) = (ids.get(i)?.clone(), ids.get(j)?.clone());
    let traffic = |side: &Side| -> Option<Traffic> {
        Some(Traffic {
            from: side.endpoints.get(i)?.clone(),
            to: side.endpoints.get(j)?.clone(),
            port,
            protocol,
        })
    };
    let explanation = explain(&learner.cluster, &traffic(learner)?);
    let solution_explanation = explain(&solution.cluster, &traffic(solution)?);
    let shown: Vec<ShownProbe> = [&from, &to]
        .into_iter()
        .filter_map(|id| {
            let why = probes.describe_for(id, &learner.cluster)?;
            let labels = solution
                .cluster
                .pod(id)
                .map(|p| p.labels.clone())
                .unwrap_or_default();
            Some(ShownProbe {
                id: id.clone(),
                why,
                labels,
            })
        })
        .collect();
    let name = |id: &str| match shown.iter().find(|p| p.id == id) {
        Some(p) => format!("`{id}` ({})", p.why),
        None => format!("`{id}`"),
    };
    let at = format!("{port}/{}", protocol.as_str());
    let (a, b) = (name(&from), name(&to));
    let message = match (found.side, found.learner_allows) {
        (None, true) => {
            format!("Your policies let {a} reach {b} on {at}; the lesson's solution does not")
        }
        (None, false) => format!(
            "Your policies keep {a} from reaching {b} on {at}; the lesson's solution allows it"
        ),
        (Some(Direction::Ingress), true) => format!(
            "Your policies let {b} admit {a} on {at} (its ingress); the lesson's solution does not. The connection is denied today only by the sender's egress"
        ),
        (Some(Direction::Egress), true) => format!(
            "Your policies let {a} send to {b} on {at} (its egress); the lesson's solution does not. The connection is denied today only by the receiver's ingress"
        ),
        (Some(Direction::Ingress), false) => format!(
            "Your policies keep {b} from admitting {a} on {at} (its ingress); the lesson's solution admits it. The connection is denied either way, by the sender's egress"
        ),
        (Some(Direction::Egress), false) => format!(
            "Your policies keep {a} from sending to {b} on {at} (its egress); the lesson's solution allows it. The connection is denied either way, by the receiver's ingress"
        ),
    };
    Some(ConnectionDifference {
        from,
        to,
        port,
        protocol,
        learner_allows: found.learner_allows,
        side: found.side,
        ports: found.diff.to_string(),
        probes: shown,
        message,
        explanation,
        solution_explanation,
    })
}

fn first_port(c: &Connections) -> Option<(u16, Protocol)> {
    Protocol::ALL
        .into_iter()
        .find_map(|p| c.ports(p).ranges().first().map(|&(lo, _)| (lo, p)))
}
