//! Five-field crontab schedules (`minute hour day month weekday`) evaluated in a
//! time zone, for municipality digests.
//!
//! Syntax per field: `*`, a number, a range `a-b`, a step `*/n` or `a-b/n`, and
//! comma-separated lists of those; months may be written `jan`…`dec` and
//! weekdays `sun`…`sat` (0 and 7 are both Sunday). As in Vixie cron, when both
//! the day of the month and the weekday are restricted, a day matching either
//! runs.
//!
//! Clock changes: a local time that does not exist (spring forward) runs once,
//! at the end of the gap; a local time that occurs twice (fall back) runs once,
//! at its first occurrence.

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Why an expression is not a schedule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CronError {
    #[error("a schedule has five fields (minute hour day month weekday), not {0}")]
    FieldCount(usize),
    #[error("invalid {field} field {value:?}")]
    Field { field: &'static str, value: String },
    #[error("unknown time zone {0:?}")]
    TimeZone(String),
}

/// A parsed schedule in its time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    minutes: u64,
    hours: u32,
    days: u32,
    months: u16,
    weekdays: u8,
    days_any: bool,
    weekdays_any: bool,
    tz: Tz,
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const WEEKDAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
/// French names too (Kohero's first users write crontab in French).
const MOIS: [&str; 12] = [
    "jan", "fev", "mar", "avr", "mai", "juin", "juil", "aou", "sep", "oct", "nov", "dec",
];
const JOURS: [&str; 7] = ["dim", "lun", "mar", "mer", "jeu", "ven", "sam"];

/// Parses one field into a bit set of the values `min..=max` it allows.
fn field(
    name: &'static str,
    text: &str,
    min: u32,
    max: u32,
    names: &[&[&str]],
) -> Result<u64, CronError> {
    let bad = || CronError::Field {
        field: name,
        value: text.to_owned(),
    };
    let value = |s: &str| -> Result<u32, CronError> {
        let s = crate::text::fold(s);
        if let Some(i) = names
            .iter()
            .find_map(|list| list.iter().position(|n| *n == s))
        {
            return Ok(min + i as u32);
        }
        s.parse::<u32>().map_err(|_| bad())
    };
    let mut bits = 0u64;
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, s.parse::<u32>().ok().filter(|s| *s > 0).ok_or_else(bad)?),
            None => (part, 1),
        };
        let (lo, hi) = if range == "*" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            (value(a)?, value(b)?)
        } else {
            let v = value(range)?;
            // `5/10` means from 5 to the end, every 10.
            (v, if step > 1 { max } else { v })
        };
        if lo < min || hi > max || lo > hi {
            return Err(bad());
        }
        let mut v = lo;
        while v <= hi {
            bits |= 1 << v;
            v += step;
        }
    }
    Ok(bits)
}

impl Schedule {
    /// Parses `expr` for the time zone named `tz` (IANA, e.g. `Europe/Paris`).
    pub fn parse(expr: &str, tz: &str) -> Result<Self, CronError> {
        let tz: Tz = tz.parse().map_err(|_| CronError::TimeZone(tz.to_owned()))?;
        let f: Vec<&str> = expr.split_whitespace().collect();
        if f.len() != 5 {
            return Err(CronError::FieldCount(f.len()));
        }
        let mut weekdays = field("weekday", f[4], 0, 7, &[&WEEKDAYS, &JOURS])?;
        if weekdays & (1 << 7) != 0 {
            weekdays = (weekdays | 1) & 0x7f;
        }
        Ok(Self {
            minutes: field("minute", f[0], 0, 59, &[])?,
            hours: field("hour", f[1], 0, 23, &[])? as u32,
            days: field("day", f[2], 1, 31, &[])? as u32,
            months: field("month", f[3], 1, 12, &[&MONTHS, &MOIS])? as u16,
            weekdays: weekdays as u8,
            days_any: f[2] == "*",
            weekdays_any: f[4] == "*",
            tz,
        })
    }

    pub fn time_zone(&self) -> Tz {
        self.tz
    }

    fn day_matches(&self, d: NaiveDate) -> bool {
        if self.months & (1 << d.month()) == 0 {
            return false;
        }
        let dom = self.days & (1 << d.day()) != 0;
        let dow = self.weekdays & (1 << d.weekday().num_days_from_sunday()) != 0;
        match (self.days_any, self.weekdays_any) {
            (true, true) => true,
            (false, true) => dom,
            (true, false) => dow,
            (false, false) => dom || dow,
        }
    }

    /// The instant a local time runs at: itself, its first occurrence when the
    /// clocks go back, the end of the gap when they go forward.
    fn instant(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        match self.tz.from_local_datetime(&local) {
            LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
            LocalResult::Ambiguous(first, _) => Some(first.with_timezone(&Utc)),
            LocalResult::None => (1..=24 * 60).find_map(|m| {
                match self.tz.from_local_datetime(&(local + Duration::minutes(m))) {
                    // The first local minute that exists is the gap's end.
                    LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => {
                        Some(t.with_timezone(&Utc))
                    }
                    LocalResult::None => None,
                }
            }),
        }
    }

