//! atom renderer (placeholder until the outputs work lands).

use super::{FeedMeta, RenderContext};
use crate::config::OutputConfig;
use crate::model::Posting;

pub fn render(
    _postings: &[&Posting],
    _meta: &FeedMeta,
    _out: &OutputConfig,
    _ctx: &RenderContext<'_>,
) -> Vec<u8> {
    Vec::new()
}
