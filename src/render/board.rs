//! Indeed XML and Indeed-compatible board dialects (placeholder until the outputs work lands).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::RenderContext;
use crate::config::OutputConfig;
use crate::model::Posting;

/// A board dialect of the Indeed format.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BoardProfile {
    /// Root element name (Indeed: `source`).
    #[serde(default)]
    pub root: Option<String>,
}

pub fn render(_postings: &[&Posting], _out: &OutputConfig, _ctx: &RenderContext<'_>) -> Vec<u8> {
    Vec::new()
}
