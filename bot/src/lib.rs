//! The `kohero` binary's library: configuration, wiring, delivery workers and the
//! HTTP endpoints, so that tests can drive them in-process.

pub mod backup;
pub mod config;
pub mod copy;
pub mod delivery;
pub mod demo;
pub mod effective;
mod http;
pub mod lease;
pub mod metrics;
pub mod notify;
pub mod serve;
pub mod store;
pub mod supervise;
pub mod web;
