//! Operations as calls: every [`Op`] is one constructor call `name(arg, ...)` whose arguments are
//! JSON-shaped values. [`op_to_call`] and [`op_from_call`] are inverse of each other; the renderer
//! prints the first, the sandbox builds ops with the second, so what is written is what is read.
//! Map payloads (schemas, fields, patches, name templates) go through `schema::codec`, the one
//! mapping between payloads and the keys users write.

use rhai::{Array, Dynamic, Map as RhaiMap};
use serde_json::{Map, Number, Value, json};

use crate::op::{
    FieldPatch, Op, SchemaPatch, ValueError, field_def_from_json, field_def_to_json, schema_def_from_json,
    schema_def_to_json, template_from_json, template_to_json,
};

/// One Rhai constructor: its name, parameter names and what it does (for the definitions file
/// editors read). `optional_last` marks Liminal's optional `index` (the call may leave it out).
#[derive(Debug)]
pub(crate) struct Constructor {
    pub name: &'static str,
    pub params: &'static [&'static str],
    pub optional_last: bool,
    pub doc: &'static str,
}

const fn ctor(name: &'static str, params: &'static [&'static str], doc: &'static str) -> Constructor {
    Constructor { name, params, optional_last: false, doc }
}

/// The 19 constructors of the product contract, in its order.
pub(crate) const CONSTRUCTORS: &[Constructor] = &[
    ctor("create_dropdown", &["name", "options"], "Create a dropdown with these options, in order."),
    ctor("archive_dropdown", &["name"], "Archive a dropdown (by display name)."),
    ctor("unarchive_dropdown", &["name"], "Unarchive a dropdown (by display name)."),
    ctor("rename_dropdown", &["name", "new_name"], "Rename a dropdown."),
    ctor("create_dropdown_option", &["dropdown", "option", "index"], "Add an option at a 0-based position."),
    ctor("archive_dropdown_option", &["dropdown", "option"], "Archive an option of a dropdown."),
    ctor("unarchive_dropdown_option", &["dropdown", "option", "index"], "Unarchive an option at a 0-based position."),
    ctor("rename_dropdown_option", &["dropdown", "option", "new_option"], "Rename an option of a dropdown."),
    ctor("reorder_dropdown_options", &["dropdown", "options"], "Put a dropdown's options in this order."),
    ctor(
        "create_schema",
        &["schema"],
        "Create an entity schema: `#{ name, warehouse_name, prefix, entity_type, ..., fields: [#{...}] }` (the YAML keys).",
    ),
    ctor("archive_schema", &["schema"], "Archive an entity schema (by warehouse name)."),
    ctor("unarchive_schema", &["schema"], "Unarchive an entity schema (by warehouse name)."),
    ctor("update_schema", &["schema", "changes"], "Change schema keys: `#{ name: \"New\" }`; `()` clears a value."),
    ctor(
        "set_name_template",
        &["schema", "template"],
        "Replace the name template: `#{ parts: [...], order_name_parts_by_sequence: false }`.",
    ),
    ctor(
        "create_field",
        &["schema", "field", "index"],
        "Add a field (`#{ warehouse_name, name, type, ... }`) at a 0-based position.",
    ),
    Constructor {
        name: "archive_field",
        params: &["schema", "field", "index"],
        optional_last: true,
        doc: "Archive a field; `index` is where it stood (for the reverse).",
    },
    Constructor {
        name: "unarchive_field",
        params: &["schema", "field", "index"],
        optional_last: true,
        doc: "Unarchive a field, at `index` if given.",
    },
    ctor(
        "update_field",
        &["schema", "field", "changes"],
        "Change field keys: `#{ tooltip: \"...\" }`; `()` clears a value.",
    ),
    ctor("reorder_fields", &["schema", "fields"], "Put a schema's fields (warehouse names) in this order."),
];

impl Constructor {
    pub(super) fn find(name: &str) -> Option<&'static Constructor> {
        CONSTRUCTORS.iter().find(|c| c.name == name)
    }

    /// The argument counts the constructor accepts.
    pub(super) fn arities(&self) -> std::ops::RangeInclusive<usize> {
        let n = self.params.len();
        if self.optional_last { n - 1..=n } else { n..=n }
    }

    /// The Rhai type of a parameter, for the definitions file.
    pub(super) fn param_type(&self, param: &str) -> &'static str {
        match (self.name, param) {
            ("create_schema", "schema") | ("create_field", "field") => "Map",
            (_, "changes" | "template") => "Map",
            (_, "options" | "fields") => "Array",
            (_, "index") => "int",
            _ => "String",
        }
    }

    /// `archive_field(schema, field[, index])`, for help lines.
    pub(super) fn signature(&self) -> String {
        let n = self.params.len();
        let mut s = format!("{}(", self.name);
        for (i, p) in self.params.iter().enumerate() {
            match (i, self.optional_last && i + 1 == n) {
                (0, _) => s.push_str(p),
                (_, true) => s.push_str(&format!("[, {p}]")),
                _ => s.push_str(&format!(", {p}")),
            }
        }
        s.push(')');
        s
    }
}

