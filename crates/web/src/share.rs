//! The versioned share DTO and its link encoding.
//!
//! A workspace travels as [`ShareState`]: JSON, deflated, base64url, in the URL fragment
//! (`#s=...`), so a link reproduces it exactly and nothing reaches a server. The same JSON
//! (uncompressed) is what localStorage keeps. The DTO is this module's own type, not a
//! `derive` on engine types, so engine refactors never break old links.
//!
//! Versions: v1 is a workspace; v2 adds what it is compared with ([`CompareDto`], whose
//! kept side is a [`SideDto`]: the same fields as a v1 workspace); v3 adds the flow log.
//! This build writes v3 and reads all three; a v1 link is a v3 link that compares with
//! nothing, a v2 link one without a flow log. A link carries the flow log only when it fits
//! ([`ShareState::link`] says when it did not).
//!
//! Decoding distrusts its input: the link length, the inflated size, the JSON depth
//! (serde_json's limit), and every count and string length are capped before anything is
//! loaded, and each failure says what was wrong. A rejected link loads nothing.
//!
//! [`from_share`] and [`workspace_share`] convert between the DTO and the engine's
//! `Workspace` (through [`SideDto`]: [`workspace_of`], [`side_of`]); names and labels are
//! not checked here but by the engine's evaluation, which reports a drawn object the API
//! server would reject.

use std::collections::BTreeMap;
use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use netpol::generate::{parse_intent, Baseline, Options, SelectorStyle};
use netpol::workspace::{DrawnNamespace, DrawnPod, Workspace};
use serde::{Deserialize, Serialize};

use crate::layout::Pos;

/// The format version this build writes.
const VERSION: u32 = 3;
/// The oldest format version this build reads.
const OLDEST: u32 = 1;
/// Longest `#s=` payload accepted (characters of base64).
const MAX_LINK_CHARS: usize = 512 * 1024;
/// Largest JSON after inflating (two sides of [`MAX_MANIFESTS`] each and a flow log of
/// [`MAX_FLOW_LOG`], escaped).
const MAX_INFLATED: usize = 8 * 1024 * 1024;
/// Largest flow log a link or the saved state carries (a larger one stays in the page only).
pub const MAX_FLOW_LOG: usize = 2 * 1024 * 1024;
/// Largest manifests text a link or saved state may carry, per side (the editor's
/// evaluation cap).
pub const MAX_MANIFESTS: usize = 1024 * 1024;
/// Most drawn objects of each kind (namespaces, pods, externals, arrows).
const MAX_ITEMS: usize = 2000;
/// Longest name, label key/value, external id or arrow text.
const MAX_FIELD: usize = 512;

/// A namespace drawn in the diagram.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamespaceDto {
    pub name: String,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

/// A pod drawn in the diagram.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodDto {
    pub namespace: String,
    pub name: String,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

/// Generator options, spelled for humans.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OptionsDto {
    /// The engine's `Baseline::name` (`none`, `deny-all`, `docs-default`), which the CLI's
    /// `--baseline` spells the same way: old links depend on it.
    pub baseline: String,
    /// The engine's `SelectorStyle::name` (`labels`, `expressions`).
    pub selector: String,
    /// The label that identifies workloads (`app`), or none for automatic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_label: Option<String>,
    /// The namespace label namespaceSelectors use, or none for `kubernetes.io/metadata.name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace_label: Option<String>,
    pub dns: bool,
}

impl Default for OptionsDto {
    fn default() -> Self {
        OptionsDto {
            baseline: "none".into(),
            selector: "labels".into(),
            identity_label: None,
            namespace_label: None,
            dns: false,
        }
    }
}

/// Everything a link or the saved state carries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShareState {
    /// Format version ([`VERSION`]; [`OLDEST`] and later are read).
    pub v: u32,
    /// The editor text, byte for byte.
    #[serde(default)]
    pub manifests: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<NamespaceDto>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pods: Vec<PodDto>,
    /// External endpoints (`ip:8.8.8.8`, `ip:0.0.0.0/0`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub externals: Vec<String>,
    /// Arrows in the intent syntax (`ns/a -> ns/b:8080/TCP`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arrows: Vec<String>,
    #[serde(default)]
    pub options: OptionsDto,
    /// Dragged node positions by endpoint id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub positions: BTreeMap<String, [f64; 2]>,
    /// Whether the diagram shows every allowed flow.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub flows: bool,
    /// The project uses Kustomize `commonLabels` (turns on its lint).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub kustomize: bool,
    /// What the workspace is compared with (v2), if anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare: Option<CompareDto>,
    /// The flow log (v3), byte for byte, when it fits ([`MAX_FLOW_LOG`]).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub flow_log: String,
}

