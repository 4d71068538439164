//! Verdicts for drawn arrows: for each intent of a workspace, whether the connection it asks
//! for is allowed by the manifests plus the generated policies (`allowed`, `partial`,
//! `denied`), what the manifests alone allow, and which port best explains it. The diagram
//! and the lesson panel show these; they compute nothing themselves.

use crate::endpoint::Endpoint;
use crate::eval::rule_connections;
use crate::generate::Intent;
use crate::model::Rule;
use crate::workspace::Evaluation;
use crate::{connectivity, Connections, Protocol};

/// An arrow's verdict on the diagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every requested port is allowed.
    Allowed,
    /// Some requested ports are allowed.
    Partial,
    /// Nothing requested is allowed.
    Denied,
}

impl Verdict {
    /// `allowed`, `partial`, `denied` (the `data-verdict` hook).
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::Partial => "partial",
            Verdict::Denied => "denied",
        }
    }
}

/// A drawn arrow with its evaluated verdict.
#[derive(Clone, Debug, PartialEq)]
pub struct ArrowView {
    /// Index into the workspace's arrows.
    pub index: usize,
    /// Sender id, as the arrow was drawn (`namespace/name`, `ip:8.8.8.8`).
    pub from: String,
    /// Receiver id, in the same form.
    pub to: String,
    /// Whether all, some or none of the wanted ports are allowed.
    pub verdict: Verdict,
    /// What was asked for (`TCP 8080`, `all ports`).
    pub wanted: String,
    /// What is allowed between the two (`All connections`, `TCP 8080`, `No connections`).
    pub allowed: String,
    /// A probe to explain: the first wanted port that is denied (or the first wanted one).
    pub probe: (u16, Protocol),
    /// False when an end no longer exists (the arrow is listed, not drawn).
    pub present: bool,
    /// The verdict on the manifests and drawn objects alone, before the generated
    /// policies: `Denied` means the pasted policies block what the arrow asks for.
    pub before: Verdict,
    /// What the manifests alone allow between the two.
    pub before_allowed: String,
}

/// Verdicts for every arrow of the evaluated workspace, in order. The selector index is
/// built once for all arrows (twice: with and without the generated policies), not once per
/// arrow: this runs on every keystroke.
pub fn arrow_verdicts(eval: &Evaluation, arrows: &[Intent]) -> Vec<ArrowView> {
    // No arrows, no verdicts: skip indexing both clusters (the playground asks on every
    // keystroke, and most workspaces pasted in have no drawn arrows).
    if arrows.is_empty() {
        return Vec::new();
    }
    let mut ends: Vec<Endpoint> = Vec::new();
    for a in arrows {
        for id in [&a.from, &a.to] {
            if let Ok(e) = Endpoint::parse(&eval.effective, id) {
                if !ends.contains(&e) {
                    ends.push(e);
                }
            }
        }
    }
    let after = connectivity(&eval.effective, &ends);
    // Drawn pods are in `loaded` too, so the endpoints mean the same pods there.
    let before = connectivity(&eval.loaded.cluster, &ends);
    let pairs = Pairs {
        ends: &ends,
        after: &after,
        before: &before,
    };
    arrows
        .iter()
        .enumerate()
        .map(|(index, a)| view(eval, &pairs, index, a))
        .collect()
}

/// Connectivity between the arrows' ends, with and without the generated policies.
struct Pairs<'a> {
    ends: &'a [Endpoint],
    after: &'a crate::ConnectivityMap,
    before: &'a crate::ConnectivityMap,
}

impl Pairs<'_> {
    fn between(&self, map: &crate::ConnectivityMap, from: &Endpoint, to: &Endpoint) -> Connections {
        let i = self.ends.iter().position(|e| e == from);
        let j = self.ends.iter().position(|e| e == to);
        match (i, j) {
            (Some(i), Some(j)) => map.get(i, j).cloned().unwrap_or_else(Connections::none),
            _ => Connections::none(),
        }
    }
}

