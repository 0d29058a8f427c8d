//! Fair use: what one person may ask of Kohero, so that nobody's flood holds
//! the others up (INTERFACE.md: a burst of 30 messages and 1 a second
//! sustained, so that someone who waits for each reply is never limited).
//!
//! Each person's messages go through a token bucket kept as one due time
//! (GCRA, as in [`crate::limiter`]). Past it, the person is told once to slow
//! down, then not answered until the bucket refills: their messages are
//! recorded as seen and dropped, and cost nobody else anything.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use crate::limiter::Rate;

/// The limits of fair use (defaults: INTERFACE.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FairUse {
    /// Messages a person may send (`None`: no limit).
    pub per_person: Option<Rate>,
    /// Ideas a person may have open at once.
    pub open_ideas: usize,
    /// Subscriptions a person may hold.
    pub subscriptions: usize,
    /// Initiatives shown in one alert batch ("… and N more").
    pub alert_items: usize,
}

impl Default for FairUse {
    fn default() -> Self {
        Self {
            per_person: Some(Rate::per_second(1, 30)),
            open_ideas: 20,
            subscriptions: 20,
            alert_items: 20,
        }
    }
}

/// What becomes of one message of a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admit {
    Yes,
    /// Over the limit for the first time since it was last within: told once.
    SlowDown,
    /// Over the limit again: dropped without an answer.
    Quiet,
}

/// The people's buckets: when each one's next message is due, and whether
/// they were told to slow down since.
#[derive(Debug, Default)]
pub(crate) struct Buckets {
    due: Mutex<HashMap<String, (i64, bool)>>,
}

/// Past this many people with a bucket not yet full, the full ones are
/// forgotten (a full bucket is the same as none).
const KEPT: usize = 50_000;

impl Buckets {
    pub fn admit(&self, rate: Option<Rate>, who: &str, now: DateTime<Utc>) -> Admit {
        let Some(rate) = rate else {
            return Admit::Yes;
        };
        let now = now.timestamp_millis();
        let interval = i64::try_from((rate.per / rate.count.max(1)).as_millis())
            .unwrap_or(i64::MAX)
            .max(1);
        let tolerance = interval.saturating_mul(i64::from(rate.burst.max(1)) - 1);
        let mut due = self
            .due
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if due.len() >= KEPT {
            due.retain(|_, (at, _)| *at > now);
        }
        let entry = due.entry(who.to_owned()).or_insert((now, false));
        let at = entry.0.max(now);
        if at - now <= tolerance {
            *entry = (at.saturating_add(interval), false);
            Admit::Yes
        } else if entry.1 {
            Admit::Quiet
        } else {
            entry.1 = true;
            Admit::SlowDown
        }
    }
}

/// The fair-use decisions of a batch's events (by event key and bucket),
/// kept across the attempts at the batch: an attempt run again (a
/// conflict, a replay) does not charge the person again.
#[derive(Default)]
pub(crate) struct Admitted(std::sync::Mutex<std::collections::HashMap<String, Admit>>);

impl Admitted {
    /// The decision kept under `key`, else `decide`'s, kept.
    pub(crate) fn once(&self, key: String, decide: impl FnOnce() -> Admit) -> Admit {
        let mut kept = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *kept.entry(key).or_insert_with(decide)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    /// A batch run again (after a conflict) asks for the same events'
    /// decisions: each is charged to the person once, and a slow-down said
    /// in the first attempt is said again, not turned into silence.
    #[test]
    fn a_batch_run_again_charges_each_event_once() {
        let b = Buckets::default();
        let rate = Some(Rate::per_second(1, 3));
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let kept = Admitted::default();
        let attempt = || {
            (0..4)
                .map(|n| kept.once(format!("telegram/u{n}"), || b.admit(rate, "telegram:1", t0)))
                .collect::<Vec<_>>()
        };
        let first = attempt();
        assert_eq!(
            first,
            vec![Admit::Yes, Admit::Yes, Admit::Yes, Admit::SlowDown]
        );
        for _ in 0..5 {
            assert_eq!(attempt(), first);
        }
        // The bucket itself was charged four times, not 24: the next
        // message is merely quiet (told once already), a second later one
        // more is let through.
        assert_eq!(b.admit(rate, "telegram:1", t0), Admit::Quiet);
        assert_eq!(
            b.admit(rate, "telegram:1", t0 + Duration::seconds(1)),
            Admit::Yes
        );
    }

    #[test]
    fn a_burst_then_one_a_second_told_once() {
        let b = Buckets::default();
        let rate = Some(Rate::per_second(1, 30));
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        for _ in 0..30 {
            assert_eq!(b.admit(rate, "telegram:1", t0), Admit::Yes);
        }
        assert_eq!(b.admit(rate, "telegram:1", t0), Admit::SlowDown);
        assert_eq!(b.admit(rate, "telegram:1", t0), Admit::Quiet);
        // Someone else is not concerned.
        assert_eq!(b.admit(rate, "telegram:2", t0), Admit::Yes);
        // A second later, one more; the next is quiet again until told anew.
        let t1 = t0 + Duration::seconds(1);
        assert_eq!(b.admit(rate, "telegram:1", t1), Admit::Yes);
        assert_eq!(b.admit(rate, "telegram:1", t1), Admit::SlowDown);
        // Someone who waits for each reply (a second or more) never meets it.
        let mut t = t1 + Duration::seconds(60);
        for _ in 0..1000 {
            assert_eq!(b.admit(rate, "telegram:3", t), Admit::Yes);
            t += Duration::milliseconds(1000);
        }
        assert_eq!(b.admit(None, "telegram:1", t0), Admit::Yes);
    }
}
