//! The linter's diagnostic codes (NP2xx). A code never changes meaning; new lints get new
//! numbers. The loader's codes (NP1xx) live in `diag`.

use crate::diag::{Code, Severity};

macro_rules! lint_codes {
    ($($ident:ident = $code:literal, $name:literal, $sev:ident, $summary:literal;)*) => {
        $(
            #[doc = $summary]
            pub const $ident: Code = Code { code: $code, name: $name, severity: Severity::$sev, summary: $summary };
        )*
        /// Every lint code, in order.
        pub const LINT_CODES: &[Code] = &[$($ident),*];
    };
}

lint_codes! {
    PEER_IN_OTHER_NAMESPACE = "NP201", "peer-in-other-namespace", Warning, "a podSelector peer matches no pod of the policy's namespace but matches pods elsewhere: it needs a namespaceSelector";
    SPLIT_PEER = "NP202", "split-peer", Warning, "a namespaceSelector and a podSelector written as two peers (OR) where one peer (AND) was likely meant";
    UNKNOWN_NAMESPACE_LABEL = "NP203", "unknown-namespace-label", Warning, "a namespaceSelector needs a label that no namespace carries";
    SELECTS_NO_POD = "NP204", "selects-no-pod", Warning, "the policy's podSelector selects no pod";
    NEVER_MATCHES = "NP205", "never-matches", Warning, "a rule or peer can never match anything";
    REDUNDANT = "NP206", "redundant", Warning, "a rule (or peer) allows nothing that another rule (or peer) of the policy does not already allow";
    EGRESS_WITHOUT_DNS = "NP207", "egress-without-dns", Warning, "pods are isolated for egress and no rule allows DNS: name resolution fails";
    IGNORED_RULES = "NP208", "ignored-rules", Warning, "rules of a direction that `policyTypes` leaves out are ignored";
    KUSTOMIZE_MATCH_LABELS = "NP209", "kustomize-match-labels", Info, "Kustomize `commonLabels` appends labels to podSelector.matchLabels; matchExpressions are left alone";
    IPBLOCK_HOST_BITS = "NP210", "ipblock-host-bits", Warning, "an ipBlock CIDR has bits set after its prefix";
    IPBLOCK_MATCHES_PODS = "NP211", "ipblock-matches-pods", Warning, "an ipBlock covers the IPs of pods in the input";
    IPBLOCK_PRIVATE_RANGE = "NP212", "ipblock-private-range", Info, "an ipBlock covers a private range where pod IPs usually are";
    NAMED_PORT_NOT_EXPOSED = "NP213", "named-port-not-exposed", Warning, "a named port that no destination pod of the rule exposes";
    TIER_RULE_SHADOWED = "NP214", "tier-rule-shadowed", Warning, "a ClusterNetworkPolicy rule never decides: an earlier rule of its tier matches all of its traffic first";
    TIER_EQUAL_PRIORITY = "NP215", "tier-equal-priority", Warning, "two ClusterNetworkPolicies of one tier share a priority and have overlapping rules with different actions: the implementation picks either";
    BASELINE_DENY_WITHOUT_DNS = "NP216", "baseline-deny-without-dns", Warning, "a Baseline-tier Deny rule also denies DNS and no earlier rule accepts it: name resolution fails";
    PASS_IN_BASELINE = "NP217", "pass-in-baseline", Warning, "Pass in the Baseline tier does the same as no match: the default (allowed) decides";
    NETWORKS_MATCH_PODS = "NP218", "networks-match-pods", Warning, "a ClusterNetworkPolicy `networks` peer covers pod IPs: it matches traffic between pods too";
    TIER_SELECTS_NO_POD = "NP219", "tier-selects-no-pod", Warning, "a ClusterNetworkPolicy's subject selects no pod of the input";
    TIER_IMPLEMENTATION_DEFINED = "NP220", "tier-implementation-defined", Warning, "a ClusterNetworkPolicy feature whose support or outcome depends on the implementation (named ports, nodes, domainNames)";
    HOST_NETWORK_POD = "NP221", "host-network-pod", Warning, "a NetworkPolicy selects or a peer matches a hostNetwork pod: whether policies apply to it depends on the network plugin (most treat its traffic as the node's)";
    CILIUM_SELECTOR_OTHER_NAMESPACE = "NP222", "cilium-selector-other-namespace", Warning, "a CiliumNetworkPolicy's endpointSelector names another namespace: a namespaced policy selects pods of its own namespace only";
    CILIUM_EMPTY_ENDPOINTS_NOT_WORLD = "NP223", "cilium-empty-endpoints-not-world", Warning, "`toEndpoints: [{}]`/`fromEndpoints: [{}]` where the internet was likely meant: `{}` is the policy's namespace (the cluster for a clusterwide policy), never `world`";
    CILIUM_EGRESS_WITHOUT_DNS = "NP224", "cilium-egress-without-dns", Warning, "a Cilium rule puts pods in egress default deny and no Cilium rule allows them DNS to kube-dns: name resolution fails";
    CILIUM_FQDN_WITHOUT_DNS_PROXY = "NP225", "cilium-fqdn-without-dns-proxy", Warning, "a `toFQDNs` entry for pods whose DNS no rule sends through Cilium's DNS proxy (`rules: {dns: ...}`): the names are never learnt";
    CILIUM_CLUSTERWIDE_ALL_NAMESPACES = "NP226", "cilium-clusterwide-all-namespaces", Warning, "a CiliumClusterwideNetworkPolicy's endpointSelector names no namespace: it covers every namespace, kube-system included";
    CILIUM_DENY_BLOCKS_DNS = "NP227", "cilium-deny-blocks-dns", Warning, "a Cilium `egressDeny` entry matches port 53 to kube-dns for pods its rule selects: a deny wins over every allow, so they cannot resolve names";
    CILIUM_KUBE_APISERVER_UNKNOWN = "NP228", "cilium-kube-apiserver-unknown", Info, "a Cilium rule names the `kube-apiserver` entity (or `reserved:kube-apiserver`) and the input has no API server address: the playground matches nothing there, the cluster the API server";
}
