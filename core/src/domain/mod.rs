//! The things Kohero talks about: actors, initiatives, memberships, updates, events,
//! subscriptions. Values here are valid once built: parsing happens at the edges
//! (`text`, `geo`, `command`).
//!
//! One file per part: people ([`people`]), initiatives and what happens in
//! them ([`initiatives`]), what people follow ([`follow`]), and what Kohero
//! sends ([`outgoing`]).

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A person or an organisation known to Kohero.
    ActorId
);
id_type!(
    /// An idea or a project, written `#42` in chat.
    InitiativeId
);
id_type!(
    /// An event of a project.
    EventId
);
id_type!(
    /// A progress update of a project.
    UpdateId
);
id_type!(
    /// A subscription to a place.
    SubscriptionId
);
id_type!(
    /// A project's need, written `B5` in chat.
    NeedId
);
id_type!(
    /// An offer to help a project, written `O7` in chat.
    OfferId
);
id_type!(
    /// A town hall's consultation of its citizens, written `C3` in chat.
    ConsultationId
);

mod actors;
mod consultations;
mod democracy;
mod follow;
mod initiatives;
mod moderation;
mod needs;
mod outgoing;
mod people;
mod relay;

pub use actors::*;
pub use consultations::*;
pub use democracy::*;
pub use follow::*;
pub use initiatives::*;
pub use moderation::*;
pub use needs::*;
pub use outgoing::*;
pub use people::*;
pub use relay::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_by_key_and_names() {
        assert_eq!(Category::parse("compost"), Some(Category::Compost));
        assert_eq!(Category::parse("Réparation"), Some(Category::Repair));
        assert_eq!(Category::parse("ÉNERGIE"), Some(Category::Energy));
        assert_eq!(Category::parse("Solidarity"), Some(Category::Solidarity));
        assert_eq!(
            Category::parse("anti-gaspillage"),
            Some(Category::Antiwaste)
        );
        assert_eq!(Category::parse("pizza"), None);
    }

    #[test]
    fn identities() {
        let i = Identity::parse("matrix:@a:example.org").unwrap();
        assert_eq!(i.network, "matrix");
        assert_eq!(i.id, "@a:example.org");
        assert!(Identity::parse("nocolon").is_none());
        assert!(Identity::parse("Tele gram:1").is_none());
        assert!(Identity::parse("console:").is_none());
    }

    #[test]
    fn insee_codes() {
        assert!(InseeCode::parse("69266").is_some());
        assert_eq!(InseeCode::parse("2a004").unwrap().as_str(), "2A004");
        assert!(InseeCode::parse("6926").is_none());
        assert!(InseeCode::parse("69X66").is_none());
    }

    #[test]
    fn rsvp_answers() {
        assert_eq!(RsvpAnswer::parse("peut-être"), Some(RsvpAnswer::Maybe));
        assert_eq!(RsvpAnswer::parse("Oui"), Some(RsvpAnswer::Yes));
        assert_eq!(RsvpAnswer::parse("nope"), None);
    }
}
