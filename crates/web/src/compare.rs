//! Compare mode's model: what the workspace is compared with, the side kept fixed
//! (evaluated once, when Compare starts or a link opens), and the engine's diff from that
//! side to the workspace, made again after every edit (`netpol::diff::compare`). The
//! workspace is always the new side; the kept side never writes into it.
//!
//! Pure, tested natively: `state` holds a [`Comparison`] and the views draw from it.

use std::rc::Rc;

use netpol::diff::compare::{against, generated_changes, Compared};
use netpol::diff::{Change, Diff};
use netpol::workspace::{Evaluator, Workspace};
use netpol::{Cluster, Diagnostic};

use crate::share::{side_of, workspace_of, CompareDto, CompareWith};
use crate::state::Derived;

/// What the user asked to compare with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// The workspace as it is now.
    Snapshot,
    /// Other manifests (pasted), with the workspace's external endpoints.
    Manifests(String),
    /// The workspace without its generated policies.
    WithoutGenerated,
}

/// The side kept fixed: the workspace it was made from and what the engine made of it.
#[derive(Debug)]
pub struct Kept {
    pub ws: Workspace,
    pub compared: Compared,
    /// The engine's diagnostics on it, sorted by line (shown with the changes: a document
    /// the API server would reject is left out of this side too).
    pub diagnostics: Vec<Diagnostic>,
    /// Why its manifests were not evaluated (too large), if they were not.
    pub skipped: Option<String>,
}

impl Kept {
    /// Evaluates `ws` on its own: the workspace's evaluator keeps what the workspace's
    /// documents gave, which another side's text would only push out.
    fn of(ws: Workspace) -> Kept {
        let derived = Derived::of(&ws, &mut Evaluator::default());
        Kept::evaluated(ws, &derived)
    }

    /// Keeps `ws` as `derived` evaluated it (a snapshot: the workspace as it is).
    fn evaluated(ws: Workspace, derived: &Derived) -> Kept {
        Kept {
            ws,
            compared: Compared::new(derived.eval.clone()),
            diagnostics: derived.diagnostics.clone(),
            skipped: derived.skipped.clone(),
        }
    }
}

/// A comparison in progress.
#[derive(Debug)]
pub struct Comparison {
    pub with: CompareWith,
    /// The kept side (none when comparing with the workspace without its generated
    /// policies, which follows the workspace).
    pub kept: Option<Rc<Kept>>,
    /// What changed from the compared side (old) to the workspace (new).
    pub diff: Rc<Diff>,
}

impl Comparison {
    /// Starts comparing `ws` (evaluated as `derived`) with what `request` names.
    pub fn start(request: &Request, ws: &Workspace, derived: &Derived) -> Comparison {
        let (with, kept) = match request {
            // The snapshot is the workspace as evaluated now: nothing to evaluate again.
            Request::Snapshot => (
                CompareWith::Snapshot,
                Some(Kept::evaluated(ws.clone(), derived)),
            ),
            Request::Manifests(text) => (
                CompareWith::Manifests,
                Some(Kept::of(Workspace {
                    manifests: text.clone(),
                    externals: ws.externals.clone(),
                    ..Workspace::default()
                })),
            ),
            Request::WithoutGenerated => (CompareWith::WithoutGenerated, None),
        };
        Comparison::made(with, kept.map(Rc::new), derived)
    }

    /// The comparison a link carries, with the problems of its kept side's arrows.
    pub fn from_dto(dto: &CompareDto, derived: &Derived) -> (Comparison, Vec<String>) {
        let (kept, problems) = match (&dto.with, &dto.side) {
            (CompareWith::WithoutGenerated, _) | (_, None) => (None, Vec::new()),
            (_, Some(side)) => {
                let (ws, problems) = workspace_of(side);
                (Some(Rc::new(Kept::of(ws))), problems)
            }
        };
        (Comparison::made(dto.with, kept, derived), problems)
    }

    fn made(with: CompareWith, kept: Option<Rc<Kept>>, derived: &Derived) -> Comparison {
        let diff = Rc::new(diff_of(kept.as_deref(), derived));
        Comparison { with, kept, diff }
    }

    /// The same comparison after the workspace changed (the kept side stays).
    pub fn refresh(&self, derived: &Derived) -> Comparison {
        Comparison::made(self.with, self.kept.clone(), derived)
    }

