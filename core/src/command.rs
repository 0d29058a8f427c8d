//! The command language, one parser for every network: French commands with
//! English aliases, `/cmd` or `!cmd`, `@botname` suffixes ignored.

use crate::domain::{
    ActorId, ActorKind, AnswerStatus, Category, ConsultationId, EventId, InitiativeId,
    InitiativeKind, Lang, NeedId, NeedKind, OfferId, Reason, RsvpAnswer, Target, VoteArg,
    parse_actor_kind_plural,
};
use crate::geo::{GeoError, GeoPoint, MAX_RADIUS_M, parse_radius};
use crate::text::fold;

/// A location argument: a point, or words naming a commune or a postcode.
#[derive(Debug, Clone, PartialEq)]
pub enum PlaceArg {
    Point(GeoPoint),
    Name(String),
}

/// Where, how far, what: the arguments of `/pres`, `/fil` and `/abonner`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Area {
    pub place: Option<PlaceArg>,
    pub radius_m: Option<u32>,
    pub categories: Vec<Category>,
    /// Only ideas or only projects.
    pub kind: Option<InitiativeKind>,
    pub page: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditField {
    Title,
    Description,
    Category,
    Place,
}

/// What `/profil FIELD VALUE` changes besides the name: a verified actor's
/// public fields, or the person's skills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileField {
    Description,
    Place,
    Site,
    Contact,
    Categories,
    Skills,
}

/// `/equipe`'s arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TeamArg {
    Show,
    /// An identity, invited.
    Add(String),
    /// An identity, or a member's number in `/equipe`.
    Remove(String),
    /// The invited person accepts or refuses (`A12`).
    Accept(String),
    Refuse(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Help,
    Start(Option<String>),
    Near(Area),
    Search {
        text: String,
        page: u32,
    },
    /// `/proposer` alone starts the dialogue; with `|`-separated parts it runs at once;
    /// with a title only, the dialogue continues from the category.
    Propose(Vec<String>),
    Show(InitiativeId),
    Edit(InitiativeId, Option<(EditField, String)>),
    Support(InitiativeId),
    Launch(InitiativeId),
    Join(InitiativeId),
    Follow(InitiativeId),
    Leave(InitiativeId),
    Members(InitiativeId),
    Update(InitiativeId, String),
    Event(InitiativeId, Option<String>),
    /// `/evenement E7 annuler` or `/evenement E7 TITRE | DATE | LIEU [| DURÉE]`.
    ChangeEvent(EventId, EventChange),
    Rsvp(EventId, RsvpAnswer),
    Feed(Area),
    Subscribe(Area),
    Unsubscribe,
    Profile(Option<String>),
    Language(Option<Lang>),
    MyData,
    Forget {
        confirmed: bool,
    },
    Cancel,
    CoOrganise(InitiativeId, String),
    Accept(InitiativeId),
    Decline(InitiativeId),
    Drop(InitiativeId),
    Done(InitiativeId),
    Archive(InitiativeId),
    /// `/lier 42` in a group: the group becomes #42's.
    Link(InitiativeId),
    /// `/lier_commune [INSEE]` in a forum: the forum becomes the commune's.
    LinkCommune(Option<String>),
    /// A municipality's digest: shown, scheduled, stopped or sent now.
    Digest(DigestArg),
    /// A municipality's announcement: with the next digest, or alone at once.
    Announce {
        now: bool,
        text: String,
    },
    /// A person's alert settings.
    Alerts(AlertsArg),
    /// `/signaler ID [raison] [texte]`: without a reason, the reasons are offered.
    Report {
        target: Target,
        reason: Option<Reason>,
        text: Option<String>,
    },
    /// `/contester ID`: the author asks for one review of a hidden item.
    Appeal(Target),
    /// `/moderation [action ID …]`: moderators' queue and actions.
    Moderation(ModArg),
    /// `/lier_compte [CODE|oui|non]`: one person across networks.
    LinkAccount(LinkArg),
    /// `/delier_compte [réseau]`: an identity leaves the person (this one when
    /// no network is named).
    UnlinkAccount(Option<String>),
    /// `/profil reseau telegram|matrix|auto`: where notices go.
    NotifyNetwork(String),
    /// `/relais ID [oui|non]`: relaying between a project's chats, turned
    /// on or off (or how it stands).
    Relay(InitiativeId, Option<bool>),
    /// `/profil description|lieu|site|contact|categories|competences VALEUR`
    /// (`-` clears it).
    ProfileSet(ProfileField, String),
    /// `/voir A12`: a verified actor's profile.
    ShowActor(ActorId),
    /// `/acteurs [lieu] [rayon] [associations|entreprises|mairies] [catégorie]`.
    Actors(Area, Option<ActorKind>),
    /// `/equipe [ajouter|retirer IDENTITÉ]`: who acts for the actor.
    Team(TeamArg),
    /// `/besoin ID TYPE [QUANTITÉ] [| détail]`: a project's need.
    Need {
        initiative: InitiativeId,
        kind: NeedKind,
        quantity: Option<u32>,
        detail: Option<String>,
        /// `| jusqu'au 2027-04-12`: the day it is for.
        until: Option<chrono::NaiveDate>,
    },
    /// `/besoin B5 fermer`.
    CloseNeed(NeedId),
    /// `/besoins [lieu] [rayon] [type]`: open needs nearby.
    Needs(Area, Option<NeedKind>),
    /// `/contribuer B5|ID [message]`: an offer of help.
    Contribute(ContributeTo, Option<String>),
    /// `/accepter O7` / `/decliner O7`: an organiser answers an offer.
    AnswerOffer(OfferId, bool),
    /// `/suivre A12` (true) or `/quitter A12` (false).
    FollowActor(ActorId, bool),
    /// `/reponse ID retenue|etude|non-retenue TEXTE`: the town hall answers.
    TownAnswer {
        initiative: InitiativeId,
        status: AnswerStatus,
        text: String,
    },
    /// `/consultation …`: a town hall's consultations.
    Consultation(ConsultationArg),
    /// `/voter C3 2` (`1,3`, `+2`, `retirer`).
    Vote(ConsultationId, VoteArg),
    /// `/resultats C3`.
    Results(ConsultationId),
}

