//! Writing revision scripts: the layout of the product contract, deterministic to the byte (the
//! create date is an input), every string escaped for Rhai, one operation per line. A call that
//! does not fit in [`WIDTH`] columns opens its last argument (a map or array) one entry per line;
//! `create_schema` always does, with exactly one field per line, so a reviewer reads a schema as a
//! table.

use std::fmt::Write;

use serde_json::Value;
use time::PrimitiveDateTime;
use time::macros::format_description;

use super::convert::op_to_call;
use crate::op::Op;

/// Preferred maximum line width in characters.
pub const WIDTH: usize = 120;
const STEP: usize = 4;

/// Everything a revision file says.
#[derive(Debug, Clone)]
pub struct RevisionText<'a> {
    pub id: &'a str,
    /// `None` for the base revision.
    pub down_revision: Option<&'a str>,
    /// Free text; made into one line (see [`one_line`]).
    pub message: &'a str,
    pub create_date: PrimitiveDateTime,
    pub upgrade: &'a [Op],
    pub downgrade: &'a [Op],
}

/// A message as one comment line: line breaks and other control characters become spaces, runs
/// of white space collapse, ends are trimmed. This is also what the header reads back.
pub fn one_line(message: &str) -> String {
    let cleaned: String =
        message.chars().map(|c| if c.is_control() || is_invisible_break(c) { ' ' } else { c }).collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_invisible_break(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

/// Characters written as escapes although Rhai would accept them raw: control characters, line
/// separators and the bidirectional controls that make text read differently from what it is.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || is_invisible_break(c)
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        || c == '\u{FEFF}'
}

/// `s` as a Rhai string literal.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) && (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02X}", c as u32);
            }
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Map keys are written bare when they are plain identifiers (all of ours are).
fn key(k: &str) -> String {
    let plain = k.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && k.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain { k.to_string() } else { quote(k) }
}

/// A value on one line.
fn inline(v: &Value) -> String {
    match v {
        Value::Null => "()".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quote(s),
        Value::Array(items) => format!("[{}]", items.iter().map(inline).collect::<Vec<_>>().join(", ")),
        Value::Object(m) if m.is_empty() => "#{}".into(),
        Value::Object(m) => {
            let entries: Vec<String> = m.iter().map(|(k, v)| format!("{}: {}", key(k), inline(v))).collect();
            format!("#{{ {} }}", entries.join(", "))
        }
    }
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// How to lay out a value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// One line if it fits, else one entry per line.
    Fit,
    /// One entry per line; a `fields` entry lists one field per line.
    Schema,
    /// One entry per line, each entry on one line whatever its width: a schema's fields read as
    /// a table, and a changed field is one changed line in a review.
    Rows,
}

/// `v` starting at column `col` of a line indented by `indent`, followed by `tail` characters.
fn value(out: &mut String, v: &Value, indent: usize, col: usize, tail: usize, layout: Layout) {
    let one = inline(v);
    let open = match v {
        Value::Array(items) => !items.is_empty(),
        Value::Object(m) => !m.is_empty(),
        _ => false,
    };
    if !open || (layout == Layout::Fit && col + width(&one) + tail <= WIDTH) {
        out.push_str(&one);
        return;
    }
    let inner = indent + STEP;
    let pad = " ".repeat(inner);
    match v {
        Value::Array(items) => {
            out.push_str("[\n");
            for item in items {
                out.push_str(&pad);
                match layout {
                    Layout::Rows => out.push_str(&inline(item)),
                    _ => value(out, item, inner, inner, 1, Layout::Fit),
                }
                out.push_str(",\n");
            }
            out.push_str(&" ".repeat(indent));
            out.push(']');
        }
        Value::Object(m) => {
            out.push_str("#{\n");
            for (k, item) in m {
                let k = key(k);
                let _ = write!(out, "{pad}{k}: ");
                let child = if layout == Layout::Schema && k == "fields" { Layout::Rows } else { Layout::Fit };
                value(out, item, inner, inner + width(&k) + 2, 1, child);
                out.push_str(",\n");
            }
            out.push_str(&" ".repeat(indent));
            out.push('}');
        }
        _ => out.push_str(&one),
    }
}

/// One operation as a call, indented by `indent`, without the trailing comma.
fn call(out: &mut String, op: &Op, indent: usize) {
    let (name, args) = op_to_call(op);
    let layout = if matches!(op, Op::CreateSchema { .. }) { Layout::Schema } else { Layout::Fit };
    let mut head = format!("{name}(");
    let Some((last, init)) = args.split_last() else {
        out.push_str(&head);
        out.push(')');
        return;
    };
    for a in init {
        head.push_str(&inline(a));
        head.push_str(", ");
    }
    out.push_str(&head);
    // The closing `),` follows the last argument.
    value(out, last, indent, indent + width(&head), 2, layout);
    out.push(')');
}

/// One operation as a revision script writes it (without the trailing comma), for hints.
pub fn render_call(op: &Op) -> String {
    let mut out = String::new();
    call(&mut out, op, 0);
    out
}

fn function(out: &mut String, name: &str, ops: &[Op]) {
    let _ = writeln!(out, "fn {name}() {{");
    if ops.is_empty() {
        out.push_str("    []\n");
    } else {
        out.push_str("    [\n");
        for op in ops {
            out.push_str("        ");
            call(out, op, 8);
            out.push_str(",\n");
        }
        out.push_str("    ]\n");
    }
    out.push_str("}\n");
}

