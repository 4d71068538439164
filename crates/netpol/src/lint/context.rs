//! What every lint family needs, computed once per run: pods per namespace, the pods each
//! policy selects, the label keys namespaces carry, and the paths diagnostics point at.
//!
//! Lints run on every keystroke in the app, so the one pass over policies × pods of their
//! namespace happens here; the families only look things up.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use super::LintOptions;
use crate::diag::{Code, Diagnostic};
use crate::load::Loaded;
use crate::model::{Cluster, Direction, Labels, Namespace, Origin, Peer, Pod, Policy, Rule};
use crate::selector::{Operator, Selector};

/// Precomputed facts about one loaded input.
pub(super) struct Context<'a> {
    pub(super) loaded: &'a Loaded,
    pub(super) cluster: &'a Cluster,
    pub(super) options: &'a LintOptions,
    /// Pod indices per namespace.
    pods_by_namespace: HashMap<&'a str, Vec<usize>>,
    /// Namespaces by name: families ask for a namespace's labels once per pod they look
    /// at, and a search through 1,000 namespaces each time was most of linting a
    /// 100,000-pod snapshot.
    namespaces: HashMap<&'a str, &'a Namespace>,
    /// Per policy (same index as `cluster.policies`): the pods its podSelector selects.
    pub(super) selected: Vec<Vec<usize>>,
    /// Every label key some namespace carries.
    pub(super) namespace_keys: HashSet<&'a str>,
    /// True when some pod of the input on the pod network has an IP.
    pub(super) pod_ips_known: bool,
    /// Pods per label `(key, value)`: selectors start from their rarest label instead of
    /// scanning every pod.
    pods_by_label: HashMap<(&'a str, &'a str), Vec<usize>>,
    /// `pods_matching` answers by selector: clusters repeat a few selectors many times.
    matching: std::cell::RefCell<HashMap<Selector, std::rc::Rc<[usize]>>>,
    /// `dns::dns_by_policy_and_pod`, once: the DNS lint and the Cilium one both need it.
    pub(super) dns_by_policy_and_pod: std::cell::OnceCell<(Vec<bool>, Vec<bool>)>,
    /// `cilium::PodFacts`, once, when first needed: the Cilium lints and the DNS one (which
    /// counts DNS that Cilium rules give) both ask it.
    pub(super) cilium_pods: std::cell::OnceCell<super::cilium::PodFacts>,
}

