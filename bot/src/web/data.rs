//! The open data: GeoJSON (RFC 7946) of initiatives, iCalendar (RFC 5545)
//! of events, Atom (RFC 4287) of a commune's news.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use kohero_core::domain::{Category, InitiativeId, InseeCode, Lang, Status};
use kohero_core::engine::public::{MAP_PAGE_MAX, MapQuery, NEWS_MAX, PublicCalendar};
use kohero_core::places::GeoBox;

use super::{Answer, Web, WebError};

/// Parses `bbox`, `category`, `status`, `after` and `limit`; a clear 400
/// for anything else.
pub(crate) fn map_query(
    q: &HashMap<String, String>,
    commune: Option<InseeCode>,
) -> Result<MapQuery, WebError> {
    let bad = |what: String| Err(WebError::BadRequest(what));
    for k in q.keys() {
        if !matches!(
            k.as_str(),
            "bbox" | "category" | "status" | "after" | "limit" | "lang"
        ) {
            return bad(format!(
                "Paramètre inconnu « {} » : bbox, category, status, after, limit. / Unknown parameter: bbox, category, status, after, limit.",
                super::pages::clip(k)
            ));
        }
    }
    let bbox = match q.get("bbox") {
        None => None,
        Some(b) => match GeoBox::parse(b) {
            Some(b) => Some(b),
            None => {
                return bad(
                    "bbox s'écrit OUEST,SUD,EST,NORD en degrés (par exemple 4.7,45.7,4.95,45.82). / bbox is WEST,SOUTH,EAST,NORTH in degrees (e.g. 4.7,45.7,4.95,45.82)."
                        .to_owned(),
                );
            }
        },
    };
    let mut categories = Vec::new();
    for c in q
        .get("category")
        .map(|c| c.split(','))
        .into_iter()
        .flatten()
    {
        match Category::parse(c) {
            Some(c) => categories.push(c),
            None => {
                return bad(format!(
                    "Catégorie inconnue « {} ». Catégories : {}. / Unknown category.",
                    super::pages::clip(c),
                    Category::ALL.map(Category::key).join(", ")
                ));
            }
        }
    }
    let mut statuses = Vec::new();
    for s in q.get("status").map(|s| s.split(',')).into_iter().flatten() {
        match Status::parse_key(s.trim()).filter(|s| s.is_live()) {
            Some(s) => statuses.push(s),
            None => {
                return bad(format!(
                    "Statut inconnu « {} » : open, active, done. / Unknown status: open, active, done.",
                    super::pages::clip(s)
                ));
            }
        }
    }
    let after = match q.get("after") {
        None => None,
        Some(a) => Some(kohero_core::command::parse_initiative_id(a).ok_or_else(|| {
            WebError::BadRequest(
                "after est un numéro d'initiative (celui que donne le lien « next »). / after is an initiative number (as the next link gives)."
                    .to_owned(),
            )
        })?),
    };
    let limit = match q.get("limit") {
        None => MAP_PAGE_MAX,
        Some(l) => match l.parse::<usize>() {
            Ok(l) if (1..=MAP_PAGE_MAX).contains(&l) => l,
            _ => {
                return bad(format!(
                    "limit va de 1 à {MAP_PAGE_MAX}. / limit is 1 to {MAP_PAGE_MAX}."
                ));
            }
        },
    };
    // The same query however it is written (one answer kept, not many).
    categories.sort_by_key(|c| *c as u8);
    categories.dedup();
    statuses.sort_by_key(|s| s.key());
    statuses.dedup();
    Ok(MapQuery {
        bbox,
        commune,
        categories,
        statuses,
        after,
        limit,
    })
}

