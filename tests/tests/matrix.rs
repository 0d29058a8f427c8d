//! End-to-end: the real `kohero serve` against a real Synapse (started by
//! `scripts/test`), driven by real Matrix clients.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use kohero_tests::matrix_client::TestUser;
use kohero_tests::synapse::{OwnSynapse, Synapse, unique};
use kohero_tests::{Install, Served, first_number, stop};
use matrix_sdk::RoomState;
use matrix_sdk::ruma::{OwnedRoomId, RoomId};
use serde_json::json;

/// The bot's account: a server admin, so that it lifts its own rate limit.
struct Bot {
    id: String,
    password: String,
}

fn bot(synapse: &Synapse) -> Bot {
    bot_as(synapse, true)
}

fn bot_as(synapse: &Synapse, admin: bool) -> Bot {
    let name = unique("kohero");
    let password = "bot-pass".to_owned();
    let id = synapse.register(&name, &password, admin);
    Bot { id, password }
}

fn serve(k: &Install, synapse: &Synapse, bot: &Bot, extra: &[(&str, &str)]) -> Served {
    let mut env = vec![
        ("KOHERO_MATRIX_HOMESERVER", synapse.url.as_str()),
        ("KOHERO_MATRIX_USER", bot.id.as_str()),
        ("KOHERO_MATRIX_PASSWORD", bot.password.as_str()),
        ("KOHERO_MATRIX_STORE_PASSPHRASE", "store-secret"),
    ];
    env.extend_from_slice(extra);
    k.serve(&env)
}

/// A bot served on `synapse` and a person in a direct chat with it.
async fn started(
    synapse: &Synapse,
    k: &Install,
    who: &str,
) -> (Bot, Served, TestUser, OwnedRoomId) {
    let bot = bot(synapse);
    let served = serve(k, synapse, &bot, &[]);
    let person = TestUser::new(synapse, who).await;
    let dm = person.open_dm(&bot.id, false).await;
    (bot, served, person, dm)
}

