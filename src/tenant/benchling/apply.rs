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

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use reqwest::Method;
use serde_json::{Value, json};

use super::client::{Client, HttpError, Kind, Request};
use super::ids::rename_ids;
use super::read::{self, DROPDOWNS_PATH, wire_error};
use super::retry::RetryPolicy;
use super::{HttpTenant, PollConfig};
use crate::op::{Op, Target};
use crate::schema::{EntityType, SEQUENCE_CONSTRAINTS};
use crate::state::{Dropdown, Field, Schema, TenantState};
use crate::tenant::{ApplyError, TenantError};
use crate::wire::{self, TaskStatus};

const DROPDOWN_CREATE_PATH: &str = "/api/v2/dropdowns";

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
pub fn joins(head: &Op, next: &Op) -> bool {
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
                    let error = TenantError::Http("the tenant state was not read".into());
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
            return Err(TenantError::Http("the tenant's revision was not read".into()));
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
            return Err(TenantError::Http("the tenant state was not read".into()));
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

/// Where a create may have landed, to look before sending it again.
enum Lookup {
    Schema { entity_type: EntityType, warehouse_name: String },
    Dropdown { name: String },
}

/// A create's result: the server's answer, or the object found by looking after an unknown
/// outcome.
enum Created {
    Answer(Value),
    Found(Value),
}

/// One push: `mirror` is what the server holds (updated request by request), `after` what it
/// should hold.
struct Sync<'a> {
    client: &'a Client,
    poll: &'a PollConfig,
    unresolved: &'a mut HashSet<String>,
    mirror: &'a mut TenantState,
    after: &'a mut TenantState,
    /// A write failed without telling whether it landed.
    uncertain: bool,
}