/// Appends `s` as a JSON string (RFC 8259 § 7).
fn push_json(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

pub(crate) async fn map(web: &Web, q: MapQuery) -> Result<Answer, WebError> {
    let page = {
        let _turn = web.heavy.acquire().await.map_err(|_| WebError::Internal)?;
        web.engine.public_map(&q).await?
    };
    // Written straight into one buffer: a page holds up to 5,000 features.
    let mut out = String::with_capacity(page.features.len() * 320 + 128);
    out.push_str("{\"type\":\"FeatureCollection\",\"features\":[");
    let mut latest = DateTime::<Utc>::UNIX_EPOCH;
    for (n, f) in page.features.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        latest = latest.max(f.updated_at);
        let _ = write!(out, "{{\"type\":\"Feature\",\"id\":{},\"geometry\":", f.id);
        match f.place {
            // RFC 7946 § 3.1.1: longitude first; six decimals (about 10 cm).
            Some(p) => {
                let _ = write!(
                    out,
                    "{{\"type\":\"Point\",\"coordinates\":[{:.6},{:.6}]}}",
                    p.lon(),
                    p.lat()
                );
            }
            None => out.push_str("null"),
        }
        let _ = write!(out, ",\"properties\":{{\"id\":{},\"title\":", f.id);
        push_json(&mut out, &f.title);
        let _ = write!(
            out,
            ",\"kind\":\"{}\",\"status\":\"{}\",\"category\":\"{}\",\"commune\":",
            f.kind.key(),
            f.status.key(),
            f.category.key()
        );
        match &f.commune {
            Some(c) => push_json(&mut out, c.as_str()),
            None => out.push_str("null"),
        }
        out.push_str(",\"updated\":\"");
        out.push_str(
            &f.updated_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        );
        out.push_str("\",\"url\":");
        match web.link(&format!("/i/{}", f.id)) {
            Some(u) => push_json(&mut out, &u),
            None => out.push_str("null"),
        }
        out.push_str("}}");
    }
    out.push(']');
    let next = page.next.map(|after| next_link(web, &q, after));
    if let Some(n) = &next {
        out.push_str(",\"links\":[{\"rel\":\"next\",\"href\":");
        push_json(&mut out, n);
        out.push_str("}]");
    }
    out.push('}');
    let mut a = Answer::new("application/geo+json", out);
    a.cors = true;
    a.max_age = 300;
    a.next = next;
    if !page.features.is_empty() {
        a.last_modified = Some(latest);
    }
    Ok(a)
}

/// The address of the next page: the same query, after the last id.
fn next_link(web: &Web, q: &MapQuery, after: InitiativeId) -> String {
    let path = match &q.commune {
        Some(c) => format!("/c/{}/initiatives.geojson", c.as_str()),
        None => "/api/initiatives.geojson".to_owned(),
    };
    let mut params = vec![format!("after={after}")];
    if let Some(b) = q.bbox {
        params.push(format!(
            "bbox={},{},{},{}",
            b.west, b.south, b.east, b.north
        ));
    }
    if !q.categories.is_empty() {
        params.push(format!(
            "category={}",
            q.categories
                .iter()
                .map(|c| c.key())
                .collect::<Vec<_>>()
                .join(",")
        ));
    }
    if !q.statuses.is_empty() {
        params.push(format!(
            "status={}",
            q.statuses
                .iter()
                .map(|s| s.key())
                .collect::<Vec<_>>()
                .join(",")
        ));
    }
    if q.limit != MAP_PAGE_MAX {
        params.push(format!("limit={}", q.limit));
    }
    let relative = format!("{path}?{}", params.join("&"));
    web.link(&relative).unwrap_or(relative)
}

pub(crate) async fn initiative_calendar(web: &Web, id: InitiativeId) -> Result<Answer, WebError> {
    let Some(cal) = web.engine.public_calendar_of(id).await? else {
        return Err(WebError::no_initiative(id));
    };
    Ok(calendar(web, &cal))
}

pub(crate) async fn commune_calendar(web: &Web, code: InseeCode) -> Result<Answer, WebError> {
    let Some(cal) = web.engine.public_calendar_in(&code).await? else {
        return Err(WebError::no_commune(&code));
    };
    Ok(calendar(web, &cal))
}

