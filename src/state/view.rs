//! The stored state in the code model's vocabulary, and back: [`TenantState::view`] names links
//! by warehouse name (the code model's), [`Schema::set_props`] stores a schema's properties. The
//! one place where a new schema property is mapped between the two.

use super::{Field, Schema, TenantState};
use crate::schema::{
    EntityType, FieldDef, FieldType, NamePart, NameTemplate, SEQUENCE_CONSTRAINTS, SchemaDef, SchemaProps,
};

impl TenantState {
    /// A stored schema in the code model's vocabulary. Links that point at nothing known keep
    /// their id, so a diff shows them rather than hiding them.
    pub fn view(&self, s: &Schema) -> SchemaDef {
        let field_wh = |id: &str| {
            s.fields.iter().find(|f| f.id == id).map(|f| f.warehouse_name.clone()).unwrap_or_else(|| id.to_string())
        };
        let mut props = SchemaProps::new(&s.name, &s.warehouse_name, &s.prefix, s.entity_type);
        // Entry schemas have no registration naming: Benchling reports none, and code cannot set
        // any (the key is rejected), so it reads as the default, as Liminal's conversion drops the
        // unsupported property and falls back to `SchemaProperties`' default. Otherwise an entry
        // schema would differ from its own code forever.
        if s.entity_type != EntityType::Entry {
            props.naming_strategies = s.naming_strategies.clone();
        }
        props.flags = s.flags;
        props.constraint_fields = s
            .constraint
            .iter()
            .map(|c| if SEQUENCE_CONSTRAINTS.contains(&c.as_str()) { c.clone() } else { field_wh(c) })
            .collect();
        props.mixture_schema_config = s.mixture_schema_config;
        let name_template = NameTemplate {
            parts: s
                .name_template
                .iter()
                .map(|p| NamePart { kind: p.kind, value: p.text.clone(), field: p.field_id.as_deref().map(field_wh) })
                .collect(),
            order_name_parts_by_sequence: s.order_name_parts_by_sequence,
        };
        SchemaDef {
            props,
            name_template,
            archived: s.archived,
            fields: s.fields.iter().map(|f| self.field_view(f)).collect(),
        }
    }

    /// A stored field in the code model's vocabulary.
    pub fn field_view(&self, f: &Field) -> FieldDef {
        let (dropdown, entity_link) = match (&f.link, f.field_type) {
            (Some(id), FieldType::Dropdown) => {
                (Some(self.dropdown_by_id(id).map(|d| d.name.clone()).unwrap_or_else(|| id.clone())), None)
            }
            (Some(id), _) => {
                (None, Some(self.schema_by_id(id).map(|s| s.warehouse_name.clone()).unwrap_or_else(|| id.clone())))
            }
            (None, _) => (None, None),
        };
        FieldDef {
            warehouse_name: f.warehouse_name.clone(),
            name: f.name.clone(),
            field_type: f.field_type,
            required: f.required,
            is_multi: f.is_multi,
            parent_link: f.parent_link,
            dropdown,
            entity_link,
            tooltip: f.tooltip.clone(),
            unit: f.unit.as_ref().map(|id| self.unit_by_id(id).map(|u| u.name.clone()).unwrap_or_else(|| id.clone())),
            decimal_places: f.decimal_places,
            archived: f.archived,
        }
    }
}

impl Schema {
    /// Store the code model's schema properties: the inverse of [`TenantState::view`] for them.
    /// The entity type is fixed when the schema is created, and the constraint (field ids) is the
    /// caller's to resolve.
    pub(crate) fn set_props(&mut self, p: &SchemaProps) {
        self.name.clone_from(&p.name);
        self.warehouse_name.clone_from(&p.warehouse_name);
        self.prefix.clone_from(&p.prefix);
        self.naming_strategies.clone_from(&p.naming_strategies);
        self.flags = p.flags;
        self.mixture_schema_config = p.mixture_schema_config;
    }
}
