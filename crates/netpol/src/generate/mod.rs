//! The policy generator: from drawn arrows ("pod-1 may talk to pod-2 on 8080/TCP") to the
//! NetworkPolicies a careful engineer would write by hand, in the style of the internal docs.
//!
//! - One policy per workload that sends or receives (`<workload>-netpol`): the sender gets an
//!   Egress rule to the receiver, the receiver an Ingress rule from the sender, and
//!   `policyTypes` lists exactly the directions the policy has rules for.
//! - A peer in another namespace is one peer with a namespaceSelector AND a podSelector
//!   (never two list items, which would mean OR).
//! - Rules are merged and sorted: each peer appears once, one rule per distinct port set, so
//!   the same input always gives the same bytes whatever the order of the intents.
//! - Selectors are exact: every generated selector matches exactly the endpoint it names
//!   among the loaded pods (see the `identity` module), so with the deny-all baseline the policies
//!   allow exactly the intents, plus the loopback every CNI lets through.
//!
//! The output is k8s-openapi objects and their kubectl-style YAML, which the loader reads back
//! without a diagnostic. The `cilium` [`Flavor`] writes the same plan as
//! CiliumNetworkPolicies (see the `cilium` module).

mod baseline;
mod cilium;
mod emit;
mod identity;
mod intent;
mod plan;
mod tiers;

use std::fmt;

use k8s_openapi::api::networking::v1::NetworkPolicy;

use crate::cilium::CiliumKind;
use crate::cnp::ClusterNetworkPolicy;
use crate::model::{Cluster, PolicyPort};

pub use intent::parse_intent;

/// One arrow: `from` may talk to `to` on `ports`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Intent {
    /// Sender: `namespace/name` or `ip:CIDR` (traffic from outside the cluster).
    pub from: String,
    /// Receiver: `namespace/name` or `ip:CIDR` (traffic leaving the cluster).
    pub to: String,
    /// Destination ports; empty means every port of every protocol.
    pub ports: Vec<PolicyPort>,
}

impl fmt::Display for Intent {
    /// The syntax [`parse_intent`] reads: `ns/a -> ns/b:8080/TCP,http/TCP`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} -> {}", self.from, self.to)?;
        if !self.ports.is_empty() {
            write!(f, ":{}", crate::syntax::policy_ports_text(&self.ports))?;
        }
        Ok(())
    }
}

/// What the generated policies start from, before the intents open anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Baseline {
    /// Nothing: only the workloads named by intents are isolated (by their own policies).
    #[default]
    None,
    /// A `default-deny` policy in every namespace that has pods: everything is denied in
    /// both directions, DNS included, until an intent (or the DNS option) opens it.
    DenyAll,
    /// The docs' `namespace-default` in every team namespace (not in kube-system nor in the
    /// ingress controller's namespace): in-cluster traffic denied, DNS to kube-dns, egress
    /// outside the private ranges, and ingress from the ingress controller allowed.
    DocsDefault,
    /// The docs' `namespace-default` written once, as a Baseline-tier ClusterNetworkPolicy
    /// over the team namespaces. A Baseline stops applying to a pod once a NetworkPolicy
    /// selects it, so the policies generated for arrows carry the defaults (DNS, egress
    /// outside the private ranges, the ingress controller) themselves.
    ClusterBaseline,
}

impl Baseline {
    /// Every baseline, in the order a menu lists them.
    pub const ALL: [Baseline; 4] = [
        Baseline::None,
        Baseline::DenyAll,
        Baseline::DocsDefault,
        Baseline::ClusterBaseline,
    ];

    /// The option's name, as the CLI's `--baseline` and share links spell it.
    pub fn name(self) -> &'static str {
        match self {
            Baseline::None => "none",
            Baseline::DenyAll => "deny-all",
            Baseline::DocsDefault => "docs-default",
            Baseline::ClusterBaseline => "cluster-baseline",
        }
    }

    /// The baseline named `name` ([`Baseline::name`]).
    pub fn from_name(name: &str) -> Option<Baseline> {
        Baseline::ALL.into_iter().find(|b| b.name() == name)
    }
}