/// Escapes an iCalendar TEXT value (RFC 5545 § 3.3.11).
fn ics_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Writes one content line, folded at 75 octets without splitting a
/// character (RFC 5545 § 3.1), ended by CRLF.
fn line(out: &mut String, l: &str) {
    let mut width = 0;
    for c in l.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The host of `KOHERO_PUBLIC_URL`, for UIDs that stay the same whatever
/// page serves them.
fn uid_host(web: &Web) -> String {
    web.options
        .url
        .as_deref()
        .and_then(|u| u.split("://").nth(1))
        .and_then(|rest| rest.split(['/', ':']).next())
        .filter(|h| !h.is_empty())
        .unwrap_or("kohero.invalid")
        .to_owned()
}

/// The zones the events use: each written once as a VTIMEZONE with its
/// offsets around the events' times.
fn vtimezones(out: &mut String, cal: &PublicCalendar) {
    let mut zones: BTreeSet<&str> = BTreeSet::new();
    for (e, _) in &cal.events {
        if e.tz != "UTC" {
            zones.insert(e.tz.as_str());
        }
    }
    for name in zones {
        let Ok(tz) = name.parse::<chrono_tz::Tz>() else {
            continue;
        };
        line(out, "BEGIN:VTIMEZONE");
        line(out, &format!("TZID:{name}"));
        // One STANDARD or DAYLIGHT part per change of offset over the
        // years the events span (and the one in force at the first).
        let starts: Vec<DateTime<Utc>> = cal
            .events
            .iter()
            .filter(|(e, _)| e.tz == name)
            .map(|(e, _)| e.starts_at)
            .collect();
        let (Some(first), Some(last)) = (starts.iter().min(), starts.iter().max()) else {
            line(out, "END:VTIMEZONE");
            continue;
        };
        for part in zone_parts(
            tz,
            *first - chrono::Duration::days(370),
            *last + chrono::Duration::days(1),
        ) {
            line(out, &format!("BEGIN:{}", part.kind));
            line(
                out,
                &format!("DTSTART:{}", part.start.format("%Y%m%dT%H%M%S")),
            );
            line(out, &format!("TZOFFSETFROM:{}", offset(part.from)));
            line(out, &format!("TZOFFSETTO:{}", offset(part.to)));
            line(out, &format!("TZNAME:{}", ics_text(&part.abbreviation)));
            line(out, &format!("END:{}", part.kind));
        }
        line(out, "END:VTIMEZONE");
    }
}

struct ZonePart {
    kind: &'static str,
    /// Local time at which it begins (in the offset before).
    start: chrono::NaiveDateTime,
    from: i32,
    to: i32,
    abbreviation: String,
}

fn offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.abs();
    format!("{sign}{:02}{:02}", s / 3600, s % 3600 / 60)
}

