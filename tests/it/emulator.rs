//! The emulator over HTTP, in process on 127.0.0.1: shapes, paging, `archived.anyOf`,
//! `:set-field-definitions` rules, auth and token expiry, faults, the request log, the admin
//! state API and the state file.

use liminal::emulator::{EmulatorConfig, RunningEmulator, spawn};
use reqwest::Method;
use serde_json::{Value, json};

struct Emu {
    emu: RunningEmulator,
    http: reqwest::Client,
    token: String,
}

struct Resp {
    status: u16,
    body: Value,
    headers: reqwest::header::HeaderMap,
}

async fn start_with(config: EmulatorConfig) -> Emu {
    let (id, secret) = (config.client_id.clone(), config.client_secret.clone());
    let emu = spawn(config).await.unwrap();
    let http = reqwest::Client::new();
    let token = fetch_token(&http, &emu.url(), &id, &secret).await;
    Emu { emu, http, token }
}

async fn start() -> Emu {
    start_with(EmulatorConfig::default()).await
}

async fn fetch_token(http: &reqwest::Client, base: &str, id: &str, secret: &str) -> String {
    let r = http
        .post(format!("{base}/api/v2/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["token_type"], "Bearer");
    v["access_token"].as_str().unwrap().to_string()
}

impl Emu {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        let mut req = self.http.request(method, format!("{}{path}", self.emu.url())).bearer_auth(&self.token);
        if path.starts_with("/api/v3") {
            req = req.header("EARLY-ACCESS", "true");
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap();
        let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() };
        Resp { status, body, headers }
    }

    async fn get(&self, path: &str) -> Resp {
        self.call(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Resp {
        self.call(Method::POST, path, Some(body)).await
    }

    async fn patch(&self, path: &str, body: Value) -> Resp {
        self.call(Method::PATCH, path, Some(body)).await
    }

    async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, format!("{}/__emulator/{path}", self.emu.url()));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        assert!(r.status().is_success(), "admin {path}: {}", r.status());
        r.json().await.unwrap()
    }

    /// A dropdown (v2 create) and a custom-entity schema `pizza` with a dropdown field, a
    /// decimal with a unit and a text field; returns (dropdown id, schema id).
    async fn seed(&self) -> (String, String) {
        let d = self
            .post("/api/v2/dropdowns", json!({"name": "Toppings", "options": [{"name": "Cheese"}, {"name": "Ham"}], "registryId": "src_local"}))
            .await;
        assert_eq!(d.status, 200, "{}", d.body);
        let dd = d.body["id"].as_str().unwrap().to_string();
        let s = self
            .post(
                "/api/v3/custom-entity-schema",
                json!({
                    "name": "Pizza", "systemName": "pizza", "itemIdPrefix": "PI", "organizationId": "ent_local",
                    "description": "",
                    "fieldDefinitions": [
                        {"name": "Toppings", "systemName": "toppings", "type": "DROPDOWN", "isRequired": false, "isMulti": true, "dropdownId": dd},
                        {"name": "Weight", "systemName": "weight", "type": "FLOAT", "isRequired": false, "unitId": "unit_g", "displayPrecision": 2},
                        {"name": "Notes", "systemName": "notes", "type": "TEXT", "isRequired": false, "description": "free text"}
                    ],
                    "availableRegistrationNamingOptions": ["NEW_IDS"],
                    "constraint": {"fieldDefinitionNames": ["Notes"]},
                    "includeRegistryIdInChips": false, "useRegistryIdForItemDisplayLabel": false
                }),
            )
            .await;
        assert_eq!(s.status, 201, "{}", s.body);
        (dd, s.body["id"].as_str().unwrap().to_string())
    }

    async fn fields(&self, schema: &str) -> Vec<Value> {
        let r = self
            .get(&format!("/api/v3/custom-entity-schema/{schema}/field-definitions/items?archived.anyOf=true,false"))
            .await;
        assert_eq!(r.status, 200);
        r.body["items"].as_array().unwrap().clone()
    }

    async fn set_fields(&self, schema: &str, items: Value) -> Resp {
        self.post(
            &format!("/api/v3/custom-entity-schema/{schema}:set-field-definitions"),
            json!({"fieldDefinitions": items}),
        )
        .await
    }

    /// Poll a task link's path until it is no longer in progress; returns the last body.
    async fn poll(&self, link: &Value) -> Value {
        let path = liminal::wire::polling_path(link["pollingUri"].as_str().unwrap());
        for _ in 0..10 {
            let r = self.get(&path).await;
            assert_eq!(r.status, 200);
            if r.body["status"] != "IN_PROGRESS" {
                return r.body;
            }
        }
        panic!("task never finished");
    }
}

#[tokio::test]
async fn schemas_and_fields_have_liminal_shapes() {
    let e = start().await;
    let (dd, id) = e.seed().await;
    let list = e.get("/api/v3/custom-entity-schema/items?archived.anyOf=true,false&pageSize=100").await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["nextToken"], "");
    let s = &list.body["items"][0];
    for key in ["__typename", "id", "name", "systemName", "description", "archived", "archiveReason", "createdAt"] {
        assert!(s.get(key).is_some(), "{key}");
    }
    for key in ["modifiedAt", "itemIdPrefix", "iconId", "organization", "fieldDefinitions"] {
        assert!(s.get(key).is_some(), "{key}");
    }
    assert_eq!(s["__typename"], "CustomEntitySchema");
    assert!(s["fieldDefinitions"].as_str().unwrap().contains(".benchling.com/"));
    assert_eq!(s["constraint"], json!({"fieldDefinitionNames": ["Notes"], "hasUniqueResidues": false}));
    assert!(s.get("showResidues").is_none());
    // Every other family answers, empty.
    for family in
        ["entry", "aa-sequence", "dna-sequence", "dna-oligo", "mixture", "molecule", "rna-oligo", "rna-sequence"]
    {
        let r = e.get(&format!("/api/v3/{family}-schema/items?archived.anyOf=true,false")).await;
        assert_eq!((r.status, r.body["items"].as_array().map(Vec::len)), (200, Some(0)), "{family}");
    }
    assert_eq!(e.get(&format!("/api/v3/custom-entity-schema/{id}")).await.body["id"], id.as_str());
    assert_eq!(e.get(&format!("/api/v3/dna-sequence-schema/{id}")).await.status, 404);
    let f = e.fields(&id).await;
    assert_eq!(f[0]["__typename"], "DropdownLinkFieldDefinition");
    assert_eq!(f[0]["linkDefinition"], json!({"__typename": "Dropdown", "id": dd}));
    assert_eq!(f[0]["isMulti"], true);
    assert_eq!(f[1]["__typename"], "FloatFieldDefinition");
    assert_eq!((&f[1]["unit"]["id"], &f[1]["displayPrecision"]), (&json!("unit_g"), &json!(2)));
    assert_eq!((&f[2]["description"], &f[1]["description"]), (&json!("free text"), &Value::Null));
    // v2 dropdown detail and v3 dropdown/options.
    let d = e.get(&format!("/api/v2/dropdowns/{dd}")).await.body;
    assert_eq!(d["options"].as_array().unwrap().len(), 2);
    assert_eq!(d["archiveRecord"], Value::Null);
    let opts = e.get(&format!("/api/v3/dropdown/{dd}/options/items?archived.anyOf=false")).await.body;
    assert_eq!(opts["items"][1]["__typename"], "DropdownOption");
    // Registries and units.
    let reg = e.get("/api/v2/registries").await.body;
    assert_eq!(reg["registries"][0]["owner"]["id"], "ent_local");
    let units = e.get("/api/v2-alpha/unit-types?pageSize=50").await.body;
    assert_eq!((&units["unitTypes"][0]["units"][0]["id"], &units["nextToken"]), (&json!("unit_g"), &json!("")));
    // Entry schemas are read-only; clashes are 409.
    assert_eq!(e.post("/api/v3/entry-schema", json!({})).await.status, 405);
    let again = e
        .post(
            "/api/v3/custom-entity-schema",
            json!({"name": "Other", "systemName": "other", "itemIdPrefix": "PI", "organizationId": "ent_local", "description": ""}),
        )
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(again.headers["content-type"], "application/problem+json");
    e.emu.stop().await.unwrap();
}

