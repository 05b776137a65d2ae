//! The project: `liminal.yaml` (found in the current folder or the nearest parent), its paths
//! and its tenants.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::diag::SourceProblem;
use crate::settings::TenantSettings;

pub(crate) const CONFIG_FILE: &str = "liminal.yaml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    schemas: Option<String>,
    versions: Option<String>,
    #[serde(default)]
    tenants: BTreeMap<String, Spanned<RawTenant>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTenant {
    local: Option<String>,
    url: Option<serde_saphyr::Spanned<String>>,
    client_id_env: Option<String>,
    client_secret_env: Option<String>,
    api_key_env: Option<String>,
    alias: Option<String>,
    /// Seconds before a request is abandoned.
    timeout: Option<u64>,
    /// Benchling's `SCHEMAS_ENABLE_CHANGE_WAREHOUSE_NAME` (see [`crate::settings`]).
    #[serde(default)]
    custom_warehouse_names: bool,
}

/// How a tenant is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TenantKind {
    /// A JSON file (relative paths are relative to the project root).
    Local { path: PathBuf },
    /// Benchling's API (or the emulator).
    Http { url: String, auth: AuthEnv, timeout_secs: Option<u64> },
}

/// The names of the environment variables holding a tenant's secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthEnv {
    ClientCredentials { client_id_env: String, client_secret_env: String },
    ApiKey { api_key_env: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantConfig {
    pub name: String,
    pub alias: Option<String>,
    pub kind: TenantKind,
    /// What the tenant allows; a local tenant emulates a Benchling tenant, so the same defaults.
    pub settings: TenantSettings,
}

#[derive(Debug, Clone)]
pub(crate) struct Project {
    pub root: PathBuf,
    pub schemas_dir: PathBuf,
    pub versions_dir: PathBuf,
    pub tenants: Vec<TenantConfig>,
}

/// Project-level errors.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ProjectError {
    #[error("no {CONFIG_FILE} found in {0} or any parent folder")]
    #[diagnostic(help("run `liminal init` to start a project here"))]
    NotFound(PathBuf),
    #[error("{0}")]
    Invalid(Box<SourceProblem>),
    #[error("unknown tenant `{name}`; this project has: {known}")]
    #[diagnostic(help(
        "{}use a tenant key or alias from {CONFIG_FILE}",
        crate::diag::did_you_mean(name, known.split(", "))
    ))]
    UnknownTenant { name: String, known: String },
    #[error("environment variable {0} is not set")]
    #[diagnostic(help("export {0}=… (liminal.yaml names the variable, never the secret)"))]
    MissingEnv(String),
}

/// What is wrong with a tenant's `url:`, if anything (it was found only when the first request
/// was sent, and not located in liminal.yaml).
fn url_problem(url: &str) -> Option<String> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Some("has no scheme".to_string());
    };
    if !matches!(scheme, "http" | "https") {
        return Some(format!("must start with https:// (or http://), not {scheme}://"));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Some("has no host".to_string());
    }
    None
}

impl Project {
    /// Find `liminal.yaml` in `start` or the nearest parent and load it.
    pub(crate) fn discover(start: &Path) -> Result<Project, ProjectError> {
        let mut dir = Some(start);
        while let Some(d) = dir {
            let candidate = d.join(CONFIG_FILE);
            if candidate.is_file() {
                return Project::load(&candidate);
            }
            dir = d.parent();
        }
        Err(ProjectError::NotFound(start.to_path_buf()))
    }

