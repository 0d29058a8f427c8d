//! The `kohero` binary's library: configuration, wiring, delivery workers and the
//! HTTP endpoints, so that tests can drive them in-process.

pub mod config;
pub mod copy;
pub mod delivery;
pub mod demo;
mod http;
pub mod lease;
pub mod metrics;
pub mod serve;
pub mod store;
pub mod supervise;
pub mod web;