/// `/consultation`'s arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsultationArg {
    /// The town hall's consultations.
    List,
    /// `/consultation C3` (also `/voir C3`, `/start c3`).
    Show(ConsultationId),
    /// `/consultation C3 clore`: closed before its end.
    Close(ConsultationId),
    /// `QUESTION | OPTION | OPTION… [| plusieurs] | jusqu'au AAAA-MM-JJ [maintenant]`.
    New {
        question: String,
        options: Vec<String>,
        multiple: bool,
        /// The last day (in the town hall's time zone) votes are taken.
        until: chrono::NaiveDate,
        /// Sent at once rather than with the next digest.
        now: bool,
    },
}

/// What `/contribuer` answers: a need, or a project in general.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContributeTo {
    Need(NeedId),
    Initiative(InitiativeId),
}

/// `/lier_compte`'s arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkArg {
    /// A code to type on another network.
    Ask,
    /// The six digits, typed on the other network.
    Code(String),
    /// The identity that asked for the code accepts the one that typed it…
    Confirm,
    /// …or turns it away.
    Refuse,
}

/// `/lier_compte`'s arguments: nothing, `oui`/`non`, or six digits (spaces,
/// dots and dashes between them allowed: « 123 456 »).
fn parse_link(args: &[&str]) -> Result<LinkArg, ParseError> {
    let usage = ParseError::Usage(Name::LinkAccount);
    let Some(first) = args.first() else {
        return Ok(LinkArg::Ask);
    };
    match fold(first).as_str() {
        "oui" | "yes" | "confirmer" | "confirm" if args.len() == 1 => return Ok(LinkArg::Confirm),
        "non" | "no" | "refuser" | "refuse" if args.len() == 1 => return Ok(LinkArg::Refuse),
        _ => {}
    }
    let joined: String = args.concat();
    let digits: String = joined.chars().filter(|c| !matches!(c, '-' | '.')).collect();
    if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(LinkArg::Code(digits))
    } else {
        Err(usage)
    }
}

/// Days of a ban when the moderator does not say (`/moderation bannir U15`).
pub const DEFAULT_BAN_DAYS: u32 = 30;
/// The longest ban for a time (ten years); longer is `toujours`.
pub const MAX_BAN_DAYS: u32 = 3650;

/// What a moderator does with a reported item.
#[derive(Debug, Clone, PartialEq)]
pub enum ModArg {
    /// The open reports, oldest first.
    List,
    /// The newest entries of the moderation log.
    Log,
    /// Hide the item, with an optional reason for its author.
    Hide(Target, Option<String>),
    /// Keep the item (shown again if it was hidden); its reports are closed.
    Keep(Target),
    /// Warn the item's author, with an optional message.
    Warn(Target, Option<String>),
    /// Ban the item's author: for days (`None`: for good), with a reason.
    Ban(Target, Option<u32>, Option<String>),
    /// Lift the ban of the item's author (or of actor `A12`).
    Unban(Target),
    /// Take the item's author out of the item's project.
    Remove(Target),
}