impl Default for ShareState {
    fn default() -> Self {
        ShareState {
            v: VERSION,
            manifests: String::new(),
            namespaces: Vec::new(),
            pods: Vec::new(),
            externals: Vec::new(),
            arrows: Vec::new(),
            options: OptionsDto::default(),
            positions: BTreeMap::new(),
            flows: false,
            kustomize: false,
            compare: None,
            flow_log: String::new(),
        }
    }
}

/// A workspace without its view state: the fields of a v1 [`ShareState`] that make the
/// workspace, spelled the same way. The kept side of a comparison travels as one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SideDto {
    #[serde(default)]
    pub manifests: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<NamespaceDto>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pods: Vec<PodDto>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub externals: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arrows: Vec<String>,
    #[serde(default)]
    pub options: OptionsDto,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub kustomize: bool,
}

/// What the workspace is compared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CompareWith {
    /// A snapshot of the workspace, taken when Compare started.
    Snapshot,
    /// Other manifests, pasted.
    Manifests,
    /// The workspace without its generated policies (what the drawn arrows change); it
    /// follows the workspace, so it has no kept side.
    WithoutGenerated,
}

/// A comparison in a link (v2): what with, and the kept side (none for
/// [`CompareWith::WithoutGenerated`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompareDto {
    pub with: CompareWith,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub side: Option<SideDto>,
}

/// Why a link or saved state was not loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShareError {
    /// The payload is longer than [`MAX_LINK_CHARS`].
    LinkTooLong(usize),
    /// Not base64url.
    NotBase64,
    /// Not deflate data, or it inflates past [`MAX_INFLATED`].
    Corrupt,
    /// Inflated, but not the JSON this app writes.
    NotJson(String),
    /// Written by a newer (or unknown) version.
    Version(u32),
    /// Well-formed but past a limit.
    TooLarge(String),
}

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShareError::LinkTooLong(n) => write!(
                f,
                "the shared link is too long ({} KB, at most {} KB); nothing was loaded",
                n / 1024,
                MAX_LINK_CHARS / 1024
            ),
            ShareError::NotBase64 => f.write_str(
                "the shared link is damaged (it is not valid base64url; was it cut off?); nothing was loaded",
            ),
            ShareError::Corrupt => f.write_str(
                "the shared link is damaged or too large to unpack; nothing was loaded",
            ),
            ShareError::NotJson(e) => write!(
                f,
                "the shared link does not hold a playground workspace ({e}); nothing was loaded"
            ),
            ShareError::Version(v) => write!(
                f,
                "the shared link was made by a newer playground (format v{v}, this one reads v{OLDEST} to v{VERSION}); nothing was loaded"
            ),
            ShareError::TooLarge(what) => {
                write!(f, "the shared workspace is too large ({what}); nothing was loaded")
            }
        }
    }
}

impl ShareState {
    /// Checks the limits; `Err` names the first one exceeded.
    pub fn validate(&self) -> Result<(), ShareError> {
        if !(OLDEST..=VERSION).contains(&self.v) {
            return Err(ShareError::Version(self.v));
        }
        self.side().validate()?;
        if self.flow_log.len() > MAX_FLOW_LOG {
            return Err(ShareError::TooLarge(format!(
                "a flow log of {} KB, at most {} KB",
                self.flow_log.len() / 1024,
                MAX_FLOW_LOG / 1024
            )));
        }
        if self.positions.len() > MAX_ITEMS {
            return Err(too_many(self.positions.len(), "positions"));
        }
        if self.positions.keys().any(|k| k.len() > MAX_FIELD) {
            return Err(too_long());
        }
        match &self.compare {
            Some(CompareDto {
                side: Some(side), ..
            }) => side.validate(),
            _ => Ok(()),
        }
    }

