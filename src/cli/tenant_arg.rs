//! The tenant argument every command that talks to a tenant shares: a key or alias of
//! liminal.yaml, completed from it, that resolves itself against the project. Commands name it
//! as a positional ([`TenantArg`]), an option (`--tenant`, a [`TenantName`]) or a list
//! ([`TenantList`], `upgrade test,prod head`).

use std::convert::Infallible;
use std::str::FromStr;

use clap_complete::ArgValueCompleter;
use miette::Report;

use super::{AnyTenant, Ui, open_tenant, report};
use crate::project::{Project, TenantConfig};

/// A tenant as typed: a key or alias of liminal.yaml, not resolved yet (the project is read
/// after the command line, so an unknown name is the project's error, with the known ones).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TenantName(String);

impl FromStr for TenantName {
    type Err = Infallible;

    fn from_str(s: &str) -> Result<TenantName, Infallible> {
        Ok(TenantName(s.to_string()))
    }
}

impl std::fmt::Display for TenantName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TenantName {
    /// The name as typed (a key or an alias), for messages that repeat the user's words.
    pub(super) fn as_str(&self) -> &str {
        &self.0
    }

    /// The tenant of liminal.yaml with this key or alias.
    pub(super) fn resolve<'p>(&self, project: &'p Project) -> Result<&'p TenantConfig, Report> {
        Ok(project.tenant(&self.0)?)
    }

    /// [`resolve`](Self::resolve), then open its backend.
    pub(super) fn open<'p>(&self, project: &'p Project, ui: &Ui) -> Result<(&'p TenantConfig, AnyTenant), Report> {
        let config = self.resolve(project)?;
        Ok((config, open_tenant(config, ui)?))
    }
}

/// The completion of tenant names, for every argument that takes one.
pub(super) fn completer() -> ArgValueCompleter {
    ArgValueCompleter::new(super::completions::tenants)
}

/// `<TENANT>`, the first positional of `current`, `diff`, `generate-files`, `stamp`, `unlock`.
#[derive(Debug, Clone, clap::Args)]
pub(super) struct TenantArg {
    /// Tenant key or alias from liminal.yaml
    #[arg(value_name = "TENANT", add = completer())]
    pub tenant: TenantName,
}

impl std::ops::Deref for TenantArg {
    type Target = TenantName;

    fn deref(&self) -> &TenantName {
        &self.tenant
    }
}

/// Several tenants separated by commas, run in that order (`upgrade test,prod head`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TenantList(String);

impl FromStr for TenantList {
    type Err = Infallible;

    fn from_str(s: &str) -> Result<TenantList, Infallible> {
        Ok(TenantList(s.to_string()))
    }
}

impl TenantList {
    /// The names, in order; the text itself when it names none (`upgrade , head`), so that
    /// its error is the unknown tenant's.
    pub(super) fn names(&self) -> Vec<TenantName> {
        let names: Vec<TenantName> =
            self.0.split(',').map(str::trim).filter(|n| !n.is_empty()).map(|n| TenantName(n.to_string())).collect();
        if names.is_empty() { vec![TenantName(self.0.clone())] } else { names }
    }

    /// The tenants' keys, in order: every name must be known, and name a tenant once, before
    /// the first tenant is touched.
    pub(super) fn keys(&self, project: &Project) -> Result<Vec<String>, Report> {
        let mut keys: Vec<String> = Vec::new();
        for name in self.names() {
            let key = name.resolve(project)?.name.clone();
            if keys.contains(&key) {
                return Err(report(
                    format!("tenant {key} is named twice"),
                    "name each tenant once, in the order to run them",
                ));
            }
            keys.push(key);
        }
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> (tempfile::TempDir, Project) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("liminal.yaml"),
            "tenants:\n  dev:\n    local: .liminal/dev.json\n  test:\n    local: .liminal/test.json\n    alias: qa\n",
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("schemas")).unwrap();
        std::fs::create_dir_all(dir.path().join("versions")).unwrap();
        let project = Project::discover(dir.path()).unwrap();
        (dir, project)
    }

    #[test]
    fn a_name_resolves_by_key_or_alias() {
        let (_dir, project) = project();
        assert_eq!(TenantName::from_str("qa").unwrap().resolve(&project).unwrap().name, "test");
        assert_eq!(TenantName::from_str("dev").unwrap().resolve(&project).unwrap().name, "dev");
        let e = TenantName::from_str("prod").unwrap().resolve(&project).unwrap_err();
        assert!(e.to_string().contains("prod"), "{e}");
    }

    #[test]
    fn a_list_keeps_its_order_and_refuses_a_tenant_named_twice() {
        let (_dir, project) = project();
        let list = TenantList::from_str("qa, dev,").unwrap();
        assert_eq!(list.names(), vec![TenantName("qa".into()), TenantName("dev".into())]);
        assert_eq!(list.keys(&project).unwrap(), vec!["test", "dev"]);
        let twice = TenantList::from_str("test,qa").unwrap().keys(&project).unwrap_err();
        assert_eq!(twice.to_string(), "tenant test is named twice");
        assert_eq!(TenantList::from_str(",").unwrap().names(), vec![TenantName(",".into())]);
    }
}