#[derive(Debug, Clone, PartialEq)]
pub enum DigestArg {
    Show,
    /// A crontab expression, with an optional IANA zone at the end.
    Set(String),
    Off,
    Now,
    /// `seuil N` (`threshold N`): flag ideas reaching N supporters; `seuil
    /// non` stops.
    Threshold(Option<u32>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AlertsArg {
    Show,
    On,
    Off,
    /// Quiet hours as minutes after midnight (from, to); `None`: no quiet hours.
    Quiet(Option<(u32, u32)>),
}

/// `22-8`, `22h-8h`, `22h30-7h`, `22:30-07:00`: two local times.
fn parse_quiet(s: &str) -> Option<(u32, u32)> {
    let (a, b) = s.split_once('-')?;
    let time = |t: &str| -> Option<u32> {
        let t = t.trim().to_ascii_lowercase().replace('h', ":");
        let (h, m) = t.split_once(':').unwrap_or((&t, ""));
        let h: u32 = h.parse().ok()?;
        let m: u32 = if m.is_empty() { 0 } else { m.parse().ok()? };
        (h < 24 && m < 60).then_some(h * 60 + m)
    };
    Some((time(a)?, time(b)?))
}

/// The command words, for usage messages: the message id is `usage-<name>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Name {
    Show,
    Edit,
    Support,
    Launch,
    Join,
    Follow,
    Leave,
    Members,
    Update,
    Event,
    Rsvp,
    Search,
    Language,
    CoOrganise,
    Accept,
    Decline,
    Drop,
    Done,
    Archive,
    Propose,
    Profile,
    Link,
    Announce,
    Alerts,
    Report,
    Appeal,
    Moderation,
    LinkAccount,
    Relay,
    Team,
    Need,
    Contribute,
    Answer,
    Threshold,
    Consultation,
    Vote,
    Results,
}

impl Name {
    pub fn usage_id(self) -> &'static str {
        match self {
            Self::Show => "usage-show",
            Self::Edit => "usage-edit",
            Self::Support => "usage-support",
            Self::Launch => "usage-launch",
            Self::Join => "usage-join",
            Self::Follow => "usage-follow",
            Self::Leave => "usage-leave",
            Self::Members => "usage-members",
            Self::Update => "usage-update",
            Self::Event => "usage-event",
            Self::Rsvp => "usage-rsvp",
            Self::Search => "usage-search",
            Self::Language => "usage-language",
            Self::CoOrganise => "usage-coorganise",
            Self::Accept => "usage-accept",
            Self::Decline => "usage-decline",
            Self::Drop => "usage-drop",
            Self::Done => "usage-done",
            Self::Archive => "usage-archive",
            Self::Propose => "usage-propose",
            Self::Profile => "usage-profile",
            Self::Link => "usage-link",
            Self::Announce => "usage-announce",
            Self::Alerts => "usage-alerts",
            Self::Report => "usage-report",
            Self::Appeal => "usage-appeal",
            Self::Moderation => "usage-moderation",
            Self::LinkAccount => "usage-link-account",
            Self::Relay => "usage-relay",
            Self::Team => "usage-team",
            Self::Need => "usage-need",
            Self::Contribute => "usage-contribute",
            Self::Answer => "usage-answer",
            Self::Threshold => "usage-threshold",
            Self::Consultation => "usage-consultation",
            Self::Vote => "usage-vote",
            Self::Results => "usage-results",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ParseError {
    UnknownCommand(String),
    Usage(Name),
    BadLocation(GeoError),
    RadiusTooLarge,
    BadRadius(String),
}

/// What a line of text is.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    Command(Command),
    /// Text that is no command: an answer in a dialogue, or chatter.
    Text(String),
}

/// Whether a word starts like a `geo:` URI (ASCII-case-insensitive; any text,
/// accents and emoji included, is safe to ask).
fn is_geo_uri(s: &str) -> bool {
    s.len() > 4 && s.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("geo:"))
}

/// `/moderation`'s arguments: nothing (the queue), or an action and an item.
fn parse_moderation(rest: &str) -> Result<ModArg, ParseError> {
    let usage = ParseError::Usage(Name::Moderation);
    let mut words = rest.split_whitespace();
    let Some(action) = words.next() else {
        return Ok(ModArg::List);
    };
    if matches!(fold(action).as_str(), "journal" | "log") {
        return match words.next() {
            None => Ok(ModArg::Log),
            Some(_) => Err(usage),
        };
    }
    let target = words
        .next()
        .and_then(Target::parse)
        .ok_or(ParseError::Usage(Name::Moderation))?;
    let tail: Vec<&str> = words.collect();
    let text = |w: &[&str]| {
        let t = w.join(" ");
        (!t.is_empty()).then_some(t)
    };
    Ok(match fold(action).as_str() {
        "masquer" | "hide" | "cacher" => ModArg::Hide(target, text(&tail)),
        "garder" | "keep" | "retablir" | "restore" => {
            if !tail.is_empty() {
                return Err(usage);
            }
            ModArg::Keep(target)
        }
        "avertir" | "warn" => ModArg::Warn(target, text(&tail)),
        "bannir" | "ban" => {
            let (days, reason_from) = match tail.first().map(|w| fold(w)) {
                Some(w) if matches!(w.as_str(), "toujours" | "forever" | "definitif") => (None, 1),
                Some(w) => match w.trim_end_matches(['j', 'd']).parse::<u32>() {
                    Ok(d) if (1..=MAX_BAN_DAYS).contains(&d) => (Some(d), 1),
                    Ok(_) => return Err(usage),
                    Err(_) => (Some(DEFAULT_BAN_DAYS), 0),
                },
                None => (Some(DEFAULT_BAN_DAYS), 0),
            };
            ModArg::Ban(target, days, text(&tail[reason_from..]))
        }
        "retirer" | "exclure" | "remove" => {
            if !tail.is_empty() {
                return Err(usage);
            }
            ModArg::Remove(target)
        }
        "debannir" | "unban" => {
            if !tail.is_empty() {
                return Err(usage);
            }
            ModArg::Unban(target)
        }
        _ => return Err(usage),
    })
}

/// Parses a message as typed (or a button's payload).
/// Whether a message in a shared chat changes what the chat is (`/lier`,
/// `/lier_commune`, and `/start lN` sent when the bot is added to a group for
/// #N): the network must then say who the sender is there
/// ([`crate::inbox::ChatCheck`]). Other messages need no lookup.
pub fn needs_chat_check(text: &str) -> bool {
    matches!(
        parse(text),
        Ok(Parsed::Command(
            Command::Link(_) | Command::LinkCommune(_) | Command::Start(Some(_))
        ))
    )
}

pub fn parse(input: &str) -> Result<Parsed, ParseError> {
    let line = input.trim();
    if is_geo_uri(line) {
        let p = GeoPoint::parse_uri(line.split_whitespace().next().unwrap_or(line))
            .map_err(ParseError::BadLocation)?;
        let rest: Vec<&str> = line.split_whitespace().skip(1).collect();
        let mut area = parse_area(&rest)?;
        area.place = Some(PlaceArg::Point(p));
        return Ok(Parsed::Command(Command::Near(area)));
    }
    let Some(body) = line.strip_prefix('/').or_else(|| line.strip_prefix('!')) else {
        return Ok(Parsed::Text(line.to_owned()));
    };
    let (word, rest) = match body.find(char::is_whitespace) {
        Some(i) => (&body[..i], body[i..].trim()),
        None => (body, ""),
    };
    // Telegram appends the bot's name in groups: /aide@kohero_bot
    let word = word.split('@').next().unwrap_or(word);
    let word = fold(word).replace('-', "_");
    let args: Vec<&str> = rest.split_whitespace().collect();
    let id = |name: Name| -> Result<InitiativeId, ParseError> {
        args.first()
            .and_then(|a| parse_initiative_id(a))
            .ok_or(ParseError::Usage(name))
    };
    let only_id = |name: Name| -> Result<InitiativeId, ParseError> {
        if args.len() == 1 {
            id(name)
        } else {
            Err(ParseError::Usage(name))
        }
    };
    let after_id = |s: &str| -> String {
        let s = s.trim_start();
        let cut = s.find(char::is_whitespace).unwrap_or(s.len());
        s[cut..].trim().to_owned()
    };
    let cmd = match word.as_str() {
        "aide" | "help" | "h" => Command::Help,
        "start" | "demarrer" => Command::Start(args.first().map(|s| (*s).to_owned())),
        "pres" | "near" | "autour" => Command::Near(parse_area(&args)?),
        "chercher" | "search" | "recherche" => {
            let mut words: Vec<&str> = Vec::new();
            let mut page = 0;
            for a in &args {
                match parse_page(a) {
                    Some(p) => page = p,
                    None => words.push(a),
                }
            }
            if words.is_empty() {
                return Err(ParseError::Usage(Name::Search));
            }
            Command::Search {
                text: words.join(" "),
                page,
            }
        }
        "proposer" | "propose" | "idee" | "idea" => {
            if rest.is_empty() {
                Command::Propose(Vec::new())
            } else {
                let parts: Vec<String> = rest.split('|').map(|p| p.trim().to_owned()).collect();
                if parts.len() > 4 {
                    return Err(ParseError::Usage(Name::Propose));
                }
                Command::Propose(parts)
            }
        }
        "voir" | "show" | "projet" | "project" | "initiative" => match args.as_slice() {
            [a] if parse_actor_id(a).is_some() => {
                Command::ShowActor(parse_actor_id(a).ok_or(ParseError::Usage(Name::Show))?)
            }
            [c] if parse_consultation_id(c).is_some() => {
                Command::Consultation(ConsultationArg::Show(
                    parse_consultation_id(c).ok_or(ParseError::Usage(Name::Show))?,
                ))
            }
            _ => Command::Show(only_id(Name::Show)?),
        },
        "acteurs" | "actors" | "acteur" | "actor" => {
            let kind = args.iter().find_map(|a| parse_actor_kind_plural(a));
            let rest: Vec<&str> = args
                .iter()
                .copied()
                .filter(|a| parse_actor_kind_plural(a).is_none())
                .collect();
            Command::Actors(parse_area(&rest)?, kind)
        }
        "equipe" | "team" => Command::Team(match args.as_slice() {
            [] => TeamArg::Show,
            [verb, who] if matches!(fold(verb).as_str(), "ajouter" | "add") => {
                TeamArg::Add((*who).to_owned())
            }
            [verb, who] if matches!(fold(verb).as_str(), "retirer" | "remove" | "enlever") => {
                TeamArg::Remove((*who).to_owned())
            }
            [verb, who]
                if matches!(
                    fold(verb).as_str(),
                    "accepter" | "accept" | "rejoindre" | "join"
                ) =>
            {
                TeamArg::Accept((*who).to_owned())
            }
            [verb, who]
                if matches!(
                    fold(verb).as_str(),
                    "refuser" | "refuse" | "decliner" | "decline"
                ) =>
            {
                TeamArg::Refuse((*who).to_owned())
            }
            _ => return Err(ParseError::Usage(Name::Team)),
        }),
        "modifier" | "edit" => {
            let i = id(Name::Edit)?;
            match args.get(1) {
                None => Command::Edit(i, None),
                Some(f) => {
                    let field = match fold(f).as_str() {
                        "titre" | "title" => EditField::Title,
                        "description" | "desc" => EditField::Description,
                        "categorie" | "category" => EditField::Category,
                        "lieu" | "place" | "location" => EditField::Place,
                        _ => return Err(ParseError::Usage(Name::Edit)),
                    };
                    let value = after_id(&after_id(rest));
                    if value.is_empty() {
                        return Err(ParseError::Usage(Name::Edit));
                    }
                    Command::Edit(i, Some((field, value)))
                }
            }
        }
        "soutenir" | "support" => Command::Support(only_id(Name::Support)?),
        "lancer" | "launch" => Command::Launch(only_id(Name::Launch)?),
        "rejoindre" | "join" => Command::Join(only_id(Name::Join)?),
        "suivre" | "follow" => match args.as_slice() {
            [a] if parse_actor_id(a).is_some() => Command::FollowActor(
                parse_actor_id(a).ok_or(ParseError::Usage(Name::Follow))?,
                true,
            ),
            _ => Command::Follow(only_id(Name::Follow)?),
        },
        "quitter" | "leave" | "nepassuivre" | "unfollow" => match args.as_slice() {
            [a] if parse_actor_id(a).is_some() => Command::FollowActor(
                parse_actor_id(a).ok_or(ParseError::Usage(Name::Leave))?,
                false,
            ),
            _ => Command::Leave(only_id(Name::Leave)?),
        },
        "membres" | "members" => Command::Members(only_id(Name::Members)?),
        "maj" | "update" | "nouvelles" => {
            let i = id(Name::Update)?;
            let text = after_id(rest);
            if text.is_empty() {
                return Err(ParseError::Usage(Name::Update));
            }
            Command::Update(i, text)
        }
        "evenement" | "event" | "rdv" if args.first().is_some_and(|a| is_event_ref(a)) => {
            let e = args
                .first()
                .and_then(|a| parse_event_id(a))
                .ok_or(ParseError::Usage(Name::Event))?;
            let text = after_id(rest);
            let change = match fold(&text).as_str() {
                "" => return Err(ParseError::Usage(Name::Event)),
                "annuler" | "cancel" => EventChange::Cancel,
                _ => EventChange::Edit(text),
            };
            Command::ChangeEvent(e, change)
        }
        "evenement" | "event" | "rdv" => {
            let i = id(Name::Event)?;
            let text = after_id(rest);
            Command::Event(i, (!text.is_empty()).then_some(text))
        }
        "participer" | "rsvp" => {
            if args.len() != 2 {
                return Err(ParseError::Usage(Name::Rsvp));
            }
            let e = parse_event_id(args[0]).ok_or(ParseError::Usage(Name::Rsvp))?;
            let a = RsvpAnswer::parse(args[1]).ok_or(ParseError::Usage(Name::Rsvp))?;
            Command::Rsvp(e, a)
        }
        "fil" | "feed" | "actus" | "news" => Command::Feed(parse_area(&args)?),
        "abonner" | "subscribe" | "sabonner" => Command::Subscribe(parse_area(&args)?),
        "desabonner" | "unsubscribe" | "sedesabonner" => Command::Unsubscribe,
        "profil" | "profile" | "moi" | "me" => {
            if args.is_empty() {
                Command::Profile(None)
            } else if matches!(fold(args[0]).as_str(), "nom" | "name") && args.len() > 1 {
                Command::Profile(Some(after_id(rest)))
            } else if matches!(fold(args[0]).as_str(), "reseau" | "network") && args.len() == 2 {
                Command::NotifyNetwork(fold(args[1]))
            } else if let (Some(field), true) = (parse_profile_field(args[0]), args.len() > 1) {
                Command::ProfileSet(field, after_id(rest))
            } else {
                return Err(ParseError::Usage(Name::Profile));
            }
        }
        "langue" | "language" | "lang" => match args.as_slice() {
            [] => Command::Language(None),
            [l] => Command::Language(Some(
                Lang::parse(l).ok_or(ParseError::Usage(Name::Language))?,
            )),
            _ => return Err(ParseError::Usage(Name::Language)),
        },
        "mesdonnees" | "mydata" => Command::MyData,
        "relais" | "relay" => {
            let i = id(Name::Relay)?;
            let on = match args.get(1).map(|a| fold(a)).as_deref() {
                None => None,
                Some("oui" | "yes" | "on") => Some(true),
                Some("non" | "no" | "off") => Some(false),
                Some(_) => return Err(ParseError::Usage(Name::Relay)),
            };
            if args.len() > 2 {
                return Err(ParseError::Usage(Name::Relay));
            }
            Command::Relay(i, on)
        }
        "lier_compte" | "link_account" | "liercompte" | "linkaccount" => {
            Command::LinkAccount(parse_link(&args)?)
        }
        "delier_compte" | "unlink_account" | "deliercompte" | "unlinkaccount" => {
            match args.as_slice() {
                [] => Command::UnlinkAccount(None),
                [n] => Command::UnlinkAccount(Some(fold(n))),
                _ => return Err(ParseError::Usage(Name::LinkAccount)),
            }
        }
        "oublier" | "forget" => Command::Forget {
            confirmed: args.first().is_some_and(|a| {
                matches!(fold(a).as_str(), "confirmer" | "confirm" | "oui" | "yes")
            }),
        },
        "annuler" | "cancel" | "stop" => Command::Cancel,
        "coorganiser" | "coorganize" | "coorganise" => {
            let i = id(Name::CoOrganise)?;
            let who = after_id(rest);
            if who.is_empty() {
                return Err(ParseError::Usage(Name::CoOrganise));
            }
            Command::CoOrganise(i, who.trim_start_matches('@').to_owned())
        }
        "accepter" | "accept" => match args.as_slice() {
            [o] if parse_offer_id(o).is_some() => Command::AnswerOffer(
                parse_offer_id(o).ok_or(ParseError::Usage(Name::Accept))?,
                true,
            ),
            _ => Command::Accept(only_id(Name::Accept)?),
        },
        "decliner" | "decline" => match args.as_slice() {
            [o] if parse_offer_id(o).is_some() => Command::AnswerOffer(
                parse_offer_id(o).ok_or(ParseError::Usage(Name::Decline))?,
                false,
            ),
            _ => Command::Decline(only_id(Name::Decline)?),
        },
        "besoin" | "need" => parse_need(rest)?,
        "reponse" | "answer" | "repondre" => {
            let i = id(Name::Answer)?;
            let status = args
                .get(1)
                .and_then(|a| AnswerStatus::parse(a))
                .ok_or(ParseError::Usage(Name::Answer))?;
            let text = after_id(&after_id(rest));
            if text.is_empty() {
                return Err(ParseError::Usage(Name::Answer));
            }
            Command::TownAnswer {
                initiative: i,
                status,
                text,
            }
        }
        "consultation" | "consult" | "consulter" => parse_consultation(rest)?,
        "voter" | "vote" => {
            let c = args
                .first()
                .and_then(|a| parse_consultation_id(a))
                .ok_or(ParseError::Usage(Name::Vote))?;
            let arg = VoteArg::parse(&args[1..]).ok_or(ParseError::Usage(Name::Vote))?;
            Command::Vote(c, arg)
        }
        "resultats" | "results" | "resultat" | "result" => match args.as_slice() {
            [c] => {
                Command::Results(parse_consultation_id(c).ok_or(ParseError::Usage(Name::Results))?)
            }
            _ => return Err(ParseError::Usage(Name::Results)),
        },
        "besoins" | "needs" => {
            let kind = args.iter().find_map(|a| NeedKind::parse(a));
            let rest: Vec<&str> = args
                .iter()
                .copied()
                .filter(|a| NeedKind::parse(a).is_none())
                .collect();
            Command::Needs(parse_area(&rest)?, kind)
        }
        "contribuer" | "contribute" | "jepeuxaider" => {
            let first = args.first().ok_or(ParseError::Usage(Name::Contribute))?;
            let to = if let Some(n) = parse_need_id(first) {
                ContributeTo::Need(n)
            } else if let Some(i) = parse_initiative_id(first) {
                ContributeTo::Initiative(i)
            } else {
                return Err(ParseError::Usage(Name::Contribute));
            };
            let message = after_id(rest);
            Command::Contribute(to, (!message.is_empty()).then_some(message))
        }
        "abandonner" | "drop" => Command::Drop(only_id(Name::Drop)?),
        "terminer" | "done" | "finish" => Command::Done(only_id(Name::Done)?),
        "archiver" | "archive" => Command::Archive(only_id(Name::Archive)?),
        "signaler" | "report" => {
            let target = args
                .first()
                .and_then(|a| Target::parse(a))
                .ok_or(ParseError::Usage(Name::Report))?;
            let after = after_id(rest);
            // A reason word first, then free text; free text alone is "other".
            let first = after.split_whitespace().next().unwrap_or("");
            let (reason, text) = match Reason::parse(first) {
                Some(r) => (Some(r), after_id(&after)),
                None if after.is_empty() => (None, String::new()),
                None => (Some(Reason::Other), after),
            };
            Command::Report {
                target,
                reason,
                text: (!text.is_empty()).then_some(text),
            }
        }
        "contester" | "appeal" => match args.as_slice() {
            [a] => Command::Appeal(Target::parse(a).ok_or(ParseError::Usage(Name::Appeal))?),
            _ => return Err(ParseError::Usage(Name::Appeal)),
        },
        "moderation" | "moderer" | "moderate" => Command::Moderation(parse_moderation(rest)?),
        "lier" | "link" => Command::Link(only_id(Name::Link)?),
        "lier_commune" | "link_commune" => {
            Command::LinkCommune(args.first().map(|a| (*a).to_owned()))
        }
        "digest" | "lettre" | "bulletin" => Command::Digest(match args.as_slice() {
            [] => DigestArg::Show,
            [a] if matches!(fold(a).as_str(), "off" | "non" | "stop" | "arreter") => DigestArg::Off,
            [a] if matches!(fold(a).as_str(), "maintenant" | "now") => DigestArg::Now,
            [s, n] if matches!(fold(s).as_str(), "seuil" | "threshold") => {
                DigestArg::Threshold(match fold(n).as_str() {
                    "non" | "off" | "no" | "aucun" | "none" => None,
                    n => Some(
                        n.parse::<u32>()
                            .ok()
                            .filter(|n| (1..=1_000_000).contains(n))
                            .ok_or(ParseError::Usage(Name::Threshold))?,
                    ),
                })
            }
            [s, ..] if matches!(fold(s).as_str(), "seuil" | "threshold") => {
                return Err(ParseError::Usage(Name::Threshold));
            }
            _ => DigestArg::Set(rest.to_owned()),
        }),
        "annonce" | "announce" | "announcement" => {
            let now = args
                .first()
                .is_some_and(|a| matches!(fold(a).as_str(), "maintenant" | "now"));
            let text = if now { after_id(rest) } else { rest.to_owned() };
            if text.is_empty() {
                return Err(ParseError::Usage(Name::Announce));
            }
            Command::Announce { now, text }
        }
        "alertes" | "alerts" | "alerte" | "alert" => Command::Alerts(match args.as_slice() {
            [] => AlertsArg::Show,
            [a] if matches!(fold(a).as_str(), "on" | "oui" | "yes") => AlertsArg::On,
            [a] if matches!(fold(a).as_str(), "off" | "non" | "no") => AlertsArg::Off,
            [q, v] if matches!(fold(q).as_str(), "calme" | "quiet") => {
                if matches!(fold(v).as_str(), "off" | "non" | "no" | "aucune" | "none") {
                    AlertsArg::Quiet(None)
                } else {
                    AlertsArg::Quiet(Some(parse_quiet(v).ok_or(ParseError::Usage(Name::Alerts))?))
                }
            }
            _ => return Err(ParseError::Usage(Name::Alerts)),
        }),
        _ => return Err(ParseError::UnknownCommand(word)),
    };
    Ok(Parsed::Command(cmd))
}

/// In a chat that belongs to initiative `id`, commands about "the" project may
/// leave the id out: `/maj Le bac est là` means `/maj 42 Le bac est là`.
/// What `/evenement E7 …` does to an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventChange {
    Cancel,
    /// `TITRE | DATE | LIEU [| DURÉE]`, as typed.
    Edit(String),
}

