//! The linter: policies that load fine (the loader already reports what the API server
//! rejects) but do not do what they seem to. Every finding is a [`Diagnostic`] with an
//! NP2xx code (see [`codes`]), the exact place in the source, and a fix hint.
//!
//! One module per family: peers (wrong namespace, OR instead of AND, unknown
//! namespace labels), selection (no pod selected, never matching), redundancy, DNS,
//! policyTypes, Kustomize, ipBlocks, named ports and hostNetwork pods that policies
//! depend on; for ClusterNetworkPolicies, rule
//! order (shadowed rules, equal priorities, Pass in Baseline, empty subjects,
//! implementation-defined features) and traffic (`networks` over pods, DNS under a
//! Baseline Deny); for Cilium policies, the pitfalls of docs/cilium.md §12. Facts shared by the families are
//! computed once in `context`, because the app lints on every keystroke.

mod cilium;
pub mod codes;
mod context;
mod dns;
mod host_network;
mod ip_blocks;
mod kustomize;
mod logic;
mod named_ports;
mod peers;
mod policy_types;
mod redundant;
mod selection;
mod tier_order;
mod tier_traffic;

use crate::diag::Diagnostic;
use crate::load::Loaded;

pub use codes::LINT_CODES;

/// Linter options: facts about the project that the manifests alone do not show.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LintOptions {
    /// The project uses Kustomize `commonLabels`: report podSelector `matchLabels`. Also on
    /// when the input contains such a kustomization.
    pub kustomize_common_labels: bool,
}

/// Lints loaded policies; diagnostics sorted by source and position.
pub fn lint(loaded: &Loaded, options: &LintOptions) -> Vec<Diagnostic> {
    let cx = context::Context::new(loaded, options);
    let mut out = Vec::new();
    peers::check(&cx, &mut out);
    selection::check(&cx, &mut out);
    redundant::check(&cx, &mut out);
    dns::check(&cx, &mut out);
    policy_types::check(&cx, &mut out);
    kustomize::check(&cx, &mut out);
    ip_blocks::check(&cx, &mut out);
    named_ports::check(&cx, &mut out);
    host_network::check(&cx, &mut out);
    tier_order::check(&cx, &mut out);
    tier_traffic::check(&cx, &mut out);
    cilium::check(&cx, &mut out);
    crate::diag::sort_in_reading_order(&mut out);
    out.dedup();
    out
}
