//! The statements that are the same in both SQL stores, one file per port,
//! each named after the port method that runs it (`_2` for its second).
//! Written with numbered parameters `?N`, which SQLite takes as they are and
//! PostgreSQL as `$N` ([`pg`]).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

pub mod adapter_state;
pub mod consultations;
pub mod democracy;
pub mod events;
pub mod initiatives;
pub mod intake;
pub mod leases;
pub mod moderation;
pub mod needs;
pub mod organisations;
pub mod outbox;
pub mod people;
pub mod projects;
pub mod rooms;
pub mod schedules;

/// A shared statement as PostgreSQL writes it: `?N` becomes `$N` (outside
/// quoted strings). Converted once per statement and kept for the process's
/// life (there are a hundred or so), so a call costs a lookup.
pub fn pg(sql: &'static str) -> &'static str {
    static SEEN: OnceLock<Mutex<HashMap<&'static str, &'static str>>> = OnceLock::new();
    let mut seen = SEEN
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    seen.entry(sql)
        .or_insert_with(|| Box::leak(dollars(sql).into_boxed_str()))
}

/// How a list is matched on SQLite (one JSON array), and on PostgreSQL (an
/// array): `IN (SELECT value FROM json_each(?N))` becomes `= ANY(?N)`.
const LIST_SQLITE: &str = "IN (SELECT value FROM json_each(?";

/// `?N` → `$N` outside single-quoted strings, lists as PostgreSQL takes them.
fn dollars(sql: &str) -> String {
    let sql = any_lists(sql);
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted && chars.peek().is_some_and(char::is_ascii_digit) => out.push('$'),
            _ => out.push(c),
        }
    }
    out
}

/// `IN (SELECT value FROM json_each(?N))` → `= ANY(?N)`.
fn any_lists(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(at) = rest.find(LIST_SQLITE) {
        let after = &rest[at + LIST_SQLITE.len()..];
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        let Some(tail) = after[digits..].strip_prefix("))") else {
            break;
        };
        out.push_str(&rest[..at]);
        out.push_str("= ANY(?");
        out.push_str(&after[..digits]);
        out.push(')');
        rest = tail;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_parameters_become_dollars_outside_strings() {
        assert_eq!(
            dollars("SELECT '?1', a FROM t WHERE b = ?1 AND c = ?12 AND d <> '?'"),
            "SELECT '?1', a FROM t WHERE b = $1 AND c = $12 AND d <> '?'"
        );
        assert_eq!(
            dollars("SELECT * FROM t WHERE a IN (SELECT value FROM json_each(?1)) AND b = ?2"),
            "SELECT * FROM t WHERE a = ANY($1) AND b = $2"
        );
        let a = pg(leases::GIVE_UP_LEASE);
        assert_eq!(a, "DELETE FROM leases WHERE name = $1 AND holder = $2");
        assert!(std::ptr::eq(a, pg(leases::GIVE_UP_LEASE)));
    }

    /// Every shared statement numbers its parameters from 1 without a gap, as
    /// both stores bind them.
    #[test]
    fn parameters_are_numbered_from_one() {
        let all = [
            adapter_state::ALL,
            consultations::ALL,
            events::ALL,
            democracy::ALL,
            initiatives::ALL,
            intake::ALL,
            leases::ALL,
            moderation::ALL,
            needs::ALL,
            organisations::ALL,
            outbox::ALL,
            people::ALL,
            people::MERGE_ACTORS,
            projects::ALL,
            rooms::ALL,
            schedules::ALL,
        ];
        for sql in all.iter().flat_map(|m| m.iter()) {
            let mut n: Vec<u32> = sql
                .split('?')
                .skip(1)
                .filter_map(|s| {
                    let d: String = s.chars().take_while(char::is_ascii_digit).collect();
                    d.parse().ok()
                })
                .collect();
            n.sort_unstable();
            n.dedup();
            assert_eq!(n, (1..=n.len() as u32).collect::<Vec<_>>(), "{sql}");
        }
    }
}
