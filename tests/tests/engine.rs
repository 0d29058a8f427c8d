//! Engine journeys and refusals on the SQLite store (foreign keys and all),
//! through the path production uses: each message is a network event handed to
//! `Engine::handle_events`, and its replies are read back from the outbox.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, TimeZone, Utc};

use kohero_core::EngineError;
use kohero_core::domain::*;
use kohero_core::engine::VerifyError;
use kohero_core::fair_use::FairUse;
use kohero_core::geo::GeoPoint;
use kohero_core::inbox::{ChatCheck, ChatRole, Content, Incoming, Intake};

/// A group's administrator, as networks say.
const ADMIN: ChatCheck = ChatCheck {
    role: ChatRole::Admin,
    made_by_kohero: false,
};
use kohero_core::ports::{Clock, Store};
use kohero_core::reply::Reply;
use kohero_core::{Engine, Operator};
use kohero_store_sqlite::SqliteStore;
use kohero_tests::letter_id;

struct TestClock(Mutex<DateTime<Utc>>);

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

struct Bot {
    engine: Engine,
    store: Arc<SqliteStore>,
    clock: Arc<TestClock>,
    events: AtomicU64,
}

fn ident(who: &str) -> Identity {
    Identity::new("test", who)
}

impl Bot {
    async fn new() -> Self {
        Self::on(Arc::new(SqliteStore::in_memory().await.unwrap())).await
    }

    /// On a given store (a file, to reach it from another connection).
    async fn on(store: Arc<SqliteStore>) -> Self {
        let clock = Arc::new(TestClock(Mutex::new(
            Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap(),
        )));
        let engine = Engine::new(store.clone(), clock.clone()).await.unwrap();
        Self {
            engine,
            store,
            clock,
            events: AtomicU64::new(0),
        }
    }

    fn advance(&self, d: Duration) {
        *self.clock.0.lock().unwrap() += d;
    }

    /// A message from `who` in their private chat, as a network hands it in;
    /// the replies it queued for that chat, taken from the outbox (notices to
    /// other people stay there).
    async fn send(&self, who: &str, content: Content) -> Vec<Reply> {
        let n = self.events.fetch_add(1, Ordering::Relaxed);
        let event = format!("e{n}");
        let intake = self
            .engine
            .handle_events(vec![Incoming {
                chat_check: None,
                chat: None,
                event_id: Some(event.clone()),
                message_id: None,
                identity: ident(who),
                display_name: Some(who.to_owned()),
                lang_hint: None,
                content,
            }])
            .await
            .unwrap();
        assert!(
            matches!(intake[..], [Intake::Queued(_) | Intake::Refused(_)]),
            "{who}: {intake:?}"
        );
        let prefix = format!("test/{event}/r");
        let mut replies = Vec::new();
        for m in self.engine.pending(&ident(who)).await.unwrap() {
            if m.key.starts_with(&prefix) {
                self.engine.delivered(m.id).await.unwrap();
                replies.extend(m.reply().cloned());
            }
        }
        replies
    }

    async fn say(&self, who: &str, text: &str) -> String {
        let r = self.send(who, Content::Text(text.to_owned())).await;
        r.iter().map(Reply::plain).collect::<Vec<_>>().join("\n")
    }

    async fn press(&self, who: &str, command: &str) -> String {
        let r = self.send(who, Content::Button(command.to_owned())).await;
        r.iter().map(Reply::plain).collect::<Vec<_>>().join("\n")
    }

    async fn at(&self, who: &str, lat: f64, lon: f64) -> String {
        let r = self
            .send(who, Content::Location(GeoPoint::new(lat, lon).unwrap()))
            .await;
        r.iter().map(Reply::plain).collect::<Vec<_>>().join("\n")
    }

    /// Proposes in one line and returns the new id.
    async fn propose(&self, who: &str, line: &str) -> i64 {
        let r = self.say(who, &format!("/proposer {line}")).await;
        let start = r.find('#').expect(&r) + 1;
        r[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap()
    }

    /// A snapshot of everything stored, to prove a refusal wrote nothing.
    async fn snapshot(&self) -> String {
        let mut tx = self.store.begin().await.unwrap();
        let mut out = String::new();
        for id in 1..60 {
            out.push_str(&format!(
                "{:?}{:?}{:?}{:?}{:?}{:?}{:?}",
                tx.actor_profile(ActorId(id)).await.unwrap(),
                tx.acts_for(ActorId(id)).await.unwrap(),
                tx.actor(ActorId(id)).await.unwrap(),
                tx.initiative(InitiativeId(id)).await.unwrap(),
                tx.members(InitiativeId(id)).await.unwrap(),
                tx.dialogue(ActorId(id)).await.unwrap(),
                tx.event(EventId(id)).await.unwrap(),
            ));
        }
        out
    }
}

/// The number after the first `marker` in a reply.
fn first_number(reply: &str, marker: char) -> i64 {
    let start = reply.find(marker).expect(reply) + 1;
    reply[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .expect(reply)
}

const LYON: &str = "geo:45.7640,4.8357";

#[tokio::test]
async fn idea_to_project_journey() {
    let b = Bot::new().await;
    let id = b
        .propose(
            "org",
            "Composteur <b>partagé</b> | compost | geo:45.7700,4.8330 | Un bac au square",
        )
        .await;
    let card = b.say("org", &format!("/voir {id}")).await;
    assert!(card.contains("Composteur <b>partagé</b>"), "{card}");
    assert!(card.contains("idée ouverte"));

    assert!(
        b.say("ann", &format!("/soutenir #{id}"))
            .await
            .contains("Merci")
    );
    assert!(
        b.say("ann", &format!("/soutenir {id}"))
            .await
            .contains("déjà")
    );
    // Only organisers launch.
    assert!(
        b.say("ann", &format!("/lancer {id}"))
            .await
            .contains("Seuls les organisateurs")
    );
    assert!(
        b.say("ann", &format!("/rejoindre {id}"))
            .await
            .contains("encore une idée")
    );
    let launched = b.say("org", &format!("/lancer {id}")).await;
    assert!(launched.contains("lancée en projet"), "{launched}");
    assert!(
        b.say("org", &format!("/lancer {id}"))
            .await
            .contains("Seule une idée ouverte")
    );

    // The supporter became a follower and can join.
    assert!(
        b.say("ann", &format!("/voir {id}"))
            .await
            .contains("abonné·e")
    );
    assert!(
        b.say("ann", &format!("/rejoindre {id}"))
            .await
            .contains("Bienvenue")
    );
    assert!(
        b.say("ann", &format!("/maj {id} coucou"))
            .await
            .contains("Seuls les organisateurs")
    );
    assert!(
        b.say(
            "org",
            &format!("/maj {id} Le bac est installé !\nMerci à tous")
        )
        .await
        .contains("Nouvelle publiée")
    );
    let ev = b
        .say(
            "org",
            &format!("/evenement {id} Atelier | 2026-12-05 14:00 | {LYON}"),
        )
        .await;
    assert!(ev.contains("05/12/2026 14:00"), "{ev}");
    let e = first_number(&ev, 'E');
    let rsvp = b.press("ann", &format!("/participer E{e} peutetre")).await;
    assert!(rsvp.contains("Peut-être : 1"), "{rsvp}");
    let rsvp = b.say("ann", &format!("/participer {e} oui")).await;
    assert!(rsvp.contains("Oui : 1 · Peut-être : 0"), "{rsvp}");

    let feed = b.say("ann", "/fil").await;
    let upd = feed.find("nouvelles : Le bac").expect(&feed);
    let created = feed.find("nouvelle idée").expect(&feed);
    assert!(upd < created, "newest first: {feed}");
    assert!(feed.contains("Atelier"));

    assert!(
        b.say("org", &format!("/terminer {id}"))
            .await
            .contains("projet terminé")
    );
    assert!(
        b.say("org", &format!("/archiver {id}"))
            .await
            .contains("projet archivé")
    );
    assert!(
        b.say("org", &format!("/maj {id} x"))
            .await
            .contains("pas un projet en cours")
    );
}

#[tokio::test]
async fn proposal_dialogue_survives_between_messages_and_refuses_interruptions() {
    let b = Bot::new().await;
    assert!(b.say("p", "/proposer").await.contains("titre"));
    // A command in the middle of a dialogue is refused; nothing changes.
    assert!(b.say("p", "/pres").await.contains("au milieu"));
    assert!(
        b.say("p", &"x".repeat(121))
            .await
            .contains("121 caractères")
    );
    assert!(b.say("p", "Disco soupe").await.contains("catégorie"));
    assert!(
        b.say("p", "pizza")
            .await
            .contains("Je ne connais pas la catégorie")
    );
    // A fresh engine on the same store (a restart) continues where it was.
    let again = Engine::new(b.store.clone(), b.clock.clone()).await.unwrap();
    let r = again
        .handle(Incoming {
            chat_check: None,
            chat: None,
            event_id: None,
            message_id: None,
            identity: ident("p"),
            display_name: None,
            lang_hint: None,
            content: Content::Button("antiwaste".into()),
        })
        .await
        .unwrap();
    assert!(r[0].plain().contains("Où ?"));
    assert!(b.say("p", "geo:95,4").await.contains("hors limites"));
    assert!(b.at("p", 45.7578, 4.832).await.contains("Décrivez"));
    let done = b.say("p", "On cuisine les invendus").await;
    assert!(done.contains("Disco soupe"), "{done}");
    let id = first_number(&done, '#');
    assert!(
        b.say("p", &format!("/voir {id}"))
            .await
            .contains("geo:45.75780,4.83200")
    );
    // The dialogue is over: plain text is no longer an answer.
    assert!(b.say("p", "bonjour").await.contains("Je n'ai pas compris"));
}

#[tokio::test]
async fn cancel_and_skip_in_dialogue() {
    let b = Bot::new().await;
    b.say("p", "/proposer").await;
    b.say("p", "Titre").await;
    assert!(b.say("p", "/aide").await.contains("catégorie"));
    assert!(b.say("p", "/annuler").await.contains("annulé"));
    assert!(b.say("p", "/annuler").await.contains("rien à annuler"));
    assert!(b.say("p", "/voir 1").await.contains("pas d'initiative"));
    let id = b.propose("p", "Sans lieu | autre | - | -").await;
    let card = b.say("p", &format!("/voir {id}")).await;
    assert!(!card.contains("Lieu"), "{card}");
    // Title-only starts the dialogue at the category.
    assert!(
        b.say("p", "/proposer Juste un titre")
            .await
            .contains("catégorie")
    );
}

#[tokio::test]
async fn refusals_write_nothing() {
    let b = Bot::new().await;
    let id = b
        .propose("org", "Jardin | nature | geo:45.73,4.833 | Potager")
        .await;
    let pid = b.propose("org", "Verger | nature | - | -").await;
    b.say("org", &format!("/lancer {pid}")).await;
    b.say("other", "/aide").await;
    let before = b.snapshot().await;
    let cases: &[(&str, &str, &str)] = &[
        ("other", "geo:91,4", "hors limites"),
        ("other", "geo:45,200", "hors limites"),
        ("other", "geo:nan,4", "ne reconnais pas"),
        ("other", "/pres geo:abc,def", "ne reconnais pas"),
        ("other", "/pres geo:45,4 200km", "100 km"),
        ("other", "/voir 999", "pas d'initiative #999"),
        ("other", "/voir abc", "Utilisation : /voir"),
        ("other", "/participer E77 oui", "pas d'événement E77"),
        ("other", "/participer 1 bof", "Utilisation : /participer"),
        (
            "other",
            &format!("/modifier {id} titre Pirate"),
            "Seuls les organisateurs",
        ),
        (
            "other",
            &format!("/coorganiser {id} other"),
            "Seuls les organisateurs",
        ),
        (
            "other",
            &format!("/abandonner {id}"),
            "Seuls les organisateurs",
        ),
        (
            "org",
            &format!("/modifier {id} titre  "),
            "Utilisation : /modifier",
        ),
        (
            "org",
            &format!("/modifier {id} titre {}", "é".repeat(121)),
            "121 caractères",
        ),
        (
            "org",
            &format!("/modifier {id} lieu geo:1000,0"),
            "hors limites",
        ),
        (
            "org",
            &format!("/modifier {id} categorie pizza"),
            "catégorie",
        ),
        (
            "org",
            &format!("/maj {pid} {}", "x".repeat(4001)),
            "4001 caractères",
        ),
        ("org", &format!("/maj {pid}    "), "Utilisation : /maj"),
        (
            "org",
            &format!("/evenement {pid} A | 2026-13-01 10:00"),
            "comprends pas la date",
        ),
        ("other", &format!("/soutenir {pid}"), "déjà un projet"),
        (
            "org",
            "/proposer \u{1}\u{2} | compost | - | x",
            "titre ne peut pas être vide",
        ),
        (
            "org",
            "/proposer Titre | compost | geo:91,0 | x",
            "hors limites",
        ),
        (
            "org",
            "/proposer Titre | compost | Nulle-Part-sur-Rien | x",
            "pas de commune",
        ),
        (
            "org",
            "/proposer Titre | compost | Saint-Denis | x",
            "Plusieurs communes",
        ),
        (
            "other",
            "/pres Saint-Denis 974",
            "pas encore son emplacement",
        ),
        ("other", "/pres Nulle-Part", "pas de commune"),
        (
            "org",
            &format!("/evenement {id} A | 2026-12-01 10:00"),
            "pas un projet en cours",
        ),
        ("other", "/frobnicate", "n'existe pas"),
        ("other", &format!("/quitter {id}"), "ne faites pas partie"),
        ("other", "/desabonner", "aucun abonnement"),
        ("other", &format!("/accepter {id}"), "Aucun rôle"),
        ("other", "/pres", "Où chercher"),
        ("other", "/fil", "ne suivez encore rien"),
        ("other", "/chercher", "Utilisation : /chercher"),
    ];
    for (who, text, expected) in cases {
        let r = b.say(who, text).await;
        let shown: String = text.chars().take(80).collect();
        assert!(
            r.contains(expected),
            "{shown:?} answered {r:?}, expected {expected:?}"
        );
        assert_eq!(before, b.snapshot().await, "{shown:?} wrote something");
    }
    // A forged or stale button: refused, nothing written.
    for payload in ["compost", "/voir", "{\"x\":1}", "/participer E1 oui"] {
        let r = b.press("other", payload).await;
        assert!(
            r.contains("plus valable")
                || r.contains("pas d'événement")
                || r.contains("Utilisation"),
            "{payload}: {r}"
        );
        assert_eq!(before, b.snapshot().await);
    }
}

#[tokio::test]
async fn an_event_at_a_missing_or_past_time_is_refused() {
    let b = Bot::new().await;
    let id = b.propose("org", "P | culture | - | -").await;
    b.say("org", &format!("/lancer {id}")).await;
    assert!(
        b.say("org", &format!("/evenement {id} A | 2020-01-01 10:00"))
            .await
            .contains("déjà passé")
    );
    assert!(
        b.say("org", &format!("/evenement {id} A | 2027-03-28 02:30"))
            .await
            .contains("n'existe pas")
    );
    assert!(
        b.say("org", &format!("/evenement {id} A | demain"))
            .await
            .contains("comprends pas la date")
    );
    assert!(
        b.say("org", &format!("/evenement {id} A"))
            .await
            .contains("Utilisation")
    );
    let r = b
        .say(
            "org",
            &format!("/evenement {id} A | 2026-12-01 10:00 America/Montreal"),
        )
        .await;
    assert!(
        r.contains("America/Montreal") && r.contains("01/12/2026 10:00"),
        "{r}"
    );
    let e = first_number(&r, 'E');
    assert!(
        b.say("org", &format!("/participer E{e} oui"))
            .await
            .contains("Oui : 1")
    );
    b.advance(Duration::days(30));
    assert!(
        b.say("org", &format!("/participer E{e} oui"))
            .await
            .contains("déjà passé")
    );
}

#[tokio::test]
async fn an_event_changes_or_is_cancelled_and_those_who_answered_are_told() {
    let b = Bot::new().await;
    let id = b.propose("org", "P | culture | - | -").await;
    b.say("org", &format!("/lancer {id}")).await;
    let r = b
        .say(
            "org",
            &format!("/evenement {id} Atelier | 2026-12-05 14:00 | {LYON} | 1h30"),
        )
        .await;
    let e = first_number(&r, 'E');
    assert!(
        b.say("org", &format!("/voir {id}"))
            .await
            .contains("1 h 30"),
        "the duration is shown"
    );
    // Durations people cannot mean are refused, with the way to write one.
    for bad in ["0h", "8j", "3 semaines", "🎉"] {
        let r = b
            .say(
                "org",
                &format!("/evenement {id} A | 2026-12-05 14:00 | - | {bad}"),
            )
            .await;
        assert!(r.contains("comprends pas la durée"), "{bad}: {r}");
    }
    b.say("ann", &format!("/rejoindre {id}")).await;
    b.say("ann", &format!("/participer E{e} oui")).await;
    b.say("bob", &format!("/participer E{e} non")).await;
    b.inbox_of("test", "ann").await;
    b.inbox_of("test", "bob").await;

    // Only an organiser changes it; a stranger learns nothing by trying.
    let before = b.snapshot().await;
    assert!(
        b.say("bob", &format!("/evenement E{e} annuler"))
            .await
            .contains("Seuls les organisateurs")
    );
    assert!(
        b.say("org", "/evenement E999 annuler")
            .await
            .contains("pas d'événement E999")
    );
    assert!(
        b.say("org", &format!("/evenement E{e}"))
            .await
            .contains("Utilisation")
    );
    assert_eq!(before, b.snapshot().await);

    // The same details again: nothing changes, nobody is told.
    let same = b
        .say(
            "org",
            &format!("/evenement E{e} Atelier | 2026-12-05 14:00 | {LYON} | 90min"),
        )
        .await;
    assert!(same.contains("Rien ne change"), "{same}");
    assert_eq!(before, b.snapshot().await);

    // Moved by a day, renamed with French punctuation: both answerers told,
    // in their language, with the old time.
    let r = b
        .say(
            "org",
            &format!("/evenement E{e} Atelier « vélo » d'hiver | 2026-12-06 15:00 | - | 3h"),
        )
        .await;
    assert!(
        r.contains("modifié") && r.contains("Les 2 personnes"),
        "{r}"
    );
    let ann = b.inbox_of("test", "ann").await;
    assert!(
        ann.contains("06/12/2026 15:00")
            && ann.contains("au lieu du 05/12/2026 14:00")
            && ann.contains("durée : 3 h")
            && ann.contains("« vélo » d'hiver"),
        "{ann}"
    );
    let shown = b.say("ann", &format!("/voir {id}")).await;
    assert!(
        shown.contains("06/12/2026 15:00") && shown.contains("3 h"),
        "{shown}"
    );

    // Cancelled: told, out of the project's list, no answer taken, no
    // second change.
    let r = b.say("org", &format!("/evenement E{e} annuler")).await;
    assert!(r.contains("annulé") && r.contains("Les 2 personnes"), "{r}");
    let bob = b.inbox_of("test", "bob").await;
    assert!(
        bob.contains("Annulé : E") && bob.contains("06/12/2026 15:00"),
        "{bob}"
    );
    assert!(
        !b.say("ann", &format!("/voir {id}"))
            .await
            .contains("Atelier")
    );
    assert!(
        b.say("ann", &format!("/participer E{e} oui"))
            .await
            .contains("est annulé")
    );
    let after = b.snapshot().await;
    assert!(
        b.say("org", &format!("/evenement E{e} cancel"))
            .await
            .contains("est annulé")
    );
    assert_eq!(after, b.snapshot().await);

    // An event that has begun cannot change.
    let r = b
        .say(
            "org",
            &format!("/evenement {id} Réunion | 2026-12-10 18:00"),
        )
        .await;
    let e2 = first_number(&r, 'E');
    b.advance(Duration::days(30));
    assert!(
        b.say("org", &format!("/evenement E{e2} annuler"))
            .await
            .contains("déjà passé")
    );
    // An event of a finished project is still cancelled; it changes no more.
    let r = b
        .say("org", &format!("/evenement {id} Fête | 2027-02-20 18:00"))
        .await;
    let fete = first_number(&r, 'E');
    b.say("org", &format!("/terminer {id}")).await;
    assert!(
        b.say(
            "org",
            &format!("/evenement E{fete} Fête | 2027-02-21 18:00")
        )
        .await
        .contains("n'est pas un projet en cours")
    );
    assert!(
        b.say("org", &format!("/evenement E{fete} annuler"))
            .await
            .contains("annulé")
    );
}

#[tokio::test]
async fn nearby_in_distance_order_with_radius_category_and_pages() {
    let b = Bot::new().await;
    for (t, c, p) in [
        ("Loin", "compost", "geo:45.80,4.8357"),
        ("Près", "compost", "geo:45.7650,4.8357"),
        ("Moyen", "food", "geo:45.7740,4.8357"),
    ] {
        b.propose("org", &format!("{t} | {c} | {p} | -")).await;
    }
    let r = b.at("me", 45.7640, 4.8357).await;
    let (pres, moyen, loin) = (
        r.find("Près").unwrap(),
        r.find("Moyen").unwrap(),
        r.find("Loin").unwrap(),
    );
    assert!(pres < moyen && moyen < loin, "{r}");
    assert!(r.contains("110 m"), "{r}");
    let r = b.say("me", &format!("/pres {LYON} 2km")).await;
    assert!(!r.contains("Loin") && r.contains("Moyen"), "{r}");
    let r = b.say("me", &format!("/pres {LYON} compost")).await;
    assert!(!r.contains("Moyen") && r.contains("Loin"), "{r}");
    // Without a place: the last shared location.
    assert!(b.say("me", "/pres 500m").await.contains("Près"));
    assert!(
        b.say("me", "/pres 50m")
            .await
            .contains("Rien dans un rayon de 50 m")
    );
    for i in 0..6 {
        b.propose(
            "org",
            &format!("Extra {i} | other | geo:45.7641,4.8357 | -"),
        )
        .await;
    }
    let p1 = b.say("me", "/pres 1km").await;
    assert!(p1.contains("p2"), "{p1}");
    let p2 = b.say("me", "/pres 1km p2").await;
    assert!(p2.contains("Près") || p2.contains("Extra"), "{p2}");
    assert!(
        b.say("me", "/pres 1km p9")
            .await
            .contains("Cette page n'existe pas")
    );
    // The person's location is stored rounded and never shown.
    let mut tx = b.store.begin().await.unwrap();
    let me = tx.actor_by_identity(&ident("me")).await.unwrap().unwrap();
    assert_eq!(me.location.unwrap().lat(), 45.764);
    drop(tx);
    assert!(!b.say("me", "/profil").await.contains("45.76"));
}

#[tokio::test]
async fn search_is_accent_insensitive_and_ranked() {
    let b = Bot::new().await;
    b.propose("o", "Repair Café : réparation | repair | - | Vélos")
        .await;
    b.propose("o", "Café des parents | culture | - | Réparer les liens")
        .await;
    let r = b.say("o", "/chercher cafe reparation").await;
    assert!(
        r.contains("1 initiative(s)") && r.contains("Repair Café"),
        "{r}"
    );
    let r = b.say("o", "/chercher CAFÉ").await;
    assert!(r.contains("2 initiative(s)"), "{r}");
    let r = b.say("o", "/chercher repar").await;
    let first = r.find("Repair Café").unwrap();
    let second = r.find("Café des parents").unwrap();
    assert!(first < second, "title matches first: {r}");
    assert!(
        b.say("o", "/chercher zzz")
            .await
            .contains("Aucune initiative")
    );
}

#[tokio::test]
async fn organiser_role_is_offered_when_the_last_organiser_leaves() {
    let b = Bot::new().await;
    let id = b.propose("org", "P | culture | - | -").await;
    b.say("org", &format!("/lancer {id}")).await;
    b.advance(Duration::minutes(1));
    b.say("first", &format!("/rejoindre {id}")).await;
    b.advance(Duration::minutes(1));
    b.say("second", &format!("/suivre {id}")).await;
    assert!(
        b.say("org", &format!("/quitter {id}"))
            .await
            .contains("quitté")
    );
    let pending = b.engine.pending(&ident("first")).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert!(pending[0].plain().contains("voulez-vous l'organiser"));
    assert!(
        b.say("second", &format!("/accepter {id}"))
            .await
            .contains("Aucun rôle")
    );
    assert!(
        b.say("first", &format!("/decliner {id}"))
            .await
            .contains("noté")
    );
    assert_eq!(b.engine.pending(&ident("second")).await.unwrap().len(), 1);
    assert!(
        b.say("second", &format!("/accepter {id}"))
            .await
            .contains("Vous organisez")
    );
    assert!(
        b.say("second", &format!("/maj {id} repris !"))
            .await
            .contains("Nouvelle publiée")
    );
}

#[tokio::test]
async fn co_organisers_and_members_list() {
    let b = Bot::new().await;
    let id = b.propose("org", "P | culture | - | -").await;
    b.say("org", &format!("/lancer {id}")).await;
    assert!(
        b.say("org", &format!("/coorganiser {id} bob"))
            .await
            .contains("Personne de ce nom")
    );
    b.say("bob", &format!("/rejoindre {id}")).await;
    assert!(
        b.say("org", &format!("/coorganiser {id} @Bob"))
            .await
            .contains("co-organise")
    );
    assert!(
        b.engine.pending(&ident("bob")).await.unwrap()[0]
            .plain()
            .contains("co-organisateur")
    );
    assert!(
        b.say("bob", &format!("/maj {id} ok"))
            .await
            .contains("Nouvelle publiée")
    );
    let m = b.say("bob", &format!("/membres {id}")).await;
    assert!(
        m.contains("2 personne(s)") && m.contains("org") && m.contains("bob"),
        "{m}"
    );
    // A stranger sees the organisers and how many others, not their names;
    // a member sees every name.
    b.say("carla", &format!("/rejoindre {id}")).await;
    let m = b.say("eve", &format!("/membres {id}")).await;
    assert!(
        m.contains("3 personne(s)")
            && m.contains("org")
            && m.contains("bob")
            && !m.contains("carla")
            && m.contains("Et 1 membre(s), 0 soutien(s)"),
        "{m}"
    );
    let m = b.say("carla", &format!("/membres {id}")).await;
    assert!(m.contains("carla") && !m.contains("soutien(s) :"), "{m}");
    // With another organiser left, leaving offers nothing.
    b.say("org", &format!("/quitter {id}")).await;
    let mut tx = b.store.begin().await.unwrap();
    assert_eq!(
        tx.initiative(InitiativeId(id))
            .await
            .unwrap()
            .unwrap()
            .offered_to,
        None
    );
}

#[tokio::test]
async fn language_profile_and_english_replies() {
    let b = Bot::new().await;
    assert!(b.say("en", "/language en").await.contains("English"));
    assert!(
        b.say("en", "/show 5")
            .await
            .contains("There is no initiative #5")
    );
    assert!(b.say("en", "/help").await.contains("Discover"));
    let r = b
        .engine
        .handle(Incoming {
            chat_check: None,
            chat: None,
            event_id: None,
            message_id: None,
            identity: ident("hint"),
            display_name: Some("Hint".into()),
            lang_hint: Some(Lang::En),
            content: Content::Text("/start".into()),
        })
        .await
        .unwrap();
    assert!(r[0].plain().contains("Hello Hint"));
    assert!(
        b.say("en", "/profile name Ada <i>")
            .await
            .contains("Ada <i>")
    );
    assert!(
        b.say("en", &format!("/profile name {}", "n".repeat(61)))
            .await
            .contains("61 characters")
    );
    let id = b.propose("en", "Deep | other | - | -").await;
    assert!(b.say("x", &format!("/start i{id}")).await.contains("Deep"));
}

#[tokio::test]
async fn subscriptions() {
    let b = Bot::new().await;
    assert!(
        b.say("s", "/abonner")
            .await
            .contains("Utilisation : /abonner")
    );
    let r = b
        .say("s", &format!("/abonner {LYON} 3km compost,nature"))
        .await;
    assert!(r.contains("3 km") && r.contains("Compost, Nature"), "{r}");
    b.at("s", 45.0, 4.0).await;
    assert!(
        b.say("s", "/abonner")
            .await
            .contains("Abonnement enregistré")
    );
    // The same subscription again is not a second one.
    assert!(b.say("s", "/abonner").await.contains("déjà abonné·e"));
    assert!(b.say("s", "/desabonner").await.contains("2 abonnement(s)"));
}

#[tokio::test]
async fn my_data_and_forget() {
    let b = Bot::new().await;
    let id = b.propose("gone", "Mien | other | - | -").await;
    b.say("gone", &format!("/lancer {id}")).await;
    b.advance(Duration::minutes(1));
    b.say("stay", &format!("/rejoindre {id}")).await;
    b.say("gone", &format!("/maj {id} une nouvelle")).await;
    let data = b.say("gone", "/mesdonnees").await;
    assert!(
        data.contains("\"display_name\": \"gone\"") && data.contains("une nouvelle"),
        "{data}"
    );
    assert!(data.contains("test:gone"));
    // What waits for the next batch of alerts is theirs too: "stay" joined.
    assert!(
        data.contains("\"alerts_waiting\"") && data.contains("\"kind\": \"new_member\""),
        "{data}"
    );
    assert!(data.contains("\"alert_settings\""), "{data}");

    assert!(b.say("gone", "/oublier").await.contains("Effacer"));
    assert!(b.say("gone", "/voir 1").await.contains("au milieu"));
    assert!(b.say("gone", "non").await.contains("annulé"));
    assert!(b.engine.knows(&ident("gone")).await.unwrap());
    b.say("gone", "/oublier").await;
    assert!(
        b.press("gone", "/oublier confirmer")
            .await
            .contains("effacées")
    );
    assert!(!b.engine.knows(&ident("gone")).await.unwrap());
    // The initiative stays, anonymised; the remaining member is offered the role.
    let card = b.say("stay", &format!("/voir {id}")).await;
    assert!(
        card.contains("Mien") && card.contains("personne pour l'instant"),
        "{card}"
    );
    assert!(card.contains("voulez-vous organiser"), "{card}");
    assert!(card.contains("une nouvelle"));
}

#[test]
fn verify_needs_an_operator_and_communes() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let b = Bot::new().await;
        let op = Operator::command_line();
        let who = ident("mairie");
        assert_eq!(
            b.engine
                .verify(&op, &who, ActorKind::Municipality, vec![])
                .await
                .unwrap(),
            Err(VerifyError::NoCommune)
        );
        let a = b
            .engine
            .verify(
                &op,
                &who,
                ActorKind::Municipality,
                vec![InseeCode::parse("69266").unwrap()],
            )
            .await
            .unwrap()
            .unwrap();
        assert!(a.verified);
        assert!(b.say("mairie", "/profil").await.contains("vérifié (69266)"));
        assert!(
            b.say("mairie", "/verifier test:x association")
                .await
                .contains("n'existe pas")
        );
        b.engine.unverify(&op, &who).await.unwrap().unwrap();
        assert!(b.say("mairie", "/profil").await.contains("non vérifié"));
    });
}

