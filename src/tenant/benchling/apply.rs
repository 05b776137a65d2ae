//! Applying operations: simulate each on the in-memory copy of the tenant, then send the
//! requests that bring the tenant from the state before to the state after.
//!
//! - A new schema is one `POST` with its fields; a new dropdown one `POST /api/v2/dropdowns`
//!   with its options (as liminal does; the v2 answer carries the option ids).
//! - Schema properties, archiving and the name template are one `PATCH` with the changed keys;
//!   dropdown name, archiving and options one v3 `PATCH`.
//! - Field changes are one `:set-field-definitions` with the complete ordered field list, then
//!   task polling.
//! - Batches: consecutive field operations on one schema (after its creation, if it is created
//!   just before) and consecutive option operations on one dropdown are applied together and
//!   sent as one request; the result is the same as sending them one by one (except that an
//!   op archiving a field or option created earlier in the batch starts a new batch: Benchling
//!   creates them active). Every operation of
//!   a batch is reported done once the batch has landed, so progress stays a prefix of the list.
//! - Ids the server assigns replace the temporary ids of the simulation everywhere. Ids the
//!   answer does not carry (fields of a new schema, new options after a PATCH) are read only
//!   when a later request needs them.
//! - A create whose outcome is unknown (timeout, 5xx) is never sent again blindly: the list is
//!   read to see whether it landed first.

use std::collections::HashSet;

use super::HttpTenant;
use super::read;
use super::sync::Sync;
use crate::op::{Op, Target};
use crate::state::TenantState;
use crate::tenant::{ApplyError, TenantError};

fn is_option_op(op: &Op) -> bool {
    matches!(
        op,
        Op::CreateDropdownOption { .. }
            | Op::ArchiveDropdownOption { .. }
            | Op::UnarchiveDropdownOption { .. }
            | Op::RenameDropdownOption { .. }
            | Op::ReorderDropdownOptions { .. }
    )
}

/// Whether `next` can go in the same request as the batch that `head` starts: field operations
/// on the schema that `head` creates or changes the fields of, or option operations on the
/// dropdown that `head` creates or changes the options of. (Neither kind renames its target, so
/// names are stable within a batch.)
pub(super) fn joins(head: &Op, next: &Op) -> bool {
    let same = head.target() == next.target();
    if next.is_field_op() {
        return same && (head.is_field_op() || matches!(head, Op::CreateSchema { .. }));
    }
    if is_option_op(next) {
        return same && (is_option_op(head) || matches!(head, Op::CreateDropdown { .. }));
    }
    false
}

/// The field and option ids of `target` in `state`.
fn ids_of(state: &TenantState, target: &Target) -> HashSet<String> {
    match target {
        Target::Schema(wh) => state.schema(wh).map(|s| s.fields.iter().map(|f| f.id.clone()).collect()),
        Target::Dropdown(n) => state.dropdown(n).map(|d| d.options.iter().map(|o| o.id.clone()).collect()),
    }
    .unwrap_or_default()
}

/// Whether `target` in `after` holds an archived field or option that is not among `before`
/// ids (an operation changes its target only).
fn creates_archived(before: &HashSet<String>, after: &TenantState, target: &Target) -> bool {
    let new_archived = |id: &String, archived: bool| archived && !before.contains(id);
    match target {
        Target::Schema(wh) => {
            after.schema(wh).is_some_and(|s| s.fields.iter().any(|f| new_archived(&f.id, f.archived)))
        }
        Target::Dropdown(n) => {
            after.dropdown(n).is_some_and(|d| d.options.iter().any(|o| new_archived(&o.id, o.archived)))
        }
    }
}

impl HttpTenant {
    /// Apply `ops` batch by batch; see the module docs.
    pub(super) async fn apply_ops(
        &mut self,
        ops: &[Op],
        done: &mut (dyn FnMut(usize) + Send),
    ) -> Result<(), ApplyError> {
        let mut i = 0;
        while i < ops.len() {
            let mut after = match &self.cache {
                Some(s) => s.clone(),
                None => {
                    let error = TenantError::internal("the tenant state was not read");
                    return Err(ApplyError::Tenant { index: i, error });
                }
            };
            let target = ops[i].target();
            let before_ids = ids_of(&after, &target);
            let mut end = i;
            let mut failed = None;
            while end < ops.len() && (end == i || joins(&ops[i], &ops[end])) {
                // In place: an op that fails leaves `after` as it was.
                let mut undo = after.undo_point();
                if let Err(e) = ops[end].apply_saving(&mut after, &mut undo) {
                    failed = Some(e);
                    break;
                }
                // Benchling creates fields and options active: one created and archived in the
                // same batch needs two requests, so the archiving op starts the next batch.
                if end > i && creates_archived(&before_ids, &after, &target) {
                    after.restore(undo);
                    break;
                }
                end += 1;
            }
            if end > i {
                self.push(after).await.map_err(|error| ApplyError::Tenant { index: i, error })?;
                (i..end).for_each(&mut *done);
            }
            if let Some(error) = failed {
                return Err(ApplyError::Op { index: end, error });
            }
            i = end;
        }
        Ok(())
    }

