//! Lints: every finding of `check` and every hazard of `revision`, `diff` and plans, each with a
//! stable code, a severity, a location and a help line (Atlas's `migrate lint` idea).
//!
//! - [`LINTS`] is the table of codes (documented in `docs/lints.md`);
//! - [`op_lints`] says which codes an operation carries when it runs in a direction;
//! - [`Finding`] is one finding, located at `file:line:col` when it has a place;
//! - a revision script silences a finding on its line or the line above with
//!   `// liminal:nolint LM201 <reason>` ([`suppress`]);
//! - [`check`] is the offline and tenant check behind `liminal check`;
//! - [`summary`] counts a plan's operations by kind (create / update / archive / reorder).

pub(crate) mod check;
pub(crate) mod plan;
pub(crate) mod summary;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, SourceCode};
use serde::Serialize;
use serde_json::{Value, json};

use crate::diag::SourceProblem;
use crate::op::Op;
use crate::schema::{CodePlaces, Located};
use crate::script::{Direction, LocatedOp, Script};

/// How much a finding matters: errors fail `check` (exit 1); warnings only with `--strict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Severity {
    Warning,
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

/// The groups of codes, by their hundreds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Group {
    /// LM0xx: the code model (schemas/) does not load.
    Schema,
    /// LM1xx: hides data (archives).
    Destructive,
    /// LM2xx: can reject or break existing data or queries.
    Incompatible,
    /// LM3xx: a downgrade that cannot run or does not restore.
    Irreversible,
    /// LM4xx: revision files and the chain.
    Chain,
    /// LM5xx: code against a tenant, or against the chain.
    Drift,
    /// LM6xx: the sum file.
    Integrity,
}

/// One code of the table.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Lint {
    pub code: &'static str,
    pub name: &'static str,
    pub group: Group,
    pub severity: Severity,
    /// What it means, one line.
    pub summary: &'static str,
    /// What to do about it.
    pub help: &'static str,
}

macro_rules! lints {
    ($( $id:ident = $code:literal $name:literal $group:ident $sev:ident $summary:literal $help:literal; )+) => {
        $( pub(crate) const $id: &Lint = &Lint {
            code: $code, name: $name, group: Group::$group, severity: Severity::$sev,
            summary: $summary, help: $help,
        }; )+
        /// Every code, in order (the tests hold it against the groups and `docs/lints.md`).
        #[cfg(test)]
        pub(crate) const LINTS: &[&Lint] = &[$( $id ),+];
    };
}

