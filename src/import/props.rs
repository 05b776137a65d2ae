//! Liminal's property classes as the project's types: `BaseFieldProperties` /
//! `BaseSchemaProperties` of a create (`None` is "not set") or of an update (`None` clears, but
//! for `is_multi`/`parent_link`, where it means "does not apply"), `mixture_schema_config`,
//! name templates and their part classes. Models (`SchemaProperties`, `NameTemplate`) share them.

use std::collections::BTreeSet;

use super::python::{Located, Value};
use super::reader::{Kwargs, R, Reader};
use crate::op::{FieldPatch, SchemaPatch};
use crate::schema::codec;
use crate::schema::{
    EntityType, FieldDef, FieldType, Flags, MixtureConfig, NamePart, NameTemplate, NamingStrategy, PartType,
    SchemaProps,
};
use crate::state::TenantState;

/// Liminal's property names (`BaseFieldProperties`, `BaseSchemaProperties`), from the codec.
fn field_props() -> Vec<&'static str> {
    codec::liminal_names(codec::LIMINAL_FIELD_PROPS)
}

pub(crate) fn schema_props() -> Vec<&'static str> {
    codec::liminal_names(codec::LIMINAL_SCHEMA_PROPS)
}

impl Reader<'_> {
    pub(crate) fn field_kwargs<'v>(&self, v: &'v Located) -> R<Kwargs<'v>> {
        self.kwargs(v, "field_props", &["BaseFieldProperties"], &field_props())
    }

    /// `BaseFieldProperties(...)` of a create: `None` is "not set".
    pub(crate) fn create_field(&self, v: &Located) -> R<FieldDef> {
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
    pub(crate) fn field_patch(&self, v: &Located) -> R<FieldPatch> {
        let k = self.field_kwargs(v)?;
        let mut p = FieldPatch::default();
        for (key, value) in &k.items {
            let none = value.value == Value::None;
            let cannot_clear = || self.problem(value.at, format!("`{key}=None` would clear a value Benchling needs"));
            // Liminal's names, read as the code model's keys (`dropdown_link` is `dropdown`).
            match codec::from_liminal(codec::LIMINAL_FIELD_PROPS, key).unwrap_or_default() {
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
                "dropdown" => p.dropdown = Some(self.opt_string(value, key)?),
                "entity_link" => p.entity_link = Some(self.opt_string(value, key)?),
                "tooltip" => p.tooltip = Some(self.opt_string(value, key)?),
                "unit" => p.unit = Some(self.opt_string(value, key)?),
                "decimal_places" => p.decimal_places = Some(self.decimal_places(value)?),
                _ => {}
            }
        }
        Ok(p)
    }

    pub(crate) fn schema_kwargs<'v>(&self, v: &'v Located) -> R<Kwargs<'v>> {
        self.kwargs(v, "schema properties", &["BaseSchemaProperties", "SchemaProperties"], &schema_props())
    }

    pub(crate) fn naming(&self, v: &Located) -> R<BTreeSet<NamingStrategy>> {
        self.items(v, "naming_strategies")?
            .iter()
            .map(|n| self.member(n, "naming_strategies", "BenchlingNamingStrategy"))
            .collect()
    }

    pub(crate) fn constraints(&self, v: &Located) -> R<BTreeSet<String>> {
        Ok(self.strings(v, "constraint_fields")?.into_iter().collect())
    }

    /// `mixture_schema_config`: a dict (as Liminal prints it) or `MixtureSchemaConfig(...)`.
    pub(crate) fn mixture(&self, v: &Located) -> R<Option<MixtureConfig>> {
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
    pub(crate) fn create_schema_props(&self, v: &Located) -> R<SchemaProps> {
        let k = self.schema_kwargs(v)?;
        self.schema_props(&k)
    }

    pub(crate) fn schema_props(&self, k: &Kwargs<'_>) -> R<SchemaProps> {
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
        // Each flag by Liminal's name for it; one Liminal does not have is off.
        p.flags = Flags::try_from_fn(|key| match codec::to_liminal(codec::LIMINAL_SCHEMA_PROPS, key) {
            Some(name) => set(name).map_or(Ok(false), |v| self.bool(v, name)),
            None => Ok(false),
        })?;
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
    pub(crate) fn schema_patch(&self, v: &Located) -> R<SchemaPatch> {
        let k = self.schema_kwargs(v)?;
        let mut p = SchemaPatch::default();
        for (key, value) in &k.items {
            let none = value.value == Value::None;
            if none && matches!(*key, "name" | "warehouse_name" | "prefix" | "entity_type" | "naming_strategies") {
                return Err(self.problem(value.at, format!("`{key}=None` would clear a value Benchling needs")));
            }
            let flag = || if none { Ok(false) } else { self.bool(value, key) };
            match codec::from_liminal(codec::LIMINAL_SCHEMA_PROPS, key).unwrap_or_default() {
                "name" => p.name = Some(self.string(value, key)?),
                "warehouse_name" => p.warehouse_name = Some(self.string(value, key)?),
                "prefix" => p.prefix = Some(self.string(value, key)?),
                "entity_type" => p.entity_type = Some(self.member(value, key, "BenchlingEntityType")?),
                "naming_strategies" => p.naming_strategies = Some(self.naming(value)?),
                "constraint_fields" => {
                    p.constraint_fields = Some(if none { BTreeSet::new() } else { self.constraints(value)? })
                }
                "mixture_schema_config" => p.mixture_schema_config = Some(self.mixture(value)?),
                other => {
                    if let Some(slot) = p.flags.get_mut(other) {
                        *slot = Some(flag()?);
                    }
                }
            }
        }
        Ok(p)
    }

    /// A name-template part (`b.TextPart(value='X')`, `b.FieldPart(wh_field_name='f')`, ...).
    pub(crate) fn part(&self, v: &Located) -> R<NamePart> {
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
    /// when not given; given as `None` they are `[]` and `false`, as Liminal's merge reads them
    /// (`parts or []`, `order_name_parts_by_sequence or False`).
    pub(crate) fn template_keys(&self, v: &Located) -> R<(Option<Vec<NamePart>>, Option<bool>)> {
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
            None => None,
            Some(Located { value: Value::None, .. }) => Some(false),
            Some(o) => Some(self.bool(o, "order_name_parts_by_sequence")?),
        };
        Ok((parts, order))
    }

    /// The whole template after Liminal's merge of the given keys into the schema's template in
    /// `before`.
    pub(crate) fn merged_template(&self, v: &Located, schema: &str, before: &TenantState) -> R<NameTemplate> {
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