/// A constructor call that does not build an operation: what is wrong, what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub(super) struct CallError {
    pub message: String,
    pub help: String,
    /// The map key the problem is at, when it is inside a map argument (the error is then
    /// located at the key, not at the call).
    pub key: Option<String>,
}

impl CallError {
    fn new(ctor: &Constructor, message: impl std::fmt::Display, help: impl Into<String>) -> CallError {
        CallError { message: format!("{}: {message}", ctor.name), help: help.into(), key: None }
    }

    fn from_value(ctor: &Constructor, e: ValueError) -> CallError {
        let key = e.key.clone();
        CallError { key, ..CallError::new(ctor, e.message, e.help) }
    }
}

/// Positional arguments of one call, read by parameter name for the messages.
struct Args<'a> {
    ctor: &'static Constructor,
    values: &'a [Value],
}

impl Args<'_> {
    fn get(&self, i: usize) -> &Value {
        self.values.get(i).unwrap_or(&Value::Null)
    }

    fn fail(&self, i: usize, message: String, help: &str) -> CallError {
        let param = self.ctor.params.get(i).copied().unwrap_or("argument");
        CallError::new(self.ctor, format!("`{param}` {message}"), format!("{help}; call {}", self.ctor.signature()))
    }

    fn str(&self, i: usize) -> Result<String, CallError> {
        match self.get(i) {
            Value::String(s) => Ok(s.clone()),
            other => {
                Err(self.fail(i, format!("must be a string, not {}", crate::op::type_name(other)), "quote the name"))
            }
        }
    }

    fn strings(&self, i: usize) -> Result<Vec<String>, CallError> {
        match self.get(i) {
            Value::Array(items) => items
                .iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(self.fail(
                        i,
                        format!("must hold strings, not {}", crate::op::type_name(other)),
                        "quote every item",
                    )),
                })
                .collect(),
            other => Err(self.fail(
                i,
                format!("must be an array, not {}", crate::op::type_name(other)),
                "write [\"a\", \"b\"]",
            )),
        }
    }

    fn index(&self, i: usize) -> Result<usize, CallError> {
        match self.get(i) {
            Value::Number(n) => match n.as_u64().and_then(|v| usize::try_from(v).ok()) {
                Some(v) => Ok(v),
                None => Err(self.fail(i, format!("must be 0 or more, not {n}"), "positions count from 0")),
            },
            other => Err(self.fail(
                i,
                format!("must be a whole number, not {}", crate::op::type_name(other)),
                "positions count from 0",
            )),
        }
    }

    fn opt_index(&self, i: usize) -> Result<Option<usize>, CallError> {
        match self.get(i) {
            Value::Null => Ok(None),
            _ => self.index(i).map(Some),
        }
    }

    fn payload<T>(&self, i: usize, read: impl Fn(&Value) -> Result<T, ValueError>) -> Result<T, CallError> {
        read(self.get(i)).map_err(|e| CallError::from_value(self.ctor, e))
    }
}