#[tokio::test]
async fn communes_by_name_postcode_and_homonyms() {
    let b = Bot::new().await;
    // Villeurbanne's centre is geo:45.76601,4.87950.
    let id = b
        .propose("o", "Vélo-école | mobility | Villeurbanne | Apprendre")
        .await;
    let card = b.say("o", &format!("/voir {id}")).await;
    assert!(
        card.contains("Lieu : Villeurbanne (69) · geo:45.76601,4.87950"),
        "{card}"
    );
    b.propose(
        "o",
        "Compost Gratte-Ciel | compost | geo:45.7700,4.8800 | -",
    )
    .await;
    b.propose("o", "Loin | compost | geo:45.7000,4.8800 | -")
        .await;

    let r = b.say("me", "/pres Villeurbanne").await;
    assert!(
        r.contains("3 initiative(s) dans un rayon de 5 km autour de Villeurbanne (69)")
            || r.contains("2 initiative(s) dans un rayon de 5 km autour de Villeurbanne (69)"),
        "{r}"
    );
    assert!(
        r.find("Vélo-école").unwrap() < r.find("Compost Gratte-Ciel").unwrap(),
        "{r}"
    );
    let r = b.say("me", "/pres 69100 2km compost").await;
    assert!(
        r.contains("1 initiative(s)") && r.contains("Compost Gratte-Ciel"),
        "{r}"
    );
    let r = b.say("me", "/pres villeurbanne 20km").await;
    assert!(r.contains("Loin"), "{r}");
    b.say("o", &format!("/lancer {id}")).await;
    let r = b.say("me", "/pres villeurbanne 20km projets").await;
    assert!(
        r.contains("1 initiative(s)") && r.contains("Vélo-école"),
        "{r}"
    );
    let r = b.say("me", "/pres villeurbanne 20km idees").await;
    assert!(
        r.contains("2 initiative(s)") && !r.contains("Vélo-école"),
        "{r}"
    );

    // Homonyms: a choice, each choice a command that works.
    let r = b
        .send("me", Content::Text("/pres Saint-Denis 1km".into()))
        .await;
    let choices: Vec<_> = r[0].all_actions().map(|a| a.command.clone()).collect();
    assert!(
        choices.contains(&"/pres Saint-Denis 93 1000m".to_owned()),
        "{choices:?}"
    );
    assert!(
        b.press("me", "/pres Saint-Denis 93 1000m")
            .await
            .contains("Saint-Denis (93)")
    );

    // In the proposal dialogue, choices are answers.
    b.say("p", "/proposer Disco soupe").await;
    b.say("p", "antiwaste").await;
    let r = b.send("p", Content::Text("saint denis".into())).await;
    let choice = r[0]
        .all_actions()
        .map(|a| a.command.clone())
        .find(|c| c.ends_with(" 93"))
        .unwrap();
    assert!(!choice.starts_with('/'), "{choice}");
    assert!(b.press("p", &choice).await.contains("Décrivez"));
}

#[tokio::test]
async fn the_nearby_index_follows_every_write() {
    let b = Bot::new().await;
    let here = "geo:45.7640,4.8357";
    let id = b.propose("o", &format!("Ici | compost | {here} | -")).await;
    assert!(
        b.say("me", &format!("/pres {here} 1km"))
            .await
            .contains("#{id} Ici".replace("{id}", &id.to_string()).as_str())
    );
    // Moved away: gone from here, found there.
    b.say("o", &format!("/modifier {id} lieu geo:45.80,4.90"))
        .await;
    assert!(
        b.say("me", &format!("/pres {here} 1km"))
            .await
            .contains("Rien")
    );
    assert!(
        b.say("me", "/pres geo:45.80,4.90 1km")
            .await
            .contains("Ici")
    );
    // Re-categorised: the category filter sees it.
    b.say("o", &format!("/modifier {id} categorie food")).await;
    assert!(
        b.say("me", "/pres geo:45.80,4.90 1km compost")
            .await
            .contains("Rien")
    );
    assert!(
        b.say("me", "/pres geo:45.80,4.90 1km food")
            .await
            .contains("Ici")
    );
    // Dropped ideas leave discovery.
    b.say("o", &format!("/abandonner {id}")).await;
    assert!(
        b.say("me", "/pres geo:45.80,4.90 1km")
            .await
            .contains("Rien")
    );
    // A restart rebuilds the same index from the store.
    let p = b.propose("o", "Projet | repair | geo:45.80,4.90 | -").await;
    b.say("o", &format!("/lancer {p}")).await;
    let again = Engine::new(b.store.clone(), b.clock.clone()).await.unwrap();
    let r = again
        .handle(Incoming {
            chat_check: None,
            chat: None,
            event_id: None,
            message_id: None,
            identity: ident("me"),
            display_name: None,
            lang_hint: None,
            content: Content::Text("/pres geo:45.80,4.90 1km".into()),
        })
        .await
        .unwrap();
    let text = r[0].plain();
    assert!(text.contains("Projet") && !text.contains("Ici"), "{text}");
    b.say("o", &format!("/archiver {p}")).await;
    assert!(
        b.say("me", "/pres geo:45.80,4.90 1km")
            .await
            .contains("Rien")
    );
}

#[tokio::test]
async fn search_near_a_point() {
    let b = Bot::new().await;
    b.propose("o", "Repair café Lyon | repair | geo:45.7640,4.8357 | -")
        .await;
    b.propose("o", "Repair café Paris | repair | geo:48.8566,2.3522 | -")
        .await;
    let r = b.say("o", "/chercher repair geo:45.76,4.83 10km").await;
    assert!(r.contains("Lyon") && !r.contains("Paris"), "{r}");
    assert!(r.contains(" km ·") || r.contains(" m ·"), "{r}");
    let r = b.say("o", "/chercher repair").await;
    assert!(r.contains("Lyon") && r.contains("Paris"), "{r}");
}

impl Bot {
    async fn event(&self, who: &str, chat: Option<&str>, id: &str, text: &str) -> Intake {
        self.engine
            .handle_event(Incoming {
                // As networks say of a group's administrator (only read for
                // the commands that change what the chat is).
                chat_check: chat.map(|_| ADMIN),
                identity: Identity::new("net", who),
                chat: chat.map(str::to_owned),
                event_id: Some(id.to_owned()),
                message_id: None,
                display_name: Some(who.to_owned()),
                lang_hint: None,
                content: Content::Text(text.to_owned()),
            })
            .await
            .unwrap()
    }

    async fn queued(&self, chat: &str) -> Vec<Outgoing> {
        let mut tx = self.store.begin().await.unwrap();
        tx.pending_to(&Address::new("net", chat)).await.unwrap()
    }
}

#[tokio::test]
async fn events_are_handled_exactly_once_and_answered_through_the_outbox() {
    let b = Bot::new().await;
    let first = b
        .event("ann", None, "u1", "/proposer Jardin | nature | - | -")
        .await;
    assert_eq!(first, Intake::Queued(1));
    // The same event again (a redelivery after a crash): nothing happens twice.
    assert_eq!(
        b.event("ann", None, "u1", "/proposer Jardin | nature | - | -")
            .await,
        Intake::Duplicate
    );
    let out = b.queued("ann").await;
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].key, "net/u1/r0");
    assert_eq!(out[0].priority, Priority::Interactive);
    assert!(out[0].plain().contains("Jardin"));
    let mut tx = b.store.begin().await.unwrap();
    let me = tx
        .actor_by_identity(&Identity::new("net", "ann"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(tx.initiatives_created_by(me.id).await.unwrap().len(), 1);
    drop(tx);

    // A refusal is answered once too, and writes nothing else.
    assert_eq!(
        b.event("bob", Some("-500"), "u2", "/lancer 1").await,
        Intake::Refused(1)
    );
    assert_eq!(
        b.event("bob", Some("-500"), "u2", "/lancer 1").await,
        Intake::Duplicate
    );
    let group = b.queued("-500").await;
    assert_eq!(group.len(), 1, "answered in the group it came from");
    // In a group only project commands are served: the refusal says so.
    assert!(group[0].plain().contains("Dans un groupe"));
    assert!(b.queued("bob").await.is_empty());

    // Notices to other people go to their own chat, with keys of this event.
    b.event("ann", None, "u3", "/lancer 1").await;
    b.event("bob", None, "u4", "/rejoindre 1").await;
    b.event("ann", None, "u5", "/coorganiser 1 bob").await;
    let bob = b.queued("bob").await;
    assert!(
        bob.iter()
            .any(|o| o.key == "net/u5/n1" && o.plain().contains("co-organisateur")),
        "{bob:?}"
    );
    assert!(matches!(
        b.engine
            .handle_event(Incoming {
                chat_check: None,
                identity: Identity::new("net", "x"),
                chat: None,
                event_id: None,
                message_id: None,
                display_name: None,
                lang_hint: None,
                content: Content::Text("/aide".into()),
            })
            .await,
        Err(EngineError::NoEventId)
    ));
}

#[tokio::test]
async fn unreachable_people_get_no_notices_until_they_write_again() {
    let b = Bot::new().await;
    b.event("org", None, "e1", "/proposer P | culture | - | -")
        .await;
    b.event("org", None, "e2", "/lancer 1").await;
    b.event("m", None, "e3", "/rejoindre 1").await;
    let mut tx = b.store.begin().await.unwrap();
    tx.set_unreachable(&Address::new("net", "m"), "blocked", b.clock.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    b.event("org", None, "e4", "/coorganiser 1 m").await;
    assert!(b.queued("m").await.is_empty());
    // Writing again makes the chat reachable.
    b.event("m", None, "e5", "/aide").await;
    assert_eq!(b.queued("m").await.len(), 1);
}

#[tokio::test]
async fn a_batch_is_one_transaction_with_each_event_on_its_own() {
    let b = Bot::new().await;
    let ev = |who: &str, id: &str, text: &str| Incoming {
        chat_check: None,
        identity: Identity::new("net", who),
        chat: None,
        event_id: Some(id.to_owned()),
        message_id: None,
        display_name: Some(who.to_owned()),
        lang_hint: None,
        content: Content::Text(text.to_owned()),
    };
    let results = b
        .engine
        .handle_events(vec![
            ev(
                "ann",
                "b1",
                "/proposer Jardin | nature | geo:45.7640,4.8357 | -",
            ),
            ev("bob", "b2", "/lancer 1"),
            ev(
                "ann",
                "b1",
                "/proposer Jardin | nature | geo:45.7640,4.8357 | -",
            ),
            ev("cid", "b3", "/proposer Verger | nature | - | -"),
        ])
        .await
        .unwrap();
    assert_eq!(
        results,
        vec![
            Intake::Queued(1),
            Intake::Refused(1),
            Intake::Duplicate,
            Intake::Queued(1)
        ]
    );
    // The refused launch changed nothing; the others stand; the index follows.
    let mut tx = b.store.begin().await.unwrap();
    let i = tx.initiative(InitiativeId(1)).await.unwrap().unwrap();
    assert_eq!(i.status, Status::Open);
    drop(tx);
    assert!(
        b.queued("bob").await[0]
            .plain()
            .contains("Seuls les organisateurs")
    );
    assert!(
        b.say("x", "/pres geo:45.7640,4.8357 1km")
            .await
            .contains("Jardin")
    );
    assert!(b.say("x", "/chercher verger").await.contains("Verger"));
}

#[tokio::test]
async fn project_groups_link_serve_project_commands_and_receive_news() {
    let b = Bot::new().await;
    b.event("org", None, "p1", "/proposer Composteur | compost | - | -")
        .await;
    b.event("org", None, "p2", "/lancer 1").await;
    let group = Some("-100");
    // Only an organiser links; chatter is neither stored nor answered.
    b.event("bob", group, "g1", "/lier 1").await;
    assert!(
        b.queued("-100").await[0]
            .plain()
            .contains("Seuls les organisateurs")
    );
    assert_eq!(
        b.event("bob", group, "g2", "bonjour à tous").await,
        Intake::Queued(0)
    );
    b.event("org", group, "g3", "/lier #1").await;
    let q = b.queued("-100").await;
    assert!(
        q.last()
            .unwrap()
            .plain()
            .contains("Ce groupe est maintenant celui de #1")
    );
    // Project commands without the id; other commands point to the private chat.
    b.event("org", group, "g4", "/maj@kohero_bot Le bac est livré")
        .await;
    b.event("ann", group, "g5", "/chercher compost").await;
    b.event("ann", group, "g6", "/membres").await;
    let q = b.queued("-100").await;
    let texts: Vec<String> = q.iter().map(|o| o.plain()).collect();
    assert!(
        texts.iter().any(|t| t.contains("Nouvelle publiée pour #1")),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("Dans un groupe, Kohero répond")),
        "{texts:?}"
    );
    assert!(
        texts.iter().any(|t| t.contains("1 personne(s)")),
        "{texts:?}"
    );
    // The update made in the group is not posted back into it…
    assert!(!texts.iter().any(|t| t.contains("📝")), "{texts:?}");
    // …but one made in private is, and so is a new event.
    b.event("org", None, "p3", "/maj 1 Premier apport samedi")
        .await;
    b.event(
        "org",
        None,
        "p4",
        "/evenement 1 Inauguration | 2026-12-05 10:00",
    )
    .await;
    let texts: Vec<String> = b.queued("-100").await.iter().map(|o| o.plain()).collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("📝 #1 « Composteur » — org : Premier apport samedi")),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("📅") && t.contains("Inauguration")),
        "{texts:?}"
    );
    // The group becomes a supergroup: the link follows.
    b.engine
        .handle_event(Incoming {
            chat_check: None,
            identity: Identity::new("net", "org"),
            chat: Some("-100".into()),
            event_id: Some("g7".into()),
            message_id: None,
            display_name: None,
            lang_hint: None,
            content: Content::ChatMoved("-1009".into()),
        })
        .await
        .unwrap();
    b.event("org", None, "p5", "/maj 1 Encore").await;
    assert!(
        b.queued("-1009")
            .await
            .iter()
            .any(|o| o.plain().contains("Encore"))
    );
    // /lier in private chat says where to use it.
    b.event("org", None, "p6", "/lier 1").await;
    assert!(
        b.queued("org")
            .await
            .last()
            .unwrap()
            .plain()
            .contains("dans le groupe du projet")
    );
}

#[tokio::test]
async fn launched_projects_get_a_room_in_their_communes_space_and_rooms_follow_the_status() {
    let mut b = Bot::new().await;
    b.engine = Engine::new(b.store.clone(), b.clock.clone())
        .await
        .unwrap()
        .with_room_networks(["net".to_owned()]);
    // Villeurbanne's town hall.
    let id = b
        .propose(
            "ann",
            "Composteur | compost | geo:45.7667,4.8803 | Un bac partagé",
        )
        .await;
    b.say("ann", &format!("/lancer {id}")).await;
    let out = b.queued("space:69266").await;
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(
        out[0].to,
        Destination::CommuneSpace(InseeCode::parse("69266"))
    );
    assert!(
        matches!(
            &out[0].payload,
            Payload::Room(ops) if matches!(&ops[..], [RoomOp::CreateRoom {
                initiative, name, topic, space_name, ..
            }] if *initiative == InitiativeId(id)
                && *name == format!("#{id} Composteur")
                && *topic == format!("#{id} · Compost · Un bac partagé")
                && space_name.as_deref() == Some("Kohero · Villeurbanne"))
        ),
        "{:?}",
        out[0].payload
    );
    // An idea launched elsewhere asks for no room on networks without rooms.
    assert!(b.queued("space:").await.is_empty());

    // The adapter created the room and said so: core links it (told twice,
    // nothing changes).
    let room = Address::new("net", "!room");
    b.engine
        .room_made(room.clone(), InitiativeId(id))
        .await
        .unwrap();
    b.engine
        .room_made(room.clone(), InitiativeId(id))
        .await
        .unwrap();
    let mut tx = b.store.read().await.unwrap();
    assert_eq!(
        tx.room_initiative(&room).await.unwrap(),
        Some(InitiativeId(id))
    );
    drop(tx);
    b.say("ann", &format!("/terminer {id}")).await;
    let out = b.queued("!room").await;
    let state = out
        .iter()
        .filter_map(|o| match &o.payload {
            Payload::Room(ops) => Some(ops.iter()),
            _ => None,
        })
        .flatten()
        .find_map(|op| match op {
            RoomOp::Rename { name, topic } => Some((name.clone(), topic.clone())),
            _ => None,
        })
        .expect("the room is renamed");
    assert_eq!(state.0, format!("#{id} Composteur (terminé)"));
    assert!(state.1.starts_with("Projet terminé."), "{}", state.1);
}

