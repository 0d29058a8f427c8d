//! The command parser's tests.
use super::*;

fn cmd(s: &str) -> Command {
    match parse(s) {
        Ok(Parsed::Command(c)) => c,
        other => panic!("{s}: {other:?}"),
    }
}

#[test]
fn french_and_english_aliases() {
    assert_eq!(cmd("/aide"), Command::Help);
    assert_eq!(cmd("/help"), Command::Help);
    assert_eq!(cmd("!aide"), Command::Help);
    assert_eq!(cmd("/aide@kohero_bot"), Command::Help);
    assert_eq!(cmd("/voir #42"), Command::Show(InitiativeId(42)));
    assert_eq!(cmd("/show 42"), Command::Show(InitiativeId(42)));
    assert_eq!(cmd("/SOUTENIR 3"), Command::Support(InitiativeId(3)));
    assert_eq!(cmd("/mesdonnees"), Command::MyData);
    assert_eq!(cmd("/évènement 4"), Command::Event(InitiativeId(4), None));
}

#[test]
fn bare_location_is_near() {
    let Command::Near(a) = cmd("geo:45.7660,4.8795") else {
        panic!()
    };
    assert!(matches!(a.place, Some(PlaceArg::Point(_))));
    assert!(matches!(
        parse("geo:200,4"),
        Err(ParseError::BadLocation(GeoError::OutOfRange))
    ));
    assert!(matches!(
        parse("geo:nan,4"),
        Err(ParseError::BadLocation(GeoError::Syntax))
    ));
}

#[test]
fn areas() {
    let Command::Near(a) = cmd("/pres 69100 2km compost p2") else {
        panic!()
    };
    assert_eq!(a.place, Some(PlaceArg::Name("69100".into())));
    assert_eq!(a.radius_m, Some(2000));
    assert_eq!(a.categories, vec![Category::Compost]);
    assert_eq!(a.page, 1);
    let Command::Near(a) = cmd("/pres Villeurbanne projets") else {
        panic!()
    };
    assert_eq!(a.kind, Some(InitiativeKind::Project));
    assert_eq!(a.place, Some(PlaceArg::Name("Villeurbanne".into())));
    assert_eq!(
        parse("/pres geo:45,4 500km"),
        Err(ParseError::RadiusTooLarge)
    );
    assert!(matches!(parse("/pres 3xm"), Err(ParseError::BadRadius(_))));
    let Command::Subscribe(a) = cmd("/abonner geo:45,4 3km compost,food") else {
        panic!()
    };
    assert_eq!(a.categories, vec![Category::Compost, Category::Food]);
}

#[test]
fn ids_and_usage() {
    assert_eq!(parse("/voir"), Err(ParseError::Usage(Name::Show)));
    assert_eq!(parse("/voir abc"), Err(ParseError::Usage(Name::Show)));
    assert_eq!(parse("/voir -3"), Err(ParseError::Usage(Name::Show)));
    assert_eq!(parse("/voir 0"), Err(ParseError::Usage(Name::Show)));
    assert_eq!(
        parse("/voir 99999999999999999999"),
        Err(ParseError::Usage(Name::Show))
    );
    assert_eq!(
        cmd("/participer e7 peut-être"),
        Command::Rsvp(EventId(7), RsvpAnswer::Maybe)
    );
    assert_eq!(
        parse("/participer 7 bof"),
        Err(ParseError::Usage(Name::Rsvp))
    );
    assert_eq!(
        cmd("/maj 4 On a  planté\nles bulbes"),
        Command::Update(InitiativeId(4), "On a  planté\nles bulbes".into())
    );
    assert_eq!(parse("/maj 4"), Err(ParseError::Usage(Name::Update)));
    assert!(matches!(
        parse("/frobnicate"),
        Err(ParseError::UnknownCommand(_))
    ));
}

#[test]
fn propose_forms() {
    assert_eq!(cmd("/proposer"), Command::Propose(vec![]));
    assert_eq!(
        cmd("/proposer Composteur | compost | geo:45,4 | Un bac"),
        Command::Propose(vec![
            "Composteur".into(),
            "compost".into(),
            "geo:45,4".into(),
            "Un bac".into()
        ])
    );
    assert_eq!(
        cmd("/modifier 3 titre Nouveau titre"),
        Command::Edit(
            InitiativeId(3),
            Some((EditField::Title, "Nouveau titre".into()))
        )
    );
}