    pub(crate) fn load(path: &Path) -> Result<Project, ProjectError> {
        let invalid = |line: usize, col: usize, msg: String, help: &str, text: &Arc<String>| {
            ProjectError::Invalid(Box::new(
                SourceProblem::new(path, line, col, msg).with_help(help).with_source(text.clone()),
            ))
        };
        let text = Arc::new(std::fs::read_to_string(path).map_err(|e| {
            ProjectError::Invalid(Box::new(
                SourceProblem::unlocated(path, format!("cannot read the file: {e}"))
                    .with_help("check the file's permissions"),
            ))
        })?);
        let mut options = serde_saphyr::Options::default();
        options.strict_booleans = true;
        let raw: RawConfig = serde_saphyr::from_str_with_options(&text, options).map_err(|e| {
            let (line, col) = e.location().map_or((1, 1), |l| (l.line() as usize, l.column() as usize));
            let msg = e.without_snippet().to_string();
            let (msg, _) =
                crate::schema::load::yaml_error(&text, line, col, msg.lines().next().unwrap_or("invalid YAML"));
            invalid(line, col, msg, "see the README for liminal.yaml's keys", &text)
        })?;
        let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let raw_names: Vec<String> = raw.tenants.keys().cloned().collect();
        let mut tenants: Vec<TenantConfig> = Vec::new();
        for (name, t) in raw.tenants {
            let at = t.referenced;
            let (line, col) = (at.line() as usize, at.column() as usize);
            let t = t.value;
            let kind = match (&t.local, &t.url) {
                (Some(local), None) => TenantKind::Local { path: root.join(local) },
                (None, Some(spanned)) => {
                    let url = &spanned.value;
                    let at = spanned.referenced;
                    if let Some(problem) = url_problem(url) {
                        return Err(invalid(
                            at.line() as usize,
                            at.column() as usize,
                            format!("the url `{url}` of tenant `{name}` {problem}"),
                            "write the tenant's address with its scheme: `url: https://YOUR-TENANT.benchling.com` (the emulator: `http://127.0.0.1:PORT`)",
                            &text,
                        ));
                    }
                    let auth = match (&t.client_id_env, &t.client_secret_env, &t.api_key_env) {
                        (Some(id), Some(secret), None) => {
                            AuthEnv::ClientCredentials { client_id_env: id.clone(), client_secret_env: secret.clone() }
                        }
                        (None, None, Some(key)) => AuthEnv::ApiKey { api_key_env: key.clone() },
                        _ => {
                            return Err(invalid(
                                line,
                                col,
                                format!("tenant `{name}` needs client_id_env and client_secret_env, or api_key_env"),
                                "name the environment variables that hold the credentials",
                                &text,
                            ));
                        }
                    };
                    TenantKind::Http { url: url.trim_end_matches('/').to_string(), auth, timeout_secs: t.timeout }
                }
                _ => {
                    return Err(invalid(
                        line,
                        col,
                        format!("tenant `{name}` needs exactly one of `local:` or `url:`"),
                        "use `local: .liminal/NAME.json` for a local tenant, or `url: https://…` for Benchling",
                        &text,
                    ));
                }
            };
            // A name on the command line must pick one tenant: an alias that is another tenant's
            // key or alias would silently pick whichever sorts first.
            let clash = t.alias.as_ref().and_then(|alias| {
                let key = raw_names.iter().find(|n| *n == alias && **n != name);
                let other = tenants.iter().find(|o| o.alias.as_ref() == Some(alias)).map(|o| &o.name);
                key.or(other).map(|other| (alias, other.clone()))
            });
            if let Some((alias, other)) = clash {
                return Err(invalid(
                    line,
                    col,
                    format!("alias `{alias}` of tenant `{name}` also names tenant `{other}`"),
                    "give every tenant a key and alias that no other tenant uses",
                    &text,
                ));
            }
            let settings = TenantSettings { custom_warehouse_names: t.custom_warehouse_names };
            tenants.push(TenantConfig { name, alias: t.alias, kind, settings });
        }
        Ok(Project {
            schemas_dir: root.join(raw.schemas.as_deref().unwrap_or("schemas")),
            versions_dir: root.join(raw.versions.as_deref().unwrap_or("versions")),
            root,
            tenants,
        })
    }

    /// A tenant by key or alias.
    pub(crate) fn tenant(&self, name: &str) -> Result<&TenantConfig, ProjectError> {
        self.tenants.iter().find(|t| t.name == name || t.alias.as_deref() == Some(name)).ok_or_else(|| {
            ProjectError::UnknownTenant {
                name: name.to_string(),
                known: self.tenants.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", "),
            }
        })
    }
}

