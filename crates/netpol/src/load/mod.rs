//! Loading manifests into a [`Cluster`], with a diagnostic for every problem.
//!
//! Each source is split into documents; each document is parsed once and read on its own
//! (`document`: one broken document never hides the others), `kind: List` is unpacked,
//! known kinds are decoded and validated the way the API server validates them. An object
//! the API server would reject is reported and left out, exactly as `kubectl apply` would
//! leave it out of the cluster; everything else still loads and evaluates.
//!
//! Reading a document depends only on its text, so [`load_cached`] keeps what each
//! document gave, keyed by its text: between two keystrokes only the document that changed
//! is read again. What spans documents (duplicates, one endpoint per name, implicit
//! namespaces) is redone on every load; it is cheap.
//!
//! A JSON `List` too large to hold (a 1.4 GB snapshot) is loaded with [`Loader`]: the
//! caller cuts it item by item, and only what loads and each item's place is kept.

mod apiserver;
mod cilium;
mod document;
mod endpoint;
mod objects;
mod policy;
mod tiers;

pub(crate) use endpoint::pod_spec_path;

use std::collections::HashMap;

use crate::fasthash::FastMap;
use std::net::IpAddr;
use std::sync::Arc;

use document::{Object, Parsed};

use crate::cnp::ClusterNetworkPolicy;
use crate::diag::{self, Diagnostic};
use crate::model::{Cluster, Labels, Origin, Pod, Policy};
use crate::yaml::{self, LineStarts, NodeId};

/// One input: a file name (for diagnostics) and its text.
#[derive(Clone, Copy, Debug)]
pub struct Source<'a> {
    /// Name shown in diagnostics (`pod-1.yaml`, or `manifests` in the app).
    pub name: &'a str,
    /// Multi-document YAML or JSON.
    pub text: &'a str,
}

/// The result of loading: the cluster and what was wrong with the input.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    /// Everything that loaded; an object with an error is left out, like the API server
    /// would refuse it, and the rest still loads.
    pub cluster: Cluster,
    /// Problems, in source order.
    pub diagnostics: Vec<Diagnostic>,
    sources: Vec<SourceText>,
    documents: Vec<DocumentRef>,
    /// Parallel to `cluster.policies`: where each policy is.
    policy_sites: Vec<Site>,
    /// Parallel to `cluster.cluster_policies`.
    cluster_policy_sites: Vec<Site>,
    /// Parallel to `cluster.cilium.policies`.
    cilium_sites: Vec<Site>,
    /// Parallel to the loaded part of `cluster.pods` (pods added later have none).
    pod_sites: Vec<Site>,
}

#[derive(Clone, Debug, Default)]
struct SourceText {
    name: String,
    /// Shared with the loop that reads its documents (a snapshot is too large to copy).
    /// Empty for a List read item by item, whose items are read again through `reread`.
    text: Arc<String>,
    lines: LineStarts,
    reread: Option<Reread>,
}

/// Reads a byte range of a source again, for a source whose text is not kept (a List
/// loaded item by item with [`Loader::list`]): the caller keeps the file and reads it, the
/// engine does no I/O.
pub trait ReadAgain: Send + Sync {
    /// The text of bytes `start..end` of the source, `None` when it cannot be read (the
    /// finding is then shown without a place).
    fn read(&self, start: usize, end: usize) -> Option<String>;
}

#[derive(Clone)]
struct Reread(Arc<dyn ReadAgain>);

impl std::fmt::Debug for Reread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Reread")
    }
}

/// A document of a source: where it is, and what reading it gave.
#[derive(Clone, Debug)]
struct DocumentRef {
    source: usize,
    base: usize,
    len: usize,
    parsed: Arc<Parsed>,
    /// For an item of a List read item by item: the line and column it starts at.
    item_at: Option<(usize, usize)>,
}

#[derive(Clone, Copy, Debug, Default)]
struct Site {
    document: usize,
    object: NodeId,
}

/// What earlier loads read, by document text (see [`load_cached`]).
#[derive(Clone, Debug, Default)]
pub struct LoadCache {
    documents: HashMap<Arc<str>, Arc<Parsed>>,
}

