//! Partial updates of the code model (`update_schema`, `update_field`): only the keys that are
//! set change, and a key set to `Some(None)` clears a value. Each patch names its keys once, in
//! the macro below: the struct, its JSON form (read through the codec's reader, so the same
//! mistakes get the same messages as in a create) and the list of keys come from that one list,
//! and a test holds it to the codec's update sets.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::Shape;
use super::flags::Flags;
use super::json::{
    Reader, ValueError, in_codec_order, mixture_from_json, mixture_to_json, naming_from_json, naming_to_json, opt_json,
    set_to_json,
};
use crate::schema::{EntityType, FieldDef, FieldType, MixtureConfig, NamingStrategy, SchemaProps};

/// A value a patch can set: how it is written, and how a revision's map gives it (`None` when the
/// key is not named).
trait PatchValue: Sized {
    fn to_json(&self) -> Value;
    fn read(r: &Reader<'_>, key: &str) -> Result<Option<Self>, ValueError>;
    /// Left out of a create's map: `false`, nothing, an empty list of names.
    fn is_default(&self) -> bool {
        false
    }
}

impl PatchValue for String {
    fn to_json(&self) -> Value {
        json!(self)
    }
    /// `null` is "not named": a name cannot be cleared.
    fn read(r: &Reader<'_>, key: &str) -> Result<Option<String>, ValueError> {
        r.opt_str(key)
    }
}

impl PatchValue for bool {
    fn to_json(&self) -> Value {
        json!(self)
    }
    fn read(r: &Reader<'_>, key: &str) -> Result<Option<bool>, ValueError> {
        r.bool(key)
    }
    fn is_default(&self) -> bool {
        !self
    }
}

impl PatchValue for EntityType {
    fn to_json(&self) -> Value {
        json!(self.as_str())
    }
    fn read(r: &Reader<'_>, key: &str) -> Result<Option<EntityType>, ValueError> {
        r.enum_value(key)
    }
}

impl PatchValue for FieldType {
    fn to_json(&self) -> Value {
        json!(self.as_str())
    }
    fn read(r: &Reader<'_>, key: &str) -> Result<Option<FieldType>, ValueError> {
        r.enum_value(key)
    }
}

impl PatchValue for BTreeSet<NamingStrategy> {
    fn to_json(&self) -> Value {
        naming_to_json(self)
    }
    fn read(r: &Reader<'_>, key: &str) -> Result<Option<Self>, ValueError> {
        r.raw(key).map(naming_from_json).transpose()
    }
}

impl PatchValue for BTreeSet<String> {
    fn to_json(&self) -> Value {
        set_to_json(self)
    }
    fn read(r: &Reader<'_>, key: &str) -> Result<Option<Self>, ValueError> {
        Ok(r.strings(key)?.map(|v| v.into_iter().collect()))
    }
    fn is_default(&self) -> bool {
        self.is_empty()
    }
}

impl PatchValue for Option<MixtureConfig> {
    fn to_json(&self) -> Value {
        self.as_ref().map_or(Value::Null, mixture_to_json)
    }
    /// `null` removes the settings.
    fn read(r: &Reader<'_>, key: &str) -> Result<Option<Self>, ValueError> {
        r.raw(key).map(mixture_from_json).transpose()
    }
    fn is_default(&self) -> bool {
        self.is_none()
    }
}

/// Values that `null` clears.
impl PatchValue for Option<String> {
    fn to_json(&self) -> Value {
        opt_json(self.clone())
    }
    fn read(r: &Reader<'_>, key: &str) -> Result<Option<Self>, ValueError> {
        if r.has(key) { Ok(Some(r.opt_str(key)?)) } else { Ok(None) }
    }
    fn is_default(&self) -> bool {
        self.is_none()
    }
}

impl PatchValue for Option<u8> {
    fn to_json(&self) -> Value {
        opt_json(*self)
    }
    fn read(r: &Reader<'_>, key: &str) -> Result<Option<Self>, ValueError> {
        if r.has(key) { Ok(Some(r.opt_u8(key)?)) } else { Ok(None) }
    }
    fn is_default(&self) -> bool {
        self.is_none()
    }
}

macro_rules! patch {
    (
        $(#[$meta:meta])*
        $name:ident for $target:ty, read as $shape:expr, empty $empty:literal help $help:literal {
            $( $key:ident : $ty:ty => $yaml:literal ),+ $(,)?
        }
        $( and the flags in $flags:ident )?
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        pub struct $name {
            $( pub $key: Option<$ty>, )+
            $( pub $flags: Flags<Option<bool>>, )?
        }

        impl $name {
            /// The code model's names of the keys this patch can set, the list's then the flags
            /// (`schema::codec` says which keys an update may change; a test holds the two
            /// together).
            pub(crate) fn all_keys() -> Vec<&'static str> {
                let keys = vec![$($yaml),+];
                // (`stringify!` only names `$flags`, so that this line repeats with the group.)
                $( let keys = { let _ = stringify!($flags); [keys, Flags::<bool>::NAMES.to_vec()].concat() }; )?
                keys
            }

            /// The keys that differ from `old` to `new`, holding `new`'s values.
            pub fn between(old: &$target, new: &$target) -> $name {
                $name {
                    $( $key: (old.$key != new.$key).then(|| new.$key.clone()), )+
                    $( $flags: old.$flags.zip(&new.$flags, |_, o, n| (o != n).then_some(*n)), )?
                }
            }

            /// Apply the set keys.
            pub fn apply_to(&self, target: &mut $target) {
                $( if let Some(v) = &self.$key { target.$key = v.clone(); } )+
                $( self.$flags.apply_to(&mut target.$flags); )?
            }

            /// The patch that restores `old`'s values for the keys this one sets.
            pub fn inverse(&self, old: &$target) -> $name {
                $name {
                    $( $key: self.$key.as_ref().map(|_| old.$key.clone()), )+
                    $( $flags: self.$flags.zip(&old.$flags, |_, set, o| set.map(|_| *o)), )?
                }
            }

            pub fn is_empty(&self) -> bool {
                true $( && self.$key.is_none() )+ $( && self.$flags.none_set() )?
            }

            /// The YAML names of the keys that are set, in canonical order.
            pub fn keys(&self) -> Vec<&'static str> {
                let names = $name::all_keys();
                match self.to_json() {
                    Value::Object(m) => m.keys().filter_map(|k| names.iter().find(|n| *n == k).copied()).collect(),
                    _ => Vec::new(),
                }
            }

            /// The keys a map names, none required (a create reads its own keys with this too,
            /// after the required ones).
            pub(crate) fn read(r: &Reader<'_>) -> Result<$name, ValueError> {
                Ok($name {
                    $( $key: PatchValue::read(r, $yaml)?, )+
                    $( $flags: Flags::try_from_fn(|k| r.bool(k))?, )?
                })
            }

            /// `target`'s keys that differ from their defaults (a create's map leaves those out),
            /// in canonical order (the list's; the flags in their places in the key table).
            pub(crate) fn written(target: &$target) -> Map<String, Value> {
                let mut m = Map::new();
                $(
                    if !PatchValue::is_default(&target.$key) {
                        m.insert($yaml.into(), PatchValue::to_json(&target.$key));
                    }
                )+
                $(
                    for (k, v) in target.$flags.iter().filter(|(_, v)| **v) { m.insert(k.into(), json!(v)); }
                    m = in_codec_order($shape, m);
                )?
                m
            }

            /// The set keys as a JSON map (Rhai's `#{ ... }`, `--format json`) in canonical
            /// order, as [`Self::written`]; `null` clears.
            pub fn to_json(&self) -> Value {
                let mut m = Map::new();
                $( if let Some(v) = &self.$key { m.insert($yaml.into(), PatchValue::to_json(v)); } )+
                $(
                    for (k, v) in self.$flags.iter() { if let Some(v) = v { m.insert(k.into(), json!(v)); } }
                    m = in_codec_order($shape, m);
                )?
                Value::Object(m)
            }

            /// The changes a revision names; unknown keys, wrong types and an empty map are errors.
            pub fn from_json(v: &Value) -> Result<$name, ValueError> {
                let p = $name::read(&Reader::new($shape, v)?)?;
                if p.is_empty() {
                    return Err(ValueError { key: None, message: $empty.into(), help: $help.into() });
                }
                Ok(p)
            }
        }
    };
}

