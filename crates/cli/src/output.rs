//! What a command prints, and how it reaches stdout.
//!
//! A command returns a [`Body`]: the engine's result and the format asked for, not text.
//! [`print`] renders it straight into one locked, buffered stdout as rows are produced, so
//! memory does not grow with the output: `netpol matrix -o json` on 20,000 pods writes
//! gigabytes while holding one row. The renderings themselves are the engine's
//! ([`netpol::render`]), shared with the web app; this module only picks one and connects
//! it to stdout. YAML comes from the engine's renderers, which quote what YAML 1.1 or 1.2
//! would read as something else.

use std::fmt;
use std::io::{self, Write as _};

use clap::builder::PossibleValue;
use netpol::syntax::OutputFormat;
use netpol::{render, ConnectivityMap, Diagnostic, Explanation, Matrix};
use serde::Serialize;

/// Declares the `-o` values of a command: which of the engine's [`OutputFormat`]s it
/// writes, and what each is for that command. The names and aliases are the engine's, not
/// written here, so every command takes the same spellings.
macro_rules! formats {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($variant:ident => $help:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        $vis enum $name {
            $(#[doc = $help] $variant,)+
        }

        impl clap::ValueEnum for $name {
            fn value_variants<'a>() -> &'a [Self] {
                &[$($name::$variant,)+]
            }

            fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
                let help = match self {
                    $($name::$variant => $help,)+
                };
                Some($crate::output::possible_value(self.format(), help))
            }
        }

        impl $name {
            /// The engine's format this value stands for.
            pub fn format(self) -> netpol::syntax::OutputFormat {
                match self {
                    $($name::$variant => netpol::syntax::OutputFormat::$variant,)+
                }
            }
        }
    };
}
pub(crate) use formats;

/// One `-o` value as `--help` lists it: the engine's name, its aliases accepted and named
/// in the help (old scripts use them; new ones should not need to).
pub fn possible_value(format: OutputFormat, help: &'static str) -> PossibleValue {
    let aliases = format.aliases();
    let help = if aliases.is_empty() {
        help.to_string()
    } else {
        let help = help.trim_end_matches('.');
        format!("{help} (also `{}`, older names).", aliases.join("` and `"))
    };
    PossibleValue::new(format.name())
        .aliases(aliases.iter().copied())
        .help(help)
}

formats! {
    /// `netpol matrix -o`.
    pub enum MatrixFormat {
        Text => "The upstream e2e notation, one aligned table per port.",
        Json => "`{\"endpoints\": [...], \"checks\": [...]}`, one row of the table per line.",
        Yaml => "The JSON contract's value as YAML.",
        Csv => "`port,protocol,from,to,allowed`, one row per pair and port.",
        Md => "One Markdown table per port.",
        Dot => "A Graphviz digraph of the allowed pairs.",
    }
}

formats! {
    /// `netpol connectivity -o`.
    pub enum ConnectivityFormat {
        Text => "`src => dst : connections`, one line per pair.",
        Json => "`{\"endpoints\": [...], \"connections\": [...]}`, one pair per line.",
        Yaml => "The JSON value as YAML.",
        Csv => "`src,dst,connections`.",
        Md => "A Markdown table of allowed pairs.",
        Dot => "A Graphviz digraph of allowed pairs.",
    }
}

formats! {
    /// `netpol explain -o` and `netpol lint -o`.
    pub enum TextFormat {
        Text => "Indented text for people (explain) or `file:line:col:` lines (lint).",
        Json => "Pretty-printed JSON.",
    }
}

/// What a command prints on stdout, rendered only when it is written.
pub enum Body {
    /// Text that is already whole (small: a report, generated policies).
    Text(String),
    /// `netpol matrix`.
    Matrix(Matrix, MatrixFormat),
    /// `netpol connectivity`.
    Connectivity(ConnectivityMap, ConnectivityFormat),
    /// `netpol connectivity --group`: the map with its classes' names (text or json).
    ConnectivityGroups(ConnectivityMap, Vec<String>, ConnectivityFormat),
    /// `netpol explain`.
    Explanation(Box<Explanation>, TextFormat),
    /// `netpol lint`: one `file:line:col: severity[CODE]: message` line each.
    Diagnostics(Vec<Diagnostic>, TextFormat),
}

/// Writes `body` to stdout through one buffer.
pub fn print(body: &Body) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, unbuffered_stdout());
    write(&mut out, body)?;
    out.flush()
}

/// Writes what `render` produces to stdout as it is produced, through the same buffer as
/// [`print`]: for outputs a [`Body`] cannot hold without copying (a replayed flow log
/// borrows the log it was read from).
pub fn print_rendered(render: impl FnOnce(&mut dyn fmt::Write) -> fmt::Result) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, unbuffered_stdout());
    rendered(&mut out, |sink| render(sink))?;
    io::Write::flush(&mut out)
}

/// Stdout without the standard library's line buffering, which searches every write for
/// its last line break and copies what follows: a tenth of the time of a 300 MB matrix.
/// On Unix that is a duplicate of file descriptor 1 (same file, offset and append mode);
/// elsewhere the locked handle.
fn unbuffered_stdout() -> Box<dyn io::Write> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd as _;
        if let Ok(fd) = io::stdout().as_fd().try_clone_to_owned() {
            return Box::new(std::fs::File::from(fd));
        }
    }
    Box::new(io::stdout().lock())
}

