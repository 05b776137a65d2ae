//! liminal: Benchling schema migrations as code.
//!
//! The data flow: `schemas/*.yaml` load into a [`schema::CodeModel`]; a tenant reads into a
//! [`state::TenantState`]; [`diff`] compares them into operations ([`op::Op`]); revisions are Rhai
//! scripts that build operations; backends apply operations to tenants. An operation applied to a
//! state ([`op::Op::apply`]) is the one definition of what it means.

pub mod chain;
mod cli;
pub(crate) mod diag;
pub mod diff;
pub(crate) mod disk;
pub mod emulator;
pub mod generate;
pub(crate) mod import;
pub(crate) mod inputs;
pub(crate) mod interrupt;
pub(crate) mod lint;
pub mod lock;
pub mod migrate;
pub mod op;
pub(crate) mod project;
pub mod rename;
pub(crate) mod scaffold;
pub mod schema;
pub mod script;
pub(crate) mod settings;
pub mod state;
pub(crate) mod status;
pub mod tenant;
pub mod wire;

/// The command line: `liminal <command>` (the binary is this one call).
pub use cli::main;
