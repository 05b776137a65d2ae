//! The dropdown operations: dropdowns and their options.

use super::reorder;
use crate::op::OpError;
use crate::schema::FieldType;
use crate::schema::rules;
use crate::state::{Dropdown, DropdownOption, ItemMut, TenantState};

fn dropdown_mut<'a>(state: &'a mut TenantState, name: &str) -> Result<ItemMut<'a, Dropdown>, OpError> {
    state.dropdown_edit(name).ok_or_else(|| OpError::not_found("dropdown", name))
}

fn option_not_found(dropdown: &str, option: &str) -> OpError {
    OpError::NotFound { what: "dropdown option", name: format!("{dropdown}: {option}") }
}

/// Put active options first (inserting `moved` at `index` among them), archived ones after, as
/// Liminal writes option lists.
fn place_option(d: &mut Dropdown, moved: DropdownOption, index: usize) {
    d.options.retain(|o| o.id != moved.id);
    let (mut active, archived): (Vec<_>, Vec<_>) = d.options.drain(..).partition(|o| !o.archived);
    active.insert(index.min(active.len()), moved);
    d.options = active.into_iter().chain(archived).collect();
}

/// `create_dropdown`: a new dropdown, or Liminal's unarchive of an archived one with the same options.
pub(super) fn create(state: &mut TenantState, name: &str, options: &[String]) -> Result<(), OpError> {
    if rules::blank(name) {
        return Err(OpError::Invalid("a dropdown needs a name".into()));
    }
    // Both problems have the one message.
    if let Some((o, _)) = rules::option_problems(options.iter().map(String::as_str)).next() {
        return Err(OpError::Invalid(format!("dropdown `{name}`: option `{o}` is empty or listed twice")));
    }
    if let Some(mut d) = state.dropdown_edit(name) {
        if !d.archived {
            return Err(OpError::Conflict(format!("dropdown `{name}` already exists and is active")));
        }
        let current: Vec<&str> = d.active_options().map(|o| o.name.as_str()).collect();
        if current != options.iter().map(String::as_str).collect::<Vec<_>>() {
            return Err(OpError::Conflict(format!(
                "dropdown `{name}` exists archived with other options; cannot unarchive it as created"
            )));
        }
        d.archived = false;
        return Ok(());
    }
    let id = state.new_id("sfs_");
    let options = options
        .iter()
        .map(|o| DropdownOption { id: state.new_id("sfso_"), name: o.clone(), archived: false })
        .collect();
    state.dropdowns.push(Dropdown { id, name: name.to_string(), archived: false, options });
    Ok(())
}

/// `archive_dropdown`: refused while an active field of an active schema uses it.
pub(super) fn archive(state: &mut TenantState, name: &str) -> Result<(), OpError> {
    let id = state.dropdown(name).ok_or_else(|| OpError::not_found("dropdown", name))?.id.clone();
    let users: Vec<String> = state
        .schemas
        .iter()
        .filter(|s| !s.archived)
        .flat_map(|s| {
            s.active_fields()
                .filter(|f| f.field_type == FieldType::Dropdown && f.link.as_deref() == Some(id.as_str()))
                .map(move |f| format!("{}.{}", s.warehouse_name, f.warehouse_name))
        })
        .collect();
    if !users.is_empty() {
        return Err(OpError::Conflict(format!(
            "dropdown `{name}` is still used by {}; archive or change those fields first",
            users.join(", ")
        )));
    }
    let mut d = dropdown_mut(state, name)?;
    if d.archived {
        return Err(OpError::Conflict(format!("dropdown `{name}` is already archived")));
    }
    d.archived = true;
    Ok(())
}

/// `unarchive_dropdown`.
pub(super) fn unarchive(state: &mut TenantState, name: &str) -> Result<(), OpError> {
    let mut d = dropdown_mut(state, name)?;
    if !d.archived {
        return Err(OpError::Conflict(format!("dropdown `{name}` is not archived")));
    }
    d.archived = false;
    Ok(())
}

