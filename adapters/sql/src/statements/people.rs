//! Statements of [`People`](kohero_core::ports::People) (both stores).

/// [`People::actor_by_identity`](kohero_core::ports::People::actor_by_identity).
pub const ACTOR_BY_IDENTITY: &str =
    "SELECT a.* FROM actors a JOIN identities i ON i.actor_id = a.id
    WHERE i.network = ?1 AND i.external_id = ?2";

/// [`People::actor`](kohero_core::ports::People::actor).
pub const ACTOR: &str = "SELECT * FROM actors WHERE id = ?1";

/// [`People::update_actor`](kohero_core::ports::People::update_actor).
pub const UPDATE_ACTOR: &str =
    "UPDATE actors SET kind = ?1, display_name = ?2, lang = ?3, tz = ?4, verified = ?5,
    lat = ?6, lon = ?7, notify_network = ?9 WHERE id = ?8";

/// [`People::update_actor`](kohero_core::ports::People::update_actor).
pub const UPDATE_ACTOR_2: &str = "DELETE FROM actor_communes WHERE actor_id = ?1";

/// [`People::update_actor`](kohero_core::ports::People::update_actor).
pub const UPDATE_ACTOR_3: &str = "INSERT INTO actor_communes (actor_id, insee) VALUES (?1, ?2)";

/// [`People::identities_of`](kohero_core::ports::People::identities_of).
/// The network the person chose first, then the one used last.
pub const IDENTITIES_OF: &str = "SELECT i.network, i.external_id
    FROM identities i JOIN actors a ON a.id = i.actor_id WHERE i.actor_id = ?1
    ORDER BY CASE WHEN i.network = a.notify_network THEN 0 ELSE 1 END,
             COALESCE(i.last_seen_at, 0) DESC, i.network, i.external_id";

/// [`People::delete_actor`](kohero_core::ports::People::delete_actor).
pub const DELETE_ACTOR: &str = "DELETE FROM actors WHERE id = ?1";

/// [`People::delete_actor`](kohero_core::ports::People::delete_actor): their
/// failed attempts at typing a link code (by identity), before the identities go.
pub const DELETE_ACTOR_FAILURES: &str = "DELETE FROM link_failures
    WHERE (network, external_id) IN (SELECT network, external_id FROM identities WHERE actor_id = ?1)";

/// [`People::delete_actor`](kohero_core::ports::People::delete_actor): the
/// offers they made for themselves (an actor's offer stays, without them).
pub const DELETE_ACTOR_OFFERS: &str =
    "DELETE FROM offers WHERE person_id = ?1 AND (as_actor IS NULL OR as_actor = ?1)";

/// [`People::delete_actor`](kohero_core::ports::People::delete_actor): the
/// words of the offers they made for an actor (the offer stays, theirs no more).
pub const DELETE_ACTOR_OFFER_WORDS: &str = "UPDATE offers SET message = NULL WHERE person_id = ?1";

/// [`People::delete_actor`](kohero_core::ports::People::delete_actor).
pub const DELETE_ACTOR_2: &str = "DELETE FROM alerts WHERE kind = ?1 AND ref_id = ?2";

/// [`People::municipalities_of`](kohero_core::ports::People::municipalities_of).
pub const MUNICIPALITIES_OF: &str =
    "SELECT a.* FROM actors a JOIN actor_communes c ON c.actor_id = a.id
    WHERE c.insee = ?1 AND a.kind = 'municipality' AND a.verified = 1 ORDER BY a.id";

/// [`People::verified_names`](kohero_core::ports::People::verified_names).
pub const VERIFIED_NAMES: &str =
    "SELECT id, display_name FROM actors WHERE verified = 1 ORDER BY id";

/// [`People::dialogue`](kohero_core::ports::People::dialogue).
pub const DIALOGUE: &str = "SELECT state FROM dialogues WHERE actor_id = ?1";

/// [`People::set_dialogue`](kohero_core::ports::People::set_dialogue).
pub const SET_DIALOGUE: &str =
    "INSERT INTO dialogues (actor_id, state, updated_at) VALUES (?1, ?2, ?3)
    ON CONFLICT (actor_id) DO UPDATE SET state = excluded.state,
    updated_at = excluded.updated_at";

/// [`People::set_dialogue`](kohero_core::ports::People::set_dialogue).
pub const SET_DIALOGUE_2: &str = "DELETE FROM dialogues WHERE actor_id = ?1";

/// [`People::insert_subscription`](kohero_core::ports::People::insert_subscription).
pub const INSERT_SUBSCRIPTION: &str =
    "INSERT INTO subscriptions (actor_id, lat, lon, radius_m, commune, categories, created_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING *";

