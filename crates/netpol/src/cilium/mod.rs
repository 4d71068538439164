//! CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy (`cilium.io/v2`) at L3/L4, as
//! docs/cilium.md describes them with sources. They sit at the NetworkPolicy stage of the
//! chain (`crate::chain`): a pod is isolated in a direction when a policy of either kind
//! selects it there, allows of both kinds add up, and a Cilium deny wins over every allow.
//!
//! - `api` — a rule as written (serde), decoded one rule at a time by the loader;
//! - `schema` — the CRD's known fields, for unknown-field reports;
//! - `validate` — what the CRD and the agent refuse, and the agent's parsing (implicit
//!   namespace), as problems at field paths;
//! - `model` — the typed rules the evaluator uses;
//! - `eval` — one direction of one connection, with evidence;
//! - `sets` — the policies as bit sets, folded into `matrix`'s NetworkPolicy rows;
//! - `bulk` — what the many-pair queries do when Cilium policies are loaded (the per-pair
//!   chain, over the port intervals where a verdict can change).

pub(crate) mod api;
pub mod bulk;
pub mod eval;
pub mod model;
pub(crate) mod schema;
pub(crate) mod sets;
pub(crate) mod validate;

pub use eval::CiliumEvidence;
pub use model::{
    CidrGroup, CiliumKind, CiliumObjects, CiliumPolicy, CiliumRule, Entity, Entry, EntryList,
    EntryRef, Peers, PodMeta, Ports, API_VERSION,
};
