//! Reading INPUT arguments: files, folders (their .yaml, .yml and .json files, sorted, not
//! recursive, like `kubectl apply -f DIR`) and `-` for stdin.

use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use netpol::yaml::{ListCutter, ListItem, NotAList};
use netpol::{Loaded, Severity};

fn read_file(path: &Path) -> Result<String, String> {
    let bytes =
        std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|_| format!("`{}` is not UTF-8 text", path.display()))
}

/// Reads and loads every input.
///
/// A file holding one JSON `List` (`kubectl get -o json`) is read a buffer at a time and
/// never held whole: a thread reads and cuts it into items while this one reads each item
/// into objects, and only what loads is kept (see `netpol::Loader`). Anything else is read
/// whole.
///
/// The result lives until the process ends: a command loads once and exits, and freeing
/// hundreds of thousands of small objects one by one at exit is time the user waits for.
/// The texts are handed over, not copied: a cluster snapshot can be a gigabyte.
pub fn load(inputs: &[String]) -> Result<&'static Loaded, String> {
    let files = {
        let _progress = crate::progress::during("listing the inputs", None);
        files(inputs)?
    };
    let size: u64 = files
        .iter()
        .filter_map(|f| f.path.as_ref())
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let _progress = crate::progress::during(
        format!("loading {} MB of manifests", size / 1_000_000),
        Some(size),
    );
    let mut loader = netpol::Loader::new();
    for file in files {
        let Some(path) = file.path else {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| format!("cannot read stdin: {e}"))?;
            loader.text(file.name, text);
            continue;
        };
        match stream_list(&path, &file.name)? {
            Some(items) => loader.list(file.name, items, Arc::new(Reread::new(path))),
            None => {
                let text = read_file(&path)?;
                crate::progress::advance(text.len() as u64);
                loader.text(file.name, text);
            }
        }
    }
    Ok(Box::leak(Box::new(loader.finish())))
}

/// One input to load: a file, or stdin (no path).
struct File {
    name: String,
    path: Option<PathBuf>,
}

/// The files the inputs name, folders expanded.
fn files(inputs: &[String]) -> Result<Vec<File>, String> {
    let mut out = Vec::new();
    for input in inputs {
        if input == "-" {
            out.push(File {
                name: "<stdin>".to_string(),
                path: None,
            });
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
                out.push(File {
                    name: f.display().to_string(),
                    path: Some(f),
                });
            }
        } else {
            out.push(File {
                name: input.clone(),
                path: Some(path.to_path_buf()),
            });
        }
    }
    Ok(out)
}

/// Items cut and sent to the loading thread together (a few MB of a snapshot), so that
/// the hand-over costs nothing next to reading them.
const BATCH: usize = 256;

/// The items of the file when it is one JSON `List`, read item by item; `None` when it is
/// anything else (then read whole, which also words its errors).
fn stream_list(path: &Path, name: &str) -> Result<Option<Vec<netpol::ReadItem>>, String> {
    let cannot = |e: std::io::Error| format!("cannot read `{}`: {e}", path.display());
    let mut file = std::fs::File::open(path).map_err(cannot)?;
    let mut first = [0u8; 4096];
    let n = file.read(&mut first).map_err(cannot)?;
    let head = first.get(..n).unwrap_or(&[]);
    if head.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Ok(None);
    }
    let (send, receive) = std::sync::mpsc::sync_channel::<Vec<ListItem>>(4);
    let head = head.to_vec();
    // The thread reads and cuts; it ends with whether the file was a List after all.
    let cutter = std::thread::spawn(move || -> std::io::Result<bool> {
        let mut cutter = ListCutter::new();
        cutter.push(&head);
        let mut buffer = Vec::new();
        let mut batch = Vec::with_capacity(BATCH);
        loop {
            loop {
                match cutter.next_item() {
                    Ok(Some(item)) => {
                        batch.push(item);
                        if batch.len() == BATCH {
                            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                            if send.send(full).is_err() {
                                return Ok(false);
                            }
                        }
                    }
                    Ok(None) => break,
                    Err(NotAList) => return Ok(false),
                }
            }
            buffer.resize(cutter.wanted(), 0);
            let n = file.read(&mut buffer)?;
            if n == 0 {
                let is_list = cutter.finish().is_ok();
                if is_list && !batch.is_empty() {
                    let _ = send.send(batch);
                }
                return Ok(is_list);
            }
            crate::progress::advance(n as u64);
            cutter.push(buffer.get(..n).unwrap_or(&[]));
        }
    });
    let mut items = Vec::new();
    for batch in receive {
        items.extend(batch.iter().map(|item| netpol::read_item(name, item)));
    }
    match cutter.join() {
        Ok(Ok(true)) => Ok(Some(items)),
        Ok(Ok(false)) => Ok(None),
        Ok(Err(e)) => Err(cannot(e)),
        Err(_) => Err(format!("reading `{}` failed", path.display())),
    }
}

/// Reads an item of a file again, to place a finding in it.
struct Reread {
    path: PathBuf,
    file: Mutex<Option<std::fs::File>>,
}

impl Reread {
    fn new(path: PathBuf) -> Reread {
        Reread {
            path,
            file: Mutex::new(None),
        }
    }
}

impl netpol::ReadAgain for Reread {
    fn read(&self, start: usize, end: usize) -> Option<String> {
        let mut file = self.file.lock().ok()?;
        if file.is_none() {
            *file = std::fs::File::open(&self.path).ok();
        }
        let file = file.as_mut()?;
        file.seek(SeekFrom::Start(start as u64)).ok()?;
        let mut bytes = vec![0; end.checked_sub(start)?];
        file.read_exact(&mut bytes).ok()?;
        String::from_utf8(bytes).ok()
    }
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
