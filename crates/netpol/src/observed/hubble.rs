//! Hubble's flow records as `hubble observe -o json` (and `-o jsonpb`, and the exporter's
//! files) write them: one `GetFlowsResponse` per line, `{"flow": {...}, "node_name": ...,
//! "time": ...}`, or `{"lost_events": {...}}`; the legacy shape (`HUBBLE_COMPAT=
//! legacy-json-output`, CLI 0.10 and older) writes the flow object itself at the top level.
//!
//! Field names follow `api/v1/flow/flow.proto` (cilium/cilium): the proto declares no
//! `json_name`, and Hubble's printer writes the proto names (`pod_name`, `source_port`,
//! `traffic_direction`, `is_reply`, `IP`, `Type`), as every real sample shows. A protojson
//! encoder with default options writes lowerCamelCase instead (`podName`, `sourcePort`),
//! so those are accepted as aliases. Fields this module does not name are skipped unread:
//! Hubble adds fields in most releases (`emitter`, `cluster_name`, `policy_log`, ...).
//!
//! Two views of a line: [`Line`] (what every record needs, no labels, strings borrowed
//! from the line) and [`Ends`] (both ends with labels and workloads), read again only the
//! first time an end is seen.

use std::borrow::Cow;

use serde::de::IgnoredAny;
use serde::Deserialize;

/// `lost_events`: Hubble's ring buffer or an observer dropped events.
#[derive(Deserialize, Default, Debug, PartialEq)]
pub(super) struct LostEvents {
    /// A uint64: protojson writes it as a string, older printers as a number.
    #[serde(default, alias = "numEventsLost")]
    pub num_events_lost: Option<Number>,
}

/// A uint64 as protojson (a string) or a plain JSON number writes it.
#[derive(Deserialize, Debug, PartialEq)]
#[serde(untagged)]
pub(super) enum Number {
    Int(u64),
    Text(String),
}

impl Number {
    pub(super) fn value(&self) -> Option<u64> {
        match self {
            Number::Int(n) => Some(*n),
            Number::Text(s) => s.parse().ok(),
        }
    }
}

/// A line: the `GetFlowsResponse` wrapper (`flow`, `lost_events`, `node_status`, and the
/// wrapper's `time`), or (legacy) the flow itself, whose fields are then at the top level.
/// One struct for both, so a line is read in one pass without buffering (serde's `flatten`
/// would copy every field).
pub(super) type Line<'a> = Flow<'a>;

/// `flow.Flow`, the fields a connection needs.
#[derive(Deserialize, Default, Debug, PartialEq)]
pub(super) struct Flow<'a> {
    /// The wrapper's flow.
    #[serde(borrow, default)]
    pub flow: Option<Box<Flow<'a>>>,
    /// The wrapper's lost events.
    #[serde(default)]
    pub lost_events: Option<LostEvents>,
    /// The wrapper's node status.
    #[serde(default)]
    pub node_status: Option<IgnoredAny>,
    #[serde(borrow, default)]
    pub time: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub verdict: Option<Cow<'a, str>>,
    #[serde(default, rename = "IP", alias = "ip")]
    pub ip: Option<Ip<'a>>,
    #[serde(default)]
    pub l4: Option<Layer4>,
    #[serde(borrow, default)]
    pub source: Option<EndpointName<'a>>,
    #[serde(borrow, default)]
    pub destination: Option<EndpointName<'a>>,
    #[serde(borrow, default, rename = "Type", alias = "type")]
    pub flow_type: Option<Cow<'a, str>>,
    #[serde(default)]
    pub l7: Option<IgnoredAny>,
    #[serde(borrow, default, alias = "trafficDirection")]
    pub traffic_direction: Option<Cow<'a, str>>,
    /// `google.protobuf.BoolValue`: absent means unknown.
    #[serde(default, alias = "isReply")]
    pub is_reply: Option<bool>,
    /// Deprecated plain bool (false when unknown).
    #[serde(default)]
    pub reply: Option<bool>,
}

impl Flow<'_> {
    /// True when the object has any field of a flow (the legacy shape).
    pub(super) fn is_present(&self) -> bool {
        self.verdict.is_some()
            || self.ip.is_some()
            || self.l4.is_some()
            || self.source.is_some()
            || self.destination.is_some()
            || self.flow_type.is_some()
            || self.l7.is_some()
            || self.traffic_direction.is_some()
    }
}

