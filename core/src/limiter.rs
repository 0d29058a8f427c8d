//! Rate limits for sending, per chat, per group and for the whole bot, with bursts
//! (GCRA, the "generic cell rate algorithm": a token bucket kept as one time per
//! key). Time is given by the caller as a monotonic offset, so tests drive it.
//!
//! Delivery workers ask [`Limiter::check`] before each send; a network's "too many
//! requests, retry after N s" feeds [`Limiter::pause`].

use std::collections::HashMap;
use std::time::Duration;

/// `count` messages per `per`, and at most `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub count: u32,
    pub per: Duration,
    pub burst: u32,
}

impl Rate {
    pub const fn new(count: u32, per: Duration, burst: u32) -> Self {
        Self { count, per, burst }
    }

    pub const fn per_second(count: u32, burst: u32) -> Self {
        Self::new(count, Duration::from_secs(1), burst)
    }

    pub const fn per_minute(count: u32, burst: u32) -> Self {
        Self::new(count, Duration::from_secs(60), burst)
    }

    /// The time between two messages at the sustained rate.
    fn interval(&self) -> Duration {
        self.per / self.count.max(1)
    }

    /// How far ahead of the sustained rate a burst may run.
    fn tolerance(&self) -> Duration {
        self.interval() * self.burst.max(1).saturating_sub(1)
    }

    /// Parses `30/s`, `20/min`, `0.2/s` with an optional burst `30/s:5`.
    pub fn parse(s: &str) -> Option<Self> {
        let (rate, burst) = match s.split_once(':') {
            Some((r, b)) => (r, Some(b.trim().parse::<u32>().ok().filter(|b| *b > 0)?)),
            None => (s, None),
        };
        let (n, unit) = rate.trim().split_once('/')?;
        let n: f64 = n
            .trim()
            .parse()
            .ok()
            .filter(|n: &f64| n.is_finite() && *n > 0.0)?;
        let unit = match unit.trim() {
            "s" | "sec" | "second" => 1.0,
            "min" | "minute" | "m" => 60.0,
            "h" | "hour" => 3600.0,
            _ => return None,
        };
        // Kept as whole messages per a (possibly longer) period: 0.2/s = 1 per 5 s.
        let (count, per) = if n >= 1.0 && n.fract() == 0.0 {
            (n as u32, Duration::from_secs_f64(unit))
        } else {
            (1, Duration::from_secs_f64(unit / n))
        };
        Some(Self::new(count, per, burst.unwrap_or(1)))
    }
}

/// A network's limits; `None` means no limit of that kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Limits {
    pub per_chat: Option<Rate>,
    pub per_group: Option<Rate>,
    pub global: Option<Rate>,
}

impl Limits {
    /// Telegram's published limits: about 1 message per second in a chat, 20 per
    /// minute in a group (no burst: a burst of 10 and then 20 a minute puts
    /// 30 in the first minute, which Telegram refuses), about 30 per second
    /// overall. Overall, 29 a second
    /// without bursts: a burst after a quiet moment, or 30 a second arriving a
    /// little bunched, put more than 30 in one second, which Telegram answers
    /// with 429 (measured against a one-second sliding window in
    /// docs/benchmarks.md).
    pub fn telegram() -> Self {
        Self {
            per_chat: Some(Rate::per_second(1, 1)),
            per_group: Some(Rate::per_minute(20, 1)),
            global: Some(Rate::per_second(29, 1)),
        }
    }

    /// Synapse's default for a normal user: 0.2 messages per second, bursts of 10.
    pub fn synapse_default() -> Self {
        Self {
            per_chat: None,
            per_group: None,
            global: Some(Rate::new(1, Duration::from_secs(5), 10)),
        }
    }

    pub fn unlimited() -> Self {
        Self::default()
    }
}

/// The theoretical arrival time of the next message of one bucket.
#[derive(Debug, Clone, Copy, Default)]
struct Tat(Duration);

impl Tat {
    /// How long until one more message fits (zero: now).
    fn wait(self, rate: &Rate, now: Duration) -> Duration {
        self.0.saturating_sub(now + rate.tolerance())
    }

