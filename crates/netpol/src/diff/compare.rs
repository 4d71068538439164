//! The playground's Compare: one side kept as it was (a snapshot of the workspace, or
//! other manifests) while the other, the workspace being edited, is evaluated again on
//! every keystroke; and what the generated policies change (the manifests alone against
//! the manifests with the generated policies).
//!
//! The kept side's connectivity is computed once, when it is kept, so a keystroke costs
//! the current side's connectivity and the comparison, not a second evaluation.

use super::{diff_snapshots, Diff, Snapshot};
use crate::connectivity::{connectivity, ConnectivityMap};
use crate::workspace::Evaluation;

/// A side kept fixed: its evaluation and connectivity, computed once.
#[derive(Clone, Debug)]
pub struct Compared {
    evaluation: Evaluation,
    connectivity: ConnectivityMap,
}

impl Compared {
    /// Keeps an evaluation (of a snapshot, of other manifests) to compare with.
    pub fn new(evaluation: Evaluation) -> Compared {
        let connectivity = connectivity(&evaluation.effective, &evaluation.endpoints);
        Compared {
            evaluation,
            connectivity,
        }
    }

    /// The kept evaluation (its cluster explains the "before" of a change).
    pub fn evaluation(&self) -> &Evaluation {
        &self.evaluation
    }

    /// The kept side as one side of a [`diff_snapshots`].
    pub fn snapshot(&self) -> Snapshot<'_> {
        Snapshot {
            cluster: &self.evaluation.effective,
            endpoints: &self.evaluation.endpoints,
            connectivity: &self.connectivity,
        }
    }
}

/// What changed from the kept side (old) to the current evaluation (new).
pub fn against(kept: &Compared, current: &Evaluation) -> Diff {
    let now = connectivity(&current.effective, &current.endpoints);
    diff_snapshots(
        kept.snapshot(),
        Snapshot {
            cluster: &current.effective,
            endpoints: &current.endpoints,
            connectivity: &now,
        },
    )
}

/// What the generated policies change: the manifests and drawn objects alone (old) against
/// the same with the generated policies (new). Nothing when nothing was generated.
pub fn generated_changes(eval: &Evaluation) -> Diff {
    let generated = eval.generated.as_ref().map_or(0, |g| g.policies.len());
    if generated == 0 {
        return Diff::default();
    }
    // The generated policies add no pod: both clusters have the same pods in the same
    // order, so the evaluation's endpoints index both.
    let endpoints = &eval.endpoints;
    let before = connectivity(&eval.loaded.cluster, endpoints);
    let after = connectivity(&eval.effective, endpoints);
    diff_snapshots(
        Snapshot {
            cluster: &eval.loaded.cluster,
            endpoints,
            connectivity: &before,
        },
        Snapshot {
            cluster: &eval.effective,
            endpoints,
            connectivity: &after,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{diff, CauseKind, PolicyChange};
    use crate::generate::parse_intent;
    use crate::workspace::{evaluate, Workspace};

    const DOCS: &str = "
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x, labels: {app: a}}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: x, labels: {app: b}}
---
apiVersion: v1
kind: Pod
metadata: {name: c, namespace: web, labels: {app: c}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-from-a, namespace: x}
spec:
  podSelector: {matchLabels: {app: b}}
  ingress:
    - from: [{podSelector: {matchLabels: {app: a}}}]
      ports: [{port: 80}]
";

    fn workspace(manifests: &str) -> Workspace {
        Workspace {
            manifests: manifests.to_string(),
            externals: vec!["ip:8.8.8.8".into()],
            ..Workspace::default()
        }
    }

    #[test]
    fn against_a_kept_side_is_the_diff_of_the_two_clusters() {
        let kept = Compared::new(evaluate(&workspace(DOCS)));
        let edited = DOCS.replace("port: 80", "port: 443")
            + "---\napiVersion: v1\nkind: Pod\nmetadata: {name: d, namespace: web}\n";
        let now = evaluate(&workspace(&edited));
        let got = against(&kept, &now);
        let externals = [crate::Cidr::parse("8.8.8.8", true).unwrap()];
        let want = diff(&kept.evaluation().effective, &now.effective, &externals);
        assert_eq!(got, want);
        assert_eq!(got.added_endpoints, ["web/d"]);
        let ab = got
            .changes
            .iter()
            .find(|c| c.from == "x/a" && c.to == "x/b")
            .unwrap();
        assert_eq!(ab.opened.to_string(), "TCP 443");
        assert_eq!(ab.closed.to_string(), "TCP 80");
        // The kept side does not follow the edit: compared with itself, nothing changed.
        assert!(against(&kept, kept.evaluation()).is_empty());
    }

    #[test]
    fn generated_changes_are_what_the_arrows_add() {
        let mut ws = workspace(DOCS);
        assert!(generated_changes(&evaluate(&ws)).is_empty());
        ws.arrows
            .push(parse_intent("web/c -> x/b : 8080/TCP").unwrap());
        let eval = evaluate(&ws);
        let got = generated_changes(&eval);
        let externals = [crate::Cidr::parse("8.8.8.8", true).unwrap()];
        assert_eq!(got, diff(&eval.loaded.cluster, &eval.effective, &externals));
        let cb = got
            .changes
            .iter()
            .find(|c| c.from == "web/c" && c.to == "x/b")
            .unwrap();
        assert_eq!(cb.opened.to_string(), "TCP 8080");
        let causes: Vec<_> = got.causes_of(cb).collect();
        assert!(
            causes
                .iter()
                .any(|c| c.change == PolicyChange::Added
                    && matches!(c.kind, CauseKind::Allows { .. })),
            "{causes:?}"
        );
        assert!(got.added_endpoints.is_empty() && got.removed_endpoints.is_empty());
    }
}
