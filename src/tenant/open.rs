//! The backend factory: a tenant entry of `liminal.yaml` ([`TenantConfig`]) → a [`Tenant`].
//!
//! [`AnyTenant`] holds either backend behind one type, so commands need not care which one a
//! tenant uses. Secrets come from the environment variables `liminal.yaml` names; the lookup is
//! a parameter ([`open_with`]) so the factory can be tested without touching the environment.

use crate::op::Op;
use crate::project::{AuthEnv, ProjectError, TenantConfig, TenantKind};
use crate::state::TenantState;

use super::benchling::events::ObserverHandle;
use super::benchling::{Credentials, HttpConfig, HttpTenant};
use super::local::LocalTenant;
use super::{ApplyError, Needs, Tenant, TenantError};

/// Any backend behind one type, so commands need not care which one a tenant uses.
pub enum AnyTenant {
    Local(LocalTenant),
    Http(Box<HttpTenant>),
}

macro_rules! each {
    ($self:ident, $t:ident => $e:expr) => {
        match $self {
            AnyTenant::Local($t) => $e,
            AnyTenant::Http($t) => $e,
        }
    };
}

impl Tenant for AnyTenant {
    async fn read(&mut self) -> Result<TenantState, TenantError> {
        each!(self, t => t.read().await)
    }

    async fn read_for(&mut self, needs: &Needs) -> Result<TenantState, TenantError> {
        each!(self, t => t.read_for(needs).await)
    }

    fn prepare(&mut self, needs: &Needs) {
        each!(self, t => t.prepare(needs))
    }

    fn begin_batch(&mut self) {
        each!(self, t => t.begin_batch())
    }

    async fn end_batch(&mut self) -> Result<(), TenantError> {
        each!(self, t => t.end_batch().await)
    }

    async fn revision(&mut self) -> Result<Option<String>, TenantError> {
        each!(self, t => t.revision().await)
    }

    async fn apply(&mut self, ops: &[Op], done: &mut (dyn FnMut(usize) + Send)) -> Result<(), ApplyError> {
        each!(self, t => t.apply(ops, done).await)
    }

    async fn set_revision(&mut self, revision: &str) -> Result<bool, TenantError> {
        each!(self, t => t.set_revision(revision).await)
    }

    async fn write_remote(&mut self, values: &[(&str, &str)]) -> Result<bool, TenantError> {
        each!(self, t => t.write_remote(values).await)
    }

    async fn remote_field(&mut self, warehouse_name: &str, fresh: bool) -> Result<Option<String>, TenantError> {
        each!(self, t => t.remote_field(warehouse_name, fresh).await)
    }

    fn batch_len(&self, ops: &[Op]) -> usize {
        each!(self, t => t.batch_len(ops))
    }

    fn requests(&self) -> u64 {
        each!(self, t => t.requests())
    }
}

/// What the caller decides about a tenant it opens, beyond what `liminal.yaml` says.
#[derive(Default)]
pub struct OpenOptions<'a> {
    /// Log each HTTP request to stderr (`-v`).
    pub verbose: bool,
    /// For a tenant over HTTP: who is told of its requests and waits (progress output), made
    /// from the tenant's name. Not called for a local tenant.
    pub observe: Option<&'a dyn Fn(&str) -> ObserverHandle>,
}