#[test]
fn default_ids_in_project_chats() {
    let id = InitiativeId(42);
    assert_eq!(with_default_id("/maj Le bac", id), "/maj 42 Le bac");
    assert_eq!(with_default_id("/maj 7 Le bac", id), "/maj 7 Le bac");
    assert_eq!(
        with_default_id("/membres@kohero_bot", id),
        "/membres@kohero_bot 42"
    );
    assert_eq!(with_default_id("/projet", id), "/projet 42");
    assert_eq!(with_default_id("/aide", id), "/aide");
    assert_eq!(with_default_id("/signaler spam", id), "/signaler 42 spam");
    assert_eq!(
        with_default_id("/signaler U15 spam", id),
        "/signaler U15 spam"
    );
    assert_eq!(with_default_id("/contester", id), "/contester 42");
    assert_eq!(cmd("/lier #42"), Command::Link(InitiativeId(42)));
}

#[test]
fn digests_announcements_and_alerts() {
    assert_eq!(cmd("/digest"), Command::Digest(DigestArg::Show));
    assert_eq!(
        cmd("/digest 0 9 * * lun Europe/Paris"),
        Command::Digest(DigestArg::Set("0 9 * * lun Europe/Paris".into()))
    );
    assert_eq!(cmd("/lettre non"), Command::Digest(DigestArg::Off));
    assert_eq!(cmd("/digest now"), Command::Digest(DigestArg::Now));
    assert_eq!(
        cmd("/annonce Marché <b>samedi</b>"),
        Command::Announce {
            now: false,
            text: "Marché <b>samedi</b>".into()
        }
    );
    assert_eq!(
        cmd("/announce now Road closed"),
        Command::Announce {
            now: true,
            text: "Road closed".into()
        }
    );
    assert_eq!(
        parse("/annonce maintenant"),
        Err(ParseError::Usage(Name::Announce))
    );
    assert_eq!(cmd("/alertes"), Command::Alerts(AlertsArg::Show));
    assert_eq!(cmd("/alerts off"), Command::Alerts(AlertsArg::Off));
    assert_eq!(
        cmd("/alertes calme 22h30-7h"),
        Command::Alerts(AlertsArg::Quiet(Some((22 * 60 + 30, 7 * 60))))
    );
    assert_eq!(
        cmd("/alertes calme non"),
        Command::Alerts(AlertsArg::Quiet(None))
    );
    assert_eq!(
        parse("/alertes calme 25-8"),
        Err(ParseError::Usage(Name::Alerts))
    );
}

#[test]
fn plain_text() {
    assert_eq!(parse("bonjour"), Ok(Parsed::Text("bonjour".into())));
}

#[test]
fn reports_appeals_and_moderation() {
    use crate::domain::{ActorId, UpdateId};
    let t = Target::Initiative(InitiativeId(42));
    assert_eq!(
        cmd("/signaler #42"),
        Command::Report {
            target: t,
            reason: None,
            text: None
        }
    );
    assert_eq!(
        cmd("/report 42 Hors-Sujet « et ça ? » 🙂"),
        Command::Report {
            target: t,
            reason: Some(Reason::OffTopic),
            text: Some("« et ça ? » 🙂".into())
        }
    );
    // Free text alone is "other"; the text keeps its apostrophes.
    assert_eq!(
        cmd("/signaler u15 c'est mon adresse"),
        Command::Report {
            target: Target::Update(UpdateId(15)),
            reason: Some(Reason::Other),
            text: Some("c'est mon adresse".into())
        }
    );
    assert_eq!(
        cmd("/appeal A3"),
        Command::Appeal(Target::Actor(ActorId(3)))
    );
    for bad in [
        "/signaler",
        "/signaler X1 spam",
        "/contester",
        "/contester 1 2",
    ] {
        assert!(matches!(parse(bad), Err(ParseError::Usage(_))), "{bad}");
    }
    assert_eq!(cmd("/moderation"), Command::Moderation(ModArg::List));
    assert_eq!(cmd("/moderate log"), Command::Moderation(ModArg::Log));
    assert_eq!(
        cmd("/moderation masquer 42 numéro de téléphone"),
        Command::Moderation(ModArg::Hide(t, Some("numéro de téléphone".into())))
    );
    assert_eq!(
        cmd("/moderation bannir 42"),
        Command::Moderation(ModArg::Ban(t, Some(DEFAULT_BAN_DAYS), None))
    );
    assert_eq!(
        cmd("/moderation bannir 42 7j spam répété"),
        Command::Moderation(ModArg::Ban(t, Some(7), Some("spam répété".into())))
    );
    assert_eq!(
        cmd("/moderate ban 42 forever"),
        Command::Moderation(ModArg::Ban(t, None, None))
    );
    assert_eq!(
        cmd("/moderation bannir 42 pour spam"),
        Command::Moderation(ModArg::Ban(
            t,
            Some(DEFAULT_BAN_DAYS),
            Some("pour spam".into())
        ))
    );
    for bad in [
        "/moderation bannir 42 0",
        "/moderation bannir 42 99999",
        "/moderation garder 42 oui",
        "/moderation supprimer 42",
        "/moderation masquer",
        "/moderation journal 3",
    ] {
        assert!(
            matches!(parse(bad), Err(ParseError::Usage(Name::Moderation))),
            "{bad}"
        );
    }
}

