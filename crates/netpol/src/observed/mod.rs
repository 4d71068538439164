//! Observed traffic: flow logs (Hubble's `hubble observe -o json`, or a plain CSV) read into
//! the distinct connections they contain, with their ends matched to the manifests'
//! endpoints, so they can be replayed against the policies ([`replay()`]) or turned into
//! arrows for the generator ([`intents`]).
//!
//! Not to be confused with [`crate::flows`], the diagram's allowed flows.
//!
//! - Reading is a push API ([`Reader::push_line`]): the caller hands over one line at a time,
//!   and memory grows with the distinct connections `(from, to, port, protocol)` and the
//!   distinct pods, never with the lines.
//! - Which records count: a reply (`is_reply`, or where it is absent a SYN-ACK or a record
//!   running the reverse way of a connection already seen) is not a connection; a flow seen
//!   at both ends (EGRESS at the source, INGRESS at the destination) counts once
//!   (`count` is the larger of the two directions' record counts, plus records without a
//!   direction); records that are not an L3/L4 TCP, UDP or SCTP connection (ICMP, L7,
//!   `lost_events`, `node_status`) are counted as skipped.
//! - Ends: a pod the flow names is the manifests' Pod of that namespace and name; else the
//!   workload of its namespace whose pod template's labels the pod carries (a Deployment's
//!   pod `web-5d9c7b-abcde` is `ns/web`); else an endpoint of its own, seen only in flows,
//!   named after the flow's workload (`workloads[].name`) or pod, with the flow's `k8s:`
//!   labels minus those Cilium adds. An address outside every pod is an external endpoint.
//! - Bad input is a [`FlowDiagnostic`] at its line, column and field; the rest replays.

mod csv;
mod hubble;
mod render;
mod replay;
mod skim;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::net::IpAddr;

use crate::cidr::Cidr;
use crate::diag::Severity;
use crate::endpoint::Endpoint;
use crate::model::{Cluster, EndpointKind, Labels, Pod};
use crate::ports::Protocol;

pub use render::{
    csv as render_csv, json as render_json, markdown as render_markdown, text as render_text,
};
pub use replay::{
    causes, intents, replay, replay_connections, replay_per_connection, Replayed, Replayer,
};

/// Lines longer than this (1 MiB) are skipped with a diagnostic; a Hubble record is a few
/// kilobytes.
pub const MAX_LINE: usize = 1 << 20;

/// How many diagnostics are kept; the rest are only counted.
const MAX_DIAGNOSTICS: usize = 200;

/// A problem with one line of a flow log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowDiagnostic {
    /// The log's name.
    pub source: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (bytes in the line) where the problem is, 1 when not known.
    pub column: usize,
    /// The field, as a path (`flow.l4.TCP.destination_port`), when one is to blame.
    pub field: Option<String>,
    /// Error: the record was skipped; warning: it was read, something in it was not.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for FlowDiagnostic {
    /// `file:line:col: severity: field: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: ",
            self.source,
            self.line,
            self.column,
            self.severity.as_str()
        )?;
        if let Some(field) = &self.field {
            write!(f, "`{field}`: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Records that are not connections, by reason.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// Reply packets of a connection.
    pub replies: u64,
    /// ICMP, L7 records, `lost_events` and `node_status` lines, flows without L4.
    pub not_l4: u64,
    /// Lines that could not be read (each has a diagnostic, up to a limit).
    pub unreadable: u64,
}

/// One distinct connection of the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    /// The end that opened it.
    pub from: Endpoint,
    /// The end that accepted it.
    pub to: Endpoint,
    /// Destination port.
    pub port: u16,
    /// Transport protocol.
    pub protocol: Protocol,
    /// How many times it was seen: its forward records, a record seen at both ends once.
    pub count: u64,
    /// Forward records Hubble marked FORWARDED (or REDIRECTED, TRACED, TRANSLATED).
    pub forwarded: u64,
    /// Forward records Hubble marked DROPPED (or ERROR).
    pub dropped: u64,
    /// Forward records Hubble marked AUDIT (would be dropped out of audit mode).
    pub audit: u64,
    /// Earliest `time` of its records (RFC 3339), when the log has times.
    pub first_seen: Option<String>,
    /// Latest `time` of its records.
    pub last_seen: Option<String>,
    /// The line of its first record.
    pub line: usize,
    /// Both ends are one endpoint of the manifests (a workload) but the log shows two of
    /// its pods (different pod names or addresses): traffic between replicas, which the
    /// policies decide, not a pod talking to itself.
    pub between_replicas: bool,
}

