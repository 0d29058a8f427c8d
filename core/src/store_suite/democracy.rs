//! The conformance suite of one port (see `ports::democracy`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Duration;

use super::{actor, initiative, t0};
use crate::domain::*;
use crate::ports::{Store, StoreError};

pub async fn town_answers(store: &dyn Store) {
    let mairie = actor(store, "mairie").await;
    let org = actor(store, "org").await;
    let i = initiative(store, org.id, "Rue piétonne", None).await;
    let j = initiative(store, org.id, "Bancs", None).await;
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.town_answer(i.id).await.unwrap(), None);
    let mut a = TownAnswer {
        initiative: i.id,
        municipality: Some(mairie.id),
        status: AnswerStatus::Studying,
        text: "Étude en cours, « et ça ? » 🚲".into(),
        answered_at: t0(),
        updated_at: t0(),
    };
    tx.save_town_answer(&a).await.unwrap();
    assert_eq!(tx.town_answer(i.id).await.unwrap(), Some(a.clone()));
    // Updated in place: the first date stays.
    a.status = AnswerStatus::Accepted;
    a.text = "Retenue au conseil".into();
    a.updated_at = t0() + Duration::days(3);
    let mut written = a.clone();
    written.answered_at = t0() + Duration::days(3);
    tx.save_town_answer(&written).await.unwrap();
    assert_eq!(tx.town_answer(i.id).await.unwrap(), Some(a.clone()));
    assert_eq!(
        tx.town_answers_since(&[i.id, j.id], t0() + Duration::days(1))
            .await
            .unwrap(),
        vec![a.clone()]
    );
    assert!(
        tx.town_answers_since(&[i.id], t0() + Duration::days(4))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        tx.save_town_answer(&TownAnswer {
            initiative: InitiativeId(999_999),
            ..a.clone()
        })
        .await,
        Err(StoreError::NotFound(_))
    ));
    // Thresholds and flags: an idea flagged once.
    assert_eq!(tx.support_threshold(mairie.id).await.unwrap(), None);
    tx.set_support_threshold(mairie.id, Some(50), t0())
        .await
        .unwrap();
    tx.set_support_threshold(mairie.id, Some(30), t0())
        .await
        .unwrap();
    assert_eq!(tx.support_threshold(mairie.id).await.unwrap(), Some(30));
    assert!(tx.flag_initiative(mairie.id, j.id, 30, t0()).await.unwrap());
    assert!(
        !tx.flag_initiative(mairie.id, j.id, 31, t0() + Duration::hours(1))
            .await
            .unwrap()
    );
    assert!(
        tx.flag_initiative(mairie.id, i.id, 40, t0() + Duration::days(2))
            .await
            .unwrap()
    );
    let flag = |i: InitiativeId, supporters, at| ThresholdFlag {
        municipality: mairie.id,
        initiative: i,
        supporters,
        at,
    };
    assert_eq!(
        tx.flags_since(&[mairie.id, org.id], t0()).await.unwrap(),
        vec![
            flag(j.id, 30, t0()),
            flag(i.id, 40, t0() + Duration::days(2))
        ]
    );
    assert!(tx.flags_since(&[org.id], t0()).await.unwrap().is_empty());
    assert_eq!(
        tx.flags_since(&[mairie.id], t0() + Duration::days(1))
            .await
            .unwrap(),
        vec![flag(i.id, 40, t0() + Duration::days(2))]
    );
    tx.set_support_threshold(mairie.id, None, t0())
        .await
        .unwrap();
    assert_eq!(tx.support_threshold(mairie.id).await.unwrap(), None);

    // The municipality gone, the answer stays.
    tx.delete_actor(mairie.id).await.unwrap();
    assert_eq!(
        tx.town_answer(i.id).await.unwrap().unwrap().municipality,
        None
    );
    tx.commit().await.unwrap();
}
