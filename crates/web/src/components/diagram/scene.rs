//! What the diagram draws, derived from the state: a node per endpoint (its texts and
//! whether it was drawn), the namespaces, and where everything goes (`crate::layout`).
//! While comparing, the endpoints only the compared side has are laid out too (the
//! compare layer draws them as removed), and added ones say so in their accessible name.
//! While a lesson's first difference from its solution is open, the probes it names (pods
//! the grader adds, which are not in the workspace) are laid out too, in their namespaces.
//! Pure, tested natively; `use_scene` keeps it across renders that change nothing it shows.

use std::collections::BTreeMap;
use std::rc::Rc;

use netpol::endpoint::Endpoint;
use netpol::lesson::ShownProbe;
use netpol::model::Labels;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::Element;
use yew::prelude::*;

use super::gestures::client_rect;
use crate::display::{external_text, identity};
use crate::layout::{self, Input, Layout, Pos};
use crate::state::AppState;

/// One node to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeInfo {
    /// Endpoint id (`namespace/name`, `ip:...`): the key of the layout and of arrows.
    pub id: String,
    pub title: String,
    /// The identifying label, or what an address is.
    pub sub: String,
    /// What the kind badge shows (`Deploy` for a Deployment), empty for bare pods and
    /// externals.
    pub badge: String,
    /// Accessible name: the visible texts first, in the order they are drawn (what a
    /// screen reader says and what speech input matches), then what they abbreviate.
    pub aria: String,
    /// Drawn on the diagram (deletable), not from the manifests.
    pub drawn: bool,
    /// An address outside the cluster (`ip:...`), drawn in the column right of the
    /// cluster box.
    pub external: bool,
}

/// A namespace box's facts.
#[derive(Clone, Debug, PartialEq)]
pub struct NamespaceInfo {
    pub name: String,
    /// Drawn on the diagram (deletable), not from the manifests.
    pub drawn: bool,
    pub labels: Labels,
}

/// Everything the diagram draws.
#[derive(Clone, Debug, PartialEq)]
pub struct Scene {
    /// Nodes, pods first then externals.
    pub nodes: Vec<NodeInfo>,
    /// While comparing: endpoints only the compared side has (not selectable: they are not
    /// in the workspace), laid out with the others.
    pub removed: Vec<NodeInfo>,
    /// While a lesson's difference is open: the probes it names that the workspace does
    /// not have (not selectable), laid out with the others.
    pub probes: Vec<NodeInfo>,
    /// Endpoints seen only in the flow log (pods the manifests do not have, addresses the
    /// workspace does not show), laid out with the others; the observed layer draws them.
    pub seen: Vec<NodeInfo>,
    pub namespaces: Vec<NamespaceInfo>,
    pub layout: Layout,
}

impl Scene {
    /// Where node `id` is drawn: where the pointer holds it while it is being moved.
    pub fn position(&self, id: &str, moving: Option<&(String, Pos)>) -> Option<Pos> {
        match moving {
            Some((m, pos)) if m == id => Some(*pos),
            _ => self.layout.nodes.get(id).copied(),
        }
    }
}

/// A shared value compared by identity: `use_scene` hands out the same `Rc` while the
/// scene is unchanged, so comparing pointers is enough (and cheap, for props).
#[derive(Clone, Debug)]
pub struct Shared<T>(pub Rc<T>);

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

fn pod_node(p: &netpol::Pod, preferred: Option<&str>, drawn: bool) -> NodeInfo {
    let ident = identity(&p.labels, preferred);
    let kind = p.kind.as_str();
    let badge = if kind == "Pod" { "" } else { short_kind(kind) };
    let what = match badge {
        "" => format!(": {kind} in namespace {}", p.namespace),
        b if b == kind => format!(", {kind} in namespace {}", p.namespace),
        b => format!(", {b}: {kind} in namespace {}", p.namespace),
    };
    NodeInfo {
        aria: format!("{}, {ident}{what}", p.name),
        title: p.name.clone(),
        sub: ident,
        badge: badge.to_string(),
        drawn,
        external: false,
        id: p.id(),
    }
}

