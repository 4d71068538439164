//! The fields the API knows, for the parts of objects where a typo changes what a policy
//! does: all of a NetworkPolicy, object metadata, and label selectors.
//!
//! k8s-openapi's types ignore unknown fields, as a lenient client would; kubectl's default
//! strict validation rejects them. This walk finds them and suggests the closest valid
//! field (`podselector` → `podSelector`).

use crate::yaml::{Document, NodeId};

/// Where in a NetworkPolicy a mapping sits, which decides the fields it may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    NetworkPolicy,
    Metadata,
    Spec,
    IngressRule,
    EgressRule,
    Peer,
    IpBlock,
    Port,
    Selector,
    Requirement,
    /// Anything goes (labels, annotations, fields we do not model).
    Free,
}

fn fields(shape: Shape) -> &'static [&'static str] {
    match shape {
        Shape::NetworkPolicy => &["apiVersion", "kind", "metadata", "spec", "status"],
        Shape::Metadata => &[
            "name",
            "namespace",
            "labels",
            "annotations",
            "generateName",
            "uid",
            "resourceVersion",
            "generation",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "finalizers",
            "ownerReferences",
            "managedFields",
            "selfLink",
        ],
        Shape::Spec => &["podSelector", "policyTypes", "ingress", "egress"],
        Shape::IngressRule => &["from", "ports"],
        Shape::EgressRule => &["to", "ports"],
        Shape::Peer => &["podSelector", "namespaceSelector", "ipBlock"],
        Shape::IpBlock => &["cidr", "except"],
        Shape::Port => &["protocol", "port", "endPort"],
        Shape::Selector => &["matchLabels", "matchExpressions"],
        Shape::Requirement => &["key", "operator", "values"],
        Shape::Free => &[],
    }
}

/// The shape of a field's value, and whether it is a list of that shape.
fn child(shape: Shape, key: &str) -> (Shape, bool) {
    match (shape, key) {
        (Shape::NetworkPolicy, "metadata") => (Shape::Metadata, false),
        (Shape::NetworkPolicy, "spec") => (Shape::Spec, false),
        (Shape::Spec, "podSelector") => (Shape::Selector, false),
        (Shape::Spec, "ingress") => (Shape::IngressRule, true),
        (Shape::Spec, "egress") => (Shape::EgressRule, true),
        (Shape::IngressRule, "from") | (Shape::EgressRule, "to") => (Shape::Peer, true),
        (Shape::IngressRule | Shape::EgressRule, "ports") => (Shape::Port, true),
        (Shape::Peer, "podSelector" | "namespaceSelector") => (Shape::Selector, false),
        (Shape::Peer, "ipBlock") => (Shape::IpBlock, false),
        (Shape::Selector, "matchExpressions") => (Shape::Requirement, true),
        _ => (Shape::Free, false),
    }
}

/// A set of shapes that says which fields a mapping may have and what its fields hold.
/// NetworkPolicy's shapes are [`Shape`]; other kinds (ClusterNetworkPolicy) bring their own.
pub(crate) trait Schema: Copy {
    /// The fields a mapping of this shape may have.
    fn fields(self) -> &'static [&'static str];
    /// The shape of a field's value (`None`: anything goes), and whether it is a list of it.
    fn child(self, key: &str) -> (Option<Self>, bool);
}

impl Schema for Shape {
    fn fields(self) -> &'static [&'static str] {
        fields(self)
    }

    fn child(self, key: &str) -> (Option<Self>, bool) {
        let (shape, list) = child(self, key);
        ((shape != Shape::Free).then_some(shape), list)
    }
}

/// An unknown field: its key node, its path and the closest known field, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UnknownField {
    pub key: NodeId,
    pub path: String,
    pub field: String,
    pub suggestion: Option<&'static str>,
}

/// Unknown fields of a NetworkPolicy object (the whole tree).
pub(crate) fn unknown_in_network_policy(doc: &Document, object: NodeId) -> Vec<UnknownField> {
    unknown_fields(doc, object, Shape::NetworkPolicy)
}

/// Unknown fields of any other object's `metadata`.
pub(crate) fn unknown_in_metadata(doc: &Document, object: NodeId) -> Vec<UnknownField> {
    let mut out = Vec::new();
    if let Some(meta) = doc.get(object, "metadata") {
        walk(doc, meta, Shape::Metadata, &mut out, 0);
    }
    out
}

/// Unknown fields of an object whose own schema (`root`) leaves `metadata` free: those of
/// its `metadata`, then those under `root`.
pub(crate) fn unknown_in_object<S: Schema>(
    doc: &Document,
    object: NodeId,
    root: S,
) -> Vec<UnknownField> {
    let mut out = unknown_in_metadata(doc, object);
    out.extend(unknown_fields(doc, object, root));
    out
}

/// Unknown fields anywhere under `object`, read as `shape`.
pub(crate) fn unknown_fields<S: Schema>(
    doc: &Document,
    object: NodeId,
    shape: S,
) -> Vec<UnknownField> {
    let mut out = Vec::new();
    walk(doc, object, shape, &mut out, 0);
    out
}

fn walk<S: Schema>(
    doc: &Document,
    node: NodeId,
    shape: S,
    out: &mut Vec<UnknownField>,
    depth: usize,
) {
    // Wrong types are reported by typed decoding; the tree's depth is bounded already.
    if !doc.is_map(node) || depth > crate::yaml::MAX_DEPTH {
        return;
    }
    let known = shape.fields();
    doc.for_each_entry(node, &mut |k, v| {
        let Some(key) = doc.key_string(k) else {
            return;
        };
        if !known.contains(&key.as_ref()) {
            // The path is spelled out only for what is reported.
            out.push(UnknownField {
                key: k,
                path: doc.path_of(k),
                field: key.to_string(),
                suggestion: crate::suggest::closest(&key, known.iter().copied()),
            });
            return;
        }
        let (Some(sub), is_list) = shape.child(&key) else {
            return;
        };
        if is_list {
            for item in doc.items(v) {
                walk(doc, *item, sub, out, depth + 1);
            }
        } else {
            walk(doc, v, sub, out, depth + 1);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos_deep_in_a_policy() {
        let doc = Document::parse(
            "kind: NetworkPolicy\nspec:\n  podselector: {}\n  ingress:\n    - from:\n        - podSelector: {matchLabel: {a: b}}\n",
        )
        .unwrap();
        let found = unknown_in_network_policy(&doc, doc.root().unwrap());
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].path, "spec.podselector");
        assert_eq!(found[0].suggestion, Some("podSelector"));
        assert_eq!(
            found[1].path,
            "spec.ingress[0].from[0].podSelector.matchLabel"
        );
        assert_eq!(found[1].suggestion, Some("matchLabels"));
    }
}
