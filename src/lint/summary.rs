//! A plan's operations counted by kind, as Terraform's `Plan: 1 to add, 2 to change, 1 to
//! destroy.`: create, update (renames, unarchives, property and template changes included),
//! archive, reorder.

use std::fmt;

use serde::Serialize;

use crate::op::Op;

/// What an operation does, for counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Kind {
    Create,
    Update,
    Archive,
    Reorder,
}

pub(crate) fn kind(op: &Op) -> Kind {
    match op {
        Op::CreateDropdown { .. }
        | Op::CreateDropdownOption { .. }
        | Op::CreateSchema { .. }
        | Op::CreateField { .. } => Kind::Create,
        Op::ArchiveDropdown { .. }
        | Op::ArchiveDropdownOption { .. }
        | Op::ArchiveSchema { .. }
        | Op::ArchiveField { .. } => Kind::Archive,
        Op::ReorderDropdownOptions { .. } | Op::ReorderFields { .. } => Kind::Reorder,
        Op::UnarchiveDropdown { .. }
        | Op::RenameDropdown { .. }
        | Op::UnarchiveDropdownOption { .. }
        | Op::RenameDropdownOption { .. }
        | Op::UnarchiveSchema { .. }
        | Op::UpdateSchema { .. }
        | Op::SetNameTemplate { .. }
        | Op::UnarchiveField { .. }
        | Op::UpdateField { .. } => Kind::Update,
    }
}

/// Operations by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Summary {
    pub create: usize,
    pub update: usize,
    pub archive: usize,
    pub reorder: usize,
}

impl Summary {
    pub(crate) fn of<'a>(ops: impl IntoIterator<Item = &'a Op>) -> Summary {
        let mut s = Summary::default();
        for op in ops {
            s.add_op(op);
        }
        s
    }

    fn add_op(&mut self, op: &Op) {
        match kind(op) {
            Kind::Create => self.create += 1,
            Kind::Update => self.update += 1,
            Kind::Archive => self.archive += 1,
            Kind::Reorder => self.reorder += 1,
        }
    }

    pub(crate) fn add(&mut self, other: Summary) {
        self.create += other.create;
        self.update += other.update;
        self.archive += other.archive;
        self.reorder += other.reorder;
    }
}

/// `1 to create, 2 to update, 1 to archive, 0 to reorder`.
impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} to create, {} to update, {} to archive, {} to reorder",
            self.create, self.update, self.archive, self.reorder
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_kind() {
        let ops = [
            Op::CreateDropdown { name: "A".into(), options: vec![] },
            Op::ArchiveSchema { schema: "s".into() },
            Op::UnarchiveSchema { schema: "s".into() },
            Op::ReorderFields { schema: "s".into(), fields: vec![] },
            Op::ArchiveField { schema: "s".into(), field: "f".into(), index: None },
        ];
        let s = Summary::of(&ops);
        assert_eq!(s.to_string(), "1 to create, 1 to update, 2 to archive, 1 to reorder");
    }
}