lints! {
    SCHEMA_INVALID = "LM001" "schema-invalid" Schema Error
        "a schema file in schemas/ does not load"
        "fix the file at the place shown";
    ARCHIVE_SCHEMA = "LM101" "archive-schema" Destructive Warning
        "archives an entity schema: its entities can no longer be registered"
        "make sure nobody still registers entities of this schema; it can be unarchived";
    ARCHIVE_FIELD = "LM102" "archive-field" Destructive Warning
        "archives a field: its values are hidden"
        "make sure the values are no longer needed, or copied elsewhere; it can be unarchived";
    ARCHIVE_DROPDOWN = "LM103" "archive-dropdown" Destructive Warning
        "archives a dropdown"
        "make sure no field uses it any more; it can be unarchived";
    ARCHIVE_OPTION = "LM104" "archive-dropdown-option" Destructive Warning
        "archives a dropdown option: values using it are hidden"
        "make sure no entity still uses the option; it can be unarchived";
    FIELD_TYPE = "LM201" "field-type-change" Incompatible Warning
        "changes a field's type: existing values may not convert"
        "check that every existing value converts, or create a new field and archive the old one";
    FIELD_REQUIRED = "LM202" "field-made-required" Incompatible Warning
        "makes a field required: existing entities without a value fail validation"
        "fill the field on existing entities first";
    UNIT_SET = "LM203" "unit-set" Incompatible Warning
        "sets a unit on an existing field: a unit can never be changed or cleared afterwards"
        "be sure of the unit; the downgrade cannot take it off again (see LM301)";
    FIELD_RENAME = "LM204" "field-warehouse-rename" Incompatible Warning
        "renames a field's warehouse name: warehouse queries using it break"
        "update the warehouse queries and reports that name the field";
    SCHEMA_RENAME = "LM205" "schema-warehouse-rename" Incompatible Warning
        "renames a schema's warehouse name: warehouse queries using it break"
        "update the warehouse queries and reports that name the schema";
    DOWNGRADE_CANNOT_RUN = "LM301" "downgrade-cannot-run" Irreversible Error
        "a downgrade operation that can never run: Benchling does not clear or change a unit once set"
        "write a downgrade that can run (e.g. archive the field instead), or, if the revision is one-way on purpose, suppress with `// liminal:nolint LM301 <reason>`";
    DOWNGRADE_NOT_RESTORING = "LM302" "downgrade-not-restoring" Irreversible Warning
        "downgrade() does not bring back the state before upgrade() (on the replayed chain)"
        "make downgrade() undo every operation of upgrade(), in reverse order";
    REVISION_INVALID = "LM401" "revision-invalid" Chain Error
        "a revision file does not parse, or its upgrade() or downgrade() does not run"
        "fix the script at the place shown";
    CHAIN_SHAPE = "LM402" "chain-not-linear" Chain Error
        "the revisions do not form one line (duplicate ids, several bases, a branch, an orphan, a cycle)"
        "fix the down_revision headers so that every revision revises the one before it";
    UPGRADE_FAILS = "LM403" "upgrade-fails-on-chain" Chain Error
        "upgrade() fails when the chain is replayed from the base"
        "fix the operation: it names something the revisions before it do not create, or clashes with it";
    DOWNGRADE_FAILS = "LM404" "downgrade-fails-on-chain" Chain Error
        "downgrade() fails right after its upgrade() on the replayed chain"
        "fix the operation: a downgrade runs on the state its upgrade() left, and must undo it";
    TENANT_PENDING_FAILS = "LM501" "pending-revision-fails" Drift Error
        "a pending revision would not apply to the tenant (`check --tenant`)"
        "the tenant differs from what the chain expects: compare with `liminal diff`, fix the revision or the tenant";
    TENANT_DRIFT = "LM502" "tenant-drift" Drift Error
        "the tenant would still differ from schemas/ after upgrading to head (`check --tenant`)"
        "run `liminal diff <tenant>` to see the differences, and `liminal revision` to write them";
    CODE_AHEAD = "LM503" "code-differs-from-chain" Drift Warning
        "schemas/ differs from the state the chain ends in (replayed from the base)"
        "write the revision for it (`liminal revision <tenant> \"…\"`), or bring schemas/ back";
    TENANT_UNKNOWN_REVISION = "LM504" "tenant-revision-unknown" Drift Error
        "the tenant is at a revision the chain does not have (`check --tenant`)"
        "pull the missing revision files, or record the right revision with `liminal stamp`";
    SUM_MISMATCH = "LM601" "revision-edited" Integrity Error
        "a revision file no longer matches versions/liminal.sum: it was edited after it was written"
        "if no tenant has applied it yet, run `liminal rehash`; if one has, restore the file and write a new revision instead";
    SUM_UNLISTED = "LM602" "revision-not-in-sum" Integrity Error
        "a revision file is not in versions/liminal.sum (written by hand, or brought in by a merge)"
        "review it, then run `liminal rehash`; after a merge, make sure the chain is still one line";
    SUM_MISSING_FILE = "LM603" "sum-lists-missing-file" Integrity Error
        "versions/liminal.sum lists a revision file that does not exist"
        "restore the file, or run `liminal rehash` if it was removed on purpose";
    SUM_ABSENT = "LM604" "no-sum-file" Integrity Warning
        "versions/ has no liminal.sum (a project from before sum files)"
        "run `liminal rehash` once and commit versions/liminal.sum";
    SUM_INVALID = "LM605" "sum-file-invalid" Integrity Error
        "versions/liminal.sum is malformed, or its total does not match its lines (a merge conflict resolved by hand?)"
        "run `liminal rehash` once the chain is right";
}

