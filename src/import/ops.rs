//! Liminal operation calls (`b.CreateEntitySchema(...)`, the 19 classes of `liminal.external`,
//! positional or keyword arguments) as [`Op`]s.
//!
//! The rules that are not a plain rename:
//! - `None` in a create means "not set" (left out); in an update it clears the value (`()`); for
//!   `is_multi` and `parent_link` it means "does not apply to this type" (left out), and an update
//!   left with nothing to change is dropped;
//! - `dropdown_link` is `dropdown`, `unit_name` is `unit`, `mixture_schema_config`'s camelCase keys
//!   are snake_case; sets become sorted lists;
//! - `UpdateEntitySchemaNameTemplate` merges the keys it is given into the current template, while
//!   `set_name_template` replaces the whole template: the missing key comes from `before`, the
//!   state the chain replayed up to this operation gives;
//! - `ArchiveDropdownOption`'s `index` is unused by Liminal and has no counterpart: dropped.

use std::collections::BTreeSet;

use super::python::{Located, PORT_BY_HAND, PyFile, Value};
use super::revision::ExternalNames;
use crate::diag::SourceProblem;
use crate::op::{FieldPatch, Op, SchemaPatch};
use crate::schema::{
    EntityType, FieldDef, FieldType, MixtureConfig, NamePart, NameTemplate, NamingStrategy, PartType, SchemaDef,
    SchemaProps,
};
use crate::state::TenantState;

/// Reads values of one file, naming the file's places in problems.
pub(crate) struct Reader<'a> {
    pub file: &'a PyFile,
    pub names: &'a ExternalNames,
}

type R<T> = Result<T, SourceProblem>;

/// A parameter of a Liminal constructor.
struct Param {
    name: &'static str,
    required: bool,
}

const fn req(name: &'static str) -> Param {
    Param { name, required: true }
}

const fn opt(name: &'static str) -> Param {
    Param { name, required: false }
}

/// The operation classes of `liminal.external` (5.x), with their parameters in order.
const OPERATIONS: &[(&str, &[Param])] = &[
    ("CreateDropdown", &[req("dropdown_name"), req("dropdown_options")]),
    ("ArchiveDropdown", &[req("dropdown_name")]),
    ("UnarchiveDropdown", &[req("dropdown_name")]),
    ("UpdateDropdownName", &[req("dropdown_name"), req("new_dropdown_name")]),
    ("CreateDropdownOption", &[req("dropdown_name"), req("option_to_add"), req("index")]),
    ("UnarchiveDropdownOption", &[req("dropdown_name"), req("option_to_unarchive"), req("index")]),
    ("ArchiveDropdownOption", &[req("dropdown_name"), req("option_to_remove"), opt("index")]),
    ("UpdateDropdownOption", &[req("dropdown_name"), req("old_option_name"), req("new_option_name")]),
    ("ReorderDropdownOptions", &[req("dropdown_name"), req("new_order")]),
    ("CreateEntitySchema", &[req("schema_properties"), req("fields")]),
    ("ArchiveEntitySchema", &[req("wh_schema_name")]),
    ("UnarchiveEntitySchema", &[req("wh_schema_name")]),
    ("UpdateEntitySchema", &[req("wh_schema_name"), req("update_props")]),
    ("UpdateEntitySchemaNameTemplate", &[req("wh_schema_name"), req("update_name_template")]),
    ("CreateEntitySchemaField", &[req("wh_schema_name"), req("field_props"), req("index")]),
    ("ArchiveEntitySchemaField", &[req("wh_schema_name"), req("wh_field_name"), opt("index")]),
    ("UnarchiveEntitySchemaField", &[req("wh_schema_name"), req("wh_field_name"), opt("index")]),
    ("UpdateEntitySchemaField", &[req("wh_schema_name"), req("wh_field_name"), req("update_props")]),
    ("ReorderEntitySchemaFields", &[req("wh_schema_name"), req("new_order")]),
];

const FIELD_PROPS: &[&str] = &[
    "name",
    "warehouse_name",
    "type",
    "required",
    "is_multi",
    "parent_link",
    "dropdown_link",
    "entity_link",
    "tooltip",
    "decimal_places",
    "unit_name",
    "_archived",
];

pub(crate) const SCHEMA_PROPS: &[&str] = &[
    "name",
    "warehouse_name",
    "prefix",
    "entity_type",
    "naming_strategies",
    "mixture_schema_config",
    "use_registry_id_as_label",
    "include_registry_id_in_chips",
    "constraint_fields",
    "show_bases_in_expanded_view",
    "_archived",
];

