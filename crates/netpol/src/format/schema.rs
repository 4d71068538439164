//! The lesson files' JSON schema (`www/lessons/schema.json`), generated from the `format`
//! types, for editors (the first line of each lesson points at it).
//!
//! Most of it is derived. The types whose serde form the reader checks by hand (a goal
//! line's two forms, constraints by name, generator options, manifests as one text or
//! several) describe their accepted forms here with schema-only types, so the schema stays
//! as exact as the reader without the reader giving up its located, all-at-once errors.
//! `tests/schema.rs` fails when the committed file differs from [`lesson_schema`]'s.

use schemars::gen::{SchemaGenerator, SchemaSettings};
use schemars::schema::{Schema, SchemaObject};
use schemars::JsonSchema;
use serde_json::{json, Value};

use super::{ConstraintItem, Each, GeneratorOptions, GoalLine, LessonFile, Manifests};

/// The schema of a lesson file, as pretty JSON with a final newline.
pub fn lesson_schema() -> String {
    let settings = SchemaSettings::draft07().with(|s| s.option_add_null_type = false);
    let root = SchemaGenerator::new(settings).into_root_schema_for::<LessonFile>();
    let mut value = serde_json::to_value(root).unwrap_or(Value::Null);
    tighten(&mut value);
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// What the types cannot say: `manifests` or `add_manifests`, an answer's `patch` or
/// `workspace`, an accepted difference's one kind; and the schema's own name.
fn tighten(root: &mut Value) {
    if let Some(map) = root.as_object_mut() {
        map.insert("$id".into(), json!("netpol-playground/lesson.schema.json"));
        map.insert("title".into(), json!("netpol playground lesson"));
    }
    let Some(defs) = root.get_mut("definitions").and_then(Value::as_object_mut) else {
        return;
    };
    let one_of = |keys: &[&str]| {
        json!(keys
            .iter()
            .map(|k| json!({ "required": [k] }))
            .collect::<Vec<_>>())
    };
    let rules = [
        (
            "SolutionFile",
            "not",
            json!({ "required": ["manifests", "add_manifests"] }),
        ),
        ("WrongAnswerFile", "oneOf", one_of(&["patch", "workspace"])),
        ("RightAnswerFile", "oneOf", one_of(&["patch", "workspace"])),
        (
            "AcceptFile",
            "oneOf",
            one_of(&["may_allow", "may_deny", "may_differ"]),
        ),
    ];
    for (def, key, rule) in rules {
        if let Some(obj) = defs.get_mut(def).and_then(Value::as_object_mut) {
            obj.insert(key.into(), rule);
        }
    }
}

impl<T: JsonSchema> JsonSchema for Each<T> {
    fn is_referenceable() -> bool {
        false
    }

    fn schema_name() -> String {
        T::schema_name()
    }

    fn json_schema(gen: &mut SchemaGenerator) -> Schema {
        gen.subschema_for::<T>()
    }
}

/// `from -> to : PORT/PROTOCOL`; ends are `namespace/name` or `ip:ADDRESS`; the protocol
/// defaults to TCP.
#[derive(JsonSchema)]
#[allow(dead_code, reason = "a schema, never built")]
struct Connection(
    #[schemars(regex(
        pattern = r"^\s*\S+\s*(->|→)\s*\S+?\s*:\s*[0-9]+(/(TCP|UDP|SCTP|tcp|udp|sctp))?\s*$"
    ))]
    String,
);

/// The connection must be allowed.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "a schema, never built")]
struct Allow {
    allow: Connection,
}

/// The connection must stay denied.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "a schema, never built")]
struct Deny {
    deny: Connection,
}

/// TCP, UDP or SCTP, in either case.
#[derive(JsonSchema)]
#[allow(dead_code, reason = "a schema, never built")]
enum Protocol {
    #[serde(rename = "TCP")]
    Tcp,
    #[serde(rename = "UDP")]
    Udp,
    #[serde(rename = "SCTP")]
    Sctp,
    #[serde(rename = "tcp")]
    TcpLower,
    #[serde(rename = "udp")]
    UdpLower,
    #[serde(rename = "sctp")]
    SctpLower,
}

/// The long form of an expectation.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "a schema, never built")]
struct LongForm {
    /// The sender (`namespace/name`, a pattern, or `ip:ADDRESS`).
    from: String,
    /// The receiver.
    to: String,
    /// The port.
    #[schemars(range(min = 1, max = 65535))]
    port: u16,
    /// TCP when left out.
    protocol: Option<Protocol>,
    /// Whether the connection is allowed.
    allowed: bool,
}

/// A goal line: `allow: "a -> b : 8080/TCP"`, `deny: ...`, or the long form.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code, reason = "a schema, never built")]
enum Expectation {
    Allow(Allow),
    Deny(Deny),
    Long(LongForm),
}

impl JsonSchema for GoalLine {
    fn schema_name() -> String {
        "Expectation".into()
    }

    fn json_schema(gen: &mut SchemaGenerator) -> Schema {
        one_of_variants(Expectation::json_schema(gen))
    }
}

