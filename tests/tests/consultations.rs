//! End-to-end (issue 20): one `kohero serve` on the fake Telegram Bot API and
//! a real Synapse. A town hall on Telegram consults its commune; two
//! Telegram readers answer (one with the card's buttons: the card is edited
//! to show the vote, and changed), two Matrix readers answer in their direct
//! chats (a numbered choice, a typed vote); the town hall closes it: the
//! exact counts reach it, the Telegram readers and the commune's Matrix
//! announcement room.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use kohero_tests::fake_telegram::FakeTelegram;
use kohero_tests::matrix_client::TestUser;
use kohero_tests::synapse::Synapse;
use kohero_tests::{Install, letter_id, stop};

const WAIT: Duration = Duration::from_secs(60);

/// Waits until the bot's message `id` in `chat` shows `needle`, edited in
/// place; returns its text and keyboard.
async fn edited(
    tg: &FakeTelegram,
    chat: i64,
    id: i64,
    needle: &str,
) -> (String, serde_json::Value) {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some((_, text, markup, true)) = tg
            .shown_in(chat)
            .into_iter()
            .find(|m| m.0 == id && m.1.contains(needle))
        {
            return (text, markup);
        }
        assert!(
            Instant::now() < deadline,
            "message {id} never showed {needle:?}: {:?}",
            tg.shown_in(chat)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consultation_on_telegram_and_matrix() {
    let synapse = Synapse::get();
    let tg = FakeTelegram::start().await;
    let k = Install::new();
    let (bot, served) = k.serve_on_both(&tg, &synapse);

    // The town hall writes once and is verified.
    tg.text(10, "fr", "/start");
    tg.answer_to(10, "Bonjour").await;
    k.run_ok(&[
        "admin",
        "verify",
        "telegram:10",
        "municipality",
        "--commune",
        "69266",
    ]);
    tg.text(10, "fr", "/profil nom Mairie de Villeurbanne");
    tg.answer_to(10, "Mairie de Villeurbanne").await;

    // Readers: two on Telegram, two on Matrix; one Matrix reader joins the
    // commune's announcement room.
    for user in [1, 2] {
        tg.text(user, "fr", "/abonner Villeurbanne");
        tg.answer_to(user, "Abonnement enregistré").await;
    }
    let alice = TestUser::new(&synapse, "alice").await;
    let bob = TestUser::new(&synapse, "bob").await;
    let mut dms = Vec::new();
    for who in [&alice, &bob] {
        synapse.unlimit(who.id.as_str()).await;
        let dm = who.open_dm(&bot, false).await;
        who.say(&dm, "!abonner Villeurbanne").await;
        who.wait_for(&dm, &bot, |t| t.contains("Abonnement enregistré"))
            .await;
        dms.push(dm);
    }
    let room = alice
        .wait_invite(|name| name == "Annonces · Villeurbanne")
        .await;
    alice.join(&room).await;

    // The consultation, at once.
    let until = (chrono::Utc::now().date_naive() + chrono::Days::new(30)).format("%Y-%m-%d");
    tg.text(
        10,
        "fr",
        &format!(
            "/consultation Faut-il piétonniser la rue Pasteur le dimanche ? « et ça ? » 🚲 | Oui | Non | Seulement l'été | jusqu'au {until} maintenant"
        ),
    );
    let (created, _) = tg.answer_to(10, "créée").await;
    assert!(created.contains("vers 4 lecteurs"), "{created}");
    let c = letter_id(&created, 'C');

    // Telegram: the card's buttons; pressed, the card shows the vote, and
    // follows a change.
    let (card, markup) = tg.answer_to(1, &format!("Consultation C{c}")).await;
    assert!(card.contains("« et ça ? » 🚲"), "{card}");
    let id = tg
        .shown_in(1)
        .into_iter()
        .find(|m| m.1.contains(&format!("Consultation C{c}")))
        .unwrap()
        .0;
    let yes = FakeTelegram::button(&markup, "Oui").expect("a button per option");
    assert!(yes.len() <= 64);
    tg.callback_on(1, id, &yes);
    let (_, markup) = edited(&tg, 1, id, "Votre vote : Oui").await;
    assert!(
        FakeTelegram::button(&markup, "✅ Oui").is_some(),
        "{markup}"
    );
    // Pressed again (nothing changes: Telegram refuses the same text), then
    // another option.
    tg.callback_on(1, id, &FakeTelegram::button(&markup, "✅ Oui").unwrap());
    tg.callback_on(1, id, &FakeTelegram::button(&markup, "Non").unwrap());
    let (_, markup) = edited(&tg, 1, id, "Votre vote : Non").await;
    assert!(
        FakeTelegram::button(&markup, "✅ Non").is_some(),
        "{markup}"
    );
    assert!(
        FakeTelegram::button(&markup, "✅ Oui").is_none(),
        "{markup}"
    );
    tg.text(2, "fr", &format!("/voter C{c} 1"));
    tg.answer_to(2, "Vote enregistré : Oui").await;

    // Matrix: in each reader's direct chat, a numbered choice or typed.
    alice
        .wait_for(&dms[0], &bot, |t| t.contains(&format!("Consultation C{c}")))
        .await;
    alice.say(&dms[0], "1").await;
    alice
        .wait_for(&dms[0], &bot, |t| t.contains("Vote enregistré : Oui"))
        .await;
    bob.wait_for(&dms[1], &bot, |t| t.contains(&format!("Consultation C{c}")))
        .await;
    bob.say(&dms[1], &format!("!voter C{c} 3")).await;
    bob.wait_for(&dms[1], &bot, |t| {
        t.contains("Vote enregistré : Seulement l'été")
    })
    .await;
    // The card never went to the announcement room.
    assert!(
        alice
            .messages_within(&room, &bot, Duration::from_millis(500))
            .await
            .iter()
            .all(|m| !m.body().contains(&format!("Consultation C{c}")))
    );

    // Closed by the town hall: exact counts, everywhere.
    tg.text(10, "fr", &format!("/consultation C{c} clore"));
    let (results, _) = tg.answer_to(10, "Résultats de la consultation").await;
    for line in [
        "Oui : 2 (50 %)",
        "Non : 1 (25 %)",
        "Seulement l'été : 1 (25 %)",
        "4 votants",
    ] {
        assert!(results.contains(line), "{line}: {results}");
    }
    let (told, _) = tg.answer_to(2, "Résultats de la consultation").await;
    assert!(told.contains("Oui : 2 (50 %)"), "{told}");
    let posted = alice
        .wait_for(&room, &bot, |t| {
            t.contains("Résultats de la consultation") && t.contains("4 votants")
        })
        .await;
    assert!(
        posted.body().contains("Non : 1 (25 %)"),
        "{}",
        posted.body()
    );
    // Over: votes are refused, the counts stay.
    bob.say(&dms[1], &format!("!voter C{c} 1")).await;
    bob.wait_for(&dms[1], &bot, |t| t.contains("terminée"))
        .await;
    let out = k.run(&["consultation", &format!("C{c}"), "--csv"], b"");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "option,choice,count,percent\r\n1,Oui,2,50\r\n2,Non,1,25\r\n3,Seulement l'été,1,25\r\n,voters,4,\r\n"
    );
    stop(served);
}