/// [`People::subscriptions_of`](kohero_core::ports::People::subscriptions_of).
pub const SUBSCRIPTIONS_OF: &str = "SELECT * FROM subscriptions WHERE actor_id = ?1 ORDER BY id";

/// [`People::delete_subscriptions_of`](kohero_core::ports::People::delete_subscriptions_of).
pub const DELETE_SUBSCRIPTIONS_OF: &str = "DELETE FROM subscriptions WHERE actor_id = ?1";

/// [`People::insert_actor`](kohero_core::ports::People::insert_actor).
pub const INSERT_ACTOR: &str =
    "INSERT INTO actors (kind, display_name, lang, tz, verified, created_at)
    VALUES ('citizen', ?1, ?2, 'Europe/Paris', 0, ?3) RETURNING *";

/// [`People::insert_actor`](kohero_core::ports::People::insert_actor).
pub const INSERT_ACTOR_2: &str =
    "INSERT INTO identities (network, external_id, actor_id) VALUES (?1, ?2, ?3)";

/// The communes an actor speaks for.
pub const COMMUNES: &str = "SELECT insee FROM actor_communes WHERE actor_id = ?1 ORDER BY insee";

/// [`People::actors_by_ids`](kohero_core::ports::People::actors_by_ids).
pub const ACTORS_BY_IDS: &str = "SELECT actor_id, insee FROM actor_communes
    WHERE actor_id IN (SELECT value FROM json_each(?1)) ORDER BY actor_id, insee";

/// [`People::actors_by_ids`](kohero_core::ports::People::actors_by_ids).
pub const ACTORS_BY_IDS_2: &str =
    "SELECT * FROM actors WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id";

/// [`People::reachable_identities`](kohero_core::ports::People::reachable_identities).
pub const REACHABLE_IDENTITIES: &str = "SELECT i.actor_id, a.lang, i.network, i.external_id
    FROM identities i JOIN actors a ON a.id = i.actor_id
    WHERE i.actor_id IN (SELECT value FROM json_each(?1))
      AND NOT EXISTS (SELECT 1 FROM unreachable u
                      WHERE u.network = i.network AND u.chat = i.external_id)
    ORDER BY i.actor_id, CASE WHEN i.network = a.notify_network THEN 0 ELSE 1 END,
             COALESCE(i.last_seen_at, 0) DESC, i.network, i.external_id";

/// [`People::subscriptions_near`](kohero_core::ports::People::subscriptions_near).
pub const SUBSCRIPTIONS_NEAR: &str =
    "SELECT * FROM subscriptions WHERE commune IN (SELECT value FROM json_each(?1))
    UNION
    SELECT * FROM subscriptions
    WHERE commune IS NULL AND lat BETWEEN ?2 AND ?3 AND lon BETWEEN ?4 AND ?5
    ORDER BY id";

/// [`People::touch_identity`](kohero_core::ports::People::touch_identity).
pub const TOUCH_IDENTITY: &str = "UPDATE identities SET last_seen_at = ?3
    WHERE network = ?1 AND external_id = ?2 AND (last_seen_at IS NULL OR last_seen_at < ?4)";

/// [`People::save_link_code`](kohero_core::ports::People::save_link_code):
/// the code typed (same code, same issuer).
pub const CLAIM_LINK_CODE: &str = "UPDATE link_codes
    SET claimed_network = ?4, claimed_external_id = ?5, claimed_at = ?6
    WHERE code = ?1 AND network = ?2 AND external_id = ?3";

/// [`People::save_link_code`](kohero_core::ports::People::save_link_code):
/// the issuer's earlier code goes.
pub const DROP_ISSUER_CODES: &str =
    "DELETE FROM link_codes WHERE network = ?1 AND external_id = ?2";

/// [`People::save_link_code`](kohero_core::ports::People::save_link_code).
pub const INSERT_LINK_CODE: &str = "INSERT INTO link_codes (code, actor_id, network, external_id,
    created_at, expires_at, claimed_network, claimed_external_id, claimed_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

/// [`People::link_code`](kohero_core::ports::People::link_code).
pub const LINK_CODE: &str = "SELECT * FROM link_codes WHERE code = ?1";

/// [`People::link_code_of`](kohero_core::ports::People::link_code_of).
pub const LINK_CODE_OF: &str = "SELECT * FROM link_codes WHERE network = ?1 AND external_id = ?2";

/// [`People::delete_link_code`](kohero_core::ports::People::delete_link_code).
pub const DELETE_LINK_CODE: &str = "DELETE FROM link_codes WHERE code = ?1";

