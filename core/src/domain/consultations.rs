//! Consultations: a town hall asks the readers of its communes a question
//! (`C3`), each person answers once (linked identities count once) and may
//! change their answer until the end; at the end the counts stay and who
//! chose what is dropped.

use chrono::{DateTime, Utc};

use super::*;

/// Options of a consultation: at least…
pub const OPTIONS_MIN: usize = 2;
/// …and at most (a vote is a set of them, kept in 16 bits).
pub const OPTIONS_MAX: usize = 10;
/// The longest question, in characters.
pub const QUESTION_MAX: usize = 300;
/// The longest option, in characters (it is a button's label).
pub const OPTION_MAX: usize = 80;
/// Consultations a town hall may have open at once (each one goes to every
/// reader of its communes).
pub const OPEN_MAX: usize = 5;

/// The options a person chose, as a set of option numbers (0-based bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Choices(u16);

impl Choices {
    /// From its stored form; `None` if empty or naming options past `n`.
    pub fn from_bits(bits: u16, n: usize) -> Option<Self> {
        (bits != 0 && n <= OPTIONS_MAX && u32::from(bits) < (1 << n)).then_some(Self(bits))
    }

    pub fn bits(self) -> u16 {
        self.0
    }

    /// One option (0-based).
    pub fn one(i: usize) -> Self {
        Self(1 << i)
    }

    pub fn contains(self, i: usize) -> bool {
        i < 16 && self.0 & (1 << i) != 0
    }

    /// The set with option `i` in or out.
    #[must_use]
    pub fn toggled(self, i: usize) -> Self {
        Self(self.0 ^ (1 << i))
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The chosen options' numbers (0-based), in order.
    pub fn iter(self) -> impl Iterator<Item = usize> {
        (0..16).filter(move |i| self.contains(*i))
    }

    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }
}

/// What a person asks of their vote (`/voter C3 …`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoteArg {
    /// These options (1-based, as typed): `2` or `1,3`.
    Set(Vec<usize>),
    /// One option in or out of their vote (the buttons of a consultation
    /// with several choices): `+2`.
    Toggle(usize),
    /// No vote any more.
    Withdraw,
}

impl VoteArg {
    /// `2`, `1,3`, `1 3`, `+2`, `retirer`/`withdraw`/`-`.
    pub fn parse(words: &[&str]) -> Option<Self> {
        let joined = words.join(",");
        let folded = crate::text::fold(&joined);
        if matches!(
            folded.as_str(),
            "retirer" | "withdraw" | "-" | "aucun" | "none" | "annuler"
        ) {
            return Some(Self::Withdraw);
        }
        if let Some(n) = folded.strip_prefix('+') {
            return n.parse().ok().filter(|n| *n >= 1).map(Self::Toggle);
        }
        let mut out = Vec::new();
        for part in folded.split([',', ';']).filter(|p| !p.is_empty()) {
            let n: usize = part.trim().parse().ok().filter(|n| *n >= 1)?;
            if !out.contains(&n) {
                out.push(n);
            }
        }
        (!out.is_empty()).then_some(Self::Set(out))
    }
}

/// The counts of a consultation: by option, and the number of people who
/// voted (with several choices, the counts add up to more).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tally {
    pub counts: Vec<u32>,
    pub voters: u32,
}

impl Tally {
    /// Option `i`'s share of the voters, in whole percent (rounded).
    pub fn percent(&self, i: usize) -> u32 {
        let n = self.counts.get(i).copied().unwrap_or(0);
        if self.voters == 0 {
            return 0;
        }
        let p = (u64::from(n) * 200 + u64::from(self.voters)) / (2 * u64::from(self.voters));
        u32::try_from(p).unwrap_or(100)
    }
}

/// A consultation as asked.
#[derive(Debug, Clone, PartialEq)]
pub struct NewConsultation {
    pub municipality: ActorId,
    /// The communes whose readers it is for (the town hall's, when asked).
    pub communes: Vec<InseeCode>,
    pub question: String,
    pub options: Vec<String>,
    pub multiple: bool,
    pub ends_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// Sent when created (`maintenant`) rather than with the next digest.
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Consultation {
    pub id: ConsultationId,
    pub municipality: ActorId,
    pub communes: Vec<InseeCode>,
    pub question: String,
    pub options: Vec<String>,
    pub multiple: bool,
    pub ends_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// When it went to the readers; `None` while it waits for the digest.
    pub sent_at: Option<DateTime<Utc>>,
    /// When it closed: its counts are then `results`, and nobody's vote is
    /// kept.
    pub closed_at: Option<DateTime<Utc>>,
    pub results: Option<Tally>,
}

impl Consultation {
    /// Votes are taken (not closed, not past its end).
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.closed_at.is_none() && now < self.ends_at
    }

