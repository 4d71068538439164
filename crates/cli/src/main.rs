//! `netpol`: the engine on the command line, kubectl-style.
//!
//! A thin shell: read inputs (files, folders, `-`), call the engine, print in the asked
//! format. Every failure is one clear line on stderr and a non-zero exit, never a panic.

mod diff;
mod expectations;
mod flows;
mod inputs;
mod lesson;
mod output;
mod progress;

use std::io;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use netpol::cidr::Cidr;
use netpol::endpoint::all_endpoints;
use netpol::generate::{self, Baseline, SelectorStyle};
use netpol::lint::{lint, LintOptions};
use netpol::syntax;
use netpol::{Endpoint, Protocol, Severity, Traffic};
use output::{Body, ConnectivityFormat, MatrixFormat, TextFormat};

/// Loading a snapshot builds and drops millions of small trees on several threads, and
/// glibc's allocator spent about a sixth of a 100k `diff` in malloc and free, and kept
/// arenas per thread that the peak memory paid for. mimalloc made every whole-process
/// figure in docs/performance.md faster and smaller (two 100k snapshots: 4.7 s and
/// 991 MB → 4.0–4.9 s and 896–943 MB). The engine itself allocates through the standard
/// interface and does not know.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "netpol",
    version,
    about = "Evaluate, explain, generate and lint Kubernetes NetworkPolicies",
    long_about = "Evaluate, explain, generate and lint Kubernetes NetworkPolicies.\n\nINPUT is a file, a folder (every .yaml, .yml and .json file in it) or - for stdin."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Truth table: is traffic allowed between every ordered pair, on the given ports
    Matrix {
        /// Manifests: files, folders or - for stdin
        #[arg(required = true)]
        inputs: Vec<String>,
        /// Port to probe, PORT[/PROTOCOL], the protocol in any case (repeatable; default 80/TCP)
        #[arg(long = "port")]
        ports: Vec<String>,
        /// An address or range outside the cluster to include, `ip:` optional: 8.8.8.8, ip:10.0.0.0/8 (repeatable)
        #[arg(long = "external")]
        externals: Vec<String>,
        /// Output format
        #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
        output: MatrixFormat,
    },
    /// Exact allowed connections (all protocols and ports) for every ordered pair
    Connectivity {
        /// Manifests: files, folders or - for stdin
        #[arg(required = true)]
        inputs: Vec<String>,
        /// An address or range outside the cluster to include, `ip:` optional: 8.8.8.8, ip:10.0.0.0/8 (repeatable)
        #[arg(long = "external")]
        externals: Vec<String>,
        /// Output format
        #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
        output: ConnectivityFormat,
        /// Print classes of endpoints that every policy treats alike (same namespace,
        /// labels, named ports and address facts), `ns/app=web ×312`, instead of pods
        /// (text or json)
        #[arg(long)]
        group: bool,
    },
    /// Why one connection is allowed or denied
    Explain {
        /// Manifests: files, folders or - for stdin
        #[arg(required = true)]
        inputs: Vec<String>,
        /// Sender: namespace/name, or ip:ADDR[/PREFIX] outside the cluster
        #[arg(long)]
        from: String,
        /// Receiver: namespace/name, or ip:ADDR[/PREFIX] outside the cluster
        #[arg(long)]
        to: String,
        /// PORT[/PROTOCOL]: one port number, the protocol (TCP when left out) in any case
        #[arg(long, default_value = "80/TCP")]
        port: String,
        /// Output format
        #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
        output: TextFormat,
    },
    /// Diagnostics: what the API server would reject and what likely does not do what you think
    Lint {
        /// Manifests: files, folders or - for stdin
        #[arg(required = true)]
        inputs: Vec<String>,
        /// The project uses Kustomize commonLabels (also detected from a kustomization.yaml)
        #[arg(long)]
        kustomize: bool,
        /// Output format
        #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
        output: TextFormat,
    },
    /// Write the NetworkPolicies (or, with --flavor cilium, CiliumNetworkPolicies) that allow the given arrows (YAML on stdout)
    Generate {
        /// Manifests with the namespaces and pods: files, folders or - for stdin
        #[arg(required = true)]
        inputs: Vec<String>,
        /// "ns/a -> ns/b[:8080/TCP]" (repeatable)
        #[arg(long = "allow", required_unless_present = "from_flows")]
        allow: Vec<String>,
        /// A flow log (Hubble `hubble observe -o json`, or CSV from,to,port,protocol[,count]):
        /// every observed connection becomes an arrow
        #[arg(long = "from-flows", value_name = "FLOWS")]
        from_flows: Option<String>,
        /// Baseline policies to add
        #[arg(long, value_enum, default_value = "none")]
        baseline: BaselineArg,
        /// How pods are selected: matchLabels, or matchExpressions (safe under Kustomize commonLabels)
        #[arg(long, value_enum, default_value = "labels")]
        selector: SelectorArg,
        /// Label that identifies a pod (default: app, then app.kubernetes.io/name, else all labels)
        #[arg(long = "pod-label")]
        pod_label: Option<String>,
        /// Namespace label for namespaceSelectors (default kubernetes.io/metadata.name)
        #[arg(long = "namespace-label")]
        namespace_label: Option<String>,
        /// Add DNS egress (kube-dns, 53/UDP and 53/TCP) to every egress-isolated pod
        #[arg(long)]
        dns: bool,
        /// What to write: NetworkPolicies, or CiliumNetworkPolicies (cilium.io/v2); with
        /// cilium, --baseline cluster-baseline is refused (docs-default is already one object)
        #[arg(long, value_enum, default_value = "networkpolicy")]
        flavor: FlavorArg,
    },
    /// Replay a flow log (Hubble JSON or CSV) against the manifests: which observed connections they allow or deny, and why
    Flows {
        /// The flow log: `hubble observe -o json` output, or CSV from,to,port,protocol[,count]; - for stdin
        flows: String,
        /// Manifests: files, folders or - for stdin
        #[arg(required = true)]
        inputs: Vec<String>,
        /// Output format
        #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
        output: flows::FlowsFormat,
        /// Exit 1 when any observed connection would be denied
        #[arg(long = "exit-code")]
        exit_code: bool,
    },
    /// What a change opens and closes between two sets of manifests, and which policy did it
    Diff(diff::DiffArgs),
    /// Check expectations ("a -> b : 8080/TCP" allowed or denied) as a CI gate: exit 1 on a failure
    Test(expectations::TestArgs),
    /// Onboarding lessons
    Lesson {
        #[command(subcommand)]
        command: LessonCommand,
    },
}