/// [`People::record_link_failure`](kohero_core::ports::People::record_link_failure).
pub const RECORD_LINK_FAILURE: &str =
    "INSERT INTO link_failures (network, external_id, at) VALUES (?1, ?2, ?3)";

/// [`People::link_failures_since`](kohero_core::ports::People::link_failures_since).
pub const LINK_FAILURES_OF: &str = "SELECT count(*) AS n FROM link_failures
    WHERE network = ?1 AND external_id = ?2 AND at >= ?3";

/// [`People::link_failures_since`](kohero_core::ports::People::link_failures_since).
pub const LINK_FAILURES_ALL: &str = "SELECT count(*) AS n FROM link_failures WHERE at >= ?1";

/// [`People::prune_links`](kohero_core::ports::People::prune_links).
pub const PRUNE_LINK_CODES: &str =
    "DELETE FROM link_codes WHERE expires_at < ?1 AND COALESCE(claimed_at, 0) < ?1";

/// [`People::prune_links`](kohero_core::ports::People::prune_links).
pub const PRUNE_LINK_FAILURES: &str = "DELETE FROM link_failures WHERE at < ?1";

/// [`People::merge_actors`](kohero_core::ports::People::merge_actors), in
/// order (`?1` into, `?2` from); `from` is deleted after them.
pub const MERGE_ACTORS: &[&str] = &[
    "UPDATE identities SET actor_id = ?1 WHERE actor_id = ?2",
    "INSERT INTO actor_communes (actor_id, insee)
        SELECT CAST(?1 AS BIGINT), insee FROM actor_communes WHERE actor_id = ?2
        ON CONFLICT DO NOTHING",
    "UPDATE initiatives SET created_by = ?1 WHERE created_by = ?2",
    "UPDATE initiatives SET offered_to = ?1 WHERE offered_to = ?2",
    "UPDATE initiatives SET carried_by = ?1 WHERE carried_by = ?2",
    "UPDATE town_answers SET municipality_id = ?1 WHERE municipality_id = ?2",
    "UPDATE consultations SET municipality_id = ?1 WHERE municipality_id = ?2",
    // Both voted on one consultation: the later vote.
    "UPDATE consultation_votes SET choices = (SELECT f.choices FROM consultation_votes f
        WHERE f.person_id = ?2 AND f.consultation_id = consultation_votes.consultation_id),
        voted_at = (SELECT f.voted_at FROM consultation_votes f
        WHERE f.person_id = ?2 AND f.consultation_id = consultation_votes.consultation_id)
     WHERE person_id = ?1 AND EXISTS (SELECT 1 FROM consultation_votes f
        WHERE f.person_id = ?2 AND f.consultation_id = consultation_votes.consultation_id
        AND f.voted_at > consultation_votes.voted_at)",
    "INSERT INTO consultation_votes (consultation_id, person_id, choices, voted_at)
        SELECT consultation_id, CAST(?1 AS BIGINT), choices, voted_at FROM consultation_votes
        WHERE person_id = ?2 ON CONFLICT DO NOTHING",
    "INSERT INTO support_thresholds (municipality_id, threshold, set_at)
        SELECT CAST(?1 AS BIGINT), threshold, set_at FROM support_thresholds
        WHERE municipality_id = ?2 ON CONFLICT DO NOTHING",
    "INSERT INTO threshold_flags (municipality_id, initiative_id, supporters, flagged_at)
        SELECT CAST(?1 AS BIGINT), initiative_id, supporters, flagged_at FROM threshold_flags
        WHERE municipality_id = ?2 ON CONFLICT DO NOTHING",
    "UPDATE needs SET created_by = ?1 WHERE created_by = ?2",
    "UPDATE offers SET person_id = ?1 WHERE person_id = ?2",
    "UPDATE offers SET as_actor = ?1 WHERE as_actor = ?2",
    "UPDATE offers SET answered_by = ?1 WHERE answered_by = ?2",
    // A profile: `into`'s if it has one, else `from`'s. A team: `into`
    // stays on its own, else takes `from`'s place.
    "INSERT INTO actor_profiles (actor_id, description, categories, lat, lon, commune, site,
        contact, skills, skills_radius_m, updated_at)
        SELECT CAST(?1 AS BIGINT), description, categories, lat, lon, commune, site, contact,
        skills, skills_radius_m, updated_at FROM actor_profiles WHERE actor_id = ?2
        ON CONFLICT DO NOTHING",
    "DELETE FROM actor_team WHERE member_id = ?2 AND actor_id = ?1",
    "UPDATE actor_team SET member_id = ?1 WHERE member_id = ?2
        AND NOT EXISTS (SELECT 1 FROM actor_team t WHERE t.member_id = ?1)
        AND NOT EXISTS (SELECT 1 FROM actors a WHERE a.id = ?1 AND a.verified <> 0)",
    "UPDATE actor_team SET added_by = ?1 WHERE added_by = ?2",
    "INSERT INTO actor_follows (follower_id, actor_id, since)
        SELECT CAST(?1 AS BIGINT), actor_id, since FROM actor_follows WHERE follower_id = ?2
        AND actor_id <> ?1 ON CONFLICT DO NOTHING",
    "INSERT INTO actor_follows (follower_id, actor_id, since)
        SELECT follower_id, CAST(?1 AS BIGINT), since FROM actor_follows WHERE actor_id = ?2
        AND follower_id <> ?1 ON CONFLICT DO NOTHING",
    // Both in one initiative: the stronger role, the earliest date.
    "UPDATE memberships SET role = (SELECT f.role FROM memberships f
        WHERE f.actor_id = ?2 AND f.initiative_id = memberships.initiative_id)
     WHERE actor_id = ?1 AND EXISTS (SELECT 1 FROM memberships f
        WHERE f.actor_id = ?2 AND f.initiative_id = memberships.initiative_id
        AND CASE f.role WHEN 'organiser' THEN 0 WHEN 'member' THEN 1 WHEN 'supporter' THEN 2 ELSE 3 END < CASE memberships.role WHEN 'organiser' THEN 0 WHEN 'member' THEN 1 WHEN 'supporter' THEN 2 ELSE 3 END)",
    "UPDATE memberships SET since = (SELECT f.since FROM memberships f
        WHERE f.actor_id = ?2 AND f.initiative_id = memberships.initiative_id)
     WHERE actor_id = ?1 AND EXISTS (SELECT 1 FROM memberships f
        WHERE f.actor_id = ?2 AND f.initiative_id = memberships.initiative_id
        AND f.since < memberships.since)",
    "INSERT INTO memberships (initiative_id, actor_id, role, since)
        SELECT initiative_id, CAST(?1 AS BIGINT), role, since FROM memberships WHERE actor_id = ?2
        ON CONFLICT DO NOTHING",
    "UPDATE updates SET author_id = ?1 WHERE author_id = ?2",
    "UPDATE events SET created_by = ?1 WHERE created_by = ?2",
    // Both answered one event: the earliest answer.
    "UPDATE rsvps SET answer = (SELECT f.answer FROM rsvps f
        WHERE f.actor_id = ?2 AND f.event_id = rsvps.event_id),
        at = (SELECT f.at FROM rsvps f WHERE f.actor_id = ?2 AND f.event_id = rsvps.event_id)
     WHERE actor_id = ?1 AND EXISTS (SELECT 1 FROM rsvps f
        WHERE f.actor_id = ?2 AND f.event_id = rsvps.event_id AND f.at < rsvps.at)",
    "INSERT INTO rsvps (event_id, actor_id, answer, at)
        SELECT event_id, CAST(?1 AS BIGINT), answer, at FROM rsvps WHERE actor_id = ?2
        ON CONFLICT DO NOTHING",
    // The same subscription on both sides: one, with the earliest date.
    "UPDATE subscriptions SET created_at = (SELECT MIN(f.created_at) FROM subscriptions f
        WHERE f.actor_id = ?2 AND f.lat IS NOT DISTINCT FROM subscriptions.lat
        AND f.lon IS NOT DISTINCT FROM subscriptions.lon AND f.radius_m = subscriptions.radius_m
        AND f.commune IS NOT DISTINCT FROM subscriptions.commune
        AND f.categories = subscriptions.categories)
     WHERE actor_id = ?1 AND EXISTS (SELECT 1 FROM subscriptions f
        WHERE f.actor_id = ?2 AND f.lat IS NOT DISTINCT FROM subscriptions.lat
        AND f.lon IS NOT DISTINCT FROM subscriptions.lon AND f.radius_m = subscriptions.radius_m
        AND f.commune IS NOT DISTINCT FROM subscriptions.commune
        AND f.categories = subscriptions.categories
        AND f.created_at < subscriptions.created_at)",
    "DELETE FROM subscriptions WHERE actor_id = ?2 AND EXISTS (SELECT 1 FROM subscriptions f
        WHERE f.actor_id = ?1 AND f.lat IS NOT DISTINCT FROM subscriptions.lat
        AND f.lon IS NOT DISTINCT FROM subscriptions.lon AND f.radius_m = subscriptions.radius_m
        AND f.commune IS NOT DISTINCT FROM subscriptions.commune
        AND f.categories = subscriptions.categories)",
    "UPDATE subscriptions SET actor_id = ?1 WHERE actor_id = ?2",
    "DELETE FROM alerts WHERE actor_id = ?2 AND EXISTS (SELECT 1 FROM alerts t
        WHERE t.actor_id = ?1 AND t.initiative_id = alerts.initiative_id
        AND t.kind = alerts.kind AND t.ref_id IS NOT DISTINCT FROM alerts.ref_id)",
    "UPDATE alerts SET actor_id = ?1 WHERE actor_id = ?2",
    "UPDATE alerts SET ref_id = ?1 WHERE kind = 'member' AND ref_id = ?2",
    "INSERT INTO alert_prefs (actor_id, enabled, quiet_from, quiet_to, last_sent_at, hold_until)
        SELECT CAST(?1 AS BIGINT), enabled, quiet_from, quiet_to, last_sent_at, hold_until
        FROM alert_prefs WHERE actor_id = ?2 ON CONFLICT DO NOTHING",
    "INSERT INTO digest_plans (municipality_id, schedule, tz, next_at, last_at, announcement)
        SELECT CAST(?1 AS BIGINT), schedule, tz, next_at, last_at, announcement
        FROM digest_plans WHERE municipality_id = ?2 ON CONFLICT DO NOTHING",
    "INSERT INTO digest_ticks (municipality_id, tick)
        SELECT CAST(?1 AS BIGINT), tick FROM digest_ticks WHERE municipality_id = ?2
        ON CONFLICT DO NOTHING",
    "UPDATE outbox SET recipient_id = ?1 WHERE recipient_id = ?2",
    "UPDATE commune_forums SET linked_by = ?1 WHERE linked_by = ?2",
    "DELETE FROM reports WHERE reporter_id = ?2 AND EXISTS (SELECT 1 FROM reports t
        WHERE t.reporter_id = ?1 AND t.target_kind = reports.target_kind
        AND t.target_id = reports.target_id)",
    "UPDATE reports SET reporter_id = ?1 WHERE reporter_id = ?2",
    "INSERT INTO moderators (actor_id, scope)
        SELECT CAST(?1 AS BIGINT), scope FROM moderators WHERE actor_id = ?2
        ON CONFLICT DO NOTHING",
    "UPDATE moderation_log SET moderator_id = ?1 WHERE moderator_id = ?2",
    "UPDATE moderation_log SET subject_id = ?1 WHERE subject_id = ?2",
];