/// Asserts that the bot sends nothing more in `room` within `secs` seconds.
async fn nothing_more(person: &TestUser, room: &RoomId, bot: &Bot, secs: u64) {
    let extra = person
        .messages_within(room, &bot.id, Duration::from_secs(secs))
        .await;
    let bodies: Vec<&str> = extra.iter().map(|s| s.body()).collect();
    assert!(bodies.is_empty(), "messages sent twice: {bodies:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_chat_location_projects_rooms_and_spaces() {
    let synapse = Synapse::get();
    let k = Install::new();
    let (bot, served, alice, dm) = started(&synapse, &k, "alice").await;

    // Commands with `!`, answered as HTML with a plain fallback.
    alice.say(&dm, "!aide").await;
    let help = alice
        .wait_for(&dm, &bot.id, |b| b.contains("proposer"))
        .await;
    assert_eq!(help.event["content"]["msgtype"], "m.notice");
    assert_eq!(help.event["content"]["format"], "org.matrix.custom.html");

    // A location shared from a client (MSC3488 form, with altitude and uncertainty).
    alice
        .send_raw(
            &dm,
            json!({"msgtype": "m.location", "body": "Position",
                   "geo_uri": "geo:45.7667,4.8803,170;u=20",
                   "org.matrix.msc3488.location": {"uri": "geo:45.7667,4.8803,170;u=20"}}),
        )
        .await;
    alice.wait_for(&dm, &bot.id, |b| b.contains("rayon")).await;

    // Propose, with user text escaped in the HTML.
    alice
        .say(
            &dm,
            "!proposer Composteur <b>x</b> & co | compost | geo:45.7667,4.8803 | Un bac partagé",
        )
        .await;
    let r = alice.wait_for(&dm, &bot.id, |b| b.contains('#')).await;
    let id = first_number(r.body(), '#');
    assert!(r.body().contains("<b>x</b> & co"), "{}", r.body());
    let html = r.event["content"]["formatted_body"].as_str().unwrap();
    assert!(html.contains("&lt;b&gt;x&lt;/b&gt; &amp; co"), "{html}");

    // Numbered choices: `1` answers the first action of the last reply.
    alice.say(&dm, &format!("!voir {id}")).await;
    let card = alice.wait_for(&dm, &bot.id, |b| b.contains("[1]")).await;
    assert!(card.body().contains("Composteur"), "{}", card.body());
    // Launch by answering with the number of the card's "launch" choice: the bot
    // creates the project's room in Villeurbanne's Space and invites Alice.
    let launch = format!("(!lancer {id})");
    let line = card
        .body()
        .lines()
        .flat_map(|l| l.split("  "))
        .find(|c| c.contains(&launch))
        .unwrap_or_else(|| panic!("no launch choice in {}", card.body()));
    let n = first_number(line, '[');
    alice.say(&dm, &n.to_string()).await;
    alice
        .wait_for(&dm, &bot.id, |b| b.contains("lancée en projet"))
        .await;
    let room = alice
        .wait_invite(|name| name.starts_with(&format!("#{id} ")))
        .await;
    alice.join(&room).await;
    let parents: Vec<_> = alice
        .all_state(&room)
        .await
        .into_iter()
        .filter(|e| e["type"] == "m.space.parent")
        .collect();
    assert_eq!(
        parents.len(),
        1,
        "the room has its Space as parent: {parents:?}"
    );
    let space_id =
        matrix_sdk::ruma::RoomId::parse(parents[0]["state_key"].as_str().unwrap()).unwrap();
    let children = alice.space_children(&space_id).await;
    let space = children
        .iter()
        .find(|c| c["room_id"] == space_id.as_str())
        .expect("the Space itself");
    assert_eq!(space["name"], "Kohero · Villeurbanne");
    assert!(
        children.iter().any(|c| c["room_id"] == room.as_str()),
        "the project room is a child of the Space: {children:#?}"
    );
    // Organisers have power level 50.
    let pl = alice.state(&room, "m.room.power_levels", "").await.unwrap();
    assert_eq!(pl["users"][alice.id.as_str()], 50, "{pl}");
    // Only Kohero changes who is in the room and its rules.
    for only_the_bot in ["invite", "kick", "ban", "state_default"] {
        assert_eq!(pl[only_the_bot], 100, "{only_the_bot}: {pl}");
    }

    // Bob joins the project from his direct chat: he is invited into the room.
    let bob = TestUser::new(&synapse, "bob").await;
    let bob_dm = bob.open_dm(&bot.id, false).await;
    bob.say(&bob_dm, &format!("!rejoindre {id}")).await;
    bob.wait_for(&bob_dm, &bot.id, |b| b.contains("matrix.to"))
        .await;
    let bob_room = bob.wait_invite(|n| n.starts_with(&format!("#{id} "))).await;
    assert_eq!(bob_room, room);
    bob.join(&room).await;

    // The room is Kohero's: nobody links it elsewhere, neither a member
    // (not an administrator of the room) nor its organiser.
    bob.say(&room, "!lier 999").await;
    bob.wait_for(&room, &bot.id, |b| {
        b.contains("administrateur·rices de ce groupe")
    })
    .await;
    alice.say(&room, "!lier 999").await;
    alice
        .wait_for(&room, &bot.id, |b| b.contains("créé par Kohero"))
        .await;

    // `!maj` in the room is recorded and shows in the news feed.
    // Only organisers post updates: the check is in core, whatever the network.
    bob.say(&room, "!maj Je publie aussi").await;
    bob.wait_for(&room, &bot.id, |b| b.contains("Seuls les organisateurs"))
        .await;
    alice.say(&room, "!maj Le bac est arrivé").await;
    alice
        .wait_for(&room, &bot.id, |b| b.contains("Nouvelle publiée"))
        .await;
    bob.say(&bob_dm, "!fil").await;
    bob.wait_for(&bob_dm, &bot.id, |b| b.contains("Le bac est arrivé"))
        .await;
    // An update from the direct chat is posted in the room.
    alice.say(&dm, &format!("!maj {id} Réunion samedi")).await;
    alice
        .wait_for(&room, &bot.id, |b| b.contains("Réunion samedi"))
        .await;

    // An event in the room; Bob answers its RSVP with a reaction.
    alice
        .say(&room, "!evenement Atelier compost | 2027-01-15 14:00")
        .await;
    let created = bob
        .wait_for(&room, &bot.id, |b| {
            b.contains("Atelier compost") && b.contains("[1]")
        })
        .await;
    bob.react(&room, created.event["event_id"].as_str().unwrap(), "👍")
        .await;
    bob.wait_for(&room, &bot.id, |b| b.contains("« oui » enregistrée"))
        .await;

    // Bob becomes a co-organiser: his power level in the room follows.
    alice
        .say(&dm, &format!("!coorganiser {id} matrix:{}", bob.id))
        .await;
    alice
        .wait_for(&dm, &bot.id, |b| b.contains("co-organise maintenant"))
        .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let pl = alice.state(&room, "m.room.power_levels", "").await.unwrap();
        if pl["users"][bob.id.as_str()] == 50 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "Bob's level: {pl}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    // Leaving the project removes Bob from the room.
    bob.say(&bob_dm, &format!("!quitter {id}")).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while bob.membership(&room).await != RoomState::Left {
        assert!(
            std::time::Instant::now() < deadline,
            "Bob is still in the room"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    // Done: the room's name says so.
    alice.say(&dm, &format!("!terminer {id}")).await;
    alice
        .wait_for(&room, &bot.id, |b| b.contains("(terminé)"))
        .await;
    let name = alice.state(&room, "m.room.name", "").await.unwrap();
    assert!(
        name["name"].as_str().unwrap().ends_with("(terminé)"),
        "{name}"
    );

    // Foreign rooms: an invitation to a room that is not a direct chat is declined.
    let mut req = matrix_sdk::ruma::api::client::room::create_room::v3::Request::new();
    req.invite = vec![matrix_sdk::ruma::UserId::parse(&bot.id).unwrap()];
    req.name = Some("Pas un DM".into());
    let foreign = alice.client.create_room(req).await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let m = alice
            .state(foreign.room_id(), "m.room.member", &bot.id)
            .await;
        if m.as_ref().is_some_and(|m| m["membership"] == "leave") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "invitation not declined: {m:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    stop(served);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_sends_nothing_twice_and_misses_nothing() {
    let synapse = Synapse::get();
    let k = Install::new();
    let (bot, served, alice, dm) = started(&synapse, &k, "alice").await;
    alice.say(&dm, "!proposer Jardin | nature | - | -").await;
    let first = alice.wait_for(&dm, &bot.id, |b| b.contains('#')).await;
    let id = first_number(first.body(), '#');
    stop(served);

    // Written while the bot is down: answered after the restart, once.
    alice.say(&dm, &format!("!voir {id}")).await;
    let mut served = serve(&k, &synapse, &bot, &[]);
    let card = alice.wait_for(&dm, &bot.id, |b| b.contains("Jardin")).await;
    assert!(card.body().contains(&format!("#{id}")));
    // A kill -9 and a restart: still nothing twice.
    served.kill9();
    let served = serve(&k, &synapse, &bot, &[]);
    alice.say(&dm, "!fil").await;
    alice.wait_for(&dm, &bot.id, |_| true).await;
    nothing_more(&alice, &dm, &bot, 3).await;
    // The same device after the restarts: one device for the bot.
    let devices = alice.devices_of(&bot.id).await;
    assert_eq!(devices.len(), 1, "{devices:?}");
    stop(served);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encrypted_direct_chat() {
    let synapse = Synapse::get();
    let k = Install::new();
    let bot = bot(&synapse);
    let served = serve(&k, &synapse, &bot, &[]);
    let carol = TestUser::new(&synapse, "carol").await;
    let dm = carol.open_dm(&bot.id, true).await;
    let room = carol.client.get_room(&dm).unwrap();
    assert!(room.latest_encryption_state().await.unwrap().is_encrypted());
    carol.say(&dm, "!aide").await;
    let help = carol
        .wait_for(&dm, &bot.id, |b| b.contains("proposer"))
        .await;
    // Received encrypted, and decrypted by Carol's client.
    assert_eq!(help.event["type"], "m.room.message");
    // The bot's identity is cross-signed: clients that want verified devices can trust it.
    let bot_id = matrix_sdk::ruma::UserId::parse(&bot.id).unwrap();
    let identity = carol
        .client
        .encryption()
        .request_user_identity(&bot_id)
        .await
        .unwrap();
    assert!(identity.is_some(), "the bot has a cross-signing identity");
    stop(served);
}

/// A first start on a new account, as an operator reads it: no ERROR, and
/// no warning about what matrix-sdk expects (404s it asks for, no key
/// backup, the new device not yet uploaded); the device checked instead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_start_logs_no_error() {
    let synapse = Synapse::get();
    let k = Install::new();
    let bot = bot(&synapse);
    let (served, log) = k.serve_logged(&[
        ("KOHERO_MATRIX_HOMESERVER", synapse.url.as_str()),
        ("KOHERO_MATRIX_USER", bot.id.as_str()),
        ("KOHERO_MATRIX_PASSWORD", bot.password.as_str()),
        ("KOHERO_MATRIX_STORE_PASSPHRASE", "store-secret"),
    ]);
    let dan = TestUser::new(&synapse, "dan").await;
    let dm = dan.open_dm(&bot.id, true).await;
    dan.say(&dm, "!aide").await;
    dan.wait_for(&dm, &bot.id, |b| b.contains("proposer")).await;
    stop(served);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("logged in to Matrix"), "{text}");
    assert!(text.contains("Matrix device registered"), "{text}");
    for bad in [" ERROR ", "might have been deleted", "no backup key"] {
        assert!(
            !text.contains(bad),
            "{bad:?} in the log of a first start:\n{text}"
        );
    }
    // A restart on the same store is as quiet.
    let (served, log) = k.serve_logged(&[
        ("KOHERO_MATRIX_HOMESERVER", synapse.url.as_str()),
        ("KOHERO_MATRIX_USER", bot.id.as_str()),
        ("KOHERO_MATRIX_STORE_PASSPHRASE", "store-secret"),
    ]);
    dan.say(&dm, "!aide").await;
    dan.wait_for(&dm, &bot.id, |b| b.contains("proposer")).await;
    stop(served);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("Matrix session restored"), "{text}");
    assert!(!text.contains(" ERROR "), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_homeserver_restarts_and_the_bot_resumes() {
    let own = OwnSynapse::start();
    let synapse = &own.synapse;
    let k = Install::new();
    let (bot, served, alice, dm) = started(synapse, &k, "alice").await;
    alice.say(&dm, "!proposer Verger | nature | - | -").await;
    let first = alice.wait_for(&dm, &bot.id, |b| b.contains('#')).await;
    let id = first_number(first.body(), '#');

    // The homeserver goes away for a while, then comes back.
    own.stop();
    tokio::time::sleep(Duration::from_secs(3)).await;
    own.restart();

    alice.say(&dm, &format!("!voir {id}")).await;
    alice.wait_for(&dm, &bot.id, |b| b.contains("Verger")).await;
    nothing_more(&alice, &dm, &bot, 2).await;
    stop(served);
}

/// A bot that is no server admin cannot lift its limit: with Kohero's own
/// limiter off, Synapse answers `M_LIMIT_EXCEEDED`, the worker waits the
/// `retry_after` it gives, and every reply still arrives, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn m_limit_exceeded_is_waited_out() {
    let own = OwnSynapse::start_with(Some("0.5:2"));
    let synapse = &own.synapse;
    let k = Install::new();
    let bot = bot_as(synapse, false);
    let http = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let served = serve(
        &k,
        synapse,
        &bot,
        &[
            ("KOHERO_MATRIX_RATE_GLOBAL", "off"),
            ("KOHERO_HTTP_ADDR", &http.to_string()),
        ],
    );
    let alice = TestUser::new(synapse, "alice").await;
    synapse.unlimit(alice.id.as_str()).await;
    let dm = alice.open_dm(&bot.id, false).await;
    for n in 1..=6 {
        alice.say(&dm, &format!("!chercher mot{n}")).await;
    }
    // Six replies at Synapse's 0.5/s: each exactly once (order may change when
    // a send is told to wait).
    let mut got = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    while got.len() < 6 && std::time::Instant::now() < deadline {
        got.extend(
            alice
                .messages_within(&dm, &bot.id, Duration::from_secs(2))
                .await
                .into_iter()
                .map(|s| s.body().to_owned()),
        );
    }
    got.extend(
        alice
            .messages_within(&dm, &bot.id, Duration::from_secs(3))
            .await
            .into_iter()
            .map(|s| s.body().to_owned()),
    );
    for n in 1..=6 {
        let word = format!("« mot{n} »");
        assert_eq!(
            got.iter().filter(|b| b.contains(&word)).count(),
            1,
            "{word}: {got:#?}"
        );
    }
    assert_eq!(got.len(), 6, "{got:#?}");
    let metrics = matrix_sdk::reqwest::get(format!("http://{http}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let line = metrics
        .lines()
        .find(|l| {
            l.starts_with("kohero_send_errors_total{network=\"matrix\",kind=\"retry_after\"}")
        })
        .unwrap_or_else(|| panic!("{metrics}"));
    let n: u64 = line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(n > 0, "Synapse never limited the bot: {line}");
    stop(served);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn digests_go_to_the_communes_announcement_room_once_across_a_crash() {
    let synapse = Synapse::get();
    let k = Install::new();
    k.verify_town_hall("console:mairie", "69266");
    let (bot, served, alice, dm) = started(&synapse, &k, "alice").await;

    // Subscribing to the commune lets Alice into its announcement room, a room of
    // the commune's Space where only the bot posts.
    alice.say(&dm, "!abonner Villeurbanne").await;
    alice
        .wait_for(&dm, &bot.id, |b| b.contains("Abonnement enregistré"))
        .await;
    let room = alice
        .wait_invite(|name| name == "Annonces · Villeurbanne")
        .await;
    alice.join(&room).await;
    let state = alice.all_state(&room).await;
    assert!(
        state.iter().any(|e| e["type"] == "m.space.parent"),
        "{state:?}"
    );
    let levels = alice.state(&room, "m.room.power_levels", "").await.unwrap();
    assert_eq!(levels["events_default"], 100, "{levels}");

    alice
        .say(
            &dm,
            "!proposer Composteur | compost | Villeurbanne | Un bac",
        )
        .await;
    alice
        .wait_for(&dm, &bot.id, |b| b.contains("Composteur"))
        .await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let out = k.run(&["digest", "69266", "--now"], b"");
    assert!(out.status.success(), "{out:?}");
    let digest = alice
        .wait_for(&room, &bot.id, |b| b.contains("La lettre de mairie"))
        .await;
    assert!(digest.body().contains("Composteur"), "{}", digest.body());
    // Not also in Alice's direct chat.
    assert!(
        alice
            .messages_within(&dm, &bot.id, Duration::from_secs(1))
            .await
            .iter()
            .all(|m| !m.body().contains("La lettre"))
    );

    // Killed right after the send, before or after it was marked: the
    // restarted bot sends it again with the same transaction id at most, which
    // the homeserver drops.
    let mut served = served;
    served.kill9();
    let served = serve(&k, &synapse, &bot, &[]);
    nothing_more(&alice, &room, &bot, 5).await;

    // Unsubscribing takes her out of the room.
    alice.say(&dm, "!desabonner").await;
    alice
        .wait_for(&dm, &bot.id, |b| b.contains("supprimé"))
        .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while alice.membership(&room).await != RoomState::Left {
        assert!(std::time::Instant::now() < deadline, "still in the room");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    stop(served);
}

/// Two `kohero serve` on one PostgreSQL database and one Matrix account: only
/// the Matrix lease holder opens matrix-sdk's stores, syncs and sends; killed,
/// it is replaced by the other process, with the same stores (one device).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_one_matrix_client_and_a_takeover() {
    let synapse = Synapse::get();
    let server = std::env::var("KOHERO_TEST_POSTGRES_URL")
        .expect("KOHERO_TEST_POSTGRES_URL is not set: run the tests with scripts/test");
    let k = Install::on_postgres(&server, "kohero_matrix_two_processes").await;
    let bot = bot(&synapse);
    // The first process takes the lease; the second waits on standby.
    let mut first = serve(&k, &synapse, &bot, &[]);
    let alice = TestUser::new(&synapse, "alice").await;
    let dm = alice.open_dm(&bot.id, false).await;
    alice.say(&dm, "!proposer Jardin | nature | - | -").await;
    let got = alice.wait_for(&dm, &bot.id, |b| b.contains('#')).await;
    let id = first_number(got.body(), '#');
    let second = serve(&k, &synapse, &bot, &[]);
    tokio::time::sleep(Duration::from_secs(2)).await;
    alice.say(&dm, &format!("!voir {id}")).await;
    alice.wait_for(&dm, &bot.id, |b| b.contains("Jardin")).await;
    // Answered once: the standby process neither syncs nor sends.
    nothing_more(&alice, &dm, &bot, 3).await;

    first.kill9();
    alice.say(&dm, "!fil").await;
    alice.wait_for(&dm, &bot.id, |_| true).await;
    nothing_more(&alice, &dm, &bot, 3).await;
    // The second process used the same stores: still one device for the bot.
    let devices = alice.devices_of(&bot.id).await;
    assert_eq!(devices.len(), 1, "{devices:?}");
    stop(second);
}

/// The session lives in the database, the device's keys in matrix-sdk's store:
/// started with another (empty) store directory, the bot refuses to connect
/// rather than give its device other keys.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_store_for_the_same_device_is_refused() {
    let synapse = Synapse::get();
    let k = Install::new();
    let (bot, served, alice, dm) = started(&synapse, &k, "alice").await;
    alice.say(&dm, "!aide").await;
    alice.wait_for(&dm, &bot.id, |_| true).await;
    stop(served);

    let elsewhere = tempfile::tempdir().unwrap();
    let store = elsewhere.path().join("matrix").display().to_string();
    let http = format!("127.0.0.1:{}", kohero_tests::free_port());
    let served = serve(
        &k,
        &synapse,
        &bot,
        &[("KOHERO_MATRIX_STORE", &store), ("KOHERO_HTTP_ADDR", &http)],
    );
    alice.say(&dm, "!fil").await;
    nothing_more(&alice, &dm, &bot, 5).await;
    let ready = kohero_tests::http_get(&http, "/readyz").await.unwrap();
    assert!(ready.contains("matrix disconnected"), "{ready}");
    let devices = alice.devices_of(&bot.id).await;
    assert_eq!(devices.len(), 1, "{devices:?}");
    stop(served);
}

/// Moderation on Matrix: the reasons as numbered choices answered with a
/// number, hiding on enough reports (two here, as configured), the author
/// told in their direct chat, and a ban from the command line refused at
/// intake with its end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_hide_and_a_ban_on_matrix() {
    let synapse = Synapse::get();
    let k = Install::new();
    let bot = bot(&synapse);
    let served = serve(&k, &synapse, &bot, &[("KOHERO_AUTO_HIDE_REPORTS", "2")]);
    let alice = TestUser::new(&synapse, "alice").await;
    let alice_dm = alice.open_dm(&bot.id, false).await;
    alice
        .say(
            &alice_dm,
            "!proposer Vente « et ça ? » | autre | Villeurbanne | -",
        )
        .await;
    let first = alice
        .wait_for(&alice_dm, &bot.id, |b| b.contains('#'))
        .await;
    let id = first_number(first.body(), '#');

    let bob = TestUser::new(&synapse, "bob").await;
    let bob_dm = bob.open_dm(&bot.id, false).await;
    bob.say(&bob_dm, &format!("!signaler {id}")).await;
    let why = bob
        .wait_for(&bob_dm, &bot.id, |b| b.contains("Pourquoi"))
        .await;
    assert!(why.body().contains("[1] Spam"), "{}", why.body());
    bob.say(&bob_dm, "1").await;
    bob.wait_for(&bob_dm, &bot.id, |b| b.contains("Merci"))
        .await;

    let carol = TestUser::new(&synapse, "carol").await;
    let carol_dm = carol.open_dm(&bot.id, false).await;
    carol
        .say(&carol_dm, &format!("!signaler {id} c'est de l'arnaque 🙄"))
        .await;
    carol
        .wait_for(&carol_dm, &bot.id, |b| b.contains("Merci"))
        .await;
    let told = alice
        .wait_for(&alice_dm, &bot.id, |b| b.contains("masquée en attendant"))
        .await;
    assert!(
        told.body().contains(&format!("contester #{id}")),
        "{}",
        told.body()
    );
    carol.say(&carol_dm, &format!("!voir {id}")).await;
    carol
        .wait_for(&carol_dm, &bot.id, |b| b.contains("masquée par l'équipe"))
        .await;

    let who = format!("matrix:{}", alice.id);
    let out = k.run(
        &["admin", "ban", &who, "--forever", "--reason", "arnaques"],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    alice
        .wait_for(&alice_dm, &bot.id, |b| b.contains("définitivement"))
        .await;
    alice.say(&alice_dm, "!pres Villeurbanne").await;
    let refused = alice
        .wait_for(&alice_dm, &bot.id, |b| {
            b.contains("suspendu") && !b.contains("Villeurbanne")
        })
        .await;
    assert!(refused.body().contains("arnaques"), "{}", refused.body());
    stop(served);
}

/// A project room keeps Kohero's rules: what moderators hide is redacted
/// there (the organiser's own command, the bot's copy of an update made
/// elsewhere), and a room whose power levels let others invite, kick or change
/// its state (made by an earlier build, or changed since) is repaired when
/// the bot starts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn project_rooms_lose_hidden_posts_and_keep_kohero_rules() {
    let synapse = Synapse::get();
    let k = Install::new();
    let (bot, served, alice, dm) = started(&synapse, &k, "alice").await;
    alice
        .say(&dm, "!proposer Jardin partagé | nature | Villeurbanne | -")
        .await;
    let r = alice.wait_for(&dm, &bot.id, |b| b.contains('#')).await;
    let id = first_number(r.body(), '#');
    alice.say(&dm, &format!("!lancer {id}")).await;
    let room = alice
        .wait_invite(|name| name.starts_with(&format!("#{id} ")))
        .await;
    alice.join(&room).await;
    let written = alice.say(&room, "!maj Le bac « déborde » 🌱").await;
    alice
        .wait_for(&room, &bot.id, |b| b.contains("publiée"))
        .await;
    alice
        .say(&dm, &format!("!maj {id} Venez « et ça ? » <samedi>"))
        .await;
    let copy = alice
        .wait_for(&room, &bot.id, |b| b.contains("samedi"))
        .await;
    let copy_id = copy.event["event_id"].as_str().unwrap().to_owned();

    k.run_ok(&["admin", "hide", "U1", "--reason", "spam"]);
    k.run_ok(&["admin", "hide", "U2"]);
    for event in [written.as_str(), copy_id.as_str()] {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let e = alice.event(&room, event).await.unwrap_or_default();
            if !e["unsigned"]["redacted_because"].is_null() {
                assert!(e["content"]["body"].is_null(), "{e}");
                let why = &e["unsigned"]["redacted_because"]["content"]["reason"];
                assert!(why.as_str().unwrap_or("").contains("modération"), "{e}");
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{event} not redacted: {e}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    // As an earlier build left it: organisers could invite, kick and change
    // the room's rules. The bot starts again and repairs it.
    stop(served);
    let levels = alice.state(&room, "m.room.power_levels", "").await.unwrap();
    assert_eq!(levels["kick"], 100, "{levels}");
    let mut legacy = levels.clone();
    for (k, v) in [
        ("invite", 0),
        ("kick", 50),
        ("ban", 50),
        ("state_default", 50),
    ] {
        legacy[k] = json!(v);
    }
    let as_bot = TestUser::login(&synapse, &bot.id, &bot.password).await;
    assert!(
        as_bot
            .put_state(&room, "m.room.power_levels", "", &legacy)
            .await
    );
    assert_eq!(
        alice.state(&room, "m.room.power_levels", "").await.unwrap()["kick"],
        50
    );
    let served = serve(&k, &synapse, &bot, &[]);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let now = alice.state(&room, "m.room.power_levels", "").await.unwrap();
        if ["invite", "kick", "ban", "state_default"]
            .iter()
            .all(|k| now[k] == 100)
        {
            // People keep their levels.
            assert_eq!(now["users"], levels["users"], "{now}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "power levels not repaired: {now}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    stop(served);
}