/// The codes an operation carries when it runs in `direction`. Upgrades carry the destructive
/// and incompatible codes; downgrades carry LM301 when they can never run. Plans (which run the
/// operations of either direction) use [`run_lints`].
pub(crate) fn op_lints(op: &Op, direction: Direction) -> Vec<&'static Lint> {
    match direction {
        Direction::Upgrade => run_lints(op),
        Direction::Downgrade => cannot_run(op).into_iter().collect(),
    }
}

/// What running the operation does that a reviewer must look at: destructive and incompatible
/// codes, whichever function it comes from.
pub(crate) fn run_lints(op: &Op) -> Vec<&'static Lint> {
    let mut out = Vec::new();
    match op {
        Op::ArchiveSchema { .. } => out.push(ARCHIVE_SCHEMA),
        Op::ArchiveField { .. } => out.push(ARCHIVE_FIELD),
        Op::ArchiveDropdown { .. } => out.push(ARCHIVE_DROPDOWN),
        Op::ArchiveDropdownOption { .. } => out.push(ARCHIVE_OPTION),
        Op::UpdateField { patch, .. } => {
            if patch.field_type.is_some() {
                out.push(FIELD_TYPE);
            }
            if patch.required == Some(true) {
                out.push(FIELD_REQUIRED);
            }
            if matches!(patch.unit, Some(Some(_))) {
                out.push(UNIT_SET);
            }
            if patch.warehouse_name.is_some() {
                out.push(FIELD_RENAME);
            }
        }
        Op::UpdateSchema { patch, .. } if patch.warehouse_name.is_some() => out.push(SCHEMA_RENAME),
        _ => {}
    }
    out
}

/// A downgrade operation that no tenant accepts: clearing a unit.
fn cannot_run(op: &Op) -> Option<&'static Lint> {
    match op {
        Op::UpdateField { patch, .. } if matches!(patch.unit, Some(None)) => Some(DOWNGRADE_CANNOT_RUN),
        _ => None,
    }
}

/// Whether a code is in the destructive group (plans ask before running those on Benchling).
pub(crate) fn is_destructive(lint: &Lint) -> bool {
    lint.group == Group::Destructive
}

/// A `// liminal:nolint` comment that silenced a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Suppression {
    /// The text after the codes, if any.
    pub reason: Option<String>,
    /// The line of the comment.
    pub line: usize,
}

/// One finding.
#[derive(Debug, Clone)]
pub(crate) struct Finding {
    pub lint: &'static Lint,
    /// The lint's severity, or error under `--strict`.
    pub severity: Severity,
    /// Where, when it has a place.
    pub at: Option<SourceProblem>,
    pub message: String,
    pub help: String,
    pub suppressed: Option<Suppression>,
}

impl Finding {
    /// A finding with no place (e.g. about the whole project).
    pub(crate) fn new(lint: &'static Lint, message: impl Into<String>) -> Finding {
        Finding {
            lint,
            severity: lint.severity,
            at: None,
            message: message.into(),
            help: lint.help.to_string(),
            suppressed: None,
        }
    }