patch! {
    /// Changed schema properties (`update_schema`).
    SchemaPatch for SchemaProps, read as Shape::SchemaUpdate,
    empty "update_schema changes nothing" help "name at least one key to change, e.g. #{ name: \"New name\" }" {
        name: String => "name",
        warehouse_name: String => "warehouse_name",
        prefix: String => "prefix",
        entity_type: EntityType => "entity_type",
        naming_strategies: BTreeSet<NamingStrategy> => "naming_strategies",
        constraint_fields: BTreeSet<String> => "constraint_fields",
        mixture_schema_config: Option<MixtureConfig> => "mixture_schema_config",
    }
    and the flags in flags
}

patch! {
    /// Changed field properties (`update_field`).
    FieldPatch for FieldDef, read as Shape::FieldUpdate,
    empty "update_field changes nothing" help "name at least one key to change, e.g. #{ required: true }" {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A patch can set exactly the keys the codec's update sets name.
    #[test]
    fn patches_cover_the_update_sets() {
        let sorted = |mut v: Vec<&'static str>| {
            v.sort_unstable();
            v
        };
        assert_eq!(sorted(SchemaPatch::all_keys()), sorted(Shape::SchemaUpdate.names()));
        assert_eq!(sorted(FieldPatch::all_keys()), sorted(Shape::FieldUpdate.names()));
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

    #[test]
    fn patch_round_trips_with_nulls() {
        let p = FieldPatch { tooltip: Some(None), required: Some(true), ..Default::default() };
        assert_eq!(FieldPatch::from_json(&p.to_json()), Ok(p));
        let s = SchemaPatch { mixture_schema_config: Some(None), name: Some("x".into()), ..Default::default() };
        assert_eq!(SchemaPatch::from_json(&s.to_json()), Ok(s));
    }
}
