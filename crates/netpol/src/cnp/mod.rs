//! ClusterNetworkPolicy (`policy.networking.k8s.io/v1alpha2`): cluster-wide policies in two
//! tiers around NetworkPolicies. Per direction, a connection goes through the Admin tier
//! (by priority, first matching rule: Accept and Deny decide, Pass skips the rest of the
//! tier), then NetworkPolicies (which decide for every pod they select), then the Baseline
//! tier, then the default: allowed.
//!
//! - `api` — the spec as written (serde), for the loader;
//! - `schema` — its known fields, for unknown-field reports;
//! - `validate` — what the CRD's schema and CEL rules reject, as problems at field paths;
//! - `model` — the typed policy the evaluator uses;
//! - `eval` — one tier for one connection, with evidence (used by `crate::chain`);
//! - `bulk` — the tiers for many pairs at once, built on `crate::matcher` (`matrix` and
//!   `connectivity` combine it with the NetworkPolicy index; it imports neither).

pub(crate) mod api;
pub(crate) mod bulk;
pub mod eval;
pub mod model;
pub(crate) mod schema;
pub(crate) mod validate;

pub use eval::{TierCandidate, TierEvidence, TierPolicyRef, TierRuleRef};
pub use model::{
    evaluation_order, Action, ClusterNetworkPolicy, CnpPeer, CnpPort, CnpRule, Subject, Tier,
    API_VERSION,
};