    /// A finding at `file:line:col`.
    pub(crate) fn at(
        lint: &'static Lint,
        file: &Path,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Finding {
        let message = message.into();
        let mut f = Finding::new(lint, message.clone());
        f.at = Some(SourceProblem::new(file, line, column, message));
        f
    }

    /// A finding from a located problem (its help is kept when it has one).
    pub(crate) fn from_problem(lint: &'static Lint, p: SourceProblem) -> Finding {
        let help = p.help.clone().unwrap_or_else(|| lint.help.to_string());
        Finding { lint, severity: lint.severity, message: p.message.clone(), help, at: Some(p), suppressed: None }
    }

    /// A finding at an operation of a revision file, with the file's text for the snippet.
    pub(crate) fn at_op(lint: &'static Lint, script: &Script, op: &LocatedOp, message: impl Into<String>) -> Finding {
        let mut f = Finding::at(lint, script.path(), op.line, op.column, message);
        if let Some(p) = f.at.take() {
            f.at = Some(p.with_source(script.source().clone()));
        }
        f
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Finding {
        self.help = help.into();
        self
    }

    pub(crate) fn file(&self) -> Option<&Path> {
        self.at.as_ref().map(|p| p.file.as_path())
    }

    /// `(line, column)` when located.
    pub(crate) fn position(&self) -> Option<(usize, usize)> {
        self.at.as_ref().map(|p| (p.line, p.column))
    }

    /// Counts against the exit code: an error that is not suppressed.
    pub(crate) fn fails(&self) -> bool {
        self.severity == Severity::Error && self.suppressed.is_none()
    }

    /// The JSON form; `file` is given as the caller wants it shown (relative to the project).
    pub(crate) fn to_json(&self, file: Option<PathBuf>) -> Value {
        json!({
            "code": self.lint.code,
            "name": self.lint.name,
            "group": self.lint.group,
            "severity": self.severity,
            "file": file,
            "line": self.at.as_ref().map(|p| p.line),
            "column": self.at.as_ref().map(|p| p.column),
            "message": self.message,
            "help": self.help,
            "suppressed": self.suppressed,
        })
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One location per message: when the finding shows its source, the snippet's header
        // names the place, so the first line does not name it again.
        match &self.at {
            Some(p) if p.source_code().is_none() => {
                write!(f, "{}[{}] {}: {}", self.severity, self.lint.code, p.location(), self.message)
            }
            _ => write!(f, "{}[{}] {}", self.severity, self.lint.code, self.message),
        }
    }
}

impl std::error::Error for Finding {}

impl Diagnostic for Finding {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Warning => miette::Severity::Warning,
            Severity::Error => miette::Severity::Error,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.help))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.at.as_ref().and_then(|p| p.source_code())
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.at.as_ref().and_then(|p| p.labels())
    }
}

/// The lints of operations that run in `direction`, at their places in the script.
pub(crate) fn lint_ops(script: &Script, direction: Direction, ops: &[LocatedOp]) -> Vec<Finding> {
    let mut out = Vec::new();
    for o in ops {
        for lint in op_lints(&o.op, direction) {
            out.push(op_finding(lint, script, direction, o));
        }
    }
    out
}

/// The lints of operations the diff generates from `schemas/` (what `diff` prints), each at the
/// YAML key that asks for it when there is one (an item removed from the code has none).
pub(crate) fn lint_code_ops(ops: &[Op], places: Option<&CodePlaces>) -> Vec<Finding> {
    let mut out = Vec::new();
    for op in ops {
        for lint in op_lints(op, Direction::Upgrade) {
            let message = format!("{} — {}", op.describe(), lint.summary);
            out.push(match places.and_then(|p| code_place(op, lint, p)) {
                Some(at) => Finding::at(lint, &at.file, at.line, at.column, message),
                None => Finding::new(lint, message),
            });
        }
    }
    out
}

/// The YAML key behind an operation's lint.
fn code_place(op: &Op, lint: &Lint, places: &CodePlaces) -> Option<Located> {
    match op {
        Op::ArchiveSchema { schema } => places.schema_key(schema, Some("archived")),
        Op::ArchiveField { schema, field, .. } => {
            places.field_key(schema, field, Some("archived")).or_else(|| places.schema_key(schema, Some("fields")))
        }
        Op::ArchiveDropdown { name } => places.dropdown_key(name, None),
        Op::ArchiveDropdownOption { dropdown, .. } => places.dropdown_key(dropdown, Some("options")),
        Op::UpdateField { schema, field, patch } => {
            let name = patch.warehouse_name.as_deref().unwrap_or(field);
            let key = if lint == FIELD_TYPE {
                "type"
            } else if lint == FIELD_REQUIRED {
                "required"
            } else if lint == UNIT_SET {
                "unit"
            } else {
                "warehouse_name"
            };
            places.field_key(schema, name, Some(key))
        }
        Op::UpdateSchema { schema, patch } => {
            places.schema_key(patch.warehouse_name.as_deref().unwrap_or(schema), Some("warehouse_name"))
        }
        _ => None,
    }
}