impl Sync<'_> {
    async fn run(&mut self) -> Result<(), TenantError> {
        // Dropdowns first: new fields may point at new dropdowns.
        for k in 0..self.after.dropdowns.len() {
            let id = self.after.dropdowns[k].id.clone();
            if self.mirror.dropdown_by_id(&id).is_none() {
                self.create_dropdown(k).await?;
            }
            self.update_dropdown(k).await?;
        }
        for k in 0..self.after.schemas.len() {
            let id = self.after.schemas[k].id.clone();
            if self.mirror.schema_by_id(&id).is_none() {
                self.create_schema(k).await?;
            }
            self.update_schema(k).await?;
        }
        Ok(())
    }

    fn rename(&mut self, from: &str, to: &str) {
        if from != to {
            self.rename_all(HashMap::from([(from.to_string(), to.to_string())]));
        }
    }

    /// Several renames in one pass over the states.
    fn rename_all(&mut self, renames: HashMap<String, String>) {
        rename_ids(self.after, &renames);
        rename_ids(self.mirror, &renames);
        for (from, to) in renames {
            if self.unresolved.remove(&from) {
                self.unresolved.insert(to);
            }
        }
    }

    /// Whether `id` (a link target: a schema or a dropdown) is something the server knows by
    /// this id.
    fn known(&self, id: &str) -> bool {
        !self.unresolved.contains(id)
            && (self.mirror.schema_by_id(id).is_some() || self.mirror.dropdown_by_id(id).is_some())
    }

    fn note(&mut self, e: HttpError) -> TenantError {
        if e.outcome_unknown {
            self.uncertain = true;
        }
        e.into()
    }

    async fn send(&mut self, req: &Request) -> Result<Value, TenantError> {
        match self.client.send(req).await {
            Ok(r) => Ok(r.body),
            Err(e) => Err(self.note(e)),
        }
    }

    /// Send a create; after an unknown outcome, look for the object before sending it again.
    async fn create(&mut self, req: &Request, lookup: Lookup) -> Result<Created, TenantError> {
        let policy: RetryPolicy = self.client.retry_policy();
        let mut attempt = 0;
        loop {
            let e = match self.client.send(req).await {
                Ok(r) => return Ok(Created::Answer(r.body)),
                Err(e) if e.outcome_unknown => e,
                Err(e) => return Err(e.into()),
            };
            if let Some(found) = self.lookup(&lookup).await? {
                return Ok(Created::Found(found));
            }
            // It did not land: a transient failure is worth another try, a server error is not.
            let transient = matches!(e.status, None | Some(502 | 504));
            if !transient || attempt >= policy.max_retries {
                return Err(TenantError::Http(format!("{e} (checked: it was not created)")));
            }
            tokio::time::sleep(policy.delay(attempt, None)).await;
            attempt += 1;
        }
    }

    async fn lookup(&mut self, lookup: &Lookup) -> Result<Option<Value>, TenantError> {
        let (path, key, want) = match lookup {
            Lookup::Schema { entity_type, warehouse_name } => {
                (read::schemas_path(*entity_type), "systemName", warehouse_name.as_str())
            }
            Lookup::Dropdown { name } => (DROPDOWNS_PATH.to_string(), "name", name.as_str()),
        };
        let req = Request::get(&path).query("archived.anyOf", "true,false");
        let items = self.client.get_all(req, "items").await?;
        Ok(items.into_iter().find(|v| v.get(key).and_then(Value::as_str) == Some(want)))
    }

    async fn create_dropdown(&mut self, k: usize) -> Result<(), TenantError> {
        let d = self.after.dropdowns[k].clone();
        let names: Vec<String> = d.options.iter().map(|o| o.name.clone()).collect();
        let body = wire::dropdown_create_body(&d.name, &names, &self.after.registry.id);
        let req = Request::write(Method::POST, DROPDOWN_CREATE_PATH, body, Kind::Create);
        let created = match self.create(&req, Lookup::Dropdown { name: d.name.clone() }).await? {
            Created::Answer(v) => {
                wire::dropdown_from_v2(&v).map_err(|e| wire_error("POST", DROPDOWN_CREATE_PATH, e))?
            }
            Created::Found(v) => {
                let mut found = wire::dropdown_from_v3(&v).map_err(|e| wire_error("GET", DROPDOWNS_PATH, e))?;
                found.options = read::list_options(self.client, &found.id).await?;
                found
            }
        };
        let by_name: HashMap<&str, &str> = created.options.iter().map(|c| (c.name.as_str(), c.id.as_str())).collect();
        let mut renames = HashMap::from([(d.id.clone(), created.id.clone())]);
        for o in &d.options {
            let real = by_name.get(o.name.as_str()).ok_or_else(|| {
                TenantError::Http(format!("dropdown `{}` was created without its option `{}`", d.name, o.name))
            })?;
            renames.insert(o.id.clone(), real.to_string());
        }
        renames.retain(|from, to| from != to);
        self.rename_all(renames);
        self.mirror.dropdowns.push(created);
        Ok(())
    }

    async fn update_dropdown(&mut self, k: usize) -> Result<(), TenantError> {
        let Some(mi) = self.mirror.dropdowns.position_by_id(&self.after.dropdowns[k].id) else {
            return Ok(());
        };
        if self.mirror.dropdowns[mi] == self.after.dropdowns[k] {
            return Ok(());
        }
        if self.mirror.unread.options.contains(&self.mirror.dropdowns[mi].id) {
            return Err(TenantError::Http(format!(
                "refusing to send the options of `{}`: they were not read (a bug in liminal's partial reads)",
                self.mirror.dropdowns[mi].name
            )));
        }
        self.resolve_options(mi).await?;
        let (cur, want) = (self.mirror.dropdowns[mi].clone(), self.after.dropdowns[k].clone());
        let body = wire::dropdown_update_body(&cur, &want);
        if body.as_object().is_some_and(|m| !m.is_empty()) {
            let path = format!("/api/v3/dropdown/{}", want.id);
            self.send(&Request::write(Method::PATCH, path, body, Kind::Write)).await?;
            // The answer lists no options: new ones get their ids when something needs them.
            let known: HashSet<&str> = cur.options.iter().map(|c| c.id.as_str()).collect();
            for o in want.options.iter().filter(|o| !known.contains(o.id.as_str())) {
                self.unresolved.insert(o.id.clone());
            }
        }
        self.mirror.dropdowns[mi] = want;
        Ok(())
    }

    async fn create_schema(&mut self, k: usize) -> Result<(), TenantError> {
        let want = self.after.schemas[k].clone();
        // Created as the create body allows: active fields whose links already exist (a field
        // linking to the new schema itself follows in `:set-field-definitions`), no template,
        // not archived; `update_schema` sends the rest.
        let mut post = Schema {
            archived: false,
            name_template: vec![],
            order_name_parts_by_sequence: false,
            fields: vec![],
            ..want.clone()
        };
        post.fields = want
            .fields
            .iter()
            .filter(|f| f.link.as_deref().is_none_or(|l| self.known(l)))
            .map(|f| Field { archived: false, ..f.clone() })
            .collect();
        post.constraint
            .retain(|c| SEQUENCE_CONSTRAINTS.contains(&c.as_str()) || post.fields.iter().any(|f| &f.id == c));
        let path = format!("/api/v3/{}", want.entity_type.endpoint());
        let body = wire::create_schema_body(self.after, &post);
        let req = Request::write(Method::POST, &path, body, Kind::Create);
        let lookup = Lookup::Schema { entity_type: want.entity_type, warehouse_name: want.warehouse_name.clone() };
        let answer = match self.create(&req, lookup).await? {
            Created::Answer(v) | Created::Found(v) => v,
        };
        let id = wire::schema_from_v3(&answer).map_err(|e| wire_error("POST", &path, e))?.schema.id;
        self.rename(&want.id, &id);
        post.id = id;
        // The answer's `fieldDefinitions` is a link, not a list.
        self.unresolved.extend(post.fields.iter().map(|f| f.id.clone()));
        self.mirror.schemas.push(post);
        Ok(())
    }

    async fn update_schema(&mut self, k: usize) -> Result<(), TenantError> {
        let Some(mi) = self.mirror.schemas.position_by_id(&self.after.schemas[k].id) else {
            return Ok(());
        };
        let (cur, want) = (&self.mirror.schemas[mi], &self.after.schemas[k]);
        if cur == want {
            return Ok(());
        }
        // Unarchive before touching fields; archive after.
        if cur.archived && !want.archived {
            self.patch_schema(mi, k).await?;
        }
        if self.mirror.schemas[mi].fields != self.after.schemas[k].fields {
            self.set_fields(mi, k).await?;
        }
        self.patch_schema(mi, k).await
    }

    async fn patch_schema(&mut self, mi: usize, k: usize) -> Result<(), TenantError> {
        if self.after.schemas[k]
            .name_template
            .iter()
            .any(|p| p.field_id.as_ref().is_some_and(|f| self.unresolved.contains(f)))
        {
            self.resolve_fields(mi).await?;
        }
        let (cur, want) = (self.mirror.schemas[mi].clone(), self.after.schemas[k].clone());
        let body = wire::schema_update_body(&cur, &want);
        if body.as_object().is_some_and(|m| !m.is_empty()) {
            let path = format!("/api/v3/{}/{}", want.entity_type.endpoint(), want.id);
            self.send(&Request::write(Method::PATCH, path, body, Kind::Write)).await?;
        }
        self.mirror.schemas[mi] = Schema { fields: cur.fields, ..want };
        Ok(())
    }

    async fn set_fields(&mut self, mi: usize, k: usize) -> Result<(), TenantError> {
        if self.mirror.unread.fields.contains(&self.mirror.schemas[mi].id) {
            // The request replaces the whole field list: never send one built from fields that
            // were not read.
            return Err(TenantError::Http(format!(
                "refusing to send the fields of `{}`: they were not read (a bug in liminal's partial reads)",
                self.mirror.schemas[mi].warehouse_name
            )));
        }
        self.resolve_fields(mi).await?;
        let (cur, want) = (self.mirror.schemas[mi].clone(), self.after.schemas[k].clone());
        let existing: HashSet<&str> = cur.fields.iter().map(|c| c.id.as_str()).collect();
        let items: Vec<Value> =
            want.fields.iter().map(|f| wire::field_input(self.after, f, existing.contains(f.id.as_str()))).collect();
        let path = format!("/api/v3/{}/{}:set-field-definitions", want.entity_type.endpoint(), want.id);
        let body = json!({ "fieldDefinitions": items });
        let answer = self.send(&Request::write(Method::POST, &path, body, Kind::Write)).await?;
        let link = wire::parse_task_link(&answer).map_err(|e| wire_error("POST", &path, e))?;
        let result = self.wait_for(&link).await?;
        // The task's result may list the fields with their ids; otherwise read them when needed.
        let listed: Vec<Field> = result
            .get("fieldDefinitions")
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(|v| wire::field_from_v3(v).ok()).collect())
            .unwrap_or_default();
        let listed: HashMap<&str, &str> = listed.iter().map(|l| (l.warehouse_name.as_str(), l.id.as_str())).collect();
        let mut renames = HashMap::new();
        for f in want.fields.iter().filter(|f| !existing.contains(f.id.as_str())) {
            match listed.get(f.warehouse_name.as_str()) {
                Some(id) => {
                    renames.insert(f.id.clone(), id.to_string());
                }
                None => {
                    self.unresolved.insert(f.id.clone());
                }
            }
        }
        renames.retain(|from, to| from != to);
        self.rename_all(renames);
        self.mirror.schemas[mi].fields = self.after.schemas[k].fields.clone();
        Ok(())
    }

    /// Poll a `:set-field-definitions` task until it completes; its `result` (or null).
    async fn wait_for(&mut self, link: &wire::TaskLink) -> Result<Value, TenantError> {
        let path = wire::polling_path(&link.polling_uri);
        let started = Instant::now();
        let mut wait = self.poll.first;
        loop {
            tokio::time::sleep(wait).await;
            let body = self.send(&Request::get(&path)).await?;
            let (status, message) = wire::parse_task_status(&body).map_err(|e| wire_error("GET", &path, e))?;
            match status {
                TaskStatus::Completed => return Ok(body.get("result").cloned().unwrap_or(Value::Null)),
                TaskStatus::Failed => {
                    return Err(TenantError::Http(format!(
                        "Benchling's task {} (set field definitions) failed: {message}",
                        link.task_id
                    )));
                }
                TaskStatus::NotStarted | TaskStatus::InProgress => {}
            }
            if started.elapsed() >= self.poll.limit {
                self.uncertain = true;
                return Err(TenantError::Http(format!(
                    "Benchling's task {} (set field definitions) did not finish within {} s",
                    link.task_id,
                    self.poll.limit.as_secs()
                )));
            }
            wait = (wait * 2).min(self.poll.max_interval);
        }
    }

    /// Learn the real ids of mirror schema `mi`'s fields that were created without them.
    async fn resolve_fields(&mut self, mi: usize) -> Result<(), TenantError> {
        let s = &self.mirror.schemas[mi];
        if !s.fields.iter().any(|f| self.unresolved.contains(&f.id)) {
            return Ok(());
        }
        let (t, id) = (s.entity_type, s.id.clone());
        let server = read::list_fields(self.client, t, &id).await?;
        let pending: Vec<Field> =
            self.mirror.schemas[mi].fields.iter().filter(|f| self.unresolved.contains(&f.id)).cloned().collect();
        let by_name: HashMap<&str, &str> = server.iter().map(|x| (x.warehouse_name.as_str(), x.id.as_str())).collect();
        let mut renames = HashMap::new();
        for f in pending {
            let real = by_name.get(f.warehouse_name.as_str()).ok_or_else(|| {
                TenantError::Http(format!("field `{}` was created but schema {id} does not list it", f.warehouse_name))
            })?;
            renames.insert(f.id.clone(), real.to_string());
        }
        let real: Vec<String> = renames.values().cloned().collect();
        self.rename_all(renames);
        for r in real {
            self.unresolved.remove(&r);
        }
        Ok(())
    }

    /// Learn the real ids of mirror dropdown `mi`'s options that were created without them.
    async fn resolve_options(&mut self, mi: usize) -> Result<(), TenantError> {
        let d: &Dropdown = &self.mirror.dropdowns[mi];
        if !d.options.iter().any(|o| self.unresolved.contains(&o.id)) {
            return Ok(());
        }
        let id = d.id.clone();
        let server = read::list_options(self.client, &id).await?;
        let pending: Vec<_> =
            self.mirror.dropdowns[mi].options.iter().filter(|o| self.unresolved.contains(&o.id)).cloned().collect();
        let by_name: HashMap<&str, &str> = server.iter().map(|x| (x.name.as_str(), x.id.as_str())).collect();
        let mut renames = HashMap::new();
        for o in pending {
            let real = by_name.get(o.name.as_str()).ok_or_else(|| {
                TenantError::Http(format!("option `{}` was created but dropdown {id} does not list it", o.name))
            })?;
            renames.insert(o.id.clone(), real.to_string());
        }
        let real: Vec<String> = renames.values().cloned().collect();
        self.rename_all(renames);
        for r in real {
            self.unresolved.remove(&r);
        }
        Ok(())
    }

    async fn resolve_everything(&mut self) -> Result<(), TenantError> {
        for mi in 0..self.mirror.schemas.len() {
            self.resolve_fields(mi).await?;
        }
        for mi in 0..self.mirror.dropdowns.len() {
            self.resolve_options(mi).await?;
        }
        Ok(())
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
