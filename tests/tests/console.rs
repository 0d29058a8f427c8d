//! End-to-end: several people use `kohero console` on one database across runs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kohero_tests::{Install, first_number};

const CROIX_ROUSSE: &str = "geo:45.7745,4.8320";

#[test]
fn a_fresh_database_holds_no_initiative() {
    let k = Install::new();
    let out = k.chat(
        "alice",
        &["/pres geo:45.7640,4.8357 100km", "/chercher compost"],
    );
    assert!(out.contains("Rien dans un rayon de 100 km"), "{out}");
    assert!(out.contains("Aucune initiative"), "{out}");
}

#[test]
fn people_propose_support_launch_join_update_and_meet() {
    let k = Install::new();
    // Alice starts the dialogue, and finishes it in a later run: its state is stored.
    let out = k.chat(
        "alice",
        &["/proposer", "Composteur partagé <b>rue Dumenge</b>"],
    );
    assert!(out.contains("Dans quelle catégorie"), "{out}");
    let out = k.chat(
        "alice",
        &[
            "compost",
            CROIX_ROUSSE,
            "Un bac de 600 L au pied de l'immeuble.",
        ],
    );
    assert!(out.contains("est publiée"), "{out}");
    let id = first_number(&out, '#');

    // Bob shares his location, sees it, and supports it with a numbered button.
    let out = k.chat("bob", &["geo:45.7750,4.8300", "2"]);
    assert!(
        out.contains(&format!("#{id} Composteur partagé <b>rue Dumenge</b>")),
        "{out}"
    );
    assert!(out.contains("160 m"), "{out}");
    assert!(out.contains("Merci ! Vous soutenez"), "{out}");

    // Only Alice may launch; then Bob, a supporter, is a follower and joins.
    let out = k.chat("bob", &[&format!("/lancer {id}")]);
    assert!(out.contains("Seuls les organisateurs"), "{out}");
    let out = k.chat("alice", &[&format!("/lancer {id}")]);
    assert!(out.contains("lancée en projet ! 1 soutien(s)"), "{out}");
    let out = k.chat("bob", &[&format!("/rejoindre #{id}")]);
    assert!(out.contains("Bienvenue"), "{out}");

    // Alice posts an update and an event (in three months: events are at
    // most two years ahead); Bob reads the feed and answers.
    let day = (chrono::Utc::now() + chrono::Duration::days(90)).date_naive();
    let out = k.chat(
        "alice",
        &[
            &format!("/maj {id} Le bac est livré ! Premier apport samedi."),
            &format!(
                "/evenement {id} Inauguration | {} 10:30 | {CROIX_ROUSSE}",
                day.format("%Y-%m-%d")
            ),
        ],
    );
    assert!(out.contains("Nouvelle publiée"), "{out}");
    let shown = format!("{} 10:30 (Europe/Paris)", day.format("%d/%m/%Y"));
    assert!(out.contains(&shown), "{out}");
    let event = first_number(&out[out.find("Événement").unwrap()..], 'E');
    let out = k.chat("bob", &["/fil", &format!("/participer E{event} oui")]);
    let update = out.find("Le bac est livré").expect(&out);
    let created = out.find("nouvelle idée").expect(&out);
    assert!(update < created, "newest first: {out}");
    assert!(out.contains("Réponse « oui » enregistrée"), "{out}");
    assert!(out.contains("Oui : 1 · Peut-être : 0 · Non : 0"), "{out}");

    // Alice renames it; Carol finds it by text, without accents.
    let out = k.chat(
        "alice",
        &[&format!(
            "/modifier {id} titre Composteur de la Croix-Rousse"
        )],
    );
    assert!(out.contains("est modifiée"), "{out}");
    let out = k.chat(
        "carol",
        &["/chercher composteur croix rousse", &format!("/voir {id}")],
    );
    assert!(out.contains("1 initiative(s)"), "{out}");
    assert!(out.contains("Organisation : alice"), "{out}");
    assert!(out.contains("Le bac est livré"), "{out}");
    assert!(out.contains("Inauguration"), "{out}");

    // Bob asks to be forgotten; his answer and membership go, the project stays.
    let out = k.chat("bob", &["/oublier", "oui"]);
    assert!(out.contains("Vos données sont effacées"), "{out}");
    let out = k.chat(
        "alice",
        &[&format!("/membres {id}"), &format!("/voir {id}")],
    );
    assert!(out.contains("1 personne(s)"), "{out}");
    assert!(!out.contains("bob"), "{out}");
    assert!(out.contains("Oui : 0"), "{out}");

    // Alice leaves: nobody is left to take over, the project stays visible.
    let out = k.chat("carol", &[&format!("/suivre {id}")]);
    assert!(out.contains("Vous suivez"), "{out}");
    let out = k.chat("alice", &[&format!("/quitter {id}")]);
    assert!(out.contains("Vous avez quitté"), "{out}");
    // Carol receives the offer in her next session and accepts it.
    let out = k.chat("carol", &[&format!("/accepter {id}")]);
    assert!(
        out.contains("📬") && out.contains("voulez-vous l'organiser"),
        "{out}"
    );
    assert!(out.contains("Vous organisez maintenant"), "{out}");
}

