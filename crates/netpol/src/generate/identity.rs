//! Exact selectors: which labels select one workload, and which label selects one namespace.
//!
//! A generated selector must select the endpoint it names and no other loaded endpoint,
//! or the policies would allow more than the intents. So the preferred label (the option,
//! or `app`, then `app.kubernetes.io/name`) is used only when it tells the workload apart in
//! its namespace; otherwise all of the workload's labels are; if even those also select
//! another workload, the generator refuses with an error that names both.
//!
//! Namespaces are selected by the chosen label when the namespace carries it with a value
//! no other namespace shares, and by `kubernetes.io/metadata.name` otherwise: Kubernetes
//! sets that label on every namespace, so the fallback is always exact.

use std::collections::{BTreeMap, HashMap};

use super::{GenerateError, Options, SelectorStyle};
use crate::model::{Cluster, Labels, Pod, NAMESPACE_NAME_LABEL};
use crate::selector::{Operator, Requirement, Selector};

/// The identity labels tried, in order, when the options name none.
const DEFAULT_IDENTITY: [&str; 2] = ["app", "app.kubernetes.io/name"];

/// Selector factory for one cluster and one set of options.
pub(super) struct Selectors<'c> {
    cluster: &'c Cluster,
    style: SelectorStyle,
    identity: Vec<String>,
    namespace_label: String,
    /// Endpoints per namespace, for the uniqueness checks.
    by_namespace: BTreeMap<&'c str, Vec<&'c Pod>>,
    /// How many namespaces carry each value of the namespace label.
    namespace_values: HashMap<&'c str, usize>,
}

impl<'c> Selectors<'c> {
    /// Validates the label options against the cluster.
    pub(super) fn new(cluster: &'c Cluster, options: &Options) -> Result<Self, GenerateError> {
        let identity = match &options.identity_label {
            Some(key) => {
                check_label_key(key, "identity label")?;
                if !cluster.pods.iter().any(|p| p.labels.contains_key(key)) {
                    return Err(GenerateError(format!(
                        "identity label `{key}`: no pod or workload carries it"
                    )));
                }
                vec![key.clone()]
            }
            None => DEFAULT_IDENTITY.iter().map(|s| s.to_string()).collect(),
        };
        let namespace_label = match &options.namespace_label {
            Some(key) => {
                check_label_key(key, "namespace label")?;
                let carried = key == NAMESPACE_NAME_LABEL
                    || cluster
                        .namespaces
                        .iter()
                        .any(|n| n.labels.contains_key(key));
                if !carried {
                    return Err(GenerateError(format!(
                        "namespace label `{key}`: no namespace carries it (every namespace carries `{NAMESPACE_NAME_LABEL}`)"
                    )));
                }
                key.clone()
            }
            None => NAMESPACE_NAME_LABEL.to_string(),
        };
        let mut by_namespace: BTreeMap<&str, Vec<&Pod>> = BTreeMap::new();
        for pod in &cluster.pods {
            by_namespace
                .entry(pod.namespace.as_str())
                .or_default()
                .push(pod);
        }
        let mut namespace_values: HashMap<&str, usize> = HashMap::new();
        for ns in &cluster.namespaces {
            if let Some(v) = ns.labels.get(&namespace_label) {
                *namespace_values.entry(v.as_str()).or_default() += 1;
            }
        }
        Ok(Selectors {
            cluster,
            style: options.selector,
            identity,
            namespace_label,
            by_namespace,
            namespace_values,
        })
    }

    /// The labels that select exactly `pod` among the endpoints of its namespace.
    pub(super) fn pod_labels(&self, pod: &Pod) -> Result<Labels, GenerateError> {
        if pod.labels.is_empty() {
            return Err(GenerateError(format!(
                "`{}` has no labels, and NetworkPolicies select pods by label: give it one (for example `app: {}`)",
                pod.id(),
                pod.name
            )));
        }
        let candidates = self
            .identity
            .iter()
            .filter_map(|key| pod.labels.get_key_value(key))
            .map(|(k, v)| Labels::from([(k.clone(), v.clone())]))
            .chain(std::iter::once(pod.labels.clone()));
        let mut last_other = None;
        for labels in candidates {
            match self.other_match(pod, &labels) {
                None => return Ok(labels),
                Some(other) => last_other = Some(other),
            }
        }
        let other = last_other.map(Pod::id).unwrap_or_default();
        Err(GenerateError(format!(
            "`{}` and `{other}` cannot be told apart: every label of `{}` ({}) is also on `{other}`, so a NetworkPolicy cannot select one without the other; give `{}` a label of its own (for example `app: {}`)",
            pod.id(),
            pod.id(),
            Selector { match_labels: pod.labels.clone(), match_expressions: Vec::new() },
            pod.id(),
            pod.name
        )))
    }

    /// Another endpoint of `pod`'s namespace that `labels` would also select.
    fn other_match(&self, pod: &Pod, labels: &Labels) -> Option<&'c Pod> {
        self.by_namespace
            .get(pod.namespace.as_str())?
            .iter()
            .copied()
            .find(|p| {
                // Same name and kind is the same endpoint (a duplicate manifest).
                !(p.name == pod.name && p.kind == pod.kind)
                    && labels.iter().all(|(k, v)| p.labels.get(k) == Some(v))
            })
    }

    /// A pod selector for `labels`, in the chosen style.
    pub(super) fn pod_selector(&self, labels: &Labels) -> Selector {
        match self.style {
            SelectorStyle::Labels => Selector {
                match_labels: labels.clone(),
                match_expressions: Vec::new(),
            },
            SelectorStyle::Expressions => Selector {
                match_labels: Labels::new(),
                match_expressions: labels
                    .iter()
                    .map(|(k, v)| Requirement {
                        key: k.clone(),
                        operator: Operator::In,
                        values: vec![v.clone()],
                    })
                    .collect(),
            },
        }
    }

    /// The selector of exactly namespace `name`. Always `matchLabels`: Kustomize's
    /// `commonLabels` does not touch namespaceSelectors.
    pub(super) fn namespace_selector(&self, name: &str) -> Selector {
        let chosen = self
            .cluster
            .namespace(name)
            .and_then(|ns| ns.labels.get(&self.namespace_label))
            .filter(|v| self.namespace_values.get(v.as_str()) == Some(&1));
        match chosen {
            Some(value) => Selector::labels([(self.namespace_label.as_str(), value.as_str())]),
            None => Selector::labels([(NAMESPACE_NAME_LABEL, name)]),
        }
    }
}

/// A label option must be a label key the API accepts, or no object could carry it.
fn check_label_key(key: &str, what: &str) -> Result<(), GenerateError> {
    if crate::names::is_label_key(key) {
        Ok(())
    } else {
        Err(GenerateError(format!(
            "{what} `{key}` is not a label key (`[prefix/]name`, the name up to 63 letters, digits, `-`, `_` or `.`)"
        )))
    }
}