impl Connection {
    /// What Hubble recorded: `FORWARDED` when any record was forwarded (the connection
    /// worked), else `DROPPED`, else `AUDIT`; `None` when the log has no verdicts (CSV).
    pub fn observed(&self) -> Option<&'static str> {
        if self.forwarded > 0 {
            Some("FORWARDED")
        } else if self.dropped > 0 {
            Some("DROPPED")
        } else if self.audit > 0 {
            Some("AUDIT")
        } else {
            None
        }
    }
}

/// A flow log, read.
#[derive(Clone, Debug, Default)]
pub struct Observed {
    /// The manifests' cluster plus the endpoints seen only in flows (appended to `pods`)
    /// and the namespaces they live in.
    pub cluster: Cluster,
    /// Indices into `cluster.pods` of the endpoints seen only in flows, ascending.
    pub flow_only: Vec<usize>,
    /// Distinct connections, sorted by from, to, protocol, port (ids as `matrix` writes
    /// them).
    pub connections: Vec<Connection>,
    /// Records that are not connections.
    pub skipped: Skipped,
    /// Problems with the log, in line order (at most 200; see `more_diagnostics`).
    pub diagnostics: Vec<FlowDiagnostic>,
    /// Diagnostics left out beyond the first 200.
    pub more_diagnostics: u64,
    /// Events Hubble reported lost (`lost_events`): the log is incomplete.
    pub lost_events: u64,
    /// Non-blank lines read.
    pub lines: u64,
}

impl Observed {
    /// True when pod `index` of `cluster` was seen only in flows.
    pub fn is_flow_only(&self, index: usize) -> bool {
        self.flow_only.binary_search(&index).is_ok()
    }

    /// True when `endpoint` was seen only in flows.
    pub fn endpoint_is_flow_only(&self, endpoint: &Endpoint) -> bool {
        matches!(endpoint, Endpoint::Pod(i) if self.is_flow_only(*i))
    }
}

/// Reads a whole log at once ([`Reader`] for a stream).
pub fn read(cluster: Cluster, source: &str, text: &str) -> Observed {
    let mut reader = Reader::new(cluster, source);
    for line in text.split('\n') {
        reader.push_line(line.as_bytes());
    }
    reader.finish()
}

/// The log's format, known from its first non-blank line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Hubble,
    Csv,
}

/// A time as a sortable key and as written.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Stamp {
    key: (u64, u32),
    text: String,
}

#[derive(Clone, Debug, Default)]
struct Stats {
    egress: u64,
    ingress: u64,
    undirected: u64,
    forwarded: u64,
    dropped: u64,
    audit: u64,
    first: Option<Stamp>,
    last: Option<Stamp>,
    line: usize,
    between_replicas: bool,
}

type Key = (Endpoint, Endpoint, u16, Protocol);

/// What one record says about its connection.
struct Record<'r> {
    from: Endpoint,
    to: Endpoint,
    port: u16,
    protocol: Protocol,
    times: u64,
    direction: Option<&'r str>,
    verdict: Option<&'r str>,
    time: Option<&'r str>,
    /// Two different pods of one endpoint (see [`Connection::between_replicas`]).
    between_replicas: bool,
}

/// Reads a flow log one line at a time.
pub struct Reader {
    source: String,
    cluster: Cluster,
    flow_only: Vec<usize>,
    /// `ns/name` of the manifests' bare Pods (what a flow's `pod_name` matches first).
    bare_pods: HashMap<String, usize>,
    /// Every endpoint by id (`ns/name`), manifests' and flows'.
    by_id: HashMap<String, usize>,
    /// Ends already resolved, by `ns/pod_name` as the flow names them.
    resolved: HashMap<String, usize>,
    /// Pod addresses: the manifests' and those learned from flows.
    by_ip: HashMap<IpAddr, usize>,
    /// Namespace labels Hubble reported (`k8s:io.cilium.k8s.namespace.labels.*`).
    hubble_namespaces: BTreeMap<String, Labels>,
    connections: HashMap<Key, Stats>,
    skipped: Skipped,
    diagnostics: Vec<FlowDiagnostic>,
    more_diagnostics: u64,
    lost_events: u64,
    lines: u64,
    line: usize,
    format: Option<Format>,
    key: String,
    warned_time: bool,
}

