//! Output format names (`-o`): one spelling per format for every command, and the older
//! spellings that some commands documented, kept as aliases.

use std::fmt;

/// A format a command can write. Not every command writes every format; each lists its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OutputFormat {
    /// For people: a table, lines or indented explanations.
    Text,
    /// JSON, for tools.
    Json,
    /// The JSON value as YAML.
    Yaml,
    /// Comma-separated values.
    Csv,
    /// Markdown, for pull-request comments.
    Md,
    /// A Graphviz digraph.
    Dot,
    /// JUnit XML, for CI test reports.
    Junit,
}

impl OutputFormat {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [OutputFormat; 7] = [
        OutputFormat::Text,
        OutputFormat::Json,
        OutputFormat::Yaml,
        OutputFormat::Csv,
        OutputFormat::Md,
        OutputFormat::Dot,
        OutputFormat::Junit,
    ];

    /// The name `-o` takes and `--help` shows.
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Text => "text",
            OutputFormat::Json => "json",
            OutputFormat::Yaml => "yaml",
            OutputFormat::Csv => "csv",
            OutputFormat::Md => "md",
            OutputFormat::Dot => "dot",
            OutputFormat::Junit => "junit",
        }
    }

    /// Other names `-o` takes. `txt` (connectivity, flows, diff) and `table` (matrix) were
    /// the text format's names in those commands' documentation, so scripts use them.
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            OutputFormat::Text => &["txt", "table"],
            _ => &[],
        }
    }

    /// The format a name or alias stands for, exact and lower case like every name.
    pub fn parse(text: &str) -> Result<OutputFormat, String> {
        let text = text.trim();
        OutputFormat::ALL
            .into_iter()
            .find(|f| f.name() == text || f.aliases().contains(&text))
            .ok_or_else(|| {
                let names: Vec<&str> = OutputFormat::ALL.iter().map(|f| f.name()).collect();
                format!(
                    "`{text}` is not an output format: write one of {}, like `-o json`",
                    names.join(", ")
                )
            })
    }
}

impl fmt::Display for OutputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases_read_back() {
        for f in OutputFormat::ALL {
            assert_eq!(OutputFormat::parse(f.name()), Ok(f));
            for alias in f.aliases() {
                assert_eq!(OutputFormat::parse(alias), Ok(f));
            }
        }
        assert_eq!(OutputFormat::parse("txt"), Ok(OutputFormat::Text));
        assert_eq!(OutputFormat::parse("table"), Ok(OutputFormat::Text));
    }

    #[test]
    fn no_name_is_taken_twice() {
        let mut all: Vec<&str> = OutputFormat::ALL
            .iter()
            .flat_map(|f| std::iter::once(f.name()).chain(f.aliases().iter().copied()))
            .collect();
        let n = all.len();
        crate::sorting::sort_unstable(&mut all);
        all.dedup();
        assert_eq!(all.len(), n);
    }

    #[test]
    fn refuses_other_names() {
        assert_eq!(
            OutputFormat::parse("JSON").unwrap_err(),
            "`JSON` is not an output format: write one of text, json, yaml, csv, md, dot, junit, like `-o json`"
        );
        assert!(OutputFormat::parse("markdown").is_err());
    }
}
