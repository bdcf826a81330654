//! The import's report: every row it could not store (`file:line: reason`), every value it
//! dropped (`file:line: aviso: …`) and every possible duplicate, for a person to read.

use std::io::Write;
use std::path::Path;

use super::ImportError;

/// What a report line is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum IssueKind {
    /// The row (or its client or pet) was not stored.
    Reject,
    /// A possible duplicate was imported and is listed for a person.
    Duplicate,
    /// An optional value was dropped; the row was stored.
    Warning,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Issue {
    pub file: String,
    pub line: u64,
    pub kind: IssueKind,
    pub text: String,
}

impl std::fmt::Display for Issue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let label = match self.kind {
            IssueKind::Reject => "",
            IssueKind::Duplicate => "posible duplicado: ",
            IssueKind::Warning => "aviso: ",
        };
        write!(f, "{}:{}: {label}{}", self.file, self.line, self.text)
    }
}

/// Writes `issues` (sorted by file and line) to `path`.
pub fn write(path: &Path, issues: &[Issue]) -> Result<(), ImportError> {
    let error = |source| ImportError::Report {
        path: path.display().to_string(),
        source,
    };
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(error)?);
    for issue in sorted(issues) {
        writeln!(file, "{issue}").map_err(error)?;
    }
    file.flush().map_err(error)
}

/// `issues` by file, line and kind.
pub fn sorted(issues: &[Issue]) -> Vec<&Issue> {
    let mut sorted: Vec<&Issue> = issues.iter().collect();
    sorted.sort_by(|a, b| (&a.file, a.line, a.kind).cmp(&(&b.file, b.line, b.kind)));
    sorted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_say_file_line_and_reason() {
        let issue = |line, kind, text: &str| Issue {
            file: "clientes.csv".into(),
            line,
            kind,
            text: text.into(),
        };
        let issues = [
            issue(9, IssueKind::Warning, "correo inválido «x»: correo omitido"),
            issue(3, IssueKind::Reject, "cliente sin nombre"),
            issue(5, IssueKind::Duplicate, "mismo teléfono"),
        ];
        let lines: Vec<String> = sorted(&issues).iter().map(|i| i.to_string()).collect();
        assert_eq!(
            lines,
            [
                "clientes.csv:3: cliente sin nombre",
                "clientes.csv:5: posible duplicado: mismo teléfono",
                "clientes.csv:9: aviso: correo inválido «x»: correo omitido",
            ]
        );
    }
}
