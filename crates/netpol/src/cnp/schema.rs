//! The fields the API knows in a ClusterNetworkPolicy, as data in the shape `schema.rs`
//! uses for NetworkPolicies (a shape's fields, and the shape of each field's value), so
//! that unknown fields are reported with the closest valid name (`priorty` → `priority`).
//!
//! Ingress and egress peers share one shape listing every peer kind: a `networks` peer in
//! an ingress rule is a known field in the wrong place, which validation reports with a
//! better message than "unknown field".

use crate::schema::UnknownField;
use crate::yaml::{Document, NodeId};

/// Where in a ClusterNetworkPolicy a mapping sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    Object,
    Metadata,
    Spec,
    Subject,
    NamespacedPod,
    Rule,
    Peer,
    Protocol,
    PortMatch,
    Port,
    PortRange,
    Selector,
    Requirement,
    /// Anything goes (labels, annotations, status).
    Free,
}

/// The fields of each shape.
fn fields(shape: Shape) -> &'static [&'static str] {
    match shape {
        Shape::Object => &["apiVersion", "kind", "metadata", "spec", "status"],
        // Object metadata is checked by `schema::unknown_in_metadata`, as for every kind.
        Shape::Metadata => &[],
        Shape::Spec => &["tier", "priority", "subject", "ingress", "egress"],
        Shape::Subject => &["namespaces", "pods"],
        Shape::NamespacedPod => &["namespaceSelector", "podSelector"],
        Shape::Rule => &["name", "action", "from", "to", "protocols"],
        Shape::Peer => &["namespaces", "pods", "nodes", "networks", "domainNames"],
        Shape::Protocol => &["tcp", "udp", "sctp", "destinationNamedPort"],
        Shape::PortMatch => &["destinationPort"],
        Shape::Port => &["number", "range"],
        Shape::PortRange => &["start", "end"],
        Shape::Selector => &["matchLabels", "matchExpressions"],
        Shape::Requirement => &["key", "operator", "values"],
        Shape::Free => &[],
    }
}

/// The shape of a field's value, and whether it is a list of that shape.
fn child(shape: Shape, key: &str) -> (Shape, bool) {
    match (shape, key) {
        (Shape::Object, "metadata") => (Shape::Metadata, false),
        (Shape::Object, "spec") => (Shape::Spec, false),
        (Shape::Spec, "subject") => (Shape::Subject, false),
        (Shape::Spec, "ingress" | "egress") => (Shape::Rule, true),
        (Shape::Subject | Shape::Peer, "namespaces") => (Shape::Selector, false),
        (Shape::Subject | Shape::Peer, "pods") => (Shape::NamespacedPod, false),
        (Shape::Peer, "nodes") => (Shape::Selector, false),
        (Shape::NamespacedPod, "namespaceSelector" | "podSelector") => (Shape::Selector, false),
        (Shape::Rule, "from" | "to") => (Shape::Peer, true),
        (Shape::Rule, "protocols") => (Shape::Protocol, true),
        (Shape::Protocol, "tcp" | "udp" | "sctp") => (Shape::PortMatch, false),
        (Shape::PortMatch, "destinationPort") => (Shape::Port, false),
        (Shape::Port, "range") => (Shape::PortRange, false),
        (Shape::Selector, "matchExpressions") => (Shape::Requirement, true),
        _ => (Shape::Free, false),
    }
}

// The same adapter as `cilium/schema.rs`'s on purpose: each kind's shapes are an enum of its own.
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

/// Unknown fields of a ClusterNetworkPolicy object (the whole tree).
pub(crate) fn unknown_fields(doc: &Document, object: NodeId) -> Vec<UnknownField> {
    crate::schema::unknown_in_object(doc, object, Shape::Object)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos_with_suggestions() {
        let doc = Document::parse(
            "kind: ClusterNetworkPolicy\nmetadata: {nme: x}\nspec:\n  priorty: 3\n  egress:\n  - action: Deny\n    to:\n    - networkz: [0.0.0.0/0]\n    protocols:\n    - tcp: {destinationPort: {numbr: 80}}\n",
        )
        .unwrap();
        let found = unknown_fields(&doc, doc.root().unwrap());
        let paths: Vec<&str> = found.iter().map(|u| u.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "metadata.nme",
                "spec.priorty",
                "spec.egress[0].to[0].networkz",
                "spec.egress[0].protocols[0].tcp.destinationPort.numbr"
            ]
        );
        let suggestions: Vec<Option<&str>> = found.iter().map(|u| u.suggestion).collect();
        assert_eq!(
            suggestions,
            [
                Some("name"),
                Some("priority"),
                Some("networks"),
                Some("number")
            ]
        );
    }
}
