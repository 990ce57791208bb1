//! The canonical posting: the one type every source produces and every renderer reads.
//! Plain serde data with a generated JSON Schema (`schemas/posting.schema.json`).

mod html;
mod posting;

pub use html::{Html, Spill};
pub use posting::*;
