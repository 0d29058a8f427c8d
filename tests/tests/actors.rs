//! End-to-end (issue 19): one `kohero serve` on the fake Telegram Bot API and
//! a real Synapse. An association's card, a project's need, three people
//! help from both networks, the need closes, the association becomes a
//! partner shown on the card.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use kohero_tests::fake_telegram::FakeTelegram;
use kohero_tests::matrix_client::TestUser;
use kohero_tests::synapse::Synapse;
use kohero_tests::{Install, first_number, letter_id, stop};

const WAIT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_association_a_need_three_helpers_and_a_partner() {
    let synapse = Synapse::get();
    let tg = FakeTelegram::start().await;
    let k = Install::new();
    let (bot, served) = k.serve_on_both(&tg, &synapse);

    // The association writes once; the operator verifies it; it fills its card.
    tg.text(10, "fr", "/start");
    tg.answer_to(10, "Bonjour").await;
    k.run_ok(&["admin", "verify", "telegram:10", "association"]);
    tg.text(10, "fr", "/profil nom Les Jardiniers d'Austerlitz 🌱");
    tg.answer_to(10, "Les Jardiniers").await;
    tg.text(
        10,
        "fr",
        "/profil description On jardine <ensemble>, « et ça ? » l'été & l'hiver",
    );
    tg.text(10, "fr", "/profil lieu Villeurbanne");
    let (card, _) = tg.answer_to(10, "Où : Villeurbanne").await;
    assert!(
        card.contains("On jardine <ensemble>, « et ça ? » l'été & l'hiver"),
        "{card}"
    );
    let actor = letter_id(&card, 'A');

    // An organiser's project and its need.
    tg.text(
        1,
        "fr",
        "/proposer Jardin partagé des Buers | nature | geo:45.7700,4.8850 | Des bacs",
    );
    let (proposed, _) = tg.answer_to(1, "#").await;
    let id = first_number(&proposed, '#');
    tg.text(1, "fr", &format!("/lancer {id}"));
    tg.answer_to(1, "lancé").await;
    tg.text(
        1,
        "fr",
        &format!("/besoin {id} benevoles 3 | samedi 12 avril, 9h-12h"),
    );
    let (added, _) = tg.answer_to(1, "Besoin ajouté").await;
    let need = letter_id(&added, 'B');

    // Two helpers on Telegram: one types, one presses « Je peux aider » in
    // the needs nearby.
    tg.text(
        2,
        "fr",
        &format!("/contribuer B{need} J'apporte des gants 🧤"),
    );
    tg.answer_to(2, "Merci").await;
    tg.location(3, 45.7690, 4.8840);
    tg.answer_to(3, "Jardin partagé").await;
    tg.text(3, "fr", "/besoins");
    let (list, markup) = tg.answer_to(3, "besoin ouvert").await;
    assert!(list.contains(&format!("B{need} Bénévoles · 0/3")), "{list}");
    let help = FakeTelegram::button(&markup, "Je peux aider").expect("a help button");
    assert!(help.len() <= 64);
    tg.callback(3, &help);
    tg.answer_to(3, "Merci").await;
    // A third on Matrix.
    let bob = TestUser::new(&synapse, "bob").await;
    synapse.unlimit(bob.id.as_str()).await;
    let dm = bob.open_dm(&bot, false).await;
    bob.say(&dm, &format!("!contribuer B{need} Je peux venir"))
        .await;
    bob.wait_for(&dm, &bot, |t| t.contains("Merci")).await;

    // The organiser accepts each from the notice's button; the need closes.
    let deadline = Instant::now() + WAIT;
    let mut accepted = 0;
    let mut pressed = std::collections::BTreeSet::new();
    while accepted < 3 {
        assert!(Instant::now() < deadline, "{:?}", tg.texts_to(1));
        for (text, markup) in tg.texts_to(1) {
            if !text.contains("propose son aide") {
                continue;
            }
            let offer = letter_id(&text[text.find("offre").unwrap()..], 'O');
            if pressed.insert(offer) {
                let accept = FakeTelegram::button(&markup, "Accepter").expect("accept");
                assert!(accept.len() <= 64);
                tg.callback(1, &accept);
                tg.answer_to(1, &format!("Offre O{offer} acceptée")).await;
                accepted += 1;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tg.answer_to(1, "Bénévoles · 3/3 · pourvu").await;
    tg.answer_to(2, "Bonne nouvelle").await;
    bob.wait_for(&dm, &bot, |t| t.contains("Bonne nouvelle"))
        .await;

    // The association helps as itself: a partner on the card.
    tg.text(10, "fr", &format!("/contribuer {id} On prête des outils"));
    tg.answer_to(10, "Merci").await;
    let (notice, markup) = tg
        .answer_to(1, "Les Jardiniers d'Austerlitz 🌱 ✓ propose")
        .await;
    assert!(notice.contains("de l'aide pour le projet"), "{notice}");
    tg.callback(1, &FakeTelegram::button(&markup, "Accepter").unwrap());
    tg.text(4, "fr", &format!("/voir {id}"));
    let (card, _) = tg.answer_to(4, "Jardin partagé des Buers").await;
    assert!(
        card.contains("Avec le soutien de Les Jardiniers d'Austerlitz 🌱 ✓"),
        "{card}"
    );
    assert!(!card.contains(&format!("B{need} ")), "{card}");
    bob.say(&dm, &format!("!voir {id}")).await;
    bob.wait_for(&dm, &bot, |t| {
        t.contains("Avec le soutien de Les Jardiniers d'Austerlitz 🌱 ✓")
    })
    .await;

    // The actors nearby, from Matrix; the card by id.
    bob.say(&dm, "!acteurs Villeurbanne").await;
    bob.wait_for(&dm, &bot, |t| {
        t.contains("1 acteur vérifié") && t.contains(&format!("A{actor}"))
    })
    .await;
    bob.say(&dm, &format!("!voir A{actor}")).await;
    bob.wait_for(&dm, &bot, |t| t.contains("On jardine <ensemble>"))
        .await;

    stop(served);
}
