//! Invariants under concurrency on PostgreSQL (issue 23): two engines, each
//! on its own connection pool (two processes), on one database, take
//! invariant-sensitive commands at the same time through the path
//! production uses (`Engine::handle_events`), and the outcome must be one a
//! serial order of those commands gives: no lost update, nothing twice,
//! nobody left without what the rules promise. Runs on the throwaway
//! cluster `scripts/test` starts (`KOHERO_TEST_POSTGRES_URL`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeZone, Utc};
use kohero_core::Engine;
use kohero_core::domain::*;
use kohero_core::inbox::{Content, Incoming, Intake};
use kohero_core::ports::{Clock, Store};
use kohero_store_postgres::PgStore;
use kohero_tests::{first_number, letter_id};

struct TestClock(Mutex<DateTime<Utc>>);

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

fn ident(who: &str) -> Identity {
    Identity::new("test", who)
}

/// Two engines ("processes") on one database.
struct Two {
    engines: [Engine; 2],
    store: Arc<PgStore>,
    clock: Arc<TestClock>,
    events: AtomicU64,
}

impl Two {
    async fn new(name: &str) -> Arc<Self> {
        let server = std::env::var("KOHERO_TEST_POSTGRES_URL")
            .expect("KOHERO_TEST_POSTGRES_URL is not set: run the tests with scripts/test");
        let url = kohero_store_postgres::recreate_database(&server, name)
            .await
            .unwrap();
        let clock = Arc::new(TestClock(Mutex::new(
            chrono_tz::Europe::Paris
                .with_ymd_and_hms(2026, 11, 20, 10, 0, 0)
                .unwrap()
                .with_timezone(&Utc),
        )));
        let a = Arc::new(PgStore::open(&url).await.unwrap());
        let b = Arc::new(PgStore::open(&url).await.unwrap());
        let engines = [
            Engine::new(a.clone(), clock.clone()).await.unwrap(),
            Engine::new(b, clock.clone()).await.unwrap(),
        ];
        Arc::new(Self {
            engines,
            store: a,
            clock,
            events: AtomicU64::new(0),
        })
    }

    /// A message from `who` in their private chat, handed to engine `e`;
    /// the replies it queued for that chat.
    async fn say(&self, e: usize, who: &str, text: &str) -> String {
        let n = self.events.fetch_add(1, Ordering::Relaxed);
        let event = format!("e{n}");
        let engine = &self.engines[e];
        let intake = engine
            .handle_events(vec![Incoming {
                chat_check: None,
                chat: None,
                event_id: Some(event.clone()),
                message_id: None,
                identity: ident(who),
                display_name: Some(who.to_owned()),
                lang_hint: None,
                content: Content::Text(text.to_owned()),
            }])
            .await
            .unwrap();
        assert!(
            matches!(intake[..], [Intake::Queued(_) | Intake::Refused(_)]),
            "{who} {text}: {intake:?}"
        );
        let prefix = format!("test/{event}/r");
        let mut out = Vec::new();
        for m in engine.pending(&ident(who)).await.unwrap() {
            if m.key.starts_with(&prefix) {
                out.push(m.plain());
            }
        }
        out.join("\n")
    }

    /// Every `(engine, who, text)` at once, each in a task of its own; the
    /// replies in the same order.
    async fn all(self: &Arc<Self>, jobs: Vec<(usize, String, String)>) -> Vec<String> {
        let handles: Vec<_> = jobs
            .into_iter()
            .map(|(e, who, text)| {
                let me = self.clone();
                tokio::spawn(async move { me.say(e, &who, &text).await })
            })
            .collect();
        let mut out = Vec::new();
        for h in handles {
            out.push(h.await.unwrap());
        }
        out
    }

    /// Messages waiting for `who` whose text contains `text`.
    async fn waiting(&self, who: &str, text: &str) -> usize {
        self.engines[0]
            .pending(&ident(who))
            .await
            .unwrap()
            .iter()
            .filter(|m| m.plain().contains(text))
            .count()
    }

    async fn actor(&self, who: &str) -> ActorId {
        let mut tx = self.store.read().await.unwrap();
        tx.actor_by_identity(&ident(who)).await.unwrap().unwrap().id
    }

    async fn initiative(&self, id: i64) -> Initiative {
        let mut tx = self.store.read().await.unwrap();
        tx.initiative(InitiativeId(id)).await.unwrap().unwrap()
    }

    async fn members(&self, id: i64) -> Vec<Membership> {
        let mut tx = self.store.read().await.unwrap();
        tx.members(InitiativeId(id)).await.unwrap()
    }

    /// `who` verified as the town hall of commune `insee`.
    async fn verify_town_hall(&self, who: &str, insee: &str) {
        kohero_tests::verify_town_hall(&self.engines[0], who, insee).await;
    }