#[tokio::test]
async fn lists_page_and_filter_archived() {
    let e = start().await;
    for i in 0..5 {
        let r = e
            .post("/api/v3/dropdown", json!({"name": format!("D{i}"), "registryId": "src_local", "options": []}))
            .await;
        assert_eq!(r.status, 201);
    }
    let id3 = e.get("/api/v3/dropdown/items?name.anyOf=d3").await.body["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        e.patch(&format!("/api/v3/dropdown/{id3}"), json!({"archived": true, "archiveReason": "Retired"})).await.status,
        200
    );

    let mut names = Vec::new();
    let mut token = String::new();
    let mut pages = 0;
    loop {
        let r = e.get(&format!("/api/v3/dropdown/items?archived.anyOf=true,false&pageSize=2&nextToken={token}")).await;
        assert_eq!(r.status, 200);
        pages += 1;
        names.extend(r.body["items"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap().to_string()));
        token = r.body["nextToken"].as_str().unwrap().to_string();
        if token.is_empty() {
            break;
        }
    }
    assert_eq!((pages, names), (3, vec!["D0", "D1", "D2", "D3", "D4"].into_iter().map(String::from).collect()));
    let active = e.get("/api/v3/dropdown/items").await.body;
    assert_eq!(active["items"].as_array().unwrap().len(), 4, "absent archived.anyOf lists unarchived only");
    let archived = e.get("/api/v3/dropdown/items?archived.anyOf=true").await.body;
    assert_eq!(archived["items"][0]["archiveReason"], "Made in error");
    assert_eq!(archived["items"].as_array().unwrap().len(), 1);
    // v2 lists archived dropdowns too, and pages the same way.
    let v2 = e.get("/api/v2/dropdowns?pageSize=3").await;
    assert_eq!(
        (v2.body["dropdowns"].as_array().unwrap().len(), v2.headers["result-count"].to_str().unwrap()),
        (3, "5")
    );
    let rest =
        e.get(&format!("/api/v2/dropdowns?pageSize=3&nextToken={}", v2.body["nextToken"].as_str().unwrap())).await;
    assert_eq!((rest.body["dropdowns"].as_array().unwrap().len(), &rest.body["nextToken"]), (2, &json!("")));
    // Bad parameters are 400s in the right envelope.
    let big = e.get("/api/v3/dropdown/items?pageSize=101").await;
    assert_eq!((big.status, big.headers["content-type"].to_str().unwrap()), (400, "application/problem+json"));
    assert_eq!(e.get("/api/v3/dropdown/items?archived.anyOf=maybe").await.status, 400);
    let bad = e.get("/api/v2/dropdowns?nextToken=garbage").await;
    assert_eq!((bad.status, &bad.body["error"]["type"]), (400, &json!("invalid_request_error")));
    e.emu.stop().await.unwrap();
}