impl Bot {
    /// What is waiting in the outbox for a person's private chat, as text.
    async fn inbox(&self, who: &str) -> Vec<String> {
        let mut tx = self.store.begin().await.unwrap();
        tx.pending_to(&Address::new("test", who))
            .await
            .unwrap()
            .iter()
            .map(|o| o.plain())
            .collect()
    }

    /// The commands of the actions of the last message waiting for a person.
    async fn actions_of_last(&self, who: &str) -> Vec<String> {
        let mut tx = self.store.begin().await.unwrap();
        let out = tx.pending_to(&Address::new("test", who)).await.unwrap();
        out.last()
            .map(|o| {
                o.reply()
                    .into_iter()
                    .flat_map(|r| r.all_actions())
                    .map(|a| a.command.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The outbox of a person's private chat, emptied (as if delivered).
    async fn take(&self, who: &str) -> Vec<String> {
        let mut tx = self.store.begin().await.unwrap();
        let out = tx.pending_to(&Address::new("test", who)).await.unwrap();
        for o in &out {
            tx.mark_sent(&[o.id], self.clock.now()).await.unwrap();
        }
        tx.commit().await.unwrap();
        out.iter().map(|o| o.plain()).collect()
    }

    fn set_clock(&self, at: DateTime<Utc>) {
        *self.clock.0.lock().unwrap() = at;
    }

    async fn verify_town_hall(&self, who: &str, insee: &str) {
        kohero_tests::verify_town_hall(&self.engine, who, insee).await;
    }
}

fn paris(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Paris
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

#[tokio::test]
async fn municipality_digests_scheduled_grouped_in_each_readers_language() {
    let b = Bot::new().await;
    b.set_clock(paris(2026, 11, 20, 10, 0)); // a Friday
    b.verify_town_hall("mairie", "69266").await;
    b.say("ann", "/abonner Villeurbanne").await;
    b.say("bob", "/langue en").await;
    b.say("bob", "/abonner geo:45.7700,4.8900 3km").await;
    b.say("cid", "/abonner geo:48.8566,2.3522 5km").await;

    // Only a verified municipality schedules or announces.
    let r = b.say("ann", "/digest 0 9 * * lun").await;
    assert!(r.contains("Seule une mairie vérifiée"), "{r}");
    let r = b.say("ann", "/annonce Coucou").await;
    assert!(r.contains("Seule une mairie vérifiée"), "{r}");
    let r = b.say("mairie", "/digest 0 9 * * 8").await;
    assert!(r.contains("Je ne comprends pas la programmation"), "{r}");
    let r = b.say("mairie", "/digest 0 9 * * lun").await;
    assert!(r.contains("Prochain envoi : 23/11/2026 09:00"), "{r}");

    let id = b
        .propose("ann", "Composteur | compost | geo:45.7667,4.8803 | Un bac")
        .await;
    b.say("ann", &format!("/lancer {id}")).await;
    b.say("ann", &format!("/maj {id} Le bac est <b>livré</b>"))
        .await;
    let r = b
        .say(
            "ann",
            &format!("/evenement {id} Atelier | 2026-11-28 14:00"),
        )
        .await;
    let event = first_number(&r, 'E');
    b.say("mairie", "/annonce Marché de Noël samedi").await;
    // Elsewhere: not in Villeurbanne's digest.
    b.propose("cid", "Jardin | nature | geo:48.8566,2.3522 | Paris")
        .await;
    b.take("ann").await;
    b.take("bob").await;
    b.take("cid").await;

    assert_eq!(b.engine.run_schedules().await.unwrap().digests, 0);
    b.set_clock(paris(2026, 11, 23, 9, 0));
    let tick = b.engine.run_schedules().await.unwrap();
    assert_eq!((tick.digests, tick.digest_messages), (1, 2), "{tick:?}");
    // The commune's page shows it: the announcement and its initiative,
    // not Paris's.
    let page = b
        .engine
        .public_commune(&InseeCode::parse("69266").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(page.digests.len(), 1);
    assert_eq!(
        page.digests[0].announcement.as_deref(),
        Some("Marché de Noël samedi")
    );
    assert_eq!(
        page.digests[0]
            .initiatives
            .iter()
            .map(|s| s.id.0)
            .collect::<Vec<_>>(),
        vec![id]
    );
    assert_eq!(page.digests[0].at, paris(2026, 11, 23, 9, 0));
    // Verified for another commune since: no longer its town hall's letter.
    b.verify_town_hall("mairie", "69123").await;
    let villeurbanne = InseeCode::parse("69266").unwrap();
    let page = b
        .engine
        .public_commune(&villeurbanne)
        .await
        .unwrap()
        .unwrap();
    assert!(page.digests.is_empty(), "{:?}", page.digests);
    b.verify_town_hall("mairie", "69266").await;
    let ann = b.inbox("ann").await;
    let fr = ann
        .iter()
        .find(|m| m.contains("La lettre de mairie — Villeurbanne"))
        .expect("ann's digest");
    assert!(fr.contains("📣 Marché de Noël samedi"), "{fr}");
    assert!(fr.contains(&format!("#{id} Composteur")), "{fr}");
    assert!(fr.contains("Projet lancé"), "{fr}");
    assert!(fr.contains("Nouvelles : Le bac est <b>livré</b>"), "{fr}");
    assert!(fr.contains("📅 Atelier — 28/11/2026 14:00"), "{fr}");
    let actions = b.actions_of_last("ann").await;
    assert!(
        actions.contains(&format!("/participer {event} oui")),
        "{actions:?}"
    );
    assert!(actions.contains(&format!("/suivre {id}")), "{actions:?}");
    assert!(actions.contains(&format!("/rejoindre {id}")), "{actions:?}");
    assert!(!fr.contains("Jardin"), "{fr}");
    b.take("ann").await;
    let bob = b.take("bob").await;
    let en = bob
        .iter()
        .find(|m| m.contains("mairie's digest — Villeurbanne"))
        .expect("bob's digest, in English");
    assert!(en.contains("Project launched"), "{en}");
    assert!(b.take("cid").await.iter().all(|m| !m.contains("digest")));

    // The same tick never runs twice; the next one covers only what is new.
    assert_eq!(b.engine.run_schedules().await.unwrap().digests, 0);
    b.set_clock(paris(2026, 11, 30, 9, 0));
    let tick = b.engine.run_schedules().await.unwrap();
    assert_eq!(
        (tick.digests, tick.digest_messages),
        (1, 0),
        "empty: nothing sent"
    );
    assert!(b.take("ann").await.is_empty());

    // Down for three weeks: one digest, then the schedule goes on from now.
    b.say("ann", &format!("/maj {id} Premier compost !")).await;
    b.take("ann").await;
    b.set_clock(paris(2026, 12, 22, 15, 0));
    let tick = b.engine.run_schedules().await.unwrap();
    assert_eq!((tick.digests, tick.digest_messages), (1, 2), "{tick:?}");
    let ann = b.take("ann").await;
    assert_eq!(ann.len(), 1);
    assert!(ann[0].contains("Premier compost"), "{}", ann[0]);
    assert!(!ann[0].contains("Le bac est"), "{}", ann[0]);
    assert_eq!(b.engine.run_schedules().await.unwrap().digests, 0);
    let r = b.say("mairie", "/digest").await;
    assert!(r.contains("Prochain envoi : 28/12/2026 09:00"), "{r}");

    // On demand, from chat and from the command line; an announcement alone.
    b.say("ann", &format!("/maj {id} Deuxième bac")).await;
    b.take("ann").await;
    b.advance(Duration::minutes(1));
    let r = b.say("mairie", "/digest maintenant").await;
    assert!(r.contains("Lettre en route : 2 message(s)"), "{r}");
    assert!(b.take("ann").await[0].contains("Deuxième bac"));
    let queued = b
        .engine
        .queue_digest_now(&InseeCode::parse("69266").unwrap())
        .await
        .unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].1, 0, "nothing new since the last digest");
    assert!(
        b.engine
            .queue_digest_now(&InseeCode::parse("75056").unwrap())
            .await
            .unwrap()
            .is_empty()
    );
    let r = b.say("mairie", "/annonce maintenant Route barrée").await;
    assert!(r.contains("Annonce en route : 2 message(s)"), "{r}");
    let ann = b.take("ann").await;
    assert!(ann[0].contains("📣 Route barrée") && !ann[0].contains("Composteur"));

    // Unsubscribed: no more digests.
    b.say("ann", "/desabonner").await;
    b.say("ann", &format!("/maj {id} Troisième bac")).await;
    b.take("ann").await;
    b.advance(Duration::minutes(1));
    b.say("mairie", "/digest maintenant").await;
    assert!(b.take("ann").await.is_empty());
    assert!(
        b.take("bob")
            .await
            .iter()
            .any(|m| m.contains("News: Troisième bac"))
    );
}

#[tokio::test]
async fn digests_go_to_the_communes_announcement_room_and_subscribers_are_let_in() {
    let mut b = Bot::new().await;
    b.engine = Engine::new(b.store.clone(), b.clock.clone())
        .await
        .unwrap()
        .with_room_networks(["net".to_owned()]);
    b.verify_town_hall("mairie", "69266").await;
    // A person on the room network (identity net:@ann) subscribes.
    let ann = Identity::new("net", "@ann");
    b.engine
        .handle(Incoming {
            chat_check: None,
            chat: None,
            event_id: None,
            message_id: None,
            identity: ann,
            display_name: None,
            lang_hint: None,
            content: Content::Text("/abonner Villeurbanne".into()),
        })
        .await
        .unwrap();
    let room = b.queued("announce:69266").await;
    assert_eq!(room.len(), 1);
    assert_eq!(
        room[0].payload,
        Payload::Room(vec![RoomOp::Admit {
            user: "@ann".into(),
            approve: true
        }])
    );
    assert!(matches!(
        &room[0].to,
        Destination::Announcements { commune, room }
            if commune.as_str() == "69266"
                && room.name == "Annonces · Villeurbanne"
                && room.space_name == "Kohero · Villeurbanne"
    ));
    b.propose("bob", "Composteur | compost | geo:45.7667,4.8803 | Un bac")
        .await;
    b.advance(Duration::minutes(1));
    b.say("mairie", "/digest maintenant").await;
    let room = b.queued("announce:69266").await;
    assert_eq!(room.len(), 2);
    assert!(room[1].plain().contains("La lettre de mairie"));
    // Not also in a private chat on the room network.
    assert!(b.queued("@ann").await.is_empty());
}

#[tokio::test]
async fn alerts_are_batched_hourly_outside_quiet_hours_and_reminders_go_on_time() {
    let b = Bot::new().await;
    b.set_clock(paris(2026, 11, 20, 10, 0));
    b.say("ann", "/abonner Villeurbanne 5km compost").await;
    b.say("dan", "/abonner Villeurbanne 5km culture").await;
    let id = b
        .propose("bob", "Composteur | compost | geo:45.7667,4.8803 | Un bac")
        .await;
    b.take("ann").await;
    assert!(b.inbox("ann").await.is_empty(), "batched, not sent at once");
    let t = b.engine.run_schedules().await.unwrap();
    assert_eq!(t.alert_batches, 1, "{t:?}");
    let ann = b.take("ann").await;
    assert!(
        ann[0].contains("Du nouveau pour 1 initiative(s)"),
        "{}",
        ann[0]
    );
    assert!(ann[0].contains("Nouvelle initiative près de chez vous"));
    assert!(b.take("dan").await.is_empty(), "another category");

    // Followers hear of updates, organisers of new members; at most one batch an hour.
    b.say("bob", &format!("/lancer {id}")).await;
    b.say("ann", &format!("/rejoindre {id}")).await;
    b.say("bob", &format!("/maj {id} Bac livré")).await;
    b.advance(Duration::minutes(20));
    // Bob had no batch yet; Ann had one 20 minutes ago.
    assert_eq!(b.engine.run_schedules().await.unwrap().alert_batches, 1);
    let bob = b.take("bob").await;
    assert!(
        bob.iter().any(|m| m.contains("ann a rejoint le projet")),
        "{bob:?}"
    );
    assert!(b.inbox("ann").await.is_empty());
    b.advance(Duration::minutes(41));
    let t = b.engine.run_schedules().await.unwrap();
    assert_eq!(t.alert_batches, 1, "{t:?}");
    assert!(b.take("ann").await[0].contains("Nouvelles : Bac livré"));

    // Quiet hours: held at 23:00, sent at 08:00.
    b.set_clock(paris(2026, 11, 20, 23, 0));
    b.say("bob", &format!("/maj {id} Nuit")).await;
    assert_eq!(b.engine.run_schedules().await.unwrap().alert_batches, 0);
    b.set_clock(paris(2026, 11, 21, 8, 0));
    assert_eq!(b.engine.run_schedules().await.unwrap().alert_batches, 1);
    assert!(b.take("ann").await[0].contains("Nuit"));
    let r = b.say("ann", "/alertes calme 21h-10h").await;
    assert!(r.contains("jamais entre 21:00 et 10:00"), "{r}");
    b.say("bob", &format!("/maj {id} Tôt")).await;
    b.advance(Duration::minutes(61));
    assert_eq!(b.engine.run_schedules().await.unwrap().alert_batches, 0);
    // Off: what waits is dropped.
    let r = b.say("ann", "/alertes off").await;
    assert!(r.contains("coupées"), "{r}");
    b.set_clock(paris(2026, 11, 21, 12, 0));
    assert_eq!(b.engine.run_schedules().await.unwrap().alert_batches, 0);
    b.say("ann", "/alertes on").await;
    b.advance(Duration::hours(2));
    assert_eq!(b.engine.run_schedules().await.unwrap().alert_batches, 0);

    // Reminders: to yes and maybe, a day and an hour before, once each, even at night.
    b.set_clock(paris(2026, 11, 21, 12, 0));
    let r = b
        .say(
            "bob",
            &format!("/evenement {id} Atelier | 2026-11-23 02:30"),
        )
        .await;
    let e = first_number(&r, 'E');
    b.say("ann", &format!("/participer {e} oui")).await;
    b.say("cid", &format!("/suivre {id}")).await;
    b.say("cid", &format!("/participer {e} non")).await;
    b.say("bob", &format!("/participer {e} peutetre")).await;
    b.take("ann").await;
    b.take("bob").await;
    b.take("cid").await;
    b.set_clock(paris(2026, 11, 22, 2, 40));
    assert_eq!(b.engine.run_schedules().await.unwrap().reminders, 2);
    assert!(
        b.take("ann")
            .await
            .iter()
            .any(|m| m.contains("⏰ Demain : Atelier"))
    );
    assert!(b.take("cid").await.iter().all(|m| !m.contains("⏰")));
    assert_eq!(b.engine.run_schedules().await.unwrap().reminders, 0);
    b.set_clock(paris(2026, 11, 23, 1, 45));
    assert_eq!(b.engine.run_schedules().await.unwrap().reminders, 2);
    assert!(
        b.take("bob")
            .await
            .iter()
            .any(|m| m.contains("⏰ Dans une heure : Atelier"))
    );
    // An event set 5 hours ahead gets only the hour's reminder.
    let r = b
        .say("bob", &format!("/evenement {id} Apéro | 2026-11-23 06:45"))
        .await;
    let e2 = first_number(&r, 'E');
    b.say("ann", &format!("/participer {e2} oui")).await;
    b.take("ann").await;
    b.set_clock(paris(2026, 11, 23, 3, 0));
    assert_eq!(b.engine.run_schedules().await.unwrap().reminders, 0);
    b.set_clock(paris(2026, 11, 23, 6, 0));
    assert_eq!(b.engine.run_schedules().await.unwrap().reminders, 1);
}

/// A clock that panics once, at its `n`-th reading after being armed: a bug in
/// the middle of one update.
struct PanicOnce {
    inner: TestClock,
    readings: AtomicU64,
    at: AtomicU64,
}

impl Clock for PanicOnce {
    fn now(&self) -> DateTime<Utc> {
        let n = self.readings.fetch_add(1, Ordering::SeqCst) + 1;
        if self
            .at
            .compare_exchange(n, 0, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            panic!("a bug while handling an update");
        }
        self.inner.now()
    }
}

fn telegram_text(who: &str, event: &str, text: &str) -> Incoming {
    Incoming {
        chat_check: None,
        identity: Identity::new("telegram", who),
        chat: None,
        event_id: Some(event.to_owned()),
        message_id: None,
        display_name: Some(who.to_owned()),
        lang_hint: None,
        content: Content::Text(text.to_owned()),
    }
}

/// Replies queued for a chat, by key.
async fn replies_to(store: &SqliteStore, chat: &str) -> Vec<(String, String)> {
    let mut tx = store.begin().await.unwrap();
    tx.pending_to(&Address::new("telegram", chat))
        .await
        .unwrap()
        .into_iter()
        .map(|o| (o.key.clone(), o.plain()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_fails_its_update_only_and_the_batch_is_replayed_without_it() {
    let store = Arc::new(SqliteStore::in_memory().await.unwrap());
    let clock = Arc::new(PanicOnce {
        inner: TestClock(Mutex::new(
            Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap(),
        )),
        readings: AtomicU64::new(0),
        at: AtomicU64::new(0),
    });
    let engine = Engine::new(store.clone(), clock.clone()).await.unwrap();
    // Known people, and how many readings of the clock one of their messages takes.
    for who in ["a", "b", "c"] {
        engine
            .handle_events(vec![telegram_text(who, &format!("hello-{who}"), "/aide")])
            .await
            .unwrap();
    }
    let before = clock.readings.load(Ordering::SeqCst);
    engine
        .handle_events(vec![telegram_text(
            "a",
            "measure",
            "/proposer Mesure | nature | - | -",
        )])
        .await
        .unwrap();
    let per_update = clock.readings.load(Ordering::SeqCst) - before;
    // The panic strikes in the middle of the second update of the batch.
    let start = clock.readings.load(Ordering::SeqCst);
    clock.at.store(start + per_update + 1, Ordering::SeqCst);
    let results = engine
        .handle_events(vec![
            telegram_text("a", "1", "/proposer Jardin | nature | - | -"),
            telegram_text("b", "2", "/aide"),
            telegram_text("c", "3", "/proposer Verger | nature | - | -"),
        ])
        .await
        .unwrap();
    assert_eq!(
        results,
        vec![Intake::Queued(1), Intake::Failed(1), Intake::Queued(1)]
    );
    assert_eq!(engine.failed_updates(), 1);
    let b = replies_to(&store, "b").await;
    let apology = b
        .iter()
        .find(|(k, _)| k == "telegram/2/f0")
        .expect("an apology");
    assert!(apology.1.contains("n'a pas pu être traité"), "{b:?}");
    assert!(
        replies_to(&store, "a")
            .await
            .iter()
            .any(|(k, t)| k == "telegram/1/r0" && t.contains("Jardin"))
    );
    assert!(
        replies_to(&store, "c")
            .await
            .iter()
            .any(|(k, t)| k == "telegram/3/r0" && t.contains("Verger"))
    );
    // The failed update is recorded: handed again, it is a duplicate.
    assert_eq!(
        engine
            .handle_events(vec![telegram_text("b", "2", "/aide")])
            .await
            .unwrap(),
        vec![Intake::Duplicate]
    );
    // Both initiatives exist once each (#1 was the measure).
    let mut tx = store.begin().await.unwrap();
    assert!(tx.initiative(InitiativeId(2)).await.unwrap().is_some());
    assert!(tx.initiative(InitiativeId(3)).await.unwrap().is_some());
    assert!(tx.initiative(InitiativeId(4)).await.unwrap().is_none());
    drop(tx);
    // The console path turns a panic into an error, not an exit.
    clock
        .at
        .store(clock.readings.load(Ordering::SeqCst) + 1, Ordering::SeqCst);
    let r = engine
        .handle(Incoming {
            chat_check: None,
            chat: None,
            event_id: None,
            message_id: None,
            identity: Identity::new("console", "a"),
            display_name: None,
            lang_hint: None,
            content: Content::Text("/aide".into()),
        })
        .await;
    assert!(matches!(r, Err(EngineError::Failed(_))), "{r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_error_fails_its_update_only_and_the_rest_of_the_batch_commits() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    let store = Arc::new(SqliteStore::open(path.to_str().unwrap()).await.unwrap());
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER test_failure BEFORE INSERT ON initiatives WHEN NEW.title = 'PANNE'
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .unwrap();
    let clock = Arc::new(TestClock(Mutex::new(
        Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap(),
    )));
    let engine = Engine::new(store.clone(), clock).await.unwrap();
    let results = engine
        .handle_events(vec![
            telegram_text("a", "1", "/proposer Jardin | nature | - | -"),
            telegram_text("b", "2", "/proposer PANNE | nature | - | -"),
            telegram_text("c", "3", "/aide"),
        ])
        .await
        .unwrap();
    assert_eq!(
        results,
        vec![Intake::Queued(1), Intake::Failed(1), Intake::Queued(1)]
    );
    // Nothing of the failed update stays but its record and the apology.
    let b = replies_to(&store, "b").await;
    assert_eq!(b.len(), 1, "{b:?}");
    assert!(b[0].1.contains("n'a pas pu être traité"));
    assert!(!engine.knows(&Identity::new("telegram", "b")).await.unwrap());
    let why: String = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT failure FROM seen_events WHERE event_id = '2'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(why.contains("injected failure"), "{why}");
    assert_eq!(replies_to(&store, "c").await.len(), 1);
}

#[tokio::test]
async fn forgetting_clears_what_the_networks_knew_of_the_person() {
    let b = Bot::new().await;
    b.say("gone", "/aide").await;
    let mut tx = b.store.begin().await.unwrap();
    tx.set_unreachable(&Address::new("test", "gone"), "blocked", b.clock.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // An erasure from a path that does not clear it on arrival (the console).
    b.engine
        .handle(Incoming {
            chat_check: None,
            chat: None,
            event_id: None,
            message_id: None,
            identity: ident("gone"),
            display_name: None,
            lang_hint: None,
            content: Content::Text("/oublier".into()),
        })
        .await
        .unwrap();
    let mut tx = b.store.begin().await.unwrap();
    tx.set_unreachable(&Address::new("test", "gone"), "blocked", b.clock.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    b.engine
        .handle(Incoming {
            chat_check: None,
            chat: None,
            event_id: None,
            message_id: None,
            identity: ident("gone"),
            display_name: None,
            lang_hint: None,
            content: Content::Text("oui".into()),
        })
        .await
        .unwrap();
    let mut tx = b.store.begin().await.unwrap();
    assert!(
        !tx.is_unreachable(&Address::new("test", "gone"))
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn events_are_at_most_two_years_ahead() {
    let b = Bot::new().await;
    let id = b.propose("o", "Fête | culture | - | -").await;
    b.say("o", &format!("/lancer {id}")).await;
    let r = b
        .say("o", &format!("/evenement {id} Fête | 9999-12-31 10:00 | -"))
        .await;
    assert!(r.contains("deux ans") && r.contains("20/11/2028"), "{r}");
    let r = b
        .say("o", &format!("/evenement {id} Fête | 2028-11-20 09:59 | -"))
        .await;
    assert!(r.contains("Fête") && r.contains("E"), "{r}");
    // A location typed into /abonner is kept rounded, like a shared one.
    b.say("o", "/abonner geo:45.764321,4.835712 2km").await;
    let data = b.say("o", "/mesdonnees").await;
    assert!(
        data.contains("45.764") && !data.contains("45.7643"),
        "{data}"
    );
}

#[tokio::test]
async fn nobody_takes_over_another_projects_chat_or_a_commune_forum() {
    let b = Bot::new().await;
    let op = Operator::command_line();
    let lyon = InseeCode::parse("69123").unwrap();
    b.engine
        .verify(
            &op,
            &ident("mairie"),
            ActorKind::Municipality,
            vec![lyon.clone()],
        )
        .await
        .unwrap()
        .unwrap();
    b.engine
        .verify(
            &op,
            &ident("autre-mairie"),
            ActorKind::Municipality,
            vec![InseeCode::parse("69266").unwrap()],
        )
        .await
        .unwrap()
        .unwrap();
    let mine = b.propose("alice", "Jardin | nature | - | -").await;
    b.say("alice", &format!("/lancer {mine}")).await;
    let theirs = b.propose("evil", "Pirate | other | - | -").await;
    b.say("evil", &format!("/lancer {theirs}")).await;
    let group = |who: &str, id: &str, text: &str| Incoming {
        chat_check: Some(ADMIN),
        identity: ident(who),
        chat: Some("-100".into()),
        event_id: Some(id.into()),
        message_id: None,
        display_name: Some(who.into()),
        lang_hint: None,
        content: Content::Text(text.into()),
    };
    let forum = |who: &str, id: &str, text: &str| Incoming {
        chat_check: Some(ADMIN),
        chat: Some("-200".into()),
        ..group(who, id, text)
    };
    let store = b.store.clone();
    let last_in = move |chat: &'static str| {
        let store = store.clone();
        async move {
            let mut tx = store.begin().await.unwrap();
            tx.pending_to(&Address::new("test", chat))
                .await
                .unwrap()
                .last()
                .map(|o| o.plain())
                .unwrap_or_default()
        }
    };
    b.engine
        .handle_event(group("alice", "g1", &format!("/lier {mine}")))
        .await
        .unwrap();
    // Another organiser cannot take the group for their project…
    let r = b
        .engine
        .handle_event(group("evil", "g2", &format!("/lier {theirs}")))
        .await
        .unwrap();
    assert_eq!(r, Intake::Refused(1));
    assert!(
        last_in("-100")
            .await
            .contains(&format!("déjà celui de #{mine}"))
    );
    // …but Alice may move her own group to another of her projects.
    let other = b.propose("alice", "Verger | nature | - | -").await;
    b.say("alice", &format!("/lancer {other}")).await;
    let r = b
        .engine
        .handle_event(group("alice", "g3", &format!("/lier {other}")))
        .await
        .unwrap();
    assert_eq!(r, Intake::Queued(1));
    // A project's group is not a commune forum.
    let r = b
        .engine
        .handle_event(group("mairie", "g4", "/lier_commune"))
        .await
        .unwrap();
    assert_eq!(r, Intake::Refused(1));
    // A commune forum: not linkable to a project, nor taken by another commune.
    b.engine
        .handle_event(forum("mairie", "f1", "/lier_commune"))
        .await
        .unwrap();
    let r = b
        .engine
        .handle_event(forum("evil", "f2", &format!("/lier {theirs}")))
        .await
        .unwrap();
    assert_eq!(r, Intake::Refused(1));
    assert!(last_in("-200").await.contains("celui d'une commune"));
    let r = b
        .engine
        .handle_event(forum("autre-mairie", "f3", "/lier_commune"))
        .await
        .unwrap();
    assert_eq!(r, Intake::Refused(1));
    assert!(last_in("-200").await.contains("69123"));
    // A topic made by Kohero stays its project's.
    let topic = Incoming {
        chat_check: None,
        chat: Some("-200/7".into()),
        ..group("evil", "t1", &format!("/lier {theirs}"))
    };
    assert_eq!(
        b.engine.handle_event(topic).await.unwrap(),
        Intake::Refused(1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_piece_of_scheduled_work_holds_up_no_other() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    let b = Bot::on(Arc::new(
        SqliteStore::open(path.to_str().unwrap()).await.unwrap(),
    ))
    .await;
    b.set_clock(paris(2026, 11, 20, 10, 0));
    b.say("ann", "/abonner Villeurbanne 5km compost").await;
    b.say("dan", "/abonner Villeurbanne 5km compost").await;
    b.propose("bob", "Composteur | compost | geo:45.7667,4.8803 | Un bac")
        .await;
    // Ann's batch cannot be written (a store error for her only).
    let db = rusqlite::Connection::open(&path).unwrap();
    db.execute_batch(
        "CREATE TRIGGER test_failure BEFORE INSERT ON outbox
         WHEN NEW.recipient_id = (SELECT actor_id FROM identities WHERE external_id = 'ann')
         BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
    )
    .unwrap();
    let t = b.engine.run_schedules().await.unwrap();
    assert_eq!(t.alert_batches, 1, "{t:?}");
    assert_eq!(b.engine.scheduled_failures(), 1);
    assert!(b.take("dan").await[0].contains("Nouvelle initiative"));
    assert!(b.inbox("ann").await.is_empty());
    // Tried again at the next pass, once the store takes it.
    db.execute_batch("DROP TRIGGER test_failure").unwrap();
    assert_eq!(b.engine.run_schedules().await.unwrap().alert_batches, 1);
    assert!(b.take("ann").await[0].contains("Nouvelle initiative"));
}

#[tokio::test]
async fn members_names_stay_out_of_shared_chats() {
    let b = Bot::new().await;
    b.event("org", None, "p1", "/proposer Composteur | compost | - | -")
        .await;
    b.event("org", None, "p2", "/lancer 1").await;
    b.event("carla", None, "p3", "/rejoindre 1").await;
    b.event("org", Some("-100"), "g1", "/lier 1").await;
    // Whoever is in the group sees the answer: the organisers and a count.
    b.event("org", Some("-100"), "g2", "/membres").await;
    let q = b.queued("-100").await;
    let last = q.last().unwrap().plain();
    assert!(
        last.contains("org") && !last.contains("carla") && last.contains("Et 1 membre(s)"),
        "{last}"
    );
    // In private, the organiser sees every name.
    b.event("org", None, "p4", "/membres 1").await;
    let m = b.queued("org").await.last().unwrap().plain();
    assert!(m.contains("carla") && !m.contains("Et 1"), "{m}");
    // A report typed in the group is answered in private: the group does not
    // read who reported, nor that anything was.
    let before = b.queued("-100").await.len();
    b.event("dan", Some("-100"), "g3", "/signaler spam").await;
    b.event("dan", Some("-100"), "g4", "/signaler 1 spam").await;
    assert_eq!(b.queued("-100").await.len(), before);
    let dan: Vec<String> = b.queued("dan").await.iter().map(Outgoing::plain).collect();
    assert!(dan.iter().any(|m| m.contains("Merci")), "{dan:?}");
    assert!(dan.iter().any(|m| m.contains("déjà signalé")), "{dan:?}");
}

/// Linking a chat takes its owner or an administrator, as the network says;
/// an anonymous administrator is asked to write as themselves; a network that
/// cannot say changes nothing; a room Kohero made keeps its project.
#[tokio::test]
async fn only_a_chats_administrators_link_it_and_kohero_rooms_keep_their_project() {
    let b = Bot::new().await;
    b.event("org", None, "p1", "/proposer Jardin | nature | - | -")
        .await;
    b.event("org", None, "p2", "/lancer 1").await;
    b.event("org", None, "p3", "/proposer Verger | nature | - | -")
        .await;
    b.event("org", None, "p4", "/lancer 2").await;
    let (one, two) = (1, 2);
    let n = AtomicU64::new(0);
    let link = |chat: &str, role: Option<ChatRole>, made: bool, text: &str| Incoming {
        chat_check: role.map(|role| ChatCheck {
            role,
            made_by_kohero: made,
        }),
        identity: Identity::new("net", "org"),
        chat: Some(chat.into()),
        event_id: Some(format!("l{}", n.fetch_add(1, Ordering::Relaxed))),
        message_id: None,
        display_name: Some("org".into()),
        lang_hint: None,
        content: Content::Text(text.into()),
    };
    let send = |chat: &str, role: Option<ChatRole>, made: bool, text: &str| {
        let incoming = link(chat, role, made, text);
        let engine = &b.engine;
        async move { engine.handle_event(incoming).await.unwrap() }
    };
    let last = |q: Vec<Outgoing>| q.last().map(Outgoing::plain).unwrap_or_default();
    for (role, says) in [
        (Some(ChatRole::Member), "administrateur·rices de ce groupe"),
        (Some(ChatRole::Anonymous), "administrateur anonyme"),
        (Some(ChatRole::Unknown), "Impossible de vérifier vos droits"),
        (None, "Impossible de vérifier vos droits"),
    ] {
        let r = send("-100", role, false, &format!("/lier {one}")).await;
        assert_eq!(r, Intake::Refused(1), "{role:?}");
        assert!(last(b.queued("-100").await).contains(says), "{role:?}");
        // The same for a commune's forum and for the "add to group" link.
        for text in ["/lier_commune", &format!("/start l{one}")] {
            let r = send("-100", role, false, text).await;
            assert_eq!(r, Intake::Refused(1), "{role:?} {text}");
        }
    }
    let mut tx = b.store.begin().await.unwrap();
    assert_eq!(
        tx.room_initiative(&Address::new("net", "-100"))
            .await
            .unwrap(),
        None
    );
    drop(tx);
    // The owner links.
    let r = send(
        "-100",
        Some(ChatRole::Owner),
        false,
        &format!("/lier {one}"),
    )
    .await;
    assert_eq!(r, Intake::Queued(1));
    // A room Kohero made for #one: linking it again to #one is harmless, to
    // another project (even by an organiser of both) refused.
    let mut tx = b.store.begin().await.unwrap();
    tx.link_room(&Address::new("net", "!made"), InitiativeId(one), Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    for (id, refused) in [(two, true), (one, false)] {
        let r = send("!made", Some(ChatRole::Owner), true, &format!("/lier {id}")).await;
        assert_eq!(r == Intake::Refused(1), refused, "#{id}");
    }
    assert!(
        last(b.queued("!made").await).contains("lié"),
        "{:?}",
        b.queued("!made").await
    );
    let r = send(
        "!made",
        Some(ChatRole::Owner),
        true,
        &format!("/lier {two}"),
    )
    .await;
    assert_eq!(r, Intake::Refused(1));
    assert!(last(b.queued("!made").await).contains("créé par Kohero"));
    let mut tx = b.store.begin().await.unwrap();
    assert_eq!(
        tx.room_initiative(&Address::new("net", "!made"))
            .await
            .unwrap(),
        Some(InitiativeId(one))
    );
}

/// Fair use: 20 open ideas a person, 20 subscriptions (the same one once), and
/// an alert batch shows so many initiatives, counting the rest.
#[tokio::test]
async fn one_person_holds_so_many_ideas_and_subscriptions_and_alerts_are_cut() {
    let b = Bot::new().await;
    for n in 0..20 {
        b.propose("ann", &format!("Idée {n} | nature | - | -"))
            .await;
    }
    let before = b.snapshot().await;
    let r = b.say("ann", "/proposer Une de trop | nature | - | -").await;
    assert!(r.contains("déjà 20 idées ouvertes"), "{r}");
    assert_eq!(b.snapshot().await, before, "a refusal writes nothing");
    // An idea dropped makes room; other people are not concerned.
    b.say("ann", "/abandonner 1").await;
    b.propose("ann", "Une de plus | nature | - | -").await;
    b.propose("cid", "La sienne | nature | - | -").await;

    b.say("bob", "/abonner Villeurbanne 5km").await;
    let r = b.say("bob", "/abonner Villeurbanne 5km").await;
    assert!(r.contains("déjà abonné·e"), "{r}");
    for km in (1..=20).filter(|k| *k != 5) {
        let r = b.say("bob", &format!("/abonner Villeurbanne {km}km")).await;
        assert!(!r.contains("déjà"), "{km}: {r}");
    }
    let r = b.say("bob", "/abonner Lyon").await;
    assert!(r.contains("déjà 20 abonnements"), "{r}");

    // Alert batches cut at (here) two initiatives.
    let store = Arc::new(SqliteStore::in_memory().await.unwrap());
    let mut b = Bot::on(store.clone()).await;
    b.engine = Engine::new(store, b.clock.clone())
        .await
        .unwrap()
        .with_fair_use(FairUse {
            alert_items: 2,
            ..FairUse::default()
        });
    b.set_clock(paris(2026, 11, 20, 10, 0));
    b.say("ann", "/abonner Villeurbanne 5km").await;
    for n in 0..3 {
        b.propose(
            "bob",
            &format!("Bac {n} | compost | geo:45.7667,4.8803 | -"),
        )
        .await;
    }
    b.take("ann").await;
    assert_eq!(b.engine.run_schedules().await.unwrap().alert_batches, 1);
    let ann = b.take("ann").await;
    assert!(
        ann[0].contains("Du nouveau pour 3 initiative(s)"),
        "{}",
        ann[0]
    );
    assert!(
        ann[0].contains("Bac 0") && ann[0].contains("Bac 1"),
        "{}",
        ann[0]
    );
    assert!(!ann[0].contains("Bac 2"), "{}", ann[0]);
    assert!(ann[0].contains("… et une autre initiative."), "{}", ann[0]);
}

/// What moderation hides shows nowhere: not nearby (once the index catches
/// up with the store), not in search, not on its card for others, not in the
/// feed; its organiser still sees the card, marked hidden.
#[tokio::test]
async fn hidden_content_shows_nowhere() {
    let b = Bot::new().await;
    let here = "geo:45.7640,4.8357";
    let id = b
        .propose("o", &format!("Composteur d'été 🌻 | compost | {here} | -"))
        .await;
    b.say("me", &format!("/suivre {id}")).await;
    assert!(
        b.say("me", &format!("/pres {here} 1km"))
            .await
            .contains("Composteur")
    );
    assert!(
        b.say("me", "/chercher composteur")
            .await
            .contains("Composteur")
    );
    assert!(b.say("me", "/fil").await.contains("Composteur"));
    let mut tx = b.store.begin().await.unwrap();
    tx.set_hidden(
        kohero_core::domain::Target::Initiative(kohero_core::domain::InitiativeId(id)),
        Some(b.clock.now()),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    b.engine.catch_up().await.unwrap();
    let near = b.say("me", &format!("/pres {here} 1km")).await;
    assert!(!near.contains("Composteur"), "{near}");
    let found = b.say("me", "/chercher composteur").await;
    assert!(!found.contains("Composteur"), "{found}");
    let feed = b.say("me", "/fil").await;
    assert!(!feed.contains("Composteur"), "{feed}");
    let card = b.say("me", &format!("/voir {id}")).await;
    assert!(
        card.contains("masquée par l'équipe de modération"),
        "{card}"
    );
    let own = b.say("o", &format!("/voir {id}")).await;
    assert!(
        own.contains("Composteur") && own.contains("Masquée"),
        "{own}"
    );
}

impl Bot {
    /// What is waiting for a person, as one text, and taken away.
    async fn take_inbox(&self, who: &str) -> String {
        let mut out = Vec::new();
        for m in self.engine.pending(&ident(who)).await.unwrap() {
            self.engine.delivered(m.id).await.unwrap();
            out.extend(m.reply().map(Reply::plain));
        }
        out.join("\n")
    }

    /// The update ids (`U15`) on an initiative's card, as its organiser sees it.
    async fn update_ids(&self, who: &str, id: i64) -> Vec<String> {
        let card = self.say(who, &format!("/voir {id}")).await;
        card.split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| {
                w.len() > 1 && w.starts_with('U') && w[1..].bytes().all(|b| b.is_ascii_digit())
            })
            .map(str::to_owned)
            .collect()
    }
}

/// Reports, hiding on enough of them, the moderators' queue, an appeal and
/// its review, a ban with its end, a ban that outlives erasure, and the log,
/// shown to the person as « l'équipe de modération ».
#[tokio::test]
async fn visitors_of_the_pages_report_but_never_hide_by_their_number() {
    let b = Bot::new().await;
    let id = b.propose("org", "Vide-grenier | other | - | -").await;
    let target = Target::Initiative(InitiativeId(id));
    let report = |visitor: &'static str| {
        b.engine.report_from_web(
            InitiativeId(id),
            target,
            Reason::Spam,
            Some("pub « louche »".into()),
            visitor,
            Lang::Fr,
        )
    };
    // Five visitors (five addresses): thanked, the item stays shown.
    for v in ["v1", "v2", "v3", "v4", "v5"] {
        let r = report(v).await.unwrap();
        assert!(r.as_ref().is_ok_and(|t| t.contains("Merci")), "{r:?}");
    }
    assert!(
        !b.say("ann", &format!("/voir {id}"))
            .await
            .contains("masqué")
    );
    // The same visitor twice: refused, nothing written.
    let before = b.snapshot().await;
    let again = report("v1").await.unwrap();
    assert!(again.is_err(), "{again:?}");
    assert_eq!(before, b.snapshot().await);
    // Unknown items are refused in the visitor's language.
    let none = b
        .engine
        .report_from_web(
            InitiativeId(9_999),
            Target::Initiative(InitiativeId(9_999)),
            Reason::Spam,
            None,
            "v9",
            Lang::En,
        )
        .await
        .unwrap();
    assert!(none.is_err(), "{none:?}");
    // An item of another page, or the initiative named from another page:
    // the same neutral answer, nothing written.
    let other = b.propose("org", "Troc | other | - | -").await;
    for (page, t) in [
        (InitiativeId(other), target),
        (InitiativeId(id), Target::Initiative(InitiativeId(other))),
        (InitiativeId(id), Target::Update(UpdateId(1))),
    ] {
        let before = b.snapshot().await;
        let r = b
            .engine
            .report_from_web(page, t, Reason::Spam, None, "v8", Lang::Fr)
            .await
            .unwrap();
        assert!(
            r.as_ref().is_err_and(|e| e.contains("rien à signaler")),
            "{r:?}"
        );
        assert_eq!(before, b.snapshot().await);
    }
    // Three people in chat do hide it.
    for who in ["p1", "p2", "p3"] {
        b.say(who, &format!("/signaler {id} spam")).await;
    }
    assert!(b.say("ann", &format!("/voir {id}")).await.contains("masqu"));
}

#[tokio::test]
async fn reports_hide_review_and_ban() {
    let b = Bot::new().await;
    let id = b
        .propose(
            "olive",
            &format!("Vente « et ça ? » 🤑 | autre | {LYON} | achetez tout"),
        )
        .await;
    let other = b
        .propose(
            "olive",
            &format!("Deuxième idée d'Olive | autre | {LYON} | -"),
        )
        .await;
    // No reason: the reasons are offered as buttons, each one a valid command
    // within Telegram's 64 bytes of callback data.
    let why = b.send("r1", Content::Text(format!("/signaler {id}"))).await;
    let buttons: Vec<String> = why
        .iter()
        .flat_map(|r| r.all_actions())
        .map(|a| a.command.clone())
        .collect();
    assert_eq!(buttons.len(), 5, "{buttons:?}");
    assert!(buttons.iter().all(|c| c.len() <= 64), "{buttons:?}");
    let card = b.send("r1", Content::Text(format!("/voir {id}"))).await;
    assert!(
        card.iter()
            .flat_map(|r| r.all_actions())
            .any(|a| a.command == format!("/signaler {id}")),
        "{card:?}"
    );
    assert!(
        b.say("olive", &format!("/signaler {id} spam"))
            .await
            .contains("est de vous")
    );
    assert!(
        b.say("r1", "/signaler U99999 spam")
            .await
            .contains("rien à signaler")
    );
    // A citizen is reported through what they wrote, never as A-id.
    assert!(
        b.say("r1", "/signaler A1 spam")
            .await
            .contains("rien à signaler")
    );
    let thanks = b
        .press(
            "r1",
            &format!("{} « et ça ? » c'est de la pub 🙄", buttons[0]),
        )
        .await;
    assert!(thanks.contains("Merci"), "{thanks}");
    assert!(
        b.say("r1", &format!("/signaler {id} offensant"))
            .await
            .contains("déjà signalé")
    );
    assert!(
        b.say("r2", &format!("/signaler #{id} hors-sujet"))
            .await
            .contains("Merci")
    );
    assert!(b.at("r3", 45.7640, 4.8357).await.contains("Vente"));
    // The third person's report hides it pending review.
    assert!(
        b.say("r3", &format!("/signaler {id} c'est une arnaque"))
            .await
            .contains("Merci")
    );
    let near = b.at("r3", 45.7640, 4.8357).await;
    assert!(
        !near.contains("Vente") && near.contains("Deuxième"),
        "{near}"
    );
    // Out of sight: no more reports on it, and nobody joins or follows it.
    assert!(
        b.say("r4", &format!("/signaler {id} spam"))
            .await
            .contains("déjà masqué")
    );
    assert!(
        b.say("r4", &format!("/soutenir {id}"))
            .await
            .contains("masquée")
    );
    assert!(
        b.say("r4", &format!("/suivre {id}"))
            .await
            .contains("masquée")
    );
    let told = b.take_inbox("olive").await;
    assert!(
        told.contains("masquée en attendant") && told.contains(&format!("/contester #{id}")),
        "{told}"
    );
    assert!(
        !told.contains("r1") && !told.contains("r2"),
        "reporters are never named: {told}"
    );

    // Moderators only; the operator names them.
    assert!(
        b.say("r1", "/moderation")
            .await
            .contains("réservée à l'équipe")
    );
    b.engine
        .add_moderator(&Operator::command_line(), &ident("zoe-mod"), &[])
        .await
        .unwrap();
    let queue = b.send("zoe-mod", Content::Text("/moderation".into())).await;
    let text: String = queue.iter().map(Reply::plain).collect();
    assert!(
        text.contains("Signalements en attente : 1") && text.contains("Spam ×1"),
        "{text}"
    );
    assert!(
        text.contains("« « et ça ? » c'est de la pub 🙄 »"),
        "{text}"
    );
    let actions: Vec<String> = queue
        .iter()
        .flat_map(|r| r.all_actions())
        .map(|a| a.command.clone())
        .collect();
    assert!(
        actions.contains(&format!("/moderation garder #{id}")),
        "{actions:?}"
    );
    assert!(actions.iter().all(|c| c.len() <= 64), "{actions:?}");
    // The author's one appeal.
    assert!(
        b.say("r1", &format!("/contester {id}"))
            .await
            .contains("Seul l'auteur")
    );
    assert!(
        b.say("olive", &format!("/contester {other}"))
            .await
            .contains("n'est pas masqué")
    );
    assert!(
        b.say("olive", &format!("/contester {id}"))
            .await
            .contains("transmise")
    );
    assert!(
        b.say("olive", &format!("/contester {id}"))
            .await
            .contains("qu'une fois")
    );
    assert!(
        b.take_inbox("zoe-mod")
            .await
            .contains("Demande de réexamen")
    );
    // Kept: shown again, and its author told.
    assert!(
        b.say("zoe-mod", &format!("/moderation garder {id}"))
            .await
            .contains("gardé")
    );
    assert!(b.at("r3", 45.7640, 4.8357).await.contains("Vente"));
    assert!(b.take_inbox("olive").await.contains("reste visible"));
    assert!(
        b.say("zoe-mod", "/moderation")
            .await
            .contains("Aucun signalement")
    );

    // An update is reported and hidden by a moderator; its author is told why.
    let project = b
        .propose("olive", &format!("Potager | nature | {LYON} | -"))
        .await;
    b.say("olive", &format!("/lancer {project}")).await;
    b.say(
        "olive",
        &format!("/maj {project} Rendez-vous samedi, apportez vos outils"),
    )
    .await;
    let u = b.update_ids("olive", project).await;
    assert_eq!(u.len(), 1, "{u:?}");
    let u = &u[0];
    let seen = b
        .send("r2", Content::Text(format!("/voir {project}")))
        .await;
    assert!(
        seen.iter()
            .flat_map(|r| r.all_actions())
            .any(|a| a.command == format!("/signaler {u}")),
        "{seen:?}"
    );
    assert!(
        b.say("r2", &format!("/signaler {u} données-personnelles"))
            .await
            .contains("Merci")
    );
    assert!(
        b.take_inbox("zoe-mod")
            .await
            .contains(&format!("Nouveau signalement : {u}"))
    );
    let hidden = b
        .say(
            "zoe-mod",
            &format!(
                "/moderation masquer {} numéro de téléphone",
                u.to_lowercase()
            ),
        )
        .await;
    assert!(hidden.contains("masqué"), "{hidden}");
    assert!(
        !b.say("r2", &format!("/voir {project}"))
            .await
            .contains("Rendez-vous")
    );
    // The author is taken out of that project (its last organiser: the role
    // is offered on); told, and logged.
    assert!(
        b.say("zoe-mod", "/moderation retirer A1")
            .await
            .contains("Donnez une initiative")
    );
    let removed = b.say("zoe-mod", &format!("/moderation retirer {u}")).await;
    assert!(removed.contains("retiré du projet"), "{removed}");
    assert!(
        b.say("zoe-mod", &format!("/moderation retirer {u}"))
            .await
            .contains("ne fait pas partie")
    );
    let told = b.take_inbox("olive").await;
    assert!(
        told.contains(&format!("retiré du projet #{project}")),
        "{told}"
    );
    assert!(
        told.contains("numéro de téléphone") && told.contains(&format!("/contester {u}")),
        "{told}"
    );

    // A ban for 7 days: refused with the reason and the end, open ideas hidden.
    let banned = b
        .say(
            "zoe-mod",
            &format!("/moderation bannir {id} 7j spam répété"),
        )
        .await;
    assert!(banned.contains("banni"), "{banned}");
    let refused = b.say("olive", "/pres").await;
    assert!(
        refused.contains("suspendu jusqu'au 27/11/2026") && refused.contains("spam répété"),
        "{refused}"
    );
    assert!(
        b.say("olive", &format!("/proposer Encore | autre | {LYON} | -"))
            .await
            .contains("suspendu")
    );
    let near = b.at("r3", 45.7640, 4.8357).await;
    assert!(
        !near.contains("Deuxième") && !near.contains("Vente"),
        "{near}"
    );
    assert!(near.contains("Potager"), "a project stays: {near}");
    // They still see their data, moderation included, never a moderator's name.
    let data = b.say("olive", "/mesdonnees").await;
    assert!(
        data.contains("l'équipe de modération") && data.contains("\"ban\""),
        "{data}"
    );
    assert!(
        data.contains("spam répété") && !data.contains("zoe-mod"),
        "{data}"
    );
    // A moderator is not banned, and nobody bans themselves.
    b.engine
        .add_moderator(
            &Operator::command_line(),
            &ident("local-mod"),
            &[InseeCode::parse("69123").unwrap()],
        )
        .await
        .unwrap();
    assert!(
        b.say("local-mod", &format!("/moderation bannir {project}"))
            .await
            .contains("toute l'instance")
    );
    assert!(
        b.say("local-mod", &format!("/moderation debannir {project}"))
            .await
            .contains("toute l'instance")
    );
    let theirs = b
        .propose(
            "local-mod",
            &format!("Idée d'une modératrice | autre | {LYON} | -"),
        )
        .await;
    assert!(
        b.say("zoe-mod", &format!("/moderation bannir {theirs}"))
            .await
            .contains("On ne bannit pas un modérateur")
    );
    // Nobody judges their own content, nor sees it in their queue.
    let mine = b
        .propose("zoe-mod", &format!("Idée de Zoé | autre | {LYON} | -"))
        .await;
    assert!(
        b.say("r1", &format!("/signaler {mine} spam"))
            .await
            .contains("Merci")
    );
    assert!(
        b.say("zoe-mod", &format!("/moderation garder {mine}"))
            .await
            .contains("est de vous")
    );
    assert!(
        !b.say("zoe-mod", "/moderation")
            .await
            .contains(&format!("#{mine}"))
    );
    assert!(
        b.say("local-mod", "/moderation")
            .await
            .contains(&format!("#{mine}"))
    );
    assert!(
        b.say("zoe-mod", &format!("/moderation masquer #{id}"))
            .await
            .contains("masqué")
    );
    // The log, for moderators.
    let log = b.say("zoe-mod", "/moderation journal").await;
    for action in [
        "masqué sur signalements",
        "réexamen demandé",
        "gardé",
        "masqué",
        "banni",
    ] {
        assert!(log.contains(action), "{action}: {log}");
    }
    // Seven days later the ban has ended.
    b.advance(Duration::days(8));
    let after = b.say("olive", &format!("/voir {project}")).await;
    assert!(
        after.contains("Potager") && !after.contains("suspendu"),
        "{after}"
    );
    // Kept once, hidden again since: its author may appeal once more.
    assert!(
        b.say("olive", &format!("/contester {id}"))
            .await
            .contains("transmise")
    );
    assert!(
        b.say("olive", &format!("/contester {id}"))
            .await
            .contains("qu'une fois")
    );

    // For good, from the command line: it outlives erasure, and the erased
    // identity comes back to the ban without being created again.
    let cli = b
        .engine
        .moderate(
            &Operator::command_line(),
            kohero_core::engine::OperatorModeration::Ban {
                identity: ident("olive"),
                days: None,
                reason: Some("escroqueries".into()),
            },
            Lang::En,
        )
        .await
        .unwrap();
    assert!(cli.is_ok(), "{cli:?}");
    assert!(b.say("olive", "/pres").await.contains("définitivement"));
    b.say("olive", "/oublier").await;
    assert!(b.say("olive", "oui").await.contains("effacé"), "erased");
    assert!(!b.engine.knows(&ident("olive")).await.unwrap());
    let back = b.say("olive", "/start").await;
    assert!(
        back.contains("définitivement") && back.contains("escroqueries"),
        "{back}"
    );
    assert!(!b.engine.knows(&ident("olive")).await.unwrap());
    let lifted = b
        .engine
        .moderate(
            &Operator::command_line(),
            kohero_core::engine::OperatorModeration::Unban(ident("olive")),
            Lang::En,
        )
        .await
        .unwrap();
    assert!(lifted.is_ok(), "{lifted:?}");
    assert!(b.say("olive", "/start").await.contains("Bonjour"));
}

/// A verified actor's name is theirs: nobody takes it at first contact or
/// with `/profil nom`, written another way; their name carries a badge.
#[tokio::test]
async fn nobody_takes_a_verified_actors_name() {
    let b = Bot::new().await;
    b.engine
        .verify(
            &Operator::command_line(),
            &ident("mairie"),
            ActorKind::Municipality,
            vec![InseeCode::parse("69266").unwrap()],
        )
        .await
        .unwrap()
        .unwrap();
    b.say("mairie", "/profil nom Mairie de Villeurbanne").await;
    assert!(
        b.say("eve", "/profil nom mairie-de  VILLEURBANNE")
            .await
            .contains("acteur vérifié")
    );
    assert!(
        b.say("eve", "/profil nom Mairie\u{200B} de Villeurbânne")
            .await
            .contains("acteur vérifié")
    );
    // First contact under that name: a neutral name instead.
    let hello = b.say("Mairie de Villeurbanne", "/start").await;
    assert!(hello.contains("Bonjour Participant·e"), "{hello}");
    // Nobody wears the badge but the verified.
    let me = b.say("eve", "/profil nom Ève ✓✔").await;
    assert!(
        me.contains("Ève") && !me.contains('✓') && !me.contains('✔'),
        "{me}"
    );
    // One person's reports wait ten at a time.
    for n in 0..11 {
        let id = b
            .propose("spam", &format!("Spam {n} | autre | {LYON} | -"))
            .await;
        let r = b.say("eve", &format!("/signaler {id} spam")).await;
        assert_eq!(r.contains("Merci"), n < 10, "{n}: {r}");
        assert_eq!(
            r.contains("10 signalements en attente"),
            n == 10,
            "{n}: {r}"
        );
    }
    let id = b
        .propose("mairie", &format!("Fête des voisins | autre | {LYON} | -"))
        .await;
    let card = b.say("eve", &format!("/voir {id}")).await;
    assert!(card.contains("Mairie de Villeurbanne ✓"), "{card}");
}

/// With the instance's leave, a verified municipality moderates its
/// communes, and only them.
#[tokio::test]
async fn municipalities_moderate_their_communes_when_allowed() {
    let mut b = Bot::new().await;
    b.engine = Engine::new(b.store.clone(), b.clock.clone())
        .await
        .unwrap()
        .with_moderation(ModerationPolicy {
            auto_hide_reports: 0,
            municipalities_moderate: true,
        });
    b.engine
        .verify(
            &Operator::command_line(),
            &ident("mairie"),
            ActorKind::Municipality,
            vec![InseeCode::parse("69123").unwrap()],
        )
        .await
        .unwrap()
        .unwrap();
    let lyon = b
        .propose("olive", &format!("Troc | autre | {LYON} | -"))
        .await;
    let elsewhere = b
        .propose("olive", "Troc à Paris | autre | geo:48.8566,2.3522 | -")
        .await;
    for who in ["r1", "r2", "r3", "r4"] {
        b.say(who, &format!("/signaler {lyon} spam")).await;
        b.say(who, &format!("/signaler {elsewhere} spam")).await;
    }
    // No hiding on reports on this instance.
    assert!(b.say("r1", &format!("/voir {lyon}")).await.contains("Troc"));
    assert!(b.take_inbox("mairie").await.contains(&format!("#{lyon}")));
    let queue = b.say("mairie", "/moderation").await;
    assert!(
        queue.contains("Signalements en attente : 1") && queue.contains(&format!("#{lyon}")),
        "{queue}"
    );
    assert!(!queue.contains(&format!("#{elsewhere}")), "{queue}");
    assert!(
        b.say("mairie", &format!("/moderation masquer {elsewhere}"))
            .await
            .contains("communes que vous modérez")
    );
    assert!(
        b.say(
            "mairie",
            &format!("/moderation masquer {lyon} troc interdit")
        )
        .await
        .contains("masqué")
    );
    assert!(
        b.say("r1", &format!("/voir {lyon}"))
            .await
            .contains("masquée")
    );
    // The town hall sees what it hid.
    assert!(
        b.say("mairie", &format!("/voir {lyon}"))
            .await
            .contains("Troc")
    );
}

/// What moderation hides stays out of subscribers' alert batches and the town
/// hall's digest: a spam idea hidden on reports, an update and an event
/// hidden by a moderator, while the rest of the same project still shows.
#[tokio::test]
async fn hidden_items_stay_out_of_alerts_and_digests() {
    let b = Bot::new().await;
    b.set_clock(paris(2026, 11, 20, 10, 0)); // a Friday
    b.verify_town_hall("mairie", "69266").await;
    b.say("mairie", "/digest 0 9 * * lun").await;
    b.say("ann", "/abonner Villeurbanne").await;
    b.engine
        .add_moderator(&Operator::command_line(), &ident("mod"), &[])
        .await
        .unwrap();
    let spam = b
        .propose(
            "spammer",
            "Crypto gratuite | autre | geo:45.7667,4.8803 | -",
        )
        .await;
    let good = b
        .propose("bob", "Composteur | compost | geo:45.7667,4.8803 | Un bac")
        .await;
    for who in ["r1", "r2", "r3"] {
        assert!(
            b.say(who, &format!("/signaler {spam} spam"))
                .await
                .contains("Merci")
        );
    }
    b.take("ann").await;
    assert_eq!(b.engine.run_schedules().await.unwrap().alert_batches, 1);
    let ann = b.take("ann").await.join("\n");
    assert!(
        ann.contains("Composteur") && !ann.contains("Crypto"),
        "{ann}"
    );

    b.say("bob", &format!("/lancer {good}")).await;
    b.say("ann", &format!("/suivre {good}")).await;
    b.say("bob", &format!("/maj {good} Appelez le 06 12 34 56 78"))
        .await;
    b.say("bob", &format!("/maj {good} Bac livré")).await;
    let r = b
        .say(
            "bob",
            &format!("/evenement {good} Soirée douteuse | 2026-11-28 20:00"),
        )
        .await;
    let event = first_number(&r, 'E');
    let ids = b.update_ids("bob", good).await;
    // Newest first on the card: the phone number is the second.
    let phone = ids.last().unwrap().clone();
    assert!(
        b.say(
            "mod",
            &format!("/moderation masquer {phone} numéro personnel")
        )
        .await
        .contains("masqué")
    );
    assert!(
        b.say("mod", &format!("/moderation masquer E{event}"))
            .await
            .contains("masqué")
    );
    b.advance(Duration::minutes(61));
    b.take("ann").await;
    assert_eq!(b.engine.run_schedules().await.unwrap().alert_batches, 1);
    let ann = b.take("ann").await.join("\n");
    assert!(ann.contains("Bac livré"), "{ann}");
    assert!(
        !ann.contains("06 12") && !ann.contains("Soirée douteuse"),
        "{ann}"
    );

    b.set_clock(paris(2026, 11, 23, 9, 0));
    let tick = b.engine.run_schedules().await.unwrap();
    assert!(tick.digests >= 1, "{tick:?}");
    let digest = b
        .inbox("ann")
        .await
        .into_iter()
        .find(|m| m.contains("La lettre de mairie"))
        .expect("ann's digest");
    assert!(
        digest.contains("Composteur") && digest.contains("Bac livré"),
        "{digest}"
    );
    for hidden in ["Crypto", "06 12", "Soirée douteuse"] {
        assert!(!digest.contains(hidden), "{hidden}: {digest}");
    }
}

/// What moderation hides is taken back from the project's chats: the copies
/// the bot posted (by the ids the network gave them) and the command that
/// made it, where it was written; a copy sent after the hiding is taken back
/// as soon as it is reported; kept again, it is posted again.
#[tokio::test]
async fn hidden_updates_are_taken_back_from_project_chats() {
    use kohero_core::command::ModArg;
    use kohero_core::engine::OperatorModeration;
    let b = Bot::new().await;
    let id = b.propose("alice", "Jardin | nature | - | -").await;
    b.say("alice", &format!("/lancer {id}")).await;
    let n = AtomicU64::new(0);
    let group = |chat: &str, text: &str| {
        let k = n.fetch_add(1, Ordering::Relaxed);
        Incoming {
            chat_check: Some(ADMIN),
            identity: ident("alice"),
            chat: Some(chat.into()),
            event_id: Some(format!("grp{k}")),
            message_id: Some(format!("{}", 500 + k)),
            display_name: Some("alice".into()),
            lang_hint: None,
            content: Content::Text(text.into()),
        }
    };
    for chat in ["-100", "-200"] {
        let r = b
            .engine
            .handle_event(group(chat, &format!("/lier {id}")))
            .await
            .unwrap();
        assert_eq!(r, Intake::Queued(1));
    }
    let r = b
        .engine
        .handle_event(group("-100", "/maj On a planté « et ça ? » 🌱"))
        .await
        .unwrap();
    // The acknowledgement here, the copy in the other group.
    assert_eq!(r, Intake::Queued(2));
    let pending = |chat: &'static str| {
        let store = b.store.clone();
        async move {
            let mut tx = store.begin().await.unwrap();
            tx.pending_to(&Address::new("test", chat)).await.unwrap()
        }
    };
    let copy = pending("-200")
        .await
        .into_iter()
        .find(|m| m.plain().contains("planté"))
        .expect("the update's copy in the other group");
    let Some(about @ Target::Update(u)) = copy.about else {
        panic!("the copy shows the update: {copy:?}");
    };
    // Nothing in the group it was written in but the acknowledgement.
    assert!(
        pending("-100")
            .await
            .iter()
            .all(|m| m.about.is_none() && !m.plain().contains("planté"))
    );
    // Telegram split it in two messages.
    b.engine
        .posted(
            about,
            Address::new("test", "-200"),
            vec!["901".into(), "902".into()],
        )
        .await
        .unwrap();
    // Told twice (a retried report): kept once.
    b.engine
        .posted(about, Address::new("test", "-200"), vec!["901".into()])
        .await
        .unwrap();
    for m in pending("-100")
        .await
        .into_iter()
        .chain(pending("-200").await)
    {
        b.engine.delivered(m.id).await.unwrap();
    }

    let hide = b
        .engine
        .moderate(
            &Operator::command_line(),
            OperatorModeration::Item(ModArg::Hide(Target::Update(u), Some("spam".into()))),
            Lang::Fr,
        )
        .await
        .unwrap();
    assert!(hide.is_ok(), "{hide:?}");
    let deletes = |ms: Vec<Outgoing>| -> Vec<String> {
        ms.iter()
            .filter_map(|m| match &m.payload {
                Payload::Room(ops) => Some(ops.clone()),
                _ => None,
            })
            .flatten()
            .filter_map(|op| match op {
                RoomOp::Delete { message, reason } => {
                    assert!(reason.contains("modération"), "{reason}");
                    Some(message)
                }
                _ => None,
            })
            .collect()
    };
    // The command in the group where it was written (its message id), the
    // copies in the other.
    assert_eq!(deletes(pending("-100").await), vec!["502".to_owned()]);
    assert_eq!(
        deletes(pending("-200").await),
        vec!["901".to_owned(), "902".to_owned()]
    );
    // A copy reported after the hiding (its send was under way) is taken
    // back at once; the posts taken back are not taken back twice.
    b.engine
        .posted(about, Address::new("test", "-300"), vec!["77".into()])
        .await
        .unwrap();
    assert_eq!(deletes(pending("-300").await), vec!["77".to_owned()]);
    assert_eq!(deletes(pending("-200").await).len(), 2);
    for chat in ["-100", "-200", "-300"] {
        for m in pending(chat).await {
            b.engine.delivered(m.id).await.unwrap();
        }
    }

    // Kept on review: posted again in every chat of the project.
    let keep = b
        .engine
        .moderate(
            &Operator::command_line(),
            OperatorModeration::Item(ModArg::Keep(Target::Update(u))),
            Lang::Fr,
        )
        .await
        .unwrap();
    assert!(keep.is_ok(), "{keep:?}");
    for chat in ["-100", "-200"] {
        let again = pending(chat).await;
        assert!(
            again
                .iter()
                .any(|m| m.about == Some(about) && m.plain().contains("« et ça ? » 🌱")),
            "{chat}: {again:?}"
        );
    }
}

/// A message from an identity on any network, through the events' intake;
/// what was queued for its chat, taken away (as plain text).
impl Bot {
    async fn from(&self, network: &str, who: &str, text: &str) -> String {
        self.hand(network, who, text).await;
        self.inbox_of(network, who).await
    }

    /// A message from an identity through the events' intake; what it queued
    /// stays in the outbox.
    async fn hand(&self, network: &str, who: &str, text: &str) {
        let n = self.events.fetch_add(1, Ordering::Relaxed);
        let r = self
            .engine
            .handle_event(Incoming {
                chat_check: None,
                identity: Identity::new(network, who),
                chat: None,
                event_id: Some(format!("x{n}")),
                message_id: None,
                display_name: Some(who.to_owned()),
                lang_hint: None,
                content: Content::Text(text.to_owned()),
            })
            .await
            .unwrap();
        assert!(matches!(r, Intake::Queued(_) | Intake::Refused(_)), "{r:?}");
    }

    /// What waits for an identity's private chat, taken away.
    async fn inbox_of(&self, network: &str, who: &str) -> String {
        let mut tx = self.store.begin().await.unwrap();
        let ms = tx.pending_to(&Address::new(network, who)).await.unwrap();
        drop(tx);
        let mut out = Vec::new();
        for m in ms {
            self.engine.delivered(m.id).await.unwrap();
            out.push(m.plain());
        }
        out.join("\n")
    }
}

fn six_digits_in(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap_or_else(|| panic!("no code in {text}"))
        .to_owned()
}

/// Two identities become one person only when the one that asked for the
/// code confirms; codes are single-use, expire, and wrong guesses are
/// limited; what both held is joined; `/oublier` erases every identity;
/// `/delier_compte` takes one away again.
#[tokio::test]
async fn identities_join_only_on_confirmation() {
    let b = Bot::new().await;
    // Alice on Telegram supports #1 and joins #2; on Matrix she follows #2.
    let one = b.propose("carol", "Jardin | nature | - | -").await;
    let two = b
        .propose("carol", "Verger « et ça ? » 🍎 | nature | - | -")
        .await;
    b.say("carol", &format!("/lancer {two}")).await;
    b.from("telegram", "1", &format!("/soutenir {one}")).await;
    b.from("telegram", "1", &format!("/rejoindre {two}")).await;
    b.from("matrix", "@a:x", &format!("/suivre {two}")).await;

    let asked = b.from("telegram", "1", "/lier_compte").await;
    let code = six_digits_in(&asked);
    // Typed on the same network: refused.
    assert!(
        b.from("telegram", "2", &format!("/lier_compte {code}"))
            .await
            .contains("autre réseau")
    );
    // Typed on Matrix: Telegram is asked; nothing joined yet.
    let sent = b
        .from("matrix", "@a:x", &format!("/lier_compte {code}"))
        .await;
    assert!(sent.contains("confirmez"), "{sent}");
    let ask = b.inbox_of("telegram", "1").await;
    assert!(
        ask.contains("matrix:@a:x") && ask.contains("/lier_compte oui"),
        "{ask}"
    );
    // Single use: typed again (by anyone), it is not valid.
    assert!(
        b.from("console", "eve", &format!("/lier_compte {code}"))
            .await
            .contains("pas (ou plus) valable")
    );
    // Only the identity that asked confirms.
    assert!(
        b.from("matrix", "@a:x", "/lier_compte oui")
            .await
            .contains("Aucune demande")
    );
    let done = b.from("telegram", "1", "/lier_compte oui").await;
    assert!(done.contains("un seul compte"), "{done}");
    assert!(
        b.inbox_of("matrix", "@a:x")
            .await
            .contains("un seul compte")
    );
    // One person: the Matrix identity sees Telegram's memberships.
    let data = b.from("matrix", "@a:x", "/mesdonnees").await;
    assert!(
        data.contains("telegram:1") && data.contains("matrix:@a:x"),
        "{data}"
    );
    let left = b.from("matrix", "@a:x", &format!("/quitter {two}")).await;
    assert!(left.contains("Vous avez quitté"), "{left}");

    // Expired: a code typed after ten minutes joins nothing; nor a request
    // confirmed after ten minutes.
    let code = six_digits_in(&b.from("telegram", "7", "/lier_compte").await);
    b.advance(Duration::minutes(11));
    assert!(
        b.from("matrix", "@g:x", &format!("/lier_compte {code}"))
            .await
            .contains("pas (ou plus) valable")
    );
    let code = six_digits_in(&b.from("telegram", "7", "/lier_compte").await);
    b.from("matrix", "@g:x", &format!("/lier_compte {code}"))
        .await;
    b.advance(Duration::minutes(11));
    assert!(
        b.from("telegram", "7", "/lier_compte oui")
            .await
            .contains("Aucune demande")
    );
    // Refused: nothing joined, the other side told.
    let code = six_digits_in(&b.from("telegram", "7", "/lier_compte").await);
    b.from("matrix", "@g:x", &format!("/lier_compte {code}"))
        .await;
    b.inbox_of("telegram", "7").await;
    assert!(
        b.from("telegram", "7", "/lier_compte non")
            .await
            .contains("rien n'a été lié")
    );
    assert!(b.inbox_of("matrix", "@g:x").await.contains("refusée"));
    assert!(
        !b.from("matrix", "@g:x", "/mesdonnees")
            .await
            .contains("telegram:7")
    );

    // Guessing is limited per identity…
    for n in 0..5 {
        let r = b
            .from("matrix", "@guess:x", &format!("/lier_compte 99999{n}"))
            .await;
        assert!(r.contains("pas (ou plus) valable"), "{r}");
    }
    assert!(
        b.from("matrix", "@guess:x", "/lier_compte 999995")
            .await
            .contains("Trop de codes")
    );
    // …and overall, however many fresh accounts guess.
    for n in 0..100 {
        b.from("matrix", &format!("@g{n}:x"), "/lier_compte 111111")
            .await;
    }
    let code = six_digits_in(&b.from("telegram", "8", "/lier_compte").await);
    assert!(
        b.from("matrix", "@late:x", &format!("/lier_compte {code}"))
            .await
            .contains("Trop d'essais")
    );
    b.advance(Duration::minutes(61));

    // Where notices go: the identity used last, or the one chosen.
    assert!(
        b.from("telegram", "1", "/profil reseau whatsapp")
            .await
            .contains("Pas d'identité whatsapp")
    );
    assert!(
        b.from("telegram", "1", "/profil reseau matrix")
            .await
            .contains("arriveront sur matrix")
    );

    // Taken away again, only by the identity that leaves: the Matrix
    // identity starts afresh.
    assert!(
        b.from("telegram", "1", "/delier_compte matrix")
            .await
            .contains("depuis matrix")
    );
    let gone = b.from("matrix", "@a:x", "/delier_compte").await;
    assert!(gone.contains("repart de zéro"), "{gone}");
    assert!(
        b.inbox_of("telegram", "1")
            .await
            .contains("ne fait plus partie")
    );
    let fresh = b.from("matrix", "@a:x", "/mesdonnees").await;
    assert!(!fresh.contains("telegram:1"), "{fresh}");
    assert!(
        b.from("telegram", "1", "/delier_compte")
            .await
            .contains("qu'une identité")
    );

    // A banned identity joins nobody (a ban is by identity).
    let ban = b
        .engine
        .moderate(
            &Operator::command_line(),
            kohero_core::engine::OperatorModeration::Ban {
                identity: Identity::new("matrix", "@g:x"),
                days: Some(7),
                reason: Some("spam".into()),
            },
            Lang::Fr,
        )
        .await
        .unwrap();
    assert!(ban.is_ok(), "{ban:?}");
    let code = six_digits_in(&b.from("telegram", "9", "/lier_compte").await);
    let r = b
        .from("matrix", "@g:x", &format!("/lier_compte {code}"))
        .await;
    assert!(r.contains("suspendu"), "{r}");
    assert!(b.inbox_of("telegram", "9").await.is_empty());

    // Joined again, then erased: both identities go.
    let code = six_digits_in(&b.from("telegram", "1", "/lier_compte").await);
    b.from("matrix", "@a:x", &format!("/lier_compte {code}"))
        .await;
    b.from("telegram", "1", "/lier_compte oui").await;
    b.from("matrix", "@a:x", "/oublier").await;
    assert!(b.from("matrix", "@a:x", "oui").await.contains("effacé"));
    assert!(
        !b.engine
            .knows(&Identity::new("telegram", "1"))
            .await
            .unwrap()
    );
}

/// A person on two networks who joins a project with a chat on each gets
/// each invitation on its own network: the one of the network they wrote
/// from in the answer, the other one on their identity there (a Matrix
/// delivery cannot do anything with a Telegram group, nor the reverse).
#[tokio::test]
async fn invitations_go_to_each_network() {
    let b = Bot::new().await;
    let id = b.project_with_group().await;
    b.engine
        .room_made(Address::new("matrix", "!r:x"), InitiativeId(id))
        .await
        .unwrap();
    let code = six_digits_in(&b.from("telegram", "1", "/lier_compte").await);
    b.from("matrix", "@a:x", &format!("/lier_compte {code}"))
        .await;
    b.from("telegram", "1", "/lier_compte oui").await;
    b.inbox_of("matrix", "@a:x").await;

    b.inbox_of("telegram", "1").await;
    b.hand("matrix", "@a:x", &format!("/rejoindre {id}")).await;
    let invites = |ms: Vec<Outgoing>| -> Vec<String> {
        ms.iter()
            .filter_map(Outgoing::reply)
            .flat_map(|r| r.blocks.iter())
            .filter_map(|blk| match blk {
                kohero_core::reply::Block::RoomInvite { room, .. } => Some(room.clone()),
                _ => None,
            })
            .collect()
    };
    let mut tx = b.store.begin().await.unwrap();
    let on_matrix = tx
        .pending_to(&Address::new("matrix", "@a:x"))
        .await
        .unwrap();
    let on_telegram = tx.pending_to(&Address::new("telegram", "1")).await.unwrap();
    drop(tx);
    assert_eq!(invites(on_matrix.clone()), vec!["!r:x".to_owned()]);
    assert!(
        on_matrix.iter().any(|m| m.plain().contains("Bienvenue")),
        "{on_matrix:?}"
    );
    assert_eq!(
        invites(on_telegram.clone()),
        vec!["-100".to_owned()],
        "{on_telegram:#?}"
    );
}

/// Someone writes in a shared chat (not to the bot): `content` from
/// `who` on `network`, in `chat`, as the network's message `message`.
impl Bot {
    async fn chat(
        &self,
        network: &str,
        who: &str,
        chat: &str,
        message: &str,
        content: Content,
    ) -> Intake {
        let n = self.events.fetch_add(1, Ordering::Relaxed);
        self.engine
            .handle_event(Incoming {
                chat_check: None,
                identity: Identity::new(network, who),
                chat: Some(chat.to_owned()),
                event_id: Some(format!("c{n}")),
                message_id: Some(message.to_owned()),
                display_name: Some(format!("{who} «le vrai»")),
                lang_hint: None,
                content,
            })
            .await
            .unwrap()
    }

    /// A project of `c` on Telegram, its group `-100` linked; its id.
    async fn project_with_group(&self) -> i64 {
        let propose = self
            .from("telegram", "c", "/proposer Verger | nature | - | -")
            .await;
        let id = first_number(&propose, '#');
        self.from("telegram", "c", &format!("/lancer {id}")).await;
        let link = self
            .engine
            .handle_event(Incoming {
                chat_check: Some(ADMIN),
                identity: Identity::new("telegram", "c"),
                chat: Some("-100".into()),
                event_id: Some("link-100".into()),
                message_id: None,
                display_name: Some("c".into()),
                lang_hint: None,
                content: Content::Text(format!("/lier {id}")),
            })
            .await
            .unwrap();
        assert_eq!(link, Intake::Queued(1));
        id
    }

    /// What waits for a chat (left in the outbox).
    async fn pending(&self, network: &str, chat: &str) -> Vec<Outgoing> {
        let mut tx = self.store.read().await.unwrap();
        tx.pending_to(&Address::new(network, chat)).await.unwrap()
    }

    /// The relays waiting for a chat, with their lines.
    async fn relays_to(&self, network: &str, chat: &str) -> Vec<(Outgoing, Relay)> {
        self.pending(network, chat)
            .await
            .into_iter()
            .filter_map(|m| match m.payload.clone() {
                Payload::Relay(r) => Some((m, r)),
                _ => None,
            })
            .collect()
    }

    /// The worker sent `m` as `messages`: told to core, marked sent.
    async fn sent_relay(&self, m: &Outgoing, messages: &[&str]) {
        let Payload::Relay(r) = &m.payload else {
            panic!("a relay")
        };
        self.engine
            .relayed(kohero_core::inbox::Relayed {
                row: m.id,
                sources: r.lines.iter().map(|l| l.source.clone()).collect(),
                room: m.address(),
                messages: messages.iter().map(|s| (*s).to_owned()).collect(),
            })
            .await
            .unwrap();
        self.engine.delivered(m.id).await.unwrap();
    }
}

fn text(s: &str) -> Content {
    Content::Said {
        said: Said::Text(Rich::plain(s)),
        reply: None,
    }
}

/// One conversation across a project's Telegram group and Matrix room:
/// what people write is relayed (signed with name and network), a burst is
/// gathered while the first copy waits, order holds around the bot's own
/// posts, replies answer the right copy, edits and redactions follow the
/// copy, organisers turn it off, a chat that is no project's stores
/// nothing, and `/oublier` takes a person's lines out of what still waits.
#[tokio::test]
async fn a_project_conversation_is_relayed_between_its_chats() {
    let b = Bot::new().await;
    let id = b.project_with_group().await;
    let linked = b.pending("telegram", "-100").await;
    assert!(
        linked[0].plain().contains("administrateur"),
        "the answer to /lier says the bot must be an administrator: {}",
        linked[0].plain()
    );
    for m in linked {
        b.engine.delivered(m.id).await.unwrap();
    }
    // One chat only: nothing to relay to.
    assert_eq!(
        b.chat("telegram", "c", "-100", "10", text("seul")).await,
        Intake::Queued(0)
    );
    let room = "!r:x";
    b.engine
        .room_made(Address::new("matrix", room), InitiativeId(id))
        .await
        .unwrap();
    b.inbox_of("matrix", room).await;

    // Two messages while the first waits: one relay, two lines, in order.
    assert_eq!(
        b.chat("telegram", "c", "-100", "11", text("Salut « et ça ? » 🌱"))
            .await,
        Intake::Queued(1)
    );
    assert_eq!(
        b.chat("telegram", "c", "-100", "12", text("l'après-midi ?"))
            .await,
        Intake::Queued(0)
    );
    let waiting = b.relays_to("matrix", room).await;
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert_eq!(
        waiting[0].0.plain(),
        "c «le vrai» (Telegram) : Salut « et ça ? » 🌱\nc «le vrai» (Telegram) : l'après-midi ?"
    );
    // A command is not relayed; its effect is posted as before, and what
    // is said after it comes after it.
    b.chat(
        "telegram",
        "c",
        "-100",
        "13",
        Content::Text(format!("/maj {id} On plante samedi")),
    )
    .await;
    b.chat("telegram", "c", "-100", "14", text("après la maj"))
        .await;
    let order: Vec<String> = b
        .pending("matrix", room)
        .await
        .iter()
        .map(Outgoing::plain)
        .collect();
    assert_eq!(order.len(), 3, "{order:?}");
    assert!(order[1].contains("On plante samedi"), "{order:?}");
    assert!(order[2].ends_with("après la maj"), "{order:?}");
    let relays = b.relays_to("matrix", room).await;
    b.sent_relay(&relays[0].0, &["$copy1"]).await;
    b.sent_relay(&relays[1].0, &["$copy2"]).await;
    b.inbox_of("matrix", room).await;
    b.inbox_of("telegram", "-100").await;

    // Bob answers the first copy on Matrix: the relay answers the original.
    let reply = Content::Said {
        said: Said::Text(Rich::plain("Oui !")),
        reply: Some(ReplyTo {
            message: "$copy1".into(),
            author: None,
            text: "c (Telegram) : Salut « et ça ? » 🌱".into(),
        }),
    };
    assert_eq!(
        b.chat("matrix", "@b:x", room, "$m1", reply).await,
        Intake::Queued(1)
    );
    let back = b.relays_to("telegram", "-100").await;
    let quote = back[0].1.lines[0].quote.clone().unwrap();
    assert_eq!(quote.message.as_deref(), Some("11"));
    assert!(quote.excerpt.starts_with("c (Telegram)"), "{quote:?}");
    b.sent_relay(&back[0].0, &["501"]).await;
    // A reply to Bob's copy on Telegram answers Bob's own message on Matrix.
    let reply = Content::Said {
        said: Said::Text(Rich::plain("Parfait")),
        reply: Some(ReplyTo {
            message: "501".into(),
            author: None,
            text: "b (Matrix) : Oui !".into(),
        }),
    };
    b.chat("telegram", "c", "-100", "15", reply).await;
    let to_matrix = b.relays_to("matrix", room).await;
    assert_eq!(
        to_matrix[0].1.lines[0]
            .quote
            .as_ref()
            .and_then(|q| q.message.as_deref()),
        Some("$m1")
    );
    b.sent_relay(&to_matrix[0].0, &["$copy3"]).await;

    // Mallory cannot change or take back Bob's message (Matrix lets anyone
    // send an edit or a redaction naming any event).
    let forged = Content::Edited {
        message: "$m1".into(),
        said: Said::Text(Rich::plain("Bob dit n'importe quoi")),
    };
    assert_eq!(
        b.chat("matrix", "@m:x", room, "$f1", forged).await,
        Intake::Queued(0)
    );
    let forged = Content::Retracted {
        message: "$m1".into(),
    };
    assert_eq!(
        b.chat("matrix", "@m:x", room, "$f2", forged).await,
        Intake::Queued(0)
    );
    assert!(b.pending("telegram", "-100").await.is_empty());

    // An edit of message 11: its copy shows 11 and 12, edited whole in place.
    let edit = Content::Edited {
        message: "11".into(),
        said: Said::Text(Rich::plain("Salut à tous")),
    };
    assert_eq!(
        b.chat("telegram", "c", "-100", "11", edit).await,
        Intake::Queued(1)
    );
    let edited = b.relays_to("matrix", room).await;
    assert_eq!(edited[0].1.edit.as_deref(), Some("$copy1"));
    assert_eq!(
        edited[0].0.plain(),
        "c «le vrai» (Telegram) : Salut à tous\nc «le vrai» (Telegram) : l'après-midi ?"
    );
    b.sent_relay(&edited[0].0, &["$copy1"]).await;
    // Edited again: from the newest copy.
    let edit = Content::Edited {
        message: "12".into(),
        said: Said::Text(Rich::plain("le matin ?")),
    };
    b.chat("telegram", "c", "-100", "12", edit).await;
    let edited = b.relays_to("matrix", room).await;
    assert_eq!(
        edited[0].0.plain(),
        "c «le vrai» (Telegram) : Salut à tous\nc «le vrai» (Telegram) : le matin ?"
    );
    b.sent_relay(&edited[0].0, &["$copy1"]).await;

    // Bob redacts his message: its Telegram copy (his alone) is deleted.
    assert_eq!(
        b.chat(
            "matrix",
            "@b:x",
            room,
            "$r1",
            Content::Retracted {
                message: "$m1".into()
            }
        )
        .await,
        Intake::Queued(1)
    );
    let gone = b.pending("telegram", "-100").await;
    assert!(
        matches!(&gone[0].payload, Payload::Room(ops) if ops == &vec![RoomOp::Delete { message: "501".into(), reason: String::new() }]),
        "{gone:?}"
    );
    b.engine.delivered(gone[0].id).await.unwrap();
    // Redacted before it went: it never goes.
    b.chat("matrix", "@b:x", room, "$m2", text("oups")).await;
    assert_eq!(b.relays_to("telegram", "-100").await.len(), 1);
    b.chat(
        "matrix",
        "@b:x",
        room,
        "$r2",
        Content::Retracted {
            message: "$m2".into(),
        },
    )
    .await;
    assert!(b.relays_to("telegram", "-100").await.is_empty());

    // Taken back while its relay is on its way (a worker holds it): the
    // copy is deleted once the worker reports it.
    b.chat("matrix", "@b:x", room, "$m5", text("spam")).await;
    let mut tx = b.store.begin().await.unwrap();
    let held = tx
        .claim(
            "telegram",
            b.clock.now(),
            b.clock.now() + Duration::minutes(1),
            10,
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let held = held
        .into_iter()
        .find(|m| m.plain().contains("spam"))
        .unwrap();
    assert_eq!(
        b.chat(
            "matrix",
            "@b:x",
            room,
            "$r5",
            Content::Retracted {
                message: "$m5".into()
            }
        )
        .await,
        Intake::Queued(0)
    );
    b.sent_relay(&held, &["502"]).await;
    let late = b.pending("telegram", "-100").await;
    assert!(
        matches!(&late[..], [m] if matches!(&m.payload, Payload::Room(ops) if ops == &vec![RoomOp::Delete { message: "502".into(), reason: String::new() }])),
        "{late:?}"
    );
    b.engine.delivered(late[0].id).await.unwrap();
    // Told twice (a retried report): nothing more.
    b.sent_relay(&held, &["502"]).await;

    // A long message the network took in two: both go when it is taken back.
    b.chat("matrix", "@b:x", room, "$m6", text("long")).await;
    let long = b.relays_to("telegram", "-100").await;
    b.sent_relay(&long[0].0, &["601", "602"]).await;
    b.chat(
        "matrix",
        "@b:x",
        room,
        "$r6",
        Content::Retracted {
            message: "$m6".into(),
        },
    )
    .await;
    let both = b.pending("telegram", "-100").await;
    assert!(
        matches!(&both[..], [m] if m.plain() == "[delete 601]\n[delete 602]"),
        "{both:?}"
    );
    b.engine.delivered(both[0].id).await.unwrap();

    // A chat that is no project's: nothing stored, nobody created.
    assert_eq!(
        b.chat("telegram", "stranger", "-999", "1", text("bonjour"))
            .await,
        Intake::Queued(0)
    );
    let mut tx = b.store.read().await.unwrap();
    assert!(
        tx.actor_by_identity(&Identity::new("telegram", "stranger"))
            .await
            .unwrap()
            .is_none()
    );
    drop(tx);

    // Only organisers turn it off; then nothing is relayed, both chats told.
    let r = b
        .chat(
            "matrix",
            "@b:x",
            room,
            "$c1",
            Content::Text("/relais non".into()),
        )
        .await;
    assert_eq!(r, Intake::Refused(1));
    let r = b
        .chat(
            "telegram",
            "c",
            "-100",
            "20",
            Content::Text("/relais non".into()),
        )
        .await;
    assert_eq!(r, Intake::Queued(2));
    let told = b.inbox_of("matrix", room).await;
    assert!(told.contains("coupé le relais"), "{told}");
    assert!(
        b.inbox_of("telegram", "-100")
            .await
            .contains("Relais coupé")
    );
    assert_eq!(
        b.chat("telegram", "c", "-100", "21", text("personne ne lit"))
            .await,
        Intake::Queued(0)
    );
    assert!(b.relays_to("matrix", room).await.is_empty());
    let state = b.from("telegram", "c", &format!("/relais {id}")).await;
    assert!(state.contains("coupé"), "{state}");
    b.chat(
        "telegram",
        "c",
        "-100",
        "22",
        Content::Text("/relais oui".into()),
    )
    .await;
    b.inbox_of("telegram", "-100").await;
    b.inbox_of("matrix", room).await;

    // Bob (known to Kohero) erases himself: his waiting lines go, others stay.
    b.from("matrix", "@b:x", "/aide").await;
    b.chat("telegram", "c", "-100", "23", text("avant Bob"))
        .await;
    b.chat("matrix", "@b:x", room, "$m3", text("je pars")).await;
    b.chat("matrix", "@b:x", room, "$m4", text("au revoir"))
        .await;
    assert_eq!(b.relays_to("telegram", "-100").await.len(), 1);
    b.from("matrix", "@b:x", "/oublier").await;
    b.from("matrix", "@b:x", "oui").await;
    assert!(b.relays_to("telegram", "-100").await.is_empty());
    let still = b.relays_to("matrix", room).await;
    assert_eq!(still.len(), 1);
    assert!(still[0].0.plain().ends_with("avant Bob"));
}

/// Before a duplicate: proposing what already exists nearby shows it (a
/// significant title word in common, accents folded, one a prefix of the
/// other, within 1 km) — in the dialogue before publishing, with
/// « Proposer quand même »; in one line after publishing (the reply still
/// starts with the new #N), with « Retirer la mienne ». Nothing far away,
/// nothing unrelated, nothing hidden.
#[tokio::test]
async fn proposing_what_exists_nearby_shows_it_first() {
    let b = Bot::new().await;
    let park = b
        .propose(
            "ann",
            "Composteur du parc | compost | geo:45.7660,4.8790 | -",
        )
        .await;
    let far = b
        .propose(
            "ann",
            "Compost de la gare | compost | geo:45.8000,4.8790 | -",
        )
        .await;
    b.propose("ann", "Grainothèque | food | geo:45.7661,4.8791 | -")
        .await;

    // One line: published at once, then what is alike.
    let replies = b
        .send(
            "bob",
            Content::Text(
                "/proposer Un compost partagé pour l'école | compost | geo:45.7670,4.8800 | -"
                    .into(),
            ),
        )
        .await;
    let r = replies
        .iter()
        .map(Reply::plain)
        .collect::<Vec<_>>()
        .join("\n");
    let commands: Vec<String> = replies
        .iter()
        .flat_map(|x| x.all_actions().map(|a| a.command.clone()))
        .collect();
    assert!(r.starts_with("Votre idée #"), "{r}");
    assert!(r.contains(&format!("#{park} ")), "{r}");
    assert!(!r.contains(&format!("#{far} ")), "a compost 4 km away: {r}");
    assert!(!r.contains("Grainothèque"), "{r}");
    assert!(
        commands.contains(&format!("/soutenir {park}")),
        "{commands:?}"
    );
    let mine = first_number(&r, '#');
    assert!(r.contains(&format!("/abandonner {mine}")), "{r}");
    // Nothing alike: nothing more.
    let r = b
        .say(
            "bob",
            "/proposer Repair café | repair | geo:45.7670,4.8800 | -",
        )
        .await;
    assert!(!r.contains("semblables"), "{r}");

    // The dialogue: shown before publishing; a button ends the proposal.
    b.say("cy", "/proposer").await;
    b.say("cy", "Composteurs « et ça ? » 🌱").await;
    b.press("cy", "compost").await;
    let r = b.say("cy", "geo:45.7665,4.8795").await;
    assert!(
        r.contains("semblables") && r.contains(&format!("#{park} ")),
        "{r}"
    );
    assert!(r.contains("continuer"), "{r}");
    let r = b.press("cy", &format!("/soutenir {park}")).await;
    assert!(
        !r.contains("en cours"),
        "the button works in the dialogue: {r}"
    );
    let r = b.say("cy", "/fil").await;
    assert!(!r.contains("Décrivez"), "the proposal ended: {r}");

    // « Proposer quand même »: the description, then published.
    b.say("dee", "/proposer").await;
    b.say("dee", "Compostage collectif").await;
    b.press("dee", "compost").await;
    b.say("dee", "geo:45.7665,4.8795").await;
    let r = b.press("dee", "continuer").await;
    assert!(r.contains("Décrivez"), "{r}");
    let r = b.say("dee", "Un bac de plus").await;
    assert!(r.starts_with("Votre idée #"), "{r}");

    // A word common nearby (more than the search says at once): the
    // nearest alike is still found.
    for n in 0..205 {
        b.propose(
            &format!("far{n}"),
            &format!("Jardin numéro {n} | nature | geo:45.7700,4.8792 | -"),
        )
        .await;
    }
    let near_garden = b
        .propose("gil", "Jardin du square | nature | geo:45.7662,4.8792 | -")
        .await;
    let r = b
        .say(
            "hal",
            "/proposer Jardins partagés | nature | geo:45.7662,4.8792 | -",
        )
        .await;
    assert!(r.contains(&format!("#{near_garden} ")), "{r}");

    // Three parts: the check comes before the description; « Voir » keeps
    // the proposal; the button pressed twice is never a description.
    let r = b
        .say("ivy", "/proposer Jardinage | nature | geo:45.7662,4.8792")
        .await;
    assert!(
        r.contains(&format!("#{near_garden} ")) && r.contains("continuer"),
        "{r}"
    );
    let r = b.press("ivy", &format!("/voir {near_garden}")).await;
    assert!(
        r.contains("Jardin du square") && r.contains("continuer"),
        "{r}"
    );
    let r = b.press("ivy", "continuer").await;
    assert!(r.contains("Décrivez"), "{r}");
    let r = b.press("ivy", "continuer").await;
    assert!(r.contains("Décrivez"), "asked again, not published: {r}");
    let r = b.say("ivy", "Des outils à prêter").await;
    assert!(r.starts_with("Votre idée #"), "{r}");

    // A hidden initiative is not offered.
    let hidden = b
        .engine
        .moderate(
            &Operator::command_line(),
            kohero_core::engine::OperatorModeration::Item(kohero_core::command::ModArg::Hide(
                Target::Initiative(InitiativeId(park)),
                Some("doublon".into()),
            )),
            Lang::Fr,
        )
        .await
        .unwrap();
    assert!(hidden.is_ok(), "{hidden:?}");
    let r = b
        .say(
            "eve",
            "/proposer Composteur bis | compost | geo:45.7670,4.8800 | -",
        )
        .await;
    assert!(!r.contains(&format!("#{park} ")), "{r}");
}

/// Issue 19: a verified actor's public profile, its team, the actors
/// nearby, the initiatives it carries; and what a stranger cannot do.
#[tokio::test]
async fn verified_actors_have_a_profile_a_team_and_show_nearby() {
    let b = Bot::new().await;
    for who in ["asso", "bob", "carol", "eve", "mallory"] {
        b.say(who, "/start").await;
    }
    let asso = b
        .engine
        .verify(
            &Operator::command_line(),
            &ident("asso"),
            ActorKind::Association,
            vec![],
        )
        .await
        .unwrap()
        .unwrap();
    let a = asso.id.0;
    b.say("asso", "/profil nom Compost'Croix-Rousse 🌱").await;

    // A citizen has no public profile, and no actor's fields.
    let eve = b.say("eve", "/voir A4").await;
    assert!(eve.contains("Je ne connais pas d'acteur A4"), "{eve}");
    let before = b.snapshot().await;
    let r = b.say("eve", "/profil description « et ça ? »").await;
    assert!(r.contains("acteur vérifié"), "{r}");
    assert!(b.say("eve", "/equipe").await.contains("/equipe est pour"));
    let r = b.say("eve", "/equipe ajouter test:mallory").await;
    assert!(r.contains("/equipe est pour"), "{r}");
    assert_eq!(b.snapshot().await, before);

    // The actor's account fills its profile; bad values are refused whole.
    let r = b
        .say(
            "asso",
            "/profil description On composte ensemble, « et ça ? » l'hiver aussi 🍂",
        )
        .await;
    assert!(r.contains("C'est enregistré"), "{r}");
    assert!(r.contains("« et ça ? » l'hiver aussi 🍂"), "{r}");
    for (bad, says) in [
        ("/profil site javascript:alert(1)", "adresse de site"),
        ("/profil site https://x.org/\"><script>", "adresse de site"),
        ("/profil categories compost, pizza", "« pizza »"),
        ("/profil lieu Nullepartville", "Je ne trouve pas"),
        (
            &format!("/profil contact {}", "é".repeat(201)) as &str,
            "201 caractères",
        ),
    ] {
        let before = b.snapshot().await;
        let r = b.say("asso", bad).await;
        assert!(r.contains(says), "{bad}: {r}");
        assert_eq!(b.snapshot().await, before, "{bad}");
    }
    b.say("asso", "/profil site www.compost-croixrousse.fr")
        .await;
    b.say("asso", "/profil contact bonjour@compost.example.org")
        .await;
    b.say("asso", "/profil categories compost, Alimentation")
        .await;
    let r = b.say("asso", "/profil lieu Villeurbanne").await;
    assert!(r.contains("Où : Villeurbanne (69)"), "{r}");
    assert!(r.contains("https://www.compost-croixrousse.fr"), "{r}");
    assert!(r.contains("Thèmes : Compost, Alimentation"), "{r}");

    // The team: only people who wrote to Kohero, one actor each.
    let r = b.say("asso", "/equipe ajouter test:nobody").await;
    assert!(r.contains("jamais écrit"), "{r}");
    let r = b.say("asso", "/equipe ajouter pas-une-identite").await;
    assert!(r.contains("n'est pas une identité"), "{r}");
    let r = b.say("asso", "/equipe ajouter test:bob").await;
    assert!(r.contains("bob est invité·e"), "{r}");
    let told = b.pending("test", "bob").await;
    assert!(
        told.iter()
            .any(|m| m.plain().contains("vous invite à agir")),
        "{told:?}"
    );
    // Invited is not yet acting.
    let r = b.say("bob", "/profil contact 04 78 00 00 00").await;
    assert!(r.contains("vous n'agissez pour aucun"), "{r}");
    let r = b.say("bob", "/equipe accepter A999").await;
    assert!(r.contains("pas d'invitation"), "{r}");
    let r = b.press("bob", &format!("/equipe accepter A{a}")).await;
    assert!(r.contains("vous agissez maintenant pour"), "{r}");
    let r = b.say("asso", "/equipe ajouter test:bob").await;
    assert!(r.contains("agit déjà pour cet acteur"), "{r}");
    let r = b.say("asso", "/equipe ajouter test:asso").await;
    assert!(r.contains("agit déjà"), "{r}");
    // Bob acts for the actor: its fields, its team, ideas in its name.
    let r = b.say("bob", "/profil contact 04 78 00 00 00").await;
    assert!(r.contains("Contact : 04 78 00 00 00"), "{r}");
    b.say("bob", "/equipe ajouter test:carol").await;
    let r = b.say("bob", "/equipe").await;
    assert!(
        r.contains("1 personne") && r.contains("2. carol · invité·e"),
        "{r}"
    );
    // Names only: nobody's identities are shown.
    assert!(!r.contains("test:"), "{r}");
    b.say("carol", &format!("/equipe accepter A{a}")).await;
    let r = b.say("asso", "/equipe").await;
    assert!(
        r.contains("2 personnes") && r.contains("2. carol · depuis le"),
        "{r}"
    );
    // Carol cannot remove Bob (she did not invite him); Bob can remove Carol.
    let r = b.say("carol", "/equipe retirer 1").await;
    assert!(r.contains("Seuls le compte"), "{r}");
    let id = b
        .propose(
            "bob",
            "Composteur rue d'Austerlitz | compost | geo:45.7760,4.8330 | Un bac en bois",
        )
        .await;
    let card = b.say("eve", &format!("/voir {id}")).await;
    assert!(
        card.contains(&format!("Porté par Compost'Croix-Rousse 🌱 ✓ (A{a})")),
        "{card}"
    );
    // Another verified actor's account cannot be added, nor a member of
    // another team.
    b.engine
        .verify(
            &Operator::command_line(),
            &ident("mallory"),
            ActorKind::Company,
            vec![],
        )
        .await
        .unwrap()
        .unwrap();
    let r = b.say("asso", "/equipe ajouter test:mallory").await;
    assert!(r.contains("compte d'un acteur vérifié"), "{r}");
    let r = b.say("mallory", "/equipe ajouter test:carol").await;
    assert!(r.contains("un autre acteur vérifié"), "{r}");

    // The public card, by id and by deep link.
    b.say("bob", &format!("/besoin {id} materiel 4 | des fourches"))
        .await;
    let r = b.say("eve", &format!("/voir A{a}")).await;
    assert!(r.contains("Compost'Croix-Rousse 🌱 ✓"), "{r}");
    assert!(
        r.contains(&format!("#{id} · B1 Matériel · 0/4 — des fourches")),
        "{r}"
    );
    assert!(r.contains("Association"), "{r}");
    assert!(r.contains("Composteur rue d'Austerlitz"), "{r}");
    assert_eq!(b.say("eve", &format!("/start a{a}")).await, r);

    // Nearby: by distance, by kind and category; the company has no place.
    b.at("eve", 45.7700, 4.8800).await;
    let r = b.say("eve", "/acteurs").await;
    assert!(r.contains("1 acteur vérifié"), "{r}");
    assert!(r.contains("Compost'Croix-Rousse"), "{r}");
    assert!(r.contains("1 initiative · 1 besoin"), "{r}");
    let r = b.say("eve", "/acteurs entreprises").await;
    assert!(r.contains("Aucun acteur vérifié"), "{r}");
    let r = b.say("eve", "/acteurs associations alimentation 2km").await;
    assert!(r.contains("1 acteur vérifié"), "{r}");
    let r = b.say("eve", "/acteurs réparation").await;
    assert!(r.contains("Aucun acteur"), "{r}");
    let r = b.say("eve", "/actors Lyon 20km").await;
    assert!(r.contains("Compost'Croix-Rousse"), "{r}");

    // Removed from the team: no longer acts for it.
    b.say("asso", "/equipe retirer test:bob").await;
    let r = b.say("bob", "/profil contact x").await;
    assert!(r.contains("vous n'agissez pour aucun"), "{r}");
    // Unverified: off the map, and no card.
    b.engine
        .unverify(&Operator::command_line(), &ident("asso"))
        .await
        .unwrap();
    let r = b.say("eve", "/acteurs").await;
    assert!(r.contains("Aucun acteur"), "{r}");
    assert!(
        b.say("eve", &format!("/voir A{a}"))
            .await
            .contains("Je ne connais pas")
    );
}

/// Issue 19: someone on a town hall's team acts for it (digest, forum,
/// moderation of its communes).
#[tokio::test]
async fn a_town_halls_team_acts_for_it() {
    let b = Bot::new().await;
    b.say("mairie", "/start").await;
    b.say("agent", "/start").await;
    b.verify_town_hall("mairie", "69266").await;
    let r = b.say("agent", "/digest").await;
    assert!(
        r.contains("mairies vérifiées") || r.contains("mairie vérifiée"),
        "{r}"
    );
    b.say("mairie", "/equipe ajouter test:agent").await;
    b.say("agent", "/equipe accepter A1").await;
    let r = b.say("agent", "/digest lundi 9h").await;
    assert!(r.contains("lundi") || r.contains("9"), "{r}");
    let r = b.say("mairie", "/digest").await;
    assert_eq!(r, b.say("agent", "/digest").await);
}

/// Skills: folded, limited, with a radius; anyone may say them.
#[tokio::test]
async fn people_say_what_they_can_bring() {
    let b = Bot::new().await;
    let r = b
        .say(
            "eve",
            "/profil competences Jardinage, BRICOLAGE, électricité 5km",
        )
        .await;
    assert!(
        r.contains("jardinage, bricolage, electricite") && r.contains("5 km"),
        "{r}"
    );
    let many = (0..11)
        .map(|i| format!("s{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let r = b.say("eve", &format!("/profil competences {many}")).await;
    assert!(r.contains("10 au plus"), "{r}");
    let r = b.say("eve", "/profil competences -").await;
    assert!(r.contains("effacées"), "{r}");
    let r = b.say("eve", "/profil competences jardinage 500km").await;
    assert!(r.contains("100 km"), "{r}");
}

/// Issue 19: a project's needs, the help people and actors offer, the need
/// filled, the partner on the card; and what nobody else may do.
#[tokio::test]
async fn needs_are_stated_offered_for_and_filled() {
    let b = Bot::new().await;
    for who in ["org", "ann", "bob", "carol", "dan", "eve", "asso"] {
        b.say(who, "/start").await;
    }
    let id = b
        .propose(
            "org",
            "Jardin partagé des Pentes | nature | geo:45.7700,4.8330 | Un jardin",
        )
        .await;
    b.say("org", &format!("/lancer {id}")).await;
    // Dan gardens nearby; Eve gardens far away.
    b.at("dan", 45.7710, 4.8340).await;
    b.say("dan", "/profil competences jardinage, bricolage 2km")
        .await;
    b.at("eve", 48.85, 2.35).await;
    b.say("eve", "/profil competences jardinage").await;

    // Only organisers state needs; bad input is refused whole.
    let before = b.snapshot().await;
    for (who, bad, says) in [
        ("ann", format!("/besoin {id} benevoles 3"), "organis"),
        (
            "org",
            format!("/besoin {id} pizza 3"),
            "Utilisation : /besoin",
        ),
        (
            "org",
            format!("/besoin {id} benevoles 0"),
            "Utilisation : /besoin",
        ),
        (
            "org",
            format!("/besoin {id} benevoles -2"),
            "Utilisation : /besoin",
        ),
        (
            "org",
            format!("/besoin {id} benevoles 99999999999"),
            "Utilisation : /besoin",
        ),
        ("org", "/besoin 9999 benevoles 3".into(), "9999"),
        (
            "org",
            format!("/besoin {id} materiel 2 | {}", "é".repeat(501)),
            "501 caractères",
        ),
    ] {
        let r = b.say(who, &bad).await;
        assert!(r.contains(says), "{bad}: {r}");
    }
    assert_eq!(b.snapshot().await, before);
    let r = b
        .say(
            "org",
            &format!("/besoin {id} bénévoles 3 | samedi 12 avril, 9h-12h « et ça ? » 🌱"),
        )
        .await;
    assert!(r.contains("Bénévoles · 0/3 — samedi 12 avril"), "{r}");
    let need = letter_id(&r, 'B');
    let r = b
        .say(
            "org",
            &format!("/besoin {id} competence | quelqu'un pour le jardinage d'hiver"),
        )
        .await;
    let skill = letter_id(&r, 'B');
    b.say("org", &format!("/besoin {id} financement 500 | des outils"))
        .await;
    // Dan's skills match the second need; Eve is too far.
    let store = b.store.clone();
    let alerts = |who: &'static str| {
        let store = store.clone();
        async move {
            let mut tx = store.read().await.unwrap();
            let a = tx.actor_by_identity(&ident(who)).await.unwrap().unwrap();
            tx.alerts_of(a.id).await.unwrap()
        }
    };
    let dan = alerts("dan").await;
    assert_eq!(dan.len(), 1, "{dan:?}");
    assert_eq!(dan[0].ref_id, Some(skill));
    assert!(alerts("eve").await.is_empty());
    // Stated again and again: one waiting alert per project.
    let r = b
        .say(
            "org",
            &format!("/besoin {id} competence | jardinage encore"),
        )
        .await;
    assert_eq!(alerts("dan").await.len(), 1);
    b.say("org", &format!("/besoin B{} fermer", letter_id(&r, 'B')))
        .await;

    // The card shows open needs and « Je peux aider ».
    let card = b.say("ann", &format!("/voir {id}")).await;
    assert!(card.contains(&format!("B{need} Bénévoles · 0/3")), "{card}");
    assert!(card.contains("Financement · 500 €"), "{card}");
    assert!(card.contains(&format!("/contribuer {id}")), "{card}");
    // Nearby needs, by kind.
    b.at("ann", 45.7690, 4.8320).await;
    let r = b.say("ann", "/besoins").await;
    assert!(r.contains("3 besoins ouverts"), "{r}");
    let r = b.say("ann", "/besoins financement").await;
    assert!(r.contains("1 besoin ouvert") && r.contains("500 €"), "{r}");
    let r = b.say("ann", "/besoins lieu").await;
    assert!(r.contains("Aucun besoin"), "{r}");

    // Three people help; the organiser is told, and answers.
    let mut offers = Vec::new();
    for who in ["ann", "bob", "carol"] {
        let r = b
            .say(
                who,
                &format!("/contribuer B{need} Je viens avec une brouette 🛒"),
            )
            .await;
        assert!(r.contains("Merci !"), "{who}: {r}");
        offers.push(letter_id(&r, 'O'));
    }
    let r = b.say("ann", &format!("/contribuer B{need}")).await;
    assert!(r.contains("déjà proposé"), "{r}");
    let r = b.say("org", &format!("/contribuer B{need}")).await;
    assert!(r.contains("Vous organisez"), "{r}");
    let told = b.pending("test", "org").await;
    assert!(
        told.iter()
            .any(|m| m.plain().contains("ann propose son aide") && m.plain().contains("brouette")),
        "{told:?}"
    );
    // Only organisers answer, once.
    let r = b.say("bob", &format!("/accepter O{}", offers[0])).await;
    assert!(r.contains("organis"), "{r}");
    for o in &offers[..2] {
        let r = b.press("org", &format!("/accepter O{o}")).await;
        assert!(r.contains("acceptée"), "{r}");
    }
    let r = b.press("org", &format!("/accepter O{}", offers[0])).await;
    assert!(r.contains("déjà reçu une réponse"), "{r}");
    let card = b.say("eve", &format!("/voir {id}")).await;
    assert!(card.contains(&format!("B{need} Bénévoles · 2/3")), "{card}");
    // A fourth offer waits when the need fills: declined, and its person told.
    b.say("dan", &format!("/contribuer B{need}")).await;
    let r = b.press("org", &format!("/accepter O{}", offers[2])).await;
    assert!(r.contains("Bénévoles · 3/3 · pourvu"), "{r}");
    assert!(
        b.pending("test", "dan")
            .await
            .iter()
            .any(|m| m.plain().contains("n'a plus d'objet"))
    );
    // The need is filled: off the card, off the map, no more offers.
    let card = b.say("eve", &format!("/voir {id}")).await;
    assert!(!card.contains(&format!("B{need} ")), "{card}");
    let r = b.say("ann", "/besoins benevoles").await;
    assert!(r.contains("Aucun besoin"), "{r}");
    let r = b.say("dan", &format!("/contribuer B{need}")).await;
    assert!(r.contains("n'est plus ouvert"), "{r}");
    // The three are members, and were told.
    let members = b.say("org", &format!("/membres {id}")).await;
    for who in ["ann", "bob", "carol"] {
        assert!(members.contains(who), "{members}");
    }
    assert!(
        b.pending("test", "carol")
            .await
            .iter()
            .any(|m| m.plain().contains("Bonne nouvelle"))
    );

    // An association answers as itself: a partner on the card.
    b.engine
        .verify(
            &Operator::command_line(),
            &ident("asso"),
            ActorKind::Association,
            vec![],
        )
        .await
        .unwrap()
        .unwrap();
    b.say("asso", "/profil nom Les Jardiniers d'Austerlitz")
        .await;
    let r = b
        .say("asso", &format!("/contribuer {id} On prête des outils"))
        .await;
    let o = letter_id(&r, 'O');
    let r = b.press("org", &format!("/decliner O{}", o + 100)).await;
    assert!(r.contains(&format!("O{}", o + 100)), "{r}");
    b.press("org", &format!("/accepter O{o}")).await;
    let card = b.say("eve", &format!("/voir {id}")).await;
    assert!(
        card.contains("Avec le soutien de Les Jardiniers d'Austerlitz ✓"),
        "{card}"
    );

    // A need for a day: shown until then, over after.
    let before = b.snapshot().await;
    for (bad, says) in [
        (
            format!("/besoin {id} lieu | une salle | jusqu'au 2026-11-19"),
            "déjà passée",
        ),
        (
            format!("/besoin {id} lieu | une salle | jusqu'au 2029-01-01"),
            "deux ans",
        ),
        (
            format!("/besoin {id} lieu | a | b"),
            "Utilisation : /besoin",
        ),
    ] {
        let r = b.say("org", &bad).await;
        assert!(r.contains(says), "{bad}: {r}");
    }
    assert_eq!(b.snapshot().await, before);
    let r = b
        .say(
            "org",
            &format!("/besoin {id} lieu | une salle au chaud | jusqu'au 25/11/2026"),
        )
        .await;
    assert!(
        r.contains("Lieu · jusqu'au 25/11/2026 — une salle au chaud"),
        "{r}"
    );
    let room = letter_id(&r, 'B');
    b.advance(Duration::days(6));
    let card = b.say("eve", &format!("/voir {id}")).await;
    assert!(!card.contains(&format!("B{room} ")), "{card}");
    let r = b.say("dan", &format!("/contribuer B{room}")).await;
    assert!(r.contains("n'est plus ouvert"), "{r}");

    // Closing a need: organisers only.
    let r = b.say("ann", &format!("/besoin B{skill} fermer")).await;
    assert!(r.contains("organis"), "{r}");
    let r = b.say("org", &format!("/besoin B{skill} fermer")).await;
    assert!(r.contains("Besoin fermé"), "{r}");
    // A need alert for a closed need says nothing.
    let r = b.say("dan", &format!("/contribuer B{skill}")).await;
    assert!(r.contains("n'est plus ouvert"), "{r}");
}

/// Issue 19: following an actor brings what it carries into the feed and
/// the alerts; a town hall's digest names the needs stated in its period.
#[tokio::test]
async fn following_an_actor_and_needs_in_digests() {
    let b = Bot::new().await;
    for who in ["mairie", "eve", "org"] {
        b.say(who, "/start").await;
    }
    b.verify_town_hall("mairie", "69266").await;
    let r = b.say("eve", "/suivre A2").await;
    assert!(r.contains("Je ne connais pas d'acteur A2"), "{r}");
    let r = b.say("eve", "/suivre A1").await;
    assert!(r.contains("Vous suivez"), "{r}");
    assert!(b.say("eve", "/suivre A1").await.contains("déjà"));
    let id = b
        .propose(
            "mairie",
            "Troc de graines | nature | geo:45.7667,4.8800 | À la médiathèque",
        )
        .await;
    let store = b.store.clone();
    let eve_alerts = || {
        let store = store.clone();
        async move {
            let mut tx = store.read().await.unwrap();
            let a = tx.actor_by_identity(&ident("eve")).await.unwrap().unwrap();
            tx.alerts_of(a.id).await.unwrap()
        }
    };
    let alerts = eve_alerts().await;
    assert!(
        alerts
            .iter()
            .any(|a| a.kind == AlertKind::NewInitiative && a.initiative.0 == id),
        "{alerts:?}"
    );
    b.say("mairie", &format!("/lancer {id}")).await;
    b.say("mairie", &format!("/maj {id} Rendez-vous samedi à 10h"))
        .await;
    assert!(
        eve_alerts()
            .await
            .iter()
            .any(|a| a.kind == AlertKind::Update)
    );
    let feed = b.say("eve", "/fil").await;
    assert!(feed.contains("Troc de graines"), "{feed}");
    let card = b.say("eve", "/voir A1").await;
    assert!(card.contains("/quitter A1"), "{card}");
    assert!(b.say("eve", "/quitter A1").await.contains("ne suivez plus"));
    assert!(b.say("eve", "/quitter A1").await.contains("ne suiviez pas"));

    // The digest: a need stated in the period, with « Je peux aider ».
    b.say("eve", "/abonner Villeurbanne").await;
    b.say(
        "mairie",
        &format!("/besoin {id} materiel 10 | des bocaux en verre"),
    )
    .await;
    b.advance(Duration::minutes(5));
    b.say("mairie", "/digest maintenant").await;
    let got = b.pending("test", "eve").await;
    let digest = got
        .iter()
        .map(Outgoing::plain)
        .find(|p| p.contains("Besoin : B1 Matériel · 0/10 — des bocaux en verre"));
    assert!(digest.is_some(), "{got:?}");
    assert!(format!("{got:?}").contains("command: \"/contribuer B1\""));
}

/// Issue 20: the town hall answers an initiative of its communes; the card,
/// the followers' alerts and the digest carry it; nobody else answers.
#[tokio::test]
async fn the_town_hall_answers_an_idea() {
    let b = Bot::new().await;
    for who in ["mairie", "lyon", "org", "ann", "eve", "agent"] {
        b.say(who, "/start").await;
    }
    b.verify_town_hall("mairie", "69266").await;
    b.verify_town_hall("lyon", "69123").await;
    b.say("mairie", "/profil nom Mairie de Villeurbanne").await;
    let id = b
        .propose(
            "org",
            "Rue piétonne le dimanche | mobility | geo:45.7667,4.8800 | Rue Pasteur",
        )
        .await;
    // The town hall flags ideas reaching 2 supporters: once.
    let r = b.say("mairie", "/digest seuil 2").await;
    assert!(r.contains("atteignent 2 soutiens"), "{r}");
    assert!(
        b.say("mairie", "/digest seuil beaucoup")
            .await
            .contains("Utilisation : /digest seuil")
    );
    assert!(
        b.say("org", "/digest seuil 2")
            .await
            .contains("mairie vérifiée")
    );
    b.say("ann", &format!("/soutenir {id}")).await;
    let flagged = |msgs: Vec<Outgoing>| {
        msgs.iter()
            .filter(|m| m.plain().contains("a atteint 2 soutiens"))
            .count()
    };
    assert_eq!(flagged(b.pending("test", "mairie").await), 0);
    b.say("eve", &format!("/soutenir {id}")).await;
    assert_eq!(flagged(b.pending("test", "mairie").await), 1);
    b.say("agent", &format!("/soutenir {id}")).await;
    assert_eq!(flagged(b.pending("test", "mairie").await), 1);
    b.say("eve", "/abonner Villeurbanne").await;

    // Refusals, and nothing written.
    let before = b.snapshot().await;
    for (who, line, says) in [
        (
            "org",
            format!("/reponse {id} retenue Oui"),
            "Seule une mairie",
        ),
        (
            "lyon",
            format!("/reponse {id} retenue Oui"),
            "pas dans vos communes",
        ),
        (
            "mairie",
            format!("/reponse {id} peut-etre Oui"),
            "Utilisation : /reponse",
        ),
        (
            "mairie",
            format!("/reponse {id} retenue"),
            "Utilisation : /reponse",
        ),
        ("mairie", "/reponse 999 retenue Oui".into(), "999"),
    ] {
        let r = b.say(who, &line).await;
        assert!(r.contains(says), "{line}: {r}");
    }
    assert_eq!(b.snapshot().await, before);

    let r = b
        .say(
            "mairie",
            &format!("/reponse {id} etude Le conseil en parlera en mars, « et ça ? » 🚲"),
        )
        .await;
    assert!(r.contains("4 personnes seront prévenues"), "{r}");
    let card = b.say("eve", &format!("/voir {id}")).await;
    assert!(
        card.contains(
            "Réponse de Mairie de Villeurbanne ✓, 20/11/2026 : à l'étude — Le conseil en parlera en mars, « et ça ? » 🚲"
        ),
        "{card}"
    );
    let ann = {
        let mut tx = b.store.read().await.unwrap();
        let a = tx.actor_by_identity(&ident("ann")).await.unwrap().unwrap();
        tx.alerts_of(a.id).await.unwrap()
    };
    assert!(ann.iter().any(|a| a.kind == AlertKind::Answer), "{ann:?}");

    // The town hall's team answers too; an answer is updated in place.
    b.say("mairie", "/equipe ajouter test:agent").await;
    b.say("agent", "/equipe accepter A1").await;
    b.advance(Duration::days(1));
    let r = b
        .say("agent", &format!("/answer {id} accepted Voté au conseil"))
        .await;
    assert!(r.contains("mise à jour"), "{r}");
    let card = b.say("eve", &format!("/voir {id}")).await;
    assert!(
        card.contains("21/11/2026 : retenue — Voté au conseil"),
        "{card}"
    );
    assert!(!card.contains("à l'étude"), "{card}");

    // The digest of the period names it.
    b.advance(Duration::minutes(5));
    b.say("mairie", "/digest maintenant").await;
    let got = b.pending("test", "eve").await;
    assert!(
        got.iter().any(|m| m
            .plain()
            .contains("Réponse de la mairie : retenue — Voté au conseil")),
        "{got:?}"
    );
    // Answered in the period: it no longer « awaits » the town hall.
    assert!(
        !got.iter().any(|m| m.plain().contains("A atteint")),
        "{got:?}"
    );
    // A second town hall of the commune does not overwrite the answer.
    b.say("annexe", "/start").await;
    b.verify_town_hall("annexe", "69266").await;
    let r = b
        .say("annexe", &format!("/reponse {id} non-retenue Non"))
        .await;
    assert!(r.contains("Une autre mairie a déjà répondu"), "{r}");
}

impl Bot {
    /// A button pressed by `who` on the bot's message `message` in their
    /// private chat, as Telegram hands it in; what it queued stays in the
    /// outbox.
    async fn press_on(&self, network: &str, who: &str, message: &str, command: &str) {
        let n = self.events.fetch_add(1, Ordering::Relaxed);
        let r = self
            .engine
            .handle_event(Incoming {
                chat_check: None,
                identity: Identity::new(network, who),
                chat: None,
                event_id: Some(format!("p{n}")),
                message_id: Some(message.to_owned()),
                display_name: Some(who.to_owned()),
                lang_hint: None,
                content: Content::Button(command.to_owned()),
            })
            .await
            .unwrap();
        assert!(matches!(r, Intake::Queued(_) | Intake::Refused(_)), "{r:?}");
    }

    async fn consultations_of(&self, who: &str) -> Vec<Consultation> {
        let mut tx = self.store.read().await.unwrap();
        let m = tx.actor_by_identity(&ident(who)).await.unwrap().unwrap();
        tx.consultations_of(m.id, 100).await.unwrap()
    }

    async fn votes_held(&self, c: ConsultationId) -> u32 {
        let mut tx = self.store.read().await.unwrap();
        tx.tally(c, 10).await.unwrap().voters
    }
}

/// A town hall consults the readers of its commune: refusals write nothing;
/// one vote a person whatever their identities; votes change, are taken
/// back, stay secret; a pressed button edits its card; the end keeps the
/// counts, drops who chose what, and tells readers, the town hall and the
/// next digest.
#[tokio::test]
async fn the_town_hall_consults_its_readers() {
    let b = Bot::new().await;
    for who in ["mairie", "lyon", "eve", "ann", "out", "agent"] {
        b.say(who, "/start").await;
    }
    b.verify_town_hall("mairie", "69266").await;
    b.verify_town_hall("lyon", "69123").await;
    b.say("mairie", "/profil nom Mairie de Villeurbanne").await;
    b.say("eve", "/abonner Villeurbanne").await;
    // Ann reads an area around Villeurbanne's centre.
    b.say("ann", "/abonner geo:45.7667,4.8800 5km").await;
    // One person on Telegram and Matrix, subscribed from Telegram.
    b.from("telegram", "1", "/abonner Villeurbanne").await;
    let code = six_digits_in(&b.from("telegram", "1", "/lier_compte").await);
    b.from("matrix", "@a:x", &format!("/lier_compte {code}"))
        .await;
    assert!(
        b.from("telegram", "1", "/lier_compte oui")
            .await
            .contains("un seul compte")
    );

    // Refusals: nothing written.
    let long = "é".repeat(301);
    let eleven = (1..=11)
        .map(|i| format!("C{i}"))
        .collect::<Vec<_>>()
        .join(" | ");
    for (who, line, says) in [
        (
            "eve",
            "/consultation Q ? | Oui | Non | jusqu'au 2027-01-15".to_owned(),
            "Seule une mairie",
        ),
        (
            "mairie",
            "/consultation Q ? | Oui | jusqu'au 2027-01-15".to_owned(),
            "de 2 à 10 choix ; il y en a 1",
        ),
        (
            "mairie",
            format!("/consultation Q ? | {eleven} | jusqu'au 2027-01-15"),
            "il y en a 11",
        ),
        (
            "mairie",
            "/consultation Q ? | Oui | Non | jusqu'au 2026-11-19".to_owned(),
            "déjà passée",
        ),
        (
            "mairie",
            "/consultation Q ? | Oui | Non | jusqu'au 2028-12-01".to_owned(),
            "au plus deux ans",
        ),
        (
            "mairie",
            "/consultation Q ? | Oui | OUI | jusqu'au 2027-01-15".to_owned(),
            "proposé deux fois",
        ),
        (
            "mairie",
            "/consultation Q ? | Oui | | jusqu'au 2027-01-15".to_owned(),
            "Un choix ne peut pas être vide",
        ),
        (
            "mairie",
            format!("/consultation {long} | Oui | Non | jusqu'au 2027-01-15"),
            "La question fait 301 caractères",
        ),
        (
            "mairie",
            "/consultation Q ? | Oui | Non".to_owned(),
            "Utilisation : /consultation",
        ),
        ("mairie", "/voter C1 1".to_owned(), "pas de consultation C1"),
    ] {
        let r = b.say(who, &line).await;
        assert!(r.contains(says), "{line}: {r}");
    }
    assert!(b.consultations_of("mairie").await.is_empty());

    // Sent at once to the readers of Villeurbanne (not to Lyon's town hall,
    // nor to someone who reads nothing there).
    let r = b
        .say(
            "mairie",
            "/consultation Faut-il piétonniser la rue Pasteur le dimanche ? « et ça ? » 🚲 | Oui | Non | Seulement l'été | jusqu'au 2027-01-15 maintenant",
        )
        .await;
    assert!(
        r.contains("Consultation C1 créée, jusqu'au 15/01/2027 inclus"),
        "{r}"
    );
    assert!(r.contains("vers 3 lecteurs"), "{r}");
    let c1 = ConsultationId(1);
    let card = b.pending("test", "eve").await;
    let card = card
        .iter()
        .find(|m| m.plain().contains("Consultation C1"))
        .expect("eve's card");
    let commands: Vec<&str> = card
        .reply()
        .unwrap()
        .all_actions()
        .map(|a| a.command.as_str())
        .collect();
    assert_eq!(
        &commands[..4],
        ["/voter C1 1", "/voter C1 2", "/voter C1 3", "/resultats C1"]
    );
    assert!(card.plain().contains("« et ça ? » 🚲"));
    let mut cards = 0;
    for (network, chat) in [("telegram", "1"), ("matrix", "@a:x")] {
        cards += b
            .pending(network, chat)
            .await
            .iter()
            .filter(|m| m.plain().contains("Consultation C1"))
            .count();
    }
    assert_eq!(cards, 1, "one card for one person");
    assert!(
        !b.pending("test", "out")
            .await
            .iter()
            .any(|m| m.plain().contains("Consultation C1"))
    );

    // Someone acting for the town hall does not vote either.
    b.say("agent", "/abonner Villeurbanne").await;
    let town = b
        .store
        .read()
        .await
        .unwrap()
        .actor_by_identity(&ident("mairie"))
        .await
        .unwrap()
        .unwrap()
        .id;
    b.say("mairie", "/equipe ajouter test:agent").await;
    b.press("agent", &format!("/equipe accepter A{town}")).await;
    assert!(b.say("agent", "/voter C1 1").await.contains("ne vote pas"));
    // Votes: one a person, changed, checked.
    for (who, line, says) in [
        ("out", "/voter C1 1", "abonnez-vous"),
        ("lyon", "/voter C1 1", "abonnez-vous"),
        ("mairie", "/voter C1 1", "ne vote pas"),
        ("eve", "/voter C1 1,2", "qu'un seul choix"),
        ("eve", "/voter C1 4", "pas de choix 4"),
        ("eve", "/voter C1 oui", "Utilisation : /voter"),
    ] {
        let r = b.say(who, line).await;
        assert!(r.contains(says), "{line}: {r}");
    }
    assert_eq!(b.votes_held(c1).await, 0);
    let r = b.say("eve", "/voter C1 1").await;
    assert!(r.contains("Vote enregistré : Oui"), "{r}");
    let r = b.say("eve", "/voter C1 3").await;
    assert!(r.contains("Votre vote : Seulement l'été"), "{r}");
    b.say("ann", "/voter C1 2").await;
    b.from("telegram", "1", "/voter C1 1").await;
    b.from("matrix", "@a:x", "/voter C1 2").await;
    assert_eq!(b.votes_held(c1).await, 3, "linked identities vote once");
    let see = b.from("telegram", "1", "/voir C1").await;
    assert!(see.contains("Votre vote : Non"), "{see}");
    // A pressed button: the card it is on shows the vote.
    b.press_on("telegram", "1", "4242", "/voter C1 3").await;
    let edits: Vec<Outgoing> = b
        .pending("telegram", "1")
        .await
        .into_iter()
        .filter(|m| matches!(&m.payload, Payload::Edit { message, .. } if message == "4242"))
        .collect();
    assert_eq!(edits.len(), 1);
    let labels: Vec<&str> = edits[0]
        .reply()
        .unwrap()
        .all_actions()
        .map(|a| a.label.as_str())
        .collect();
    assert_eq!(&labels[..3], ["Oui", "Non", "✅ Seulement l'été"]);
    let shows_a_vote = edits[0].id;
    // A refused press leaves the card alone.
    b.press_on("telegram", "1", "4243", "/voter C1 9").await;
    assert!(
        !b.pending("telegram", "1")
            .await
            .iter()
            .any(|m| matches!(&m.payload, Payload::Edit { message, .. } if message == "4243"))
    );

    // Counts only, for anyone, the town hall included.
    let results = b.say("mairie", "/resultats C1").await;
    for line in [
        "Oui : 0 (0 %)",
        "Non : 1 (33 %)",
        "Seulement l'été : 2 (67 %)",
        "3 votants",
        "indicatifs",
    ] {
        assert!(results.contains(line), "{line}: {results}");
    }
    assert!(!results.contains("eve"), "{results}");
    // Taken back, and in /mesdonnees while held.
    let data = b.say("ann", "/mesdonnees").await;
    assert!(data.contains("\"consultation\": \"C1\""), "{data}");
    assert!(b.say("ann", "/voter C1 retirer").await.contains("retiré"));
    assert_eq!(b.votes_held(c1).await, 2);
    b.say("ann", "/voter C1 2").await;

    // Several choices: toggled by the buttons; waits for the digest.
    b.say("mairie", "/digest 0 9 * * lun").await;
    let r = b
        .say(
            "mairie",
            "/consultation Quels jours pour le marché ? | Lundi | Mercredi | Samedi | plusieurs | jusqu'au 2027-02-01",
        )
        .await;
    assert!(
        r.contains("Elle partira avec votre prochaine lettre"),
        "{r}"
    );
    let c2 = ConsultationId(2);
    b.say("eve", "/voter C2 +1").await;
    let r = b.say("eve", "/voter C2 +3").await;
    assert!(r.contains("Votre vote : Lundi, Samedi"), "{r}");
    let r = b.say("eve", "/voter C2 +1").await;
    assert!(r.contains("Votre vote : Samedi"), "{r}");
    assert!(
        b.say("eve", "/voter C2 1,2")
            .await
            .contains("Lundi, Mercredi")
    );
    assert!(
        !b.pending("test", "ann")
            .await
            .iter()
            .any(|m| m.plain().contains("Consultation C2"))
    );
    b.advance(Duration::hours(1));
    b.say("mairie", "/digest maintenant").await;
    assert!(
        b.pending("test", "ann")
            .await
            .iter()
            .any(|m| m.plain().contains("Consultation C2"))
    );
    assert!(b.consultations_of("mairie").await[0].sent_at.is_some());
    // Another town hall cannot close it.
    assert!(
        b.say("lyon", "/consultation C1 clore")
            .await
            .contains("une autre mairie")
    );
    let csv = b
        .engine
        .consultation_csv(&Operator::command_line(), c1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        csv,
        "option,choice,count,percent\r\n1,Oui,0,0\r\n2,Non,1,33\r\n3,Seulement l'été,2,67\r\n,voters,3,\r\n"
    );

    // The end: counts kept, votes dropped, results told.
    b.advance(Duration::days(60));
    let tick = b.engine.run_schedules().await.unwrap();
    assert_eq!(tick.consultations_closed, 1);
    assert_eq!(
        b.engine.run_schedules().await.unwrap().consultations_closed,
        0
    );
    let closed = &b.consultations_of("mairie").await[1];
    assert_eq!(
        closed.results,
        Some(Tally {
            counts: vec![0, 1, 2],
            voters: 3
        })
    );
    assert_eq!(b.votes_held(c1).await, 0, "who chose what is dropped");
    // So are the messages that showed someone's vote.
    assert_eq!(
        b.store
            .read()
            .await
            .unwrap()
            .outgoing(shows_a_vote)
            .await
            .unwrap(),
        None
    );
    assert!(!b.say("ann", "/mesdonnees").await.contains("\"C1\""));
    assert!(
        b.pending("test", "eve")
            .await
            .iter()
            .any(|m| m.plain().contains("Résultats de la consultation C1"))
    );
    assert!(
        b.pending("test", "mairie")
            .await
            .iter()
            .any(|m| m.plain().contains("Non : 1 (33 %)"))
    );
    let r = b.say("eve", "/voter C1 1").await;
    assert!(r.contains("terminée"), "{r}");
    let r = b.say("out", "/voir C1").await;
    assert!(r.contains("terminée le") && r.contains("3 votants"), "{r}");
    // Closed early by its town hall.
    let r = b.say("mairie", "/consultation C2 clore").await;
    assert!(
        r.contains("Lundi : 1 (100 %)") && r.contains("1 votant"),
        "{r}"
    );
    assert_eq!(b.votes_held(c2).await, 0);
    assert!(
        b.say("mairie", "/consultation C2 clore")
            .await
            .contains("terminée")
    );
    // The next digest gives both results.
    b.advance(Duration::hours(1));
    b.say("mairie", "/digest maintenant").await;
    let digest = b
        .pending("test", "eve")
        .await
        .into_iter()
        .filter(|m| m.plain().contains("La lettre de"))
        .map(|m| m.plain())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        digest.contains("Résultats de la consultation C1"),
        "{digest}"
    );
    assert!(
        digest.contains("Résultats de la consultation C2"),
        "{digest}"
    );
    let list = b.say("mairie", "/consultation").await;
    assert!(list.contains("C2 ·") && list.contains("terminée"), "{list}");
    // No digest before its end: it goes at once.
    b.say("mairie", "/digest off").await;
    let r = b
        .say(
            "mairie",
            "/consultation Un banc ici ? | Un | Plusieurs | jusqu'au 2027-03-01",
        )
        .await;
    assert!(
        r.contains(
            "Aucune lettre n'est programmée avant sa fin. Elle part maintenant vers 4 lecteurs"
        ),
        "{r}"
    );
    let c3 = &b.consultations_of("mairie").await[0];
    assert_eq!(c3.options, ["Un", "Plusieurs"]);
    assert!(!c3.multiple);
}

/// A commune's page lists, for each status, the most recently changed
/// initiatives only and counts the others; hidden ones are neither listed
/// nor counted.
#[tokio::test]
async fn a_large_communes_page_lists_the_latest_of_each_status_and_counts_the_rest() {
    use kohero_core::engine::public::{COMMUNE_LIST_MAX, SMALL_COMMUNE};
    // Read whole (a small commune) or counted and chosen by the store.
    for total in [COMMUNE_LIST_MAX + 5, SMALL_COMMUNE + 5] {
        let bot = Bot::new().await;
        let lyon = InseeCode::parse("69123").unwrap();
        let t = Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap();
        let mut tx = bot.store.begin().await.unwrap();
        let a = tx
            .insert_actor(&NewActor {
                identity: ident("a"),
                display_name: "a".into(),
                lang: Lang::Fr,
                created_at: t,
            })
            .await
            .unwrap();
        let mut ideas = Vec::new();
        for n in 0..total {
            let mut i = tx
                .insert_initiative(&NewInitiative {
                    title: format!("Idée n°{n} « l'été » 🌻"),
                    description: "…".into(),
                    category: Category::ALL[n % Category::ALL.len()],
                    place: None,
                    commune: Some(lyon.clone()),
                    created_by: a.id,
                    created_at: t,
                    carried_by: None,
                })
                .await
                .unwrap();
            // The oldest changed last: the page lists by change, not by id.
            i.updated_at = t + Duration::minutes(1000 - n as i64);
            if n < 2 {
                i.kind = InitiativeKind::Project;
                i.status = Status::Active;
            }
            tx.update_initiative(&i).await.unwrap();
            if n == 7 {
                tx.set_hidden(Target::Initiative(i.id), Some(t))
                    .await
                    .unwrap();
            }
            ideas.push(i);
        }
        tx.commit().await.unwrap();

        let c = bot.engine.public_commune(&lyon).await.unwrap().unwrap();
        let open = total - 2 - 1;
        assert_eq!(
            c.counts,
            vec![(Status::Active, 2), (Status::Open, open), (Status::Done, 0)]
        );
        // Listed: the most recently changed of each status (the first made
        // here), by status, category, then change.
        let listed: Vec<InitiativeId> = c.initiatives.iter().map(|s| s.id).collect();
        fn by_category(mut v: Vec<&Initiative>) -> Vec<&Initiative> {
            v.sort_by_key(|i| (i.category as u8, std::cmp::Reverse(i.updated_at)));
            v
        }
        let expected: Vec<InitiativeId> = by_category(
            ideas
                .iter()
                .filter(|i| i.status == Status::Active)
                .collect(),
        )
        .into_iter()
        .chain(by_category(
            ideas
                .iter()
                .enumerate()
                .filter(|(n, i)| *n != 7 && i.status == Status::Open)
                .map(|(_, i)| i)
                .take(COMMUNE_LIST_MAX)
                .collect(),
        ))
        .map(|i| i.id)
        .collect();
        assert_eq!(listed, expected);
        assert!(c.initiatives.iter().all(|s| s.id != ideas[total - 1].id));
        assert_eq!(c.changed_at, t + Duration::minutes(1000));
        assert!(
            bot.engine
                .public_commune(&InseeCode::parse("13055").unwrap())
                .await
                .unwrap()
                .unwrap()
                .initiatives
                .is_empty()
        );
    }
}
