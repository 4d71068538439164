//! Selector matches over one endpoint list, cached by selector, as bit sets: the leaf that
//! both bulk indexes build on, the NetworkPolicy one (`index`) and the tier one
//! (`cnp::bulk`), so that neither needs the other to match selectors.

use std::collections::HashMap;

use crate::bits::Bits;
use crate::cidr::Cidr;
use crate::endpoint::Endpoint;
use crate::eval::ip_block_matches;
use crate::model::{Cluster, Peer, Rule};
use crate::selector::Selector;

/// Selector matches over one endpoint list, cached by selector.
pub(crate) struct Matcher<'a> {
    cluster: &'a Cluster,
    endpoints: &'a [Endpoint],
    positions: Vec<Vec<usize>>,
    pods_by_ns: HashMap<&'a str, Vec<usize>>,
    /// (namespace or all, pod selector) → endpoint positions.
    pods_cache: HashMap<(Option<String>, Selector), Bits>,
    /// namespace selector → names of the namespaces it selects.
    ns_cache: HashMap<Selector, Vec<String>>,
    /// ipBlock (cidr, except) → endpoint positions: clusters repeat one block in every
    /// namespace's default policy, and each is checked against the endpoints once.
    ip_cache: HashMap<(Cidr, Vec<Cidr>), Bits>,
    /// (namespace selector, pod selector) → endpoint positions: a peer over many
    /// namespaces (`team In (t1, t2)`) is the union of one pod match per namespace, and
    /// the same peer recurs in every namespace's policies.
    peer_cache: HashMap<(Selector, Selector), Bits>,
    n: usize,
}

impl<'a> Matcher<'a> {
    pub(crate) fn new(cluster: &'a Cluster, endpoints: &'a [Endpoint]) -> Matcher<'a> {
        // Pod index → positions in the endpoint list (usually one).
        let mut positions: Vec<Vec<usize>> = vec![Vec::new(); cluster.pods.len()];
        for (pos, e) in endpoints.iter().enumerate() {
            if let Endpoint::Pod(p) = e {
                if let Some(slot) = positions.get_mut(*p) {
                    slot.push(pos);
                }
            }
        }
        // Only the pods of the list: with classes it holds one pod per class, and the
        // other replicas need not have their labels matched at all.
        let mut pods_by_ns: HashMap<&str, Vec<usize>> = HashMap::new();
        let listed = cluster
            .pods
            .iter()
            .enumerate()
            .filter(|(i, _)| positions.get(*i).is_some_and(|p| !p.is_empty()));
        for (i, pod) in listed {
            pods_by_ns
                .entry(pod.namespace.as_str())
                .or_default()
                .push(i);
        }
        Matcher {
            cluster,
            endpoints,
            positions,
            pods_by_ns,
            pods_cache: HashMap::new(),
            ns_cache: HashMap::new(),
            ip_cache: HashMap::new(),
            peer_cache: HashMap::new(),
            n: endpoints.len(),
        }
    }

    /// Number of endpoints.
    pub(crate) fn len(&self) -> usize {
        self.n
    }

    /// Endpoint positions of pods matching `pods` in the namespaces `namespaces` selects.
    pub(crate) fn pods_in_namespaces(&mut self, namespaces: &Selector, pods: &Selector) -> Bits {
        let mut out = Bits::new(self.n);
        for ns in self.namespaces(namespaces) {
            let bits = self.pods_in(&ns, pods);
            out.or_assign(&bits);
        }
        out
    }

    /// Endpoint positions of pods in `namespace` matching `selector`.
    pub(crate) fn pods_in(&mut self, namespace: &str, selector: &Selector) -> Bits {
        let key = (Some(namespace.to_string()), selector.clone());
        if let Some(b) = self.pods_cache.get(&key) {
            return b.clone();
        }
        let mut bits = Bits::new(self.n);
        for &p in self
            .pods_by_ns
            .get(namespace)
            .map(Vec::as_slice)
            .unwrap_or(&[])
        {
            let matches = self
                .cluster
                .pods
                .get(p)
                .is_some_and(|pod| selector.matches(&pod.labels));
            if matches {
                for &pos in self.positions.get(p).map(Vec::as_slice).unwrap_or(&[]) {
                    bits.set(pos);
                }
            }
        }
        self.pods_cache.insert(key, bits.clone());
        bits
    }

    /// Endpoint positions of pods matching `pods` in the namespaces `namespaces` selects,
    /// cached per pair of selectors.
    fn pods_in_selected(&mut self, namespaces: &Selector, pods: &Selector) -> Bits {
        let key = (namespaces.clone(), pods.clone());
        if let Some(b) = self.peer_cache.get(&key) {
            return b.clone();
        }
        let bits = self.pods_in_namespaces(namespaces, pods);
        self.peer_cache.insert(key, bits.clone());
        bits
    }

    fn namespaces(&mut self, selector: &Selector) -> Vec<String> {
        if let Some(v) = self.ns_cache.get(selector) {
            return v.clone();
        }
        let names: Vec<String> = self
            .cluster
            .namespaces
            .iter()
            .filter(|ns| selector.matches(&ns.labels))
            .map(|ns| ns.name.clone())
            .collect();
        self.ns_cache.insert(selector.clone(), names.clone());
        names
    }

    /// Endpoint positions an ipBlock matches: externals it covers and pods with an IP in
    /// it, by the exact pairwise check (without building the words of the many misses).
    fn ip_block(&mut self, cidr: &Cidr, except: &[Cidr]) -> Bits {
        let key = (*cidr, except.to_vec());
        if let Some(b) = self.ip_cache.get(&key) {
            return b.clone();
        }
        let mut bits = Bits::new(self.n);
        for (pos, e) in self.endpoints.iter().enumerate() {
            if ip_block_matches(self.cluster, cidr, except, e) {
                bits.set(pos);
            }
        }
        self.ip_cache.insert(key, bits.clone());
        bits
    }

    pub(crate) fn rule_peers(&mut self, policy_namespace: &str, rule: &Rule) -> Bits {
        if rule.peers.is_empty() {
            return Bits::full(self.n);
        }
        let mut out = Bits::new(self.n);
        let everything = Selector::everything();
        for peer in &rule.peers {
            match peer {
                Peer::Pods {
                    namespace_selector,
                    pod_selector,
                } => {
                    let pods = pod_selector.as_ref().unwrap_or(&everything);
                    match namespace_selector {
                        None => out.or_assign(&self.pods_in(policy_namespace, pods)),
                        Some(sel) => out.or_assign(&self.pods_in_selected(sel, pods)),
                    }
                }
                Peer::IpBlock { cidr, except } => {
                    let bits = self.ip_block(cidr, except);
                    out.or_assign(&bits);
                }
            }
        }
        out
    }
}
