//! The fields the API knows, for the parts of objects where a typo changes what a policy
//! does: all of a NetworkPolicy, object metadata, and label selectors.
//!
//! k8s-openapi's types ignore unknown fields, as a lenient client would; kubectl's default
//! strict validation rejects them. This walk finds them and suggests the closest valid
//! field (`podselector` → `podSelector`).

use serde_yaml::Value;

/// Where in an object a mapping sits, which decides the fields it may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
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

/// An unknown field: its path and the closest known field, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UnknownField {
    pub path: String,
    pub field: String,
    pub suggestion: Option<&'static str>,
}

/// Unknown fields of a NetworkPolicy object (the whole tree).
pub(crate) fn unknown_in_network_policy(object: &Value) -> Vec<UnknownField> {
    let mut out = Vec::new();
    walk(object, Shape::NetworkPolicy, "", &mut out);
    out
}

/// Unknown fields of any other object's `metadata`.
pub(crate) fn unknown_in_metadata(object: &Value) -> Vec<UnknownField> {
    let mut out = Vec::new();
    if let Some(meta) = object.get("metadata") {
        walk(meta, Shape::Metadata, "metadata", &mut out);
    }
    out
}

fn walk(value: &Value, shape: Shape, path: &str, out: &mut Vec<UnknownField>) {
    if shape == Shape::Free {
        return;
    }
    let Value::Mapping(map) = value else {
        return; // wrong types are reported by typed decoding
    };
    let known = fields(shape);
    for (k, v) in map {
        let Some(key) = k.as_str() else { continue };
        let field_path = if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        };
        if !known.contains(&key) {
            out.push(UnknownField {
                path: field_path,
                field: key.to_string(),
                suggestion: crate::suggest::closest(key, known.iter().copied()),
            });
            continue;
        }
        let (sub, is_list) = child(shape, key);
        if is_list {
            if let Value::Sequence(items) = v {
                for (i, item) in items.iter().enumerate() {
                    walk(item, sub, &format!("{field_path}[{i}]"), out);
                }
            }
        } else {
            walk(v, sub, &field_path, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos_deep_in_a_policy() {
        let v: Value = serde_yaml::from_str(
            "kind: NetworkPolicy\nspec:\n  podselector: {}\n  ingress:\n    - from:\n        - podSelector: {matchLabel: {a: b}}\n",
        )
        .unwrap();
        let found = unknown_in_network_policy(&v);
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