    /// The choices `arg` asks for, from `before` (the person's vote, if
    /// any): `Ok(None)` withdraws; `Err` says what is wrong.
    pub fn choices(
        &self,
        arg: &VoteArg,
        before: Option<Choices>,
    ) -> Result<Option<Choices>, VoteError> {
        let n = self.options.len();
        let check = |i: usize| {
            if (1..=n).contains(&i) {
                Ok(i - 1)
            } else {
                Err(VoteError::NoSuchOption(i))
            }
        };
        match arg {
            VoteArg::Withdraw => Ok(None),
            VoteArg::Toggle(i) => {
                let i = check(*i)?;
                let after = if self.multiple {
                    before.unwrap_or_default().toggled(i)
                } else if before == Some(Choices::one(i)) {
                    Choices::default()
                } else {
                    Choices::one(i)
                };
                Ok((!after.is_empty()).then_some(after))
            }
            VoteArg::Set(list) => {
                if list.len() > 1 && !self.multiple {
                    return Err(VoteError::OnlyOne);
                }
                let mut c = Choices::default();
                for i in list {
                    c = c.toggled(check(*i)?);
                }
                Ok(Some(c))
            }
        }
    }
}

/// Why a vote is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoteError {
    /// An option number past the last (1-based, as typed).
    NoSuchOption(usize),
    /// Several options where one is allowed.
    OnlyOne,
}

/// A person's vote, as `/mesdonnees` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vote {
    pub consultation: ConsultationId,
    pub choices: Choices,
    pub at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(multiple: bool) -> Consultation {
        Consultation {
            id: ConsultationId(3),
            municipality: ActorId(1),
            communes: Vec::new(),
            question: "?".into(),
            options: vec!["Oui".into(), "Non".into(), "L'été".into()],
            multiple,
            ends_at: DateTime::<Utc>::MAX_UTC,
            created_at: DateTime::<Utc>::MIN_UTC,
            sent_at: None,
            closed_at: None,
            results: None,
        }
    }

    #[test]
    fn votes_parse() {
        assert_eq!(VoteArg::parse(&["2"]), Some(VoteArg::Set(vec![2])));
        assert_eq!(VoteArg::parse(&["1,3"]), Some(VoteArg::Set(vec![1, 3])));
        assert_eq!(
            VoteArg::parse(&["1", "3", "1"]),
            Some(VoteArg::Set(vec![1, 3]))
        );
        assert_eq!(VoteArg::parse(&["+2"]), Some(VoteArg::Toggle(2)));
        assert_eq!(VoteArg::parse(&["Retirer"]), Some(VoteArg::Withdraw));
        assert_eq!(VoteArg::parse(&["0"]), None);
        assert_eq!(VoteArg::parse(&["oui"]), None);
        assert_eq!(VoteArg::parse(&["1,", "😀"]), None);
        assert_eq!(VoteArg::parse(&["99999999999999999999"]), None);
        assert_eq!(VoteArg::parse(&[]), None);
    }

    #[test]
    fn choices_follow_the_rules() {
        let one = c(false);
        assert_eq!(
            one.choices(&VoteArg::Set(vec![1, 3]), None),
            Err(VoteError::OnlyOne)
        );
        assert_eq!(
            one.choices(&VoteArg::Set(vec![4]), None),
            Err(VoteError::NoSuchOption(4))
        );
        assert_eq!(
            one.choices(&VoteArg::Toggle(2), Some(Choices::one(0))),
            Ok(Some(Choices::one(1)))
        );
        // Pressing one's own choice again takes the vote back.
        assert_eq!(
            one.choices(&VoteArg::Toggle(2), Some(Choices::one(1))),
            Ok(None)
        );
        let many = c(true);
        let both = many
            .choices(&VoteArg::Toggle(3), Some(Choices::one(0)))
            .unwrap()
            .unwrap();
        assert_eq!(both.iter().collect::<Vec<_>>(), vec![0, 2]);
        assert_eq!(Choices::from_bits(both.bits(), 3), Some(both));
        assert_eq!(Choices::from_bits(0b1000, 3), None);
        assert_eq!(Choices::from_bits(0, 3), None);
    }

    #[test]
    fn percents_round() {
        let t = Tally {
            counts: vec![2, 1, 0],
            voters: 3,
        };
        assert_eq!((t.percent(0), t.percent(1), t.percent(2)), (67, 33, 0));
        assert_eq!(Tally::default().percent(0), 0);
    }
}