pub fn with_default_id(text: &str, id: InitiativeId) -> String {
    let t = text.trim_start();
    let (word, rest) = t.split_once(char::is_whitespace).unwrap_or((t, ""));
    let bare = word
        .trim_start_matches(['/', '!'])
        .split('@')
        .next()
        .unwrap_or_default();
    let takes_id = matches!(
        fold(bare).as_str(),
        "maj"
            | "update"
            | "evenement"
            | "event"
            | "membres"
            | "members"
            | "projet"
            | "project"
            | "voir"
            | "show"
            | "relais"
            | "relay"
            | "besoin"
            | "need"
    );
    // A report or an appeal names any item (`U15`, `E7`); the project by default.
    let takes_target = matches!(
        fold(bare).as_str(),
        "signaler" | "report" | "contester" | "appeal"
    );
    let first = rest.split_whitespace().next();
    let has_id = if takes_target {
        first.is_some_and(|a| Target::parse(a).is_some())
    } else {
        // `/voir A12` shows an actor, `/besoin B5 fermer` names its need,
        // wherever they are typed.
        let need = matches!(fold(bare).as_str(), "besoin" | "need");
        let event = matches!(fold(bare).as_str(), "evenement" | "event");
        let show = matches!(fold(bare).as_str(), "voir" | "show" | "projet" | "project");
        first.is_some_and(|a| {
            parse_initiative_id(a).is_some()
                || (show && parse_actor_id(a).is_some())
                || (need && parse_need_id(a).is_some())
                || (event && is_event_ref(a))
        })
    };
    if (takes_id || takes_target) && !has_id {
        format!("{word} {id} {rest}").trim_end().to_owned()
    } else {
        text.to_owned()
    }
}

