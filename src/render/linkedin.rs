//! LinkedIn job-wrapping XML (placeholder until the outputs work lands).

use super::RenderContext;
use crate::config::OutputConfig;
use crate::model::Posting;

pub fn render(_postings: &[&Posting], _out: &OutputConfig, _ctx: &RenderContext<'_>) -> Vec<u8> {
    Vec::new()
}
