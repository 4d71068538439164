//! # netpol: Kubernetes NetworkPolicy semantics
//!
//! Load manifests ([`load()`]), then ask what may talk to what: [`verdict`] and [`explain`]
//! for one connection, [`matrix()`] for every ordered pair on some ports, and
//! [`connectivity()`] for the exact allowed ports of every pair. [`generate`] writes the
//! policies for drawn arrows and [`lint`] reports policies that do not do what they seem to.
//!
//! The crate is pure: no I/O, no web or terminal dependencies. It builds for the host (the
//! `netpol` CLI, tests, benchmarks) and for wasm32 (the playground). It never panics on
//! input: every problem is a [`Diagnostic`].
//!
//! ```
//! use netpol::{load, Source, Endpoint, Traffic, Protocol, verdict};
//! let yaml = "
//! apiVersion: v1
//! kind: Pod
//! metadata: {name: a, namespace: x, labels: {app: a}}
//! ---
//! apiVersion: v1
//! kind: Pod
//! metadata: {name: b, namespace: x, labels: {app: b}}
//! ---
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata: {name: deny-all, namespace: x}
//! spec: {podSelector: {}}
//! ";
//! let loaded = load(&[Source { name: "demo.yaml", text: yaml }]);
//! assert!(loaded.diagnostics.is_empty());
//! let c = &loaded.cluster;
//! let traffic = Traffic {
//!     from: Endpoint::parse(c, "x/a").unwrap(),
//!     to: Endpoint::parse(c, "x/b").unwrap(),
//!     port: 80,
//!     protocol: Protocol::Tcp,
//! };
//! assert!(!verdict(c, &traffic));
//! ```

pub mod arrows;
mod bits;
pub mod chain;
pub mod cidr;
pub mod cilium;
pub mod classes;
pub mod cnp;
pub mod connectivity;
pub mod diag;
pub mod diff;
pub mod endpoint;
pub mod eval;
pub mod expect;
mod fasthash;
pub mod flows;
pub mod format;
pub mod generate;
mod index;
pub mod lesson;
pub mod lint;
pub mod load;
mod matcher;
pub mod matrix;
pub mod model;
pub mod names;
pub mod observed;
pub mod ports;
pub mod render;
mod schema;
pub mod selector;
pub mod sorting;
mod suggest;
pub mod syntax;
#[cfg(test)]
mod test_support;
mod traffic;
pub mod workspace;
pub mod yaml;

pub use chain::{explain, verdict, Explanation, Stage};
pub use cidr::Cidr;
pub use connectivity::{connectivity, ConnectivityMap};
pub use diag::{Diagnostic, Severity};
pub use endpoint::Endpoint;
pub use load::{
    load, load_cached, load_owned, read_item, LoadCache, Loaded, Loader, ReadAgain, ReadItem,
    Source,
};
pub use matrix::{matrix, Matrix};
pub use model::{Cluster, Direction, Namespace, Node, Pod, Policy};
pub use ports::{Connections, Protocol};
pub use selector::Selector;
pub use suggest::closest;
pub use traffic::Traffic;
