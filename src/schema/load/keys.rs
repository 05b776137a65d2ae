//! The unknown-key pass: every key a mapping of a schema file does not have, at its place, with
//! a "did you mean" when it is a near miss of a known one.

use serde::Deserialize;
use serde_saphyr::Location;

use super::S;
use super::messages::FileCtx;
use crate::schema::codec::Shape;

/// A YAML node as far as the unknown-key check needs it: mapping keys with their places.
pub(super) enum Node {
    Map(Vec<(String, Location, Node)>),
    Seq(Vec<Node>),
    Scalar,
}

/// A mapping key of any scalar type, as text.
struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Key;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a mapping key")
            }
            fn visit_str<E>(self, v: &str) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_unit<E>(self) -> Result<Key, E> {
                Ok(Key("~".into()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Key, A::Error> {
                while a.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Key("[...]".into()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Key, A::Error> {
                while a.next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?.is_some() {}
                Ok(Key("{...}".into()))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_bool<E>(self, _: bool) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_str<E>(self, _: &str) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_none<E>(self) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
                Node::deserialize(d)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(n) = a.next_element()? {
                    items.push(n);
                }
                Ok(Node::Seq(items))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut entries = Vec::new();
                while let Some(k) = a.next_key::<S<Key>>()? {
                    entries.push((k.value.0, k.referenced, a.next_value()?));
                }
                Ok(Node::Map(entries))
            }
        }
        d.deserialize_any(V)
    }
}

/// Report every key of `node` (a mapping of `shape`) that `shape` does not have, at the key,
/// and look into the values that are mappings themselves.
pub(super) fn unknown_keys(ctx: &mut FileCtx<'_>, node: &Node, shape: Shape) {
    let Node::Map(entries) = node else { return };
    let spellings = shape.spellings();
    for (key, at, value) in entries {
        if !spellings.contains(&key.as_str()) {
            let hint = crate::diag::did_you_mean(key, spellings.iter().copied());
            if let Some(meant) = crate::diag::closest(key, spellings.iter().copied()) {
                ctx.near_misses.push((*at, meant));
            }
            ctx.at(*at, shape.unknown_key(key), &format!("{hint}{}", keys_help(shape)));
            continue;
        }
        match (shape.child(key), value) {
            (Some((child, true)), Node::Seq(items)) => items.iter().for_each(|n| unknown_keys(ctx, n, child)),
            (Some((child, false)), n) => unknown_keys(ctx, n, child),
            _ => {}
        }
    }
}

/// A typo in a required key (`warehouse_nam`) was two problems: the unknown key, and the
/// missing one. The unknown key's "did you mean" says both, so the "missing" problem of the
/// mapping it stands in (the nearest one before it) goes.
pub(super) fn drop_missing_for_near_misses(ctx: &mut FileCtx<'_>) {
    for (at, meant) in std::mem::take(&mut ctx.near_misses) {
        let here = (at.line() as usize, at.column() as usize);
        let missing = format!("missing `{meant}`");
        let nearest = ctx
            .problems
            .iter()
            .enumerate()
            .filter(|(_, p)| p.message == missing && (p.line, p.column) <= here)
            .max_by_key(|(_, p)| (p.line, p.column))
            .map(|(i, _)| i);
        if let Some(i) = nearest {
            ctx.problems.remove(i);
        }
    }
}

/// The keys a mapping may have, as a help line.
fn keys_help(shape: Shape) -> String {
    format!("{} may have: {}", shape.what(), shape.names().join(", "))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::schema::load_str;

    #[test]
    fn unknown_key_is_located() {
        let text = "kind: dropdown\nname: A\noptions: [x]\ncolour: red\n";
        let err = load_str(Path::new("d.yaml"), text).unwrap_err();
        assert_eq!(err.0.len(), 1);
        assert_eq!(err.0[0].line, 4, "{:?}", err.0[0]);
        assert!(err.0[0].message.contains("colour"), "{}", err.0[0].message);
    }

    /// Unknown keys used to stop the whole file at the first one (serde's deny_unknown_fields):
    /// the other items' problems, and the other unknown keys, went unreported.
    #[test]
    fn every_unknown_key_is_reported_at_its_place_with_the_other_problems() {
        let text = r#"kind: dropdown
name: A
options: [x]
colour: red
---
kind: entity_schema
name: B
warehouse_name: B
prefix: B
entity_type: mixture
mixture_schema_config: {allow_measured_ingredients: false, lots: true}
name_template: {parts: [{type: TEXT, value: b, extra: 1}], sort: true}
fields:
  - {warehouse_name: x, name: X, type: text, colour: red}
  - warehouse_name: y
    name: Y
    type: text
    unit: gram
---
name: C
"#;
        let err = load_str(Path::new("d.yaml"), text).unwrap_err();
        let got: Vec<_> = err.0.iter().map(|p| (p.line, p.column, p.message.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (4, 1, "unknown key `colour` in an item"),
                (8, 17, "warehouse name `B` is not valid"),
                (11, 60, "unknown key `lots` in mixture_schema_config"),
                (12, 48, "unknown key `extra` in a name template part"),
                (12, 60, "unknown key `sort` in a name template"),
                (14, 46, "unknown key `colour` in a field"),
                (18, 11, "field `y` has a unit but type `text`"),
                (20, 1, "missing `kind`"),
            ],
            "{err:?}"
        );
    }
}