fn external_node(id: &str, drawn: bool) -> NodeInfo {
    let (title, sub) = external_text(id);
    NodeInfo {
        aria: format!("{title}, {sub}: external endpoint"),
        title,
        sub,
        badge: String::new(),
        drawn,
        external: true,
        id: id.to_string(),
    }
}

/// The kind badge's text: the usual abbreviation, where there is one.
fn short_kind(kind: &str) -> &str {
    match kind {
        "Deployment" => "Deploy",
        "StatefulSet" => "STS",
        "DaemonSet" => "DS",
        "ReplicaSet" => "RS",
        "ReplicationController" => "RC",
        other => other,
    }
}

/// A probe the grader added, as a node.
fn probe_node(p: &ShownProbe) -> NodeInfo {
    if p.id.starts_with("ip:") {
        let mut node = external_node(&p.id, false);
        node.aria = format!("{}, probe: {}", node.aria, p.why);
        return node;
    }
    let name = p.id.split_once('/').map_or(p.id.as_str(), |(_, n)| n);
    let sub = if p.labels.is_empty() {
        "no labels".to_string()
    } else {
        p.labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    NodeInfo {
        aria: format!("{name}, probe: {}", p.why),
        title: name.to_string(),
        sub,
        badge: "probe".to_string(),
        drawn: false,
        external: false,
        id: p.id.clone(),
    }
}

/// Builds the scene for a state, laid out for a view of shape `aspect` (width / height),
/// with `probes` (a lesson's open difference) beside the workspace's endpoints.
pub fn build(state: &AppState, aspect: f64, probes: &[ShownProbe]) -> Scene {
    let eval = &state.derived.eval;
    let c = &eval.effective;
    let preferred = state.ws.options.identity_label.as_deref();
    let mut nodes = Vec::new();
    let mut by_ns: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut externals = Vec::new();
    let added: Vec<&str> = state
        .compare
        .iter()
        .flat_map(|c| c.diff.added_endpoints.iter().map(String::as_str))
        .collect();
    for ep in &eval.endpoints {
        match ep {
            Endpoint::Pod(i) => {
                let Some(p) = c.pods.get(*i) else { continue };
                let mut node = pod_node(p, preferred, state.is_drawn(&p.id()));
                if added.contains(&node.id.as_str()) {
                    node.aria.push_str(", added since the compared side");
                }
                by_ns
                    .entry(p.namespace.as_str())
                    .or_default()
                    .push(node.id.clone());
                nodes.push(node);
            }
            Endpoint::External(_) => {
                let id = ep.id(c);
                let mut node = external_node(&id, state.is_drawn(&id));
                if added.contains(&id.as_str()) {
                    node.aria.push_str(", added since the compared side");
                }
                nodes.push(node);
                externals.push(id);
            }
        }
    }
    let namespaces: Vec<NamespaceInfo> = c
        .namespaces
        .iter()
        .map(|n| NamespaceInfo {
            name: n.name.clone(),
            drawn: state.is_drawn_namespace(&n.name),
            labels: n.labels.clone(),
        })
        .collect();
    let removed = removed_nodes(state, preferred);
    let shown: Vec<&str> = nodes.iter().map(|n| n.id.as_str()).collect();
    let probes: Vec<NodeInfo> = probes
        .iter()
        .filter(|p| !shown.contains(&p.id.as_str()))
        .map(probe_node)
        .collect();
    let seen = seen_nodes(state, preferred, &shown, &probes);
    let mut removed_by_ns: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for n in removed.iter().chain(&probes).chain(&seen) {
        match n.id.split_once('/').filter(|_| !n.external) {
            Some((ns, _)) => removed_by_ns
                .entry(ns.to_string())
                .or_default()
                .push(n.id.clone()),
            None => externals.push(n.id.clone()),
        }
    }
    let mut input_namespaces: Vec<(String, Vec<String>)> = namespaces
        .iter()
        .map(|n| {
            let mut ids = by_ns.remove(n.name.as_str()).unwrap_or_default();
            ids.extend(removed_by_ns.remove(&n.name).unwrap_or_default());
            (n.name.clone(), ids)
        })
        .collect();
    // Namespaces only the compared side has come last, holding their removed pods.
    input_namespaces.extend(removed_by_ns);
    let input = Input {
        namespaces: input_namespaces,
        externals,
    };
    Scene {
        nodes,
        removed,
        probes,
        seen,
        namespaces,
        layout: layout::layout(&input, &state.positions, aspect),
    }
}

/// The endpoints the flow log names that the diagram does not show otherwise.
fn seen_nodes(
    state: &AppState,
    preferred: Option<&str>,
    shown: &[&str],
    probes: &[NodeInfo],
) -> Vec<NodeInfo> {
    let Some(r) = &state.replay else {
        return Vec::new();
    };
    let taken = |id: &str| shown.contains(&id) || probes.iter().any(|p| p.id == id);
    let mut seen: Vec<NodeInfo> = r
        .flow_only_pods()
        .filter(|p| !taken(&p.id()))
        .map(|p| {
            let mut node = pod_node(p, preferred, false);
            node.aria.push_str(", seen only in flows");
            node
        })
        .collect();
    let mut externals: Vec<&str> = r
        .rows
        .iter()
        .flat_map(|row| [row.from.as_str(), row.to.as_str()])
        .filter(|id| id.starts_with("ip:") && !taken(id))
        .collect();
    netpol::sorting::sort_unstable(&mut externals);
    externals.dedup();
    seen.extend(externals.into_iter().map(|id| {
        let mut node = external_node(id, false);
        node.aria.push_str(", seen only in flows");
        node
    }));
    seen
}

/// The endpoints only the compared side has, as nodes of its cluster.
fn removed_nodes(state: &AppState, preferred: Option<&str>) -> Vec<NodeInfo> {
    let Some(c) = &state.compare else {
        return Vec::new();
    };
    let before = c.before(&state.derived);
    c.diff
        .removed_endpoints
        .iter()
        .map(|id| {
            let mut node = match before.pod(id) {
                Some(p) => pod_node(p, preferred, false),
                None => external_node(id, false),
            };
            node.aria.push_str(", removed: only on the compared side");
            node
        })
        .collect()
}

/// The scene of this render and the pane's size in CSS pixels (rounded to 8 px, so tiny
/// changes do not re-layout; the layout follows the pane's shape).
#[hook]
pub fn use_scene(
    state: &AppState,
    svg: &NodeRef,
    probes: Rc<Vec<ShownProbe>>,
) -> (Shared<Scene>, (i64, i64)) {
    let client = use_pane_size(svg);
    let aspect = (client.0 * 10 / client.1.max(1)).max(1);
    // The comparison's diff is new after every edit and when comparing starts or stops.
    let compared = state
        .compare
        .as_ref()
        .map_or(0, |c| Rc::as_ptr(&c.diff) as usize);
    let replayed = state.replay.as_ref().map_or(0, |r| Rc::as_ptr(r) as usize);
    let fresh = use_memo(
        (
            state.ws_rev,
            Rc::as_ptr(&state.positions) as usize,
            aspect,
            (compared, replayed),
            probes,
        ),
        {
            let s = state.clone();
            move |(_, _, a, _, probes)| build(&s, *a as f64 / 10.0, probes)
        },
    );
    // Most edits (a comment, a policy rule) leave the scene as it was: keep the previous
    // `Rc` then, so the layers that compare it by identity are not rebuilt.
    let stable = use_mut_ref(|| Rc::clone(&fresh));
    if !Rc::ptr_eq(&stable.borrow(), &fresh) && **stable.borrow() != *fresh {
        *stable.borrow_mut() = Rc::clone(&fresh);
    }
    let scene = Shared(Rc::clone(&stable.borrow()));
    (scene, client)
}

/// Follows the pane's size with a ResizeObserver (it also reports the first size), so
/// ordinary renders never force a synchronous layout.
#[hook]
fn use_pane_size(svg: &NodeRef) -> (i64, i64) {
    let client = use_state_eq(|| (960_i64, 600_i64));
    {
        let svg = svg.clone();
        let client = client.clone();
        use_effect_with((), move |_| {
            let el = svg.cast::<Element>();
            let observed = el.clone();
            let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |_: js_sys::Array| {
                let Some(el) = observed.as_ref() else { return };
                let r = client_rect(el);
                if r.w > 50.0 && r.h > 50.0 {
                    client.set((
                        (r.w / 8.0).round() as i64 * 8,
                        (r.h / 8.0).round() as i64 * 8,
                    ));
                }
            });
            let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok();
            if let (Some(o), Some(el)) = (&observer, &el) {
                o.observe(el);
            }
            move || {
                if let Some(o) = observer {
                    o.disconnect();
                }
                drop(callback);
            }
        });
    }
    *client
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_scene_has_every_endpoint() {
        let ex = crate::examples::find("docs").unwrap();
        let s = AppState::new(
            &crate::examples::state_from_disk(ex.id),
            crate::state::LoadOrigin::Shared,
        );
        let sc = build(&s, 2.0, &[]);
        assert_eq!(sc.nodes.len(), 7);
        assert_eq!(sc.layout.namespaces.len(), 4);
        assert!(sc.nodes.iter().all(|n| sc.layout.nodes.contains_key(&n.id)));
        let pod = sc
            .nodes
            .iter()
            .find(|n| n.id == "team-one-namespace/pod-1")
            .unwrap();
        assert_eq!(
            pod.aria,
            "pod-1, app=pod-1: Pod in namespace team-one-namespace"
        );
        let ext = sc.nodes.iter().find(|n| n.id == "ip:8.8.8.8").unwrap();
        assert_eq!(ext.aria, "8.8.8.8, outside the cluster: external endpoint");
        assert!(sc.removed.is_empty());
    }

    #[test]
    fn while_comparing_removed_endpoints_are_laid_out_and_added_ones_say_so() {
        use crate::compare::Request;
        use crate::state::Action;
        use yew::Reducible;
        let ex = crate::examples::find("docs").unwrap();
        let s = Rc::new(AppState::new(
            &crate::examples::state_from_disk(ex.id),
            crate::state::LoadOrigin::Shared,
        ));
        let text = s.ws.manifests.clone();
        let gone = text.replace("name: pod-2\n", "name: pod-two\n");
        let s = s
            .reduce(Action::Compare(Request::Snapshot))
            .reduce(Action::SetManifests(gone));
        let sc = build(&s, 2.0, &[]);
        let removed: Vec<&str> = sc.removed.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(removed, ["team-one-namespace/pod-2"]);
        assert!(sc.layout.nodes.contains_key("team-one-namespace/pod-2"));
        assert_eq!(
            sc.removed[0].aria,
            "pod-2, app=pod-2: Pod in namespace team-one-namespace, removed: only on the compared side"
        );
        let added = sc
            .nodes
            .iter()
            .find(|n| n.id == "team-one-namespace/pod-two")
            .unwrap();
        assert!(
            added.aria.ends_with(", added since the compared side"),
            "{}",
            added.aria
        );
    }

    #[test]
    fn a_workload_is_named_by_what_its_node_shows_then_its_kind() {
        let pod = |kind| netpol::Pod {
            namespace: "shop".into(),
            name: "cart".into(),
            kind,
            labels: [("app".to_string(), "cart".to_string())]
                .into_iter()
                .collect(),
            ports: Vec::new(),
            ips: Vec::new(),
            host_network: false,
            origin: None,
        };
        let deploy = pod_node(&pod(netpol::model::EndpointKind::Deployment), None, false);
        assert_eq!(
            (
                deploy.title.as_str(),
                deploy.sub.as_str(),
                deploy.badge.as_str()
            ),
            ("cart", "app=cart", "Deploy")
        );
        assert_eq!(
            deploy.aria,
            "cart, app=cart, Deploy: Deployment in namespace shop"
        );
        let job = pod_node(&pod(netpol::model::EndpointKind::Job), None, false);
        assert_eq!(job.aria, "cart, app=cart, Job in namespace shop");
    }
}
