//! End-to-end: one `kohero serve` on the fake Telegram Bot API and a real
//! Synapse together. A project's Telegram group and its Matrix room are one
//! conversation; a Telegram person and a Matrix person become one after a
//! confirmation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use kohero_tests::fake_telegram::{BOT_ID, FakeTelegram};
use kohero_tests::matrix_client::{Seen, TestUser};
use kohero_tests::synapse::Synapse;
use kohero_tests::{Install, first_number, stop};
use matrix_sdk::ruma::RoomId;
use serde_json::json;

const WAIT: Duration = Duration::from_secs(60);
const GROUP: i64 = -500;

/// Waits until `done` holds, failing with `what` after [`WAIT`].
async fn until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The texts the bot sent to a chat (as Telegram shows them: tags parsed).
fn texts_to(tg: &FakeTelegram, chat: i64) -> Vec<String> {
    tg.sent_to(chat)
        .into_iter()
        .map(|(html, _, _)| kohero_tests::telegram_html::parse(&html).unwrap())
        .collect()
}

/// The private answers of the bot to a Telegram person so far, as text.
fn private_answers(tg: &FakeTelegram, user: i64) -> String {
    texts_to(tg, user).join("\n")
}

/// Waits for the bot's next private answer to `user` containing `needle`.
async fn answer_to(tg: &FakeTelegram, user: i64, needle: &str) -> String {
    until(&format!("an answer with {needle:?} to {user}"), || {
        texts_to(tg, user).iter().any(|t| t.contains(needle))
    })
    .await;
    texts_to(tg, user)
        .into_iter()
        .rev()
        .find(|t| t.contains(needle))
        .unwrap()
}

/// Every event the bot posts in `room` until `enough` holds on them all.
async fn gather(
    person: &TestUser,
    room: &RoomId,
    bot: &str,
    enough: impl Fn(&[Seen]) -> bool,
) -> Vec<Seen> {
    let deadline = Instant::now() + WAIT;
    let mut seen = Vec::new();
    while !enough(&seen) {
        assert!(
            Instant::now() < deadline,
            "timed out; seen: {:#?}",
            seen.iter().map(Seen::body).collect::<Vec<_>>()
        );
        seen.extend(
            person
                .messages_within(room, bot, Duration::from_millis(500))
                .await,
        );
    }
    seen
}