    /// Counts one message. A sender that comes back a little late (timers wake
    /// up late) keeps up to a tenth of an interval, at most 5 ms, of its due time,
    /// so the achieved rate matches the configured one over long runs.
    fn take(&mut self, rate: &Rate, now: Duration) {
        let slack = (rate.interval() / 10).min(Duration::from_millis(5));
        self.0 = self.0.max(now.saturating_sub(slack)) + rate.interval();
    }
}

#[derive(Debug, Default)]
pub struct Limiter {
    limits: Limits,
    chats: HashMap<String, Tat>,
    groups: HashMap<String, Tat>,
    global: Tat,
    paused_until: Duration,
    chat_paused_until: HashMap<String, Duration>,
}

impl Limiter {
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Takes one message for `chat` at `now` if every limit allows it; otherwise
    /// takes nothing and says how long to wait.
    pub fn check(&mut self, chat: &str, group: bool, now: Duration) -> Result<(), Duration> {
        let mut wait = self.paused_until.saturating_sub(now);
        if let Some(until) = self.chat_paused_until.get(chat) {
            wait = wait.max(until.saturating_sub(now));
        }
        let chat_tat = self.chats.get(chat).copied().unwrap_or_default();
        let group_tat = self.groups.get(chat).copied().unwrap_or_default();
        if let Some(r) = &self.limits.per_chat {
            wait = wait.max(chat_tat.wait(r, now));
        }
        if group && let Some(r) = &self.limits.per_group {
            wait = wait.max(group_tat.wait(r, now));
        }
        if let Some(r) = &self.limits.global {
            wait = wait.max(self.global.wait(r, now));
        }
        if !wait.is_zero() {
            return Err(wait);
        }
        if let Some(r) = self.limits.per_chat {
            self.chats.entry(chat.to_owned()).or_default().take(&r, now);
        }
        if group && let Some(r) = self.limits.per_group {
            self.groups
                .entry(chat.to_owned())
                .or_default()
                .take(&r, now);
        }
        if let Some(r) = self.limits.global {
            self.global.take(&r, now);
        }
        Ok(())
    }

    /// The network said "retry after": nothing more to `chat` (or to anyone, for
    /// `None`) until then.
    pub fn pause(&mut self, chat: Option<&str>, now: Duration, after: Duration) {
        let until = now + after;
        match chat {
            Some(c) => {
                let slot = self.chat_paused_until.entry(c.to_owned()).or_default();
                *slot = (*slot).max(until);
            }
            None => self.paused_until = self.paused_until.max(until),
        }
    }