/// `true`, the only value a constraint without one may be given.
struct True;

impl JsonSchema for True {
    fn is_referenceable() -> bool {
        false
    }

    fn schema_name() -> String {
        "True".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        Schema::Object(SchemaObject {
            const_value: Some(json!(true)),
            ..SchemaObject::default()
        })
    }
}

/// A policy named `namespace/name`.
#[derive(JsonSchema)]
#[allow(dead_code, reason = "a schema, never built")]
struct PolicyName(#[schemars(regex(pattern = r"^[^/]+/[^/]+$"))] String);

/// Names of the constraints that take no value.
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code, reason = "a schema, never built")]
enum Flag {
    /// Policies the learner writes or changes select pods with matchExpressions only.
    UseMatchExpressions,
    /// Every namespace keeps the labels it has in the start.
    KeepNamespaces,
    /// No ClusterNetworkPolicy is added, removed or changed.
    KeepClusterPolicies,
}

/// One constraint, by name.
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code, reason = "a schema, never built")]
enum Named {
    /// Policies the learner writes or changes select pods with matchExpressions only.
    UseMatchExpressions(True),
    /// Every namespace keeps the labels it has in the start.
    KeepNamespaces(True),
    /// No ClusterNetworkPolicy is added, removed or changed.
    KeepClusterPolicies(True),
    /// This policy must keep the spec it has in the start.
    KeepPolicy(PolicyName),
    /// No NetworkPolicy in this namespace.
    NoPolicyIn(String),
    /// The receiver's ingress denies this connection on its own, whatever the sender allows.
    IngressDenies(Connection),
    /// The sender's egress denies this connection on its own, whatever the receiver allows.
    EgressDenies(Connection),
}

/// A constraint: a bare name or a mapping of one name to its value.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code, reason = "a schema, never built")]
enum Constraint {
    Flag(Flag),
    Named(Named),
}

impl JsonSchema for ConstraintItem {
    fn schema_name() -> String {
        "Constraint".into()
    }

    fn json_schema(gen: &mut SchemaGenerator) -> Schema {
        one_of_variants(Constraint::json_schema(gen))
    }
}

/// What a wrong answer fails: a goal line or a constraint, as written there.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code, reason = "a schema, never built")]
pub(super) enum Fails {
    Goal(GoalLine),
    Constraint(ConstraintItem),
}

/// Multi-document YAML, or a list of YAML texts joined with `---`.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code, reason = "a schema, never built")]
enum ManifestsForm {
    One(String),
    Parts(Vec<String>),
}

impl JsonSchema for Manifests {
    fn schema_name() -> String {
        "Manifests".into()
    }

    fn json_schema(gen: &mut SchemaGenerator) -> Schema {
        one_of_variants(ManifestsForm::json_schema(gen))
    }
}

/// How pod selectors are written.
#[derive(JsonSchema)]
#[allow(dead_code, reason = "a schema, never built")]
enum Selector {
    #[serde(rename = "matchLabels")]
    Labels,
    #[serde(rename = "matchExpressions")]
    Expressions,
}

/// Namespace-wide baseline policies.
#[derive(JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[allow(dead_code, reason = "a schema, never built")]
enum Baseline {
    None,
    DenyAll,
    DocsDefault,
}

/// `true` or `false`, quoted or not.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code, reason = "a schema, never built")]
enum Switch {
    Bool(bool),
    Text(SwitchText),
}

/// `"true"` or `"false"`.
#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code, reason = "a schema, never built")]
enum SwitchText {
    True,
    False,
}

/// Policy generator options for the arrows.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "a schema, never built")]
struct Options {
    /// How pod selectors are written.
    selector: Option<Selector>,
    /// The label that identifies a workload; left out, `app`, then
    /// `app.kubernetes.io/name`, then all of the workload's labels.
    identity_label: Option<String>,
    /// The namespace label that namespaceSelectors use; left out,
    /// `kubernetes.io/metadata.name`, which Kubernetes sets on every namespace.
    namespace_label: Option<String>,
    /// Which namespace-wide baseline policies (default deny, ...) to emit besides the
    /// per-workload ones.
    baseline: Option<Baseline>,
    /// Add DNS egress (kube-dns in kube-system, 53/UDP and 53/TCP) to every pod the
    /// generated policies isolate for egress.
    dns: Option<Switch>,
    /// The project uses Kustomize `commonLabels`.
    kustomize: Option<Switch>,
}

impl JsonSchema for GeneratorOptions {
    fn schema_name() -> String {
        "Options".into()
    }

    fn json_schema(gen: &mut SchemaGenerator) -> Schema {
        Options::json_schema(gen)
    }
}

/// schemars writes an untagged enum as `anyOf`; its forms exclude one another, which
/// `oneOf` tells an editor.
fn one_of_variants(schema: Schema) -> Schema {
    match schema {
        Schema::Object(mut object) => {
            if let Some(sub) = object.subschemas.as_mut() {
                if sub.one_of.is_none() {
                    sub.one_of = sub.any_of.take();
                }
            }
            Schema::Object(object)
        }
        other => other,
    }
}