/// `#42` or `42`.
pub fn parse_initiative_id(s: &str) -> Option<InitiativeId> {
    let s = s.strip_prefix('#').unwrap_or(s);
    parse_positive(s).map(InitiativeId)
}

/// `/besoin ID TYPE [QUANTITÉ] [| détail]` or `/besoin B5 fermer`.
fn parse_need(rest: &str) -> Result<Command, ParseError> {
    let usage = ParseError::Usage(Name::Need);
    let mut parts = rest.split('|');
    let head = parts.next().unwrap_or_default();
    let mut detail = None;
    let mut until = None;
    for part in parts {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        match parse_until(part) {
            Some(d) if until.is_none() => until = Some(d),
            None if detail.is_none() => detail = Some(part.to_owned()),
            _ => return Err(usage),
        }
    }
    let words: Vec<&str> = head.split_whitespace().collect();
    if let [b, verb] = words.as_slice()
        && let Some(need) = parse_need_id(b)
        && matches!(
            fold(verb).as_str(),
            "fermer" | "close" | "clore" | "cloturer"
        )
    {
        return Ok(Command::CloseNeed(need));
    }
    let (initiative, kind, quantity) = match words.as_slice() {
        [id, kind] => (*id, *kind, None),
        [id, kind, q] => (*id, *kind, Some(*q)),
        _ => return Err(usage),
    };
    let initiative = parse_initiative_id(initiative).ok_or(ParseError::Usage(Name::Need))?;
    let kind = NeedKind::parse(kind).ok_or(ParseError::Usage(Name::Need))?;
    let quantity = match quantity {
        None => None,
        Some(q) => Some(
            q.trim_end_matches('€')
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=crate::domain::QUANTITY_MAX).contains(n))
                .ok_or(ParseError::Usage(Name::Need))?,
        ),
    };
    Ok(Command::Need {
        initiative,
        kind,
        quantity,
        detail,
        until,
    })
}