    /// Forgets buckets that are back to full, so memory follows active chats only.
    pub fn forget_idle(&mut self, now: Duration) {
        self.chats.retain(|_, t| t.0 > now);
        self.groups.retain(|_, t| t.0 > now);
        self.chat_paused_until.retain(|_, until| *until > now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn per_chat_one_per_second() {
        let mut l = Limiter::new(Limits {
            per_chat: Some(Rate::per_second(1, 1)),
            ..Limits::default()
        });
        assert!(l.check("a", false, ms(0)).is_ok());
        assert_eq!(l.check("a", false, ms(0)), Err(ms(1000)));
        assert_eq!(l.check("a", false, ms(400)), Err(ms(600)));
        // Another chat is not held back.
        assert!(l.check("b", false, ms(400)).is_ok());
        assert!(l.check("a", false, ms(1000)).is_ok());
        // Coming back 3 ms late does not push the next slot back.
        let mut l = Limiter::new(Limits {
            per_chat: Some(Rate::per_second(10, 1)),
            ..Limits::default()
        });
        assert!(l.check("a", false, ms(0)).is_ok());
        assert!(l.check("a", false, ms(103)).is_ok());
        assert!(l.check("a", false, ms(200)).is_ok());
    }

    #[test]
    fn bursts_then_the_sustained_rate() {
        let mut l = Limiter::new(Limits {
            global: Some(Rate::per_second(30, 30)),
            ..Limits::default()
        });
        for i in 0..30 {
            assert!(l.check(&i.to_string(), false, ms(0)).is_ok(), "{i}");
        }
        let wait = l.check("x", false, ms(0)).unwrap_err();
        assert!(wait > ms(30) && wait <= ms(34), "{wait:?}");
        // A refusal takes nothing: after the wait, exactly one more.
        assert!(l.check("x", false, wait).is_ok());
        assert!(l.check("y", false, wait).is_err());
    }

    #[test]
    fn telegrams_default_never_puts_more_than_thirty_in_one_second() {
        let mut l = Limiter::new(Limits::telegram());
        let mut sent: Vec<Duration> = Vec::new();
        let mut t = ms(0);
        while t < Duration::from_secs(20) {
            // A new chat each time (a digest): only the overall limit applies.
            if l.check(&sent.len().to_string(), false, t).is_ok() {
                sent.push(t);
            }
            t += Duration::from_micros(700);
        }
        for (i, s) in sent.iter().enumerate() {
            let window = sent[i..]
                .iter()
                .take_while(|u| **u < *s + Duration::from_secs(1))
                .count();
            assert!(window <= 30, "{window} sends in the second from {s:?}");
        }
        assert!(sent.len() >= 29 * 20 - 1, "{}", sent.len());
    }

    #[test]
    fn groups_have_their_own_limit() {
        let mut l = Limiter::new(Limits::telegram());
        let mut sent = 0;
        let mut t = ms(0);
        while t < Duration::from_secs(60) {
            if l.check("-100", true, t).is_ok() {
                sent += 1;
            }
            t += ms(100);
        }
        // 20 a minute, one every 3 seconds: never more than 20 in a minute.
        assert!((19..=20).contains(&sent), "{sent}");
    }

    #[test]
    fn retry_after_pauses() {
        let mut l = Limiter::new(Limits::unlimited());
        l.pause(Some("a"), ms(0), Duration::from_secs(3));
        assert_eq!(l.check("a", false, ms(1000)), Err(ms(2000)));
        assert!(l.check("b", false, ms(1000)).is_ok());
        l.pause(None, ms(1000), Duration::from_secs(1));
        assert_eq!(l.check("b", false, ms(1500)), Err(ms(500)));
        assert!(l.check("b", false, ms(2000)).is_ok());
        l.forget_idle(ms(10_000));
        assert!(l.check("a", false, ms(10_000)).is_ok());
    }

    #[test]
    fn rates_parse() {
        assert_eq!(Rate::parse("30/s"), Some(Rate::per_second(30, 1)));
        assert_eq!(Rate::parse("20/min:10"), Some(Rate::per_minute(20, 10)));
        assert_eq!(
            Rate::parse("0.2/s:10"),
            Some(Rate::new(1, Duration::from_secs(5), 10))
        );
        assert_eq!(Rate::parse("fast"), None);
        assert_eq!(Rate::parse("0/s"), None);
        assert_eq!(Rate::parse("5/s:0"), None);
    }

    #[test]
    fn never_exceeds_the_rate_over_a_long_run() {
        let rate = Rate::per_second(30, 5);
        let mut l = Limiter::new(Limits {
            global: Some(rate),
            ..Limits::default()
        });
        let mut sends = Vec::new();
        let mut t = Duration::ZERO;
        while sends.len() < 10_000 {
            match l.check("c", false, t) {
                Ok(()) => sends.push(t),
                Err(w) => t += w,
            }
        }
        // In any window of w seconds: at most burst + 30 w messages.
        for (i, start) in sends.iter().enumerate() {
            let end = *start + Duration::from_secs(1);
            let n = sends[i..].iter().take_while(|s| **s < end).count();
            assert!(n <= 5 + 30, "{n} in the second from {start:?}");
        }
        let total = sends.last().unwrap().as_secs_f64();
        let achieved = 10_000.0 / total;
        assert!((achieved - 30.0).abs() / 30.0 < 0.02, "{achieved}");
    }
}
