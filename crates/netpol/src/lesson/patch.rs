//! Text edits that turn a lesson's solution into one of its wrong answers.
//!
//! A wrong answer is usually the solution with a line or two changed. Writing it as an
//! edit keeps it short and keeps it in step with the solution: an edit whose text is no
//! longer in the solution is an error, not a wrong answer that silently stops testing
//! anything. Edits match whole lines at any indentation, because the text in a lesson
//! file's `|` block has lost the indentation it has inside the manifests.

/// Replaces the one place where the lines of `find` occur in `text` (at any common
/// indentation) with the lines of `with`, indented the same. An empty `with` deletes.
pub(super) fn replace_lines(text: &str, find: &str, with: &str) -> Result<String, String> {
    let needle = significant_lines(find);
    if needle.is_empty() {
        return Err("`replace` is empty: give the lines to change".to_string());
    }
    let lines: Vec<&str> = text.split('\n').collect();
    let hits: Vec<(usize, &str)> = (0..lines.len())
        .filter_map(|i| indent_of_match(&lines, i, &needle).map(|indent| (i, indent)))
        .collect();
    let (at, indent) = match hits.as_slice() {
        [one] => *one,
        [] => {
            return Err(format!(
                "the solution has no lines `{}`: a patch edits the solution's manifests",
                first_line(&needle)
            ))
        }
        several => {
            return Err(format!(
            "`{}` occurs {} times in the solution: give more lines, so the patch names one place",
            first_line(&needle),
            several.len()
        ))
        }
    };
    let replacement = significant_lines(with).into_iter().map(|line| {
        if line.is_empty() {
            String::new()
        } else {
            format!("{indent}{line}")
        }
    });
    let before = lines.iter().take(at).map(|l| l.to_string());
    let after = lines.iter().skip(at + needle.len()).map(|l| l.to_string());
    Ok(before
        .chain(replacement)
        .chain(after)
        .collect::<Vec<_>>()
        .join("\n"))
}

/// The lines of a snippet without the trailing newline a `|` block ends with.
fn significant_lines(snippet: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = snippet.split('\n').collect();
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    lines
}

fn first_line<'a>(lines: &[&'a str]) -> &'a str {
    lines.first().map(|l| l.trim()).unwrap_or_default()
}

/// The indentation at which `needle` matches the lines starting at `at`, if it does.
fn indent_of_match<'t>(lines: &[&'t str], at: usize, needle: &[&str]) -> Option<&'t str> {
    let first = *lines.get(at)?;
    let head = *needle.first()?;
    let (indent, rest) = first.split_at_checked(first.len().checked_sub(head.len())?)?;
    if rest != head || !indent.bytes().all(|b| b == b' ') {
        return None;
    }
    for (k, want) in needle.iter().enumerate().skip(1) {
        let got = *lines.get(at + k)?;
        let same = if want.is_empty() {
            got.trim().is_empty()
        } else {
            got.strip_prefix(indent) == Some(*want)
        };
        if !same {
            return None;
        }
    }
    Some(indent)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code: a panic is a failed test")]

    use super::replace_lines;

    const TEXT: &str = "spec:\n  ingress:\n    - from:\n        - namespaceSelector: {}\n          podSelector: {app: a}\n  egress: []\n";

    #[test]
    fn replaces_lines_at_their_indentation() {
        let out = replace_lines(
            TEXT,
            "- namespaceSelector: {}\n  podSelector: {app: a}\n",
            "- namespaceSelector: {}\n- podSelector: {app: a}\n",
        )
        .unwrap();
        assert_eq!(
            out,
            "spec:\n  ingress:\n    - from:\n        - namespaceSelector: {}\n        - podSelector: {app: a}\n  egress: []\n"
        );
    }

    #[test]
    fn an_empty_replacement_deletes() {
        let out = replace_lines(TEXT, "egress: []", "").unwrap();
        assert!(!out.contains("egress"), "{out}");
        assert!(out.contains("podSelector: {app: a}"));
    }

    #[test]
    fn text_that_is_missing_or_ambiguous_is_an_error() {
        let err = replace_lines(TEXT, "ipBlock: {}", "x").unwrap_err();
        assert!(err.contains("no lines `ipBlock: {}`"), "{err}");
        let twice = format!("{TEXT}{TEXT}");
        let err = replace_lines(&twice, "egress: []", "").unwrap_err();
        assert!(err.contains("occurs 2 times"), "{err}");
        assert!(replace_lines(TEXT, "\n", "x").is_err());
        // A line must match whole: `{}` is not `{} # comment`, nor part of a longer line.
        assert!(replace_lines(TEXT, "podSelector: {app: a", "x").is_err());
        assert!(replace_lines(TEXT, "ingress", "x").is_err());
    }
}