/// `flow.IP`.
#[derive(Deserialize, Default, Debug, PartialEq)]
pub(super) struct Ip<'a> {
    #[serde(borrow, default)]
    pub source: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub destination: Option<Cow<'a, str>>,
}

/// `flow.Layer4`, a oneof: `ICMPv4`, `ICMPv6` and anything newer are not connections.
#[derive(Deserialize, Default, Debug, PartialEq)]
pub(super) struct Layer4 {
    #[serde(default, rename = "TCP", alias = "tcp")]
    pub tcp: Option<Ports>,
    #[serde(default, rename = "UDP", alias = "udp")]
    pub udp: Option<Ports>,
    #[serde(default, rename = "SCTP", alias = "sctp")]
    pub sctp: Option<Ports>,
}

/// `flow.TCP`, `flow.UDP`, `flow.SCTP`.
#[derive(Deserialize, Default, Debug, PartialEq)]
pub(super) struct Ports {
    #[serde(default, alias = "sourcePort")]
    pub source_port: Option<u32>,
    #[serde(default, alias = "destinationPort")]
    pub destination_port: Option<u32>,
    #[serde(default)]
    pub flags: Option<TcpFlags>,
}

/// `flow.TCPFlags`, the two that tell a reply.
#[derive(Deserialize, Default, Debug, PartialEq)]
pub(super) struct TcpFlags {
    #[serde(default, rename = "SYN")]
    pub syn: bool,
    #[serde(default, rename = "ACK")]
    pub ack: bool,
}

/// `flow.Endpoint` without labels: what names it.
#[derive(Deserialize, Default, Debug, PartialEq)]
pub(super) struct EndpointName<'a> {
    #[serde(borrow, default)]
    pub namespace: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "podName")]
    pub pod_name: Option<Cow<'a, str>>,
}

/// Both ends in full (the wrapper's `flow`, or a legacy flow's own), read again the first
/// time an end is seen.
#[derive(Deserialize, Default)]
pub(super) struct Ends<'a> {
    #[serde(borrow, default)]
    pub flow: Option<Box<Ends<'a>>>,
    #[serde(borrow, default)]
    pub source: Option<EndpointFull<'a>>,
    #[serde(borrow, default)]
    pub destination: Option<EndpointFull<'a>>,
}

/// `flow.Endpoint`: labels (`k8s:app=web`) and workloads.
#[derive(Deserialize, Default)]
pub(super) struct EndpointFull<'a> {
    #[serde(borrow, default)]
    pub labels: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow, default)]
    pub workloads: Option<Vec<Workload<'a>>>,
}

/// `flow.Workload`.
#[derive(Deserialize, Default)]
pub(super) struct Workload<'a> {
    #[serde(borrow, default)]
    pub name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub kind: Option<Cow<'a, str>>,
}

use std::net::IpAddr;

use serde_json::Value;

use super::{split_labels, workload_for, Reader, Record};
use crate::endpoint::Endpoint;
use crate::model::EndpointKind;
use crate::ports::Protocol;

/// Which end of a flow.
#[derive(Clone, Copy)]
enum End {
    Source,
    Destination,
}

impl End {
    fn field(self) -> &'static str {
        match self {
            End::Source => "source",
            End::Destination => "destination",
        }
    }
}

impl Reader {
    /// Skips the line as unreadable, blaming `field`, at the column of its key.
    fn bad(&mut self, bytes: &[u8], field: String, message: String) {
        let key = field.rsplit('.').next().unwrap_or(&field);
        let column = column_of(bytes, key);
        self.unreadable(column, Some(field), message);
    }

