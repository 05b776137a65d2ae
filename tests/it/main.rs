//! The integration tests, in one binary (as ripgrep and jj do) so that the library is linked
//! once: a module per area.
//!
//! - [`cli`]: the built binary in temporary projects, end to end;
//! - [`golden`]: Liminal's golden diff cases;
//! - [`diff_props`]: properties of the diff over random models and tenants;
//! - [`emulator`]: the emulator over HTTP;
//! - [`http_backend`]: the HTTP backend against the emulator, request counts included;
//! - [`resume`]: runs stopped anywhere resume, two runs never interleave.
//! - [`lint`]: `check` as a CI gate: lint codes, the sum file, `revision`'s lints;
//! - [`plan`]: plan summaries, confirmation on Benchling, several tenants per command;
//! - [`renames`]: renames, swaps, reuse of names, and the `custom_warehouse_names` setting;
//! - [`replay_props`]: `check`'s linear replay finds what the full diff per revision found;
//! - [`status`]: `status`, `show`, `history --verbose`, offline `revision --empty`.

// Helpers shared by several areas.
mod common;
mod emu;

mod cli;
mod completions;
mod diff_props;
mod editor;
mod emulator;
mod examples;
mod golden;
mod http_backend;
mod import;
mod json;
mod lint;
mod plan;
mod progress;
mod renames;
mod replay_props;
mod resume;
mod status;
mod wording;
