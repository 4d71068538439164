//! The fields the CRD knows in a CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy
//! (`ciliumnetworkpolicies.yaml`, `ciliumclusterwidenetworkpolicies.yaml`), as `Schema`
//! shapes, so that an unknown field is reported at its key with the closest valid name.
//!
//! The four rule lists share one shape that lists every peer and port field: a `toCIDR`
//! under `ingress` is a known field in the wrong place, which validation words better
//! than "unknown field". What sits under L7 `rules`, TLS and listener fields is not
//! checked: those parts are decided at run time and only named in a warning.

use crate::schema::UnknownField;
use crate::yaml::{Document, NodeId};

/// Where in a Cilium policy a mapping sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    Object,
    Metadata,
    Rule,
    DefaultDeny,
    RuleLabel,
    PeerRule,
    CidrRule,
    PortRule,
    PortProtocol,
    Selector,
    Requirement,
    Free,
}

fn fields(shape: Shape) -> &'static [&'static str] {
    match shape {
        Shape::Object => &["apiVersion", "kind", "metadata", "spec", "specs", "status"],
        Shape::Metadata | Shape::Free => &[],
        Shape::Rule => &[
            "endpointSelector",
            "nodeSelector",
            "ingress",
            "ingressDeny",
            "egress",
            "egressDeny",
            "enableDefaultDeny",
            "labels",
            "description",
            "log",
        ],
        Shape::DefaultDeny => &["ingress", "egress"],
        Shape::RuleLabel => &["key", "value", "source"],
        Shape::PeerRule => &[
            "fromEndpoints",
            "fromRequires",
            "fromCIDR",
            "fromCIDRSet",
            "fromEntities",
            "fromGroups",
            "fromNodes",
            "toEndpoints",
            "toRequires",
            "toCIDR",
            "toCIDRSet",
            "toEntities",
            "toServices",
            "toGroups",
            "toNodes",
            "toFQDNs",
            "toPorts",
            "icmps",
            "authentication",
        ],
        Shape::CidrRule => &["cidr", "cidrGroupRef", "cidrGroupSelector", "except"],
        Shape::PortRule => &[
            "ports",
            "rules",
            "terminatingTLS",
            "originatingTLS",
            "serverNames",
            "listener",
        ],
        Shape::PortProtocol => &["port", "endPort", "protocol"],
        Shape::Selector => &["matchLabels", "matchExpressions"],
        Shape::Requirement => &["key", "operator", "values"],
    }
}

fn child(shape: Shape, key: &str) -> (Shape, bool) {
    match (shape, key) {
        (Shape::Object, "metadata") => (Shape::Metadata, false),
        (Shape::Object, "spec") => (Shape::Rule, false),
        (Shape::Object, "specs") => (Shape::Rule, true),
        (Shape::Rule, "endpointSelector" | "nodeSelector") => (Shape::Selector, false),
        (Shape::Rule, "ingress" | "ingressDeny" | "egress" | "egressDeny") => {
            (Shape::PeerRule, true)
        }
        (Shape::Rule, "enableDefaultDeny") => (Shape::DefaultDeny, false),
        (Shape::Rule, "labels") => (Shape::RuleLabel, true),
        (Shape::PeerRule, "fromEndpoints" | "toEndpoints") => (Shape::Selector, true),
        (Shape::PeerRule, "fromCIDRSet" | "toCIDRSet") => (Shape::CidrRule, true),
        (Shape::PeerRule, "toPorts") => (Shape::PortRule, true),
        (Shape::CidrRule, "cidrGroupSelector") => (Shape::Selector, false),
        (Shape::PortRule, "ports") => (Shape::PortProtocol, true),
        (Shape::Selector, "matchExpressions") => (Shape::Requirement, true),
        _ => (Shape::Free, false),
    }
}

// The same adapter as `cnp/schema.rs`'s on purpose: each kind's shapes are an enum of its own.
impl crate::schema::Schema for Shape {
    fn fields(self) -> &'static [&'static str] {
        fields(self)
    }

    fn child(self, key: &str) -> (Option<Self>, bool) {
        let (shape, list) = child(self, key);
        (
            (!matches!(shape, Shape::Free | Shape::Metadata)).then_some(shape),
            list,
        )
    }
}

/// Unknown fields of a Cilium policy object (the whole tree), with their paths
/// (`specs[1].egress[0].toCIDRs`), which say which rule each one is in.
pub(crate) fn unknown_fields(doc: &Document, object: NodeId) -> Vec<UnknownField> {
    crate::schema::unknown_in_object(doc, object, Shape::Object)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos_with_their_rule() {
        let doc = Document::parse(
            "kind: CiliumNetworkPolicy\nmetadata: {name: x}\nspecs:\n- endpointSelector: {}\n  egress:\n  - toCIDRs: [1.1.1.1/32]\n- endpointSelector: {matchLabel: {a: b}}\n  ingress: [{}]\n",
        )
        .unwrap();
        let found = unknown_fields(&doc, doc.root().unwrap());
        let got: Vec<(&str, Option<&str>)> = found
            .iter()
            .map(|u| (u.path.as_str(), u.suggestion))
            .collect();
        assert_eq!(
            got,
            [
                ("specs[0].egress[0].toCIDRs", Some("toCIDR")),
                ("specs[1].endpointSelector.matchLabel", Some("matchLabels")),
            ]
        );
    }
}