    /// Record `revision` in `liminal_remote` as Liminal does ([`TenantState::set_revision`]),
    /// through the same path as operations.
    pub(super) async fn write_revision(&mut self, revision: &str) -> Result<bool, TenantError> {
        self.write_remote_fields(&[(crate::schema::REMOTE_FIELD, revision)]).await
    }

    /// Set fields of `liminal_remote` in one write ([`crate::tenant::set_remote_fields`]).
    pub(super) async fn write_remote_fields(&mut self, values: &[(&str, &str)]) -> Result<bool, TenantError> {
        let Some(mut after) = self.cache.clone() else {
            return Err(TenantError::internal("the tenant's revision was not read"));
        };
        if !crate::tenant::set_remote_fields(&mut after, values) {
            return Ok(false);
        }
        self.push(after).await?;
        Ok(true)
    }

    /// Read `liminal_remote`'s fields from the tenant again (one request), replacing what the
    /// cache holds of them.
    pub(super) async fn reread_remote(&mut self) -> Result<(), TenantError> {
        let HttpTenant { client, cache, unresolved, .. } = self;
        let Some(state) = cache.as_mut() else { return Ok(()) };
        let Some(remote) = state.schema_mut(crate::schema::REMOTE_SCHEMA) else {
            // Not there when this run looked: another run may have created it since.
            if let Some(p) = read::find_remote(client).await? {
                let fields = read::list_fields(client, crate::schema::EntityType::CustomEntity, &p.schema.id).await?;
                state.schemas.push(p.with_fields(fields));
            }
            return Ok(());
        };
        let fields = read::list_fields(client, remote.entity_type, &remote.id).await?;
        for f in &remote.fields {
            unresolved.remove(&f.id);
        }
        remote.fields = fields;
        Ok(())
    }

    /// Send what changed from the cached state to `after`; on success `after` (with the
    /// server's ids) becomes the cached state.
    async fn push(&mut self, mut after: TenantState) -> Result<(), TenantError> {
        let HttpTenant { client, config, cache, unresolved, .. } = self;
        let Some(mirror) = cache.as_mut() else {
            return Err(TenantError::internal("the tenant state was not read"));
        };
        // Creating a schema or a dropdown needs the registry (and its organization): read it
        // only then. Creates are appended, so a longer list means one.
        if mirror.unread.registry
            && (after.schemas.len() > mirror.schemas.len() || after.dropdowns.len() > mirror.dropdowns.len())
        {
            let registry = read::registry(client).await?;
            mirror.registry = registry.clone();
            mirror.unread.registry = false;
            after.registry = registry;
            after.unread.registry = false;
        }
        let mut sync = Sync { client, poll: &config.poll, unresolved, mirror, after: &mut after, uncertain: false };
        let result = sync.run().await;
        let uncertain = sync.uncertain;
        match result {
            Ok(()) => {
                *mirror = after;
                Ok(())
            }
            Err(e) => {
                // After a write with an unknown outcome the copy may be wrong: read again next time.
                if uncertain {
                    self.invalidate();
                }
                Err(e)
            }
        }
    }

    /// Look up every id the server assigned but did not tell us yet (before handing the state
    /// out).
    pub(super) async fn resolve_all(&mut self) -> Result<(), TenantError> {
        if self.unresolved.is_empty() {
            return Ok(());
        }
        let HttpTenant { client, config, cache, unresolved, .. } = self;
        let Some(mirror) = cache.as_mut() else { return Ok(()) };
        let mut after = mirror.clone();
        let mut sync = Sync { client, poll: &config.poll, unresolved, mirror, after: &mut after, uncertain: false };
        sync.resolve_everything().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{FieldDef, FieldType};

    fn field_op(schema: &str, field: &str) -> Op {
        Op::CreateField {
            schema: schema.into(),
            field: Box::new(FieldDef::new(field, field, FieldType::Text)),
            index: 0,
        }
    }

    #[test]
    fn batches_are_consecutive_ops_on_one_target() {
        let a1 = field_op("a", "x");
        let a2 = Op::ArchiveField { schema: "a".into(), field: "y".into(), index: None };
        let b1 = field_op("b", "x");
        assert!(joins(&a1, &a2));
        assert!(!joins(&a1, &b1));
        let upd = Op::ArchiveSchema { schema: "a".into() };
        assert!(!joins(&upd, &a1));
        assert!(!joins(&a1, &upd));
        let opt = Op::CreateDropdownOption { dropdown: "D".into(), option: "o".into(), index: 0 };
        let create = Op::CreateDropdown { name: "D".into(), options: vec![] };
        assert!(joins(&create, &opt));
        assert!(joins(&opt, &opt));
        assert!(!joins(&opt, &create));
        assert!(!joins(&create, &create));
        let other = Op::ArchiveDropdownOption { dropdown: "E".into(), option: "o".into() };
        assert!(!joins(&opt, &other));
    }
}
