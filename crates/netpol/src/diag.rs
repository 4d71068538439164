//! Diagnostics: one type for every problem the loader and the linter report, with a stable
//! code, a severity, a message, an optional fix hint and an exact location.

use serde::Serialize;
use std::fmt;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The object is rejected (the API server would refuse it) or the input is unreadable.
    Error,
    /// Accepted, but very likely not what the author meant.
    Warning,
    /// Nothing is wrong, but the result may surprise (a skipped kind, a Kustomize hint).
    Info,
}

impl Severity {
    /// `error`, `warning`, `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A problem at a place in the input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable code (`NP104`); never changes meaning.
    pub code: &'static str,
    /// Stable short name (`unknown-field`).
    pub name: &'static str,
    /// The code's severity: a code is always reported with the same one.
    pub severity: Severity,
    /// What is wrong: lowercase, user input in backticks.
    pub message: String,
    /// How to fix it, when there is a fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Source name (file name).
    pub source: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (characters).
    pub column: usize,
    /// Byte offset of the start in the source text.
    pub start: usize,
    /// Byte offset of the end (exclusive).
    pub end: usize,
}

impl fmt::Display for Diagnostic {
    /// `file:line:col: severity[CODE]: message` (and ` (help: ...)` when there is a fix).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}[{}]: {}",
            self.source,
            self.line,
            self.column,
            self.severity.as_str(),
            self.code,
            self.message
        )?;
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

/// A diagnostic code with its name, default severity and one-line summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Code {
    /// `NP104`: NP1xx for the loader, NP2xx for the linter; never reused.
    pub code: &'static str,
    /// Kebab-case name (`unknown-field`), as stable as the code.
    pub name: &'static str,
    /// Severity it is reported with.
    pub severity: Severity,
    /// What the code means, in one line; it is also the constant's doc comment.
    pub summary: &'static str,
}

macro_rules! codes {
    ($($ident:ident = $code:literal, $name:literal, $sev:ident, $summary:literal;)*) => {
        $(
            #[doc = $summary]
            pub const $ident: Code = Code { code: $code, name: $name, severity: Severity::$sev, summary: $summary };
        )*
        /// Every code, in order.
        pub const ALL_CODES: &[Code] = &[$($ident),*];
    };
}

codes! {
    YAML_SYNTAX = "NP100", "yaml-syntax", Error, "the text is not valid YAML or JSON";
    NOT_AN_OBJECT = "NP101", "not-an-object", Error, "a document is not a Kubernetes object (no `apiVersion`/`kind`)";
    SKIPPED_KIND = "NP102", "skipped-kind", Info, "a kind that NetworkPolicy evaluation does not use was skipped";
    WRONG_TYPE = "NP103", "wrong-type", Error, "a field has the wrong type";
    UNKNOWN_FIELD = "NP104", "unknown-field", Error, "a field the API does not know (kubectl's strict validation rejects the object)";
    MISSING_FIELD = "NP105", "missing-field", Error, "a required field is missing";
    DUPLICATE_NAME = "NP106", "duplicate-name", Error, "two objects of one kind share a namespace and name; the later one wins";
    INVALID_VALUE = "NP107", "invalid-value", Error, "a value the API server rejects";
    UNSUPPORTED_VERSION = "NP108", "unsupported-api-version", Error, "an apiVersion this kind is not served at";
    TEMPLATE_PLACEHOLDER = "NP109", "template-placeholder", Info, "an object in a template placeholder namespace (`<team-namespace>`) is not evaluated";
    YAML_DIALECT = "NP110", "yaml-1-1-key", Warning, "an unquoted key that kubectl's YAML 1.1 reads as something else (`yes:` becomes `true`)";
    HOST_NETWORK_NO_ADDRESS = "NP111", "host-network-no-address", Info, "a hostNetwork pod without pod IPs runs on a node the input does not give an address for: it has no address to match";
    RUN_TIME = "NP112", "decided-at-run-time", Warning, "a Cilium policy field only the running agent can decide (toFQDNs, toServices, L7 rules, host policies): the playground evaluates the rest of the rule where it stands alone";
    CILIUM_OBJECT_REFUSED = "NP113", "cilium-object-refused", Warning, "a rule of a Cilium policy has an error: the agent refuses the whole object, while the playground evaluates its other rules";
}

impl Code {
    /// A diagnostic of this code at `at`.
    pub fn at(self, at: &crate::model::Origin, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code: self.code,
            name: self.name,
            severity: self.severity,
            message: message.into(),
            help: None,
            source: at.source.clone(),
            line: at.line,
            column: at.column,
            start: at.start,
            end: at.end,
        }
    }
}

/// Sorts diagnostics into reading order: by source, byte offset, then code. Stable, so
/// two findings at one place keep the order they were found in. The loader and the linter
/// share it (one copy of the sort in the wasm, not one per call site).
pub fn sort_in_reading_order(diagnostics: &mut [Diagnostic]) {
    crate::sorting::sort_by(diagnostics, |a, b| {
        (a.source.as_str(), a.start, a.code).cmp(&(b.source.as_str(), b.start, b.code))
    });
}

/// Sorts diagnostics by line and column only, for lists of one text's findings. Stable.
pub fn sort_by_line(diagnostics: &mut [Diagnostic]) {
    crate::sorting::sort_by_key(diagnostics, |d| (d.line, d.column));
}

impl Diagnostic {
    /// Adds a fix hint.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// A problem found by a pure validation pass (no positions): the field path it is at
/// (`spec.egress[0].to[1].networks[0]`), which the loader turns into a place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Field path inside the object.
    pub path: String,
    /// The code it is reported with.
    pub code: Code,
    /// What is wrong, worded like [`Diagnostic::message`], which it becomes.
    pub message: String,
    /// How to fix it, when there is a fix; becomes [`Diagnostic::help`].
    pub help: Option<String>,
    /// Shown at the key of the field at `path` rather than at its value (a label whose
    /// key or value is wrong, a `values` list that does not belong).
    pub at_key: bool,
}

impl Problem {
    /// A problem without a fix hint.
    pub fn new(code: Code, path: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            path: path.into(),
            code,
            message: message.into(),
            help: None,
            at_key: false,
        }
    }

    /// Shown at the field's key rather than its value.
    pub fn at_key(mut self) -> Problem {
        self.at_key = true;
        self
    }

    /// Adds a fix hint.
    pub fn help(mut self, help: impl Into<String>) -> Problem {
        self.help = Some(help.into());
        self
    }
}

/// True when any diagnostic is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.severity == Severity::Error)
}
