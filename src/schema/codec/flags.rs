//! A schema's flags: its on/off properties (`use_registry_id_as_label`, ...), declared once, in
//! the list at the bottom. Every layer holds them as a [`Flags<T>`], one `T` per flag (`bool` in
//! the code model and the stored state, `Option<bool>` in a patch, a place in the YAML loader,
//! a wire name in `wire`, a scope in the rules), and reads or writes them by iterating. A new
//! flag is:
//! - a line in the list below (`schema_flags!`), with a doc comment (it is the schema file's documentation, shown
//!   by editors through the JSON Schema; the macro takes no flag without one);
//! - its key in the codec's table (`super::SCHEMA_PROPS`: its place there is its place in schema
//!   files and revisions; a test holds the table to this list), and Liminal's name for it in
//!   `super::LIMINAL_SCHEMA_PROPS` if Liminal has it;
//! - its scope in `schema::rules::FLAG_SCOPES` and its Benchling name in
//!   `wire::names::FLAG_NAMES`: struct literals, so the build fails until they are given.

use serde::{Deserialize, Serialize};

/// The list of flags, handed as tokens to the macro `$then`: [`Flags`] is made from it here, and
/// the loader's `RawItem` (`schema::load::raw`) takes a field for each, so that one serde pass
/// reads them with their places.
macro_rules! schema_flags {
    ($then:ident) => {
        // In the order Benchling's bodies hold them (what Liminal sends, which tests compare
        // byte for byte); the state file, the emulator's answers and the readers go in this
        // order too. Schema files, revisions and JSON output write them in the key table's
        // order (`super::SCHEMA_PROPS`).
        $then! {
            /// Show the registry id in chips (default false)
            include_registry_id_in_chips,
            /// Show the registry id as the entity's label (default false)
            use_registry_id_as_label,
            /// Sequence schemas only (default false)
            show_bases_in_expanded_view,
        }
    };
}
pub(crate) use schema_flags;

macro_rules! flags {
    ($( $(#[doc = $doc:literal])+ $name:ident ),+ $(,)?) => {
        /// One value per schema flag.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, Serialize, Deserialize)]
        #[serde(bound(deserialize = "T: Deserialize<'de> + Default"))]
        pub struct Flags<T> {
            $( $(#[doc = $doc])+ #[serde(default)] pub $name: T, )+
        }

        impl<T> Flags<T> {
            /// The flags' keys, in the list's order.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($name)),+];

            /// Each flag's key and value, in the list's order.
            pub fn iter(&self) -> impl Iterator<Item = (&'static str, &T)> {
                [$((stringify!($name), &self.$name)),+].into_iter()
            }

            /// The value of the flag `name`, if it is one.
            pub fn get(&self, name: &str) -> Option<&T> {
                match name {
                    $(stringify!($name) => Some(&self.$name),)+
                    _ => None,
                }
            }

            /// The flag `name`, to change it, if it is one.
            pub fn get_mut(&mut self, name: &str) -> Option<&mut T> {
                match name {
                    $(stringify!($name) => Some(&mut self.$name),)+
                    _ => None,
                }
            }

            /// Build each flag from its key.
            pub fn from_fn(mut f: impl FnMut(&'static str) -> T) -> Flags<T> {
                Flags { $($name: f(stringify!($name)),)+ }
            }

            /// Build each flag from its key; the first error stops.
            pub fn try_from_fn<E>(mut f: impl FnMut(&'static str) -> Result<T, E>) -> Result<Flags<T>, E> {
                Ok(Flags { $($name: f(stringify!($name))?,)+ })
            }

            /// Each flag's value, transformed.
            pub fn map<U>(&self, mut f: impl FnMut(&'static str, &T) -> U) -> Flags<U> {
                Flags { $($name: f(stringify!($name), &self.$name),)+ }
            }

            /// Each flag's value, transformed; the first error stops.
            pub fn try_map<U, E>(&self, mut f: impl FnMut(&'static str, &T) -> Result<U, E>) -> Result<Flags<U>, E> {
                Ok(Flags { $($name: f(stringify!($name), &self.$name)?,)+ })
            }

            /// Two sets of flags, flag by flag.
            pub fn zip<U, V>(&self, other: &Flags<U>, mut f: impl FnMut(&'static str, &T, &U) -> V) -> Flags<V> {
                Flags { $($name: f(stringify!($name), &self.$name, &other.$name),)+ }
            }
        }
    };
}

schema_flags!(flags);

/// The code model's and the stored state's flags.
pub type SchemaFlags = Flags<bool>;

impl<T> Flags<Option<T>> {
    /// No flag is set.
    pub fn none_set(&self) -> bool {
        self.iter().all(|(_, v)| v.is_none())
    }
}

impl<T: Clone> Flags<Option<T>> {
    /// The set flags applied to `target`.
    pub fn apply_to(&self, target: &mut Flags<T>) {
        *target = target.zip(self, |_, old, new| new.clone().unwrap_or_else(|| old.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_values_agree() {
        let f = SchemaFlags { include_registry_id_in_chips: true, ..Default::default() };
        let names: Vec<_> = f.iter().map(|(k, _)| k).collect();
        assert_eq!(names, SchemaFlags::NAMES);
        assert_eq!(f.get("include_registry_id_in_chips"), Some(&true));
        assert_eq!(f.get("use_registry_id_as_label"), Some(&false));
        assert_eq!(f.get("archived"), None);
        assert_eq!(Flags::from_fn(|k| f.get(k).copied().unwrap_or_default()), f);
    }

    #[test]
    fn a_patch_sets_only_its_flags() {
        let mut f = SchemaFlags { use_registry_id_as_label: true, ..Default::default() };
        let p = Flags { show_bases_in_expanded_view: Some(true), ..Default::default() };
        assert!(!p.none_set());
        p.apply_to(&mut f);
        assert!(f.use_registry_id_as_label && f.show_bases_in_expanded_view && !f.include_registry_id_in_chips);
        assert!(Flags::<Option<bool>>::default().none_set());
    }

    /// Missing flags read as `false` (state files written before a flag existed).
    #[test]
    fn missing_flags_read_as_false() {
        let f: SchemaFlags = serde_json::from_str(r#"{"include_registry_id_in_chips": true}"#).unwrap();
        assert_eq!(f, SchemaFlags { include_registry_id_in_chips: true, ..Default::default() });
    }
}