/// The changes of offset of `tz` between `from` and `to`, found hour by
/// hour (zones change on the hour or half hour; a change is then narrowed
/// to the minute), with the offset in force at `from` first.
fn zone_parts(tz: chrono_tz::Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<ZonePart> {
    use chrono::Offset;
    use chrono_tz::OffsetComponents;
    let at = |t: DateTime<Utc>| {
        let o = *t.with_timezone(&tz).offset();
        let total = o.fix().local_minus_utc();
        let dst = o.dst_offset().num_seconds() != 0;
        (total, dst, o.to_string())
    };
    // From a whole hour, so that changes fall on whole seconds.
    let from = DateTime::from_timestamp(from.timestamp() - from.timestamp().rem_euclid(3600), 0)
        .unwrap_or(from);
    let (mut current, dst, abbreviation) = at(from);
    let mut parts = vec![ZonePart {
        kind: if dst { "DAYLIGHT" } else { "STANDARD" },
        start: (from + chrono::Duration::seconds(i64::from(current))).naive_utc(),
        from: current,
        to: current,
        abbreviation,
    }];
    let mut t = from;
    while t < to {
        let next = t + chrono::Duration::hours(1);
        let (o, _, _) = at(next);
        if o != current {
            // Narrow to the second, in whole seconds.
            let (mut lo, mut hi) = (t.timestamp(), next.timestamp());
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                let Some(m) = DateTime::from_timestamp(mid, 0) else {
                    break;
                };
                if at(m).0 == current {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let hi = DateTime::from_timestamp(hi, 0).unwrap_or(next);
            let (o2, dst2, abbr2) = at(hi);
            parts.push(ZonePart {
                kind: if dst2 { "DAYLIGHT" } else { "STANDARD" },
                start: (hi + chrono::Duration::seconds(i64::from(current))).naive_utc(),
                from: current,
                to: o2,
                abbreviation: abbr2,
            });
            current = o;
        }
        t = next;
    }
    parts
}

fn calendar(web: &Web, cal: &PublicCalendar) -> Answer {
    let host = uid_host(web);
    let mut out = String::with_capacity(512 + cal.events.len() * 400);
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//Kohero//Kohero//FR");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(&mut out, &format!("X-WR-CALNAME:{}", ics_text(&cal.name)));
    vtimezones(&mut out, cal);
    let mut latest = DateTime::<Utc>::UNIX_EPOCH;
    for (e, s) in &cal.events {
        latest = latest.max(e.changed_at());
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:event-{}@{host}", e.id));
        line(&mut out, &format!("DTSTAMP:{}", utc(e.changed_at())));
        line(&mut out, &format!("CREATED:{}", utc(e.created_at)));
        line(&mut out, &format!("LAST-MODIFIED:{}", utc(e.changed_at())));
        line(&mut out, &format!("SEQUENCE:{}", e.sequence));
        match e.tz.parse::<chrono_tz::Tz>() {
            Ok(tz) if e.tz != "UTC" => {
                let local = |t: DateTime<Utc>| t.with_timezone(&tz).format("%Y%m%dT%H%M%S");
                line(
                    &mut out,
                    &format!("DTSTART;TZID={}:{}", e.tz, local(e.starts_at)),
                );
                line(
                    &mut out,
                    &format!("DTEND;TZID={}:{}", e.tz, local(e.ends_at())),
                );
            }
            _ => {
                line(&mut out, &format!("DTSTART:{}", utc(e.starts_at)));
                line(&mut out, &format!("DTEND:{}", utc(e.ends_at())));
            }
        }
        line(&mut out, &format!("SUMMARY:{}", ics_text(&e.title)));
        line(
            &mut out,
            &format!(
                "DESCRIPTION:{}",
                ics_text(&format!("#{} {}", s.id, s.title))
            ),
        );
        if let Some(p) = e.place {
            line(&mut out, &format!("GEO:{:.6};{:.6}", p.lat(), p.lon()));
            line(&mut out, &format!("LOCATION:{}", ics_text(&p.to_uri())));
        }
        if let Some(url) = web.link(&format!("/i/{}", s.id)) {
            line(&mut out, &format!("URL:{url}"));
        }
        line(
            &mut out,
            if e.is_cancelled() {
                "STATUS:CANCELLED"
            } else {
                "STATUS:CONFIRMED"
            },
        );
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    let mut a = Answer::new("text/calendar; charset=utf-8", out);
    a.cors = true;
    a.max_age = 300;
    if !cal.events.is_empty() {
        a.last_modified = Some(latest);
    }
    a
}

/// Escapes XML text.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 does not allow.
            c if c.is_control() && !matches!(c, '\n' | '\t') => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

pub(crate) async fn commune_feed(
    web: &Web,
    code: InseeCode,
    lang: Lang,
) -> Result<Answer, WebError> {
    let Some((name, news)) = web.engine.public_news(&code, NEWS_MAX).await? else {
        return Err(WebError::no_commune(&code));
    };
    let cat = web.engine.catalog();
    let path = format!("/c/{}", code.as_str());
    let page = web.link(&path).unwrap_or_else(|| path.clone());
    let host = uid_host(web);
    let updated = news.first().map_or(DateTime::<Utc>::UNIX_EPOCH, |n| n.at);
    let rfc3339 = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut out = String::with_capacity(1024 + news.len() * 600);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = write!(
        out,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n<title>{}</title>\n<id>tag:{host},2026:commune/{}</id>\n<updated>{}</updated>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        lang.code(),
        xml(&cat.get(lang, "web-feed-title", &[("name", name.clone().into())])),
        code.as_str(),
        rfc3339(updated),
        xml(&page),
    );
    if let Some(me) = web.link(&format!("{path}/feed.atom")) {
        let _ = writeln!(out, "<link rel=\"self\" href=\"{}\"/>", xml(&me));
    }
    out.push_str("<author><name>Kohero</name></author>\n<generator>Kohero</generator>\n");
    for n in &news {
        let what = match (&n.kind, &n.text) {
            (kohero_core::domain::ActivityKind::Event, Some(title)) => {
                cat.get(lang, "web-news-event", &[("title", title.clone().into())])
            }
            (kohero_core::domain::ActivityKind::Updated, Some(_)) => {
                cat.get(lang, "web-news-updated", &[])
            }
            (k, _) => cat.get(lang, &format!("web-news-{}", k.key()), &[]),
        };
        let title = format!("{} — {}", n.initiative.title, what);
        let href = web
            .link(&format!("/i/{}", n.initiative.id))
            .unwrap_or_else(|| format!("/i/{}", n.initiative.id));
        let _ = write!(
            out,
            "<entry>\n<title>{}</title>\n<id>tag:{host},2026:activity/{}</id>\n<updated>{}</updated>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            xml(&title),
            n.id,
            rfc3339(n.at),
            xml(&href),
        );
        if let (kohero_core::domain::ActivityKind::Updated, Some(text)) = (&n.kind, &n.text) {
            let _ = writeln!(out, "<content type=\"text\">{}</content>", xml(text));
        }
        if let Some(e) = &n.event {
            let when = super::pages::when(lang, e.starts_at, &e.tz);
            let _ = writeln!(
                out,
                "<summary type=\"text\">{}</summary>",
                xml(&format!("{} ({}) — {}", when, e.tz, e.title))
            );
        }
        out.push_str("</entry>\n");
    }
    out.push_str("</feed>\n");
    let mut a = Answer::new("application/atom+xml; charset=utf-8", out);
    a.vary_language = true;
    a.cors = true;
    a.max_age = 300;
    if !news.is_empty() {
        a.last_modified = Some(updated);
    }
    Ok(a)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn ics_lines_fold_on_characters_and_escape() {
        let mut out = String::new();
        line(&mut out, &format!("SUMMARY:{}", ics_text(&"é".repeat(60))));
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{l:?}");
        }
        assert_eq!(ics_text("a;b,c\\d\ne\u{7}"), "a\\;b\\,c\\\\d\\ne");
    }

    #[test]
    fn paris_changes_twice_a_year() {
        let tz: chrono_tz::Tz = "Europe/Paris".parse().unwrap();
        let from = "2026-01-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let to = "2027-01-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let parts = zone_parts(tz, from, to);
        let kinds: Vec<_> = parts.iter().map(|p| (p.kind, p.from, p.to)).collect();
        assert_eq!(
            kinds,
            vec![
                ("STANDARD", 3600, 3600),
                ("DAYLIGHT", 3600, 7200),
                ("STANDARD", 7200, 3600)
            ]
        );
        assert_eq!(parts[1].start.to_string(), "2026-03-29 02:00:00");
        assert_eq!(parts[2].start.to_string(), "2026-10-25 03:00:00");
    }

    #[test]
    fn json_strings_read_back_as_written() {
        for s in [
            "",
            "Atelier « vélo » d'hiver 🚲",
            "a\"b\\c\nd\re\tf\u{1}\u{1f}\u{7f}\u{2028}</script>",
        ] {
            let mut out = String::new();
            push_json(&mut out, s);
            assert_eq!(serde_json::from_str::<String>(&out).unwrap(), s, "{out}");
        }
    }

    #[test]
    fn xml_escapes_and_drops_what_xml_refuses() {
        assert_eq!(xml("a<b>&\"'\u{1}\u{FFFF}"), "a&lt;b&gt;&amp;&quot;&apos;");
    }
}