/// The text of a revision file.
pub fn render(r: &RevisionText<'_>) -> String {
    let date =
        r.create_date.format(format_description!("[year]-[month]-[day] [hour]:[minute]:[second]")).unwrap_or_default();
    let mut out = String::new();
    let message = one_line(r.message);
    let _ = writeln!(out, "{}", format!("// {message}").trim_end());
    out.push_str("//\n");
    let _ = writeln!(out, "// Revision ID: {}", one_line(r.id));
    match r.down_revision {
        Some(down) => {
            let _ = writeln!(out, "// Revises: {}", one_line(down));
        }
        None => out.push_str("// Revises: none (first revision)\n"),
    }
    let _ = writeln!(out, "// Create Date: {date}\n");
    let _ = writeln!(out, "const revision = {};", quote(r.id));
    match r.down_revision {
        Some(down) => {
            let _ = writeln!(out, "const down_revision = {};   // () for the first revision\n", quote(down));
        }
        None => out.push_str("const down_revision = ();   // the first revision: it revises nothing\n\n"),
    }
    out.push_str("// Generated by liminal: review, and adjust if needed.\n");
    function(&mut out, "upgrade", r.upgrade);
    out.push('\n');
    function(&mut out, "downgrade", r.downgrade);
    out
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::schema::{EntityType, FieldDef, FieldType, NameTemplate, SchemaDef, SchemaProps};

    const CONTRACT_EXAMPLE: &str = r#"// Remove dough column from pizza schema
//
// Revision ID: c3a9cd009713
// Revises: d28335bffaba
// Create Date: 2026-11-25 19:16:35

const revision = "c3a9cd009713";
const down_revision = "d28335bffaba";   // () for the first revision

// Generated by liminal: review, and adjust if needed.
fn upgrade() {
    [
        archive_field("pizza", "dough"),
    ]
}

fn downgrade() {
    [
        unarchive_field("pizza", "dough"),
    ]
}
"#;

    #[test]
    fn renders_the_contract_example_byte_for_byte() {
        let up = [Op::ArchiveField { schema: "pizza".into(), field: "dough".into(), index: None }];
        let down = [Op::UnarchiveField { schema: "pizza".into(), field: "dough".into(), index: None }];
        let text = render(&RevisionText {
            id: "c3a9cd009713",
            down_revision: Some("d28335bffaba"),
            message: "Remove dough column from pizza schema",
            create_date: datetime!(2026-11-25 19:16:35),
            upgrade: &up,
            downgrade: &down,
        });
        assert_eq!(text, CONTRACT_EXAMPLE);
    }

    #[test]
    fn base_revision_has_empty_lists_and_unit_down_revision() {
        let text = render(&RevisionText {
            id: "0123456789ab",
            down_revision: None,
            message: "Initial init revision",
            create_date: datetime!(2026-01-02 03:04:05),
            upgrade: &[],
            downgrade: &[],
        });
        assert!(text.contains("const down_revision = ();"));
        assert!(text.contains("fn upgrade() {\n    []\n}\n"));
        assert!(text.contains("// Revises: none (first revision)\n"));
    }

    #[test]
    fn messages_stay_on_one_line() {
        assert_eq!(one_line("Fix\nthings\r\n  now\u{2028}ok\t!"), "Fix things now ok !");
        assert_eq!(one_line("\n"), "");
    }

    #[test]
    fn strings_are_escaped() {
        assert_eq!(quote("a\"b\\c\nd\te\r\u{1}é\u{202E}"), r#""a\"b\\c\nd\te\r\x01é\u202E""#);
    }

    #[test]
    fn create_schema_reads_as_a_list_of_fields() {
        let mut schema = SchemaDef {
            props: SchemaProps::new("Pizza", "pizza", "PZ", EntityType::CustomEntity),
            name_template: NameTemplate::default(),
            archived: false,
            fields: vec![FieldDef::new("dough", "Dough", FieldType::EntityLink)],
        };
        schema.fields[0].entity_link = Some("dough".into());
        schema.fields[0].required = true;
        let mut out = String::new();
        call(&mut out, &Op::CreateSchema { schema: Box::new(schema) }, 8);
        let expected = r#"create_schema(#{
            name: "Pizza",
            warehouse_name: "pizza",
            prefix: "PZ",
            entity_type: "custom_entity",
            naming_strategies: ["NEW_IDS", "IDS_FROM_NAMES", "DELETE_NAMES"],
            fields: [
                #{ warehouse_name: "dough", name: "Dough", type: "entity_link", required: true, entity_link: "dough" },
            ],
        })"#;
        assert_eq!(out, expected);
    }

    #[test]
    fn long_lists_open_one_item_per_line() {
        let options: Vec<String> = (0..20).map(|i| format!("option number {i}")).collect();
        let mut out = String::new();
        call(&mut out, &Op::CreateDropdown { name: "Toppings".into(), options }, 8);
        assert!(out.starts_with("create_dropdown(\"Toppings\", [\n            \"option number 0\",\n"), "{out}");
        assert!(out.ends_with("\"option number 19\",\n        ])"), "{out}");
    }
}
