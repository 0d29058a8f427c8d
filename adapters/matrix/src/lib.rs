//! Kohero on Matrix.

pub mod parse;
pub mod render;
