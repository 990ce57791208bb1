//! The one integration test binary: each module covers one area of the product.

mod adversarial;
mod adversarial_ats;
mod ats;
mod attack;
mod bad_input;
mod cli;
mod crash;
mod daemon;
mod deploy;
mod faults;
mod incremental;
mod markdown;
mod mixed;
mod notify;
mod render;
mod s3;
mod schemas;
mod status_page;
mod support;
mod validate;
