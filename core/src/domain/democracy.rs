//! Local democracy: the town hall's answer to citizens' initiatives.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::*;
use crate::text::fold;

/// What a town hall answers an idea or project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnswerStatus {
    /// Retenue: the council takes it up.
    Accepted,
    /// À l'étude.
    Studying,
    /// Non retenue.
    Declined,
}

impl AnswerStatus {
    pub fn key(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Studying => "studying",
            Self::Declined => "declined",
        }
    }

    /// The key, or the French and English words (`retenue`, `etude`,
    /// `non-retenue`, `accepted`, `studying`, `declined`), accents and case
    /// left out.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match fold(s).replace(['_', ' '], "-").as_str() {
            "accepted" | "retenue" | "retenu" | "acceptee" | "accepte" => Self::Accepted,
            "studying" | "etude" | "a-l-etude" | "en-etude" | "alletude" => Self::Studying,
            "declined" | "non-retenue" | "non-retenu" | "nonretenue" | "refusee" | "refuse" => {
                Self::Declined
            }
            _ => return None,
        })
    }
}

/// A town hall's answer, one an initiative (updated in place).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TownAnswer {
    pub initiative: InitiativeId,
    /// The municipality that answered; `None` once it is gone.
    pub municipality: Option<ActorId>,
    pub status: AnswerStatus,
    pub text: String,
    pub answered_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An idea flagged to a town hall for reaching its threshold of supporters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThresholdFlag {
    pub municipality: ActorId,
    pub initiative: InitiativeId,
    pub supporters: u32,
    pub at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        assert_eq!(AnswerStatus::parse("Retenue"), Some(AnswerStatus::Accepted));
        assert_eq!(AnswerStatus::parse("étude"), Some(AnswerStatus::Studying));
        assert_eq!(
            AnswerStatus::parse("non-retenue"),
            Some(AnswerStatus::Declined)
        );
        assert_eq!(
            AnswerStatus::parse("declined"),
            Some(AnswerStatus::Declined)
        );
        assert_eq!(AnswerStatus::parse("peut-être"), None);
    }
}