/// `/consultation`'s arguments (see [`ConsultationArg`]). The options are
/// kept as typed (empty ones too): the engine says what is wrong with them.
fn parse_consultation(rest: &str) -> Result<Command, ParseError> {
    let usage = ParseError::Usage(Name::Consultation);
    if !rest.contains('|') {
        let words: Vec<&str> = rest.split_whitespace().collect();
        return Ok(Command::Consultation(match words.as_slice() {
            [] => ConsultationArg::List,
            [c] => ConsultationArg::Show(parse_consultation_id(c).ok_or(usage)?),
            [c, verb]
                if matches!(
                    fold(verb).as_str(),
                    "clore" | "close" | "fermer" | "cloturer" | "terminer"
                ) =>
            {
                ConsultationArg::Close(parse_consultation_id(c).ok_or(usage)?)
            }
            _ => return Err(usage),
        }));
    }
    let mut parts: Vec<String> = rest.split('|').map(|p| p.trim().to_owned()).collect();
    let end = parts.pop().unwrap_or_default();
    let mut words: Vec<&str> = end.split_whitespace().collect();
    let now = words.last().is_some_and(|w| {
        matches!(
            fold(w).as_str(),
            "maintenant" | "now" | "immediatement" | "tout-de-suite"
        )
    });
    if now {
        words.pop();
    }
    let until = parse_until(&words.join(" ")).ok_or(ParseError::Usage(Name::Consultation))?;
    // The flag, unless it is one of two options (« Un | Plusieurs »).
    let multiple = parts.len() > 3
        && parts.last().is_some_and(|p| {
            matches!(
                fold(p).as_str(),
                "plusieurs" | "several" | "multiple" | "plusieurs choix" | "choix multiple"
            )
        });
    if multiple {
        parts.pop();
    }
    if parts.is_empty() {
        return Err(ParseError::Usage(Name::Consultation));
    }
    let question = parts.remove(0);
    Ok(Command::Consultation(ConsultationArg::New {
        question,
        options: parts,
        multiple,
        until,
        now,
    }))
}

