//! People: the languages they speak, actors (people and organisations), their
//! identities on the networks, and communes by INSEE code.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::*;
use crate::geo::GeoPoint;
use crate::text::fold;

/// The languages Kohero answers in. French is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Self::Fr => "fr",
            Self::En => "en",
        }
    }

    /// Accepts `fr`, `en`, region tags (`en-GB`) and the languages' names.
    pub fn parse(s: &str) -> Option<Self> {
        let s = fold(s);
        let primary = s.split(['-', '_']).next().unwrap_or_default();
        match primary {
            "fr" | "francais" | "french" => Some(Self::Fr),
            "en" | "anglais" | "english" => Some(Self::En),
            _ => None,
        }
    }
}

/// What kind of actor someone is. Anything but `Citizen` is set by an operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActorKind {
    Citizen,
    Association,
    Municipality,
    Company,
}

impl ActorKind {
    pub fn key(self) -> &'static str {
        match self {
            Self::Citizen => "citizen",
            Self::Association => "association",
            Self::Municipality => "municipality",
            Self::Company => "company",
        }
    }
}

impl FromStr for ActorKind {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match fold(s).as_str() {
            "citizen" | "citoyen" | "citoyenne" => Ok(Self::Citizen),
            "association" => Ok(Self::Association),
            "municipality" | "mairie" | "municipalite" | "commune" => Ok(Self::Municipality),
            "company" | "entreprise" => Ok(Self::Company),
            _ => Err(()),
        }
    }
}

/// An identity on one network, written `NETWORK:ID` (`telegram:12345`,
/// `matrix:@alice:example.org`, `console:alice`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Identity {
    pub network: String,
    pub id: String,
}

impl Identity {
    pub fn new(network: impl Into<String>, id: impl Into<String>) -> Self {
        Self {
            network: network.into(),
            id: id.into(),
        }
    }

    /// Parses `NETWORK:ID`; the network is lower-case ASCII, the id non-empty.
    pub fn parse(s: &str) -> Option<Self> {
        let (network, id) = s.trim().split_once(':')?;
        let network_ok = !network.is_empty()
            && network
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        let id_ok = !id.is_empty() && !id.chars().any(char::is_control) && id.len() <= 255;
        (network_ok && id_ok).then(|| Self::new(network, id))
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.network, self.id)
    }
}

/// An INSEE commune code: five characters, digits or `2A`/`2B` for Corsica.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InseeCode(String);

impl InseeCode {
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        let ok = b.len() == 5
            && (b[..2].iter().all(u8::is_ascii_digit) || &b[..2] == b"2A" || &b[..2] == b"2B")
            && b[2..].iter().all(u8::is_ascii_digit);
        ok.then_some(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for InseeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Actor {
    pub id: ActorId,
    pub kind: ActorKind,
    pub display_name: String,
    pub lang: Lang,
    /// IANA time zone, `Europe/Paris` unless the person changes it.
    pub tz: String,
    /// Set by an operator (`kohero admin verify`).
    pub verified: bool,
    /// Communes a verified municipality speaks for.
    pub communes: Vec<InseeCode>,
    /// The last location the person shared, rounded to about 100 m. Never shown to others.
    pub location: Option<GeoPoint>,
    pub created_at: DateTime<Utc>,
    /// The network the person chose for notices (`/profil reseau`); `None`:
    /// the one they used last.
    #[serde(default)]
    pub notify_network: Option<String>,
}

impl Actor {
    /// A town hall an operator verified: it speaks for its communes (forums,
    /// digests, announcements).
    pub fn is_verified_municipality(&self) -> bool {
        self.kind == ActorKind::Municipality && self.verified
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewActor {
    pub identity: Identity,
    pub display_name: String,
    pub lang: Lang,
    pub created_at: DateTime<Utc>,
}

/// A six-digit code an identity asked for to join another of its identities
/// (`/lier_compte`), and the identity that typed it, waiting for the first
/// one's confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkCode {
    pub code: String,
    /// The person who asked for it, and the identity they asked from.
    pub actor: ActorId,
    pub issuer: Identity,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Who typed it, and when (a code is typed once).
    pub claimed: Option<(Identity, DateTime<Utc>)>,
}

/// How long a link code can be typed, and how long its typing waits for the
/// confirmation.
pub const LINK_CODE_VALID: chrono::Duration = chrono::Duration::minutes(10);
/// Failed attempts at typing a code one identity may make in an hour.
pub const LINK_FAILURES_PER_IDENTITY: u64 = 5;
/// Failed attempts in an hour, all identities together, past which nobody may
/// type a code for a while (many fresh accounts guessing).
pub const LINK_FAILURES_OVERALL: u64 = 100;
