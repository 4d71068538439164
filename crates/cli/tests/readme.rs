//! The README's command-line examples, run as written: every `$ netpol ...` line of its
//! `console` blocks runs from the repository's root, and the output shown under it must be
//! what the command prints. The README shortens outputs at `...`: the lines before one are
//! the output's lines in order, and a line after one is looked for further down. Also the
//! `netpol help ...` line of the install block. So a README that drifts from the tool fails
//! here instead of with the reader.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly on purpose"
)]

use std::path::Path;
use std::process::Command;

const README: &str = include_str!("../../../README.md");

/// One `$ netpol ...` line and the output the README shows for it.
struct Example {
    line: String,
    shown: Vec<String>,
}

/// The `$ netpol` lines of the README's `console` blocks, with what follows each.
fn console_examples(readme: &str) -> Vec<Example> {
    let mut examples: Vec<Example> = Vec::new();
    let mut in_console = false;
    for line in readme.lines() {
        if line.starts_with("```") {
            in_console = line == "```console";
            continue;
        }
        if !in_console {
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ ") {
            examples.push(Example {
                line: cmd.to_string(),
                shown: Vec::new(),
            });
        } else if let Some(last) = examples.last_mut() {
            last.shown.push(line.to_string());
        }
    }
    // Blank lines between two commands separate them; they are not output.
    for ex in &mut examples {
        while ex.shown.last().is_some_and(|l| l.is_empty()) {
            ex.shown.pop();
        }
    }
    examples
}

/// Splits a command line as a POSIX shell would for the README's needs: words, and double-
/// or single-quoted words without any expansion.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                started = true;
            }
            (None, c) if c.is_whitespace() => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            (None, c) => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(word);
    }
    words
}

/// Runs `netpol ARGS` from the repository's root: (exit code, stdout).
fn run(args: &[String]) -> (i32, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new(env!("CARGO_BIN_EXE_netpol"))
        .args(args)
        .current_dir(root)
        .output()
        .expect("netpol runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// Where `shown` (with `...` for left-out lines) differs from `actual`, if it does. Trailing
/// spaces (a table's padding) are not compared: a README does not keep them.
fn mismatch(shown: &[String], actual: &str) -> Option<String> {
    let actual: Vec<&str> = actual.lines().map(str::trim_end).collect();
    let mut at = 0;
    let mut skipping = false;
    for want in shown {
        let want = want.trim_end();
        if want == "..." {
            skipping = true;
            continue;
        }
        let found = if skipping {
            actual
                .iter()
                .skip(at)
                .position(|l| *l == want)
                .map(|i| at + i)
        } else {
            (actual.get(at) == Some(&want)).then_some(at)
        };
        match found {
            Some(i) => at = i + 1,
            None => {
                return Some(format!(
                    "the README shows\n  {want}\nbut the output has {}",
                    actual
                        .get(at)
                        .map_or("nothing more".to_string(), |l| format!("\n  {l}"))
                ))
            }
        }
        skipping = false;
    }
    None
}

#[test]
fn every_console_example_prints_what_the_readme_shows() {
    let examples = console_examples(README);
    assert!(
        examples.len() >= 9,
        "the README's console examples were found ({})",
        examples.len()
    );
    let mut failures = Vec::new();
    for ex in &examples {
        let words = shell_words(&ex.line);
        assert_eq!(
            words.first().map(String::as_str),
            Some("netpol"),
            "{}",
            ex.line
        );
        let (code, stdout) = run(&words[1..]);
        if code == 2 {
            failures.push(format!("$ {}\nrefused its input (exit 2)", ex.line));
        } else if let Some(why) = mismatch(&ex.shown, &stdout) {
            failures.push(format!("$ {}\n{why}", ex.line));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_install_blocks_help_command_works() {
    let help = README
        .lines()
        .find_map(|l| l.strip_prefix("netpol help "))
        .expect("the README shows `netpol help COMMAND`");
    let command = help.split_whitespace().next().unwrap();
    let (code, stdout) = run(&["help".to_string(), command.to_string()]);
    assert_eq!(code, 0);
    assert!(stdout.contains(command), "{stdout}");
}

#[test]
fn the_shortened_output_check_can_fail() {
    let shown: Vec<String> = ["a", "...", "d"].map(String::from).to_vec();
    assert_eq!(mismatch(&shown, "a\nb\nc\nd\n"), None);
    assert!(mismatch(&shown, "a\nb\nc\n").is_some());
    assert!(mismatch(&["b".to_string()], "a\nb\n").is_some());
    assert_eq!(
        shell_words(r#"netpol generate f --allow "a -> b:80/TCP""#),
        ["netpol", "generate", "f", "--allow", "a -> b:80/TCP"]
    );
}