/// Writes `body` to `out` as it is rendered.
pub fn write<W: io::Write>(out: &mut W, body: &Body) -> io::Result<()> {
    match body {
        Body::Text(text) => out.write_all(text.as_bytes()),
        Body::Matrix(m, format) => match format {
            MatrixFormat::Text => rendered(out, |f| render::matrix_table(f, m)),
            MatrixFormat::Json => rendered(out, |f| render::matrix_json(f, m)),
            MatrixFormat::Yaml => rendered(out, |f| render::matrix_yaml(f, m)),
            MatrixFormat::Csv => rendered(out, |f| render::matrix_csv(f, m)),
            MatrixFormat::Md => rendered(out, |f| render::matrix_markdown(f, m)),
            MatrixFormat::Dot => rendered(out, |f| render::matrix_dot(f, m)),
        },
        Body::Connectivity(c, format) => match format {
            ConnectivityFormat::Text => rendered(out, |f| render::connectivity_text(f, c)),
            ConnectivityFormat::Json => rendered(out, |f| render::connectivity_json(f, c)),
            ConnectivityFormat::Yaml => rendered(out, |f| render::connectivity_yaml(f, c)),
            ConnectivityFormat::Csv => rendered(out, |f| render::connectivity_csv(f, c)),
            ConnectivityFormat::Md => rendered(out, |f| render::connectivity_markdown(f, c)),
            ConnectivityFormat::Dot => rendered(out, |f| render::connectivity_dot(f, c)),
        },
        Body::ConnectivityGroups(c, names, ConnectivityFormat::Json) => {
            rendered(out, |f| render::connectivity_groups_json(f, c, names))
        }
        // The command refuses the other formats with --group before computing anything.
        Body::ConnectivityGroups(c, names, _) => {
            rendered(out, |f| render::connectivity_groups_text(f, c, names))
        }
        Body::Explanation(e, TextFormat::Text) => rendered(out, |f| render::explanation(f, e)),
        Body::Explanation(e, TextFormat::Json) => json_pretty(out, e),
        Body::Diagnostics(all, TextFormat::Text) => rendered(out, |f| {
            all.iter()
                .try_for_each(|d| fmt::Write::write_fmt(f, format_args!("{d}\n")))
        }),
        Body::Diagnostics(all, TextFormat::Json) => json_pretty(out, all),
    }
}

/// Pretty-printed JSON and a final line break: small outputs meant for people and `jq`.
fn json_pretty<W: io::Write, T: Serialize + ?Sized>(out: &mut W, value: &T) -> io::Result<()> {
    let mut sink = Sink::new(out);
    let written = serde_json::to_writer_pretty(&mut sink, value)
        .map_err(|e| format!("could not write JSON: {e}"))
        .and_then(|()| {
            sink.write_all(b"\n")
                .map_err(|e| format!("could not write JSON: {e}"))
        });
    sink.result(written)
}

/// Runs one of the engine's renderers (which write into a `fmt::Write`) against `out`.
fn rendered<W, F>(out: &mut W, render: F) -> io::Result<()>
where
    W: io::Write,
    F: FnOnce(&mut Sink<'_, W>) -> fmt::Result,
{
    let mut sink = Sink::new(out);
    let written = render(&mut sink).map_err(|fmt::Error| "could not format the output".into());
    sink.result(written)
}

/// A writer that remembers the first I/O error it met, so that the error the caller
/// reports is the real one (a closed pipe, a full disk) rather than the serializer's or
/// the formatter's wrapping of it.
struct Sink<'a, W> {
    inner: &'a mut W,
    failed: Option<io::Error>,
}

impl<'a, W: io::Write> Sink<'a, W> {
    fn new(inner: &'a mut W) -> Self {
        Sink {
            inner,
            failed: None,
        }
    }

    /// The I/O error when there was one, else the renderer's own result.
    fn result(self, written: Result<(), String>) -> io::Result<()> {
        match (self.failed, written) {
            (Some(e), _) => Err(e),
            (None, Ok(())) => Ok(()),
            (None, Err(message)) => Err(io::Error::other(message)),
        }
    }

    fn record(&mut self, e: io::Error) -> io::Error {
        let copy = io::Error::new(e.kind(), e.to_string());
        self.failed.get_or_insert(e);
        copy
    }
}

impl<W: io::Write> io::Write for Sink<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf).map_err(|e| self.record(e))
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.inner.write_all(buf).map_err(|e| self.record(e))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush().map_err(|e| self.record(e))
    }
}

impl<W: io::Write> fmt::Write for Sink<'_, W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.inner.write_all(s.as_bytes()).map_err(|e| {
            self.record(e);
            fmt::Error
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        reason = "a test fails loudly on purpose"
    )]

    use super::*;

    /// Accepts `limit` bytes, then fails like a pipe whose reader went away.
    struct ClosedAfter {
        limit: usize,
        taken: usize,
    }

    impl io::Write for ClosedAfter {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.taken >= self.limit {
                return Err(io::ErrorKind::BrokenPipe.into());
            }
            let n = buf.len().min(self.limit - self.taken);
            self.taken += n;
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn small_matrix() -> Matrix {
        let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: x}\n";
        let loaded = netpol::load(&[netpol::Source {
            name: "t.yaml",
            text: yaml,
        }]);
        let endpoints = netpol::endpoint::all_endpoints(&loaded.cluster, &[]);
        netpol::matrix(&loaded.cluster, &endpoints, &[(80, netpol::Protocol::Tcp)])
    }

    #[test]
    fn a_closed_pipe_is_reported_as_one_not_as_a_format_or_yaml_error() {
        let m = small_matrix();
        for format in <MatrixFormat as clap::ValueEnum>::value_variants() {
            let mut pipe = ClosedAfter {
                limit: 10,
                taken: 0,
            };
            let err = write(&mut pipe, &Body::Matrix(m.clone(), *format)).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::BrokenPipe, "{format:?}: {err}");
        }
        let mut pipe = ClosedAfter { limit: 0, taken: 0 };
        let err = write(&mut pipe, &Body::Text("x".into())).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
    }
}