impl Reader {
    /// A reader matching ends against `cluster` (the loaded manifests); `source` names the
    /// log in diagnostics.
    pub fn new(cluster: Cluster, source: &str) -> Reader {
        let mut bare_pods = HashMap::new();
        let mut by_id = HashMap::new();
        let mut by_ip = HashMap::new();
        for (i, pod) in cluster.pods.iter().enumerate() {
            let id = pod.id();
            if pod.kind == EndpointKind::Pod {
                bare_pods.entry(id.clone()).or_insert(i);
            }
            by_id.entry(id).or_insert(i);
            for ip in &pod.ips {
                by_ip.entry(*ip).or_insert(i);
            }
        }
        Reader {
            source: source.to_string(),
            cluster,
            flow_only: Vec::new(),
            bare_pods,
            by_id,
            resolved: HashMap::new(),
            by_ip,
            hubble_namespaces: BTreeMap::new(),
            connections: HashMap::new(),
            skipped: Skipped::default(),
            diagnostics: Vec::new(),
            more_diagnostics: 0,
            lost_events: 0,
            lines: 0,
            line: 0,
            format: None,
            key: String::new(),
            warned_time: false,
        }
    }

    /// Reads the next line (without its newline; a trailing `\r` is ignored).
    pub fn push_line(&mut self, line: &[u8]) {
        self.line += 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(first) = line.iter().position(|b| !b.is_ascii_whitespace()) else {
            return;
        };
        self.lines += 1;
        if line.len() > MAX_LINE {
            self.overlong(line.len());
            return;
        }
        let format = *self
            .format
            .get_or_insert(if line.get(first) == Some(&b'{') {
                Format::Hubble
            } else {
                Format::Csv
            });
        match format {
            Format::Hubble => self.hubble_line(line),
            Format::Csv => match std::str::from_utf8(line) {
                Ok(text) => self.csv_line(text),
                Err(e) => self.unreadable(
                    e.valid_up_to() + 1,
                    None,
                    "the line is not UTF-8 text".to_string(),
                ),
            },
        }
    }

    /// Counts a line the caller did not keep because it is longer than [`MAX_LINE`].
    pub fn push_overlong(&mut self, len: usize) {
        self.line += 1;
        self.lines += 1;
        self.overlong(len);
    }

    fn overlong(&mut self, len: usize) {
        self.unreadable(
            1,
            None,
            format!(
                "the line is {len} bytes long, more than the {MAX_LINE} a record may take: skipped"
            ),
        );
    }

