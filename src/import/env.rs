//! The tenants `liminal/env.py` connects to: its `BenchlingConnection(...)` calls, read without
//! running them, as `liminal.yaml` tenants. Secrets are never copied: a secret read from the
//! environment (`os.environ["X"]`, `os.environ.get("X", …)`, `os.getenv("X")`) becomes
//! `client_id_env: X`; a secret written in env.py itself is left for the user to move into a
//! variable (the tenant is written commented out, saying so).

use tree_sitter::Node;

use super::python::{Located, PyFile, Value};

/// One `BenchlingConnection` of env.py.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyTenant {
    /// `tenant_name`: the host is `https://{tenant_name}.benchling.com`.
    pub name: String,
    pub alias: Option<String>,
    /// The environment variables holding the client id and secret, when env.py reads them so.
    pub client_id_env: Option<String>,
    pub client_secret_env: Option<String>,
    /// `TenantConfigFlags(schemas_enable_change_warehouse_name=True)`.
    pub custom_warehouse_names: bool,
    /// Where the call stands in env.py (1-based line).
    pub line: usize,
}

impl PyTenant {
    /// The tenant as `liminal.yaml` lines under `tenants:` (two-space indented); commented out
    /// when env.py does not read its secrets from the environment.
    pub fn yaml(&self) -> String {
        let mut lines = vec![format!("{}:", key(&self.name))];
        lines.push(format!("  url: https://{}.benchling.com", self.name));
        let id = self.client_id_env.as_deref();
        let secret = self.client_secret_env.as_deref();
        lines.push(format!("  client_id_env: {}", key(id.unwrap_or("BENCHLING_CLIENT_ID"))));
        lines.push(format!("  client_secret_env: {}", key(secret.unwrap_or("BENCHLING_CLIENT_SECRET"))));
        if let Some(alias) = &self.alias {
            lines.push(format!("  alias: {}", key(alias)));
        }
        if self.custom_warehouse_names {
            lines.push("  custom_warehouse_names: true".into());
        }
        let mut out = format!("  # from liminal/env.py line {}\n", self.line);
        let commented = id.is_none() || secret.is_none();
        if commented {
            out.push_str(
                "  # env.py does not read this tenant's client id and secret from environment variables:\n  # put them in the variables named below, then uncomment.\n",
            );
        }
        for l in lines {
            out.push_str(if commented { "  # " } else { "  " });
            out.push_str(&l);
            out.push('\n');
        }
        out
    }
}

/// A YAML key or value: plain when simple, JSON-quoted otherwise.
fn key(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && s.starts_with(|c: char| c.is_ascii_alphabetic());
    if plain { s.to_string() } else { serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}")) }
}

/// Every `BenchlingConnection(...)` call in env.py, in file order. Calls whose arguments are not
/// literals (or environment reads) are skipped: this only helps write liminal.yaml.
pub fn tenants(env: &PyFile) -> Vec<PyTenant> {
    let mut out = Vec::new();
    calls(env, env.root(), &mut out);
    out
}

fn calls(env: &PyFile, node: Node<'_>, out: &mut Vec<PyTenant>) {
    if node.kind() == "call"
        && node
            .child_by_field_name("function")
            .and_then(|f| env.dotted(f))
            .is_some_and(|f| f.rsplit('.').next() == Some("BenchlingConnection"))
    {
        if let Some(t) = connection(env, node) {
            out.push(t);
        }
        return;
    }
    for child in env.children(node) {
        calls(env, child, out);
    }
}

fn connection(env: &PyFile, node: Node<'_>) -> Option<PyTenant> {
    let arguments = node.child_by_field_name("arguments")?;
    let mut t = PyTenant {
        name: String::new(),
        alias: None,
        client_id_env: None,
        client_secret_env: None,
        custom_warehouse_names: false,
        line: env.at(node).0,
    };
    for a in env.children(arguments) {
        if a.kind() != "keyword_argument" {
            continue;
        }
        let (Some(name), Some(value)) = (a.child_by_field_name("name"), a.child_by_field_name("value")) else {
            continue;
        };
        match env.text(name) {
            "tenant_name" => t.name = literal(env, value)?,
            "tenant_alias" => t.alias = literal(env, value),
            "api_client_id" => t.client_id_env = environment_variable(env, value),
            "api_client_secret" => t.client_secret_env = environment_variable(env, value),
            "config_flags" => {
                t.custom_warehouse_names = matches!(env.value(value), Ok(Located { value: Value::Call { kwargs, .. }, .. })
                    if kwargs.iter().any(|(k, v)| k == "schemas_enable_change_warehouse_name" && v.value == Value::Bool(true)));
            }
            _ => {}
        }
    }
    (!t.name.is_empty()).then_some(t)
}

fn literal(env: &PyFile, node: Node<'_>) -> Option<String> {
    match env.value(node) {
        Ok(Located { value: Value::Str(s), .. }) => Some(s),
        _ => None,
    }
}

/// `os.environ["X"]`, `os.environ.get("X"[, default])`, `os.getenv("X"[, default])`: `X`.
fn environment_variable(env: &PyFile, node: Node<'_>) -> Option<String> {
    match node.kind() {
        "subscript" => {
            let value = node.child_by_field_name("value").and_then(|v| env.dotted(v))?;
            if !value.ends_with("environ") {
                return None;
            }
            literal(env, node.child_by_field_name("subscript")?)
        }
        "call" => {
            let function = node.child_by_field_name("function").and_then(|f| env.dotted(f))?;
            if !(function.ends_with("environ.get") || function.ends_with("getenv")) {
                return None;
            }
            let first = env.children(node.child_by_field_name("arguments")?).into_iter().next()?;
            literal(env, first)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn connections_become_tenants_without_secrets() {
        let text = r#"import os
from liminal.connection import BenchlingConnection, TenantConfigFlags

prod = BenchlingConnection(
    tenant_name="pizzahouse-prod",
    tenant_alias="prod",
    api_client_id=os.environ["PROD_ID"],
    api_client_secret=os.getenv("PROD_SECRET"),
    config_flags=TenantConfigFlags(schemas_enable_change_warehouse_name=True),
)
test = BenchlingConnection(tenant_name="pizzahouse-test", api_client_id="abc", api_client_secret="s3cret")
"#;
        let env = PyFile::parse(Path::new("env.py"), text).unwrap();
        let t = tenants(&env);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].client_id_env.as_deref(), Some("PROD_ID"));
        assert_eq!(t[0].client_secret_env.as_deref(), Some("PROD_SECRET"));
        assert!(t[0].custom_warehouse_names);
        let yaml = t[0].yaml();
        assert!(yaml.contains("\n  pizzahouse-prod:\n    url: https://pizzahouse-prod.benchling.com\n"), "{yaml}");
        assert!(yaml.contains("    alias: prod\n    custom_warehouse_names: true\n"), "{yaml}");
        let yaml = t[1].yaml();
        assert!(!yaml.contains("s3cret") && !yaml.contains("abc"), "{yaml}");
        assert!(yaml.contains("  # pizzahouse-test:\n"), "{yaml}");
    }
}