fn signature(name: &str, params: &[Param]) -> String {
    let ps: Vec<String> =
        params.iter().map(|p| if p.required { p.name.to_string() } else { format!("{}=None", p.name) }).collect();
    format!("{name}({})", ps.join(", "))
}

/// A call's arguments by keyword, from a pydantic-style call (keywords only).
pub(crate) struct Kwargs<'v> {
    pub class: String,
    pub at: (usize, usize),
    pub items: Vec<(&'v str, &'v Located)>,
}

impl<'v> Kwargs<'v> {
    pub fn get(&self, key: &str) -> Option<&'v Located> {
        self.items.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }
}

impl<'a> Reader<'a> {
    fn problem(&self, at: (usize, usize), message: impl Into<String>) -> SourceProblem {
        self.file.problem_at(at, message, PORT_BY_HAND)
    }

    fn wrong(&self, v: &Located, key: &str, expected: &str) -> SourceProblem {
        self.problem(v.at, format!("`{key}` must be {expected}, not {}", v.value.describe()))
    }

    pub fn string(&self, v: &Located, key: &str) -> R<String> {
        match &v.value {
            Value::Str(s) => Ok(s.clone()),
            _ => Err(self.wrong(v, key, "a string")),
        }
    }

    pub fn opt_string(&self, v: &Located, key: &str) -> R<Option<String>> {
        match &v.value {
            Value::None => Ok(None),
            _ => self.string(v, key).map(Some),
        }
    }

    pub fn bool(&self, v: &Located, key: &str) -> R<bool> {
        match &v.value {
            Value::Bool(b) => Ok(*b),
            _ => Err(self.wrong(v, key, "True or False")),
        }
    }

    fn index(&self, v: &Located, key: &str) -> R<usize> {
        match &v.value {
            Value::Int(n) if *n >= 0 => Ok(*n as usize),
            _ => Err(self.wrong(v, key, "a position (0 or more)")),
        }
    }

    fn opt_index(&self, v: Option<&Located>, key: &str) -> R<Option<usize>> {
        match v {
            None | Some(Located { value: Value::None, .. }) => Ok(None),
            Some(v) => self.index(v, key).map(Some),
        }
    }

    pub fn decimal_places(&self, v: &Located) -> R<Option<u8>> {
        match &v.value {
            Value::None => Ok(None),
            Value::Int(n) if (0..=255).contains(n) => Ok(Some(*n as u8)),
            _ => Err(self.wrong(v, "decimal_places", "a number from 0 to 15")),
        }
    }