    /// One line of `hubble observe -o json`.
    pub(super) fn hubble_line(&mut self, bytes: &[u8]) {
        let read = super::skim::read_line(bytes).map_or_else(|| serde_json::from_slice(bytes), Ok);
        let top: Line<'_> = match read {
            Ok(line) => line,
            Err(e) => {
                let (field, message) = explain_error(bytes, &e);
                self.unreadable(e.column(), field, message);
                return;
            }
        };
        let (flow, prefix) = match top.flow.as_deref() {
            Some(flow) => (flow, "flow."),
            None if top.is_present() => (&top, ""),
            None => {
                if let Some(lost) = &top.lost_events {
                    self.skipped.not_l4 += 1;
                    let n = lost.num_events_lost.as_ref().and_then(Number::value);
                    self.lost_events = self.lost_events.saturating_add(n.unwrap_or(0));
                } else if top.node_status.is_some() {
                    self.skipped.not_l4 += 1;
                } else {
                    self.unreadable(
                        1,
                        None,
                        "neither `flow` nor `lost_events` nor a flow's fields: not a line `hubble observe -o json` writes".to_string(),
                    );
                }
                return;
            }
        };
        let l7 = flow.flow_type.as_deref().is_some_and(|t| t != "L3_L4") || flow.l7.is_some();
        let Some(l4) = flow.l4.as_ref().filter(|_| !l7) else {
            self.skipped.not_l4 += 1;
            return;
        };
        let (protocol, ports, name) = if let Some(p) = &l4.tcp {
            (Protocol::Tcp, p, "TCP")
        } else if let Some(p) = &l4.udp {
            (Protocol::Udp, p, "UDP")
        } else if let Some(p) = &l4.sctp {
            (Protocol::Sctp, p, "SCTP")
        } else {
            self.skipped.not_l4 += 1;
            return;
        };
        let port_field = || format!("{prefix}l4.{name}.destination_port");
        let Some(port) = ports.destination_port else {
            self.bad(
                bytes,
                port_field(),
                "missing: which port was the connection to?".to_string(),
            );
            return;
        };
        let Some(port) = u16::try_from(port).ok().filter(|p| *p > 0) else {
            self.bad(
                bytes,
                port_field(),
                format!("{port} is not a port (1 to 65535)"),
            );
            return;
        };
        let source_port = ports
            .source_port
            .and_then(|p| u16::try_from(p).ok())
            .filter(|p| *p > 0);
        let syn_ack = ports.flags.as_ref().is_some_and(|f| f.syn && f.ack);
        let reply = match flow.is_reply {
            Some(r) => r,
            None => flow.reply == Some(true) || syn_ack,
        };
        if reply {
            self.skipped.replies += 1;
            return;
        }
        let ip = flow.ip.as_ref();
        let mut addresses = [None, None];
        for (slot, (text, end)) in addresses.iter_mut().zip([
            (ip.and_then(|i| i.source.as_deref()), End::Source),
            (ip.and_then(|i| i.destination.as_deref()), End::Destination),
        ]) {
            let Some(text) = text.filter(|t| !t.is_empty()) else {
                continue;
            };
            match text.parse::<IpAddr>() {
                Ok(addr) => *slot = Some(addr),
                Err(_) => {
                    self.bad(
                        bytes,
                        format!("{prefix}IP.{}", end.field()),
                        format!("`{text}` is not an IP address"),
                    );
                    return;
                }
            }
        }
        let [source_ip, destination_ip] = addresses;
        let from = match self.end(bytes, End::Source, flow.source.as_ref(), source_ip) {
            Ok(e) => e,
            Err(why) => {
                self.bad(bytes, format!("{prefix}source"), why);
                return;
            }
        };
        let to = match self.end(
            bytes,
            End::Destination,
            flow.destination.as_ref(),
            destination_ip,
        ) {
            Ok(e) => e,
            Err(why) => {
                self.bad(bytes, format!("{prefix}destination"), why);
                return;
            }
        };
        if flow.is_reply.is_none() {
            if let Some(sp) = source_port {
                if self.seen(&to, &from, sp, protocol) && !self.seen(&from, &to, port, protocol) {
                    self.skipped.replies += 1;
                    return;
                }
            }
        }
        let time = flow.time.as_deref().or(top.time.as_deref());
        let between_replicas = from == to && two_pods(flow, source_ip, destination_ip);
        self.count(Record {
            from,
            to,
            port,
            protocol,
            times: 1,
            direction: flow.traffic_direction.as_deref(),
            verdict: flow.verdict.as_deref(),
            time,
            between_replicas,
        });
    }

    /// Resolves one end of a flow. The first time a pod is seen the line is read again
    /// with labels and workloads.
    fn end(
        &mut self,
        bytes: &[u8],
        end: End,
        name: Option<&EndpointName<'_>>,
        ip: Option<IpAddr>,
    ) -> Result<Endpoint, String> {
        let namespace = name
            .and_then(|n| n.namespace.as_deref())
            .filter(|s| !s.is_empty());
        let pod = name
            .and_then(|n| n.pod_name.as_deref())
            .filter(|s| !s.is_empty());
        let Some(namespace) = namespace else {
            return match ip {
                Some(ip) => Ok(self.address(ip)),
                None => Err(
                    "no namespace and no address (`IP`): cannot tell which endpoint it is"
                        .to_string(),
                ),
            };
        };
        if let Some(pod) = pod {
            self.key.clear();
            self.key.push_str(namespace);
            self.key.push('/');
            self.key.push_str(pod);
            if let Some(i) = self.resolved.get(self.key.as_str()) {
                return Ok(Endpoint::Pod(*i));
            }
            if let Some(i) = self.bare_pods.get(self.key.as_str()).copied() {
                self.resolved.insert(self.key.clone(), i);
                return Ok(Endpoint::Pod(i));
            }
        }
        let ends: Ends<'_> = match serde_json::from_slice(bytes) {
            Ok(ends) => ends,
            Err(e) => {
                return Err(match explain_error(bytes, &e) {
                    (Some(field), why) => format!("`{field}`: {why}"),
                    (None, why) => why,
                })
            }
        };
        let (source, destination) = match ends.flow {
            Some(flow) => (flow.source, flow.destination),
            None => (ends.source, ends.destination),
        };
        let full = match end {
            End::Source => source,
            End::Destination => destination,
        }
        .unwrap_or_default();
        let labels = full.labels.iter().flatten().map(|l| l.as_ref());
        let (pod_labels, namespace_labels) = split_labels(labels);
        if !namespace_labels.is_empty() && !self.hubble_namespaces.contains_key(namespace) {
            self.hubble_namespaces
                .insert(namespace.to_string(), namespace_labels);
        }
        let workload = full.workloads.iter().flatten().find(|w| w.name.is_some());
        let workload_name = workload
            .and_then(|w| w.name.as_deref())
            .filter(|s| !s.is_empty());
        let kind = workload
            .and_then(|w| w.kind.as_deref())
            .and_then(endpoint_kind)
            .filter(|_| workload_name.is_some())
            .unwrap_or(EndpointKind::Pod);
        let found = workload_for(
            &self.cluster,
            &self.flow_only,
            namespace,
            &pod_labels,
            pod,
            workload_name,
        );
        let index = match (found, workload_name.or(pod)) {
            (Some(i), _) => i,
            (None, Some(name)) => self.flow_endpoint(namespace, name, kind, pod_labels),
            (None, None) => {
                return match ip {
                    Some(ip) => Ok(self.address(ip)),
                    None => Err(format!(
                        "in namespace `{namespace}` but names neither a pod (`pod_name`) nor a workload, and has no address"
                    )),
                }
            }
        };
        self.learn_address(index, ip);
        if let Some(pod) = pod {
            self.resolved.insert(format!("{namespace}/{pod}"), index);
        }
        Ok(Endpoint::Pod(index))
    }
}