/// `C3` or `c3` (consultations).
pub fn parse_consultation_id(s: &str) -> Option<ConsultationId> {
    let s = s.strip_prefix('c').or_else(|| s.strip_prefix('C'))?;
    parse_positive(s).map(ConsultationId)
}

/// `jusqu'au 2027-04-12`, `until 12/04/2027`, or the date alone.
fn parse_until(s: &str) -> Option<chrono::NaiveDate> {
    let folded = fold(s).replace('’', "'");
    let date = ["jusqu'au", "jusqu'a", "until", "au"]
        .iter()
        .find_map(|p| folded.strip_prefix(p))
        .unwrap_or(&folded)
        .trim();
    ["%Y-%m-%d", "%d/%m/%Y"]
        .iter()
        .find_map(|f| chrono::NaiveDate::parse_from_str(date, f).ok())
}

/// `B5` or `b5` (needs).
pub fn parse_need_id(s: &str) -> Option<NeedId> {
    let s = s.strip_prefix('b').or_else(|| s.strip_prefix('B'))?;
    parse_positive(s).map(NeedId)
}

/// `O7` or `o7` (offers).
pub fn parse_offer_id(s: &str) -> Option<OfferId> {
    let s = s.strip_prefix('o').or_else(|| s.strip_prefix('O'))?;
    parse_positive(s).map(OfferId)
}

