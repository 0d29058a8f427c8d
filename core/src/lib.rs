//! Kohero's core: the domain, the engine and its command language, network-neutral
//! replies, and the ports (store, clock) that adapters implement. It speaks no
//! network and no SQL.

pub mod command;
pub mod cron;
pub mod digest;
pub mod domain;
pub mod engine;
pub mod error;
pub mod fair_use;
pub mod geo;
pub mod i18n;
pub mod inbox;
pub mod limiter;
pub mod places;
pub mod ports;
#[cfg(test)]
mod proptests;
pub mod reply;
pub mod retry;
#[cfg(any(test, feature = "test-suite"))]
pub mod store_suite;
pub mod text;
pub mod unwind;

pub use engine::{Engine, Operator, Tick};
pub use error::EngineError;
pub use inbox::{Content, Incoming, Intake};
pub use reply::{Action, Block, ListItem, Reply};