/// Whether the flow's ends are two different pods: by name when it names both, else by
/// address.
fn two_pods(flow: &Flow<'_>, source: Option<IpAddr>, destination: Option<IpAddr>) -> bool {
    match (
        pod_name(flow.source.as_ref()),
        pod_name(flow.destination.as_ref()),
    ) {
        (Some(a), Some(b)) => a != b,
        _ => matches!((source, destination), (Some(a), Some(b)) if a != b),
    }
}

fn pod_name<'e>(end: Option<&'e EndpointName<'_>>) -> Option<&'e str> {
    end.and_then(|e| e.pod_name.as_deref())
        .filter(|n| !n.is_empty())
}

/// `Deployment` → [`EndpointKind::Deployment`]; `Pod` and unknown kinds → `None`.
fn endpoint_kind(kind: &str) -> Option<EndpointKind> {
    [
        EndpointKind::Deployment,
        EndpointKind::StatefulSet,
        EndpointKind::DaemonSet,
        EndpointKind::ReplicaSet,
        EndpointKind::ReplicationController,
        EndpointKind::Job,
        EndpointKind::CronJob,
    ]
    .into_iter()
    .find(|k| k.as_str() == kind)
}

/// The 1-based column of `"key":` in the line, 1 when it is not there.
fn column_of(bytes: &[u8], key: &str) -> usize {
    let needle = format!("\"{key}\"");
    bytes
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
        .map_or(1, |at| at + 1)
}

/// What is wrong with a line serde could not read, and at which field when the JSON is
/// well-formed but a field has the wrong type.
fn explain_error(bytes: &[u8], e: &serde_json::Error) -> (Option<String>, String) {
    use serde_json::error::Category;
    match e.classify() {
        Category::Eof => (
            None,
            "the line ends inside a JSON value: truncated?".to_string(),
        ),
        Category::Syntax | Category::Io => (None, format!("not JSON: {}", strip_position(e))),
        Category::Data => {
            let found = serde_json::from_slice::<Value>(bytes)
                .ok()
                .and_then(|v| bad_field(&v));
            match found {
                Some((field, why)) => (Some(field), why),
                None => (None, strip_position(e)),
            }
        }
    }
}