    /// The workspace part (what [`from_share`] reads).
    pub fn side(&self) -> SideDto {
        SideDto {
            manifests: self.manifests.clone(),
            namespaces: self.namespaces.clone(),
            pods: self.pods.clone(),
            externals: self.externals.clone(),
            arrows: self.arrows.clone(),
            options: self.options.clone(),
            kustomize: self.kustomize,
        }
    }

    /// A state holding `side` and no view state.
    pub fn of_side(side: SideDto) -> ShareState {
        ShareState {
            manifests: side.manifests,
            namespaces: side.namespaces,
            pods: side.pods,
            externals: side.externals,
            arrows: side.arrows,
            options: side.options,
            kustomize: side.kustomize,
            ..ShareState::default()
        }
    }

    /// JSON (what localStorage keeps).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads and validates JSON.
    pub fn from_json(json: &str) -> Result<ShareState, ShareError> {
        if json.len() > MAX_INFLATED {
            return Err(ShareError::TooLarge(format!(
                "{} KB of data, at most {} KB",
                json.len() / 1024,
                MAX_INFLATED / 1024
            )));
        }
        // Read the version first so a newer format is reported as such, not as bad JSON.
        #[derive(Deserialize)]
        struct Versioned {
            v: u32,
        }
        let version: Versioned =
            serde_json::from_str(json).map_err(|e| ShareError::NotJson(short(&e)))?;
        if !(OLDEST..=VERSION).contains(&version.v) {
            return Err(ShareError::Version(version.v));
        }
        let mut state: ShareState =
            serde_json::from_str(json).map_err(|e| ShareError::NotJson(short(&e)))?;
        state.validate()?;
        // Read, it is this version's state (a v1 state compares with nothing).
        state.v = VERSION;
        Ok(state)
    }

    /// The `#s=` payload: deflated JSON in base64url without padding.
    pub fn encode(&self) -> String {
        let json = self.to_json();
        let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9);
        URL_SAFE_NO_PAD.encode(packed)
    }

    /// The `#s=` payload of a link, and why the flow log was left out of it, when it was:
    /// it is larger than [`MAX_FLOW_LOG`], or the link with it would be longer than a link
    /// may be.
    pub fn link(&self) -> (String, Option<String>) {
        if self.flow_log.is_empty() {
            return (self.encode(), None);
        }
        let without = || ShareState {
            flow_log: String::new(),
            ..self.clone()
        };
        if self.flow_log.len() > MAX_FLOW_LOG {
            return (
                without().encode(),
                Some(format!(
                    "The flow log ({} KB) is not in the link: a link carries at most {} KB of flow log. Share the log file alongside.",
                    self.flow_log.len() / 1024,
                    MAX_FLOW_LOG / 1024
                )),
            );
        }
        let payload = self.encode();
        if payload.len() > MAX_LINK_CHARS {
            return (
                without().encode(),
                Some(format!(
                    "The flow log is not in the link: with it the link would be {} KB, at most {} KB. Share the log file alongside.",
                    payload.len() / 1024,
                    MAX_LINK_CHARS / 1024
                )),
            );
        }
        (payload, None)
    }

    /// The state as saved in the browser: without a flow log too large to save.
    pub fn for_storage(mut self) -> ShareState {
        if self.flow_log.len() > MAX_FLOW_LOG {
            self.flow_log.clear();
        }
        self
    }

    /// Reads a `#s=` payload (without the `s=`).
    pub fn decode(payload: &str) -> Result<ShareState, ShareError> {
        let payload = payload.trim();
        if payload.len() > MAX_LINK_CHARS {
            return Err(ShareError::LinkTooLong(payload.len()));
        }
        // Links pasted from chat apps sometimes gain padding or lose nothing else; accept both.
        let trimmed = payload.trim_end_matches('=');
        let packed = URL_SAFE_NO_PAD
            .decode(trimmed)
            .map_err(|_| ShareError::NotBase64)?;
        let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_INFLATED)
            .map_err(|_| ShareError::Corrupt)?;
        let json = String::from_utf8(json)
            .map_err(|_| ShareError::NotJson("the text is not UTF-8".into()))?;
        ShareState::from_json(&json)
    }
}