impl Loaded {
    /// Where a field of policy `policy_index` is (`spec.ingress[0].from[1]`), falling back
    /// to the nearest parent that exists in the text. Keys are preferred to values, so a
    /// diagnostic points at `podSelector:` rather than at the `{}` after it.
    pub fn locate(&self, policy_index: usize, path: &str) -> Origin {
        self.locate_site(self.policy_sites.get(policy_index), path)
    }

    /// Where a field of ClusterNetworkPolicy `index` is, like [`Loaded::locate`].
    pub fn locate_cluster_policy(&self, index: usize, path: &str) -> Origin {
        self.locate_site(self.cluster_policy_sites.get(index), path)
    }

    /// Where a field of Cilium policy `index` (of `cluster.cilium.policies`) is
    /// (`spec.egress[0].toFQDNs`), like [`Loaded::locate`].
    pub fn locate_cilium(&self, index: usize, path: &str) -> Origin {
        self.locate_site(self.cilium_sites.get(index), path)
    }

    /// Runs `f` on the YAML tree and object node of Cilium policy `index`, for lints that
    /// need the rule as written (the model has the agent's parsing applied). `None` when
    /// the policy has no site, or its text was not kept and cannot be read again.
    pub(crate) fn with_cilium_tree<R>(
        &self,
        index: usize,
        f: impl FnOnce(&crate::yaml::Document, NodeId) -> R,
    ) -> Option<R> {
        let site = self.cilium_sites.get(index)?;
        let doc = self.documents.get(site.document)?;
        let source = self.sources.get(doc.source)?;
        if doc.item_at.is_some() {
            // An item of a streamed List: its text is read again (Cilium policies are few
            // next to the pods a snapshot streams) and the tree dropped after.
            let text = source
                .reread
                .as_ref()?
                .0
                .read(doc.base, doc.base + doc.len)?;
            let tree = document::tree_of(&text).ok()?;
            return Some(f(&tree, site.object));
        }
        let tree = doc.parsed.tree.get_or_init(|| {
            let text = source.text.get(doc.base..doc.base + doc.len).unwrap_or("");
            document::tree_of(text).ok()
        });
        tree.as_ref().map(|t| f(t, site.object))
    }

    /// Where a field of pod or workload `pod_index` is (`spec.template.spec.hostNetwork`),
    /// like [`Loaded::locate`]; no place for a pod that no manifest declared.
    pub(crate) fn locate_pod(&self, pod_index: usize, path: &str) -> Origin {
        self.locate_site(self.pod_sites.get(pod_index), path)
    }

    fn locate_site(&self, site: Option<&Site>, path: &str) -> Origin {
        let Some(site) = site else {
            return Origin::default();
        };
        let Some(doc) = self.documents.get(site.document) else {
            return Origin::default();
        };
        let Some(source) = self.sources.get(doc.source) else {
            return Origin::default();
        };
        if let (Some((line, column)), Some(reread)) = (doc.item_at, &source.reread) {
            // The item's text is read again and dropped: findings are few, items many.
            let Some(text) = reread.0.read(doc.base, doc.base + doc.len) else {
                return Origin::default();
            };
            let Ok(tree) = document::tree_of(&text) else {
                return Origin::default();
            };
            let (node, key) = tree.find_nearest(site.object, path);
            let n = tree.node(key.unwrap_or(node));
            let lines = Lines::item(&text, doc.base, line, column);
            return lines.origin(
                &source.name,
                doc.base + n.start as usize,
                doc.base + n.end as usize,
            );
        }
        let tree = doc.parsed.tree.get_or_init(|| {
            let text = source.text.get(doc.base..doc.base + doc.len).unwrap_or("");
            document::tree_of(text).ok()
        });
        let Some(tree) = tree else {
            return Origin::default();
        };
        let (node, key) = tree.find_nearest(site.object, path);
        let n = tree.node(key.unwrap_or(node));
        origin_at(
            source,
            doc.base + n.start as usize,
            doc.base + n.end as usize,
        )
    }
}

fn origin_at(source: &SourceText, start: usize, end: usize) -> Origin {
    Lines::Source(source).origin(&source.name, start, end)
}