/// The lints `show` lists for a function of `script`: what running each operation does, and
/// for a downgrade, an operation that can never run; its `// liminal:nolint` comments applied.
pub(crate) fn shown_findings(script: &Script, direction: Direction, ops: &[LocatedOp]) -> Vec<Finding> {
    let mut out = Vec::new();
    for o in ops {
        let mut lints = run_lints(&o.op);
        for l in op_lints(&o.op, direction) {
            if !lints.contains(&l) {
                lints.push(l);
            }
        }
        out.extend(lints.into_iter().map(|l| op_finding(l, script, direction, o)));
    }
    suppress(&mut out, &[script]);
    out
}

/// A finding about one operation: `revision <id>, upgrade(): <what it does> <lint summary>`.
pub(crate) fn op_finding(lint: &'static Lint, script: &Script, direction: Direction, o: &LocatedOp) -> Finding {
    let message = format!(
        "revision {}, {}(): {} — {}",
        script.header().revision,
        direction.function(),
        o.op.describe(),
        lint.summary
    );
    Finding::at_op(lint, script, o, message)
}

/// Mark the findings silenced by `// liminal:nolint` comments in the revision files they are in:
/// on the finding's line or the line above, naming its code (or no code: every code).
pub(crate) fn suppress(findings: &mut [Finding], scripts: &[&Script]) {
    for f in findings.iter_mut() {
        let Some(p) = &f.at else { continue };
        let Some(script) = scripts.iter().find(|s| s.path() == p.file) else { continue };
        f.suppressed = nolint_at(script.source(), p.line, f.lint.code);
    }
}

/// The `liminal:nolint` comment on `line` or the line above that names `code`.
pub(crate) fn nolint_at(source: &Arc<String>, line: usize, code: &str) -> Option<Suppression> {
    let lines: Vec<&str> = source.lines().collect();
    [line, line.saturating_sub(1)].into_iter().filter(|l| *l >= 1).find_map(|l| {
        let text = lines.get(l - 1)?;
        let directive = parse_nolint(text)?;
        let names_it = directive.codes.is_empty() || directive.codes.iter().any(|c| c.eq_ignore_ascii_case(code));
        names_it.then_some(Suppression { reason: directive.reason, line: l })
    })
}

struct Nolint {
    codes: Vec<String>,
    reason: Option<String>,
}

/// `// liminal:nolint LM201 LM202 reason…` (codes separated by spaces or commas).
fn parse_nolint(line: &str) -> Option<Nolint> {
    let (_, comment) = line.split_once("//")?;
    let rest = comment.trim_start().strip_prefix("liminal:nolint")?;
    if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
        return None;
    }
    let mut codes = Vec::new();
    let mut words = rest.split_whitespace().peekable();
    let mut reason_words = Vec::new();
    while let Some(w) = words.next() {
        let parts: Vec<&str> = w.split(',').filter(|s| !s.is_empty()).collect();
        if reason_words.is_empty() && !parts.is_empty() && parts.iter().all(|p| is_code(p)) {
            codes.extend(parts.iter().map(|p| p.to_ascii_uppercase()));
        } else {
            reason_words.push(w);
            reason_words.extend(words.by_ref());
        }
    }
    let reason = (!reason_words.is_empty()).then(|| reason_words.join(" "));
    Some(Nolint { codes, reason })
}

fn is_code(s: &str) -> bool {
    // Bytes, not characters: `€50` is five bytes too, so look at ASCII words only.
    s.is_ascii() && s.len() == 5 && s[..2].eq_ignore_ascii_case("LM") && s[2..].bytes().all(|b| b.is_ascii_digit())
}

/// Turn warnings into errors (`check --strict`).
pub(crate) fn make_strict(findings: &mut [Finding]) {
    for f in findings {
        f.severity = Severity::Error;
    }
}

/// Counts for a summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub suppressed: usize,
}

pub(crate) fn counts(findings: &[Finding]) -> Counts {
    let mut c = Counts::default();
    for f in findings {
        match (&f.suppressed, f.severity) {
            (Some(_), _) => c.suppressed += 1,
            (None, Severity::Error) => c.errors += 1,
            (None, Severity::Warning) => c.warnings += 1,
        }
    }
    c
}

#[cfg(test)]
mod tests;