impl<'a> Context<'a> {
    pub(super) fn new(loaded: &'a Loaded, options: &'a LintOptions) -> Self {
        let cluster = &loaded.cluster;
        let mut pods_by_namespace: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, pod) in cluster.pods.iter().enumerate() {
            pods_by_namespace
                .entry(pod.namespace.as_str())
                .or_default()
                .push(i);
        }
        // Pods per (namespace, label key, value): a policy's selector starts from its
        // rarest label in its namespace, so selecting costs the pods it may select, not
        // every pod of the namespace (50,000 policies over 100-pod namespaces otherwise
        // make five million selector matches).
        let mut pods_by_namespace_label: HashMap<(&str, &str, &str), Vec<usize>> = HashMap::new();
        for (i, pod) in cluster.pods.iter().enumerate() {
            for (k, v) in &pod.labels {
                pods_by_namespace_label
                    .entry((pod.namespace.as_str(), k.as_str(), v.as_str()))
                    .or_default()
                    .push(i);
            }
        }
        let selected = cluster
            .policies
            .iter()
            .map(|p| {
                let namespace = p.namespace.as_str();
                let rarest = p
                    .pod_selector
                    .match_labels
                    .iter()
                    .map(|(k, v)| {
                        pods_by_namespace_label
                            .get(&(namespace, k.as_str(), v.as_str()))
                            .map(Vec::as_slice)
                            .unwrap_or_default()
                    })
                    .min_by_key(|pods| pods.len());
                let candidates = match rarest {
                    Some(pods) => pods,
                    None => pods_by_namespace
                        .get(namespace)
                        .map(Vec::as_slice)
                        .unwrap_or_default(),
                };
                candidates
                    .iter()
                    .copied()
                    .filter(|i| {
                        cluster
                            .pods
                            .get(*i)
                            .is_some_and(|pod| p.pod_selector.matches(&pod.labels))
                    })
                    .collect()
            })
            .collect();
        let namespace_keys = cluster
            .namespaces
            .iter()
            .flat_map(|n| n.labels.keys().map(String::as_str))
            .collect();
        // A host-network pod's IPs are its node's: they say nothing of the pod network.
        let pod_ips_known = cluster
            .pods
            .iter()
            .any(|p| !p.host_network && !p.ips.is_empty());
        let mut pods_by_label: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
        for (i, pod) in cluster.pods.iter().enumerate() {
            for (k, v) in &pod.labels {
                pods_by_label
                    .entry((k.as_str(), v.as_str()))
                    .or_default()
                    .push(i);
            }
        }
        let mut namespaces = HashMap::new();
        for n in &cluster.namespaces {
            // The first of two namespaces with one name, as `Cluster::namespace` finds it.
            namespaces.entry(n.name.as_str()).or_insert(n);
        }
        Context {
            loaded,
            cluster,
            options,
            pods_by_namespace,
            namespaces,
            selected,
            namespace_keys,
            pod_ips_known,
            pods_by_label,
            matching: std::cell::RefCell::default(),
            dns_by_policy_and_pod: std::cell::OnceCell::new(),
            cilium_pods: std::cell::OnceCell::new(),
        }
    }

    /// Pod indices of `namespace`.
    pub(super) fn pods_in(&self, namespace: &str) -> &[usize] {
        self.pods_by_namespace
            .get(namespace)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    pub(super) fn pod(&self, index: usize) -> Option<&'a Pod> {
        self.cluster.pods.get(index)
    }

    /// The pods selected by policy `index`.
    pub(super) fn selected_by(&self, index: usize) -> &[usize] {
        self.selected
            .get(index)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// A namespace's labels (only the automatic name label for one no manifest declares).
    pub(super) fn namespace_labels(&self, name: &str) -> Cow<'a, Labels> {
        match self.namespaces.get(name) {
            Some(n) => Cow::Borrowed(&n.labels),
            None => Cow::Owned(Namespace::implicit(name).labels),
        }
    }

    /// Pods carrying label `k=v`.
    fn posting<'s>(&'s self, k: &'s str, v: &'s str) -> &'s [usize] {
        self.pods_by_label
            .get(&(k, v))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// Every pod `sel` matches, in any namespace, in pod order.
    pub(super) fn pods_matching(&self, sel: &Selector) -> std::rc::Rc<[usize]> {
        if let Some(found) = self.matching.borrow().get(sel) {
            return found.clone();
        }
        let found: std::rc::Rc<[usize]> = self.match_pods(sel).into();
        self.matching
            .borrow_mut()
            .insert(sel.clone(), found.clone());
        found
    }

    fn match_pods(&self, sel: &Selector) -> Vec<usize> {
        let posting = |k, v| self.posting(k, v);
        let rarest = sel
            .match_labels
            .iter()
            .map(|(k, v)| posting(k, v))
            .min_by_key(|p| p.len());
        let mut candidates: Vec<usize> = match rarest {
            Some(p) => p.to_vec(),
            None => match sel
                .match_expressions
                .iter()
                .find(|r| r.operator == Operator::In)
            {
                Some(r) => r
                    .values
                    .iter()
                    .flat_map(|v| posting(&r.key, v))
                    .copied()
                    .collect(),
                None => (0..self.cluster.pods.len()).collect(),
            },
        };
        crate::sorting::sort_unstable(&mut candidates);
        candidates.dedup();
        candidates.retain(|i| self.pod(*i).is_some_and(|p| sel.matches(&p.labels)));
        candidates
    }

    /// Pods a selector peer written in a policy of `policy_namespace` selects.
    pub(super) fn peer_pods(&self, policy_namespace: &str, peer: &Peer) -> Vec<usize> {
        let Peer::Pods {
            namespace_selector,
            pod_selector,
        } = peer
        else {
            return Vec::new();
        };
        let in_namespace = |ns: &str| match namespace_selector {
            None => ns == policy_namespace,
            Some(sel) => sel.matches(&self.namespace_labels(ns)),
        };
        let mut out: Vec<usize> = match pod_selector {
            Some(sel) => self.pods_matching(sel).to_vec(),
            None => self
                .pods_by_namespace
                .keys()
                .filter(|ns| in_namespace(ns))
                .flat_map(|ns| self.pods_in(ns).iter().copied())
                .collect(),
        };
        out.retain(|i| self.pod(*i).is_some_and(|p| in_namespace(&p.namespace)));
        crate::sorting::sort_unstable(&mut out);
        out
    }

    /// A diagnostic of `code` at `path` inside policy `policy`.
    pub(super) fn report(
        &self,
        code: Code,
        policy: usize,
        path: &str,
        message: impl Into<String>,
    ) -> Diagnostic {
        code.at(&self.loaded.locate(policy, path), message)
    }

    /// A diagnostic of `code` at `path` inside ClusterNetworkPolicy `policy`.
    pub(super) fn report_tier(
        &self,
        code: Code,
        policy: usize,
        path: &str,
        message: impl Into<String>,
    ) -> Diagnostic {
        code.at(&self.loaded.locate_cluster_policy(policy, path), message)
    }

    /// A diagnostic of `code` at the first key of rule `rule` of `spec.<field>` of
    /// ClusterNetworkPolicy `policy`.
    pub(super) fn report_tier_rule(
        &self,
        code: Code,
        policy: usize,
        field: &str,
        rule: usize,
        message: impl Into<String>,
    ) -> Diagnostic {
        let base = format!("spec.{field}[{rule}]");
        let at = ["name", "action", "from", "to", "protocols"]
            .iter()
            .map(|k| {
                self.loaded
                    .locate_cluster_policy(policy, &format!("{base}.{k}"))
            })
            .chain(std::iter::once(
                self.loaded.locate_cluster_policy(policy, &base),
            ))
            .min_by_key(|o| o.start)
            .unwrap_or_default();
        code.at(&at, message)
    }

    /// A diagnostic of `code` at `at`.
    pub(super) fn report_at(
        &self,
        code: Code,
        at: &Origin,
        message: impl Into<String>,
    ) -> Diagnostic {
        code.at(at, message)
    }

    /// Where a peer starts: its first key as written. The project's YAML reader starts a
    /// block mapping at its first key and a flow mapping at its `{` (`yaml/build.rs`), so
    /// the item's own place already starts there. `first_of` also locates the known keys
    /// and keeps the earliest start: that start is always the item's, and only the end of
    /// the range can differ (the first key alone, or the whole item when a key tried before
    /// it is not written and falls back to the item).
    pub(super) fn peer_origin(
        &self,
        policy: usize,
        direction: Direction,
        rule: usize,
        peer: usize,
    ) -> Origin {
        let base = peer_path(direction, rule, peer);
        self.first_of(
            policy,
            &base,
            &["namespaceSelector", "podSelector", "ipBlock"],
        )
    }

    /// Where a rule starts: its first key as written (`from`/`to` or `ports`).
    pub(super) fn rule_origin(&self, policy: usize, direction: Direction, rule: usize) -> Origin {
        let base = rule_path(direction, rule);
        let list = match direction {
            Direction::Ingress => "from",
            Direction::Egress => "to",
        };
        self.first_of(policy, &base, &[list, "ports"])
    }

    fn first_of(&self, policy: usize, base: &str, keys: &[&str]) -> Origin {
        keys.iter()
            .map(|k| self.loaded.locate(policy, &format!("{base}.{k}")))
            .chain(std::iter::once(self.loaded.locate(policy, base)))
            .min_by_key(|o| o.start)
            .unwrap_or_default()
    }

    /// Pod ids for messages: up to three, then how many more.
    pub(super) fn pod_list(&self, pods: &[usize]) -> String {
        let mut names: Vec<String> = pods
            .iter()
            .take(3)
            .filter_map(|i| self.pod(*i))
            .map(|p| format!("`{}`", p.id()))
            .collect();
        if pods.len() > 3 {
            names.push(format!("{} more", pods.len() - 3));
        }
        names.join(", ")
    }
}

/// `ingress` / `egress`.
pub(super) fn field(direction: Direction) -> &'static str {
    match direction {
        Direction::Ingress => "ingress",
        Direction::Egress => "egress",
    }
}

/// `spec.ingress[2]`.
pub(super) fn rule_path(direction: Direction, rule: usize) -> String {
    format!("spec.{}[{rule}]", field(direction))
}

/// `spec.ingress[2].from[1]` / `spec.egress[0].to[3]`.
pub(super) fn peer_path(direction: Direction, rule: usize, peer: usize) -> String {
    let list = match direction {
        Direction::Ingress => "from",
        Direction::Egress => "to",
    };
    format!("{}.{list}[{peer}]", rule_path(direction, rule))
}

/// The rules that take effect, with their direction and index (rules of a direction the
/// policy does not isolate are ignored by Kubernetes, and reported once by `policy_types`).
pub(super) fn effective_rules(policy: &Policy) -> impl Iterator<Item = (Direction, usize, &Rule)> {
    [Direction::Ingress, Direction::Egress]
        .into_iter()
        .flat_map(move |d| {
            policy
                .rules(d)
                .iter()
                .enumerate()
                .map(move |(i, r)| (d, i, r))
        })
}