    /// The distinct connections, sorted, and everything else the log said.
    pub fn finish(self) -> Observed {
        let Reader {
            mut cluster,
            flow_only,
            connections,
            hubble_namespaces,
            skipped,
            diagnostics,
            more_diagnostics,
            lost_events,
            lines,
            ..
        } = self;
        cluster.complete_namespaces();
        for ns in &mut cluster.namespaces {
            if ns.declared {
                continue;
            }
            if let Some(labels) = hubble_namespaces.get(&ns.name) {
                for (k, v) in labels {
                    ns.labels.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
        }
        let mut sorted: Vec<(String, String, Connection)> = connections
            .into_iter()
            .map(|((from, to, port, protocol), s)| {
                let connection = Connection {
                    count: s.egress.max(s.ingress).saturating_add(s.undirected),
                    forwarded: s.forwarded,
                    dropped: s.dropped,
                    audit: s.audit,
                    first_seen: s.first.map(|t| t.text),
                    last_seen: s.last.map(|t| t.text),
                    line: s.line,
                    between_replicas: s.between_replicas,
                    from,
                    to,
                    port,
                    protocol,
                };
                (
                    connection.from.id(&cluster),
                    connection.to.id(&cluster),
                    connection,
                )
            })
            .collect();
        crate::sorting::sort_by(&mut sorted, |a, b| {
            (&a.0, &a.1, a.2.protocol, a.2.port).cmp(&(&b.0, &b.1, b.2.protocol, b.2.port))
        });
        Observed {
            cluster,
            flow_only,
            connections: sorted.into_iter().map(|(_, _, c)| c).collect(),
            skipped,
            diagnostics,
            more_diagnostics,
            lost_events,
            lines,
        }
    }

    fn diagnose(
        &mut self,
        severity: Severity,
        column: usize,
        field: Option<String>,
        message: String,
    ) {
        if self.diagnostics.len() >= MAX_DIAGNOSTICS {
            self.more_diagnostics += 1;
            return;
        }
        self.diagnostics.push(FlowDiagnostic {
            source: self.source.clone(),
            line: self.line,
            column: column.max(1),
            field,
            severity,
            message,
        });
    }

    /// Skips the line as unreadable, with an error diagnostic.
    fn unreadable(&mut self, column: usize, field: Option<String>, message: String) {
        self.skipped.unreadable += 1;
        self.diagnose(Severity::Error, column, field, message);
    }

    /// Adds one record's worth to its connection.
    fn count(&mut self, r: Record<'_>) {
        let line = self.line;
        let stamp = r.time.and_then(|t| {
            let key = time_key(t);
            if key.is_none() && !self.warned_time {
                self.warned_time = true;
                self.diagnose(
                    Severity::Warning,
                    1,
                    Some("time".to_string()),
                    format!("`{t}` is not an RFC 3339 time in UTC (`2024-05-01T12:00:00.123Z`): first and last seen leave it out (reported once)"),
                );
            }
            key.map(|key| (key, t))
        });
        let stats = self
            .connections
            .entry((r.from, r.to, r.port, r.protocol))
            .or_insert_with(|| Stats {
                line,
                ..Stats::default()
            });
        stats.between_replicas |= r.between_replicas;
        match r.direction {
            Some("EGRESS") => stats.egress += r.times,
            Some("INGRESS") => stats.ingress += r.times,
            _ => stats.undirected += r.times,
        }
        match r.verdict {
            Some("FORWARDED" | "REDIRECTED" | "TRACED" | "TRANSLATED") => stats.forwarded += 1,
            Some("DROPPED" | "ERROR") => stats.dropped += 1,
            Some("AUDIT") => stats.audit += 1,
            _ => {}
        }
        if let Some((key, text)) = stamp {
            if stats.first.as_ref().is_none_or(|f| key < f.key) {
                set_stamp(&mut stats.first, key, text);
            }
            if stats.last.as_ref().is_none_or(|l| key > l.key) {
                set_stamp(&mut stats.last, key, text);
            }
        }
    }

    /// True when a connection `from -> to` on `port`/`protocol` was seen.
    fn seen(&self, from: &Endpoint, to: &Endpoint, port: u16, protocol: Protocol) -> bool {
        self.connections
            .contains_key(&(from.clone(), to.clone(), port, protocol))
    }

    /// An address: a pod's (the manifests' or one learned from flows), else outside.
    fn address(&self, ip: IpAddr) -> Endpoint {
        match self.by_ip.get(&ip) {
            Some(i) => Endpoint::Pod(*i),
            None => Endpoint::External(Cidr::host(ip)),
        }
    }

    /// Adds an endpoint seen only in flows (or returns the one of that id).
    fn flow_endpoint(
        &mut self,
        namespace: &str,
        name: &str,
        kind: EndpointKind,
        labels: Labels,
    ) -> usize {
        let id = format!("{namespace}/{name}");
        if let Some(i) = self.by_id.get(&id) {
            return *i;
        }
        let index = self.cluster.pods.len();
        self.cluster.pods.push(Pod {
            namespace: namespace.to_string(),
            name: name.to_string(),
            kind,
            labels,
            ports: Vec::new(),
            ips: Vec::new(),
            host_network: false,
            origin: None,
        });
        self.flow_only.push(index);
        self.by_id.insert(id, index);
        index
    }

    /// Records that `ip` belongs to endpoint `index`, when it is one seen only in flows.
    fn learn_address(&mut self, index: usize, ip: Option<IpAddr>) {
        let Some(ip) = ip else { return };
        if self.flow_only.binary_search(&index).is_err() || self.by_ip.contains_key(&ip) {
            return;
        }
        if let Some(pod) = self.cluster.pods.get_mut(index) {
            pod.ips.push(ip);
            self.by_ip.insert(ip, index);
        }
    }
}

/// The workload of `namespace` among the manifests whose pod template's labels `labels`
/// carries: the one the flow names, else the one whose name starts the pod's, else the one
/// with the most labels (the most specific).
fn workload_for(
    cluster: &Cluster,
    flow_only: &[usize],
    namespace: &str,
    labels: &Labels,
    pod_name: Option<&str>,
    workload: Option<&str>,
) -> Option<usize> {
    let candidates: Vec<(usize, &Pod)> = cluster
        .pods
        .iter()
        .enumerate()
        .filter(|(i, p)| {
            p.namespace == namespace
                && p.kind != EndpointKind::Pod
                && !p.labels.is_empty()
                && flow_only.binary_search(i).is_err()
                && p.labels.iter().all(|(k, v)| labels.get(k) == Some(v))
        })
        .collect();
    if let Some(name) = workload {
        if let Some((i, _)) = candidates.iter().find(|(_, p)| p.name == name) {
            return Some(*i);
        }
    }
    if let Some(pod) = pod_name {
        let prefixed = candidates.iter().find(|(_, p)| {
            pod.strip_prefix(p.name.as_str())
                .is_some_and(|rest| rest.starts_with('-'))
        });
        if let Some((i, _)) = prefixed {
            return Some(*i);
        }
    }
    candidates
        .iter()
        .rev()
        .max_by_key(|(_, p)| p.labels.len())
        .map(|(i, _)| *i)
}

/// Labels Cilium adds to an endpoint's Kubernetes labels, which are not the pod's own.
fn cilium_label(key: &str) -> bool {
    key == "io.kubernetes.pod.namespace"
        || key.starts_with("io.cilium.k8s.policy.")
        || key.starts_with("io.cilium.k8s.namespace.labels.")
        || key == "io.cilium.k8s.policy"
}

/// Splits Hubble's labels (`k8s:app=web`) into the pod's own and its namespace's.
fn split_labels<'l>(labels: impl Iterator<Item = &'l str>) -> (Labels, Labels) {
    let mut pod = Labels::new();
    let mut namespace = Labels::new();
    for label in labels {
        let Some(kv) = label.strip_prefix("k8s:") else {
            continue;
        };
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        if let Some(ns_key) = k.strip_prefix("io.cilium.k8s.namespace.labels.") {
            namespace.insert(ns_key.to_string(), v.to_string());
        } else if !cilium_label(k) {
            pod.insert(k.to_string(), v.to_string());
        }
    }
    (pod, namespace)
}

fn set_stamp(slot: &mut Option<Stamp>, key: (u64, u32), text: &str) {
    match slot {
        Some(s) => {
            s.key = key;
            s.text.clear();
            s.text.push_str(text);
        }
        None => {
            *slot = Some(Stamp {
                key,
                text: text.to_string(),
            })
        }
    }
}

/// `2024-05-01T12:00:00.123456789Z` as (YYYYMMDDhhmmss, nanoseconds). Protobuf's JSON
/// writes timestamps in UTC with 0, 3, 6 or 9 fractional digits, so the text alone does
/// not sort.
fn time_key(t: &str) -> Option<(u64, u32)> {
    let b = t.as_bytes();
    let (main, rest) = (b.get(..19)?, b.get(19..)?);
    let shape = b"dddd-dd-ddTdd:dd:dd";
    let mut secs: u64 = 0;
    for (c, s) in main.iter().zip(shape) {
        if *s == b'd' {
            if !c.is_ascii_digit() {
                return None;
            }
            secs = secs * 10 + u64::from(c - b'0');
        } else if c != s && !(*s == b'T' && *c == b't') {
            return None;
        }
    }
    let rest = rest
        .strip_suffix(b"Z")
        .or_else(|| rest.strip_suffix(b"z"))?;
    let mut nanos: u32 = 0;
    if let Some(frac) = rest.strip_prefix(b".") {
        if frac.is_empty() || frac.len() > 9 || !frac.iter().all(u8::is_ascii_digit) {
            return None;
        }
        for i in 0..9 {
            nanos = nanos * 10 + frac.get(i).map_or(0, |c| u32::from(c - b'0'));
        }
    } else if !rest.is_empty() {
        return None;
    }
    Some((secs, nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_sort_by_value_not_text() {
        let a = time_key("2024-05-01T12:00:00.1Z").unwrap();
        let b = time_key("2024-05-01T12:00:00.169Z").unwrap();
        assert!(a < b);
        assert!(time_key("2024-05-01T12:00:00Z").unwrap() < a);
        assert_eq!(time_key("2024-05-01 12:00:00Z"), None);
        assert_eq!(time_key("2024-05-01T12:00:00+02:00"), None);
        assert_eq!(time_key("x"), None);
    }

    #[test]
    fn cilium_labels_are_not_the_pods() {
        let (pod, ns) = split_labels(
            [
                "k8s:app=web",
                "k8s:io.kubernetes.pod.namespace=shop",
                "k8s:io.cilium.k8s.policy.serviceaccount=default",
                "k8s:io.cilium.k8s.namespace.labels.team=a",
                "reserved:world",
            ]
            .into_iter(),
        );
        assert_eq!(pod.len(), 1);
        assert_eq!(pod.get("app").map(String::as_str), Some("web"));
        assert_eq!(ns.get("team").map(String::as_str), Some("a"));
    }
}
