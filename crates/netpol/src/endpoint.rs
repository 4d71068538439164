//! Endpoints of a connection: a pod (or workload) of the cluster, or an address outside
//! it, and their textual ids (`namespace/name`, `ip:8.8.8.8`, `ip:10.0.0.0/8`).

use std::fmt;

use crate::cidr::Cidr;
use crate::model::Cluster;

/// One end of a connection.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// Index into [`Cluster::pods`].
    Pod(usize),
    /// An address or range outside the cluster.
    External(Cidr),
}

/// Why an endpoint id could not be resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointError(pub String);

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EndpointError {}

impl Endpoint {
    /// Resolves `namespace/name` against the cluster, or parses `ip:ADDR[/PREFIX]`.
    pub fn parse(cluster: &Cluster, id: &str) -> Result<Endpoint, EndpointError> {
        let id = id.trim();
        if let Some(addr) = id.strip_prefix("ip:") {
            let c = Cidr::parse(addr, true)
                .map_err(|e| EndpointError(format!("endpoint `{id}`: {e}")))?;
            if c.has_host_bits() {
                return Err(EndpointError(format!(
                    "endpoint `{id}`: `{c}` has bits set after the prefix; did you mean `ip:{}`?",
                    c.network()
                )));
            }
            return Ok(Endpoint::External(c));
        }
        if !id.contains('/') {
            return Err(EndpointError(format!(
                "endpoint `{id}`: write pods as `namespace/name` and addresses as `ip:8.8.8.8`"
            )));
        }
        cluster.pod_index(id).map(Endpoint::Pod).ok_or_else(|| {
            let known: Vec<String> = cluster.pods.iter().map(|p| p.id()).collect();
            let hint = crate::suggest::closest(id, known.iter().map(String::as_str))
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            EndpointError(format!("endpoint `{id}`: no such pod or workload{hint}"))
        })
    }

    /// The id as users write it.
    pub fn id(&self, cluster: &Cluster) -> String {
        match self {
            Endpoint::Pod(i) => cluster
                .pods
                .get(*i)
                .map(|p| p.id())
                .unwrap_or_else(|| format!("#{i}")),
            Endpoint::External(c) => external_id(c),
        }
    }
}

/// `ip:8.8.8.8` for a host, `ip:10.0.0.0/8` for a range.
pub fn external_id(c: &Cidr) -> String {
    let host = if c.is_ipv4() { 32 } else { 128 };
    if c.prefix == host {
        format!("ip:{}", c.addr)
    } else {
        format!("ip:{c}")
    }
}

/// All pods of the cluster followed by the given externals, in that order (the default
/// endpoint list of `matrix` and `connectivity`).
pub fn all_endpoints(cluster: &Cluster, externals: &[Cidr]) -> Vec<Endpoint> {
    (0..cluster.pods.len())
        .map(Endpoint::Pod)
        .chain(externals.iter().map(|c| Endpoint::External(c.network())))
        .collect()
}
