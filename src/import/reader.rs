//! Reading Liminal's literal arguments: strings, booleans, positions, lists, enum members
//! (`b.BenchlingFieldType.DECIMAL`) and keyword-only calls of pydantic classes
//! (`b.BaseFieldProperties(...)`), each problem at its place in the `.py` file.

use super::python::{Located, PORT_BY_HAND, PyFile, Value};
use super::revision::ExternalNames;
use crate::diag::SourceProblem;

/// Reads values of one file, naming the file's places in problems.
pub(crate) struct Reader<'a> {
    pub file: &'a PyFile,
    pub names: &'a ExternalNames,
}

pub(crate) type R<T> = Result<T, SourceProblem>;

/// A call's arguments by keyword, from a pydantic-style call (keywords only).
pub(crate) struct Kwargs<'v> {
    pub class: String,
    pub at: (usize, usize),
    pub items: Vec<(&'v str, &'v Located)>,
}

impl<'v> Kwargs<'v> {
    pub(super) fn get(&self, key: &str) -> Option<&'v Located> {
        self.items.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }
}

impl<'a> Reader<'a> {
    pub(crate) fn problem(&self, at: (usize, usize), message: impl Into<String>) -> SourceProblem {
        self.file.problem_at(at, message, PORT_BY_HAND)
    }

    pub(crate) fn wrong(&self, v: &Located, key: &str, expected: &str) -> SourceProblem {
        self.problem(v.at, format!("`{key}` must be {expected}, not {}", v.value.describe()))
    }

    pub(crate) fn string(&self, v: &Located, key: &str) -> R<String> {
        match &v.value {
            Value::Str(s) => Ok(s.clone()),
            _ => Err(self.wrong(v, key, "a string")),
        }
    }

    pub(crate) fn opt_string(&self, v: &Located, key: &str) -> R<Option<String>> {
        match &v.value {
            Value::None => Ok(None),
            _ => self.string(v, key).map(Some),
        }
    }

    pub(crate) fn bool(&self, v: &Located, key: &str) -> R<bool> {
        match &v.value {
            Value::Bool(b) => Ok(*b),
            _ => Err(self.wrong(v, key, "True or False")),
        }
    }

    pub(crate) fn index(&self, v: &Located, key: &str) -> R<usize> {
        match &v.value {
            Value::Int(n) if *n >= 0 => Ok(*n as usize),
            _ => Err(self.wrong(v, key, "a position (0 or more)")),
        }
    }

    pub(crate) fn opt_index(&self, v: Option<&Located>, key: &str) -> R<Option<usize>> {
        match v {
            None | Some(Located { value: Value::None, .. }) => Ok(None),
            Some(v) => self.index(v, key).map(Some),
        }
    }

    pub(crate) fn decimal_places(&self, v: &Located) -> R<Option<u8>> {
        match &v.value {
            Value::None => Ok(None),
            Value::Int(n) if (0..=15).contains(n) => Ok(Some(*n as u8)),
            _ => Err(self.wrong(v, "decimal_places", "a number from 0 to 15")),
        }
    }

    /// The items of a list, tuple or set.
    pub(crate) fn items<'v>(&self, v: &'v Located, key: &str) -> R<&'v [Located]> {
        match &v.value {
            Value::List(items) | Value::Tuple(items) | Value::Set(items) => Ok(items),
            _ => Err(self.wrong(v, key, "a list")),
        }
    }

    pub(crate) fn strings(&self, v: &Located, key: &str) -> R<Vec<String>> {
        self.items(v, key)?.iter().map(|i| self.string(i, key)).collect()
    }

    /// An enum member (`b.BenchlingFieldType.DECIMAL`, `BenchlingFieldType.DECIMAL`) or its value
    /// as a string, parsed as `T`.
    pub(crate) fn member<T: std::str::FromStr<Err = crate::schema::UnknownValue>>(
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
    pub(crate) fn kwargs<'v>(&self, v: &'v Located, key: &str, classes: &[&str], allowed: &[&str]) -> R<Kwargs<'v>> {
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
}