#[test]
fn account_links() {
    assert_eq!(cmd("/lier_compte"), Command::LinkAccount(LinkArg::Ask));
    assert_eq!(
        cmd("/lier_compte 123 456"),
        Command::LinkAccount(LinkArg::Code("123456".into()))
    );
    assert_eq!(
        cmd("!link-account 012-345"),
        Command::LinkAccount(LinkArg::Code("012345".into()))
    );
    assert_eq!(
        cmd("/lier_compte Oui"),
        Command::LinkAccount(LinkArg::Confirm)
    );
    assert_eq!(
        cmd("/lier_compte refuser"),
        Command::LinkAccount(LinkArg::Refuse)
    );
    for bad in [
        "/lier_compte 12345",
        "/lier_compte 1234567",
        "/lier_compte １２３４５６",
        "/lier_compte « et ça ? »",
        "/lier_compte oui 123456",
    ] {
        assert_eq!(
            parse(bad),
            Err(ParseError::Usage(Name::LinkAccount)),
            "{bad}"
        );
    }
    assert_eq!(cmd("/delier_compte"), Command::UnlinkAccount(None));
    assert_eq!(
        cmd("/unlink_account Matrix"),
        Command::UnlinkAccount(Some("matrix".into()))
    );
    assert_eq!(
        cmd("/profil réseau Télégram"),
        Command::NotifyNetwork("telegram".into())
    );
}

#[test]
fn needs_offers_actors_and_teams() {
    let day = chrono::NaiveDate::from_ymd_opt(2027, 4, 12);
    assert_eq!(
        cmd("/besoin #42 Bénévoles 5 | samedi 12 avril, 9h-12h | jusqu’au 12/04/2027"),
        Command::Need {
            initiative: InitiativeId(42),
            kind: NeedKind::Volunteers,
            quantity: Some(5),
            detail: Some("samedi 12 avril, 9h-12h".into()),
            until: day,
        }
    );
    assert_eq!(
        cmd("/need 42 funding 500€ | until 2027-04-12"),
        Command::Need {
            initiative: InitiativeId(42),
            kind: NeedKind::Funding,
            quantity: Some(500),
            detail: None,
            until: day,
        }
    );
    assert_eq!(cmd("/besoin b5 fermer"), Command::CloseNeed(NeedId(5)));
    for bad in [
        "/besoin 42",
        "/besoin 42 pizza",
        "/besoin 42 benevoles 0",
        "/besoin 42 benevoles -3",
        "/besoin 42 benevoles ٣",
        "/besoin 42 benevoles 1e3",
        "/besoin 42 benevoles 99999999999999",
        "/besoin 42 lieu | a | b",
        "/contribuer",
        "/contribuer pas-un-id",
    ] {
        assert!(parse(bad).is_err(), "{bad}");
    }
    assert_eq!(
        cmd("/contribuer B5 J'apporte « des gants » 🧤"),
        Command::Contribute(
            ContributeTo::Need(NeedId(5)),
            Some("J'apporte « des gants » 🧤".into())
        )
    );
    assert_eq!(cmd("/accepter o7"), Command::AnswerOffer(OfferId(7), true));
    assert_eq!(cmd("/accepter 42"), Command::Accept(InitiativeId(42)));
    assert_eq!(cmd("/voir A12"), Command::ShowActor(ActorId(12)));
    assert_eq!(cmd("/suivre a12"), Command::FollowActor(ActorId(12), true));
    assert_eq!(
        cmd("/quitter A12"),
        Command::FollowActor(ActorId(12), false)
    );
    assert_eq!(
        cmd("/equipe accepter A12"),
        Command::Team(TeamArg::Accept("A12".into()))
    );
    assert!(matches!(
        cmd("/acteurs Villeurbanne mairies 3km"),
        Command::Actors(_, Some(ActorKind::Municipality))
    ));
    assert!(matches!(
        cmd("/besoins La Salle"),
        Command::Needs(Area { place: Some(PlaceArg::Name(ref n)), .. }, None) if n == "La Salle"
    ));
    // In a linked group, the project's id is added; a need's id stays.
    assert_eq!(
        with_default_id("/besoin benevoles 3", InitiativeId(9)),
        "/besoin 9 benevoles 3"
    );
    assert_eq!(
        with_default_id("/besoin B5 fermer", InitiativeId(9)),
        "/besoin B5 fermer"
    );
    assert_eq!(
        with_default_id("/maj B12 est arrivé", InitiativeId(9)),
        "/maj 9 B12 est arrivé"
    );
}

