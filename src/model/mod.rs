//! The canonical posting: the one type every source produces and every renderer reads.
//! Plain serde data with a generated JSON Schema (`schemas/posting.schema.json`).

mod posting;

pub use posting::*;