/// Which kind of objects the generator writes. Not a field of [`Options`]: code outside the
/// engine builds `Options` with every field named, and a new field would break it; so the
/// flavour is an argument of [`generate_as`] and [`generate_annotated_as`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Flavor {
    /// Kubernetes NetworkPolicies (and, for `cluster-baseline`, a ClusterNetworkPolicy).
    #[default]
    NetworkPolicy,
    /// CiliumNetworkPolicies, and CiliumClusterwideNetworkPolicies for the baselines.
    Cilium,
}

impl Flavor {
    /// Every flavour, in the order a menu lists them.
    pub const ALL: [Flavor; 2] = [Flavor::NetworkPolicy, Flavor::Cilium];

    /// The option's name, as the CLI's `--flavor` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Flavor::NetworkPolicy => "networkpolicy",
            Flavor::Cilium => "cilium",
        }
    }

    /// The flavour named `name` ([`Flavor::name`]).
    pub fn from_name(name: &str) -> Option<Flavor> {
        Flavor::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// How generated selectors select pods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SelectorStyle {
    /// `matchLabels` (what the docs write).
    #[default]
    Labels,
    /// `matchExpressions` with `In`: Kustomize `commonLabels` appends its labels to every
    /// podSelector's `matchLabels`, which silently narrows selectors of pods that another
    /// kustomization deploys; it leaves `matchExpressions` alone.
    Expressions,
}

impl SelectorStyle {
    /// The option's name, as the CLI's `--selector` and share links spell it.
    pub fn name(self) -> &'static str {
        match self {
            SelectorStyle::Labels => "labels",
            SelectorStyle::Expressions => "expressions",
        }
    }

    /// The style named `name` ([`SelectorStyle::name`]).
    pub fn from_name(name: &str) -> Option<SelectorStyle> {
        [SelectorStyle::Labels, SelectorStyle::Expressions]
            .into_iter()
            .find(|s| s.name() == name)
    }
}

/// Generator options. The default: `matchLabels` selectors, the identity label guessed per
/// workload, no baseline, no DNS egress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// How pod selectors are written.
    pub selector: SelectorStyle,
    /// The label that identifies a workload; `None` tries `app`, then
    /// `app.kubernetes.io/name`, then all of the workload's labels.
    pub identity_label: Option<String>,
    /// The namespace label that namespaceSelectors use; `None` means
    /// `kubernetes.io/metadata.name`, which Kubernetes sets on every namespace.
    pub namespace_label: Option<String>,
    /// Which namespace-wide baseline policies (default deny, ...) to emit besides the
    /// per-workload ones.
    pub baseline: Baseline,
    /// Add DNS egress (kube-dns in kube-system, 53/UDP and 53/TCP) to every pod the
    /// generated policies isolate for egress.
    pub dns: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            selector: SelectorStyle::Labels,
            identity_label: None,
            namespace_label: None,
            baseline: Baseline::None,
            dns: false,
        }
    }
}

/// The generated policies, as objects and as one YAML stream.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Generated {
    /// The policies, sorted by namespace, baseline first, then by name.
    pub policies: Vec<NetworkPolicy>,
    /// ClusterNetworkPolicies (the `cluster-baseline` option), first in the YAML.
    pub cluster_policies: Vec<ClusterNetworkPolicy>,
    /// The Cilium flavour's objects, in YAML order: kind, and `namespace/name` (or `name`
    /// for a clusterwide policy). `policies` is then empty.
    pub cilium_policies: Vec<(CiliumKind, String)>,
    /// kubectl-style YAML, documents separated by `---`.
    pub yaml: String,
}

/// Why nothing could be generated: names the intent, endpoint or option that is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenerateError(pub String);

impl fmt::Display for GenerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GenerateError {}

/// Generates the policies that make `intents` real in `cluster`.
///
/// Existing policies of `cluster` are not looked at: the output is meant to be applied to
/// a cluster holding only the pods and namespaces. Pods and namespaces are what selectors
/// are computed from, so every endpoint an intent names must be in `cluster`.
pub fn generate(
    cluster: &Cluster,
    intents: &[Intent],
    options: &Options,
) -> Result<Generated, GenerateError> {
    let noted: Vec<(&Intent, Option<&str>)> = intents.iter().map(|i| (i, None)).collect();
    network_policies(cluster, &noted, options)
}

