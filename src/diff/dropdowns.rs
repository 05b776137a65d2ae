//! Dropdowns: create, unarchive, add, archive and reorder options to match the code.

use std::collections::BTreeSet;

use super::{Builder, DiffError};
use crate::op::Op;

pub(super) fn diff_dropdown(b: &mut Builder, name: &str, options: &[String]) -> Result<(), DiffError> {
    let Some(existing) = b.work.dropdown(name) else {
        return b.emit(Op::CreateDropdown { name: name.to_string(), options: options.to_vec() });
    };
    if existing.archived {
        b.emit(Op::UnarchiveDropdown { name: name.to_string() })?;
    }
    // By name, so that a dropdown of 100,000 options is not scanned once per option.
    let mut active: BTreeSet<String> =
        b.work.dropdown(name).map(|d| d.active_options().map(|o| o.name.clone()).collect()).unwrap_or_default();
    for (index, option) in options.iter().enumerate() {
        if !active.contains(option) {
            // Liminal's CreateDropdownOption unarchives an archived option of that name.
            b.emit(Op::CreateDropdownOption { dropdown: name.to_string(), option: option.clone(), index })?;
            active.insert(option.clone());
        }
    }
    let wanted: BTreeSet<&str> = options.iter().map(String::as_str).collect();
    let stale: Vec<String> = b
        .work
        .dropdown(name)
        .map(|d| d.active_options().filter(|o| !wanted.contains(o.name.as_str())).map(|o| o.name.clone()).collect())
        .unwrap_or_default();
    for option in stale {
        b.emit(Op::ArchiveDropdownOption { dropdown: name.to_string(), option })?;
    }
    let order: Vec<&str> =
        b.work.dropdown(name).map(|d| d.active_options().map(|o| o.name.as_str()).collect()).unwrap_or_default();
    if order != options.iter().map(String::as_str).collect::<Vec<_>>() {
        b.emit(Op::ReorderDropdownOptions { dropdown: name.to_string(), options: options.to_vec() })?;
    }
    Ok(())
}
