//! End-to-end: municipality digests through the real `kohero serve` and the
//! fake Telegram Bot API, queued by `kohero digest INSEE --now` from another
//! process, with a `kill -9` in the middle of the delivery.
//!
//! 40 readers at 10 messages/s by default; `KOHERO_TEST_DIGEST_READERS=10000
//! KOHERO_TEST_DIGEST_RATE=300` (and `KOHERO_BIN` pointing at a release build)
//! runs the 10,000-reader crash (figures in docs/benchmarks.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use kohero_tests::fake_telegram::{FakeTelegram, TOKEN};
use kohero_tests::{Install, Served, first_number, stop};

const WAIT: Duration = Duration::from_secs(30);

fn readers() -> i64 {
    std::env::var("KOHERO_TEST_DIGEST_READERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40)
}

/// Messages a second: slow enough to stop the process halfway through.
fn rate() -> u64 {
    std::env::var("KOHERO_TEST_DIGEST_RATE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10)
}

fn serve(k: &Install, tg: &FakeTelegram) -> Served {
    let url = tg.url();
    let rate = format!("{}/s:1", rate());
    k.serve(&[
        ("KOHERO_TELEGRAM_TOKEN", TOKEN),
        ("KOHERO_TELEGRAM_API_URL", url.as_str()),
        ("KOHERO_TELEGRAM_RATE_GLOBAL", rate.as_str()),
    ])
}

/// Digests received by each reader so far.
fn digests(tg: &FakeTelegram) -> BTreeMap<i64, usize> {
    let mut got: BTreeMap<i64, usize> = (0..readers()).map(|r| (1000 + r, 0)).collect();
    for c in tg.calls("sendMessage") {
        let text = c.body["text"].as_str().unwrap_or_default();
        if c.status != 200 || !(text.contains("La lettre de") || text.contains("digest —")) {
            continue;
        }
        if let Some(n) = c.body["chat_id"]
            .as_i64()
            .and_then(|chat| got.get_mut(&chat))
        {
            *n += 1;
        }
    }
    got
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_digest_reaches_every_reader_once_across_a_crash() {
    let k = Install::new();
    k.verify_town_hall("telegram:70", "69266");
    // Without a verified municipality, the command line says so.
    let out = k.run(&["digest", "75056", "--now"], b"");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no verified municipality"));

    let tg = FakeTelegram::start().await;
    tg.set_global_limit(usize::try_from(rate()).unwrap().max(30));
    let mut child = serve(&k, &tg);
    let n = readers();
    // Every subscription is answered before the proposal is.
    let setup = WAIT + Duration::from_secs(2 * n.unsigned_abs() / rate());
    for r in 0..n {
        let lang = if r % 4 == 0 { "en" } else { "fr" };
        tg.text(1000 + r, lang, "/abonner Villeurbanne");
    }
    tg.text(
        71,
        "fr",
        "/proposer Composteur | compost | Villeurbanne | Un bac",
    );
    let got = tg.wait_for(71, 1, setup).await;
    let id = first_number(&got[0].0, '#');
    tg.text(71, "fr", &format!("/lancer {id}"));
    tg.text(71, "fr", &format!("/maj {id} Le bac est livré"));
    tg.wait_for(71, 3, setup).await;
    // Every reader answered (one pass over the deliveries, not one per reader).
    let deadline = Instant::now() + setup;
    loop {
        let answered: std::collections::HashSet<i64> =
            tg.deliveries_since(0).into_iter().map(|d| d.0).collect();
        if (0..n).all(|r| answered.contains(&(1000 + r))) {
            break;
        }
        assert!(Instant::now() < deadline, "subscriptions not all answered");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The town hall's own chat says when its digest goes.
    tg.text(70, "fr", "/digest 0 9 * * lun");
    let got = tg.wait_for(70, 1, WAIT).await;
    assert!(got[0].0.contains("Prochain envoi"), "{}", got[0].0);

    // Queued from another process; the running serve delivers it.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let out = k.run(&["digest", "69266", "--now"], b"");
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("{n} message(s)")),
        "{out:?}"
    );
    // kill -9 once about a quarter is delivered.
    let deadline = Instant::now() + WAIT;
    while digests(&tg).values().sum::<usize>() < n as usize / 4 {
        assert!(Instant::now() < deadline, "the digest does not go out");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.kill9();
    let before = digests(&tg).values().sum::<usize>();
    assert!(before < n as usize, "killed too late: {before}");
    let child = serve(&k, &tg);
    // The sends in flight at the crash stay claimed until their lease (60 s)
    // runs out, then go again.
    let deadline = Instant::now() + Duration::from_secs(100 + n.unsigned_abs() / rate());
    while digests(&tg).values().any(|n| *n == 0) {
        assert!(Instant::now() < deadline, "{:?}", digests(&tg));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let counts = digests(&tg);
    let twice = counts.values().filter(|n| **n > 1).count();
    assert!(counts.values().all(|n| *n <= 2), "{counts:?}");
    // At most the sends in flight at the crash went twice.
    assert!(twice <= 16, "{twice} readers got it twice: {counts:?}");
    println!(
        "digest crash: {n} readers, {before} delivered before kill -9, all {n} after the restart, {twice} twice"
    );

    // Each in their language, with buttons.
    let fr = &tg.sent_to(1001);
    let d = fr.iter().find(|m| m.0.contains("La lettre de")).unwrap();
    assert!(d.0.contains("Le bac est livré"), "{}", d.0);
    assert!(FakeTelegram::button(&d.1, "Suivre").is_some(), "{}", d.1);
    let en = &tg.sent_to(1000);
    let d = en.iter().find(|m| m.0.contains("digest —")).unwrap();
    assert!(d.0.contains("Project launched"), "{}", d.0);
    // Someone far away hears nothing.
    assert!(tg.sent_to(71).iter().all(|m| !m.0.contains("La lettre")));
    stop(child);
}