/// How byte offsets of a source become lines and columns.
enum Lines<'a> {
    /// Through the whole text of the source.
    Source(&'a SourceText),
    /// Through one item of a List, whose start's line and column are known.
    Item {
        text: &'a str,
        lines: LineStarts,
        base: usize,
        line: usize,
        column: usize,
    },
}

impl<'a> Lines<'a> {
    fn item(text: &'a str, base: usize, line: usize, column: usize) -> Lines<'a> {
        Lines::Item {
            text,
            lines: LineStarts::new(text),
            base,
            line,
            column,
        }
    }

    /// The origin of source bytes `start..end`.
    fn origin(&self, name: &str, start: usize, end: usize) -> Origin {
        let (line, column) = match self {
            Lines::Source(source) => source.lines.position(&source.text, start),
            Lines::Item {
                text,
                lines,
                base,
                line,
                column,
            } => match lines.position(text, start.saturating_sub(*base)) {
                (1, c) => (*line, column + c - 1),
                (l, c) => (line + l - 1, c),
            },
        };
        Origin {
            source: name.to_string(),
            start,
            end: end.max(start),
            line,
            column,
        }
    }
}

/// Loads every source into one cluster.
pub fn load(sources: &[Source<'_>]) -> Loaded {
    load_from(copied(sources), None)
}

/// [`load`] from (name, text) pairs it takes over instead of copying: the [`Loaded`] keeps
/// each source's text (to place findings), and a cluster snapshot can be a gigabyte.
pub fn load_owned(sources: Vec<(String, String)>) -> Loaded {
    let sources = sources
        .into_iter()
        .map(|(name, text)| (name, Arc::new(text)))
        .collect();
    load_from(sources, None)
}

/// [`load`], reusing what `cache` holds for documents whose text did not change; the cache
/// then holds exactly the documents of these sources.
pub fn load_cached(sources: &[Source<'_>], cache: &mut LoadCache) -> Loaded {
    load_from(copied(sources), Some(cache))
}

fn copied(sources: &[Source<'_>]) -> Vec<(String, Arc<String>)> {
    sources
        .iter()
        .map(|s| (s.name.to_string(), Arc::new(s.text.to_string())))
        .collect()
}

fn load_from(sources: Vec<(String, Arc<String>)>, mut cache: Option<&mut LoadCache>) -> Loaded {
    let mut kept = HashMap::new();
    let mut assembler = Assembler::default();
    for (name, source_text) in sources {
        let source_index = assembler.out.sources.len();
        assembler.out.sources.push(SourceText {
            name,
            lines: LineStarts::new(&source_text),
            text: source_text.clone(),
            reread: None,
        });
        for chunk in documents_of(&source_text) {
            let text = source_text.get(chunk.start..chunk.end).unwrap_or("");
            let parsed = match cache.as_deref_mut() {
                Some(cache) => {
                    let key: Arc<str> = Arc::from(text);
                    let parsed = cache
                        .documents
                        .get(&key)
                        .cloned()
                        .unwrap_or_else(|| Arc::new(document::parse(text)));
                    kept.insert(key, parsed.clone());
                    parsed
                }
                None => Arc::new(document::parse(text)),
            };
            assembler.document(DocumentRef {
                source: source_index,
                base: chunk.start,
                len: chunk.end - chunk.start,
                parsed,
                item_at: None,
            });
        }
    }
    if let Some(cache) = cache {
        cache.documents = kept;
    }
    assembler.finish()
}

/// Loading sources one after another, where a large JSON `List` (a `kubectl get -o json`
/// snapshot) need not be held whole: the caller cuts it with [`yaml::ListCutter`], reads
/// each item with [`read_item`] (on any thread) and hands the results over with
/// [`Loader::item`]. Only what loads and each item's place is kept; a finding in an item
/// is placed by reading the item again through [`ReadAgain`]. Everything else (texts that
/// are not a List, YAML) goes through [`Loader::text`], as [`load_owned`] does.
#[derive(Default)]
pub struct Loader {
    assembler: Assembler,
    /// What every item of a List refers to as its parse: nothing, since an item is read
    /// again from its source when a place in it is wanted. One shared value instead of
    /// one per item saves about 30 MB on a 100,000-pod snapshot.
    item_parse: Arc<Parsed>,
}

/// A List being loaded item by item (see [`Loader::list`]).
#[derive(Clone, Copy, Debug)]
pub struct ListId(usize);

/// One item of a List, read on its own, its positions already in the source (see
/// [`read_item`]).
#[derive(Debug)]
pub struct ReadItem {
    /// The item was cut by its indentation and is not one document: the cut was wrong
    /// (see [`ReadItem::cut_wrong`]).
    cut_wrong: bool,
    parsed: Parsed,
    base: usize,
    len: usize,
    at: (usize, usize),
}

/// Reads one item of the List named `source`: the same objects and diagnostics, at the
/// same places, as reading the whole text would give.
pub fn read_item(source: &str, item: &yaml::ListItem) -> ReadItem {
    let mut parsed = document::parse(&item.text);
    let not_a_document = parsed
        .diagnostics
        .iter()
        .any(|d| d.code == crate::diag::YAML_SYNTAX.code);
    let lines = Lines::item(&item.text, item.offset, item.line, item.column);
    let rebase = Rebase {
        name: source,
        lines: &lines,
        base: item.offset,
    };
    parsed
        .diagnostics
        .iter_mut()
        .for_each(|d| rebase.diagnostic(d));
    parsed.objects.iter_mut().for_each(|o| rebase.object(o));
    ReadItem {
        cut_wrong: item.guessed && not_a_document,
        parsed,
        base: item.offset,
        len: item.text.len(),
        at: (item.line, item.column),
    }
}

impl ReadItem {
    /// The item was cut where its indentation said it ends
    /// ([`yaml::ListCutter::guessing`]) and its text is not one document: the file is
    /// indented some other way, and must be cut again by reading every item
    /// ([`yaml::ListCutter::new`]), which also places any syntax error exactly.
    pub fn cut_wrong(&self) -> bool {
        self.cut_wrong
    }
}

impl Loader {
    /// A loader with nothing loaded.
    pub fn new() -> Loader {
        Loader::default()
    }

    /// Loads a whole text (YAML or JSON), as [`load_owned`] does.
    pub fn text(&mut self, name: String, text: String) {
        let text = Arc::new(text);
        let source = self.assembler.out.sources.len();
        self.assembler.out.sources.push(SourceText {
            name,
            lines: LineStarts::new(&text),
            text: text.clone(),
            reread: None,
        });
        for chunk in documents_of(&text) {
            let doc = text.get(chunk.start..chunk.end).unwrap_or("");
            self.assembler.document(DocumentRef {
                source,
                base: chunk.start,
                len: chunk.end - chunk.start,
                parsed: Arc::new(document::parse(doc)),
                item_at: None,
            });
        }
    }

    /// Starts a List read item by item: its items follow with [`Loader::item`], in order;
    /// `reread` reads an item's bytes again when a finding in it needs a place.
    pub fn list(&mut self, name: String, reread: Arc<dyn ReadAgain>) -> ListId {
        let source = self.assembler.out.sources.len();
        self.assembler.out.sources.push(SourceText {
            name,
            lines: LineStarts::default(),
            text: Arc::default(),
            reread: Some(Reread(reread)),
        });
        ListId(source)
    }

    /// Loads the next item of a List started with [`Loader::list`].
    pub fn item(&mut self, list: ListId, item: ReadItem) {
        self.assembler.placed(
            DocumentRef {
                source: list.0,
                base: item.base,
                len: item.len,
                parsed: Arc::clone(&self.item_parse),
                item_at: Some(item.at),
            },
            item.parsed,
        );
    }

    /// Everything loaded, put together.
    pub fn finish(self) -> Loaded {
        self.assembler.finish()
    }
}

/// Where a source's documents are: a JSON `List` (a `kubectl get -o json` snapshot) is
/// read item by item, each as a document of its own, so that only one item's tree exists at
/// a time; anything else is split at `---` lines.
fn documents_of(text: &str) -> Vec<yaml::Chunk> {
    if yaml::looks_like_json(text) {
        if let Some(items) = yaml::list_items(text) {
            return items;
        }
    }
    yaml::split_documents(text)
}

/// Puts the documents' objects together, in order.
#[derive(Default)]
struct Assembler {
    out: Loaded,
    /// (kind, namespace, name) → where it was first defined, to report duplicates.
    seen: FastMap<(&'static str, String, String), Origin>,
    /// One endpoint per `namespace/name`, across kinds.
    endpoint_ids: FastMap<String, usize>,
    /// (namespace, name) → index of the policy.
    policy_ids: FastMap<(String, String), usize>,
    /// name → index of the ClusterNetworkPolicy.
    cluster_policy_ids: HashMap<String, usize>,
    /// Parallel to `cluster.pods`: the node whose address a host-network pod without pod
    /// IPs takes, resolved in `finish` (the Node may come after the pod).
    address_nodes: Vec<Option<String>>,
    /// Node name → the IPs a host-network pod on it gets.
    node_host_ips: HashMap<String, Vec<IpAddr>>,
}

impl Assembler {
    fn document(&mut self, mut doc: DocumentRef) {
        // Without a cache nobody else holds the document's result: take it instead of
        // copying it.
        let (mut objects, mut diagnostics) = match Arc::get_mut(&mut doc.parsed) {
            Some(p) => (
                std::mem::take(&mut p.objects),
                std::mem::take(&mut p.diagnostics),
            ),
            None => (doc.parsed.objects.clone(), doc.parsed.diagnostics.clone()),
        };
        let Some(source) = self.out.sources.get(doc.source) else {
            return;
        };
        let lines = Lines::Source(source);
        let rebase = Rebase {
            name: &source.name,
            lines: &lines,
            base: doc.base,
        };
        diagnostics.iter_mut().for_each(|d| rebase.diagnostic(d));
        objects.iter_mut().for_each(|o| rebase.object(o));
        let placed = Parsed {
            objects,
            diagnostics,
            kustomize_common_labels: doc.parsed.kustomize_common_labels,
            kustomization: doc.parsed.kustomization,
            ..Parsed::default()
        };
        self.placed(doc, placed);
    }

    /// A document whose objects and diagnostics are placed in the source already.
    fn placed(&mut self, doc: DocumentRef, mut parsed: Parsed) {
        self.out.diagnostics.append(&mut parsed.diagnostics);
        self.out.cluster.kustomize_common_labels |= parsed.kustomize_common_labels;
        self.out.cluster.kustomization |= parsed.kustomization;
        let document = self.out.documents.len();
        self.out.documents.push(doc);
        for object in parsed.objects {
            self.object(object, document);
        }
    }

    fn object(&mut self, object: Object, document: usize) {
        match object {
            Object::Namespace(ns, id) => {
                self.duplicate(&id);
                let list = &mut self.out.cluster.namespaces;
                match list.iter_mut().find(|n| n.name == ns.name) {
                    Some(existing) => *existing = ns,
                    None => list.push(ns),
                }
            }
            Object::Endpoint(pod, id, node, address_node) => {
                self.duplicate(&id);
                self.endpoint(
                    pod,
                    address_node,
                    &id,
                    Site {
                        document,
                        object: node,
                    },
                );
            }
            Object::Policy(policy, id, node) => {
                self.duplicate(&id);
                self.policy(
                    policy,
                    Site {
                        document,
                        object: node,
                    },
                );
            }
            Object::ClusterPolicy(policy, id, node) => {
                self.duplicate(&id);
                self.cluster_policy(
                    policy,
                    Site {
                        document,
                        object: node,
                    },
                );
            }
            Object::CiliumPolicy(policy, id, node) => {
                self.duplicate(&id);
                let site = Site {
                    document,
                    object: node,
                };
                let list = &mut self.out.cluster.cilium.policies;
                match list.iter().position(|p| {
                    p.kind == policy.kind
                        && p.namespace == policy.namespace
                        && p.name == policy.name
                }) {
                    Some(i) => {
                        if let Some(existing) = list.get_mut(i) {
                            *existing = policy;
                        }
                        if let Some(slot) = self.out.cilium_sites.get_mut(i) {
                            *slot = site;
                        }
                    }
                    None => {
                        list.push(policy);
                        self.out.cilium_sites.push(site);
                    }
                }
            }
            Object::CidrGroup(group, id) => {
                self.duplicate(&id);
                let list = &mut self.out.cluster.cilium.cidr_groups;
                match list.iter_mut().find(|g| g.name == group.name) {
                    Some(existing) => *existing = group,
                    None => list.push(group),
                }
            }
            Object::PodMeta(pod, meta) => {
                self.out.cluster.cilium.pods.insert(pod, meta);
            }
            Object::ApiServer(addresses, id) => {
                self.duplicate(&id);
                let known = &mut self.out.cluster.cilium.api_server;
                for ip in addresses {
                    if !known.contains(&ip) {
                        known.push(ip);
                    }
                }
            }
            Object::Node(node, host_ips, id) => {
                self.duplicate(&id);
                self.node_host_ips.insert(node.name.clone(), host_ips);
                let nodes = &mut self.out.cluster.nodes;
                match nodes.iter_mut().find(|n| n.name == node.name) {
                    Some(existing) => *existing = node,
                    None => nodes.push(node),
                }
            }
        }
    }

    fn cluster_policy(&mut self, policy: ClusterNetworkPolicy, site: Site) {
        let list = &mut self.out.cluster.cluster_policies;
        match self.cluster_policy_ids.get(&policy.name) {
            Some(&i) => {
                if let (Some(slot), Some(site_slot)) =
                    (list.get_mut(i), self.out.cluster_policy_sites.get_mut(i))
                {
                    *slot = policy;
                    *site_slot = site;
                }
            }
            None => {
                self.cluster_policy_ids
                    .insert(policy.name.clone(), list.len());
                list.push(policy);
                self.out.cluster_policy_sites.push(site);
            }
        }
    }

    /// The later of two objects with the same kind, namespace and name replaces the
    /// earlier one (as applying both would), with an error.
    fn duplicate(&mut self, id: &document::Identity) {
        let key = (id.kind, id.namespace.clone(), id.name.clone());
        if let Some(first) = self.seen.get(&key) {
            let shown = if id.namespace.is_empty() {
                id.name.clone()
            } else {
                format!("{}/{}", id.namespace, id.name)
            };
            let message = format!(
                "{} `{shown}` is defined twice; this one replaces the one at {}:{}",
                id.kind, first.source, first.line
            );
            self.out
                .diagnostics
                .push(diag::DUPLICATE_NAME.at(&id.name_at, message));
        }
        self.seen.insert(key, id.at.clone());
    }

    fn endpoint(
        &mut self,
        pod: Pod,
        address_node: Option<String>,
        id: &document::Identity,
        site: Site,
    ) {
        let key = pod.id();
        match self.endpoint_ids.get(&key) {
            Some(&i) => {
                if let Some(site_slot) = self.out.pod_sites.get_mut(i) {
                    *site_slot = site;
                }
                if let Some(slot) = self.address_nodes.get_mut(i) {
                    *slot = address_node;
                }
                if let Some(existing) = self.out.cluster.pods.get_mut(i) {
                    if existing.kind != pod.kind {
                        let message = format!(
                            "{} `{key}` has the same name as {} `{key}`: the playground shows one endpoint per name, this one replaces it",
                            pod.kind.as_str(),
                            existing.kind.as_str()
                        );
                        self.out
                            .diagnostics
                            .push(diag::DUPLICATE_NAME.at(&id.name_at, message));
                    }
                    *existing = pod;
                }
            }
            None => {
                self.endpoint_ids.insert(key, self.out.cluster.pods.len());
                self.out.cluster.pods.push(pod);
                self.out.pod_sites.push(site);
                self.address_nodes.push(address_node);
            }
        }
    }

    fn policy(&mut self, policy: Policy, site: Site) {
        let key = (policy.namespace.clone(), policy.name.clone());
        let policies = &mut self.out.cluster.policies;
        match self.policy_ids.get(&key) {
            Some(&i) => {
                if let (Some(slot), Some(site_slot)) =
                    (policies.get_mut(i), self.out.policy_sites.get_mut(i))
                {
                    *slot = policy;
                    *site_slot = site;
                }
            }
            None => {
                self.policy_ids.insert(key, policies.len());
                policies.push(policy);
                self.out.policy_sites.push(site);
            }
        }
    }

    fn finish(mut self) -> Loaded {
        self.host_network_addresses();
        // Service accounts and nodes matter only to Cilium identities: a snapshot without a
        // Cilium policy keeps no copy of them.
        if !self.out.cluster.cilium.has_policies() {
            self.out.cluster.cilium.pods.clear();
        }
        self.out.cluster.complete_namespaces();
        crate::diag::sort_in_reading_order(&mut self.out.diagnostics);
        self.out
    }
}

impl Assembler {
    /// Gives each host-network pod without pod IPs its node's (what the kubelet reports
    /// for it), or says why it has none: without an address no ipBlock, `networks` or
    /// `nodes` peer can match it.
    fn host_network_addresses(&mut self) {
        let mut unknown = Vec::new();
        for (i, name) in self.address_nodes.iter().enumerate() {
            let Some(name) = name else { continue };
            let Some(pod) = self.out.cluster.pods.get_mut(i) else {
                continue;
            };
            match self.node_host_ips.get(name) {
                Some(ips) if !ips.is_empty() => pod.ips.clone_from(ips),
                known => unknown.push((i, name, known.is_some())),
            }
        }
        for (i, name, known) in unknown {
            let Some(pod) = self.out.cluster.pods.get(i) else {
                continue;
            };
            let path = format!("{}.nodeName", endpoint::pod_spec_path(pod.kind));
            let at = self.out.locate_pod(i, &path);
            let why = if known {
                format!("Node `{name}` lists no InternalIP or ExternalIP")
            } else {
                format!("the input has no Node `{name}`")
            };
            let message = format!(
                "`{}` uses hostNetwork and its manifest gives no pod IP: its address is its node's, and {why}, so no ipBlock, `networks` or `nodes` peer matches it by address",
                pod.id()
            );
            self.out.diagnostics.push(
                diag::HOST_NETWORK_NO_ADDRESS
                    .at(&at, message)
                    .with_help(format!("add Node `{name}` with its `status.addresses` (`kubectl get node {name} -o yaml`), or the pod's `status.podIP`")),
            );
        }
    }
}

/// Moves a document's relative positions to where the document is in its source.
struct Rebase<'a> {
    name: &'a str,
    lines: &'a Lines<'a>,
    base: usize,
}

impl Rebase<'_> {
    fn origin(&self, o: &mut Origin) {
        *o = self
            .lines
            .origin(self.name, self.base + o.start, self.base + o.end);
    }

    fn diagnostic(&self, d: &mut Diagnostic) {
        let mut at = Origin {
            start: d.start,
            end: d.end,
            ..Origin::default()
        };
        self.origin(&mut at);
        d.source = at.source;
        d.line = at.line;
        d.column = at.column;
        d.start = at.start;
        d.end = at.end;
    }

    fn object(&self, object: &mut Object) {
        let (origin, identity) = match object {
            Object::Namespace(ns, id) => (&mut ns.origin, id),
            Object::Endpoint(pod, id, _, _) => (&mut pod.origin, id),
            Object::Policy(policy, id, _) => {
                for rule in policy.ingress.iter_mut().chain(policy.egress.iter_mut()) {
                    if let Some(o) = &mut rule.origin {
                        self.origin(o);
                    }
                }
                (&mut policy.origin, id)
            }
            Object::ClusterPolicy(policy, id, _) => {
                for rule in policy.ingress.iter_mut().chain(policy.egress.iter_mut()) {
                    if let Some(o) = &mut rule.origin {
                        self.origin(o);
                    }
                }
                (&mut policy.origin, id)
            }
            Object::Node(node, _, id) => (&mut node.origin, id),
            Object::CiliumPolicy(policy, id, _) => {
                for (_, o) in &mut policy.entry_origins {
                    self.origin(o);
                }
                (&mut policy.origin, id)
            }
            Object::CidrGroup(_, id) => {
                self.origin(&mut id.name_at);
                self.origin(&mut id.at);
                return;
            }
            Object::ApiServer(_, id) => {
                self.origin(&mut id.name_at);
                self.origin(&mut id.at);
                return;
            }
            Object::PodMeta(..) => return,
        };
        if let Some(o) = origin {
            self.origin(o);
        }
        self.origin(&mut identity.name_at);
        self.origin(&mut identity.at);
    }
}

/// A [`Labels`] from pairs (for tests and drawn objects).
pub fn labels<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Labels {
    pairs
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
