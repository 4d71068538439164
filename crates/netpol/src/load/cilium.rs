//! Cilium objects in a document: CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy
//! (each rule of `spec`/`specs` decoded and validated on its own by `cilium::validate`,
//! so that an error in one entry of `specs` leaves the others evaluating, with a warning
//! that the agent would refuse the whole object), and CiliumCIDRGroup.

use serde::Deserialize;

use super::document::{Cx, Object};
use super::objects::Meta;
use crate::cidr::Cidr;
use crate::cilium::api::Rule;
use crate::cilium::validate::{self, Owner};
use crate::cilium::{CidrGroup, CiliumKind, CiliumPolicy};
use crate::diag;
use crate::yaml::NodeId;

/// The object without its rules: they are decoded one by one.
#[derive(Debug, Default, Deserialize)]
struct Head {
    metadata: Option<Meta>,
}

/// A CiliumCIDRGroup.
#[derive(Debug, Default, Deserialize)]
struct CidrGroupObject {
    metadata: Option<Meta>,
    spec: Option<CidrGroupSpec>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CidrGroupSpec {
    #[serde(rename = "externalCIDRs")]
    external_cidrs: Option<Vec<String>>,
}

/// The apiVersion CiliumCIDRGroup is read at (the connectivity tests' manifest for Cilium
/// after 1.17).
pub(crate) const CIDR_GROUP_VERSION: &str = "cilium.io/v2alpha1";

impl Cx<'_> {
    pub(super) fn cilium_policy(&mut self, node: NodeId, kind: CiliumKind) {
        let tree = self.tree;
        // Unknown fields: an unknown field inside a rule drops that rule only; one outside
        // every rule (top level, metadata) drops the object, as for every kind.
        let unknown = crate::cilium::schema::unknown_fields(tree, node);
        let mut bad_rules: Vec<String> = Vec::new();
        let mut object_rejected = false;
        for u in unknown {
            self.unknown_field(
                &u,
                "remove it: the API server's schema validation rejects it",
            );
            match rule_of(&u.path) {
                Some(rule) => bad_rules.push(rule),
                None => object_rejected = true,
            }
        }
        if object_rejected {
            return;
        }
        let Some(head) = self.decode::<Head>(node) else {
            return;
        };
        let meta = head.metadata.unwrap_or_default();
        let namespaced = kind == CiliumKind::Namespaced;
        let Some(identity) = self.identity(node, &meta, kind.as_str(), namespaced) else {
            return;
        };
        let spec = tree.get(node, "spec").filter(|n| !tree.is_null(*n));
        let specs = tree.get(node, "specs").filter(|n| !tree.is_null(*n));
        if spec.is_none() && specs.is_none() {
            self.error(
                diag::MISSING_FIELD,
                self.at_path(node, "kind", true),
                "spec or specs must be provided",
            )
            .help("add `spec:` with an `endpointSelector` and `ingress`/`egress` rules");
            return;
        }
        let mut written: Vec<(NodeId, String, Option<usize>)> = Vec::new();
        if let Some(s) = spec {
            written.push((s, "spec".to_string(), None));
        }
        if let Some(list) = specs {
            if tree.is_seq(list) {
                for (i, item) in tree.items(list).iter().enumerate() {
                    written.push((*item, format!("specs[{i}]"), Some(i)));
                }
            } else {
                self.error(
                    diag::WRONG_TYPE,
                    self.at(list, false),
                    "`specs` must be a list of rules",
                );
            }
        }
        let owner = Owner {
            kind,
            namespace: namespaced.then_some(identity.namespace.as_str()),
        };
        let mut rules = Vec::new();
        let mut entry_origins = Vec::new();
        let mut refused = !bad_rules.is_empty();
        for (rule_node, path, index) in written {
            let Some(decoded) = self.decode::<Rule>(rule_node) else {
                refused = true;
                continue;
            };
            let (rule, problems) = validate::rule(owner, &decoded, &path, index);
            refused |= problems
                .iter()
                .any(|p| p.code.severity == diag::Severity::Error);
            self.report_problems(node, problems);
            if let Some(rule) = rule.filter(|_| !bad_rules.contains(&path)) {
                for e in rule.ingress.iter().chain(&rule.egress) {
                    let at = format!("{}[{}]", e.list.as_str(), e.index);
                    let origin = self.at_path(rule_node, &at, false);
                    entry_origins.push(((rule.spec_index, e.list, e.index), origin));
                }
                rules.push(rule);
            }
        }
        if refused {
            self.error(
                diag::CILIUM_OBJECT_REFUSED,
                self.at_path(node, "metadata.name", false),
                format!(
                    "the agent refuses all of {} `{}` because one of its rules has an error; the playground evaluates the {} rule(s) without one",
                    kind.as_str(),
                    identity.name,
                    rules.len()
                ),
            )
            .help("fix the errors above: until then Cilium enforces none of this object's rules");
        }
        let policy = CiliumPolicy {
            kind,
            namespace: namespaced.then(|| identity.namespace.clone()),
            name: identity.name.clone(),
            rules,
            rejected_by_agent: refused,
            origin: Some(self.at(node, false)),
            entry_origins,
        };
        self.out
            .objects
            .push(Object::CiliumPolicy(policy, identity, node));
    }

    pub(super) fn cidr_group(&mut self, node: NodeId) {
        let unknown = crate::schema::unknown_in_metadata(self.tree, node);
        for u in &unknown {
            let at = self.at(u.key, false);
            self.error(
                diag::UNKNOWN_FIELD,
                at,
                format!("unknown field `{}`", u.field),
            );
        }
        if !unknown.is_empty() {
            return;
        }
        let Some(object) = self.decode::<CidrGroupObject>(node) else {
            return;
        };
        let meta = object.metadata.unwrap_or_default();
        let Some(identity) = self.identity(node, &meta, "CiliumCIDRGroup", false) else {
            return;
        };
        let mut cidrs = Vec::new();
        let listed = object
            .spec
            .and_then(|s| s.external_cidrs)
            .unwrap_or_default();
        for (i, text) in listed.iter().enumerate() {
            match Cidr::parse(text, false) {
                Ok(c) => cidrs.push(c.network()),
                Err(e) => {
                    self.error(
                        diag::INVALID_VALUE,
                        self.at_path(node, &format!("spec.externalCIDRs[{i}]"), false),
                        format!("unable to parse CIDR: {e}"),
                    );
                    return;
                }
            }
        }
        let group = CidrGroup {
            name: identity.name.clone(),
            labels: meta.labels.unwrap_or_default(),
            cidrs,
        };
        self.out.objects.push(Object::CidrGroup(group, identity));
    }
}

/// `spec` or `specs[i]` for a path inside a rule; `None` outside every rule.
fn rule_of(path: &str) -> Option<String> {
    if path == "spec" || path.starts_with("spec.") {
        return Some("spec".to_string());
    }
    let rest = path.strip_prefix("specs[")?;
    let end = rest.find(']')?;
    Some(format!("specs[{}]", &rest[..end]))
}