#[tokio::test]
async fn set_field_definitions_replaces_the_list_with_benchlings_rules() {
    let e = start().await;
    let (dd, id) = e.seed().await;
    let target = e
        .post(
            "/api/v3/custom-entity-schema",
            json!({"name": "Dough", "systemName": "dough", "itemIdPrefix": "DO", "organizationId": "ent_local", "description": ""}),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let f = e.fields(&id).await;
    let (t, w, n) = (f[0]["id"].clone(), f[1]["id"].clone(), f[2]["id"].clone());
    let toppings = json!({"id": t, "name": "Toppings", "systemName": "toppings", "type": "DROPDOWN", "isRequired": false, "isMulti": true, "dropdownId": dd});
    let weight = json!({"id": w, "name": "Weight", "systemName": "weight", "type": "FLOAT", "isRequired": false, "unitId": "unit_g", "displayPrecision": 2});
    let notes = json!({"id": n, "name": "Notes", "systemName": "notes", "type": "TEXT", "isRequired": false});

    // Leaving out an existing field, unknown ids, duplicates: 400 with a problem body.
    let missing = e.set_fields(&id, json!([toppings, weight])).await;
    assert_eq!(missing.status, 400);
    assert!(missing.body["detail"].as_str().unwrap().contains("missing"), "{}", missing.body);
    let unknown = json!({"id": "tsf_nope", "name": "X", "systemName": "x", "type": "TEXT", "isRequired": false});
    assert_eq!(e.set_fields(&id, json!([toppings, weight, notes, unknown])).await.status, 400);
    let dup_name = json!({"name": "Notes", "systemName": "notes2", "type": "TEXT", "isRequired": false});
    assert_eq!(e.set_fields(&id, json!([toppings, weight, notes, dup_name])).await.status, 400);
    let dup_wh = json!({"name": "Notes 2", "systemName": "notes", "type": "TEXT", "isRequired": false});
    assert_eq!(e.set_fields(&id, json!([toppings, weight, notes, dup_wh])).await.status, 400);
    let unit_change = json!({"id": w, "name": "Weight", "systemName": "weight", "type": "FLOAT", "isRequired": false, "unitId": "unit_mg"});
    assert_eq!(e.set_fields(&id, json!([toppings, unit_change, notes])).await.status, 400);
    let archived_constraint = json!({"id": n, "name": "Notes", "systemName": "notes", "type": "TEXT", "isRequired": false, "archived": true, "archiveReason": "Made in error"});
    assert_eq!(e.set_fields(&id, json!([toppings, weight, archived_constraint])).await.status, 400);
    assert_eq!(e.fields(&id).await, f, "rejected calls change nothing");

    // Reorder, archive, and a new field linking to `dough` (ENTITY_LINK with no target first).
    let link =
        json!({"name": "Dough", "systemName": "dough", "type": "ENTITY_LINK", "isRequired": true, "isMulti": false});
    let archived_weight = json!({"id": w, "name": "Weight", "systemName": "weight", "type": "FLOAT", "isRequired": false, "archived": true, "archiveReason": "Made in error", "unitId": "unit_g", "displayPrecision": 2});
    let r = e.set_fields(&id, json!([notes, link, toppings, archived_weight])).await;
    assert_eq!(r.status, 202, "{}", r.body);
    assert!(r.body["pollingUri"].as_str().unwrap().starts_with("https://emulator.benchling.com/api/v3/tasks/"));
    let task = e.poll(&r.body).await;
    assert_eq!(task["status"], "COMPLETED");
    let f = e.fields(&id).await;
    let order: Vec<_> = f.iter().map(|x| x["systemName"].as_str().unwrap()).collect();
    assert_eq!(order, ["notes", "dough", "toppings", "weight"]);
    assert!(f[1]["id"].as_str().unwrap().starts_with("tsf_"));
    assert_eq!((&f[1]["__typename"], &f[3]["archived"]), (&json!("AnyEntityLinkFieldDefinition"), &json!(true)));
    assert_eq!(task["result"]["fieldDefinitions"].as_array().unwrap().len(), 4);
    let only_active = e.get(&format!("/api/v3/custom-entity-schema/{id}/field-definitions/items")).await.body;
    assert_eq!(only_active["items"].as_array().unwrap().len(), 3);

    // The id keeps the field through a type change; no `archived` means active again.
    let typed = json!({"id": f[1]["id"], "name": "Dough", "systemName": "dough", "type": "CUSTOM_ENTITY_LINK", "isRequired": true, "isMulti": false, "isParent": false, "linkDefinitionId": target});
    let wrong = json!({"id": f[1]["id"], "name": "Dough", "systemName": "dough", "type": "DNA_SEQUENCE_LINK", "isRequired": true, "isMulti": false, "linkDefinitionId": target});
    assert_eq!(e.set_fields(&id, json!([notes, wrong, toppings, weight])).await.status, 400);
    let r = e.set_fields(&id, json!([notes, typed, toppings, weight])).await;
    assert_eq!(e.poll(&r.body).await["status"], "COMPLETED");
    let f2 = e.fields(&id).await;
    assert_eq!(f2[1]["id"], f[1]["id"]);
    assert_eq!(f2[1]["__typename"], "CustomEntityLinkFieldDefinition");
    assert_eq!(f2[1]["linkDefinition"], json!({"__typename": "CustomEntitySchema", "id": target}));
    assert_eq!((&f2[3]["archived"], &f2[3]["archiveReason"]), (&json!(false), &Value::Null));
    // Misplaced keys and unknown types are 400s too.
    let bad =
        json!({"id": n, "name": "Notes", "systemName": "notes", "type": "TEXT", "isRequired": false, "isMulti": true});
    assert_eq!(e.set_fields(&id, json!([bad, typed, toppings, weight])).await.status, 400);
    e.emu.stop().await.unwrap();
}

#[tokio::test]
async fn schema_patch_is_partial_and_unarchives() {
    let e = start().await;
    let (_, id) = e.seed().await;
    let p = e
        .patch(
            &format!("/api/v3/custom-entity-schema/{id}"),
            json!({"itemIdPrefix": "PZ", "availableRegistrationNamingOptions": ["NEW_IDS", "IDS_FROM_NAMES"]}),
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!((&p.body["itemIdPrefix"], &p.body["name"]), (&json!("PZ"), &json!("Pizza")));
    let f = e.fields(&id).await;
    let template = json!({"nameTemplate": {"nameTemplateParts": [{"type": "TEXT", "configuration": {"text": "P-"}}, {"type": "FIELD", "configuration": {"fieldId": f[2]["id"]}}], "shouldOrderPartsBySequence": false}});
    let p = e.patch(&format!("/api/v3/custom-entity-schema/{id}"), template).await;
    assert_eq!(p.body["nameTemplate"]["parts"][1]["configuration"]["field"]["id"], f[2]["id"]);
    let a = e
        .patch(
            &format!("/api/v3/custom-entity-schema/{id}"),
            json!({"archived": true, "archiveReason": "Made in error"}),
        )
        .await;
    assert_eq!((&a.body["archived"], &a.body["archiveReason"]), (&json!(true), &json!("Made in error")));
    let u = e.patch(&format!("/api/v3/custom-entity-schema/{id}"), json!({"archived": false})).await;
    assert_eq!(
        (&u.body["archived"], &u.body["archiveReason"], &u.body["itemIdPrefix"]),
        (&json!(false), &Value::Null, &json!("PZ"))
    );
    assert_eq!(e.patch(&format!("/api/v3/custom-entity-schema/{id}"), json!({"showResidues": true})).await.status, 400);
    assert_eq!(e.patch(&format!("/api/v3/custom-entity-schema/{id}"), json!({"colour": "red"})).await.status, 400);
    assert_eq!(e.patch(&format!("/api/v3/entry-schema/{id}"), json!({})).await.status, 405);
    let malformed = e
        .http
        .patch(format!("{}/api/v3/custom-entity-schema/{id}", e.emu.url()))
        .bearer_auth(&e.token)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    e.emu.stop().await.unwrap();
}

#[tokio::test]
async fn auth_needs_a_live_token_or_the_api_key() {
    let e = start().await;
    let url = e.emu.url();
    let none = e.http.get(format!("{url}/api/v2/registries")).send().await.unwrap();
    assert_eq!(none.status(), 401);
    assert!(none.headers().contains_key("x-rate-limit-limit"));
    let body: Value = none.json().await.unwrap();
    assert_eq!(body["error"]["type"], "authentication_error");
    let v3 = e.http.get(format!("{url}/api/v3/dropdown/items")).bearer_auth("forged").send().await.unwrap();
    assert_eq!(
        (v3.status().as_u16(), v3.headers()["content-type"].to_str().unwrap()),
        (401, "application/problem+json")
    );
    let key = e.http.get(format!("{url}/api/v2/registries")).basic_auth("liminal", Some("")).send().await.unwrap();
    assert_eq!(key.status(), 200, "an API key equal to the secret works");
    let wrong_key =
        e.http.get(format!("{url}/api/v2/registries")).basic_auth("sk_other", None::<&str>).send().await.unwrap();
    assert_eq!(wrong_key.status(), 401);
    // Token endpoint: form credentials, the /oauth/token alias, bad secret, bad grant.
    let form = e
        .http
        .post(format!("{url}/oauth/token"))
        .form(&[("grant_type", "client_credentials"), ("client_id", "liminal"), ("client_secret", "liminal")])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 200);
    let bad = e
        .http
        .post(format!("{url}/api/v2/token"))
        .basic_auth("liminal", Some("nope"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    assert_eq!(bad.json::<Value>().await.unwrap()["error"]["type"], "invalid_client");
    let grant = e
        .http
        .post(format!("{url}/api/v2/token"))
        .basic_auth("liminal", Some("liminal"))
        .form(&[("grant_type", "password")])
        .send()
        .await
        .unwrap();
    assert_eq!(grant.status(), 400);
    assert_eq!(grant.json::<Value>().await.unwrap()["error"]["type"], "unsupported_grant_type");
    e.emu.stop().await.unwrap();

    // A token whose lifetime is over is a 401, and a new token works: expires_in 0 expires at once.
    let e =
        start_with(EmulatorConfig { token_ttl_secs: 0, client_secret: "s3cret".into(), ..Default::default() }).await;
    let url = e.emu.url();
    let t = e
        .http
        .post(format!("{url}/api/v2/token"))
        .basic_auth("liminal", Some("s3cret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let t: Value = t.json().await.unwrap();
    assert_eq!(t["expires_in"], 0);
    let expired = e
        .http
        .get(format!("{url}/api/v2/registries"))
        .bearer_auth(t["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), 401);
    assert!(expired.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().contains("expired"));
    e.emu.stop().await.unwrap();
}

#[tokio::test]
async fn faults_fail_requests_writes_and_tasks_then_clear() {
    let e = start().await;
    let (_, id) = e.seed().await;
    let f = e.admin(Method::POST, "faults", Some(json!({"fail_next": 2, "status": 429, "reset_secs": 0}))).await;
    assert_eq!(f["fail_next"], 2);
    let first = e.get("/api/v2/registries").await;
    assert_eq!((first.status, &first.body["error"]["message"]), (429, &json!("Rate limit exceeded.")));
    assert_eq!(first.headers["x-rate-limit-reset"], "0");
    let second = e.get("/api/v3/dropdown/items").await;
    assert_eq!((second.status, &second.body["status"]), (429, &json!(429)));
    assert_eq!(e.get("/api/v2/registries").await.status, 200, "then success");

    // The 2nd write fails with 503 and changes nothing; the 3rd goes through.
    e.admin(Method::POST, "faults", Some(json!({"fail_write": 2, "write_status": 503}))).await;
    let path = format!("/api/v3/custom-entity-schema/{id}");
    assert_eq!(e.patch(&path, json!({"name": "Pizza 1"})).await.status, 200);
    assert_eq!(e.patch(&path, json!({"name": "Pizza 2"})).await.status, 503);
    assert_eq!(e.get(&path).await.body["name"], "Pizza 1");
    assert_eq!(e.patch(&path, json!({"name": "Pizza 3"})).await.status, 200);

    // Tasks: IN_PROGRESS for two polls, then COMPLETED; a failing task changes nothing.
    e.admin(Method::POST, "faults", Some(json!({"tasks_in_progress": 2}))).await;
    let items: Vec<Value> = e
        .fields(&id)
        .await
        .iter()
        .map(|f| {
            liminal::wire::field_input(
                &liminal::state::TenantState::new(),
                &liminal::wire::field_from_v3(f).unwrap(),
                true,
            )
        })
        .collect();
    let r = e.set_fields(&id, json!(items)).await;
    let poll = liminal::wire::polling_path(r.body["pollingUri"].as_str().unwrap());
    assert_eq!(e.get(&poll).await.body["status"], "IN_PROGRESS");
    assert_eq!(e.get(&poll).await.body["status"], "IN_PROGRESS");
    assert_eq!(e.get(&poll).await.body["status"], "COMPLETED");
    e.admin(Method::POST, "faults", Some(json!({"tasks_fail": true}))).await;
    let mut renamed = items.clone();
    renamed[2]["name"] = json!("Remarks");
    let r = e.set_fields(&id, json!(renamed)).await;
    assert_eq!(e.poll(&r.body).await["status"], "FAILED");
    assert_eq!(e.fields(&id).await[2]["name"], "Notes");

    // Latency is added to every response.
    e.admin(Method::POST, "faults", Some(json!({"latency_ms": 60}))).await;
    let t0 = std::time::Instant::now();
    e.get("/api/v2/registries").await;
    assert!(t0.elapsed() >= std::time::Duration::from_millis(60));
    let cleared = e.admin(Method::DELETE, "faults", None).await;
    assert_eq!((&cleared["latency_ms"], &cleared["tasks_fail"]), (&json!(0), &json!(false)));
    let bad =
        e.http.post(format!("{}/__emulator/faults", e.emu.url())).json(&json!({"status": 404})).send().await.unwrap();
    assert_eq!(bad.status(), 400);
    e.emu.stop().await.unwrap();
}

#[tokio::test]
async fn the_request_log_records_what_was_sent() {
    let e = start().await;
    e.seed().await;
    e.get("/api/v3/custom-entity-schema/items?archived.anyOf=true,false&pageSize=100").await;
    e.get("/api/v3/nowhere").await;
    let log = e.admin(Method::GET, "requests", None).await;
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 5);
    assert_eq!(
        (&log[0]["path"], &log[0]["body"]["grant_type"]),
        (&json!("/api/v2/token"), &json!("client_credentials"))
    );
    assert_eq!(log[1]["body"]["registryId"], "src_local");
    assert_eq!((&log[1]["early_access"], &log[2]["early_access"]), (&json!(false), &json!(true)));
    assert_eq!((&log[2]["method"], &log[2]["status"]), (&json!("POST"), &json!(201)));
    assert_eq!(log[3]["query"], json!({"archived.anyOf": "true,false", "pageSize": "100"}));
    assert_eq!((&log[4]["status"], &log[4]["body"]), (&json!(404), &Value::Null));
    // Secrets never reach the log.
    e.http
        .post(format!("{}/api/v2/token", e.emu.url()))
        .form(&[("grant_type", "client_credentials"), ("client_id", "liminal"), ("client_secret", "liminal")])
        .send()
        .await
        .unwrap();
    let log = e.admin(Method::GET, "requests", None).await;
    assert_eq!(log[5]["body"]["client_secret"], "***");
    assert!(!log.to_string().contains(&e.token));
    e.admin(Method::DELETE, "requests", None).await;
    assert_eq!(e.admin(Method::GET, "requests", None).await, json!([]));
    e.emu.stop().await.unwrap();
}

#[tokio::test]
async fn state_round_trips_through_the_admin_api_and_the_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tenant.json");
    let config = EmulatorConfig { state_file: Some(file.clone()), ..Default::default() };
    let e = start_with(config.clone()).await;
    assert!(!file.exists(), "nothing is written before a change");
    e.seed().await;
    let state = e.admin(Method::GET, "state", None).await;
    assert_eq!(state["schemas"][0]["warehouse_name"], "pizza");
    let on_disk: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(on_disk, state);

    let mut edited = state.clone();
    edited["schemas"][0]["name"] = json!("Renamed");
    assert_eq!(e.admin(Method::PUT, "state", Some(edited.clone())).await, edited);
    assert_eq!(e.admin(Method::GET, "state", None).await, edited);
    assert_eq!(e.get("/api/v3/custom-entity-schema/items").await.body["items"][0]["name"], "Renamed");
    let bad = e.http.put(format!("{}/__emulator/state", e.emu.url())).body("[]").send().await.unwrap();
    assert_eq!(bad.status(), 400);
    e.emu.stop().await.unwrap();

    // A restart on the same file keeps the data; reset empties it.
    let e = start_with(config).await;
    assert_eq!(e.admin(Method::GET, "state", None).await, edited);
    let fresh = e.admin(Method::POST, "reset", None).await;
    assert_eq!(fresh["schemas"], json!([]));
    let on_disk: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(on_disk["schemas"], json!([]));
    e.emu.stop().await.unwrap();
}