#[derive(Subcommand)]
enum LessonCommand {
    /// Validate a lesson file: it parses, its solution and right answers complete it, its
    /// start and wrong answers do not (and which probe catches each)
    Check {
        /// Lesson file (YAML)
        file: std::path::PathBuf,
    },
    /// Grade a learner's answer as the playground does: exit 0 when the lesson is done, 1
    /// with the first difference from the solution and its explanation when not, 2 for bad
    /// input
    Grade {
        /// Lesson file (YAML)
        lesson: std::path::PathBuf,
        /// The answer: a workspace file shaped like a lesson's `solution:` (`manifests`,
        /// `add_manifests`, `arrows`, ...), or plain manifests; - for stdin
        answer: String,
        /// Output format
        #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
        output: GradeFormat,
    },
    /// What the engine reads from a lesson file: its goal and constraints, and its start,
    /// solution, right answers and wrong answers as complete workspaces
    Show {
        /// Lesson file (YAML)
        file: std::path::PathBuf,
        /// Output format
        #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
        output: ShowFormat,
    },
}

output::formats! {
    /// `netpol lesson grade -o`.
    pub enum GradeFormat {
        Text => "The first difference and both sides' explanations, for people.",
        Json => "The whole report (goal lines, constraints, the first difference), for tools.",
    }
}