/// `A12` or `a12` (verified actors).
pub fn parse_actor_id(s: &str) -> Option<ActorId> {
    let s = s.strip_prefix('a').or_else(|| s.strip_prefix('A'))?;
    parse_positive(s).map(ActorId)
}

/// The fields of `/profil` other than the name and the network.
fn parse_profile_field(s: &str) -> Option<ProfileField> {
    Some(match fold(s).as_str() {
        "description" | "desc" => ProfileField::Description,
        "lieu" | "place" | "location" | "adresse" => ProfileField::Place,
        "site" | "website" | "web" => ProfileField::Site,
        "contact" => ProfileField::Contact,
        "categories" | "categorie" | "category" => ProfileField::Categories,
        "competences" | "competence" | "skills" | "skill" => ProfileField::Skills,
        _ => return None,
    })
}

/// `E7` or `e7`: an event named with its letter, where a bare number would
/// be an initiative.
fn is_event_ref(s: &str) -> bool {
    s.starts_with(['e', 'E']) && parse_event_id(s).is_some()
}

/// `7` or `e7` (events are written `E7`).
pub fn parse_event_id(s: &str) -> Option<EventId> {
    let s = s
        .strip_prefix('e')
        .or_else(|| s.strip_prefix('E'))
        .unwrap_or(s);
    parse_positive(s).map(EventId)
}

fn parse_positive(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 15 || !s.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok().filter(|n| *n > 0)
}

/// `p2`, `page:2` (pages count from 1 when typed, from 0 inside).
fn parse_page(s: &str) -> Option<u32> {
    let n = s
        .strip_prefix("page:")
        .or_else(|| s.strip_prefix('p'))
        .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))?;
    n.parse::<u32>().ok().filter(|n| *n >= 1).map(|n| n - 1)
}

/// `idees`/`ideas`, `projets`/`projects` (singular too).
pub fn parse_kind(s: &str) -> Option<InitiativeKind> {
    match fold(s).as_str() {
        "idee" | "idees" | "idea" | "ideas" => Some(InitiativeKind::Idea),
        "projet" | "projets" | "project" | "projects" => Some(InitiativeKind::Project),
        _ => None,
    }
}

/// Place, radius, categories and page in any order; other words name a place.
pub fn parse_area(args: &[&str]) -> Result<Area, ParseError> {
    let mut area = Area::default();
    let mut words = Vec::new();
    for a in args {
        if is_geo_uri(a) {
            let p = GeoPoint::parse_uri(a).map_err(ParseError::BadLocation)?;
            area.place = Some(PlaceArg::Point(p));
        } else if let Some(page) = parse_page(a) {
            area.page = page;
        } else if let Some(kind) = parse_kind(a) {
            area.kind = Some(kind);
        } else if let Some(r) = parse_radius(a) {
            if r > f64::from(MAX_RADIUS_M) {
                return Err(ParseError::RadiusTooLarge);
            }
            if r < 1.0 {
                return Err(ParseError::BadRadius((*a).to_owned()));
            }
            area.radius_m = Some(r.round() as u32);
        } else if a.contains(',') && a.split(',').all(|c| Category::parse(c).is_some()) {
            area.categories
                .extend(a.split(',').filter_map(Category::parse));
        } else if let Some(c) = Category::parse(a) {
            area.categories.push(c);
        } else if a.chars().next().is_some_and(|c| c.is_ascii_digit()) && a.ends_with('m') {
            return Err(ParseError::BadRadius((*a).to_owned()));
        } else {
            words.push(*a);
        }
    }
    if !words.is_empty() && area.place.is_none() {
        area.place = Some(PlaceArg::Name(words.join(" ")));
    }
    area.categories.dedup();
    Ok(area)
}

#[cfg(test)]
#[path = "command_tests.rs"]
mod tests;
