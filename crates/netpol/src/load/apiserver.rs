//! The API server's addresses, from the `kubernetes` Service's endpoints in `default`: an
//! `EndpointSlice` labelled `kubernetes.io/service-name: kubernetes`, or the `Endpoints`
//! object `default/kubernetes`. These are the addresses Cilium gives the
//! `reserved:kube-apiserver` label (cilium/cilium `pkg/k8s/watchers/endpoint*.go`,
//! `addKubeAPIServerServiceEPSliceV1` and `addKubeAPIServerServiceEndpoints`, which read the
//! same objects), so `toEntities: [kube-apiserver]` matches them. Every other slice or
//! Endpoints object is skipped with a note: nothing else in them is evaluated.

use std::net::IpAddr;

use serde::Deserialize;

use super::document::{Cx, Object};
use super::objects::Meta;
use crate::diag;
use crate::yaml::NodeId;

/// The label an EndpointSlice names its Service with.
const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

/// `discovery.k8s.io/v1` EndpointSlice: the fields the API server's addresses need.
#[derive(Clone, Debug, Default, Deserialize)]
struct EndpointSliceObject {
    metadata: Option<Meta>,
    #[serde(rename = "addressType")]
    address_type: Option<String>,
    endpoints: Option<Vec<SliceEndpoint>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
struct SliceEndpoint {
    addresses: Option<Vec<String>>,
}

/// `v1` Endpoints: the fields the API server's addresses need.
#[derive(Clone, Debug, Default, Deserialize)]
struct EndpointsObject {
    metadata: Option<Meta>,
    subsets: Option<Vec<Subset>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
struct Subset {
    addresses: Option<Vec<SubsetAddress>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
struct SubsetAddress {
    ip: Option<String>,
}

impl Cx<'_> {
    /// An EndpointSlice: the API server's addresses when it is the `kubernetes` Service's
    /// slice in `default`, else skipped.
    pub(super) fn endpoint_slice(&mut self, node: NodeId) {
        let Some(slice) = self.decode::<EndpointSliceObject>(node) else {
            return;
        };
        let meta = slice.metadata.clone().unwrap_or_default();
        let Some(identity) = self.identity(node, &meta, "EndpointSlice", true) else {
            return;
        };
        let service = meta
            .labels
            .as_ref()
            .and_then(|l| l.get(SERVICE_NAME_LABEL))
            .map(String::as_str);
        if identity.namespace != "default" || service != Some("kubernetes") {
            self.skipped_endpoints(node, "EndpointSlice");
            return;
        }
        // FQDN slices name hosts, not addresses: Cilium reads them as addresses and fails.
        if slice.address_type.as_deref() == Some("FQDN") {
            return;
        }
        let mut addresses = Vec::new();
        for (i, endpoint) in slice.endpoints.iter().flatten().enumerate() {
            for (j, text) in endpoint.addresses.iter().flatten().enumerate() {
                let path = format!("endpoints[{i}].addresses[{j}]");
                self.api_server_address(node, &path, text, &mut addresses);
            }
        }
        self.out
            .objects
            .push(Object::ApiServer(addresses, identity));
    }

    /// An Endpoints object: the API server's addresses when it is `default/kubernetes`,
    /// else skipped.
    pub(super) fn endpoints(&mut self, node: NodeId) {
        let Some(object) = self.decode::<EndpointsObject>(node) else {
            return;
        };
        let meta = object.metadata.clone().unwrap_or_default();
        let Some(identity) = self.identity(node, &meta, "Endpoints", true) else {
            return;
        };
        if identity.namespace != "default" || identity.name != "kubernetes" {
            self.skipped_endpoints(node, "Endpoints");
            return;
        }
        let mut addresses = Vec::new();
        for (i, subset) in object.subsets.iter().flatten().enumerate() {
            for (j, a) in subset.addresses.iter().flatten().enumerate() {
                if let Some(text) = &a.ip {
                    let path = format!("subsets[{i}].addresses[{j}].ip");
                    self.api_server_address(node, &path, text, &mut addresses);
                }
            }
        }
        self.out
            .objects
            .push(Object::ApiServer(addresses, identity));
    }

    fn api_server_address(&mut self, node: NodeId, path: &str, text: &str, out: &mut Vec<IpAddr>) {
        match text.parse::<IpAddr>() {
            Ok(ip) if !out.contains(&ip) => out.push(ip),
            Ok(_) => {}
            Err(_) => {
                self.error(
                    diag::INVALID_VALUE,
                    self.at_path(node, path, false),
                    format!("`{text}` is not an IP address"),
                );
            }
        }
    }

    fn skipped_endpoints(&mut self, node: NodeId, kind: &str) {
        self.error(
            diag::SKIPPED_KIND,
            self.at_path(node, "kind", false),
            format!(
                "skipped this `{kind}`: only the API server's (the `kubernetes` Service in `default`) is used, for Cilium's `kube-apiserver` entity"
            ),
        );
    }
}