impl SideDto {
    /// Checks the limits of one side; `Err` names the first one exceeded.
    pub fn validate(&self) -> Result<(), ShareError> {
        if self.manifests.len() > MAX_MANIFESTS {
            return Err(ShareError::TooLarge(format!(
                "manifests of {} KB, at most {} KB",
                self.manifests.len() / 1024,
                MAX_MANIFESTS / 1024
            )));
        }
        let counts = [
            ("namespaces", self.namespaces.len()),
            ("pods", self.pods.len()),
            ("external endpoints", self.externals.len()),
            ("arrows", self.arrows.len()),
        ];
        if let Some((what, n)) = counts.into_iter().find(|(_, n)| *n > MAX_ITEMS) {
            return Err(too_many(n, what));
        }
        let labels = self
            .namespaces
            .iter()
            .flat_map(|n| n.labels.iter())
            .chain(self.pods.iter().flat_map(|p| p.labels.iter()));
        let too_long_field = self
            .namespaces
            .iter()
            .map(|n| n.name.as_str())
            .chain(
                self.pods
                    .iter()
                    .flat_map(|p| [p.namespace.as_str(), p.name.as_str()]),
            )
            .chain(self.externals.iter().map(String::as_str))
            .chain(self.arrows.iter().map(String::as_str))
            .chain(labels.flat_map(|(k, v)| [k.as_str(), v.as_str()]))
            .chain(self.options.identity_label.as_deref())
            .chain(self.options.namespace_label.as_deref())
            .any(|s| s.len() > MAX_FIELD);
        if too_long_field {
            return Err(too_long());
        }
        Ok(())
    }
}

fn too_many(n: usize, what: &str) -> ShareError {
    ShareError::TooLarge(format!("{n} {what}, at most {MAX_ITEMS}"))
}

fn too_long() -> ShareError {
    ShareError::TooLarge(format!(
        "a name or label longer than {MAX_FIELD} characters"
    ))
}

fn short(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.char_indices().nth(120) {
        Some((i, _)) => format!("{}…", s.get(..i).unwrap_or("")),
        None => s,
    }
}

/// Converts the DTO into a workspace and positions; arrows that do not parse are reported.
pub fn from_share(s: &ShareState) -> (Workspace, BTreeMap<String, Pos>, Vec<String>) {
    let (ws, problems) = workspace_of(&s.side());
    let positions = s
        .positions
        .iter()
        .filter(|(_, [x, y])| x.is_finite() && y.is_finite())
        .map(|(k, [x, y])| (k.clone(), Pos { x: *x, y: *y }))
        .collect();
    (ws, positions, problems)
}

/// A workspace as the DTO (no view state: positions and the flows toggle default).
pub fn workspace_share(ws: &Workspace) -> ShareState {
    ShareState::of_side(side_of(ws))
}

/// Converts one side into a workspace; arrows that do not parse are reported.
pub fn workspace_of(s: &SideDto) -> (Workspace, Vec<String>) {
    let mut problems = Vec::new();
    let arrows = s
        .arrows
        .iter()
        .filter_map(|a| match parse_intent(a) {
            Ok(i) => Some(i),
            Err(e) => {
                problems.push(e);
                None
            }
        })
        .collect();
    let ws = Workspace {
        manifests: s.manifests.clone(),
        namespaces: s
            .namespaces
            .iter()
            .map(|n| DrawnNamespace {
                name: n.name.clone(),
                labels: n.labels.clone(),
            })
            .collect(),
        pods: s
            .pods
            .iter()
            .map(|p| DrawnPod {
                namespace: p.namespace.clone(),
                name: p.name.clone(),
                labels: p.labels.clone(),
            })
            .collect(),
        externals: s.externals.clone(),
        arrows,
        options: options_of(&s.options),
        kustomize: s.kustomize,
    };
    (ws, problems)
}