/// Read a secret from the environment; the error names the variable, never a value.
pub(crate) fn secret(var: &str) -> Result<String, ProjectError> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Ok(v),
        _ => Err(ProjectError::MissingEnv(var.to_string())),
    }
}

/// The `liminal.yaml` that `init` writes.
pub(crate) fn default_config() -> &'static str {
    "# liminal project: see README for all keys.\n\
     schemas: schemas\n\
     versions: versions\n\
     tenants:\n\
     \x20 dev:\n\
     \x20   local: .liminal/dev.json\n\
     \x20   # custom_warehouse_names: true   # only if Benchling support turned on\n\
     \x20   #   SCHEMAS_ENABLE_CHANGE_WAREHOUSE_NAME on the tenant this one stands for\n\
     \x20 # prod:\n\
     \x20 #   url: https://YOUR-TENANT.benchling.com\n\
     \x20 #   client_id_env: BENCHLING_PROD_CLIENT_ID\n\
     \x20 #   client_secret_env: BENCHLING_PROD_CLIENT_SECRET\n\
     \x20 #   alias: production\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_tenants_and_finds_by_alias() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE);
        std::fs::write(
            &path,
            "tenants:\n  dev:\n    local: .liminal/dev.json\n  prod:\n    url: https://x.benchling.com/\n    api_key_env: K\n    alias: production\n",
        )
        .unwrap();
        let sub = dir.path().join("schemas/deep");
        std::fs::create_dir_all(&sub).unwrap();
        let p = Project::discover(&sub).unwrap();
        assert_eq!(p.schemas_dir, dir.path().join("schemas"));
        assert_eq!(p.tenant("production").unwrap().name, "prod");
        assert!(
            matches!(&p.tenant("prod").unwrap().kind, TenantKind::Http { url, .. } if url == "https://x.benchling.com")
        );
        assert!(p.tenant("nope").is_err());
    }

    #[test]
    fn default_config_loads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE);
        std::fs::write(&path, default_config()).unwrap();
        let p = Project::load(&path).unwrap();
        assert_eq!(p.tenants.len(), 1);
    }

    /// `liminal upgrade prod head` ran against `dev` when `dev` had the alias `prod`: the lookup
    /// takes the first tenant whose key or alias matches, in key order.
    #[test]
    fn an_alias_may_not_name_another_tenant() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE);
        for (config, line) in [
            ("tenants:\n  dev:\n    local: d.json\n    alias: prod\n  prod:\n    local: p.json\n", 3),
            ("tenants:\n  a:\n    local: a.json\n    alias: x\n  b:\n    local: b.json\n    alias: x\n", 6),
        ] {
            std::fs::write(&path, config).unwrap();
            let Err(ProjectError::Invalid(p)) = Project::load(&path) else { panic!("{config}") };
            assert_eq!(p.line, line, "{}", p.message);
        }
        std::fs::write(&path, "tenants:\n  dev:\n    local: d.json\n    alias: dev\n").unwrap();
        assert!(Project::load(&path).is_ok());
    }

    #[test]
    fn custom_warehouse_names_is_off_unless_set() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE);
        std::fs::write(
            &path,
            "tenants:\n  dev:\n    local: d.json\n  prod:\n    url: https://x\n    api_key_env: K\n    custom_warehouse_names: true\n",
        )
        .unwrap();
        let p = Project::load(&path).unwrap();
        assert!(!p.tenant("dev").unwrap().settings.custom_warehouse_names);
        assert!(p.tenant("prod").unwrap().settings.custom_warehouse_names);
        std::fs::write(&path, "tenants:\n  dev:\n    local: d.json\n    custom_warehouse_names: yes\n").unwrap();
        let Err(ProjectError::Invalid(p)) = Project::load(&path) else { panic!() };
        assert_eq!(p.line, 4, "{}", p.message);
    }

    #[test]
    fn tenant_without_backend_is_located() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE);
        std::fs::write(&path, "tenants:\n  dev:\n    alias: d\n").unwrap();
        let Err(ProjectError::Invalid(p)) = Project::load(&path) else { panic!() };
        assert_eq!(p.line, 3);
    }
}
