//! End-to-end: the real `kohero serve` against a fake Telegram Bot API on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use kohero_tests::fake_telegram::{Failure, FakeTelegram, TOKEN};
use kohero_tests::{Install, Served, first_number, stop};

const WAIT: Duration = Duration::from_secs(20);

fn serve(k: &Install, tg: &FakeTelegram, extra: &[(&str, &str)]) -> Served {
    let url = tg.url();
    let mut env = vec![
        ("KOHERO_TELEGRAM_TOKEN", TOKEN),
        ("KOHERO_TELEGRAM_API_URL", url.as_str()),
    ];
    env.extend_from_slice(extra);
    k.serve(&env)
}

async fn started(tg: &FakeTelegram) {
    let deadline = std::time::Instant::now() + WAIT;
    while tg.calls("getUpdates").is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "kohero serve did not start polling"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_chat_journeys() {
    let k = Install::new();
    let tg = FakeTelegram::start().await;
    let fast = [("KOHERO_TELEGRAM_RATE_CHAT", "20/s:5")];
    let child = serve(&k, &tg, &fast);
    started(&tg).await;

    // The command menus: French by default, English for English clients.
    let menus = tg.calls("setMyCommands");
    assert_eq!(menus.len(), 4, "{menus:?}");
    assert!(
        menus
            .iter()
            .any(|c| c.body["language_code"] == "en" && c.body["commands"][0]["command"] == "near")
    );
    assert!(menus.iter().any(
        |c| c.body.get("language_code").is_none() && c.body["commands"][0]["command"] == "pres"
    ));

    // /start greets in the client's language.
    tg.text(1, "en", "/start");
    let got = tg.wait_for(1, 1, WAIT).await;
    assert!(got[0].0.contains("<b>Hello Ada!</b>"), "{}", got[0].0);
    // Its keyboard's first button shares the location.
    assert_eq!(
        got[0].1["keyboard"][0][0]["request_location"], true,
        "{}",
        got[0].1
    );

    // A proposal, with markup shown literally.
    tg.text(
        2,
        "fr",
        "/proposer <b>x</b> & _*[ | compost | geo:45.7745,4.8320 | Un bac",
    );
    let got = tg.wait_for(2, 1, WAIT).await;
    assert!(
        got[0].0.contains("« &lt;b&gt;x&lt;/b&gt; &amp; _*[ »"),
        "{}",
        got[0].0
    );
    let id = first_number(&got[0].0, '#');

    // A shared location lists it, with buttons; a button press supports it.
    tg.location(3, 45.7750, 4.8300);
    let got = tg.wait_for(3, 1, WAIT).await;
    assert!(
        got[0].0.contains(&format!("#{id} &lt;b&gt;x")),
        "{}",
        got[0].0
    );
    let data =
        FakeTelegram::button(&got[0].1, &format!("Soutenir #{id}")).expect("a support button");
    assert!(data.len() <= 64);
    tg.callback(3, &data);
    let got = tg.wait_for(3, 2, WAIT).await;
    assert!(got[1].0.contains("Merci ! Vous soutenez"), "{}", got[1].0);
    assert!(!tg.calls("answerCallbackQuery").is_empty());

    // A live location that moves only updates the stored position: no answer,
    // and /pres then searches around the new place.
    tg.live_location_moved(3, 48.8566, 2.3522);
    tg.text(3, "fr", "/pres 1km");
    let got = tg.wait_for(3, 3, WAIT).await;
    assert!(
        got[2].0.contains("Rien dans un rayon de 1 km"),
        "{}",
        got[2].0
    );
    tg.text(3, "fr", "/pres geo:45.7750,4.8300 1km");
    let got = tg.wait_for(3, 4, WAIT).await;
    assert!(got[3].0.contains("1 initiative(s)"), "{}", got[3].0);

    // A forged payload: a short answer, nothing else.
    tg.callback(3, "a:999999");
    tg.callback(3, "garbage");
    let got = tg.wait_for(3, 6, WAIT).await;
    assert!(
        got[4].0.contains("plus valable") && got[5].0.contains("plus valable"),
        "{got:?}"
    );

    // Stickers get the short help; group chatter is neither stored nor answered.
    tg.sticker(4);
    let got = tg.wait_for(4, 1, WAIT).await;
    assert!(got[0].0.contains("Je n'ai pas compris"), "{}", got[0].0);
    tg.group_text(-100, 4, "bonjour tout le monde");
    tg.text(4, "fr", "/aide");
    let got = tg.wait_for(4, 2, WAIT).await;
    assert!(got[1].0.contains("/proposer"));
    assert!(tg.sent_to(-100).is_empty());

    stop(child);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_and_restart_sends_no_reply_twice_and_misses_none() {
    let k = Install::new();
    let tg = FakeTelegram::start().await;
    let fast = [("KOHERO_TELEGRAM_RATE_CHAT", "20/s:5")];
    let mut child = serve(&k, &tg, &fast);
    started(&tg).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(tg.text(10 + i, "fr", "/proposer Idée | compost | - | -"));
    }
    for i in 0..5 {
        tg.wait_for(10 + i, 1, WAIT).await;
    }
    // The replies are recorded as sent (a crash between Telegram's acceptance
    // and that record sends again: at least once, which is not tested here).
    let db = rusqlite::Connection::open(k.dir.path().join("kohero.db")).unwrap();
    let deadline = std::time::Instant::now() + WAIT;
    while db
        .query_row(
            "SELECT count(*) FROM outbox WHERE status = 'pending'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
        > 0
    {
        assert!(std::time::Instant::now() < deadline, "replies not recorded");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // kill -9 before Telegram heard the confirming offset: it hands the same
    // updates again after the restart.
    child.kill9();
    tg.replay(&ids);
    tg.text(20, "fr", "/chercher idee");
    let child = serve(&k, &tg, &fast);
    let search = tg.wait_for(20, 1, WAIT).await;
    // Each proposal was made once.
    assert!(search[0].0.contains("5 initiative(s)"), "{}", search[0].0);
    tokio::time::sleep(Duration::from_millis(800)).await;
    for i in 0..5 {
        assert_eq!(
            tg.sent_to(10 + i).len(),
            1,
            "chat {} answered twice",
            10 + i
        );
    }
    assert_eq!(tg.sent_to(20).len(), 1);
    stop(child);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_429_5xx_and_blocked_users() {
    let k = Install::new();
    let tg = FakeTelegram::start().await;
    let child = serve(&k, &tg, &[]);
    started(&tg).await;

    // A 429 with retry_after: the reply arrives once, after the delay.
    tg.fail_next_send(Failure::TooManyRequests(1));
    let sent = std::time::Instant::now();
    tg.text(30, "fr", "/aide");
    let got = tg.wait_for(30, 1, WAIT).await;
    assert!(got[0].2 - sent >= Duration::from_secs(1));
    // A 500: retried, arrives once.
    tg.fail_next_send(Failure::ServerError);
    tg.text(31, "fr", "/aide");
    tg.wait_for(31, 1, WAIT).await;

    // Default limits (1/s per chat): five quick commands get five replies about a
    // second apart, and the fake answers no 429 of its own.
    let before = tg
        .calls("sendMessage")
        .iter()
        .filter(|c| c.status == 429)
        .count();
    for _ in 0..5 {
        tg.text(32, "fr", "/aide");
    }
    let got = tg.wait_for(32, 5, WAIT).await;
    for w in got.windows(2) {
        assert!(
            w[1].2 - w[0].2 >= Duration::from_millis(950),
            "{:?}",
            w[1].2 - w[0].2
        );
    }
    let after = tg
        .calls("sendMessage")
        .iter()
        .filter(|c| c.status == 429)
        .count();
    assert_eq!(before, after);

    // A user who blocked the bot: tried once, then marked unreachable.
    tg.block(33);
    tg.text(33, "fr", "/aide");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let tries = tg
        .calls("sendMessage")
        .iter()
        .filter(|c| c.body["chat_id"].as_i64() == Some(33))
        .count();
    assert_eq!(tries, 1);
    stop(child);
}

/// A raw HTTP/1.1 POST; returns the status code.
async fn post(addr: &str, path: &str, headers: &[(&str, &str)], body: &str) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out[9..12].parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_mode_checks_the_secret() {
    let k = Install::new();
    let tg = FakeTelegram::start().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let child = serve(
        &k,
        &tg,
        &[
            ("KOHERO_HTTP_ADDR", &addr),
            (
                "KOHERO_TELEGRAM_WEBHOOK_URL",
                "https://bot.example.org/telegram/webhook",
            ),
            ("KOHERO_TELEGRAM_WEBHOOK_SECRET", "s3cr3t-Token_1"),
        ],
    );
    // Registered with its secret; no long polling.
    let deadline = std::time::Instant::now() + WAIT;
    while tokio::net::TcpStream::connect(&addr).await.is_err() {
        assert!(std::time::Instant::now() < deadline, "no HTTP listener");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let hooks = tg.calls("setWebhook");
    assert_eq!(hooks.len(), 1);
    assert!(hooks[0].body.to_string().contains("s3cr3t-Token_1"));
    assert!(tg.calls("getUpdates").is_empty());

    let update = tg.text_update(40, "fr", "/aide").to_string();
    let secret = [("X-Telegram-Bot-Api-Secret-Token", "s3cr3t-Token_1")];
    let wrong = [("X-Telegram-Bot-Api-Secret-Token", "guess")];
    assert_eq!(post(&addr, "/telegram/webhook", &wrong, &update).await, 401);
    assert_eq!(post(&addr, "/telegram/webhook", &[], &update).await, 401);
    assert_eq!(
        post(&addr, "/telegram/webhook", &secret, "not json").await,
        400
    );
    assert_eq!(
        post(&addr, "/telegram/webhook", &secret, &update).await,
        200
    );
    // Telegram retries: the same update again is recognised.
    assert_eq!(
        post(&addr, "/telegram/webhook", &secret, &update).await,
        200
    );
    let got = tg.wait_for(40, 1, WAIT).await;
    assert!(got[0].0.contains("/proposer"));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(tg.sent_to(40).len(), 1);
    stop(child);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn project_groups() {
    let k = Install::new();
    let tg = FakeTelegram::start().await;
    let child = serve(&k, &tg, &[("KOHERO_TELEGRAM_RATE_CHAT", "20/s:5")]);
    started(&tg).await;
    tg.text(50, "fr", "/proposer Composteur | compost | - | -");
    let got = tg.wait_for(50, 1, WAIT).await;
    let id = first_number(&got[0].0, '#');
    tg.text(50, "fr", &format!("/lancer {id}"));
    let got = tg.wait_for(50, 2, WAIT).await;
    // The launch offers to create the group: an "add to group" link that links it.
    let add = got[1].1["inline_keyboard"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap())
        .find_map(|b| b["url"].as_str())
        .expect("an add-to-group button")
        .to_owned();
    assert!(
        add.contains(&format!("t.me/kohero_test_bot?startgroup=l{id}")),
        "{add}"
    );
    // Whoever adds the bot with the link makes the group: its owner.
    tg.set_status(-250, 50, "creator");
    tg.group_text(-250, 50, &format!("/start@kohero_test_bot l{id}"));
    let got = tg.wait_for(-250, 1, WAIT).await;
    assert!(
        got[0].0.contains("Ce groupe est maintenant celui de"),
        "{}",
        got[0].0
    );

    // In the group: a non-organiser cannot link; chatter and other bots' commands
    // get nothing; the organiser links; project commands work without the id.
    // Only the group's owner or an administrator links it (as getChatMember
    // says): the organiser as a mere member is refused, an anonymous
    // administrator (writing as the group) asked to write as themselves.
    tg.group_text(-199, 50, &format!("/lier {id}"));
    let got = tg.wait_for(-199, 1, WAIT).await;
    assert!(
        got[0].0.contains("administrateur·rices de ce groupe"),
        "{}",
        got[0].0
    );
    tg.anonymous_group_text(-199, &format!("/lier {id}"));
    let got = tg.wait_for(-199, 2, WAIT).await;
    assert!(got[1].0.contains("administrateur anonyme"), "{}", got[1].0);
    // Asked for the member, not for the anonymous administrator.
    let asked: Vec<_> = tg
        .calls("getChatMember")
        .into_iter()
        .filter(|c| c.body["chat_id"] == -199)
        .collect();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].body["user_id"], 50);
    // Repeated, the command is refused again without asking Telegram again
    // (updates are handled one after the other: a flooder must not stall them).
    tg.group_text(-199, 50, &format!("/lier {id}"));
    let got = tg.wait_for(-199, 3, WAIT).await;
    assert!(
        got[2].0.contains("administrateur·rices de ce groupe"),
        "{}",
        got[2].0
    );
    let again = tg
        .calls("getChatMember")
        .into_iter()
        .filter(|c| c.body["chat_id"] == -199)
        .count();
    assert_eq!(again, 1);
    tg.set_status(-200, 50, "creator");
    tg.set_status(-200, 51, "administrator");
    tg.group_text(-200, 51, &format!("/lier {id}"));
    let got = tg.wait_for(-200, 1, WAIT).await;
    assert!(got[0].0.contains("Seuls les organisateurs"), "{}", got[0].0);
    tg.group_text(-200, 51, "salut tout le monde");
    tg.group_text(-200, 51, "/start@some_other_bot");
    tg.group_text(-200, 50, &format!("/lier@kohero_test_bot {id}"));
    let got = tg.wait_for(-200, 2, WAIT).await;
    assert!(
        got[1].0.contains("Ce groupe est maintenant celui de"),
        "{}",
        got[1].0
    );
    tg.group_text(-200, 50, "/maj Le bac est livré");
    let got = tg.wait_for(-200, 3, WAIT).await;
    assert!(got[2].0.contains("Nouvelle publiée"), "{}", got[2].0);

    // An update made in private is posted in the group.
    tg.text(50, "fr", &format!("/maj {id} Premier apport <samedi>"));
    let got = tg.wait_for(-200, 4, WAIT).await;
    assert!(
        got[3].0.contains("📝") && got[3].0.contains("Premier apport &lt;samedi&gt;"),
        "{}",
        got[3].0
    );

    // Joining the project gives an invite link; the bot lets members in and
    // turns others away; leaving takes the person out.
    tg.text(52, "fr", &format!("/rejoindre {id}"));
    let got = tg.wait_for(52, 1, WAIT).await;
    assert!(got[0].0.contains("Bienvenue"), "{}", got[0].0);
    let link = got[0].1["inline_keyboard"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap())
        .find_map(|b| b["url"].as_str())
        .expect("an invite link button");
    assert!(link.contains("t.me/+join-200"), "{link}");
    let created = tg.calls("createChatInviteLink");
    assert_eq!(created[0].body["creates_join_request"], true);
    tg.join_request(-200, 52);
    tg.join_request(-200, 53);
    let deadline = std::time::Instant::now() + WAIT;
    while tg.calls("approveChatJoinRequest").is_empty()
        || tg.calls("declineChatJoinRequest").is_empty()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "join requests not answered"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(tg.calls("approveChatJoinRequest")[0].body["user_id"], 52);
    assert_eq!(tg.calls("declineChatJoinRequest")[0].body["user_id"], 53);
    tg.text(52, "fr", &format!("/quitter {id}"));
    while tg.calls("unbanChatMember").is_empty() {
        assert!(std::time::Instant::now() < deadline, "not removed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(tg.calls("banChatMember")[0].body["user_id"], 52);
    assert_eq!(tg.calls("unbanChatMember")[0].body["only_if_banned"], true);

    // The group becomes a supergroup: the link follows it.
    tg.migrate(-200, 50, -1_000_200);
    tg.text(50, "fr", &format!("/maj {id} Encore"));
    let got = tg.wait_for(-1_000_200, 1, WAIT).await;
    assert!(got[0].0.contains("Encore"), "{}", got[0].0);
    assert_eq!(tg.sent_to(-200).len(), 4);
    stop(child);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commune_forums_get_a_topic_per_project() {
    let k = Install::new();
    k.verify_town_hall("telegram:60", "69266");
    let tg = FakeTelegram::start().await;
    let child = serve(&k, &tg, &[("KOHERO_TELEGRAM_RATE_CHAT", "20/s:5")]);
    started(&tg).await;

    // Only the verified town hall links the forum to its commune.
    tg.set_status(-300, 61, "administrator");
    tg.set_status(-300, 60, "creator");
    tg.group_text(-300, 61, "/lier_commune 69266");
    let got = tg.wait_for(-300, 1, WAIT).await;
    assert!(
        got[0].0.contains("Seule une mairie vérifiée"),
        "{}",
        got[0].0
    );
    tg.group_text(-300, 60, "/lier_commune");
    let got = tg.wait_for(-300, 2, WAIT).await;
    assert!(
        got[1].0.contains("celui de Villeurbanne (69)"),
        "{}",
        got[1].0
    );

    // A project launched in the commune gets its topic; its news goes there.
    tg.text(
        62,
        "fr",
        "/proposer Vélo-école | mobility | Villeurbanne | -",
    );
    let got = tg.wait_for(62, 1, WAIT).await;
    let id = first_number(&got[0].0, '#');
    tg.text(62, "fr", &format!("/lancer {id}"));
    let deadline = std::time::Instant::now() + WAIT;
    while tg.calls("createForumTopic").is_empty() {
        assert!(std::time::Instant::now() < deadline, "no topic created");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let topic = &tg.calls("createForumTopic")[0];
    assert_eq!(topic.body["chat_id"], -300);
    assert!(topic.body["name"].as_str().unwrap().contains("Vélo-école"));
    tg.text(62, "fr", &format!("/maj {id} Première séance samedi"));
    let got = tg.wait_for(-300, 3, WAIT).await;
    assert!(got[2].0.contains("Première séance samedi"), "{}", got[2].0);
    let sent = tg.calls("sendMessage");
    let in_topic = sent
        .iter()
        .find(|c| {
            c.body["text"]
                .as_str()
                .is_some_and(|t| t.contains("Première séance"))
        })
        .unwrap();
    let thread = in_topic.body["message_thread_id"]
        .as_i64()
        .expect("sent in the topic");
    // In the topic, project commands need no number.
    tg.topic_text(-300, thread, 62, "/maj Deuxième séance mardi");
    let got = tg.wait_for(-300, 4, WAIT).await;
    assert!(got[3].0.contains("Nouvelle publiée"), "{}", got[3].0);
    let answered = tg.calls("sendMessage");
    let last = answered
        .iter()
        .rev()
        .find(|c| c.body["chat_id"] == -300)
        .unwrap();
    assert_eq!(last.body["message_thread_id"].as_i64(), Some(thread));
    stop(child);
}

/// Moderation through Telegram and the operator's command line, on the real
/// binary: reasons offered as buttons, hiding on three reports, the author's
/// appeal by button, the queue and « Garder » by button, a ban from the
/// command line refused at intake with its end, and its lifting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_reviews_and_bans() {
    let k = Install::new();
    let tg = FakeTelegram::start().await;
    let child = serve(&k, &tg, &[("KOHERO_TELEGRAM_RATE_CHAT", "20/s:5")]);
    started(&tg).await;
    k.run_ok(&["admin", "moderator", "add", "telegram:5"]);
    assert!(
        k.run_ok(&["admin", "moderator", "list"])
            .contains("telegram:5\teverywhere")
    );

    tg.text(
        1,
        "fr",
        "/proposer Vente « et ça ? » <b>promo</b> | autre | geo:45.7745,4.8320 | -",
    );
    let id = first_number(&tg.wait_for(1, 1, WAIT).await[0].0, '#');
    // No reason: five buttons, each within Telegram's 64 bytes.
    tg.text(2, "fr", &format!("/signaler {id}"));
    let got = tg.wait_for(2, 1, WAIT).await;
    let spam = FakeTelegram::button(&got[0].1, "Spam").expect("a Spam button");
    assert!(spam.len() <= 64);
    assert_eq!(
        got[0].1["inline_keyboard"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_array().unwrap().len())
            .sum::<usize>(),
        5,
        "{}",
        got[0].1
    );
    tg.callback(2, &spam);
    assert!(tg.wait_for(2, 2, WAIT).await[1].0.contains("Merci"));
    tg.text(
        3,
        "fr",
        &format!("/signaler {id} offensant c'est « insultant » 😡"),
    );
    assert!(tg.wait_for(3, 1, WAIT).await[0].0.contains("Merci"));
    tg.text(4, "en", &format!("/report #{id} off-topic"));
    assert!(tg.wait_for(4, 1, WAIT).await[0].0.contains("Thank you"));
    // Hidden on the third: its author is told, with the appeal as a button;
    // the moderator is alerted.
    let got = tg.wait_for(1, 2, WAIT).await;
    assert!(got[1].0.contains("masquée en attendant"), "{}", got[1].0);
    let appeal = FakeTelegram::button(&got[1].1, "Contester").expect("an appeal button");
    let alerts = tg.wait_for(5, 2, WAIT).await;
    assert!(
        alerts
            .iter()
            .any(|a| a.0.contains("masqué après plusieurs")),
        "{alerts:?}"
    );
    tg.location(6, 45.7750, 4.8300);
    assert!(!tg.wait_for(6, 1, WAIT).await[0].0.contains("Vente"));
    tg.callback(1, &appeal);
    assert!(tg.wait_for(1, 3, WAIT).await[2].0.contains("transmise"));

    // The operator sees the same queue from the command line.
    let queue = k.run_ok(&["admin", "reports"]);
    assert!(
        queue.contains(&format!("#{id}")) && queue.contains("Review requested ×1"),
        "{queue}"
    );
    // The moderator keeps it with the queue's button.
    tg.text(5, "fr", "/moderation");
    let got = tg.wait_for(5, 4, WAIT).await;
    let last = got.last().unwrap();
    assert!(last.0.contains("Signalements en attente : 1"), "{}", last.0);
    let keep = FakeTelegram::button(&last.1, "Garder").expect("a keep button");
    tg.callback(5, &keep);
    let got = tg.wait_for(5, 5, WAIT).await;
    assert!(got[4].0.contains("gardé"), "{}", got[4].0);
    assert!(tg.wait_for(1, 4, WAIT).await[3].0.contains("reste visible"));

    // A ban from the command line, told at once and at every command.
    k.run_ok(&[
        "admin",
        "ban",
        "telegram:1",
        "--days",
        "2",
        "--reason",
        "spam <répété>",
    ]);
    let got = tg.wait_for(1, 5, WAIT).await;
    assert!(
        got[4].0.contains("suspendu jusqu'au") && got[4].0.contains("spam &lt;répété&gt;"),
        "{}",
        got[4].0
    );
    tg.text(1, "fr", "/pres");
    assert!(tg.wait_for(1, 6, WAIT).await[5].0.contains("suspendu"));
    tg.text(1, "fr", "/mesdonnees");
    let got = tg.wait_for(1, 7, WAIT).await;
    assert!(
        got[6].0.contains("l&#39;équipe de modération")
            || got[6].0.contains("l'équipe de modération"),
        "{}",
        got[6].0
    );
    let bans = k.run_ok(&["admin", "bans"]);
    assert!(
        bans.starts_with("telegram:1\tuntil ") && bans.contains("spam <répété>"),
        "{bans}"
    );
    let log = k.run_ok(&["admin", "log"]);
    for action in ["hidden on reports", "review requested", "kept", "banned"] {
        assert!(log.contains(action), "{action}: {log}");
    }
    k.run_ok(&["admin", "unban", "telegram:1"]);
    assert!(
        tg.wait_for(1, 8, WAIT).await[7]
            .0
            .contains("levé votre suspension")
    );
    // Served again; the idea the ban hid stays hidden until a moderator keeps it.
    tg.text(1, "fr", "/pres geo:45.7750,4.8300 1km");
    let got = tg.wait_for(1, 9, WAIT).await;
    assert!(
        !got[8].0.contains("suspendu") && !got[8].0.contains("Vente"),
        "{}",
        got[8].0
    );
    k.run_ok(&["admin", "keep", &format!("#{id}")]);
    // Its author is told first (the notice is queued by the command line).
    assert!(
        tg.wait_for(1, 10, WAIT).await[9]
            .0
            .contains("reste visible")
    );
    // Its card shows again (the serving process's nearby index follows the
    // command line's write at its next catch-up, which the engine test covers).
    tg.text(1, "fr", &format!("/voir {id}"));
    let card = &tg.wait_for(1, 11, WAIT).await[10].0;
    assert!(
        card.contains("Vente") && !card.contains("Masquée"),
        "{card}"
    );
    // Refusals exit non-zero.
    assert!(
        !k.run(&["admin", "unban", "telegram:1"], b"")
            .status
            .success()
    );
    assert!(!k.run(&["admin", "hide", "X1"], b"").status.success());
    tg.assert_no_bad_requests();
    stop(child);
}

/// Waits until `done` holds, or fails saying `what`.
async fn until(what: &str, done: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + WAIT;
    while !done() {
        assert!(std::time::Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// What moderators hide leaves the project's group: the organiser's own
/// command (the bot is an administrator), the bot's copy of an update made
/// elsewhere; kept on review, the update is posted again. A message older
/// than Telegram's 48 hours cannot be deleted: Telegram says so once, and
/// Kohero goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hidden_updates_leave_the_project_group() {
    use kohero_tests::fake_telegram::BOT_ID;
    let k = Install::new();
    let tg = FakeTelegram::start().await;
    let child = serve(&k, &tg, &[("KOHERO_TELEGRAM_RATE_CHAT", "20/s:5")]);
    started(&tg).await;
    tg.text(50, "fr", "/proposer Composteur | compost | - | -");
    let id = first_number(&tg.wait_for(50, 1, WAIT).await[0].0, '#');
    tg.text(50, "fr", &format!("/lancer {id}"));
    tg.wait_for(50, 2, WAIT).await;
    tg.set_status(-300, 50, "creator");
    tg.set_status(-300, BOT_ID, "administrator");
    tg.group_text(-300, 50, &format!("/lier {id}"));
    tg.wait_for(-300, 1, WAIT).await;
    // U1, written in the group; U2, made in private and posted there.
    let u1 = tg.group_text(-300, 50, "/maj Le bac « déborde » 🌱");
    tg.wait_for(-300, 2, WAIT).await;
    let written = tg.message_id_of(u1);
    tg.text(50, "fr", &format!("/maj {id} Venez « et ça ? » <samedi>"));
    tg.wait_for(-300, 3, WAIT).await;
    let copy = tg.sent_ids(-300, |t| t.contains("samedi"));
    assert_eq!(copy.len(), 1);

    k.run_ok(&["admin", "hide", "U1", "--reason", "spam"]);
    until("the organiser's command deleted", || {
        tg.deleted(-300) == vec![written]
    })
    .await;
    k.run_ok(&["admin", "hide", "U2"]);
    until("the bot's copy deleted", || {
        tg.deleted(-300).contains(&copy[0])
    })
    .await;
    assert_eq!(tg.deleted(-300).len(), 2);
    // Kept on review: posted again.
    k.run_ok(&["admin", "keep", "U2"]);
    until("the update posted again", || {
        tg.sent_ids(-300, |t| t.contains("samedi")).len() == 2
    })
    .await;
    let sent = tg.sent_to(-300).len();

    // Too old: Telegram refuses once; nothing is retried, the group still
    // gets its messages.
    let u3 = tg.group_text(-300, 50, "/maj Vieille nouvelle");
    tg.wait_for(-300, sent + 1, WAIT).await;
    let old = tg.message_id_of(u3);
    tg.make_old(-300, old);
    k.run_ok(&["admin", "hide", "U3"]);
    let refused = || {
        tg.calls("deleteMessage")
            .into_iter()
            .filter(|c| c.body["message_id"].as_i64() == Some(old))
            .map(|c| c.status)
            .collect::<Vec<_>>()
    };
    until("the old message's deletion tried", || !refused().is_empty()).await;
    tg.group_text(-300, 50, "/membres");
    until("the group still answered", || {
        tg.sent_to(-300).len() == sent + 2
    })
    .await;
    assert_eq!(refused(), vec![400]);
    assert!(!tg.deleted(-300).contains(&old));
    stop(child);
}
