//! sitemap.xml (placeholder until the outputs work lands).

use crate::model::Posting;

pub fn render(_postings: &[&Posting]) -> Vec<u8> {
    Vec::new()
}