output::formats! {
    /// `netpol lesson show -o`.
    pub enum ShowFormat {
        Text => "A summary: the goal, the constraints, what each workspace holds, what each wrong answer fails.",
        Json => "`{\"id\", \"title\", \"goal\", \"constraints\", \"start\", \"solution\", \"right_answers\", \"wrong_answers\", ...}`, each workspace whole, as the playground saves one.",
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum BaselineArg {
    None,
    DenyAll,
    DocsDefault,
    /// The docs' namespace-default as one Baseline-tier ClusterNetworkPolicy
    ClusterBaseline,
}

#[derive(Clone, Copy, ValueEnum)]
enum FlavorArg {
    /// Kubernetes NetworkPolicies
    Networkpolicy,
    /// CiliumNetworkPolicies; the baselines as one CiliumClusterwideNetworkPolicy each
    Cilium,
}

#[derive(Clone, Copy, ValueEnum)]
enum SelectorArg {
    Labels,
    Expressions,
}

/// What a command produced: what to print on stdout, and the exit code.
struct Output {
    body: Body,
    code: u8,
}

fn ok(stdout: String) -> Result<Output, String> {
    print(Body::Text(stdout))
}

fn print(body: Body) -> Result<Output, String> {
    Ok(Output { body, code: 0 })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(out) => match output::print(&out.body) {
            Ok(()) => ExitCode::from(out.code),
            // A closed pipe (`netpol matrix ... | head`) is not an error worth reporting.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::from(out.code),
            Err(e) => {
                eprintln!("netpol: could not write the output: {e}");
                ExitCode::from(2)
            }
        },
        Err(message) => {
            eprintln!("netpol: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> Result<Output, String> {
    match command {
        Command::Matrix {
            inputs,
            ports,
            externals,
            output,
        } => {
            let loaded = inputs::load(&inputs)?;
            inputs::warn_about_errors(loaded);
            let probes = if ports.is_empty() {
                vec![(80, Protocol::Tcp)]
            } else {
                ports
                    .iter()
                    .map(|p| parse_port(p))
                    .collect::<Result<_, _>>()?
            };
            let endpoints = endpoints(&loaded.cluster, &externals)?;
            let _progress = progress::during(
                format!("working out the matrix of {} endpoints", endpoints.len()),
                None,
            );
            let m = netpol::matrix(&loaded.cluster, &endpoints, &probes);
            print(Body::Matrix(m, output))
        }
        Command::Connectivity {
            inputs,
            externals,
            output,
            group,
        } => {
            if group && !matches!(output, ConnectivityFormat::Text | ConnectivityFormat::Json) {
                return Err("--group prints text or json (-o text, -o json)".into());
            }
            let loaded = inputs::load(&inputs)?;
            inputs::warn_about_errors(loaded);
            let endpoints = endpoints(&loaded.cluster, &externals)?;
            let _progress = progress::during(
                format!(
                    "working out the connectivity of {} endpoints",
                    endpoints.len()
                ),
                None,
            );
            let c = netpol::connectivity(&loaded.cluster, &endpoints);
            if group {
                let names = netpol::classes::class_names(&loaded.cluster, &endpoints, c.classes());
                return print(Body::ConnectivityGroups(c, names, output));
            }
            print(Body::Connectivity(c, output))
        }
        Command::Explain {
            inputs,
            from,
            to,
            port,
            output,
        } => {
            let loaded = inputs::load(&inputs)?;
            inputs::warn_about_errors(loaded);
            let c = &loaded.cluster;
            let (port, protocol) = parse_port(&port)?;
            let traffic = Traffic {
                from: Endpoint::parse(c, &from).map_err(|e| e.to_string())?,
                to: Endpoint::parse(c, &to).map_err(|e| e.to_string())?,
                port,
                protocol,
            };
            let e = netpol::explain(c, &traffic);
            print(Body::Explanation(Box::new(e), output))
        }
        Command::Lint {
            inputs,
            kustomize,
            output,
        } => {
            let loaded = inputs::load(&inputs)?;
            let options = LintOptions {
                kustomize_common_labels: kustomize || loaded.cluster.kustomize_common_labels,
            };
            let mut all = loaded.diagnostics.clone();
            let _progress = progress::during("linting", None);
            all.extend(lint(loaded, &options));
            let code = u8::from(all.iter().any(|d| d.severity == Severity::Error));
            Ok(Output {
                body: Body::Diagnostics(all, output),
                code,
            })
        }
        Command::Generate {
            inputs,
            allow,
            baseline,
            selector,
            pod_label,
            namespace_label,
            dns,
            from_flows,
            flavor,
        } => {
            let loaded = inputs::load(&inputs)?;
            inputs::warn_about_errors(loaded);
            let mut intents = allow
                .iter()
                .map(|a| {
                    generate::parse_intent(a)
                        .map(|i| (i, format!("--allow {a}")))
                        .map_err(|e| format!("--allow `{a}`: {e}"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let observed = match &from_flows {
                Some(path) => Some(flows::read(path, loaded.cluster.clone())?),
                None => None,
            };
            if let Some(o) = &observed {
                intents.extend(netpol::observed::intents(o));
                flows::warn_dropped(o);
            }
            let cluster = observed.as_ref().map_or(&loaded.cluster, |o| &o.cluster);
            let options = generate::Options {
                selector: match selector {
                    SelectorArg::Labels => SelectorStyle::Labels,
                    SelectorArg::Expressions => SelectorStyle::Expressions,
                },
                identity_label: pod_label,
                namespace_label,
                baseline: match baseline {
                    BaselineArg::None => Baseline::None,
                    BaselineArg::DenyAll => Baseline::DenyAll,
                    BaselineArg::DocsDefault => Baseline::DocsDefault,
                    BaselineArg::ClusterBaseline => Baseline::ClusterBaseline,
                },
                dns,
            };
            let flavor = match flavor {
                FlavorArg::Networkpolicy => generate::Flavor::NetworkPolicy,
                FlavorArg::Cilium => generate::Flavor::Cilium,
            };
            let g = if observed.is_some() {
                generate::generate_annotated_as(cluster, &intents, &options, flavor)
            } else {
                let plain: Vec<generate::Intent> = intents.into_iter().map(|(i, _)| i).collect();
                generate::generate_as(cluster, &plain, &options, flavor)
            }
            .map_err(|e| e.to_string())?;
            if let Some(o) = &observed {
                flows::check_generated(o, &g.yaml);
            }
            ok(g.yaml)
        }
        Command::Flows {
            flows: path,
            inputs,
            output,
            exit_code,
        } => {
            let loaded = inputs::load(&inputs)?;
            inputs::warn_about_errors(loaded);
            let observed = flows::read(&path, loaded.cluster.clone())?;
            // Written as it is rendered: nothing is left for the body.
            let denied = flows::replay(&observed, output)?;
            Ok(Output {
                body: Body::Text(String::new()),
                code: u8::from(exit_code && denied),
            })
        }
        Command::Diff(args) => diff::run(&args).map(|(body, code)| Output { body, code }),
        Command::Test(args) => expectations::run(&args).map(|(stdout, code)| Output {
            body: Body::Text(stdout),
            code,
        }),
        Command::Lesson {
            command: LessonCommand::Check { file },
        } => {
            let report = lesson::check_file(&file)?;
            ok(report)
        }
        Command::Lesson {
            command:
                LessonCommand::Grade {
                    lesson,
                    answer,
                    output,
                },
        } => {
            let json = matches!(output, GradeFormat::Json);
            lesson::grade_file(&lesson, &answer, json).map(|(stdout, code)| Output {
                body: Body::Text(stdout),
                code,
            })
        }
        Command::Lesson {
            command: LessonCommand::Show { file, output },
        } => ok(lesson::show_file(
            &file,
            matches!(output, ShowFormat::Json),
        )?),
    }
}

fn endpoints(cluster: &netpol::Cluster, externals: &[String]) -> Result<Vec<Endpoint>, String> {
    Ok(all_endpoints(cluster, &parse_externals(externals)?))
}

/// `--external` values: an address or range, `ip:` or not (`8.8.8.8`, `ip:10.0.0.0/8`),
/// read as `--from`/`--to` read their `ip:` ends.
pub(crate) fn parse_externals(values: &[String]) -> Result<Vec<Cidr>, String> {
    values
        .iter()
        .map(|e| syntax::address(e).map_err(|err| format!("--external `{e}`: {err}")))
        .collect()
}

/// `--port`: one numbered port, `80`, `80/TCP`, `53/udp`.
fn parse_port(s: &str) -> Result<(u16, Protocol), String> {
    syntax::probe(s).map_err(|e| format!("--port `{s}`: {e}"))
}
