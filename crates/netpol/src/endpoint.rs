//! Endpoints of a connection: a pod (or workload) of the cluster, or an address outside
//! it, and their textual ids (`namespace/name`, `ip:8.8.8.8`, `ip:10.0.0.0/8`).

use std::fmt;

use crate::cidr::Cidr;
use crate::model::Cluster;
use crate::syntax::EndpointRef;

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
    /// The pod this endpoint is, if it is one of `cluster`'s pods.
    pub fn pod<'c>(&self, cluster: &'c Cluster) -> Option<&'c crate::model::Pod> {
        match self {
            Endpoint::Pod(i) => cluster.pods.get(*i),
            Endpoint::External(_) => None,
        }
    }

    /// Resolves `namespace/name` against the cluster, or reads `ip:ADDR[/PREFIX]`; the
    /// spelling is [`crate::syntax::endpoint`]'s. An id of the cluster always resolves, so
    /// ends that only a flow log named are found too.
    pub fn parse(cluster: &Cluster, id: &str) -> Result<Endpoint, EndpointError> {
        let id = id.trim();
        if let Some(i) = cluster.pod_index(id) {
            return Ok(Endpoint::Pod(i));
        }
        match crate::syntax::endpoint(id) {
            Ok(EndpointRef::External(c)) => Ok(Endpoint::External(c)),
            Ok(EndpointRef::Pod { .. }) => Err(no_such_pod(cluster, id)),
            Err(e) => Err(EndpointError(format!("endpoint `{id}`: {e}"))),
        }
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

/// An id that reads as a pod but names none, with the closest that exists.
fn no_such_pod(cluster: &Cluster, id: &str) -> EndpointError {
    let known: Vec<String> = cluster.pods.iter().map(|p| p.id()).collect();
    let hint = crate::suggest::closest(id, known.iter().map(String::as_str))
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    EndpointError(format!("endpoint `{id}`: no such pod or workload{hint}"))
}

/// `ip:8.8.8.8` for a host, `ip:10.0.0.0/8` for a range.
pub fn external_id(c: &Cidr) -> String {
    if c.is_host() {
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