/// A workspace as one side of the DTO.
pub fn side_of(ws: &Workspace) -> SideDto {
    SideDto {
        manifests: ws.manifests.clone(),
        namespaces: ws
            .namespaces
            .iter()
            .map(|n| NamespaceDto {
                name: n.name.clone(),
                labels: n.labels.clone(),
            })
            .collect(),
        pods: ws
            .pods
            .iter()
            .map(|p| PodDto {
                namespace: p.namespace.clone(),
                name: p.name.clone(),
                labels: p.labels.clone(),
            })
            .collect(),
        externals: ws.externals.clone(),
        arrows: ws.arrows.iter().map(|a| a.to_string()).collect(),
        options: options_dto(&ws.options),
        kustomize: ws.kustomize,
    }
}

fn options_dto(o: &Options) -> OptionsDto {
    OptionsDto {
        baseline: o.baseline.name().into(),
        selector: o.selector.name().into(),
        identity_label: o.identity_label.clone(),
        namespace_label: o.namespace_label.clone(),
        dns: o.dns,
    }
}

/// Options from the DTO; unknown names fall back to the defaults (a link from a newer
/// playground still opens).
fn options_of(d: &OptionsDto) -> Options {
    Options {
        baseline: Baseline::from_name(&d.baseline).unwrap_or_default(),
        selector: SelectorStyle::from_name(&d.selector).unwrap_or_default(),
        identity_label: d.identity_label.clone().filter(|s| !s.trim().is_empty()),
        namespace_label: d.namespace_label.clone().filter(|s| !s.trim().is_empty()),
        dns: d.dns,
    }
}