fn view(eval: &Evaluation, pairs: &Pairs<'_>, index: usize, a: &Intent) -> ArrowView {
    let cluster = &eval.effective;
    let wanted_text = if a.ports.is_empty() {
        "all ports".to_string()
    } else {
        crate::syntax::policy_ports_text(&a.ports).replace(',', ", ")
    };
    let ends = (
        Endpoint::parse(cluster, &a.from),
        Endpoint::parse(cluster, &a.to),
    );
    let (Ok(from), Ok(to)) = ends else {
        return ArrowView {
            index,
            from: a.from.clone(),
            to: a.to.clone(),
            verdict: Verdict::Denied,
            wanted: wanted_text,
            allowed: "an end of this arrow no longer exists".into(),
            probe: (8080, Protocol::Tcp),
            present: false,
            before: Verdict::Denied,
            before_allowed: String::new(),
        };
    };
    let allowed = pairs.between(pairs.after, &from, &to);
    // What the arrow asks for, with named ports resolved on the receiver: the engine's own
    // port semantics, through a rule that has only these ports.
    let wanted = rule_connections(
        cluster,
        &Rule {
            peers: Vec::new(),
            ports: a.ports.clone(),
            origin: None,
        },
        &to,
    );
    let verdict = judge(&wanted, &allowed);
    // The same question without the generated policies.
    let before_allowed = pairs.between(pairs.before, &from, &to);
    let before = judge(&wanted, &before_allowed);
    // Ports the receiver exposes make the most telling probe (`8080/TCP`, not `1/TCP`).
    let exposed: Vec<(u16, Protocol)> = match &to {
        Endpoint::Pod(i) => cluster
            .pods
            .get(*i)
            .map(|p| p.ports.iter().map(|c| (c.port, c.protocol)).collect())
            .unwrap_or_default(),
        Endpoint::External(_) => Vec::new(),
    };
    let probe = if before == Verdict::Allowed {
        first_probe(&wanted, &allowed, &exposed)
    } else {
        first_probe(&wanted, &before_allowed, &exposed)
    };
    ArrowView {
        index,
        from: a.from.clone(),
        to: a.to.clone(),
        verdict,
        wanted: wanted_text,
        allowed: allowed.to_string(),
        probe,
        present: true,
        before,
        before_allowed: before_allowed.to_string(),
    }
}

fn judge(wanted: &Connections, allowed: &Connections) -> Verdict {
    let covered = wanted.intersect(allowed);
    if wanted.is_empty() || covered.is_empty() {
        Verdict::Denied
    } else if covered == *wanted {
        Verdict::Allowed
    } else {
        Verdict::Partial
    }
}

/// The port to explain for an arrow: a wanted port the receiver exposes (denied ones
/// first), else the first wanted one that is denied, else the first wanted one (TCP 8080
/// when everything is wanted and allowed).
fn first_probe(
    wanted: &Connections,
    allowed: &Connections,
    exposed: &[(u16, Protocol)],
) -> (u16, Protocol) {
    let wanted_exposed = exposed.iter().filter(|(p, pr)| wanted.allows(*p, *pr));
    if let Some(p) = wanted_exposed
        .clone()
        .find(|(p, pr)| !allowed.allows(*p, *pr))
        .or_else(|| wanted_exposed.clone().next())
    {
        return *p;
    }
    let denied_first = Protocol::ALL.iter().find_map(|p| {
        let missing = wanted
            .ports(*p)
            .ranges()
            .iter()
            .find_map(|&(lo, hi)| (lo..=hi).take(4096).find(|port| !allowed.allows(*port, *p)));
        missing.map(|port| (port, *p))
    });
    if let Some(p) = denied_first {
        return p;
    }
    if wanted.is_all() {
        return (8080, Protocol::Tcp);
    }
    Protocol::ALL
        .iter()
        .find_map(|p| wanted.ports(*p).ranges().first().map(|r| (r.0, *p)))
        .unwrap_or((8080, Protocol::Tcp))
}