/// [`People::detach_identity`](kohero_core::ports::People::detach_identity).
pub const DETACH_IDENTITY: &str =
    "UPDATE identities SET actor_id = ?3 WHERE network = ?1 AND external_id = ?2";

/// [`People::detach_identity`](kohero_core::ports::People::detach_identity):
/// a code it asked for was the person's.
pub const DETACH_IDENTITY_CODES: &str = DROP_ISSUER_CODES;

/// Every statement of this file (tests).
#[cfg(test)]
pub(crate) const ALL: &[&str] = &[
    TOUCH_IDENTITY,
    CLAIM_LINK_CODE,
    DROP_ISSUER_CODES,
    INSERT_LINK_CODE,
    LINK_CODE,
    LINK_CODE_OF,
    DELETE_LINK_CODE,
    RECORD_LINK_FAILURE,
    LINK_FAILURES_OF,
    LINK_FAILURES_ALL,
    PRUNE_LINK_CODES,
    PRUNE_LINK_FAILURES,
    DETACH_IDENTITY,
    DELETE_ACTOR_FAILURES,
    DELETE_ACTOR_OFFERS,
    DELETE_ACTOR_OFFER_WORDS,
    ACTOR_BY_IDENTITY,
    ACTOR,
    UPDATE_ACTOR,
    UPDATE_ACTOR_2,
    UPDATE_ACTOR_3,
    IDENTITIES_OF,
    DELETE_ACTOR,
    DELETE_ACTOR_2,
    MUNICIPALITIES_OF,
    VERIFIED_NAMES,
    DIALOGUE,
    SET_DIALOGUE,
    SET_DIALOGUE_2,
    INSERT_SUBSCRIPTION,
    SUBSCRIPTIONS_OF,
    DELETE_SUBSCRIPTIONS_OF,
    INSERT_ACTOR,
    INSERT_ACTOR_2,
    COMMUNES,
    ACTORS_BY_IDS,
    ACTORS_BY_IDS_2,
    REACHABLE_IDENTITIES,
    SUBSCRIPTIONS_NEAR,
];