    async fn propose(&self, who: &str, line: &str) -> i64 {
        let r = self.say(0, who, &format!("/proposer {line}")).await;
        first_number(&r, '#')
    }
}

/// Two organisers leave together, many times over: in any serial order the
/// second to leave is the last, and the member who has been there longest
/// is offered the role. Neither may leave believing the other stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_last_two_organisers_leaving_together_leave_someone_offered_the_role() {
    let t = Two::new("kohero_race_leave").await;
    for round in 0..8 {
        let (org, co, member) = (
            format!("org{round}"),
            format!("co{round}"),
            format!("member{round}"),
        );
        let id = t
            .propose(&org, "Jardin « partagé » d'été 🌱 | nature | - | -")
            .await;
        t.say(0, &org, &format!("/lancer {id}")).await;
        t.say(0, &member, &format!("/rejoindre {id}")).await;
        t.say(1, &co, &format!("/rejoindre {id}")).await;
        let r = t.say(0, &org, &format!("/coorganiser {id} @{co}")).await;
        assert!(r.contains("co-organise"), "{r}");
        let left = t
            .all(vec![
                (0, org.clone(), format!("/quitter {id}")),
                (1, co.clone(), format!("/quitter {id}")),
            ])
            .await;
        assert!(left.iter().all(|r| r.contains("quitté")), "{left:?}");
        let members = t.members(id).await;
        assert!(
            members.iter().all(|m| m.role != Role::Organiser),
            "{members:?}"
        );
        let i = t.initiative(id).await;
        assert_eq!(
            i.offered_to,
            Some(t.actor(&member).await),
            "round {round}: nobody organises #{id} and nobody was offered it"
        );
        assert_eq!(
            t.waiting(&member, "voulez-vous l'organiser").await,
            1,
            "round {round}"
        );
    }
}

/// The organiser erases themselves (`/oublier`, « oui ») while newcomers
/// join the project from both processes: in any serial order each joiner is
/// a member, nothing of the erased person is left, and the project, its only
/// organiser gone, is offered to the member who has been there longest (who
/// joined before the race) — never to the erased person, nor to nobody.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_person_erased_while_others_join_their_project_leaves_no_orphan() {
    let t = Two::new("kohero_race_erase").await;
    for round in 0..4 {
        let (org, early) = (format!("org{round}"), format!("early{round}"));
        let id = t
            .propose(&org, "Repair café « du quartier » ☕ | nature | - | -")
            .await;
        t.say(0, &org, &format!("/lancer {id}")).await;
        t.say(1, &early, &format!("/rejoindre {id}")).await;
        assert!(t.say(0, &org, "/oublier").await.contains("Effacer"));
        let mut jobs: Vec<(usize, String, String)> = (0..8)
            .map(|p| (p % 2, format!("j{round}-{p}"), format!("/rejoindre {id}")))
            .collect();
        jobs.insert(4, (round % 2, org.clone(), "oui".to_owned()));
        let replies = t.all(jobs).await;
        assert!(replies[4].contains("effacées"), "{}", replies[4]);
        for (n, r) in replies.iter().enumerate().filter(|(n, _)| *n != 4) {
            assert!(r.contains("Bienvenue"), "round {round}, {n}: {r}");
        }
        assert!(!t.engines[1].knows(&ident(&org)).await.unwrap());
        let members = t.members(id).await;
        assert_eq!(members.len(), 9, "round {round}: {members:?}");
        assert!(
            members.iter().all(|m| m.role == Role::Member),
            "round {round}: {members:?}"
        );
        let i = t.initiative(id).await;
        assert_eq!(
            i.offered_to,
            Some(t.actor(&early).await),
            "round {round}: nobody organises #{id} and nobody was offered it"
        );
        assert_eq!(
            t.waiting(&early, "voulez-vous l'organiser").await,
            1,
            "round {round}"
        );
    }
}

