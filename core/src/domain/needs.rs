//! What projects need (`B5`: volunteers, material, a skill, a place,
//! funding) and what people and actors offer them (`O7`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::*;
use crate::text::fold;

/// The kinds of need of INTERFACE.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NeedKind {
    Volunteers,
    Material,
    Skill,
    Place,
    Funding,
}

impl NeedKind {
    pub const ALL: [Self; 5] = [
        Self::Volunteers,
        Self::Material,
        Self::Skill,
        Self::Place,
        Self::Funding,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::Volunteers => "volunteers",
            Self::Material => "material",
            Self::Skill => "skill",
            Self::Place => "place",
            Self::Funding => "funding",
        }
    }

    /// The key, the French word or the English one, singular or plural,
    /// accents and case left out.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match fold(s).as_str() {
            "volunteers" | "volunteer" | "benevoles" | "benevole" | "benevolat" => Self::Volunteers,
            "material" | "materiel" | "materiels" => Self::Material,
            "skill" | "skills" | "competence" | "competences" => Self::Skill,
            "place" | "lieu" | "lieux" => Self::Place,
            "funding" | "financement" | "financements" => Self::Funding,
            _ => return None,
        })
    }

    /// One bit per kind, as the nearby index keeps an initiative's open needs.
    pub fn bit(self) -> u8 {
        1 << (self as u8)
    }

    /// Whether each accepted offer counts towards a quantity (volunteers,
    /// material, skills); a place or funding is filled by one offer (the
    /// quantity of funding is an amount in euros).
    pub fn counts(self) -> bool {
        matches!(self, Self::Volunteers | Self::Material | Self::Skill)
    }
}

/// Where a need stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NeedStatus {
    Open,
    /// Enough offers were accepted.
    Filled,
    /// Closed by an organiser.
    Closed,
}

impl NeedStatus {
    pub fn key(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Filled => "filled",
            Self::Closed => "closed",
        }
    }
    pub fn parse_key(s: &str) -> Option<Self> {
        Some(match s {
            "open" => Self::Open,
            "filled" => Self::Filled,
            "closed" => Self::Closed,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Need {
    pub id: NeedId,
    pub initiative: InitiativeId,
    pub kind: NeedKind,
    /// How many (volunteers, items), or an amount in euros for funding.
    pub quantity: Option<u32>,
    pub detail: Option<String>,
    /// Offers accepted for it.
    pub filled: u32,
    pub status: NeedStatus,
    pub created_by: Option<ActorId>,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// The end of the day it is for, if it said: past it, it is over.
    pub until: Option<DateTime<Utc>>,
}

impl Need {
    /// Open, and not past its day.
    pub fn is_current(&self, now: DateTime<Utc>) -> bool {
        self.status == NeedStatus::Open && self.until.is_none_or(|u| u > now)
    }

    /// How many accepted offers fill it.
    pub fn wanted(&self) -> u32 {
        if self.kind.counts() {
            self.quantity.unwrap_or(1).max(1)
        } else {
            1
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewNeed {
    pub initiative: InitiativeId,
    pub kind: NeedKind,
    pub quantity: Option<u32>,
    pub detail: Option<String>,
    pub created_by: ActorId,
    pub created_at: DateTime<Utc>,
    pub until: Option<DateTime<Utc>>,
}

/// Where an offer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OfferStatus {
    Pending,
    Accepted,
    Declined,
}

impl OfferStatus {
    pub fn key(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
        }
    }
    pub fn parse_key(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => Self::Pending,
            "accepted" => Self::Accepted,
            "declined" => Self::Declined,
            _ => return None,
        })
    }
}

/// Someone's offer to help a project, for one of its needs or in general.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Offer {
    pub id: OfferId,
    pub initiative: InitiativeId,
    pub need: Option<NeedId>,
    /// Who offered; `None` once they were erased (an actor's offer stays).
    pub person: Option<ActorId>,
    /// The verified actor they offered for, if any.
    pub as_actor: Option<ActorId>,
    pub message: Option<String>,
    pub status: OfferStatus,
    pub created_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub answered_by: Option<ActorId>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewOffer {
    pub initiative: InitiativeId,
    pub need: Option<NeedId>,
    pub person: ActorId,
    pub as_actor: Option<ActorId>,
    pub message: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Open needs one project may have at once.
pub const OPEN_NEEDS_MAX: usize = 20;
/// Offers one person may have waiting for an answer.
pub const PENDING_OFFERS_MAX: usize = 20;
/// The largest quantity (people, items, euros).
pub const QUANTITY_MAX: u32 = 1_000_000;
/// Longest detail of a need.
pub const NEED_DETAIL_MAX: usize = 500;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(NeedKind::parse("Bénévoles"), Some(NeedKind::Volunteers));
        assert_eq!(NeedKind::parse("matériel"), Some(NeedKind::Material));
        assert_eq!(NeedKind::parse("COMPÉTENCE"), Some(NeedKind::Skill));
        assert_eq!(NeedKind::parse("financement"), Some(NeedKind::Funding));
        assert_eq!(NeedKind::parse("pizza"), None);
        let bits: Vec<u8> = NeedKind::ALL.iter().map(|k| k.bit()).collect();
        assert_eq!(bits, vec![1, 2, 4, 8, 16]);
    }
}