/// A tenant could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// A secret's environment variable is not set.
    #[error(transparent)]
    Secret(#[from] ProjectError),
    /// The backend could not be set up.
    #[error(transparent)]
    Tenant(#[from] TenantError),
}

/// Open the tenant `config` describes; secrets come from the environment
/// ([`crate::project::secret`]).
pub fn open(config: &TenantConfig, options: &OpenOptions<'_>) -> Result<AnyTenant, OpenError> {
    open_with(config, options, &crate::project::secret)
}

/// [`open`] with the secret lookup given: `secret(variable)` is the variable's value.
pub fn open_with(
    config: &TenantConfig,
    options: &OpenOptions<'_>,
    secret: &dyn Fn(&str) -> Result<String, ProjectError>,
) -> Result<AnyTenant, OpenError> {
    match &config.kind {
        TenantKind::Local { path } => {
            Ok(AnyTenant::Local(LocalTenant::new(path.clone()).with_settings(config.settings)))
        }
        TenantKind::Http { url, auth, timeout_secs } => {
            let mut http = HttpConfig::new(url.clone(), credentials(auth, secret)?);
            http.verbose = options.verbose;
            http.observer = options.observe.map(|observe| observe(&config.name));
            http.settings = config.settings;
            if let Some(t) = timeout_secs {
                http.timeout = std::time::Duration::from_secs(*t);
            }
            Ok(AnyTenant::Http(Box::new(HttpTenant::new(http)?)))
        }
    }
}

/// The credentials `auth` names, looked up with `secret`.
pub fn credentials(
    auth: &AuthEnv,
    secret: &dyn Fn(&str) -> Result<String, ProjectError>,
) -> Result<Credentials, ProjectError> {
    Ok(match auth {
        AuthEnv::ClientCredentials { client_id_env, client_secret_env } => {
            Credentials::ClientCredentials { id: secret(client_id_env)?, secret: secret(client_secret_env)? }
        }
        AuthEnv::ApiKey { api_key_env } => Credentials::ApiKey(secret(api_key_env)?),
    })
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;
    use crate::settings::TenantSettings;
    use crate::tenant::benchling::events::{Event, Observer};

    fn env(var: &str) -> Result<String, ProjectError> {
        match var {
            "ID" => Ok("the-id".into()),
            "SECRET" => Ok("the-secret".into()),
            "KEY" => Ok("the-key".into()),
            other => Err(ProjectError::MissingEnv(other.to_string())),
        }
    }

    fn http(auth: AuthEnv, timeout_secs: Option<u64>) -> TenantConfig {
        TenantConfig {
            name: "prod".into(),
            alias: None,
            kind: TenantKind::Http { url: "http://127.0.0.1:1".into(), auth, timeout_secs },
            settings: TenantSettings { custom_warehouse_names: true },
        }
    }

    struct Nobody;
    impl Observer for Nobody {
        fn event(&self, _: &Event) {}
    }

    #[test]
    fn a_local_tenant_keeps_its_path_and_never_asks_for_a_secret_or_an_observer() {
        let config = TenantConfig {
            name: "dev".into(),
            alias: None,
            kind: TenantKind::Local { path: "/tmp/x/dev.json".into() },
            settings: TenantSettings::default(),
        };
        let observed = Cell::new(false);
        let observe = |_: &str| {
            observed.set(true);
            ObserverHandle(Arc::new(Nobody))
        };
        let options = OpenOptions { verbose: true, observe: Some(&observe) };
        let no_secrets = |v: &str| -> Result<String, ProjectError> { panic!("asked for {v}") };
        match open_with(&config, &options, &no_secrets) {
            Ok(AnyTenant::Local(t)) => assert_eq!(t.path(), std::path::Path::new("/tmp/x/dev.json")),
            Ok(AnyTenant::Http(_)) => panic!("a local tenant opened over HTTP"),
            Err(e) => panic!("{e}"),
        }
        assert!(!observed.get());
    }

    #[test]
    fn client_credentials_and_api_keys_come_from_the_variables_liminal_yaml_names() {
        let cc = AuthEnv::ClientCredentials { client_id_env: "ID".into(), client_secret_env: "SECRET".into() };
        let expected = Credentials::ClientCredentials { id: "the-id".into(), secret: "the-secret".into() };
        assert!(credentials(&cc, &env).is_ok_and(|c| c == expected));
        let key = AuthEnv::ApiKey { api_key_env: "KEY".into() };
        assert!(credentials(&key, &env).is_ok_and(|c| c == Credentials::ApiKey("the-key".into())));
    }

    #[test]
    fn a_missing_variable_is_named() {
        let cc = AuthEnv::ClientCredentials { client_id_env: "ID".into(), client_secret_env: "NOPE".into() };
        match open_with(&http(cc, None), &OpenOptions::default(), &env) {
            Err(OpenError::Secret(ProjectError::MissingEnv(v))) => assert_eq!(v, "NOPE"),
            Err(e) => panic!("{e}"),
            Ok(_) => panic!("opened without its secret"),
        }
    }

    #[test]
    fn an_http_tenant_gets_its_timeout_settings_verbosity_and_observer() {
        let config = http(AuthEnv::ApiKey { api_key_env: "KEY".into() }, Some(7));
        let observed = Cell::new(None);
        let observe = |name: &str| {
            observed.set(Some(name.to_string()));
            ObserverHandle(Arc::new(Nobody))
        };
        let options = OpenOptions { verbose: true, observe: Some(&observe) };
        let Ok(AnyTenant::Http(tenant)) = open_with(&config, &options, &env) else { panic!("not opened over HTTP") };
        let http = tenant.config();
        assert_eq!(http.base_url, "http://127.0.0.1:1");
        assert_eq!(http.timeout, Duration::from_secs(7));
        assert!(http.verbose);
        assert!(http.observer.is_some());
        assert_eq!(http.settings, config.settings);
        assert!(http.credentials == Credentials::ApiKey("the-key".into()));
        assert_eq!(observed.take().as_deref(), Some("prod"));
    }
}