/// Supports race each other and the launch: each support reports the count
/// with itself in it, so in a serial order the counts are 1, 2, 3… each once,
/// and the launch reports as many as came before it; what comes after the
/// launch is told it is a project now.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn supports_racing_each_other_and_the_launch_are_each_counted_once() {
    let t = Two::new("kohero_race_support").await;
    for round in 0..4 {
        let ann = format!("ann{round}");
        let id = t
            .propose(&ann, "Composteur de l'école | compost | - | -")
            .await;
        let first = t.say(1, "warm", &format!("/soutenir {id}")).await;
        let base = first_number(&first[first.find('(').unwrap()..], '(');
        let mut jobs: Vec<(usize, String, String)> = (0..16)
            .map(|p| (p % 2, format!("s{round}-{p}"), format!("/soutenir {id}")))
            .collect();
        jobs.insert(8, (0, ann.clone(), format!("/lancer {id}")));
        let replies = t.all(jobs).await;
        let launched = &replies[8];
        assert!(launched.contains("lancée en projet"), "{launched}");
        let at_launch = first_number(&launched[launched.find('!').unwrap()..], ' ');
        let mut counts = Vec::new();
        for (n, r) in replies.iter().enumerate().filter(|(n, _)| *n != 8) {
            if r.contains("Merci ! Vous soutenez") {
                counts.push(first_number(&r[r.find('(').unwrap()..], '('));
            } else {
                assert!(r.contains("est déjà un projet"), "{n}: {r}");
            }
        }
        counts.sort_unstable();
        let serial: Vec<i64> = (base + 1..=base + counts.len() as i64).collect();
        assert_eq!(
            counts, serial,
            "round {round}: a count reported twice or skipped"
        );
        assert_eq!(at_launch, base + counts.len() as i64, "round {round}");
        // Whoever was counted holds one place in it (supporter, or follower
        // of the project), the others none.
        let ann_id = t.actor(&ann).await;
        let others = t
            .members(id)
            .await
            .iter()
            .filter(|m| m.actor != ann_id)
            .count();
        assert_eq!(others, counts.len() + 1, "round {round}");
    }
}

/// Two organisers accept offers for the same need at once: a need of three
/// volunteers takes three, counts three, and closes; the other offers are
/// declined or told it is filled; nobody is accepted beyond it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_need_filled_by_offers_accepted_at_once_takes_no_more_than_it_wants() {
    let t = Two::new("kohero_race_need").await;
    for round in 0..4 {
        let (org, co) = (format!("org{round}"), format!("co{round}"));
        let id = t
            .propose(&org, "Nettoyage des berges | nettoyage | - | -")
            .await;
        t.say(0, &org, &format!("/lancer {id}")).await;
        t.say(0, &co, &format!("/rejoindre {id}")).await;
        t.say(0, &org, &format!("/coorganiser {id} @{co}")).await;
        let r = t
            .say(
                0,
                &org,
                &format!("/besoin {id} benevoles 3 | samedi, « gants » 🧤"),
            )
            .await;
        let need = letter_id(&r, 'B');
        let mut offers = Vec::new();
        for v in 0..6 {
            let r = t
                .say(
                    1,
                    &format!("v{round}-{v}"),
                    &format!("/contribuer B{need} J'apporte des gants"),
                )
                .await;
            offers.push(letter_id(&r, 'O'));
        }
        let jobs = offers
            .iter()
            .enumerate()
            .map(|(n, o)| {
                let who = if n % 2 == 0 { &org } else { &co };
                (n % 2, who.clone(), format!("/accepter O{o}"))
            })
            .collect();
        let replies = t.all(jobs).await;
        let accepted = replies
            .iter()
            .filter(|r| r.contains("acceptée : la personne fait maintenant partie"))
            .count();
        let mut tx = t.store.read().await.unwrap();
        let n = tx.need(NeedId(need)).await.unwrap().unwrap();
        let mut stored = 0;
        for o in &offers {
            let o = tx.offer(OfferId(*o)).await.unwrap().unwrap();
            stored += usize::from(o.status == OfferStatus::Accepted);
            assert_ne!(o.status, OfferStatus::Pending, "round {round}: {o:?}");
        }
        drop(tx);
        assert_eq!(accepted, 3, "round {round}: {replies:?}");
        assert_eq!(stored, 3, "round {round}");
        assert_eq!(n.filled, 3, "round {round}: {n:?}");
        assert_eq!(n.status, NeedStatus::Filled, "round {round}");
    }
}

/// Both processes run the scheduler at the due time of a town hall's
/// digest, many times at once: the tick runs once, each reader gets one
/// digest.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_at_the_same_digest_tick_send_it_once() {
    let t = Two::new("kohero_race_digest").await;
    t.verify_town_hall("mairie", "69266").await;
    let readers: Vec<String> = (0..12).map(|r| format!("reader{r}")).collect();
    for (n, r) in readers.iter().enumerate() {
        t.say(n % 2, r, "/abonner Villeurbanne").await;
    }
    let r = t.say(0, "mairie", "/digest 0 9 * * lun").await;
    assert!(r.contains("Prochain envoi"), "{r}");
    let id = t
        .propose(
            "ann",
            "Repair café | reparation | geo:45.7667,4.8803 | Samedi",
        )
        .await;
    t.say(0, "ann", &format!("/lancer {id}")).await;
    for week in 0..3u32 {
        let r = t
            .say(
                1,
                "ann",
                &format!("/maj {id} Semaine {week} : l'atelier « vélos » 🚲"),
            )
            .await;
        assert!(r.contains("Nouvelle publiée"), "{r}");
        *t.clock.0.lock().unwrap() = chrono_tz::Europe::Paris
            .with_ymd_and_hms(2026, 11, 23, 9, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
            + chrono::Duration::weeks(i64::from(week));
        let runs: Vec<_> = (0..4)
            .map(|n| {
                let t = t.clone();
                tokio::spawn(async move { t.engines[n % 2].run_schedules().await.unwrap() })
            })
            .collect();
        let mut digests = 0;
        for r in runs {
            digests += r.await.unwrap().digests;
        }
        assert_eq!(digests, 1, "week {week}");
        for r in &readers {
            let got = t.waiting(r, "La lettre de mairie").await;
            assert_eq!(got, week as usize + 1, "{r}, week {week}");
        }
    }
}

