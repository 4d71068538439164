//! Reading INPUT arguments: files, folders (their .yaml, .yml and .json files, sorted, not
//! recursive, like `kubectl apply -f DIR`) and `-` for stdin.

use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use netpol::yaml::{ListCutter, ListItem, NotAList};
use netpol::{Loaded, ReadItem, Severity};

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
    // A file that starts like a List is known to be one only at its end (kubectl writes
    // `kind` after `items`): when one turns out not to be, the load starts over with that
    // file read whole. That happens only for malformed or unusual files.
    let mut whole: Vec<usize> = Vec::new();
    // Files whose items were not where their indentation said: cut by reading each item.
    let mut read_through: Vec<usize> = Vec::new();
    let loader = 'attempt: loop {
        let mut loader = netpol::Loader::new();
        for (i, file) in files.iter().enumerate() {
            let Some(path) = &file.path else {
                let mut text = String::new();
                std::io::stdin()
                    .read_to_string(&mut text)
                    .map_err(|e| format!("cannot read stdin: {e}"))?;
                loader.text(file.name.clone(), text);
                continue;
            };
            if !whole.contains(&i) {
                match stream_list(path, &file.name, !read_through.contains(&i), &mut loader)? {
                    Streamed::List => continue,
                    Streamed::NotStarted => {}
                    Streamed::NotAList => {
                        whole.push(i);
                        continue 'attempt;
                    }
                    Streamed::CutWrong => {
                        read_through.push(i);
                        continue 'attempt;
                    }
                }
            }
            let text = read_file(path)?;
            crate::progress::advance(text.len() as u64);
            loader.text(file.name.clone(), text);
        }
        break loader;
    };
    drop(_progress);
    let _progress = crate::progress::during("putting the cluster together", None);
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
            netpol::sorting::sort(&mut files);
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

/// Items cut and handed to a reading thread together (a few MB of a snapshot), so that
/// the hand-over costs nothing next to reading them.
const BATCH: usize = 128;

/// Threads that read items into objects while another cuts the file (the machine this
/// is measured on has two cores; more would only contend).
const READERS: usize = 2;

/// What [`stream_list`] did with a file.
enum Streamed {
    /// It was a List: its items are loaded.
    List,
    /// It does not start like a List; nothing was loaded.
    NotStarted,
    /// It started like one but is not (`kind` is not `List`, or it is malformed): items
    /// may have been loaded, so the load must start over.
    NotAList,
    /// An item cut by its indentation is not one document: the load must start over with
    /// every item read to its end ([`netpol::yaml::ListCutter::guessing`]).
    CutWrong,
}

/// Loads the file item by item when it is one JSON `List`: one thread reads and cuts it,
/// [`READERS`] threads read the items into objects, and this thread puts them into the
/// loader in file order.
fn stream_list(
    path: &Path,
    name: &str,
    guess: bool,
    loader: &mut netpol::Loader,
) -> Result<Streamed, String> {
    let cannot = |e: std::io::Error| format!("cannot read `{}`: {e}", path.display());
    let mut file = std::fs::File::open(path).map_err(cannot)?;
    let mut first = [0u8; 4096];
    let n = file.read(&mut first).map_err(cannot)?;
    let head = first.get(..n).unwrap_or(&[]);
    if head.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Ok(Streamed::NotStarted);
    }
    let head = head.to_vec();
    let (to_readers, batches) =
        std::sync::mpsc::sync_channel::<(usize, Vec<ListItem>)>(READERS * 2);
    let batches = Arc::new(Mutex::new(batches));
    let (to_loader, read) = std::sync::mpsc::sync_channel::<(usize, Vec<ReadItem>)>(READERS * 2);
    let list = loader.list(name.to_string(), Arc::new(Reread::new(path.to_path_buf())));
    std::thread::scope(|scope| {
        // Whether the file was a List after all and whether an item was cut by its
        // indentation, or the read error.
        let cutter = scope.spawn(move || -> std::io::Result<(bool, bool)> {
            let mut cutter = if guess {
                ListCutter::guessing()
            } else {
                ListCutter::new()
            };
            cutter.push(&head);
            let mut buffer = Vec::new();
            let mut batch = Vec::with_capacity(BATCH);
            let mut sequence = 0;
            let mut send = |batch: Vec<ListItem>| {
                sequence += 1;
                to_readers.send((sequence - 1, batch)).is_ok()
            };
            loop {
                loop {
                    match cutter.next_item() {
                        Ok(Some(item)) => {
                            batch.push(item);
                            if batch.len() == BATCH {
                                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                                if !send(full) {
                                    return Ok((false, cutter.guessed_any()));
                                }
                            }
                        }
                        Ok(None) => break,
                        Err(NotAList) => return Ok((false, cutter.guessed_any())),
                    }
                }
                buffer.resize(cutter.wanted(), 0);
                let n = file.read(&mut buffer)?;
                if n == 0 {
                    let is_list = cutter.finish().is_ok();
                    if is_list && !batch.is_empty() {
                        send(batch);
                    }
                    return Ok((is_list, cutter.guessed_any()));
                }
                crate::progress::advance(n as u64);
                cutter.push(buffer.get(..n).unwrap_or(&[]));
            }
        });
        for _ in 0..READERS {
            let batches = batches.clone();
            let to_loader = to_loader.clone();
            scope.spawn(move || loop {
                let next = batches.lock().ok().and_then(|b| b.recv().ok());
                let Some((sequence, batch)) = next else {
                    return;
                };
                let read = batch
                    .iter()
                    .map(|item| netpol::read_item(name, item))
                    .collect();
                if to_loader.send((sequence, read)).is_err() {
                    return;
                }
            });
        }
        drop(to_loader);
        // Only the readers take batches: when they stop, the cutter stops.
        drop(batches);
        // Batches arrive out of order from the readers; they are loaded in file order.
        let mut waiting = std::collections::BTreeMap::new();
        let mut next = 0;
        let mut cut_wrong = false;
        'reading: for (sequence, read) in read {
            waiting.insert(sequence, read);
            while let Some(items) = waiting.remove(&next) {
                for item in items {
                    if item.cut_wrong() {
                        cut_wrong = true;
                        break 'reading;
                    }
                    loader.item(list, item);
                }
                next += 1;
            }
        }
        let cut = cutter.join();
        if cut_wrong {
            return Ok(Streamed::CutWrong);
        }
        match cut {
            Ok(Ok((true, _))) => Ok(Streamed::List),
            // A guess that left the text malformed: cut it again before reading it whole.
            Ok(Ok((false, true))) => Ok(Streamed::CutWrong),
            Ok(Ok((false, false))) => Ok(Streamed::NotAList),
            Ok(Err(e)) => Err(cannot(e)),
            Err(_) => Err(format!("reading `{}` failed", path.display())),
        }
    })
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