#[test]
fn consultations_votes_and_results() {
    let date = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    assert_eq!(
        cmd(
            "/consultation Faut-il piétonniser la rue Pasteur le dimanche ? | Oui | Non | Seulement l'été | jusqu'au 2027-01-15"
        ),
        Command::Consultation(ConsultationArg::New {
            question: "Faut-il piétonniser la rue Pasteur le dimanche ?".into(),
            options: vec!["Oui".into(), "Non".into(), "Seulement l'été".into()],
            multiple: false,
            until: date(2027, 1, 15),
            now: false,
        })
    );
    assert_eq!(
        cmd(
            "/consult Quels jours ? 🚲 | Lundi | Mardi | plusieurs | jusqu’au 15/01/2027 maintenant"
        ),
        Command::Consultation(ConsultationArg::New {
            question: "Quels jours ? 🚲".into(),
            options: vec!["Lundi".into(), "Mardi".into()],
            multiple: true,
            until: date(2027, 1, 15),
            now: true,
        })
    );
    // Empty options reach the engine, which says what is wrong.
    assert_eq!(
        cmd("/consultation Q | | Non | until 2027-01-15"),
        Command::Consultation(ConsultationArg::New {
            question: "Q".into(),
            options: vec![String::new(), "Non".into()],
            multiple: false,
            until: date(2027, 1, 15),
            now: false,
        })
    );
    assert_eq!(
        cmd("/consultation"),
        Command::Consultation(ConsultationArg::List)
    );
    assert_eq!(
        cmd("/consultation C3"),
        Command::Consultation(ConsultationArg::Show(ConsultationId(3)))
    );
    assert_eq!(
        cmd("/consultation c3 clore"),
        Command::Consultation(ConsultationArg::Close(ConsultationId(3)))
    );
    assert_eq!(
        cmd("/voir C3"),
        Command::Consultation(ConsultationArg::Show(ConsultationId(3)))
    );
    for bad in [
        "/consultation Q | Oui | Non",
        "/consultation Q | Oui | Non | jusqu'au demain",
        "/consultation Q | Oui | Non | jusqu'au 2027-02-30",
        "/consultation C3 supprimer",
        "/consultation « et ça ? »",
        "/voter",
        "/voter C3",
        "/voter C3 oui",
        "/voter 3 1",
        "/voter C0 1",
        "/resultats",
        "/resultats 3",
        "/resultats C3 C4",
    ] {
        assert!(
            matches!(parse(bad), Err(ParseError::Usage(_))),
            "{bad}: {:?}",
            parse(bad)
        );
    }
    assert_eq!(
        cmd("/voter C3 2"),
        Command::Vote(ConsultationId(3), VoteArg::Set(vec![2]))
    );
    assert_eq!(
        cmd("/vote c3 1, 3"),
        Command::Vote(ConsultationId(3), VoteArg::Set(vec![1, 3]))
    );
    assert_eq!(
        cmd("/voter C3 +2"),
        Command::Vote(ConsultationId(3), VoteArg::Toggle(2))
    );
    assert_eq!(
        cmd("/voter C3 retirer"),
        Command::Vote(ConsultationId(3), VoteArg::Withdraw)
    );
    assert_eq!(cmd("/résultats C3"), Command::Results(ConsultationId(3)));
    assert_eq!(cmd("/results c3"), Command::Results(ConsultationId(3)));
}
