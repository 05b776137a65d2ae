//! One push: the requests that bring the tenant from what it holds (`mirror`) to what it should
//! hold (`after`), request by request: creates (looked for after an unknown outcome, never sent
//! twice blindly), PATCHes, `:set-field-definitions` with task polling, and the ids the server
//! assigns put in place of the simulation's (see [`super::apply`]).

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use reqwest::Method;
use serde_json::{Value, json};

use super::PollConfig;
use super::client::{Client, Kind};
use super::http_error::HttpError;
use super::ids::rename_ids;
use super::read::{self, DROPDOWNS_PATH, wire_error};
use super::request::Request;
use super::retry::RetryPolicy;
use crate::schema::{EntityType, SEQUENCE_CONSTRAINTS};
use crate::state::{Dropdown, Field, Schema, TenantState};
use crate::tenant::TenantError;
use crate::wire::{self, BenchlingNames, TaskStatus};

const DROPDOWN_CREATE_PATH: &str = "/api/v2/dropdowns";

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
pub(super) struct Sync<'a> {
    pub(super) client: &'a Client,
    pub(super) poll: &'a PollConfig,
    pub(super) unresolved: &'a mut HashSet<String>,
    pub(super) mirror: &'a mut TenantState,
    pub(super) after: &'a mut TenantState,
    /// A write failed without telling whether it landed.
    pub(super) uncertain: bool,
}

impl Sync<'_> {
    pub(super) async fn run(&mut self) -> Result<(), TenantError> {
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
                let mut e = e;
                e.message.push_str(" (checked: it was not created)");
                return Err(TenantError::Http(Box::new(e)));
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
                TenantError::answer(format!("dropdown `{}` was created without its option `{}`", d.name, o.name))
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
            return Err(TenantError::internal(format!(
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
            return Err(TenantError::internal(format!(
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
                    return Err(TenantError::answer(format!(
                        "Benchling's task {} (set field definitions) failed: {message}",
                        link.task_id
                    )));
                }
                TaskStatus::NotStarted | TaskStatus::InProgress => {}
            }
            if started.elapsed() >= self.poll.limit {
                self.uncertain = true;
                return Err(TenantError::answer(format!(
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
                TenantError::answer(format!(
                    "field `{}` was created but schema {id} does not list it",
                    f.warehouse_name
                ))
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
                TenantError::answer(format!("option `{}` was created but dropdown {id} does not list it", o.name))
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

    pub(super) async fn resolve_everything(&mut self) -> Result<(), TenantError> {
        for mi in 0..self.mirror.schemas.len() {
            self.resolve_fields(mi).await?;
        }
        for mi in 0..self.mirror.dropdowns.len() {
            self.resolve_options(mi).await?;
        }
        Ok(())
    }
}
