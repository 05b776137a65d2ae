//! liminal: Benchling schema migrations as code.
//!
//! The data flow: `schemas/*.yaml` load into a [`schema::CodeModel`]; a tenant reads into a
//! [`state::TenantState`]; [`diff`] compares them into operations ([`op::Op`]); revisions are Rhai
//! scripts that build operations; backends apply operations to tenants. An operation applied to a
//! state ([`op::Op::apply`]) is the one definition of what it means.

pub mod chain;
pub mod cli;
pub mod diag;
pub mod diff;
pub mod emulator;
pub mod generate;
pub mod import;
pub mod inputs;
pub mod interrupt;
pub mod lint;
pub mod lock;
pub mod migrate;
pub mod op;
pub mod project;
pub mod rename;
pub mod scaffold;
pub mod schema;
pub mod script;
pub mod settings;
pub mod state;
pub mod status;
pub mod tenant;
pub mod wire;
