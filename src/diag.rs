//! Diagnostics: what went wrong or could be better, and where, for authors and operators.
//! Every stage reports through these plain values; `check` prints them, `build` writes `report.json`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Eligible, but weaker than it could be (e.g. no salary). Still published.
    Warning,
    /// Would be rejected: the posting or output is left out.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One finding, with everything needed to find and fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable machine-readable rule name, e.g. `frontmatter.yaml`, `jsonld.remote-countries`.
    pub rule: String,
    /// What is wrong and what to do.
    pub message: String,
    /// File path or URL the finding is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based line in `file`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The field (front matter key, JSON path, output element) concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The posting concerned, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posting: Option<String>,
    /// The output concerned (e.g. `rss.xml`), for output-level findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
}

impl Diagnostic {
    pub fn new(severity: Severity, rule: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            rule: rule.into(),
            message: message.into(),
            file: None,
            line: None,
            field: None,
            posting: None,
            output: None,
        }
    }

    pub fn error(rule: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, rule, message)
    }

    pub fn warning(rule: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, rule, message)
    }

    pub fn file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    pub fn line(mut self, line: Option<u32>) -> Self {
        self.line = line;
        self
    }

    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn posting(mut self, id: impl Into<String>) -> Self {
        self.posting = Some(id.into());
        self
    }

    pub fn output(mut self, output: impl Into<String>) -> Self {
        self.output = Some(output.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line: severity[rule] field: message` — the human form.
    pub fn human(&self) -> String {
        let mut out = String::new();
        if let Some(file) = &self.file {
            out.push_str(file);
            if let Some(line) = self.line {
                out.push_str(&format!(":{line}"));
            }
            out.push_str(": ");
        }
        out.push_str(&format!("{}[{}]", self.severity, self.rule));
        if let Some(output) = &self.output {
            out.push_str(&format!(" output {output}"));
        }
        if let Some(posting) = &self.posting {
            out.push_str(&format!(" posting {posting}"));
        }
        if let Some(field) = &self.field {
            out.push_str(&format!(" field `{field}`"));
        }
        out.push_str(": ");
        out.push_str(&self.message);
        out
    }

    /// A GitHub Actions workflow command (`::error file=…,line=…::…`).
    pub fn github(&self) -> String {
        let mut props = Vec::new();
        if let Some(file) = &self.file {
            props.push(format!("file={}", gh_escape_prop(file)));
        }
        if let Some(line) = self.line {
            props.push(format!("line={line}"));
        }
        props.push(format!("title={}", gh_escape_prop(&self.rule)));
        let mut msg = String::new();
        if let Some(posting) = &self.posting {
            msg.push_str(&format!("posting {posting}: "));
        }
        if let Some(field) = &self.field {
            msg.push_str(&format!("field `{field}`: "));
        }
        msg.push_str(&self.message);
        format!(
            "::{} {}::{}",
            self.severity,
            props.join(","),
            gh_escape_data(&msg)
        )
    }
}

fn gh_escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn gh_escape_prop(s: &str) -> String {
    gh_escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_annotation_names_file_line_and_escapes_separators() {
        let d = Diagnostic::error("frontmatter.date", "not a date:\nuse YYYY-MM-DD")
            .file("content/a,b.md")
            .line(Some(4))
            .field("date");
        assert_eq!(
            d.github(),
            "::error file=content/a%2Cb.md,line=4,title=frontmatter.date::field `date`: not a date:%0Ause YYYY-MM-DD"
        );
    }

    #[test]
    fn human_form_starts_with_file_and_line() {
        let d = Diagnostic::warning("salary.missing", "no salary")
            .file("x.md")
            .line(Some(2));
        assert_eq!(d.human(), "x.md:2: warning[salary.missing]: no salary");
    }
}