/// Build the operation a call stands for. `values` must have an accepted length (the sandbox
/// registers exactly those arities).
pub(crate) fn op_from_call(ctor: &'static Constructor, values: &[Value]) -> Result<Op, CallError> {
    let a = Args { ctor, values };
    Ok(match ctor.name {
        "create_dropdown" => Op::CreateDropdown { name: a.str(0)?, options: a.strings(1)? },
        "archive_dropdown" => Op::ArchiveDropdown { name: a.str(0)? },
        "unarchive_dropdown" => Op::UnarchiveDropdown { name: a.str(0)? },
        "rename_dropdown" => Op::RenameDropdown { name: a.str(0)?, new_name: a.str(1)? },
        "create_dropdown_option" => {
            Op::CreateDropdownOption { dropdown: a.str(0)?, option: a.str(1)?, index: a.index(2)? }
        }
        "archive_dropdown_option" => Op::ArchiveDropdownOption { dropdown: a.str(0)?, option: a.str(1)? },
        "unarchive_dropdown_option" => {
            Op::UnarchiveDropdownOption { dropdown: a.str(0)?, option: a.str(1)?, index: a.index(2)? }
        }
        "rename_dropdown_option" => {
            Op::RenameDropdownOption { dropdown: a.str(0)?, option: a.str(1)?, new_option: a.str(2)? }
        }
        "reorder_dropdown_options" => Op::ReorderDropdownOptions { dropdown: a.str(0)?, options: a.strings(1)? },
        "create_schema" => Op::CreateSchema { schema: Box::new(a.payload(0, schema_def_from_json)?) },
        "archive_schema" => Op::ArchiveSchema { schema: a.str(0)? },
        "unarchive_schema" => Op::UnarchiveSchema { schema: a.str(0)? },
        "update_schema" => {
            Op::UpdateSchema { schema: a.str(0)?, patch: Box::new(a.payload(1, SchemaPatch::from_json)?) }
        }
        "set_name_template" => Op::SetNameTemplate { schema: a.str(0)?, template: a.payload(1, template_from_json)? },
        "create_field" => Op::CreateField {
            schema: a.str(0)?,
            field: Box::new(a.payload(1, field_def_from_json)?),
            index: a.index(2)?,
        },
        "archive_field" => Op::ArchiveField { schema: a.str(0)?, field: a.str(1)?, index: a.opt_index(2)? },
        "unarchive_field" => Op::UnarchiveField { schema: a.str(0)?, field: a.str(1)?, index: a.opt_index(2)? },
        "update_field" => Op::UpdateField {
            schema: a.str(0)?,
            field: a.str(1)?,
            patch: Box::new(a.payload(2, FieldPatch::from_json)?),
        },
        "reorder_fields" => Op::ReorderFields { schema: a.str(0)?, fields: a.strings(1)? },
        other => {
            return Err(CallError {
                message: format!("`{other}` is not an operation"),
                help: String::new(),
                key: None,
            });
        }
    })
}

/// The call that builds `op`: constructor name and arguments. An absent optional index is left out.
pub(crate) fn op_to_call(op: &Op) -> (&'static str, Vec<Value>) {
    let s = |v: &str| Value::String(v.to_string());
    let list = |v: &[String]| Value::Array(v.iter().map(|x| s(x)).collect());
    let args = match op {
        Op::CreateDropdown { name, options } => vec![s(name), list(options)],
        Op::ArchiveDropdown { name } | Op::UnarchiveDropdown { name } => vec![s(name)],
        Op::RenameDropdown { name, new_name } => vec![s(name), s(new_name)],
        Op::CreateDropdownOption { dropdown, option, index }
        | Op::UnarchiveDropdownOption { dropdown, option, index } => vec![s(dropdown), s(option), json!(index)],
        Op::ArchiveDropdownOption { dropdown, option } => vec![s(dropdown), s(option)],
        Op::RenameDropdownOption { dropdown, option, new_option } => vec![s(dropdown), s(option), s(new_option)],
        Op::ReorderDropdownOptions { dropdown, options } => vec![s(dropdown), list(options)],
        Op::CreateSchema { schema } => vec![schema_def_to_json(schema)],
        Op::ArchiveSchema { schema } | Op::UnarchiveSchema { schema } => vec![s(schema)],
        Op::UpdateSchema { schema, patch } => vec![s(schema), patch.to_json()],
        Op::SetNameTemplate { schema, template } => vec![s(schema), template_to_json(template)],
        Op::CreateField { schema, field, index } => vec![s(schema), field_def_to_json(field), json!(index)],
        Op::ArchiveField { schema, field, index } | Op::UnarchiveField { schema, field, index } => {
            let mut v = vec![s(schema), s(field)];
            v.extend(index.map(|i| json!(i)));
            v
        }
        Op::UpdateField { schema, field, patch } => vec![s(schema), s(field), patch.to_json()],
        Op::ReorderFields { schema, fields } => vec![s(schema), list(fields)],
    };
    (op.name(), args)
}