/// [`generate`] in `flavor`.
pub fn generate_as(
    cluster: &Cluster,
    intents: &[Intent],
    options: &Options,
    flavor: Flavor,
) -> Result<Generated, GenerateError> {
    let noted: Vec<(&Intent, Option<&str>)> = intents.iter().map(|i| (i, None)).collect();
    generate_noted(cluster, &noted, options, flavor)
}

/// [`generate`], with a note per intent that the policies of both its ends carry in their
/// comment (the YAML emitter writes comments per document, not per rule): observed flows
/// name the traffic each policy keeps open this way.
pub fn generate_annotated(
    cluster: &Cluster,
    intents: &[(Intent, String)],
    options: &Options,
) -> Result<Generated, GenerateError> {
    network_policies(cluster, &annotated(intents), options)
}

/// [`generate_annotated`] in `flavor`.
pub fn generate_annotated_as(
    cluster: &Cluster,
    intents: &[(Intent, String)],
    options: &Options,
    flavor: Flavor,
) -> Result<Generated, GenerateError> {
    generate_noted(cluster, &annotated(intents), options, flavor)
}

fn annotated(intents: &[(Intent, String)]) -> Vec<(&Intent, Option<&str>)> {
    intents
        .iter()
        .map(|(i, note)| (i, Some(note.as_str())))
        .collect()
}

/// The flavours apart: the playground calls only [`generate`] and [`generate_annotated`],
/// so the Cilium writer stays out of its download.
fn generate_noted(
    cluster: &Cluster,
    intents: &[(&Intent, Option<&str>)],
    options: &Options,
    flavor: Flavor,
) -> Result<Generated, GenerateError> {
    match flavor {
        Flavor::NetworkPolicy => network_policies(cluster, intents, options),
        Flavor::Cilium => cilium_policies(cluster, intents, options),
    }
}

/// Every intent in one plan.
fn planned(
    cluster: &Cluster,
    selectors: &identity::Selectors,
    intents: &[(&Intent, Option<&str>)],
) -> Result<plan::Plan, GenerateError> {
    let mut plan = plan::Plan::default();
    for (intent, note) in intents {
        plan.add(cluster, selectors, intent, *note)?;
    }
    Ok(plan)
}

fn cilium_policies(
    cluster: &Cluster,
    intents: &[(&Intent, Option<&str>)],
    options: &Options,
) -> Result<Generated, GenerateError> {
    cilium::check(cluster, intents, options)?;
    let selectors = identity::Selectors::new(cluster, options)?;
    let plan = planned(cluster, &selectors, intents)?;
    // Both flavours share the plan; only the writing differs.
    let mut workloads = plan.into_policies(cluster, &selectors, options)?;
    crate::sorting::sort_by(&mut workloads, |a, b| a.sort_key().cmp(&b.sort_key()));
    cilium::generated(cluster, &selectors, options, &workloads)
}

fn network_policies(
    cluster: &Cluster,
    intents: &[(&Intent, Option<&str>)],
    options: &Options,
) -> Result<Generated, GenerateError> {
    let selectors = identity::Selectors::new(cluster, options)?;
    let plan = planned(cluster, &selectors, intents)?;
    let mut outputs = baseline::policies(cluster, &selectors, options);
    outputs.extend(plan.into_policies(cluster, &selectors, options)?);
    crate::sorting::sort_by(&mut outputs, |a, b| a.sort_key().cmp(&b.sort_key()));
    let mut generated = emit::generated(&outputs)?;
    if options.baseline == Baseline::ClusterBaseline {
        if let Some(policy) = tiers::cluster_baseline(cluster, &selectors) {
            let doc = tiers::yaml(&policy)?;
            generated.yaml = if generated.yaml.is_empty() {
                doc
            } else {
                format!("{doc}---\n{}", generated.yaml)
            };
            generated.cluster_policies.push(policy);
        }
    }
    Ok(generated)
}