/// serde_json's message without its ` at line 1 column N` (the diagnostic has the place).
fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(at) => text.get(..at).unwrap_or(&text).to_string(),
        None => text,
    }
}

#[derive(Clone, Copy)]
enum Want {
    Str,
    Bool,
    Port,
    Object,
    Strings,
    Workloads,
}

impl Want {
    fn name(self) -> &'static str {
        match self {
            Want::Str => "a string",
            Want::Bool => "true or false",
            Want::Port => "a port number",
            Want::Object => "an object",
            Want::Strings => "a list of strings",
            Want::Workloads => "a list of {name, kind} objects",
        }
    }

    fn fits(self, v: &Value) -> bool {
        match self {
            _ if v.is_null() => true,
            Want::Str => v.is_string(),
            Want::Bool => v.is_boolean(),
            Want::Port => v.as_u64().is_some_and(|n| n <= u64::from(u32::MAX)),
            Want::Object => v.is_object(),
            Want::Strings => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
            Want::Workloads => v.as_array().is_some_and(|a| {
                a.iter().all(|w| {
                    w.as_object().is_some_and(|o| {
                        ["name", "kind"]
                            .iter()
                            .all(|k| o.get(*k).is_none_or(|x| x.is_string() || x.is_null()))
                    })
                })
            }),
        }
    }
}

/// The first field of a flow line with a type Hubble never writes there.
fn bad_field(v: &Value) -> Option<(String, String)> {
    let check = |parent: &Value, path: &str, fields: &[(&str, &str, Want)]| {
        fields.iter().find_map(|(name, alias, want)| {
            let value = parent.get(*name).or_else(|| parent.get(*alias))?;
            (!want.fits(value)).then(|| {
                (
                    format!("{path}{name}"),
                    format!("{} where Hubble writes {}", kind_of(value), want.name()),
                )
            })
        })
    };
    if let Some(bad) = check(
        v,
        "",
        &[("flow", "flow", Want::Object), ("time", "time", Want::Str)],
    ) {
        return Some(bad);
    }
    let (flow, prefix) = match v.get("flow") {
        Some(f) => (f, "flow."),
        None => (v, ""),
    };
    let top = [
        ("time", "time", Want::Str),
        ("verdict", "verdict", Want::Str),
        ("IP", "ip", Want::Object),
        ("l4", "l4", Want::Object),
        ("source", "source", Want::Object),
        ("destination", "destination", Want::Object),
        ("Type", "type", Want::Str),
        ("traffic_direction", "trafficDirection", Want::Str),
        ("is_reply", "isReply", Want::Bool),
        ("reply", "reply", Want::Bool),
    ];
    if let Some(bad) = check(flow, prefix, &top) {
        return Some(bad);
    }
    let null = Value::Null;
    let ip = flow.get("IP").or_else(|| flow.get("ip")).unwrap_or(&null);
    let ip_fields = [
        ("source", "source", Want::Str),
        ("destination", "destination", Want::Str),
    ];
    if let Some(bad) = check(ip, &format!("{prefix}IP."), &ip_fields) {
        return Some(bad);
    }
    let l4 = flow.get("l4").unwrap_or(&null);
    for proto in ["TCP", "UDP", "SCTP"] {
        let ports = l4.get(proto).unwrap_or(&null);
        let fields = [
            ("source_port", "sourcePort", Want::Port),
            ("destination_port", "destinationPort", Want::Port),
            ("flags", "flags", Want::Object),
        ];
        if let Some(bad) = check(l4, &format!("{prefix}l4."), &[(proto, proto, Want::Object)])
            .or_else(|| check(ports, &format!("{prefix}l4.{proto}."), &fields))
        {
            return Some(bad);
        }
    }
    for end in ["source", "destination"] {
        let e = flow.get(end).unwrap_or(&null);
        let fields = [
            ("namespace", "namespace", Want::Str),
            ("pod_name", "podName", Want::Str),
            ("labels", "labels", Want::Strings),
            ("workloads", "workloads", Want::Workloads),
        ];
        if let Some(bad) = check(e, &format!("{prefix}{end}."), &fields) {
            return Some(bad);
        }
    }
    None
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}
