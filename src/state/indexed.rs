//! A list of schemas or dropdowns with an index by id and by name, so that looking one up does
//! not scan the tenant (a diff, a replay or a simulation looks things up for every operation).
//!
//! The list is what is stored and serialized (a plain JSON array, as before); the index is
//! derived, built on the first lookup and kept only while it is known to be right: `push`
//! keeps it, [`Indexed::at_mut`] keeps it unless the item's id or name changed, and any other
//! mutable access (`iter_mut`, `[i] = …`, `retain`, through `DerefMut`) drops it, to be rebuilt
//! by the next lookup. Like a scan, a lookup finds the first item of that id or name.

use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::sync::OnceLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What an item is looked up by.
pub trait Keyed {
    fn id(&self) -> &str;
    /// The name it is looked up by (a schema's warehouse name, a dropdown's name).
    fn key(&self) -> &str;
}

#[derive(Debug, Default)]
struct Index {
    by_id: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
}

impl Index {
    fn add<T: Keyed>(&mut self, i: usize, item: &T) {
        self.by_id.entry(item.id().to_string()).or_insert(i);
        self.by_name.entry(item.key().to_string()).or_insert(i);
    }
}

/// See the module docs.
pub struct Indexed<T> {
    items: Vec<T>,
    index: OnceLock<Index>,
}

impl<T: Keyed> Indexed<T> {
    fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let mut index = Index::default();
            for (i, item) in self.items.iter().enumerate() {
                index.add(i, item);
            }
            index
        })
    }

    /// The position of the first item with this id.
    pub fn position_by_id(&self, id: &str) -> Option<usize> {
        self.index().by_id.get(id).copied()
    }

    /// The position of the first item with this name.
    pub fn position_by_name(&self, name: &str) -> Option<usize> {
        self.index().by_name.get(name).copied()
    }

    /// Append an item, keeping the index.
    pub fn push(&mut self, item: T) {
        let i = self.items.len();
        if let Some(index) = self.index.get_mut() {
            index.add(i, &item);
        }
        self.items.push(item);
    }

    /// Item `i` to change in place: the index is kept unless its id or name changes.
    pub fn at_mut(&mut self, i: usize) -> ItemMut<'_, T> {
        let keys = (self.items[i].id().to_string(), self.items[i].key().to_string());
        ItemMut { list: self, i, keys }
    }

    /// Shorten to `len` items, keeping the index.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.items.len() {
            return;
        }
        if let Some(index) = self.index.get_mut() {
            index.by_id.retain(|_, i| *i < len);
            index.by_name.retain(|_, i| *i < len);
        }
        self.items.truncate(len);
    }
}

/// A changed item; see [`Indexed::at_mut`].
pub struct ItemMut<'a, T: Keyed> {
    list: &'a mut Indexed<T>,
    i: usize,
    keys: (String, String),
}

impl<T: Keyed> Deref for ItemMut<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.list.items[self.i]
    }
}

impl<T: Keyed> DerefMut for ItemMut<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.list.items[self.i]
    }
}

impl<T: Keyed> Drop for ItemMut<'_, T> {
    fn drop(&mut self) {
        let item = &self.list.items[self.i];
        if item.id() != self.keys.0 || item.key() != self.keys.1 {
            self.list.index.take();
        }
    }
}

impl<T> Deref for Indexed<T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.items
    }
}

/// Any change made through the plain list may rename or move items: the index is dropped.
impl<T> DerefMut for Indexed<T> {
    fn deref_mut(&mut self) -> &mut Vec<T> {
        self.index.take();
        &mut self.items
    }
}

impl<T> Default for Indexed<T> {
    fn default() -> Self {
        Indexed { items: Vec::new(), index: OnceLock::new() }
    }
}

impl<T: Clone> Clone for Indexed<T> {
    fn clone(&self) -> Self {
        Indexed { items: self.items.clone(), index: OnceLock::new() }
    }
}

impl<T: PartialEq> PartialEq for Indexed<T> {
    fn eq(&self, other: &Self) -> bool {
        self.items == other.items
    }
}

impl<T: Eq> Eq for Indexed<T> {}

impl<T: std::fmt::Debug> std::fmt::Debug for Indexed<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.items.fmt(f)
    }
}

impl<T> From<Vec<T>> for Indexed<T> {
    fn from(items: Vec<T>) -> Self {
        Indexed { items, index: OnceLock::new() }
    }
}

impl<T> FromIterator<T> for Indexed<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Indexed::from(iter.into_iter().collect::<Vec<T>>())
    }
}

impl<'a, T> IntoIterator for &'a Indexed<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<'a, T> IntoIterator for &'a mut Indexed<T> {
    type Item = &'a mut T;
    type IntoIter = std::slice::IterMut<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.index.take();
        self.items.iter_mut()
    }
}

impl<T> IntoIterator for Indexed<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<T: Serialize> Serialize for Indexed<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.items.serialize(s)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Indexed<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<T>::deserialize(d).map(Indexed::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct Item(String, String);

    impl Keyed for Item {
        fn id(&self) -> &str {
            &self.0
        }
        fn key(&self) -> &str {
            &self.1
        }
    }

    #[test]
    fn the_index_follows_every_kind_of_change() {
        let mut l: Indexed<Item> = vec![Item("1".into(), "a".into()), Item("2".into(), "b".into())].into();
        assert_eq!(l.position_by_name("b"), Some(1));
        l.push(Item("3".into(), "c".into()));
        assert_eq!((l.position_by_id("3"), l.position_by_name("c")), (Some(2), Some(2)));
        l.at_mut(0).1 = "z".into();
        assert_eq!((l.position_by_name("a"), l.position_by_name("z")), (None, Some(0)));
        l[1].1 = "y".into();
        assert_eq!((l.position_by_name("b"), l.position_by_name("y")), (None, Some(1)));
        l.truncate(1);
        assert_eq!((l.position_by_id("2"), l.position_by_id("1")), (None, Some(0)));
        for item in &mut l {
            item.0 = "9".into();
        }
        assert_eq!(l.position_by_id("9"), Some(0));
        // Duplicates: the first one, as a scan finds it.
        l.push(Item("9".into(), "z".into()));
        assert_eq!(l.position_by_name("z"), Some(0));
    }
}