/// A script value as JSON: strings (and characters), bools, integers, arrays, maps, `()` as null.
/// Anything else (a float, an operation, a function pointer) is refused with its Rhai type name.
pub(crate) fn dynamic_to_json(d: &Dynamic) -> Result<Value, String> {
    if d.is_unit() {
        return Ok(Value::Null);
    }
    if let Ok(b) = d.as_bool() {
        return Ok(Value::Bool(b));
    }
    if let Ok(i) = d.as_int() {
        return Ok(Value::Number(Number::from(i)));
    }
    if let Ok(c) = d.as_char() {
        return Ok(Value::String(c.to_string()));
    }
    if let Ok(s) = d.clone().into_immutable_string() {
        return Ok(Value::String(s.to_string()));
    }
    if d.is_array() {
        let items = d.read_lock::<Array>().ok_or_else(|| "a locked array".to_string())?;
        return items.iter().map(dynamic_to_json).collect::<Result<_, _>>().map(Value::Array);
    }
    if d.is_map() {
        let map = d.read_lock::<RhaiMap>().ok_or_else(|| "a locked map".to_string())?;
        let mut out = Map::new();
        for (k, v) in map.iter() {
            out.insert(k.to_string(), dynamic_to_json(v)?);
        }
        return Ok(Value::Object(out));
    }
    if d.as_float().is_ok() {
        return Err("a floating-point number (write a whole number)".to_string());
    }
    Err(other_value(d))
}

/// A value no argument takes, in the script's words: Rhai's type names are Rust paths
/// (`core::ops::range::Range<i64>`, `liminal::script::LocatedOp`).
fn other_value(d: &Dynamic) -> String {
    if d.is::<crate::script::LocatedOp>() {
        return "an operation (a constructor's result is not a value)".to_string();
    }
    if d.is::<std::ops::Range<i64>>() || d.is::<std::ops::RangeInclusive<i64>>() {
        return "a range".to_string();
    }
    if d.is_char() {
        return "a character (write a string)".to_string();
    }
    if d.is_fnptr() {
        return "a function".to_string();
    }
    let name = d.type_name();
    let short = name.rsplit("::").next().unwrap_or(name);
    format!("a value of type `{short}`")
}

/// Convert every argument, naming the parameter of the first one that cannot be a value.
pub(crate) fn args_to_json(ctor: &'static Constructor, args: &[&mut Dynamic]) -> Result<Vec<Value>, CallError> {
    args.iter()
        .enumerate()
        .map(|(i, d)| {
            dynamic_to_json(d).map_err(|what| {
                let param = ctor.params.get(i).copied().unwrap_or("argument");
                CallError::new(
                    ctor,
                    format!("`{param}` cannot be {what}"),
                    format!("pass strings, numbers, bools, arrays or maps; call {}", ctor.signature()),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_op_names() {
        assert_eq!(CONSTRUCTORS.len(), 19);
        let op = Op::ArchiveField { schema: "s".into(), field: "f".into(), index: None };
        let (name, args) = op_to_call(&op);
        let ctor = Constructor::find(name).unwrap();
        assert!(ctor.arities().contains(&args.len()));
        assert_eq!(op_from_call(ctor, &args), Ok(op));
        assert_eq!(ctor.signature(), "archive_field(schema, field[, index])");
    }

    #[test]
    fn negative_index_names_the_parameter() {
        let ctor = Constructor::find("create_dropdown_option").unwrap();
        let e = op_from_call(ctor, &[json!("d"), json!("o"), json!(-1)]).unwrap_err();
        assert_eq!(e.message, "create_dropdown_option: `index` must be 0 or more, not -1");
        assert!(e.help.contains("create_dropdown_option(dropdown, option, index)"));
    }
}