    /// The first run strictly after `after`; `None` if the schedule never runs
    /// (e.g. 31 February) within the next eight years.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        // Start the day before: a gap's run may belong to a local time of the
        // previous day in zones that jump at midnight.
        let start = after.with_timezone(&self.tz).date_naive() - Duration::days(1);
        for offset in 0..(366 * 8) {
            let day = start + Duration::days(offset);
            if !self.day_matches(day) {
                continue;
            }
            for h in 0..24u32 {
                if self.hours & (1 << h) == 0 {
                    continue;
                }
                for m in 0..60u32 {
                    if self.minutes & (1 << m) == 0 {
                        continue;
                    }
                    let Some(local) = day.and_hms_opt(h, m, 0) else {
                        continue;
                    };
                    if let Some(t) = self.instant(local)
                        && t > after
                    {
                        return Some(t);
                    }
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// The runs after `from`, `n` of them, in RFC 3339 UTC.
    fn runs(expr: &str, from: &str, n: usize) -> Vec<String> {
        let s = Schedule::parse(expr, "Europe/Paris").unwrap();
        let mut t = utc(from);
        let mut out = Vec::new();
        for _ in 0..n {
            t = s.next_after(t).unwrap();
            out.push(t.to_rfc3339());
        }
        out
    }

    #[test]
    fn fields_and_errors() {
        assert!(Schedule::parse("0 8 * * mon", "Europe/Paris").is_ok());
        assert!(Schedule::parse("*/15 8-18/2 1,15 jan-jun 1-5", "Europe/Paris").is_ok());
        assert_eq!(
            Schedule::parse("0 8 * *", "Europe/Paris"),
            Err(CronError::FieldCount(4))
        );
        // French names as well as English ones.
        assert_eq!(
            Schedule::parse("0 9 * fév lun-ven", "Europe/Paris").unwrap(),
            Schedule::parse("0 9 * feb mon-fri", "Europe/Paris").unwrap()
        );
        for bad in [
            "60 8 * * *",
            "0 24 * * *",
            "0 8 0 * *",
            "0 8 * 13 *",
            "0 8 * * 8",
            "0 8 * * lundi",
            "*/0 8 * * *",
            "5-1 8 * * *",
            "x 8 * * *",
        ] {
            assert!(
                matches!(
                    Schedule::parse(bad, "Europe/Paris"),
                    Err(CronError::Field { .. })
                ),
                "{bad}"
            );
        }
        assert_eq!(
            Schedule::parse("0 8 * * *", "Europe/Lyon"),
            Err(CronError::TimeZone("Europe/Lyon".into()))
        );
    }

    #[test]
    fn weekly_in_local_time() {
        // Monday 8:00 in Paris: 7:00 UTC in winter.
        assert_eq!(
            runs("0 8 * * mon", "2026-11-29T12:00:00Z", 2),
            vec!["2026-11-30T07:00:00+00:00", "2026-12-07T07:00:00+00:00"]
        );
        // Sunday as 0 and as 7.
        assert_eq!(
            runs("0 9 * * 7", "2026-11-28T00:00:00Z", 1),
            runs("0 9 * * 0", "2026-11-28T00:00:00Z", 1)
        );
        // Day of month or weekday (Vixie cron): the 1st and every Friday.
        assert_eq!(
            runs("0 8 1 * fri", "2026-11-29T00:00:00Z", 3),
            vec![
                "2026-12-01T07:00:00+00:00",
                "2026-12-04T07:00:00+00:00",
                "2026-12-11T07:00:00+00:00"
            ]
        );
        assert_eq!(
            Schedule::parse("0 8 31 2 *", "Europe/Paris")
                .unwrap()
                .next_after(utc("2026-01-01T00:00:00Z")),
            None
        );
    }

    #[test]
    fn spring_forward_runs_a_missing_time_once_after_the_gap() {
        // 29 March 2026: 02:00 → 03:00 in Paris (01:00 UTC).
        assert_eq!(
            runs("30 2 * * *", "2026-03-28T12:00:00Z", 3),
            vec![
                "2026-03-29T01:00:00+00:00",
                "2026-03-30T00:30:00+00:00",
                "2026-03-31T00:30:00+00:00"
            ]
        );
        // Every quarter of an hour between 2:00 and 2:59: once, at 3:00, that day.
        assert_eq!(
            runs("*/15 2 * * *", "2026-03-28T12:00:00Z", 2),
            vec!["2026-03-29T01:00:00+00:00", "2026-03-30T00:00:00+00:00"]
        );
        // Times around the gap are untouched.
        assert_eq!(
            runs("59 1 * * *", "2026-03-28T12:00:00Z", 1),
            vec!["2026-03-29T00:59:00+00:00"]
        );
    }

    #[test]
    fn fall_back_runs_a_doubled_time_once() {
        // 25 October 2026: 03:00 → 02:00; 02:30 happens at 00:30 and 01:30 UTC.
        assert_eq!(
            runs("30 2 * * *", "2026-10-24T12:00:00Z", 2),
            vec!["2026-10-25T00:30:00+00:00", "2026-10-26T01:30:00+00:00"]
        );
        assert_eq!(
            runs("*/30 2 * * *", "2026-10-24T12:00:00Z", 3),
            vec![
                "2026-10-25T00:00:00+00:00",
                "2026-10-25T00:30:00+00:00",
                "2026-10-26T01:00:00+00:00"
            ]
        );
        // Asked between the two occurrences: the next day, not the second one.
        assert_eq!(
            runs("30 2 * * *", "2026-10-25T01:00:00Z", 1),
            vec!["2026-10-26T01:30:00+00:00"]
        );
    }
}