/// The `s` value of a URL fragment (`#s=...` or `#a=b&s=...`), if any.
pub fn fragment_payload(hash: &str) -> Option<&str> {
    let hash = hash.strip_prefix('#').unwrap_or(hash);
    hash.split('&').find_map(|kv| kv.strip_prefix("s="))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ShareState {
        let mut labels = BTreeMap::new();
        labels.insert("app".to_string(), "web".to_string());
        let mut positions = BTreeMap::new();
        positions.insert("shop/web".to_string(), [10.5, -3.0]);
        ShareState {
            v: VERSION,
            manifests: "apiVersion: v1\nkind: Pod # ünïcode ✓\n".into(),
            namespaces: vec![NamespaceDto {
                name: "shop".into(),
                labels: labels.clone(),
            }],
            pods: vec![PodDto {
                namespace: "shop".into(),
                name: "web".into(),
                labels,
            }],
            externals: vec!["ip:0.0.0.0/0".into()],
            arrows: vec!["shop/web -> ip:0.0.0.0/0:443/TCP".into()],
            options: OptionsDto {
                baseline: "deny-all".into(),
                selector: "expressions".into(),
                identity_label: Some("app".into()),
                namespace_label: None,
                dns: true,
            },
            positions,
            flows: true,
            kustomize: true,
            compare: Some(CompareDto {
                with: CompareWith::Snapshot,
                side: Some(SideDto {
                    manifests: "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n".into(),
                    externals: vec!["ip:8.8.8.8".into()],
                    arrows: vec!["shop/web -> ip:8.8.8.8:53/UDP".into()],
                    ..SideDto::default()
                }),
            }),
            flow_log: "from,to,port,protocol\nshop/web,ip:8.8.8.8,53,UDP\n".into(),
        }
    }

    #[test]
    fn round_trip_is_exact() {
        let s = sample();
        let link = s.encode();
        assert!(link
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(ShareState::decode(&link).unwrap(), s);
        assert_eq!(ShareState::from_json(&s.to_json()).unwrap(), s);
    }

    #[test]
    fn the_engines_workspace_json_is_this_dto() {
        // `netpol lesson show -o json` prints workspaces with the engine's serialisation;
        // it must be what the app saves and links carry, field for field.
        let (ws, problems) = workspace_of(&sample().side());
        assert!(problems.is_empty(), "{problems:?}");
        let engine = serde_json::to_value(&ws).unwrap();
        assert_eq!(engine, serde_json::to_value(side_of(&ws)).unwrap());
        let side: SideDto = serde_json::from_value(engine).unwrap();
        assert_eq!(workspace_of(&side).0, ws);
        // The empty lists and `kustomize: false` the app leaves out, the engine writes.
        let (empty, _) = workspace_of(&SideDto::default());
        let engine = serde_json::to_value(&empty).unwrap();
        assert_eq!(engine["arrows"], serde_json::json!([]));
        assert_eq!(engine["kustomize"], false);
        let side: SideDto = serde_json::from_value(engine).unwrap();
        assert_eq!(side, SideDto::default());
    }

    #[test]
    fn fragment_parsing() {
        assert_eq!(fragment_payload("#s=abc"), Some("abc"));
        assert_eq!(fragment_payload("#x=1&s=abc"), Some("abc"));
        assert_eq!(fragment_payload("#abc"), None);
        assert_eq!(fragment_payload(""), None);
    }

    #[test]
    fn hostile_links_are_rejected_with_a_reason() {
        assert_eq!(ShareState::decode("!!!"), Err(ShareError::NotBase64));
        assert_eq!(
            ShareState::decode(&URL_SAFE_NO_PAD.encode(b"not deflate at all")),
            Err(ShareError::Corrupt)
        );
        let long = "A".repeat(MAX_LINK_CHARS + 1);
        assert!(matches!(
            ShareState::decode(&long),
            Err(ShareError::LinkTooLong(_))
        ));
        // A zip bomb: 50 MB of zeros compresses to a few KB, inflating stops at the limit.
        let bomb = miniz_oxide::deflate::compress_to_vec(&vec![b' '; 50 * 1024 * 1024], 9);
        assert_eq!(
            ShareState::decode(&URL_SAFE_NO_PAD.encode(bomb)),
            Err(ShareError::Corrupt)
        );
        // Valid deflate, wrong JSON.
        let enc = |s: &str| {
            URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(s.as_bytes(), 6))
        };
        assert!(matches!(
            ShareState::decode(&enc("[1,2]")),
            Err(ShareError::NotJson(_))
        ));
        assert!(matches!(
            ShareState::decode(&enc(&format!(
                "{}1{}",
                "[".repeat(10_000),
                "]".repeat(10_000)
            ))),
            Err(ShareError::NotJson(_))
        ));
        assert_eq!(
            ShareState::decode(&enc(r#"{"v":7,"manifests":""}"#)),
            Err(ShareError::Version(7))
        );
        assert!(matches!(
            ShareState::decode(&enc(r#"{"v":1,"manifests":5}"#)),
            Err(ShareError::NotJson(_))
        ));
        let big = ShareState {
            manifests: "x".repeat(MAX_MANIFESTS + 1),
            ..ShareState::default()
        };
        assert!(matches!(
            ShareState::decode(&big.encode()),
            Err(ShareError::TooLarge(_))
        ));
        let many = ShareState {
            externals: vec!["ip:1.1.1.1".into(); MAX_ITEMS + 1],
            ..ShareState::default()
        };
        assert!(matches!(
            ShareState::decode(&many.encode()),
            Err(ShareError::TooLarge(_))
        ));
    }

    #[test]
    fn messages_say_nothing_was_loaded() {
        for e in [
            ShareError::NotBase64,
            ShareError::Corrupt,
            ShareError::Version(2),
            ShareError::LinkTooLong(1 << 20),
            ShareError::NotJson("x".into()),
            ShareError::TooLarge("x".into()),
        ] {
            assert!(e.to_string().contains("nothing was loaded"), "{e}");
        }
    }

    #[test]
    fn options_keep_their_names_across_the_conversion() {
        let s = sample();
        let (ws, positions, problems) = from_share(&s);
        assert!(problems.is_empty());
        assert_eq!(ws.options.baseline, Baseline::DenyAll);
        assert_eq!(ws.options.selector, SelectorStyle::Expressions);
        assert_eq!(positions["shop/web"], Pos { x: 10.5, y: -3.0 });
        let back = workspace_share(&ws);
        assert_eq!(back.options, s.options);
        assert_eq!(back.arrows, s.arrows);
        let odd = OptionsDto {
            baseline: "from-the-future".into(),
            ..OptionsDto::default()
        };
        assert_eq!(options_of(&odd).baseline, Baseline::None);
    }

    #[test]
    fn minimal_json_fills_defaults() {
        let s = ShareState::from_json(r#"{"v":1}"#).unwrap();
        assert_eq!(s, ShareState::default());
        let s = ShareState::from_json(r#"{"v":2}"#).unwrap();
        assert_eq!(s, ShareState::default());
    }

    /// A link in the v1 format (before Compare), as the v1 playground wrote it: two pods,
    /// an arrow, a moved node and the flows overlay on.
    const V1_LINK: &str = "pZCxbgIxDIZfxfKcwN1JSCgDz9CpS4_BEJ8UNedESUoHxLvXHOotFQPq6D_-7M-54gVdb3AmCRPXVtEh5fDOpYYkDi79KJ9BvIO35EeZuZGnRm4UAKGZHeTkbf9b1kxnzRrTbJOwXbN7Q6QTx7qgAJTzylprR3l96_CPrcqiQSolfevJH_iX3S5yYA_w5G3Ao8GUmxrriCueqHIMwvqDot06Xms-t1Q0eVho5u_NE8XKN4M51bDyzxRUrx-6TWf23WZ3VGqKi3QrX3z7AQ";

    #[test]
    fn v1_links_still_open() {
        let s = ShareState::decode(V1_LINK).unwrap();
        assert_eq!(s.v, VERSION, "read as the current version");
        assert_eq!(s.compare, None);
        assert!(s.manifests.contains("name: pod-1"), "{}", s.manifests);
        assert_eq!(
            s.arrows,
            ["team-one-namespace/pod-1 -> team-one-namespace/pod-2"]
        );
        assert_eq!(s.positions["team-one-namespace/pod-1"], [120.0, 80.5]);
        assert!(s.flows);
    }

    #[test]
    fn a_comparison_travels_with_its_kept_side() {
        let s = sample();
        let back = ShareState::decode(&s.encode()).unwrap();
        assert_eq!(back.compare, s.compare);
        let json = s.to_json();
        assert!(
            json.contains(r#""compare":{"with":"snapshot","side":{"manifests":"#),
            "{json}"
        );
        let without = ShareState {
            compare: Some(CompareDto {
                with: CompareWith::WithoutGenerated,
                side: None,
            }),
            ..ShareState::default()
        };
        assert!(without
            .to_json()
            .contains(r#""compare":{"with":"without-generated"}"#));
        assert_eq!(ShareState::from_json(&without.to_json()).unwrap(), without);
        // The kept side is held to the same limits as the workspace.
        let big = ShareState {
            compare: Some(CompareDto {
                with: CompareWith::Manifests,
                side: Some(SideDto {
                    manifests: "x".repeat(MAX_MANIFESTS + 1),
                    ..SideDto::default()
                }),
            }),
            ..ShareState::default()
        };
        assert!(matches!(
            ShareState::decode(&big.encode()),
            Err(ShareError::TooLarge(_))
        ));
        // A comparison this build does not know is refused, not guessed.
        assert!(matches!(
            ShareState::from_json(r#"{"v":2,"compare":{"with":"yesterday"}}"#),
            Err(ShareError::NotJson(_))
        ));
        assert_eq!(
            ShareState::from_json(r#"{"v":0}"#),
            Err(ShareError::Version(0))
        );
    }

    #[test]
    fn a_flow_log_travels_when_it_fits_and_the_link_says_when_it_does_not() {
        let s = sample();
        let (payload, why) = s.link();
        assert!(why.is_none());
        assert_eq!(ShareState::decode(&payload).unwrap().flow_log, s.flow_log);
        // Too large for a link: left out, and said so; the rest still travels.
        let big = ShareState {
            flow_log: "x".repeat(MAX_FLOW_LOG + 1),
            ..sample()
        };
        let (payload, why) = big.link();
        assert!(why.unwrap().contains("not in the link"));
        let back = ShareState::decode(&payload).unwrap();
        assert!(back.flow_log.is_empty());
        assert_eq!(back.manifests, s.manifests);
        assert!(big.clone().for_storage().flow_log.is_empty());
        // Within the size limit but incompressible past the link's length: left out too.
        let mut noise = String::new();
        let mut x: u64 = 7;
        while noise.len() < MAX_FLOW_LOG - 64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            noise.push_str(&format!("{x:x}\n"));
        }
        let (_, why) = ShareState {
            flow_log: noise,
            ..sample()
        }
        .link();
        assert!(why.unwrap().contains("with it the link would be"));
        // A v2 link (no flow log) still reads.
        assert!(ShareState::from_json(r#"{"v":2}"#)
            .unwrap()
            .flow_log
            .is_empty());
    }
}