    /// As a link carries it.
    pub fn to_dto(&self) -> CompareDto {
        CompareDto {
            with: self.with,
            side: self.kept.as_ref().map(|k| side_of(&k.ws)),
        }
    }

    /// The cluster of the old side: the kept one, or the workspace's manifests without the
    /// generated policies.
    pub fn before<'a>(&'a self, derived: &'a Derived) -> &'a Cluster {
        match &self.kept {
            Some(k) => &k.compared.evaluation().effective,
            None => &derived.eval.loaded.cluster,
        }
    }

    /// Whether the old side's policies are the editor's (their lines can be jumped to).
    pub fn before_is_editor(&self) -> bool {
        self.kept.is_none()
    }

    /// The change of one pair, if it changed.
    pub fn change(&self, from: &str, to: &str) -> Option<&Change> {
        self.diff
            .changes
            .iter()
            .find(|c| c.from == from && c.to == to)
    }

    /// What the workspace is compared with, in a sentence (`Comparing with …`).
    pub fn title(&self) -> &'static str {
        match self.with {
            CompareWith::Snapshot => "a snapshot of this workspace",
            CompareWith::Manifests => "other manifests",
            CompareWith::WithoutGenerated => "the manifests without the generated policies",
        }
    }

    /// Names of the two sides, old then new.
    pub fn side_names(&self) -> (&'static str, &'static str) {
        match self.with {
            CompareWith::Snapshot => ("Snapshot", "Now"),
            CompareWith::Manifests => ("Other manifests", "This workspace"),
            CompareWith::WithoutGenerated => ("Manifests alone", "With generated policies"),
        }
    }
}

fn diff_of(kept: Option<&Kept>, derived: &Derived) -> Diff {
    match kept {
        Some(k) => against(&k.compared, &derived.eval),
        None => generated_changes(&derived.eval),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples;
    use crate::share::from_share;

    fn derive(ws: &Workspace) -> Derived {
        Derived::of(ws, &mut Evaluator::default())
    }

    fn docs() -> (Workspace, Derived) {
        let (ws, _, _) = from_share(&examples::state_from_disk("docs"));
        let d = derive(&ws);
        (ws, d)
    }

    #[test]
    fn a_snapshot_keeps_its_side_while_the_workspace_changes() {
        let (ws, d) = docs();
        let c = Comparison::start(&Request::Snapshot, &ws, &d);
        assert!(c.diff.is_empty());
        let edited = Workspace {
            manifests: ws.manifests.replace("app: \"pod-2\"", "app: \"pod-9\""),
            ..ws.clone()
        };
        let c = c.refresh(&derive(&edited));
        assert!(!c.diff.is_empty());
        assert_eq!(
            c.kept.as_ref().unwrap().ws,
            ws,
            "the snapshot did not follow"
        );
        assert!(!c.before_is_editor());
    }

    #[test]
    fn other_manifests_are_the_old_side_with_the_workspace_externals() {
        let (ws, d) = docs();
        let c = Comparison::start(&Request::Manifests(String::new()), &ws, &d);
        // Nothing pasted: every pod of the workspace is new, and no flow is listed.
        assert_eq!(c.diff.added_endpoints.len(), 5, "{:?}", c.diff);
        assert!(c.diff.changes.is_empty());
        assert_eq!(c.kept.as_ref().unwrap().ws.externals, ws.externals);
        let dto = c.to_dto();
        assert_eq!(dto.with, CompareWith::Manifests);
        let (back, problems) = Comparison::from_dto(&dto, &d);
        assert!(problems.is_empty());
        assert_eq!(back.diff, c.diff);
    }

    #[test]
    fn without_generated_follows_the_arrows() {
        let (mut ws, d) = docs();
        let c = Comparison::start(&Request::WithoutGenerated, &ws, &d);
        assert!(c.diff.is_empty() && c.kept.is_none() && c.before_is_editor());
        ws.arrows.push(
            netpol::generate::parse_intent(
                "team-one-namespace/pod-1 -> team-two-namespace/pod-3 : 8080/TCP",
            )
            .unwrap(),
        );
        let d = derive(&ws);
        let c = c.refresh(&d);
        let opened = c
            .change("team-one-namespace/pod-1", "team-two-namespace/pod-3")
            .expect("the arrow opens pod-1 -> pod-3");
        assert_eq!(opened.opened.to_string(), "TCP 8080");
        assert!(std::ptr::eq(c.before(&d), &d.eval.loaded.cluster));
        assert_eq!(c.to_dto().side, None);
    }
}