#[test]
fn bad_input_is_answered_and_writes_nothing() {
    let k = Install::new();
    let out = k.chat(
        "alice",
        &["/proposer Jardin | nature | geo:45.73,4.833 | Potager"],
    );
    let id = first_number(&out, '#');
    let long_title = "é".repeat(121);
    let out = k.chat(
        "mallory",
        &[
            "geo:91,4.8",
            "geo:45.7,181",
            "geo:NaN,4",
            "/pres geo:45,4 500km",
            "/voir 424242",
            "/voir -1",
            "/soutenir abc",
            &format!("/modifier {id} titre Volé"),
            &format!("/lancer {id}"),
            &format!("/proposer {long_title} | compost | - | x"),
            "/proposer \u{7}\u{1b} | compost | - | x",
            "/participer E999 oui",
            "7",
            "/n_importe_quoi",
            "bonjour",
        ],
    );
    for expected in [
        "hors limites",
        "ne reconnais pas ce lieu",
        "rayon maximum est de 100 km",
        "pas d'initiative #424242",
        "Utilisation : /voir",
        "Utilisation : /soutenir",
        "Seuls les organisateurs",
        "fait 121 caractères ; le maximum est 120",
        "Le titre ne peut pas être vide",
        "pas d'événement E999",
        "Je n'ai pas compris",
        "La commande /n_importe_quoi n'existe pas",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    let out = k.chat("alice", &[&format!("/voir {id}"), "/chercher vole"]);
    assert!(out.contains("Jardin") && !out.contains("Volé"), "{out}");
    assert!(out.contains("Aucune initiative"), "{out}");

    // A command in the middle of a dialogue.
    let out = k.chat(
        "mallory",
        &["/proposer", "Titre", "/voir 1", "/annuler", "/fil"],
    );
    assert!(out.contains("au milieu d'une démarche"), "{out}");
    assert!(out.contains("C'est annulé"), "{out}");

    // Markup and control characters: kept as typed, controls stripped.
    let out = k.chat(
        "alice",
        &["/proposer <script>x</script> & _*[\u{1b}[31m | other | - | -"],
    );
    assert!(out.contains("« <script>x</script> & _*[[31m »"), "{out}");
}

#[test]
fn any_input_ends_with_exit_zero() {
    let k = Install::new();
    for input in [
        &b""[..],
        b"\xff\xfe\x00garbage\n/aide\n",
        b"/aide",
        b"\n\n\n",
    ] {
        let out = k.run(&["console", "--as", "x"], input);
        assert!(out.status.success(), "{input:?}: {out:?}");
        assert!(
            out.stderr.is_empty() || !String::from_utf8_lossy(&out.stderr).contains("panicked")
        );
    }
    let out = k.run(&["console", "--as", "x"], b"\xff\xfe\n/aide\n");
    assert!(String::from_utf8_lossy(&out.stdout).contains("/proposer"));
}

#[test]
fn english_speakers_get_english() {
    let k = Install::new();
    let out = k.chat_with(
        &["console", "--as", "ada", "--lang", "en"],
        &["/help", "/show 3"],
    );
    assert!(out.contains("Discover"), "{out}");
    assert!(out.contains("There is no initiative #3"), "{out}");
    // The language is remembered.
    let out = k.chat("ada", &["/voir 3"]);
    assert!(out.contains("There is no initiative #3"), "{out}");
}

#[test]
fn demo_data_is_labelled_and_added_once() {
    let k = Install::new();
    let out = k.run(&["demo-data"], b"");
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Added 8"));
    let out = k.run(&["demo-data"], b"");
    assert!(String::from_utf8_lossy(&out.stdout).contains("already present"));
    let out = k.chat("visitor", &["geo:45.7640,4.8357", "/chercher repair cafe"]);
    assert!(
        out.contains("[Démo] Repair Café de la Guillotière"),
        "{out}"
    );
    assert!(out.contains("dans un rayon de 5 km"), "{out}");
}

#[test]
fn operators_verify_organisations() {
    let k = Install::new();
    k.verify_town_hall("console:mairie", "69266");
    let out = k.chat("mairie", &["/profil"]);
    assert!(out.contains("Mairie · vérifié (69266)"), "{out}");
    let out = k.run(&["admin", "verify", "console:x", "municipality"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--commune"));
    let out = k.run(&["admin", "verify", "nocolon", "association"], b"");
    assert!(String::from_utf8_lossy(&out.stderr).contains("NETWORK:ID"));
    let out = k.run(
        &[
            "admin",
            "verify",
            "console:x",
            "association",
            "--commune",
            "123",
        ],
        b"",
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("INSEE"));
    let out = k.run(&["admin", "unverify", "console:mairie"], b"");
    assert!(out.status.success());
    assert!(k.chat("mairie", &["/profil"]).contains("non vérifié"));
}

#[test]
fn places_by_commune_name_and_postcode() {
    let k = Install::new();
    k.chat(
        "org",
        &[
            "/proposer Compost des Gratte-Ciel | compost | geo:45.7700,4.8800 | -",
            "/proposer AMAP de Cusset | food | geo:45.7650,4.9000 | -",
            "/proposer Repair Café : réparation | repair | Villeurbanne | Vélos",
            "/proposer Jardin de Vaise | nature | geo:45.7750,4.8050 | -",
        ],
    );
    let out = k.chat(
        "me",
        &[
            "/pres Villeurbanne",
            "/pres 69100 2km compost",
            "/chercher CAFE reparation",
            "/pres saint denis",
        ],
    );
    assert!(out.contains("autour de Villeurbanne (69)"), "{out}");
    let repair = out.find("Repair Café").unwrap();
    let compost = out.find("Compost des Gratte-Ciel").unwrap();
    let amap = out.find("AMAP de Cusset").unwrap();
    assert!(repair < compost && compost < amap, "distance order: {out}");
    let second = &out[out.find("dans un rayon de 2 km").unwrap()..];
    assert!(
        second.starts_with("dans un rayon de 2 km autour de Villeurbanne (69) :\n• #1 Compost"),
        "{second}"
    );
    assert!(
        out.contains("1 initiative(s) pour « CAFE reparation »"),
        "{out}"
    );
    assert!(
        out.contains("Plusieurs communes s'appellent « saint denis »"),
        "{out}"
    );
    assert!(out.contains("(/pres Saint-Denis 93)"), "{out}");
}