/// Alice (Telegram) and Bob (Matrix) in one project: what each writes in
/// the project's chat reaches the other, signed, with its formatting, its
/// replies, its edits and (from Matrix) its redactions; a location; bursts
/// of 40 each way arrive whole and in order without a 429; nothing comes
/// back (no loop); relaying off stops it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_telegram_group_and_a_matrix_room_are_one_conversation() {
    let synapse = Synapse::get();
    let tg = FakeTelegram::start().await;
    let k = Install::new();
    let (bot, served) = k.serve_on_both(&tg, &synapse);

    // Alice proposes and launches on Telegram: the bot makes the project's
    // Matrix room in the commune's Space.
    tg.text(
        1,
        "fr",
        "/proposer Verger partagé | nature | geo:45.7667,4.8803 | Des fruitiers",
    );
    let proposed = answer_to(&tg, 1, "#").await;
    let id = first_number(&proposed, '#');
    tg.text(1, "fr", &format!("/lancer {id}"));
    answer_to(&tg, 1, "lancée").await;
    // Her group: she owns it, the bot administers it.
    tg.set_status(GROUP, 1, "creator");
    tg.set_status(GROUP, BOT_ID, "administrator");
    tg.group_text(GROUP, 1, &format!("/lier {id}"));
    until("the group linked", || {
        texts_to(&tg, GROUP)
            .iter()
            .any(|t| t.contains("relayé") && t.contains("administrateur"))
    })
    .await;

    // Bob joins from Matrix and enters the project's room.
    let bob = TestUser::new(&synapse, "bob").await;
    synapse.unlimit(bob.id.as_str()).await;
    let dm = bob.open_dm(&bot, false).await;
    bob.say(&dm, &format!("!rejoindre {id}")).await;
    let room = bob
        .wait_invite(|name| name.starts_with(&format!("#{id} ")))
        .await;
    bob.join(&room).await;

    // Telegram → Matrix, signed, formatting kept.
    let (_, hello) = tg.said_in_group(
        GROUP,
        1,
        "Alice",
        json!({"text": "Bonjour Bob, « et ça ? » 🌱",
               "entities": [{"type": "bold", "offset": 8, "length": 3}]}),
        None,
    );
    let copy = bob
        .wait_for(&room, &bot, |b| b.contains("Bonjour Bob"))
        .await;
    assert_eq!(
        copy.body(),
        "Alice (Telegram) : Bonjour Bob, « et ça ? » 🌱"
    );
    assert_eq!(copy.event["content"]["msgtype"], "m.text");
    let html = copy.event["content"]["formatted_body"].as_str().unwrap();
    assert!(html.contains("<strong>Bob</strong>"), "{html}");
    kohero_tests::matrix_html::check(html).unwrap();
    let hello_copy = copy.event["event_id"].as_str().unwrap().to_owned();

    // Matrix → Telegram.
    let salut = bob.say(&room, "Salut Alice !").await;
    until("Bob's message in the group", || {
        texts_to(&tg, GROUP)
            .iter()
            .any(|t| t.ends_with("(Matrix) : Salut Alice !"))
    })
    .await;
    let salut_copy = tg.sent_ids(GROUP, |t| t.contains("Salut Alice"))[0];

    // Replies, both ways, answer the right message.
    tg.said_in_group(
        GROUP,
        1,
        "Alice",
        json!({"text": "Oui, samedi"}),
        Some(salut_copy),
    );
    let answered = bob
        .wait_for(&room, &bot, |b| b.contains("Oui, samedi"))
        .await;
    assert_eq!(
        answered.event["content"]["m.relates_to"]["m.in_reply_to"]["event_id"],
        salut.as_str(),
        "{}",
        answered.event
    );
    assert!(
        answered.body().contains("Salut Alice"),
        "quoted: {}",
        answered.body()
    );
    bob.send_raw(
        &room,
        json!({"msgtype": "m.text", "body": "Parfait",
               "m.relates_to": {"m.in_reply_to": {"event_id": hello_copy}}}),
    )
    .await;
    until("Bob's reply in the group", || {
        tg.calls("sendMessage").iter().any(|c| {
            c.body["chat_id"] == GROUP
                && c.body["text"].as_str().unwrap_or("").contains("Parfait")
                && c.body["reply_parameters"]["message_id"] == hello
        })
    })
    .await;

    // Edits: Alice's becomes an edit of its Matrix copy; Bob's edits the
    // Telegram copy in place.
    tg.edit_in_group(GROUP, hello, 1, "Alice", "Bonjour Bob, c'est corrigé");
    let edit = bob.wait_for(&room, &bot, |b| b.contains("corrigé")).await;
    assert_eq!(
        edit.event["content"]["m.relates_to"]["rel_type"],
        "m.replace"
    );
    assert_eq!(
        edit.event["content"]["m.relates_to"]["event_id"],
        hello_copy.as_str()
    );
    bob.send_raw(
        &room,
        json!({"msgtype": "m.text", "body": "* Salut Alice, ça va ?",
               "m.new_content": {"msgtype": "m.text", "body": "Salut Alice, ça va ?"},
               "m.relates_to": {"rel_type": "m.replace", "event_id": salut}}),
    )
    .await;
    until("the Telegram copy edited", || {
        tg.message_now(GROUP, salut_copy).is_some_and(|m| {
            m["text"]
                .as_str()
                .unwrap_or("")
                .ends_with("Salut Alice, ça va ?")
        })
    })
    .await;

    // A Matrix redaction deletes the Telegram copy.
    bob.client
        .get_room(&room)
        .unwrap()
        .redact(&salut, Some("oups"), None)
        .await
        .unwrap();
    until("the Telegram copy deleted", || {
        tg.deleted(GROUP).contains(&salut_copy)
    })
    .await;

    // A location.
    tg.said_in_group(
        GROUP,
        1,
        "Alice",
        json!({"location": {"latitude": 45.7667, "longitude": 4.8803}}),
        None,
    );
    let place = bob
        .wait_for(&room, &bot, |b| {
            b.contains("Alice (Telegram)") && b.contains("📍")
        })
        .await;
    assert_eq!(place.event["content"]["msgtype"], "m.location");
    assert!(
        place.event["content"]["geo_uri"]
            .as_str()
            .unwrap()
            .starts_with("geo:45.7667"),
        "{}",
        place.event
    );

    // Images, re-uploaded both ways.
    let png: Vec<u8> = [
        b"\x89PNG\r\n\x1a\n".as_slice(),
        b"KOHERO-TEST-IMAGE-FROM-MATRIX",
    ]
    .concat();
    let upload = bob
        .client
        .media()
        .upload(&mime::IMAGE_PNG, png.clone(), None)
        .await
        .unwrap();
    bob.send_raw(
        &room,
        json!({"msgtype": "m.image", "body": "compost.png",
               "url": upload.content_uri.as_str(),
               "info": {"mimetype": "image/png", "size": png.len()}}),
    )
    .await;
    until("Bob's image in the group", || {
        tg.calls("sendPhoto").iter().any(|c| {
            let raw = c.body["raw"].as_str().unwrap_or_default();
            c.status == 200
                && raw.contains("KOHERO-TEST-IMAGE-FROM-MATRIX")
                && raw.contains("compost.png")
                && raw.contains("(Matrix)")
        })
    })
    .await;
    let jpg = b"\xff\xd8\xffKOHERO-TEST-IMAGE-FROM-TELEGRAM".to_vec();
    tg.add_file("ph-1", &jpg);
    tg.said_in_group(
        GROUP,
        1,
        "Alice",
        json!({"photo": [{"file_id": "ph-1", "file_unique_id": "u-ph-1",
                          "width": 64, "height": 64, "file_size": jpg.len()}],
               "caption": "Le compost"}),
        None,
    );
    let image = bob
        .wait_for(&room, &bot, |b| b.contains("Le compost"))
        .await;
    assert_eq!(
        image.event["content"]["msgtype"], "m.image",
        "{}",
        image.event
    );
    assert_eq!(image.body(), "Alice (Telegram) : Le compost");
    let url = image.event["content"]["url"].as_str().unwrap();
    let got = bob
        .client
        .media()
        .get_media_content(
            &matrix_sdk::media::MediaRequestParameters {
                source: matrix_sdk::ruma::events::room::MediaSource::Plain(url.into()),
                format: matrix_sdk::media::MediaFormat::File,
            },
            false,
        )
        .await
        .unwrap();
    assert_eq!(got, jpg);

    // 40 from Telegram at once: all on Matrix, in order.
    for n in 0..40 {
        tg.said_in_group(
            GROUP,
            1,
            "Alice",
            json!({"text": format!("t-{n:02}")}),
            None,
        );
    }
    let burst = gather(&bob, &room, &bot, |seen| {
        let all: String = seen.iter().map(Seen::body).collect::<Vec<_>>().join("\n");
        all.contains("t-39")
    })
    .await;
    let all: String = burst.iter().map(Seen::body).collect::<Vec<_>>().join("\n");
    let mut at = 0;
    for n in 0..40 {
        let needle = format!("Alice (Telegram) : t-{n:02}");
        let i = all[at..]
            .find(&needle)
            .unwrap_or_else(|| panic!("{needle} missing or out of order in {all}"));
        at += i + needle.len();
    }
    assert!(
        burst.len() < 40,
        "a burst is gathered: {} messages",
        burst.len()
    );

    // 40 from Matrix at once: all in the group, in order, no 429.
    for n in 0..40 {
        bob.say(&room, &format!("m-{n:02}")).await;
    }
    until("Bob's burst in the group", || {
        texts_to(&tg, GROUP).join("\n").contains("m-39")
    })
    .await;
    let group = texts_to(&tg, GROUP).join("\n");
    let mut at = 0;
    for n in 0..40 {
        let needle = format!("(Matrix) : m-{n:02}");
        let i = group[at..]
            .find(&needle)
            .unwrap_or_else(|| panic!("{needle} missing or out of order in {group}"));
        at += i + needle.len();
    }
    assert!(
        tg.too_many_requests().is_empty(),
        "429s: {:?}",
        tg.too_many_requests()
    );

    // No loop: nothing relayed came back to where it was written (a reply
    // quotes its message, which is not a relay of it).
    let later = bob
        .messages_within(&room, &bot, Duration::from_secs(3))
        .await;
    assert!(
        later
            .iter()
            .chain(&burst)
            .all(|s| !s.body().contains("(Matrix) : m-")),
        "{:?}",
        later.iter().map(Seen::body).collect::<Vec<_>>()
    );
    assert!(
        texts_to(&tg, GROUP)
            .iter()
            .all(|t| !t.contains("(Telegram) : t-") && !t.contains("(Telegram) : Oui, samedi")),
        "relayed back into the group: {:#?}",
        texts_to(&tg, GROUP)
    );

    // Relaying off: both chats told, nothing relayed.
    tg.group_text(GROUP, 1, "/relais non");
    bob.wait_for(&room, &bot, |b| b.contains("coupé le relais"))
        .await;
    tg.said_in_group(GROUP, 1, "Alice", json!({"text": "hors relais"}), None);
    let after = bob
        .messages_within(&room, &bot, Duration::from_secs(4))
        .await;
    assert!(
        after.iter().all(|s| !s.body().contains("hors relais")),
        "relayed while off"
    );
    tg.assert_no_bad_requests();
    stop(served);
}

