//! Reading INPUT arguments: files, folders (their .yaml, .yml and .json files, sorted, not
//! recursive, like `kubectl apply -f DIR`) and `-` for stdin.

use std::io::Read as _;
use std::path::Path;

use netpol::{Loaded, Severity};

/// Reads every input; an unreadable one is an error naming it.
pub fn read(inputs: &[String]) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for input in inputs {
        if input == "-" {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| format!("cannot read stdin: {e}"))?;
            out.push(("<stdin>".to_string(), text));
            continue;
        }
        let path = Path::new(input);
        if path.is_dir() {
            let mut files: Vec<_> = std::fs::read_dir(path)
                .map_err(|e| format!("cannot read folder `{input}`: {e}"))?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.is_file()
                        && p.extension()
                            .and_then(|e| e.to_str())
                            .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
                })
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(format!(
                    "folder `{input}` has no .yaml, .yml or .json files"
                ));
            }
            for f in files {
                out.push((f.display().to_string(), read_file(&f)?));
            }
        } else {
            out.push((input.clone(), read_file(path)?));
        }
    }
    Ok(out)
}

fn read_file(path: &Path) -> Result<String, String> {
    let bytes =
        std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|_| format!("`{}` is not UTF-8 text", path.display()))
}

/// Reads and loads every input.
///
/// The result lives until the process ends: a command loads once and exits, and freeing
/// hundreds of thousands of small objects one by one at exit is time the user waits for.
/// The texts are handed over, not copied: a cluster snapshot can be a gigabyte.
pub fn load(inputs: &[String]) -> Result<&'static Loaded, String> {
    let texts = {
        let _progress = crate::progress::during("reading the inputs", None);
        read(inputs)?
    };
    let size: usize = texts.iter().map(|(_, text)| text.len()).sum();
    let _progress = crate::progress::during(
        format!("loading {} MB of manifests", size / 1_000_000),
        None,
    );
    Ok(Box::leak(Box::new(netpol::load_owned(texts))))
}

/// Queries still run on what loaded; errors go to stderr so nobody mistakes a partial
/// answer for a full one.
pub fn warn_about_errors(loaded: &Loaded) {
    for d in loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
    {
        eprintln!("{d}");
    }
}
