//! A test network adapter: records what it receives, fails on request.
#![allow(clippy::unwrap_used, dead_code)]

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use kohero_core::domain::Outgoing;
use kohero_core::ports::{SendError, Sender, Sent};
use tokio::time::Instant;

#[derive(Debug, Clone)]
pub enum Behaviour {
    RetryAfter(Duration),
    Temporary,
    Hang,
    Permanent,
    Unreachable,
}

/// A network that records what it receives and fails on request.
pub struct TestNetwork {
    pub start: Instant,
    pub received: Mutex<Vec<(Duration, String, String)>>,
    pub attempts: Mutex<Vec<(Duration, String)>>,
    script: Mutex<HashMap<String, VecDeque<Behaviour>>>,
    groups: HashSet<String>,
    delay: Duration,
}

impl TestNetwork {
    pub fn new(delay: Duration) -> Arc<Self> {
        Arc::new(Self {
            start: Instant::now(),
            received: Mutex::default(),
            attempts: Mutex::default(),
            script: Mutex::default(),
            groups: HashSet::new(),
            delay,
        })
    }

    pub fn script(&self, key: &str, b: Vec<Behaviour>) {
        self.script.lock().unwrap().insert(key.to_owned(), b.into());
    }

    pub fn received_keys(&self) -> Vec<String> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .map(|r| r.2.clone())
            .collect()
    }

    pub fn attempts_of(&self, key: &str) -> Vec<Duration> {
        self.attempts
            .lock()
            .unwrap()
            .iter()
            .filter(|a| a.1 == key)
            .map(|a| a.0)
            .collect()
    }
}

#[async_trait]
impl Sender for TestNetwork {
    fn network(&self) -> &str {
        "test"
    }
    fn is_group(&self, chat: &str) -> bool {
        self.groups.contains(chat)
    }
    async fn send(&self, m: &Outgoing) -> Result<Sent, SendError> {
        let t = self.start.elapsed();
        self.attempts.lock().unwrap().push((t, m.key.clone()));
        let next = self
            .script
            .lock()
            .unwrap()
            .get_mut(&m.key)
            .and_then(VecDeque::pop_front);
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        match next {
            None => {
                self.received.lock().unwrap().push((
                    self.start.elapsed(),
                    m.to.chat_key().into_owned(),
                    m.key.clone(),
                ));
                Ok(Sent::Done)
            }
            Some(Behaviour::RetryAfter(after)) => Err(SendError::RetryAfter {
                after,
                chat_only: false,
            }),
            Some(Behaviour::Temporary) => Err(SendError::Temporary("HTTP 502".into())),
            Some(Behaviour::Hang) => {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                Ok(Sent::Done)
            }
            Some(Behaviour::Permanent) => Err(SendError::Permanent("HTTP 400".into())),
            Some(Behaviour::Unreachable) => Err(SendError::Unreachable("HTTP 403 blocked".into())),
        }
    }
}