/// Each reader votes twice at once (two options, two processes), many
/// readers together: one vote each, counted once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn votes_cast_at_once_count_one_per_person() {
    let t = Two::new("kohero_race_votes").await;
    t.verify_town_hall("mairie", "69266").await;
    let readers: Vec<String> = (0..10).map(|r| format!("reader{r}")).collect();
    for r in &readers {
        t.say(1, r, "/abonner Villeurbanne").await;
    }
    let r = t
        .say(
            0,
            "mairie",
            "/consultation Faut-il piétonniser la rue « Pasteur » ? 🚲 | Oui | Non | jusqu'au 2026-12-20 maintenant",
        )
        .await;
    assert!(r.contains("créée"), "{r}");
    let c = letter_id(&r, 'C');
    let mut jobs = Vec::new();
    for r in &readers {
        jobs.push((0, r.clone(), format!("/voter C{c} 1")));
        jobs.push((1, r.clone(), format!("/voter C{c} 2")));
    }
    let replies = t.all(jobs).await;
    assert!(
        replies.iter().all(|r| r.contains("Vote enregistré")),
        "{replies:?}"
    );
    let mut tx = t.store.read().await.unwrap();
    let tally = tx.tally(ConsultationId(c), 2).await.unwrap();
    assert_eq!(tally.voters, readers.len() as u32, "{tally:?}");
    assert_eq!(
        tally.counts.iter().sum::<u32>(),
        readers.len() as u32,
        "{tally:?}"
    );
    for r in &readers {
        let who = t.actor(r).await;
        assert!(tx.vote_of(ConsultationId(c), who).await.unwrap().is_some());
    }
}

/// Newcomers writing to both processes at once are each created once and
/// every message is answered (they are created before their batches, on
/// their own); a banned stranger stays one, and a person who was forgotten
/// is not brought back by an old update handed again.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn newcomers_at_once_are_created_once_and_strangers_stay_strangers() {
    let t = Two::new("kohero_race_newcomers").await;
    let jobs: Vec<(usize, String, String)> = (0..30)
        .flat_map(|n| {
            [
                (0, format!("new{n}"), "/start".to_owned()),
                (
                    1,
                    format!("new{n}"),
                    "Bonjour « et ça ? » l'été 🌱".to_owned(),
                ),
            ]
        })
        .collect();
    let replies = t.all(jobs).await;
    assert!(replies.iter().all(|r| !r.is_empty()), "{replies:?}");
    let mut ids = Vec::new();
    for n in 0..30 {
        ids.push(t.actor(&format!("new{n}")).await);
    }
    ids.sort_by_key(|a| a.0);
    ids.dedup();
    assert_eq!(ids.len(), 30);

    // A banned identity nobody knows yet.
    let now = *t.clock.0.lock().unwrap();
    let mut tx = t.store.begin().await.unwrap();
    tx.set_ban(&Ban {
        identity: ident("ghost"),
        until: None,
        reason: "spam".into(),
        at: now,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    t.say(1, "ghost", "/start").await;
    let mut r = t.store.read().await.unwrap();
    assert!(
        r.actor_by_identity(&ident("ghost"))
            .await
            .unwrap()
            .is_none()
    );
    drop(r);

    // An update handled, its person erased, the same update handed again.
    let old = |e: usize| {
        let engine = &t.engines[e];
        async move {
            engine
                .handle_events(vec![Incoming {
                    chat_check: None,
                    chat: None,
                    event_id: Some("again-1".into()),
                    message_id: None,
                    identity: ident("gone"),
                    display_name: Some("Élise".into()),
                    lang_hint: None,
                    content: Content::Text("/start".into()),
                }])
                .await
                .unwrap()
        }
    };
    assert!(matches!(old(0).await[..], [Intake::Queued(_)]));
    let gone = t.actor("gone").await;
    let mut tx = t.store.begin().await.unwrap();
    tx.delete_actor(gone).await.unwrap();
    tx.commit().await.unwrap();
    assert!(matches!(old(1).await[..], [Intake::Duplicate]));
    let mut r = t.store.read().await.unwrap();
    assert!(r.actor_by_identity(&ident("gone")).await.unwrap().is_none());
}
