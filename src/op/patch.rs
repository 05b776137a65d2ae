//! Partial updates: only the keys that are set change. A key set to `Some(None)` clears a value.

use std::collections::BTreeSet;

use crate::schema::{EntityType, FieldDef, FieldType, MixtureConfig, NamingStrategy, SchemaProps};

macro_rules! patch {
    (
        $(#[$meta:meta])*
        $name:ident for $target:ty {
            $( $key:ident : $ty:ty => $yaml:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        pub struct $name {
            $( pub $key: Option<$ty>, )+
        }

        impl $name {
            /// The code model's names of the keys this patch can set (`schema::codec` says which
            /// keys an update may change; a test holds the two together).
            #[cfg(test)]
            const KEYS: &'static [&'static str] = &[$($yaml),+];

            /// The keys that differ from `old` to `new`, holding `new`'s values.
            pub fn between(old: &$target, new: &$target) -> $name {
                $name { $( $key: (old.$key != new.$key).then(|| new.$key.clone()), )+ }
            }

            /// Apply the set keys.
            pub fn apply_to(&self, target: &mut $target) {
                $( if let Some(v) = &self.$key { target.$key = v.clone(); } )+
            }

            /// The patch that restores `old`'s values for the keys this one sets.
            pub fn inverse(&self, old: &$target) -> $name {
                $name { $( $key: self.$key.as_ref().map(|_| old.$key.clone()), )+ }
            }

            pub fn is_empty(&self) -> bool {
                true $( && self.$key.is_none() )+
            }

            /// The YAML names of the keys that are set, in canonical order.
            pub fn keys(&self) -> Vec<&'static str> {
                let mut out = Vec::new();
                $( if self.$key.is_some() { out.push($yaml); } )+
                out
            }
        }
    };
}

patch! {
    /// Changed schema properties (`update_schema`).
    SchemaPatch for SchemaProps {
        name: String => "name",
        warehouse_name: String => "warehouse_name",
        prefix: String => "prefix",
        entity_type: EntityType => "entity_type",
        naming_strategies: BTreeSet<NamingStrategy> => "naming_strategies",
        use_registry_id_as_label: bool => "use_registry_id_as_label",
        include_registry_id_in_chips: bool => "include_registry_id_in_chips",
        constraint_fields: BTreeSet<String> => "constraint_fields",
        show_bases_in_expanded_view: bool => "show_bases_in_expanded_view",
        mixture_schema_config: Option<MixtureConfig> => "mixture_schema_config",
    }
}

patch! {
    /// Changed field properties (`update_field`).
    FieldPatch for FieldDef {
        name: String => "name",
        warehouse_name: String => "warehouse_name",
        field_type: FieldType => "type",
        required: bool => "required",
        is_multi: bool => "is_multi",
        parent_link: bool => "parent_link",
        dropdown: Option<String> => "dropdown",
        entity_link: Option<String> => "entity_link",
        tooltip: Option<String> => "tooltip",
        unit: Option<String> => "unit",
        decimal_places: Option<u8> => "decimal_places",
    }
}

/// `key=value, …` for the keys a patch sets, from its JSON form (strings quoted, `none` for a
/// cleared value).
fn describe_json(v: &serde_json::Value) -> String {
    let Some(map) = v.as_object() else { return String::new() };
    map.iter()
        .map(|(k, v)| match v {
            serde_json::Value::Null => format!("{k}=none"),
            v => format!("{k}={v}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl SchemaPatch {
    pub fn describe(&self) -> String {
        describe_json(&self.to_json())
    }
}

impl FieldPatch {
    pub fn describe(&self) -> String {
        describe_json(&self.to_json())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::codec::Shape;

    /// A patch can set exactly the keys the codec's update sets name.
    #[test]
    fn patches_cover_the_update_sets() {
        let sorted = |mut v: Vec<&'static str>| {
            v.sort_unstable();
            v
        };
        assert_eq!(sorted(SchemaPatch::KEYS.to_vec()), sorted(Shape::SchemaUpdate.names()));
        assert_eq!(sorted(FieldPatch::KEYS.to_vec()), sorted(Shape::FieldUpdate.names()));
    }

    #[test]
    fn between_apply_inverse() {
        let old = FieldDef::new("a", "A", FieldType::Text);
        let mut new = old.clone();
        new.required = true;
        new.tooltip = Some("t".into());
        let p = FieldPatch::between(&old, &new);
        assert_eq!(p.keys(), vec!["required", "tooltip"]);
        let mut x = old.clone();
        p.apply_to(&mut x);
        assert_eq!(x, new);
        p.inverse(&old).apply_to(&mut x);
        assert_eq!(x, old);
        assert!(FieldPatch::between(&old, &old).is_empty());
    }
}
