//! jobfeed reads job postings from where employers keep them and publishes them everywhere
//! candidates look, validated.
//!
//! One pipeline, one direction, around one canonical type ([`model::Posting`]):
//!
//! ```text
//! source (files, ATS) → normalise → render → validate (the gate) → publish / serve
//!  RawPosting           Posting     Rendered   Report                 files, HTTP
//! ```
//!
//! - [`config`]: feed files (`feeds/*.toml`) → typed, schema-generating config.
//! - [`source`]: one module per source kind; yields [`source::RawPosting`]s and diagnostics.
//! - [`normalise`]: dates, vocabularies, locations, salary, ids, translations → [`model::Posting`].
//! - [`render`]: one module per output format; pure, deterministic, no clock.
//! - [`validate`]: the gate; invalid postings and outputs never leave.
//! - [`pipeline`]: one feed run over those stages; [`publish`] writes it.
//! - [`daemon`]: `jobfeed serve` (schedules, watching, reloads); [`server`]: its HTTP face;
//!   [`state`]: SQLite memory across runs; [`metrics`]: Prometheus counters.
//! - [`diag`]: findings with file, line and field; [`schema`]: the generated JSON Schemas.

pub mod app;
pub mod buffers;
pub mod cache;
pub mod cli;
pub mod config;
pub mod daemon;
pub mod diag;
pub mod metrics;
pub mod model;
pub mod normalise;
pub mod notify;
pub mod pipeline;
pub mod publish;
pub mod render;
pub mod schedule;
pub mod schema;
pub mod server;
pub mod source;
pub mod state;
pub mod validate;

/// Locks `m`, also after a thread panicked holding it: every guarded value here is whole
/// between statements (maps, queues, flags), so a panic elsewhere leaves nothing half-made.
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
