//! The tenants `liminal/env.py` connects to: its `BenchlingConnection(...)` calls, read without
//! running them, as `liminal.yaml` tenants. Secrets are never copied: a secret read from the
//! environment (`os.environ["X"]`, `os.environ.get("X", …)`, `os.getenv("X")`) becomes
//! `client_id_env: X`; a secret written in env.py itself is left for the user to move into a
//! variable (the tenant is written commented out, saying so).

use tree_sitter::Node;

use super::python::{Located, PyFile, Value};

/// One `BenchlingConnection` of env.py.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PyTenant {
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
    pub(crate) fn yaml(&self) -> String {
        self.block(None)
    }

    /// [`PyTenant::yaml`], commented out with `clash` as the reason when given.
    fn block(&self, clash: Option<&str>) -> String {
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
        let commented = id.is_none() || secret.is_none() || clash.is_some();
        if let Some(clash) = clash {
            out.push_str(&format!("  # {clash}: rename it, then uncomment.\n"));
        } else if commented {
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

/// The `liminal.yaml` of a new project for env.py's `tenants`: `init`'s local tenant, then each
/// of them. The local tenant is `dev` unless a Python tenant is called so (its name or alias, as
/// `liminal current dev` runs against it in Python Liminal); it has `custom_warehouse_names` when
/// every Python tenant has (it stands for them, and Liminal's revisions then use custom names).
/// A Python tenant whose name or alias another one already uses is written commented out, so
/// the file always loads.
pub(crate) fn project_config(tenants: &[PyTenant]) -> String {
    let used = |n: &str| tenants.iter().any(|t| t.name == n || t.alias.as_deref() == Some(n));
    let local = ["dev", "local", "local_dev"].into_iter().find(|n| !used(n)).unwrap_or("liminal_local");
    let custom = !tenants.is_empty() && tenants.iter().all(|t| t.custom_warehouse_names);
    let mut out = format!(
        "# liminal project: see README for all keys.\nschemas: schemas\nversions: versions\ntenants:\n  {local}:\n    local: .liminal/{local}.json\n"
    );
    if custom {
        out.push_str("    custom_warehouse_names: true   # as env.py's tenants (TenantConfigFlags)\n");
    } else {
        out.push_str(
            "    # custom_warehouse_names: true   # only if Benchling support turned on\n    #   SCHEMAS_ENABLE_CHANGE_WAREHOUSE_NAME on the tenant this one stands for\n",
        );
    }
    if tenants.is_empty() {
        out.push_str(
            "  # prod:\n  #   url: https://YOUR-TENANT.benchling.com\n  #   client_id_env: BENCHLING_PROD_CLIENT_ID\n  #   client_secret_env: BENCHLING_PROD_CLIENT_SECRET\n  #   alias: production\n",
        );
        return out;
    }
    out.push_str("  # The tenants of the Python project's liminal/env.py:\n");
    let mut taken = vec![local.to_string()];
    for t in tenants {
        let names: Vec<&str> = std::iter::once(t.name.as_str()).chain(t.alias.as_deref()).collect();
        let clash = names.iter().find(|n| taken.iter().any(|k| k == *n));
        match clash {
            Some(n) => out.push_str(&t.block(Some(&format!("`{n}` names another tenant above")))),
            None => {
                taken.extend(names.iter().map(|n| n.to_string()));
                out.push_str(&t.yaml());
            }
        }
    }
    out
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
pub(super) fn tenants(env: &PyFile) -> Vec<PyTenant> {
    let mut out = Vec::new();
    calls(env, env.root(), &mut out);
    out
}

fn calls(env: &PyFile, node: Node<'_>, out: &mut Vec<PyTenant>) {
    super::python::walk(env, node, |node| {
        let connects = node.kind() == "call"
            && node
                .child_by_field_name("function")
                .and_then(|f| env.dotted(f))
                .is_some_and(|f| f.rsplit('.').next() == Some("BenchlingConnection"));
        if connects && let Some(t) = connection(env, node) {
            out.push(t);
        }
        !connects
    });
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

    /// The new liminal.yaml loads whatever names env.py's connections use: names and aliases that
    /// clash with the local tenant or with each other.
    #[test]
    fn the_new_config_always_loads() {
        let text = r#"import os
from liminal.connection import BenchlingConnection
a = BenchlingConnection(tenant_name="pizzahouse", tenant_alias="dev", api_client_id=os.environ["A"], api_client_secret=os.environ["B"])
b = BenchlingConnection(tenant_name="dev", tenant_alias="local", api_client_id=os.environ["A"], api_client_secret=os.environ["B"])
c = BenchlingConnection(tenant_name="pizzahouse", api_client_id=os.environ["A"], api_client_secret=os.environ["B"])
"#;
        let env = PyFile::parse(Path::new("env.py"), text).unwrap();
        let config = project_config(&tenants(&env));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(crate::project::CONFIG_FILE);
        std::fs::write(&path, &config).unwrap();
        let project = crate::project::Project::load(&path).unwrap_or_else(|e| panic!("{e}\n{config}"));
        let names: Vec<&str> = project.tenants.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names.len(), 2, "{config}");
        assert!(names.contains(&"local_dev") && names.contains(&"pizzahouse"), "{config}");
        assert_eq!(project.tenant("dev").map(|t| t.name.as_str()).ok(), Some("pizzahouse"));
        assert!(config.contains("  # `pizzahouse` names another tenant above"), "{config}");
    }
}