    /// The items of a list, tuple or set.
    pub fn items<'v>(&self, v: &'v Located, key: &str) -> R<&'v [Located]> {
        match &v.value {
            Value::List(items) | Value::Tuple(items) | Value::Set(items) => Ok(items),
            _ => Err(self.wrong(v, key, "a list")),
        }
    }

    pub fn strings(&self, v: &Located, key: &str) -> R<Vec<String>> {
        self.items(v, key)?.iter().map(|i| self.string(i, key)).collect()
    }

    /// An enum member (`b.BenchlingFieldType.DECIMAL`, `BenchlingFieldType.DECIMAL`) or its value
    /// as a string, parsed as `T`.
    pub fn member<T: std::str::FromStr<Err = crate::schema::UnknownValue>>(
        &self,
        v: &Located,
        key: &str,
        class: &str,
    ) -> R<T> {
        let text = match &v.value {
            Value::Name(n) => match n.rsplit_once('.') {
                Some((owner, member)) if owner == class || owner.ends_with(&format!(".{class}")) => member.to_string(),
                _ => return Err(self.wrong(v, key, &format!("a member of {class}"))),
            },
            Value::Str(s) => s.clone(),
            _ => return Err(self.wrong(v, key, &format!("a member of {class}"))),
        };
        text.parse::<T>().map_err(|e| self.problem(v.at, format!("`{key}`: {e}")))
    }

    /// A keywords-only call of `class` (`b.BaseFieldProperties(...)`), its keys checked.
    pub fn kwargs<'v>(&self, v: &'v Located, key: &str, classes: &[&str], allowed: &[&str]) -> R<Kwargs<'v>> {
        let Value::Call { func, args, kwargs } = &v.value else {
            return Err(self.wrong(v, key, &format!("a call of {}", classes.join(" or "))));
        };
        let class = func.rsplit('.').next().unwrap_or(func);
        if !classes.contains(&class) {
            return Err(self.wrong(v, key, &format!("a call of {}", classes.join(" or "))));
        }
        if let Some(a) = args.first() {
            return Err(self.problem(a.at, format!("{class} takes keyword arguments only")));
        }
        for (k, value) in kwargs {
            if !allowed.contains(&k.as_str()) {
                return Err(
                    self.problem(value.at, format!("{class} has no argument `{k}` (it takes: {})", allowed.join(", ")))
                );
            }
        }
        Ok(Kwargs { class: class.to_string(), at: v.at, items: kwargs.iter().map(|(k, v)| (k.as_str(), v)).collect() })
    }

    /// One operation call; `None` when it changes nothing once converted (an update whose only
    /// keys do not apply). `before` is the state the chain gives just before it.
    pub fn op(&self, call: &Located, before: &TenantState) -> R<Option<Op>> {
        let Value::Call { func, args, kwargs } = &call.value else {
            return Err(self.problem(call.at, format!("expected an operation call, found {}", call.value.describe())));
        };
        let Some(name) = self.names.resolve(func) else {
            return Err(self.problem(
                call.at,
                format!(
                    "`{func}` is not an operation of liminal.external (imported as `import liminal.external as b`)"
                ),
            ));
        };
        let Some((name, params)) = OPERATIONS.iter().find(|(n, _)| *n == name) else {
            return Err(self.problem(
                call.at,
                format!(
                    "`{name}` is not one of Liminal 5's 19 operations (operations from before Liminal 2.0 are not converted)"
                ),
            ));
        };
        let sig = signature(name, params);
        let mut bound: Vec<Option<&Located>> = vec![None; params.len()];
        if args.len() > params.len() {
            return Err(self.problem(call.at, format!("too many arguments: the signature is {sig}")));
        }
        for (i, a) in args.iter().enumerate() {
            bound[i] = Some(a);
        }
        for (k, v) in kwargs {
            let Some(i) = params.iter().position(|p| p.name == k) else {
                return Err(self.problem(v.at, format!("{name} has no argument `{k}`: the signature is {sig}")));
            };
            if bound[i].replace(v).is_some() {
                return Err(self.problem(v.at, format!("`{k}` is given twice: the signature is {sig}")));
            }
        }
        for (p, b) in params.iter().zip(&bound) {
            if p.required && b.is_none() {
                return Err(self.problem(call.at, format!("missing argument `{}`: the signature is {sig}", p.name)));
            }
        }
        let arg = |i: usize| -> &Located { bound[i].unwrap_or(call) };
        let s = |i: usize| self.string(arg(i), params[i].name);
        let op = match *name {
            "CreateDropdown" => Op::CreateDropdown { name: s(0)?, options: self.strings(arg(1), params[1].name)? },
            "ArchiveDropdown" => Op::ArchiveDropdown { name: s(0)? },
            "UnarchiveDropdown" => Op::UnarchiveDropdown { name: s(0)? },
            "UpdateDropdownName" => Op::RenameDropdown { name: s(0)?, new_name: s(1)? },
            "CreateDropdownOption" => {
                Op::CreateDropdownOption { dropdown: s(0)?, option: s(1)?, index: self.index(arg(2), "index")? }
            }
            "UnarchiveDropdownOption" => {
                Op::UnarchiveDropdownOption { dropdown: s(0)?, option: s(1)?, index: self.index(arg(2), "index")? }
            }
            "ArchiveDropdownOption" => {
                self.opt_index(bound[2], "index")?;
                Op::ArchiveDropdownOption { dropdown: s(0)?, option: s(1)? }
            }
            "UpdateDropdownOption" => Op::RenameDropdownOption { dropdown: s(0)?, option: s(1)?, new_option: s(2)? },
            "ReorderDropdownOptions" => {
                Op::ReorderDropdownOptions { dropdown: s(0)?, options: self.strings(arg(1), "new_order")? }
            }
            "CreateEntitySchema" => {
                let props = self.create_schema_props(arg(0))?;
                let fields =
                    self.items(arg(1), "fields")?.iter().map(|f| self.create_field(f)).collect::<R<Vec<FieldDef>>>()?;
                Op::CreateSchema {
                    schema: Box::new(SchemaDef {
                        props,
                        name_template: NameTemplate::default(),
                        archived: false,
                        fields,
                    }),
                }
            }
            "ArchiveEntitySchema" => Op::ArchiveSchema { schema: s(0)? },
            "UnarchiveEntitySchema" => Op::UnarchiveSchema { schema: s(0)? },
            "UpdateEntitySchema" => {
                let patch = self.schema_patch(arg(1))?;
                if patch.is_empty() {
                    return Ok(None);
                }
                Op::UpdateSchema { schema: s(0)?, patch: Box::new(patch) }
            }
            "UpdateEntitySchemaNameTemplate" => {
                let schema = s(0)?;
                let template = self.merged_template(arg(1), &schema, before)?;
                Op::SetNameTemplate { schema, template }
            }
            "CreateEntitySchemaField" => Op::CreateField {
                schema: s(0)?,
                field: Box::new(self.create_field(arg(1))?),
                index: self.index(arg(2), "index")?,
            },
            "ArchiveEntitySchemaField" => {
                Op::ArchiveField { schema: s(0)?, field: s(1)?, index: self.opt_index(bound[2], "index")? }
            }
            "UnarchiveEntitySchemaField" => {
                Op::UnarchiveField { schema: s(0)?, field: s(1)?, index: self.opt_index(bound[2], "index")? }
            }
            "UpdateEntitySchemaField" => {
                let patch = self.field_patch(arg(2))?;
                if patch.is_empty() {
                    return Ok(None);
                }
                Op::UpdateField { schema: s(0)?, field: s(1)?, patch: Box::new(patch) }
            }
            "ReorderEntitySchemaFields" => {
                Op::ReorderFields { schema: s(0)?, fields: self.strings(arg(1), "new_order")? }
            }
            _ => return Err(self.problem(call.at, format!("`{name}` is not converted"))),
        };
        Ok(Some(op))
    }

    fn field_kwargs<'v>(&self, v: &'v Located) -> R<Kwargs<'v>> {
        self.kwargs(v, "field_props", &["BaseFieldProperties"], FIELD_PROPS)
    }

    /// `BaseFieldProperties(...)` of a create: `None` is "not set".
    fn create_field(&self, v: &Located) -> R<FieldDef> {
        let k = self.field_kwargs(v)?;
        let set = |key: &str| k.get(key).filter(|v| v.value != Value::None);
        let need = |key: &str| {
            set(key).ok_or_else(|| self.problem(k.at, format!("BaseFieldProperties of a new field needs `{key}`")))
        };
        let field_type: FieldType = self.member(need("type")?, "type", "BenchlingFieldType")?;
        let mut f = FieldDef::new(
            &self.string(need("warehouse_name")?, "warehouse_name")?,
            &self.string(need("name")?, "name")?,
            field_type,
        );
        let flag = |key: &str| set(key).map(|v| self.bool(v, key)).transpose().map(|b| b.unwrap_or(false));
        f.required = flag("required")?;
        f.is_multi = flag("is_multi")?;
        f.parent_link = flag("parent_link")?;
        let text = |key: &str| set(key).map(|v| self.string(v, key)).transpose();
        f.dropdown = text("dropdown_link")?;
        f.entity_link = text("entity_link")?;
        f.tooltip = text("tooltip")?;
        f.unit = text("unit_name")?;
        f.decimal_places = match set("decimal_places") {
            Some(v) => self.decimal_places(v)?,
            None => None,
        };
        Ok(f)
    }

    /// `BaseFieldProperties(...)` of an update: `None` clears, except for `is_multi` and
    /// `parent_link`, where it means "does not apply" and is left out.
    fn field_patch(&self, v: &Located) -> R<FieldPatch> {
        let k = self.field_kwargs(v)?;
        let mut p = FieldPatch::default();
        for (key, value) in &k.items {
            let none = value.value == Value::None;
            let cannot_clear = || self.problem(value.at, format!("`{key}=None` would clear a value Benchling needs"));
            match *key {
                "name" if none => return Err(cannot_clear()),
                "name" => p.name = Some(self.string(value, key)?),
                "warehouse_name" if none => return Err(cannot_clear()),
                "warehouse_name" => p.warehouse_name = Some(self.string(value, key)?),
                "type" if none => return Err(cannot_clear()),
                "type" => p.field_type = Some(self.member(value, key, "BenchlingFieldType")?),
                "required" if none => return Err(cannot_clear()),
                "required" => p.required = Some(self.bool(value, key)?),
                "is_multi" | "parent_link" if none => {}
                "is_multi" => p.is_multi = Some(self.bool(value, key)?),
                "parent_link" => p.parent_link = Some(self.bool(value, key)?),
                "dropdown_link" => p.dropdown = Some(self.opt_string(value, key)?),
                "entity_link" => p.entity_link = Some(self.opt_string(value, key)?),
                "tooltip" => p.tooltip = Some(self.opt_string(value, key)?),
                "unit_name" => p.unit = Some(self.opt_string(value, key)?),
                "decimal_places" => p.decimal_places = Some(self.decimal_places(value)?),
                _ => {}
            }
        }
        Ok(p)
    }

    fn schema_kwargs<'v>(&self, v: &'v Located) -> R<Kwargs<'v>> {
        self.kwargs(v, "schema properties", &["BaseSchemaProperties", "SchemaProperties"], SCHEMA_PROPS)
    }

    pub fn naming(&self, v: &Located) -> R<BTreeSet<NamingStrategy>> {
        self.items(v, "naming_strategies")?
            .iter()
            .map(|n| self.member(n, "naming_strategies", "BenchlingNamingStrategy"))
            .collect()
    }

    pub fn constraints(&self, v: &Located) -> R<BTreeSet<String>> {
        Ok(self.strings(v, "constraint_fields")?.into_iter().collect())
    }

    /// `mixture_schema_config`: a dict (as Liminal prints it) or `MixtureSchemaConfig(...)`.
    pub fn mixture(&self, v: &Located) -> R<Option<MixtureConfig>> {
        let pairs: Vec<(String, &Located)> = match &v.value {
            Value::None => return Ok(None),
            Value::Dict(pairs) => {
                pairs.iter().map(|(k, v)| Ok((self.string(k, "mixture_schema_config")?, v))).collect::<R<_>>()?
            }
            Value::Call { .. } => {
                let keys = &["allowMeasuredIngredients", "componentLotStorageEnabled", "componentLotTextEnabled"];
                let k = self.kwargs(v, "mixture_schema_config", &["MixtureSchemaConfig"], keys)?;
                k.items.iter().map(|(k, v)| (k.to_string(), *v)).collect()
            }
            _ => return Err(self.wrong(v, "mixture_schema_config", "a dict or MixtureSchemaConfig(...)")),
        };
        let mut m = MixtureConfig::default();
        for (key, value) in pairs {
            let on = match value.value {
                Value::None => false,
                _ => self.bool(value, &key)?,
            };
            match key.as_str() {
                "allowMeasuredIngredients" | "allow_measured_ingredients" => m.allow_measured_ingredients = on,
                "componentLotStorageEnabled" | "component_lot_storage_enabled" => m.component_lot_storage_enabled = on,
                "componentLotTextEnabled" | "component_lot_text_enabled" => m.component_lot_text_enabled = on,
                other => return Err(self.problem(value.at, format!("unknown mixture setting `{other}`"))),
            }
        }
        Ok(Some(m))
    }

    /// Schema properties of a create, or of a model's `SchemaProperties(...)`: `None` is "not set".
    pub fn create_schema_props(&self, v: &Located) -> R<SchemaProps> {
        let k = self.schema_kwargs(v)?;
        self.schema_props(&k)
    }

    pub fn schema_props(&self, k: &Kwargs<'_>) -> R<SchemaProps> {
        let set = |key: &str| k.get(key).filter(|v| v.value != Value::None);
        let need = |key: &str| set(key).ok_or_else(|| self.problem(k.at, format!("{} needs `{key}`", k.class)));
        let entity_type: EntityType = self.member(need("entity_type")?, "entity_type", "BenchlingEntityType")?;
        let mut p = SchemaProps::new(
            &self.string(need("name")?, "name")?,
            &self.string(need("warehouse_name")?, "warehouse_name")?,
            &self.string(need("prefix")?, "prefix")?,
            entity_type,
        );
        if let Some(n) = set("naming_strategies") {
            p.naming_strategies = self.naming(n)?;
        }
        let flag = |key: &str| set(key).map(|v| self.bool(v, key)).transpose().map(|b| b.unwrap_or(false));
        p.use_registry_id_as_label = flag("use_registry_id_as_label")?;
        p.include_registry_id_in_chips = flag("include_registry_id_in_chips")?;
        p.show_bases_in_expanded_view = flag("show_bases_in_expanded_view")?;
        if let Some(c) = set("constraint_fields") {
            p.constraint_fields = self.constraints(c)?;
        }
        if let Some(m) = set("mixture_schema_config") {
            p.mixture_schema_config = self.mixture(m)?;
        }
        Ok(p)
    }

    /// `BaseSchemaProperties(...)` of an update: `None` clears (booleans become false, constraints
    /// empty, the mixture settings removed); names, prefix, type and naming strategies cannot be
    /// cleared.
    fn schema_patch(&self, v: &Located) -> R<SchemaPatch> {
        let k = self.schema_kwargs(v)?;
        let mut p = SchemaPatch::default();
        for (key, value) in &k.items {
            let none = value.value == Value::None;
            if none && matches!(*key, "name" | "warehouse_name" | "prefix" | "entity_type" | "naming_strategies") {
                return Err(self.problem(value.at, format!("`{key}=None` would clear a value Benchling needs")));
            }
            let flag = || if none { Ok(false) } else { self.bool(value, key) };
            match *key {
                "name" => p.name = Some(self.string(value, key)?),
                "warehouse_name" => p.warehouse_name = Some(self.string(value, key)?),
                "prefix" => p.prefix = Some(self.string(value, key)?),
                "entity_type" => p.entity_type = Some(self.member(value, key, "BenchlingEntityType")?),
                "naming_strategies" => p.naming_strategies = Some(self.naming(value)?),
                "use_registry_id_as_label" => p.use_registry_id_as_label = Some(flag()?),
                "include_registry_id_in_chips" => p.include_registry_id_in_chips = Some(flag()?),
                "show_bases_in_expanded_view" => p.show_bases_in_expanded_view = Some(flag()?),
                "constraint_fields" => {
                    p.constraint_fields = Some(if none { BTreeSet::new() } else { self.constraints(value)? })
                }
                "mixture_schema_config" => p.mixture_schema_config = Some(self.mixture(value)?),
                _ => {}
            }
        }
        Ok(p)
    }

    /// A name-template part (`b.TextPart(value='X')`, `b.FieldPart(wh_field_name='f')`, ...).
    pub fn part(&self, v: &Located) -> R<NamePart> {
        const PARTS: &[(&str, PartType, Option<&str>)] = &[
            ("SeparatorPart", PartType::Separator, Some("value")),
            ("TextPart", PartType::Text, Some("value")),
            ("CreationYearPart", PartType::CreatedAtYear, None),
            ("CreationDatePart", PartType::CreatedAtDate, None),
            ("FieldPart", PartType::Field, Some("wh_field_name")),
            ("RegistryIdentifierNumberPart", PartType::RegistryIdentifierNumber, None),
            ("ParentRegistryIdPart", PartType::LinkedBioentityRegistryIdentifier, Some("wh_field_name")),
            ("ProjectPart", PartType::Project, None),
            ("ParentLotNumberPart", PartType::ChildEntityLotNumber, Some("wh_field_name")),
            ("ComplexPolymerComponentPart", PartType::ComplexPolymerComponent, None),
        ];
        let Value::Call { func, .. } = &v.value else {
            return Err(self.wrong(v, "parts", "a name-template part such as TextPart(value=...)"));
        };
        let class = func.rsplit('.').next().unwrap_or(func);
        let Some((_, kind, key)) = PARTS.iter().find(|(c, _, _)| *c == class) else {
            let known: Vec<&str> = PARTS.iter().map(|(c, _, _)| *c).collect();
            return Err(self.problem(v.at, format!("`{class}` is not a name-template part ({})", known.join(", "))));
        };
        let allowed: Vec<&str> = key.iter().copied().collect();
        let k = self.kwargs(v, "parts", &[class], &allowed)?;
        let mut part = NamePart { kind: *kind, value: None, field: None };
        if let Some(key) = key {
            let value = k.get(key).ok_or_else(|| self.problem(v.at, format!("{class} needs `{key}`")))?;
            let text = self.string(value, key)?;
            if *key == "value" {
                part.value = Some(text);
            } else {
                part.field = Some(text);
            }
        }
        Ok(part)
    }

    /// `parts` and `order_name_parts_by_sequence` of a `(Base)NameTemplate(...)`, each `None`
    /// when not given.
    pub fn template_keys(&self, v: &Located) -> R<(Option<Vec<NamePart>>, Option<bool>)> {
        let k = self.kwargs(
            v,
            "name template",
            &["BaseNameTemplate", "NameTemplate"],
            &["parts", "order_name_parts_by_sequence"],
        )?;
        let parts = match k.get("parts") {
            None => None,
            Some(Located { value: Value::None, .. }) => Some(vec![]),
            Some(p) => Some(self.items(p, "parts")?.iter().map(|p| self.part(p)).collect::<R<Vec<_>>>()?),
        };
        let order = match k.get("order_name_parts_by_sequence") {
            None | Some(Located { value: Value::None, .. }) => None,
            Some(o) => Some(self.bool(o, "order_name_parts_by_sequence")?),
        };
        Ok((parts, order))
    }

    /// The whole template after Liminal's merge of the given keys into the schema's template in
    /// `before`.
    fn merged_template(&self, v: &Located, schema: &str, before: &TenantState) -> R<NameTemplate> {
        let (parts, order) = self.template_keys(v)?;
        let current = || -> R<NameTemplate> {
            let s = before.schema(schema).ok_or_else(|| {
                self.problem(
                    v.at,
                    format!(
                        "this template update names only some keys, and schema `{schema}` is unknown at this point of the chain, so the rest of its template cannot be filled in"
                    ),
                )
            })?;
            Ok(before.view(s).name_template)
        };
        Ok(match (parts, order) {
            (Some(parts), Some(order)) => NameTemplate { parts, order_name_parts_by_sequence: order },
            (Some(parts), None) => {
                NameTemplate { parts, order_name_parts_by_sequence: current()?.order_name_parts_by_sequence }
            }
            (None, Some(order)) => NameTemplate { parts: current()?.parts, order_name_parts_by_sequence: order },
            (None, None) => current()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// The operation `call` converts to on `state`, in a file that imports `liminal.external as b`.
    fn convert(call: &str, state: &TenantState) -> R<Option<Op>> {
        let file = PyFile::parse(Path::new("r.py"), format!("x = {call}\n"))?;
        let assignment = file.children(file.children(file.root())[0])[0];
        let value = file.value(assignment.child_by_field_name("right").unwrap())?;
        let mut names = ExternalNames::default();
        names.modules.insert("b".into());
        Reader { file: &file, names: &names }.op(&value, state)
    }

    fn op(call: &str) -> Op {
        convert(call, &TenantState::new()).unwrap().unwrap()
    }

    #[test]
    fn every_part_class_and_a_mixture() {
        let call = "b.CreateEntitySchema(b.BaseSchemaProperties(name='M', warehouse_name='m', prefix='M', entity_type=b.BenchlingEntityType.MIXTURE, mixture_schema_config={'allowMeasuredIngredients': True, 'componentLotStorageEnabled': None, 'componentLotTextEnabled': True}), [])";
        let Op::CreateSchema { schema } = op(call) else { panic!() };
        assert_eq!(schema.props.entity_type, EntityType::Mixture);
        let m = schema.props.mixture_schema_config.unwrap();
        assert!(m.allow_measured_ingredients && m.component_lot_text_enabled && !m.component_lot_storage_enabled);
        let call = "b.UpdateEntitySchema('m', b.BaseSchemaProperties(mixture_schema_config=b.MixtureSchemaConfig(allowMeasuredIngredients=False)))";
        let Op::UpdateSchema { patch, .. } = op(call) else { panic!() };
        assert_eq!(patch.mixture_schema_config, Some(Some(MixtureConfig::default())));

        let parts = "[b.SeparatorPart(value='-'), b.TextPart(value='T'), b.CreationYearPart(), b.CreationDatePart(), b.FieldPart(wh_field_name='f'), b.RegistryIdentifierNumberPart(), b.ParentRegistryIdPart(wh_field_name='p'), b.ProjectPart(), b.ParentLotNumberPart(wh_field_name='p'), b.ComplexPolymerComponentPart()]";
        let call = format!(
            "b.UpdateEntitySchemaNameTemplate('s', b.BaseNameTemplate(parts={parts}, order_name_parts_by_sequence=True))"
        );
        let Op::SetNameTemplate { template, .. } = op(&call) else { panic!() };
        let kinds: Vec<&str> = template.parts.iter().map(|p| p.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "SEPARATOR",
                "TEXT",
                "CREATED_AT_YEAR",
                "CREATED_AT_DATE",
                "FIELD",
                "REGISTRY_IDENTIFIER_NUMBER",
                "LINKED_BIOENTITY_REGISTRY_IDENTIFIER",
                "PROJECT",
                "CHILD_ENTITY_LOT_NUMBER",
                "COMPLEX_POLYMER_COMPONENT"
            ]
        );
        assert_eq!(template.parts[4].field.as_deref(), Some("f"));
        assert!(template.order_name_parts_by_sequence);
    }

    #[test]
    fn none_rules_and_renames() {
        let Op::UpdateField { patch, .. } = op(
            "b.UpdateEntitySchemaField('s', 'f', b.BaseFieldProperties(dropdown_link=None, unit_name='gram', decimal_places=None, is_multi=None, parent_link=None, type=b.BenchlingFieldType.DECIMAL))",
        ) else {
            panic!()
        };
        assert_eq!(patch.dropdown, Some(None));
        assert_eq!(patch.unit, Some(Some("gram".into())));
        assert_eq!(patch.decimal_places, Some(None));
        assert_eq!((patch.is_multi, patch.parent_link), (None, None));
        assert_eq!(patch.field_type, Some(FieldType::Decimal));
        assert_eq!(
            convert("b.UpdateEntitySchemaField('s', 'f', b.BaseFieldProperties(is_multi=None))", &TenantState::new())
                .unwrap(),
            None
        );
        let e = convert("b.UpdateEntitySchemaField('s', 'f', b.BaseFieldProperties(name=None))", &TenantState::new())
            .unwrap_err();
        assert!(e.message.contains("name=None"), "{}", e.message);
        let Op::CreateField { field, index, .. } = op(
            "b.CreateEntitySchemaField(field_props=b.BaseFieldProperties(name='A', warehouse_name='a', type=b.BenchlingFieldType.TEXT, required=None, tooltip=None, is_multi=False), wh_schema_name='s', index=3)",
        ) else {
            panic!()
        };
        assert_eq!((*field, index), (FieldDef::new("a", "A", FieldType::Text), 3));
        assert_eq!(
            op("b.ArchiveDropdownOption('D', 'o', index=4)"),
            Op::ArchiveDropdownOption { dropdown: "D".into(), option: "o".into() }
        );
    }

    #[test]
    fn signatures_are_checked() {
        let s = TenantState::new();
        let e = convert("b.ArchiveEntitySchema('a', 'b')", &s).unwrap_err();
        assert!(e.message.contains("the signature is ArchiveEntitySchema(wh_schema_name)"), "{}", e.message);
        let e = convert("b.ArchiveEntitySchema(schema='a')", &s).unwrap_err();
        assert!(e.message.contains("has no argument `schema`"), "{}", e.message);
        let e = convert("b.CreateEntitySchemaField('s', b.BaseFieldProperties(name='A'), 0)", &s).unwrap_err();
        assert!(e.message.contains("needs `type`"), "{}", e.message);
        let e = convert("b.CreateDropdownOption('D', 'o', -1)", &s).unwrap_err();
        assert!(e.message.contains("a position"), "{}", e.message);
        let e = convert("CreateDropdown('D', [])", &s).unwrap_err();
        assert!(e.message.contains("not an operation of liminal.external"), "{}", e.message);
        let e = convert("b.UpdateEntitySchemaField('s', 'f', b.BaseFieldProperties(colour='red'))", &s).unwrap_err();
        assert!(e.message.contains("no argument `colour`"), "{}", e.message);
        let e =
            convert("b.UpdateEntitySchemaField('s', 'f', b.BaseFieldProperties(type=b.Other.TEXT))", &s).unwrap_err();
        assert!(e.message.contains("a member of BenchlingFieldType"), "{}", e.message);
    }

    /// A template update naming only one key gets the other from the state.
    #[test]
    fn template_merges_with_the_state() {
        let mut state = TenantState::new();
        op("b.CreateEntitySchema(b.BaseSchemaProperties(name='S', warehouse_name='s', prefix='S', entity_type=b.BenchlingEntityType.DNA_SEQUENCE), [b.BaseFieldProperties(name='F', warehouse_name='f', type=b.BenchlingFieldType.TEXT)])")
            .apply(&mut state)
            .unwrap();
        convert(
            "b.UpdateEntitySchemaNameTemplate('s', b.BaseNameTemplate(parts=[b.FieldPart(wh_field_name='f')]))",
            &state,
        )
        .unwrap()
        .unwrap()
        .apply(&mut state)
        .unwrap();
        let merged = convert(
            "b.UpdateEntitySchemaNameTemplate('s', b.BaseNameTemplate(order_name_parts_by_sequence=True))",
            &state,
        )
        .unwrap()
        .unwrap();
        let Op::SetNameTemplate { template, .. } = merged else { panic!() };
        assert_eq!(template.parts.len(), 1);
        assert!(template.order_name_parts_by_sequence);
        let e = convert(
            "b.UpdateEntitySchemaNameTemplate('x', b.BaseNameTemplate(order_name_parts_by_sequence=True))",
            &state,
        )
        .unwrap_err();
        assert!(e.message.contains("unknown at this point of the chain"), "{}", e.message);
    }
}
