//! The one integration test binary: each module covers one area of the product.
mod ats;
mod cli;