/// `rename_dropdown`.
pub(super) fn rename(state: &mut TenantState, name: &str, new_name: &str) -> Result<(), OpError> {
    if rules::blank(new_name) {
        return Err(OpError::Invalid(format!("dropdown `{name}` cannot be renamed to an empty name")));
    }
    if rules::dropdown_name_clash(state.dropdowns.iter().map(|d| (d, d.name.as_str())), new_name).is_some() {
        return Err(OpError::Conflict(format!("a dropdown named `{new_name}` already exists")));
    }
    dropdown_mut(state, name)?.name = new_name.to_string();
    Ok(())
}

/// `create_dropdown_option`: a new option, or an archived one brought back, at `index` among the active ones.
pub(super) fn create_option(
    state: &mut TenantState,
    dropdown: &str,
    option: &str,
    index: usize,
) -> Result<(), OpError> {
    let new_id = state.new_id("sfso_");
    let mut d = dropdown_mut(state, dropdown)?;
    match d.option(option).cloned() {
        Some(o) if o.archived => place_option(&mut d, DropdownOption { archived: false, ..o }, index),
        // Liminal warns and skips an option that is already active.
        Some(_) => {}
        None => {
            if rules::blank(option) {
                return Err(OpError::Invalid(format!("dropdown `{dropdown}`: an option needs a name")));
            }
            place_option(&mut d, DropdownOption { id: new_id, name: option.to_string(), archived: false }, index)
        }
    }
    Ok(())
}

/// `unarchive_dropdown_option`.
pub(super) fn unarchive_option(
    state: &mut TenantState,
    dropdown: &str,
    option: &str,
    index: usize,
) -> Result<(), OpError> {
    let mut d = dropdown_mut(state, dropdown)?;
    let o = d.option(option).cloned().ok_or_else(|| option_not_found(dropdown, option))?;
    if !o.archived {
        return Err(OpError::Conflict(format!("option `{option}` of `{dropdown}` is not archived")));
    }
    place_option(&mut d, DropdownOption { archived: false, ..o }, index);
    Ok(())
}

/// `archive_dropdown_option`: the option moves after the active ones.
pub(super) fn archive_option(state: &mut TenantState, dropdown: &str, option: &str) -> Result<(), OpError> {
    let mut d = dropdown_mut(state, dropdown)?;
    let o = d.option(option).cloned().ok_or_else(|| option_not_found(dropdown, option))?;
    // Liminal warns and skips an option that is already archived.
    if !o.archived {
        d.options.retain(|x| x.id != o.id);
        d.options.push(DropdownOption { archived: true, ..o });
        let (active, archived): (Vec<_>, Vec<_>) = d.options.drain(..).partition(|o| !o.archived);
        d.options = active.into_iter().chain(archived).collect();
    }
    Ok(())
}

/// `rename_dropdown_option`.
pub(super) fn rename_option(
    state: &mut TenantState,
    dropdown: &str,
    option: &str,
    new_option: &str,
) -> Result<(), OpError> {
    if rules::blank(new_option) {
        return Err(OpError::Invalid(format!(
            "dropdown `{dropdown}`: option `{option}` cannot be renamed to an empty name"
        )));
    }
    let mut d = dropdown_mut(state, dropdown)?;
    if d.option(new_option).is_some() {
        return Err(OpError::Conflict(format!("dropdown `{dropdown}` already has an option `{new_option}`")));
    }
    let o = d.options.iter_mut().find(|o| o.name == option).ok_or_else(|| option_not_found(dropdown, option))?;
    o.name = new_option.to_string();
    Ok(())
}

/// `reorder_dropdown_options`.
pub(super) fn reorder_options(state: &mut TenantState, dropdown: &str, options: &[String]) -> Result<(), OpError> {
    let mut d = dropdown_mut(state, dropdown)?;
    d.options = reorder(&d.options, options, |o| o.name.as_str(), "option")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::with_dropdown;
    use crate::op::{Op, OpError};

    /// Creating a dropdown or an option with an empty name is refused; renaming to one was not.
    #[test]
    fn renames_to_an_empty_name_are_refused() {
        let mut state = with_dropdown();
        for op in [
            Op::RenameDropdown { name: "D".into(), new_name: " ".into() },
            Op::RenameDropdownOption { dropdown: "D".into(), option: "a".into(), new_option: String::new() },
        ] {
            assert!(matches!(op.apply(&mut state), Err(OpError::Invalid(_))), "{op:?}");
        }
        assert_eq!(state, with_dropdown());
    }
}
