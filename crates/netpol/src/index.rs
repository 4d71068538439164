//! Selector matches computed once per evaluation, for the many-pairs queries (`matrix`,
//! `connectivity`): which pods each policy selects, and which endpoints each rule's peers
//! match, as bit sets. Identical selectors are matched once (clusters repeat them a lot).
//!
//! Pairwise queries then cost a few word operations instead of re-matching labels, so the
//! work grows with the number of pairs, not pairs × policies.

use crate::bits::Bits;
use crate::cnp::bulk::TierIndex;
use crate::endpoint::Endpoint;
use crate::matcher::Matcher;
use crate::model::{Cluster, Direction, Rule};

/// A rule with its precomputed peer set.
pub(crate) struct IndexedRule<'a> {
    pub rule: &'a Rule,
    /// Endpoints (by position in the endpoint list) that the rule's peers match.
    pub peers: Bits,
}

/// What one direction of one pod is subject to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Isolation {
    /// Ids of the rules (into `Index::rules`) that apply; meaningful only when isolated.
    pub rules: Vec<usize>,
    /// True when any policy isolates the pod in this direction.
    pub isolated: bool,
}

/// Precomputed matches for one cluster and one endpoint list.
pub(crate) struct Index<'a> {
    pub cluster: &'a Cluster,
    pub endpoints: &'a [Endpoint],
    pub rules: Vec<IndexedRule<'a>>,
    /// Per endpoint: its egress isolation (externals are never isolated).
    pub egress: Vec<Isolation>,
    /// Per endpoint: its ingress isolation.
    pub ingress: Vec<Isolation>,
    /// The ClusterNetworkPolicy tiers; `None` when the cluster has none, so that the
    /// NetworkPolicy-only path costs what it always did.
    pub tiers: Option<TierIndex<'a>>,
}

impl<'a> Index<'a> {
    pub fn build(cluster: &'a Cluster, endpoints: &'a [Endpoint]) -> Index<'a> {
        let n = endpoints.len();
        let mut matcher = Matcher::new(cluster, endpoints);

        let mut rules = Vec::new();
        let mut egress = vec![Isolation::default(); n];
        let mut ingress = vec![Isolation::default(); n];
        for policy in &cluster.policies {
            let selected = matcher.pods_in(&policy.namespace, &policy.pod_selector);
            for direction in [Direction::Ingress, Direction::Egress] {
                if !policy.isolates(direction) {
                    continue;
                }
                let first = rules.len();
                for rule in policy.rules(direction) {
                    let peers = matcher.rule_peers(&policy.namespace, rule);
                    rules.push(IndexedRule { rule, peers });
                }
                let table = match direction {
                    Direction::Ingress => &mut ingress,
                    Direction::Egress => &mut egress,
                };
                for pos in selected.ones() {
                    if let Some(iso) = table.get_mut(pos) {
                        iso.isolated = true;
                        iso.rules.extend(first..rules.len());
                    }
                }
            }
        }
        let tiers = (!cluster.cluster_policies.is_empty())
            .then(|| TierIndex::build(cluster, endpoints, &mut matcher));
        Index {
            cluster,
            endpoints,
            rules,
            egress,
            ingress,
            tiers,
        }
    }
}