/// A Telegram person and a Matrix person become one only after the Telegram
/// side confirms; a wrong or reused code joins nothing; `/oublier` from
/// Matrix erases both identities.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_telegram_and_a_matrix_identity_become_one_person() {
    let synapse = Synapse::get();
    let tg = FakeTelegram::start().await;
    let k = Install::new();
    let (bot, served) = k.serve_on_both(&tg, &synapse);

    tg.text(7, "fr", "/lier_compte");
    let code_answer = answer_to(&tg, 7, "Votre code").await;
    let code: String = code_answer
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap()
        .to_owned();

    let dave = TestUser::new(&synapse, "dave").await;
    let dm = dave.open_dm(&bot, false).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    dave.say(&dm, &format!("!lier_compte {wrong}")).await;
    dave.wait_for(&dm, &bot, |b| b.contains("pas (ou plus) valable"))
        .await;
    dave.say(&dm, &format!("!lier_compte {code}")).await;
    dave.wait_for(&dm, &bot, |b| b.contains("Demande envoyée"))
        .await;
    answer_to(&tg, 7, "veut rejoindre votre compte").await;
    // Not confirmed yet: two people.
    dave.say(&dm, "!mesdonnees").await;
    let data = dave.wait_for(&dm, &bot, |b| b.contains("matrix:")).await;
    assert!(!data.body().contains("telegram:7"), "{}", data.body());

    // Confirmed from Telegram: one person, both told.
    tg.text(7, "fr", "/lier_compte oui");
    answer_to(&tg, 7, "C'est fait").await;
    dave.wait_for(&dm, &bot, |b| b.contains("C'est fait")).await;
    dave.say(&dm, "!mesdonnees").await;
    let data = dave.wait_for(&dm, &bot, |b| b.contains("telegram:7")).await;
    assert!(data.body().contains(dave.id.as_str()), "{}", data.body());

    // The code was used: typed again by someone else, it joins nothing.
    let erin = TestUser::new(&synapse, "erin").await;
    let edm = erin.open_dm(&bot, false).await;
    erin.say(&edm, &format!("!lier_compte {code}")).await;
    erin.wait_for(&edm, &bot, |b| b.contains("pas (ou plus) valable"))
        .await;
    erin.say(&edm, "!mesdonnees").await;
    let data = erin.wait_for(&edm, &bot, |b| b.contains("matrix:")).await;
    assert!(!data.body().contains("telegram:7"), "{}", data.body());

    // Erased from Matrix: the Telegram identity goes too.
    dave.say(&dm, "!oublier").await;
    dave.wait_for(&dm, &bot, |b| b.contains("oui")).await;
    dave.say(&dm, "oui").await;
    dave.wait_for(&dm, &bot, |b| b.to_lowercase().contains("effacé"))
        .await;
    let before = private_answers(&tg, 7).len();
    tg.text(7, "fr", "/mesdonnees");
    until("Telegram's export", || {
        private_answers(&tg, 7).len() > before
    })
    .await;
    let export = &private_answers(&tg, 7)[before..];
    assert!(
        !export.contains(dave.id.as_str()) && !export.contains("matrix:"),
        "{export}"
    );
    tg.assert_no_bad_requests();
    stop(served);
}
