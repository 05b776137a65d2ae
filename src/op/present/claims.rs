//! The claims each operation makes about the state it leaves, checked against a state (see
//! [`super`]): by family, dropdowns, schemas and fields.

use super::{Aspect, Check, Scan, fail};
use crate::op::Op;
use crate::schema::FieldDef;
use crate::state::Schema;

impl Scan<'_> {
    /// A dropdown option's archived flag and position among the active options.
    fn check_option(&self, dropdown: &str, option: &str, archived: bool, index: Option<usize>) -> Check {
        let (td, d) = self.dropdown(dropdown)?;
        let to = self.option_name(&td, option)?;
        let o = d.option(&to).ok_or_else(|| format!("dropdown `{td}` has no option `{to}`"))?;
        if self.open(&Aspect::OptionArchived(td.clone(), to.clone())) && o.archived != archived {
            let state = if o.archived { "archived" } else { "active" };
            return fail(format!("option `{to}` of `{td}` is {state}"));
        }
        if let Some(index) = index
            && self.open(&Aspect::DropdownOrder(td.clone()))
        {
            let active: Vec<&str> = d.active_options().map(|o| o.name.as_str()).collect();
            let want = index.min(active.len().saturating_sub(1));
            if active.iter().position(|n| *n == to) != Some(want) {
                return fail(format!("option `{to}` of `{td}` is not at position {index}"));
            }
        }
        Ok(())
    }

    /// A field's archived flag and position.
    fn check_field(&self, schema: &str, field: &str, archived: bool, index: Option<usize>) -> Check {
        let (ts, s) = self.schema(schema)?;
        let tf = self.field_name(&ts, field)?;
        let j = s.field_index(&tf).ok_or_else(|| format!("schema `{ts}` has no field `{tf}`"))?;
        if self.open(&Aspect::FieldArchived(ts.clone(), tf.clone())) && s.fields[j].archived != archived {
            let state = if s.fields[j].archived { "archived" } else { "active" };
            return fail(format!("field `{ts}.{tf}` is {state}"));
        }
        if let Some(index) = index
            && self.open(&Aspect::FieldOrder(ts.clone()))
            && j != index.min(s.fields.len().saturating_sub(1))
        {
            return fail(format!("field `{ts}.{tf}` is at position {j}, not {index}"));
        }
        Ok(())
    }

    fn check_field_props(&self, ts: &str, s: &Schema, tf: &str, want: &FieldDef) -> Check {
        if !self.open(&Aspect::FieldProps(ts.to_string(), tf.to_string())) {
            return Ok(());
        }
        let f = s.field(tf).ok_or_else(|| format!("schema `{ts}` has no field `{tf}`"))?;
        let mut have = self.state.field_view(f);
        have.archived = want.archived;
        if have != *want {
            return fail(format!("field `{ts}.{tf}` exists with other properties"));
        }
        Ok(())
    }

    /// Whether the claims of `op` hold (given the later operations already scanned).
    pub(super) fn claims(&self, op: &Op) -> Check {
        match op {
            Op::CreateDropdown { .. }
            | Op::ArchiveDropdown { .. }
            | Op::UnarchiveDropdown { .. }
            | Op::RenameDropdown { .. }
            | Op::CreateDropdownOption { .. }
            | Op::UnarchiveDropdownOption { .. }
            | Op::ArchiveDropdownOption { .. }
            | Op::RenameDropdownOption { .. }
            | Op::ReorderDropdownOptions { .. } => self.dropdown_claims(op),
            Op::CreateSchema { .. }
            | Op::ArchiveSchema { .. }
            | Op::UnarchiveSchema { .. }
            | Op::UpdateSchema { .. }
            | Op::SetNameTemplate { .. } => self.schema_claims(op),
            Op::CreateField { .. }
            | Op::ArchiveField { .. }
            | Op::UnarchiveField { .. }
            | Op::UpdateField { .. }
            | Op::ReorderFields { .. } => self.field_claims(op),
        }
    }

    /// [`Self::claims`] of a dropdown or option operation (other operations claim nothing here).
    fn dropdown_claims(&self, op: &Op) -> Check {
        match op {
            Op::CreateDropdown { name, options } => {
                let (td, d) = self.dropdown(name)?;
                if self.open(&Aspect::DropdownArchived(td.clone())) && d.archived {
                    return fail(format!("dropdown `{td}` is archived"));
                }
                for o in options {
                    self.check_option(name, o, false, None)?;
                }
                if self.open(&Aspect::DropdownOrder(td.clone())) {
                    let want: Vec<String> = options.iter().filter_map(|o| self.names.option(&td, o)).collect();
                    let have: Vec<&str> = d.active_options().map(|o| o.name.as_str()).collect();
                    if have != want.iter().map(String::as_str).collect::<Vec<_>>() {
                        return fail(format!("dropdown `{td}` has other active options"));
                    }
                }
                Ok(())
            }
            Op::ArchiveDropdown { name } | Op::UnarchiveDropdown { name } => {
                let want = matches!(op, Op::ArchiveDropdown { .. });
                let (td, d) = self.dropdown(name)?;
                if self.open(&Aspect::DropdownArchived(td.clone())) && d.archived != want {
                    let state = if d.archived { "archived" } else { "active" };
                    return fail(format!("dropdown `{td}` is {state}"));
                }
                Ok(())
            }
            Op::RenameDropdown { new_name, .. } => self.dropdown(new_name).map(|_| ()),
            Op::CreateDropdownOption { dropdown, option, index }
            | Op::UnarchiveDropdownOption { dropdown, option, index } => {
                self.check_option(dropdown, option, false, Some(*index))
            }
            Op::ArchiveDropdownOption { dropdown, option } => self.check_option(dropdown, option, true, None),
            Op::RenameDropdownOption { dropdown, new_option, .. } => {
                let (td, d) = self.dropdown(dropdown)?;
                let to = self.option_name(&td, new_option)?;
                d.option(&to).map(|_| ()).ok_or_else(|| format!("dropdown `{td}` has no option `{to}`"))
            }
            Op::ReorderDropdownOptions { dropdown, options } => {
                let (td, d) = self.dropdown(dropdown)?;
                if !self.open(&Aspect::DropdownOrder(td.clone())) {
                    return Ok(());
                }
                let want: Vec<String> = options.iter().filter_map(|o| self.names.option(&td, o)).collect();
                let have: Vec<&str> = d.options.iter().map(|o| o.name.as_str()).take(want.len()).collect();
                if want.len() != options.len() || have != want.iter().map(String::as_str).collect::<Vec<_>>() {
                    return fail(format!("the options of `{td}` are in another order"));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// [`Self::claims`] of a schema operation (other operations claim nothing here).
    fn schema_claims(&self, op: &Op) -> Check {
        match op {
            Op::CreateSchema { schema: def } => {
                let (ts, s) = self.schema(&def.props.warehouse_name)?;
                if self.open(&Aspect::SchemaArchived(ts.clone())) && s.archived {
                    return fail(format!("schema `{ts}` is archived"));
                }
                if self.open(&Aspect::SchemaProps(ts.clone())) {
                    let mut want = def.props.clone();
                    want.warehouse_name = ts.clone();
                    if self.state.view(s).props != want {
                        return fail(format!("schema `{ts}` exists with other properties"));
                    }
                }
                for f in def.fields.iter().filter(|f| !f.archived) {
                    let tf = self.field_name(&ts, &f.warehouse_name)?;
                    self.check_field(&def.props.warehouse_name, &f.warehouse_name, false, None)?;
                    let mut want = self.names.field_def(f);
                    want.warehouse_name = tf.clone();
                    self.check_field_props(&ts, s, &tf, &want)?;
                }
                Ok(())
            }
            Op::ArchiveSchema { schema } | Op::UnarchiveSchema { schema } => {
                let want = matches!(op, Op::ArchiveSchema { .. });
                let (ts, s) = self.schema(schema)?;
                if self.open(&Aspect::SchemaArchived(ts.clone())) && s.archived != want {
                    let state = if s.archived { "archived" } else { "active" };
                    return fail(format!("schema `{ts}` is {state}"));
                }
                Ok(())
            }
            Op::UpdateSchema { schema, patch } => {
                let renamed = patch.warehouse_name.as_deref().unwrap_or(schema);
                let (ts, s) = self.schema(renamed)?;
                if !self.open(&Aspect::SchemaProps(ts.clone())) {
                    return Ok(());
                }
                let have = self.state.view(s).props;
                let mut want = have.clone();
                patch.apply_to(&mut want);
                want.warehouse_name = have.warehouse_name.clone();
                if want != have {
                    return fail(format!("schema `{ts}` does not have {}", patch.describe()));
                }
                Ok(())
            }
            Op::SetNameTemplate { schema, template } => {
                let (ts, s) = self.schema(schema)?;
                if self.open(&Aspect::SchemaTemplate(ts.clone())) && self.state.view(s).name_template != *template {
                    return fail(format!("schema `{ts}` has another name template"));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// [`Self::claims`] of a field operation (other operations claim nothing here).
    fn field_claims(&self, op: &Op) -> Check {
        match op {
            Op::CreateField { schema, field, index } => {
                self.check_field(schema, &field.warehouse_name, false, Some(*index))?;
                let (ts, s) = self.schema(schema)?;
                let tf = self.field_name(&ts, &field.warehouse_name)?;
                let mut want = self.names.field_def(field);
                want.warehouse_name = tf.clone();
                self.check_field_props(&ts, s, &tf, &want)
            }
            Op::ArchiveField { schema, field, index } => self.check_field(schema, field, true, *index),
            Op::UnarchiveField { schema, field, index } => self.check_field(schema, field, false, *index),
            Op::UpdateField { schema, field, patch } => {
                let (ts, s) = self.schema(schema)?;
                let renamed = patch.warehouse_name.as_deref().unwrap_or(field);
                let tf = self.field_name(&ts, renamed)?;
                if !self.open(&Aspect::FieldProps(ts.clone(), tf.clone())) {
                    return Ok(());
                }
                let f = s.field(&tf).ok_or_else(|| format!("schema `{ts}` has no field `{tf}`"))?;
                let have = self.state.field_view(f);
                let mut want = have.clone();
                patch.apply_to(&mut want);
                want.warehouse_name = have.warehouse_name.clone();
                if want != have {
                    return fail(format!("field `{ts}.{tf}` does not have {}", patch.describe()));
                }
                Ok(())
            }
            Op::ReorderFields { schema, fields } => {
                let (ts, s) = self.schema(schema)?;
                if !self.open(&Aspect::FieldOrder(ts.clone())) {
                    return Ok(());
                }
                let want: Vec<String> = fields.iter().filter_map(|f| self.names.field(&ts, f)).collect();
                let have: Vec<&str> = s.fields.iter().map(|f| f.warehouse_name.as_str()).take(want.len()).collect();
                if want.len() != fields.len() || have != want.iter().map(String::as_str).collect::<Vec<_>>() {
                    return fail(format!("the fields of `{ts}` are in another order"));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}
