//! The HTML pages: an initiative (`/i/42`) and a commune (`/c/69123`),
//! askama templates (`bot/templates/`, checked when the binary compiles),
//! every value escaped, no script.

use askama::Template;
use chrono::{DateTime, Utc};
use kohero_core::domain::{InitiativeId, InseeCode, Lang, Status};
use kohero_core::engine::public::{PublicActor, PublicCommune, PublicInitiative, PublicSummary};
use kohero_core::geo::GeoPoint;
use kohero_core::i18n::Arg;

use super::{Answer, Web, WebError};

/// What every page has around its content.
pub(crate) struct Frame {
    lang: &'static str,
    title: String,
    summary: String,
    locale: &'static str,
    canonical: Option<String>,
    /// `(href, type, label)`
    alternates: Vec<(String, &'static str, String)>,
    home: String,
    other_lang: &'static str,
    other_lang_name: &'static str,
    footer: String,
}

pub(crate) struct ActorView {
    name: String,
    kind: String,
    site: Option<String>,
    description: Option<String>,
}

pub(crate) struct EventView {
    title: String,
    when: String,
    place: Option<(String, String)>,
}

pub(crate) struct AnswerView {
    heading: String,
    status: String,
    when: String,
    text: String,
}

pub(crate) struct InitiativeView {
    status: String,
    category: String,
    commune: Option<String>,
    counts: String,
    carried_label: String,
    carrier: Option<ActorView>,
    description: String,
    place: Option<(String, String)>,
    join_heading: String,
    joins: Vec<(String, String)>,
    matrix_hint: Option<String>,
    answer: Option<AnswerView>,
    needs_heading: String,
    needs: Vec<String>,
    events_heading: String,
    no_events: String,
    events: Vec<EventView>,
    ics: String,
    ics_label: String,
    updates_heading: String,
    updates: Vec<(String, String)>,
    report_label: String,
    report: String,
}

#[derive(Template)]
#[template(path = "initiative.html")]
pub(crate) struct InitiativePage {
    frame: Frame,
    v: InitiativeView,
}

pub(crate) struct MapView {
    label: String,
    /// `(src, left %, top %)`
    tiles: Vec<(String, String, String)>,
    /// `(href, left %, top %, name)`
    pins: Vec<(String, String, String, String)>,
    attribution: String,
}

/// `(href, name, category)`
type Item = (String, String, String);

pub(crate) struct CommuneView {
    intro: String,
    map: Option<MapView>,
    osm: Option<(String, String)>,
    empty: String,
    /// `(heading, items, « and N more »)`
    groups: Vec<(String, Vec<Item>, String)>,
    events_heading: String,
    no_events: String,
    events: Vec<(String, String, String, String)>,
    news_heading: String,
    no_news: String,
    news: Vec<(String, String, String, String)>,
    digests_heading: String,
    digests: Vec<DigestView>,
    data_heading: String,
    data: Vec<(String, String)>,
}

/// A town hall's digest on its commune's page.
pub(crate) struct DigestView {
    title: String,
    announcement: Option<String>,
    about: String,
    /// `(href, name)`
    items: Vec<(String, String)>,
    more: String,
}

#[derive(Template)]
#[template(path = "commune.html")]
pub(crate) struct CommunePage {
    frame: Frame,
    v: CommuneView,
}

pub(crate) struct ReportView {
    message: Option<String>,
    about: String,
    form: bool,
    action: String,
    target: String,
    reason_label: String,
    /// `(key, label)`
    reasons: Vec<(&'static str, String)>,
    text_label: String,
    submit: String,
    back: String,
    back_label: String,
}

#[derive(Template)]
#[template(path = "report.html")]
pub(crate) struct ReportPage {
    frame: Frame,
    v: ReportView,
}

/// The « Signaler » form of an initiative's page (or of one of its updates
/// or events), with the answer to a report just filed, if any.
pub(crate) fn report_form(
    web: &Web,
    id: InitiativeId,
    target: kohero_core::domain::Target,
    lang: Lang,
    message: Option<String>,
    form: bool,
) -> Result<String, WebError> {
    let t = T { web, lang };
    let path = format!("/i/{id}/signaler");
    let v = ReportView {
        message,
        about: t.a("web-report-about", &[("target", target.to_string().into())]),
        form,
        action: t.href(&path),
        target: target.to_string(),
        reason_label: t.t("web-report-reason"),
        reasons: kohero_core::domain::Reason::CHOICES
            .iter()
            .map(|r| (r.key(), t.t(&format!("reason-{}", r.key()))))
            .collect(),
        text_label: t.t("web-report-text"),
        submit: t.t("web-report-submit"),
        back: t.href(&format!("/i/{id}")),
        back_label: t.t("web-report-back"),
    };
    let mut frame = t.frame(t.t("web-report-title"), t.t("web-report-title"), &path);
    frame.canonical = None;
    render(ReportPage { frame, v })
}

/// Text of a request shown back in an error, short and on one line.
pub(crate) fn clip(s: &str) -> String {
    let s: String = s.chars().filter(|c| !c.is_control()).take(40).collect();
    s
}

/// At most `max` characters, on a word boundary, with an ellipsis.
fn excerpt(s: &str, max: usize) -> String {
    let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{cut}…")
}

/// A time in a zone, as each language writes it.
pub(crate) fn when(lang: Lang, at: DateTime<Utc>, tz: &str) -> String {
    let zone: chrono_tz::Tz = tz.parse().unwrap_or(chrono_tz::Europe::Paris);
    let local = at.with_timezone(&zone);
    match lang {
        Lang::Fr => local.format("%d/%m/%Y %H:%M").to_string(),
        Lang::En => local.format("%Y-%m-%d %H:%M").to_string(),
    }
}

fn day(lang: Lang, at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&chrono_tz::Europe::Paris);
    match lang {
        Lang::Fr => local.format("%d/%m/%Y").to_string(),
        Lang::En => local.format("%Y-%m-%d").to_string(),
    }
}

/// An OpenStreetMap link to a place.
fn osm(p: GeoPoint, zoom: u8) -> String {
    format!(
        "https://www.openstreetmap.org/?mlat={:.5}&mlon={:.5}#map={zoom}/{:.5}/{:.5}",
        p.lat(),
        p.lon(),
        p.lat(),
        p.lon()
    )
}

struct T<'a> {
    web: &'a Web,
    lang: Lang,
}

impl T<'_> {
    fn t(&self, id: &str) -> String {
        self.web.engine.catalog().get(self.lang, id, &[])
    }
    fn a(&self, id: &str, args: &[(&str, Arg)]) -> String {
        self.web.engine.catalog().get(self.lang, id, args)
    }
    fn status(&self, s: &PublicSummary) -> String {
        self.t(&format!("status-{}-{}", s.kind.key(), s.status.key()))
    }
    fn category(&self, s: &PublicSummary) -> String {
        self.t(&format!("cat-{}", s.category.key()))
    }
    fn actor(&self, a: &PublicActor) -> ActorView {
        ActorView {
            name: a.name.clone(),
            kind: self.t(&format!("kind-{}", a.kind.key())),
            site: a.site.clone(),
            description: a.description.clone(),
        }
    }
    /// A link on this site: relative, or absolute when `KOHERO_PUBLIC_URL` is set.
    fn href(&self, path: &str) -> String {
        self.web.link(path).unwrap_or_else(|| path.to_owned())
    }
    fn frame(&self, title: String, summary: String, path: &str) -> Frame {
        let (lang, locale, other_lang, other_lang_name) = match self.lang {
            Lang::Fr => ("fr", "fr_FR", "en", "English"),
            Lang::En => ("en", "en_GB", "fr", "Français"),
        };
        Frame {
            lang,
            title,
            summary,
            locale,
            canonical: self.web.link(path),
            alternates: Vec::new(),
            home: self.href("/"),
            other_lang,
            other_lang_name,
            footer: self.t("web-footer"),
        }
    }
}

fn render(t: impl Template) -> Result<String, WebError> {
    t.render().map_err(|e| {
        tracing::error!(error = %e, "a page template failed");
        WebError::Internal
    })
}

pub(crate) async fn initiative(
    web: &Web,
    id: InitiativeId,
    lang: Lang,
) -> Result<Answer, WebError> {
    let Some(p) = web.engine.public_initiative(id).await? else {
        return Err(WebError::no_initiative(id));
    };
    let t = T { web, lang };
    let page = initiative_page(&t, &p);
    let mut a = Answer::new("text/html; charset=utf-8", render(page)?);
    a.last_modified = Some(p.changed_at);
    a.vary_language = true;
    Ok(a)
}

fn initiative_page(t: &T<'_>, p: &PublicInitiative) -> InitiativePage {
    let s = &p.summary;
    let id = s.id;
    let path = format!("/i/{id}");
    let mut joins = Vec::new();
    let mut matrix_hint = None;
    let open = matches!(s.status, Status::Open | Status::Active);
    if open {
        if let Some(bot) = &t.web.options.telegram_bot {
            joins.push((
                format!("https://t.me/{bot}?start=i{id}"),
                t.t("web-join-telegram"),
            ));
        }
        if let Some(user) = &t.web.options.matrix_bot {
            joins.push((
                format!("https://matrix.to/#/{user}"),
                t.t("web-join-matrix"),
            ));
            matrix_hint = Some(t.a("web-join-matrix-hint", &[("id", id.0.into())]));
        }
    }
    let place = s.place.map(|pl| (osm(pl, 17), t.t("web-see-map")));
    let v = InitiativeView {
        status: t.status(s),
        category: t.category(s),
        commune: p.commune_name.clone(),
        counts: t.a(
            "web-counts",
            &[
                ("supporters", p.supporters.into()),
                ("members", p.members.into()),
            ],
        ),
        carried_label: t.t("web-carried-by"),
        carrier: p.carrier.as_ref().map(|a| t.actor(a)),
        description: p.description.clone(),
        place,
        join_heading: t.t("web-join"),
        joins,
        matrix_hint,
        answer: p.answer.as_ref().map(|a| AnswerView {
            heading: match &a.by {
                Some(by) => t.a("web-answer-by", &[("name", by.name.clone().into())]),
                None => t.t("web-answer"),
            },
            status: t.t(&format!("answer-status-{}", a.status.key())),
            when: day(t.lang, a.at),
            text: a.text.clone(),
        }),
        needs_heading: t.t("web-needs"),
        needs: p
            .needs
            .iter()
            .map(|n| {
                let mut line = t.t(&format!("need-kind-{}", n.kind.key()));
                if let Some(q) = n.quantity {
                    line.push_str(&format!(" · {}/{q}", n.filled));
                }
                if let Some(d) = &n.detail {
                    line.push_str(" — ");
                    line.push_str(d);
                }
                line
            })
            .collect(),
        events_heading: t.t("web-events"),
        no_events: t.t("web-no-events"),
        events: p
            .events
            .iter()
            .map(|e| EventView {
                title: e.title.clone(),
                when: t.a(
                    "web-event-when",
                    &[
                        ("when", when(t.lang, e.starts_at, &e.tz).into()),
                        ("tz", e.tz.clone().into()),
                        (
                            "duration",
                            kohero_core::engine::render_duration(t.lang, e.minutes).into(),
                        ),
                    ],
                ),
                place: e.place.map(|pl| (osm(pl, 17), t.t("web-see-map"))),
            })
            .collect(),
        ics: t.href(&format!("{path}/events.ics")),
        ics_label: t.t("web-subscribe-calendar"),
        updates_heading: t.t("web-updates"),
        updates: p
            .updates
            .iter()
            .map(|u| (day(t.lang, u.at), u.text.clone()))
            .collect(),
        report_label: t.t("web-report"),
        report: t.href(&format!("{path}/signaler")),
    };
    let summary = excerpt(
        &format!(
            "{} · {}{} — {}",
            v.status,
            v.category,
            p.commune_name
                .as_ref()
                .map(|c| format!(" · {c}"))
                .unwrap_or_default(),
            p.description
        ),
        200,
    );
    let mut frame = t.frame(s.title.clone(), summary, &path);
    frame.alternates.push((
        t.href(&format!("{path}/events.ics")),
        "text/calendar",
        t.t("web-subscribe-calendar"),
    ));
    InitiativePage { frame, v }
}

pub(crate) async fn commune(web: &Web, code: InseeCode, lang: Lang) -> Result<Answer, WebError> {
    let Some(c) = web.engine.public_commune(&code).await? else {
        return Err(WebError::no_commune(&code));
    };
    let t = T { web, lang };
    let page = commune_page(&t, &c);
    let mut a = Answer::new("text/html; charset=utf-8", render(page)?);
    a.last_modified = Some(c.changed_at);
    a.vary_language = true;
    Ok(a)
}

fn commune_page(t: &T<'_>, c: &PublicCommune) -> CommunePage {
    let path = format!("/c/{}", c.code.as_str());
    // Initiatives come by status: one heading each (none for a status
    // without any), the most recently changed listed, the rest counted. A
    // page stays light however many initiatives a commune has: the rest is
    // in its data.
    let groups: Vec<(String, Vec<Item>, String)> = c
        .counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|&(status, n)| {
            let heading = match status {
                Status::Open => "web-group-ideas",
                Status::Active => "web-group-projects",
                _ => "web-group-done",
            };
            let items: Vec<Item> = c
                .initiatives
                .iter()
                .filter(|s| s.status == status)
                .map(|s| {
                    (
                        t.href(&format!("/i/{}", s.id)),
                        s.title.clone(),
                        t.category(s),
                    )
                })
                .collect();
            let more = n.saturating_sub(items.len());
            let tail = if more > 0 {
                t.a("web-group-more", &[("n", more.into())])
            } else {
                String::new()
            };
            (t.t(heading), items, tail)
        })
        .collect();
    let map = match (&t.web.options.map_tiles, c.centre) {
        (Some(tiles), Some(centre)) => Some(map_view(t, tiles, centre, &c.initiatives)),
        _ => None,
    };
    let osm_link = c.centre.map(|p| (osm(p, 14), t.t("web-see-osm")));
    let news = c
        .news
        .iter()
        .map(|n| {
            let line = match (&n.kind, &n.text) {
                (kohero_core::domain::ActivityKind::Updated, Some(text)) => excerpt(text, 160),
                (kohero_core::domain::ActivityKind::Event, Some(title)) => {
                    t.a("web-news-event", &[("title", title.clone().into())])
                }
                (k, _) => t.t(&format!("web-news-{}", k.key())),
            };
            (
                day(t.lang, n.at),
                line,
                t.href(&format!("/i/{}", n.initiative.id)),
                n.initiative.title.clone(),
            )
        })
        .collect();
    let v = CommuneView {
        intro: t.a(
            "web-commune-intro",
            &[
                (
                    "count",
                    c.counts.iter().map(|(_, n)| n).sum::<usize>().into(),
                ),
                ("department", c.department.clone().into()),
            ],
        ),
        map,
        osm: osm_link,
        empty: t.t("web-commune-empty"),
        groups,
        events_heading: t.t("web-events"),
        no_events: t.t("web-no-events"),
        events: c
            .events
            .iter()
            .map(|(e, s)| {
                (
                    when(t.lang, e.starts_at, &e.tz),
                    e.title.clone(),
                    t.href(&format!("/i/{}", s.id)),
                    s.title.clone(),
                )
            })
            .collect(),
        digests_heading: t.t("web-digests"),
        digests: c.digests.iter().map(|d| digest_view(t, d)).collect(),
        news_heading: t.t("web-news"),
        no_news: t.t("web-no-news"),
        news,
        data_heading: t.t("web-data"),
        data: vec![
            (
                t.href(&format!("{path}/events.ics")),
                t.t("web-subscribe-calendar"),
            ),
            (t.href(&format!("{path}/feed.atom")), t.t("web-feed")),
            (
                t.href(&format!("{path}/initiatives.geojson")),
                t.t("web-geojson"),
            ),
        ],
    };
    let title = c.name.clone();
    let summary = t.a(
        "web-commune-summary",
        &[
            ("name", c.name.clone().into()),
            ("count", c.initiatives.len().into()),
        ],
    );
    let mut frame = t.frame(title, summary, &path);
    frame.alternates.push((
        t.href(&format!("{path}/feed.atom")),
        "application/atom+xml",
        t.t("web-feed"),
    ));
    frame.alternates.push((
        t.href(&format!("{path}/events.ics")),
        "text/calendar",
        t.t("web-subscribe-calendar"),
    ));
    CommunePage { frame, v }
}

/// Initiatives named under one digest on a commune's page, at most.
const DIGEST_ITEMS_MAX: usize = 10;

fn digest_view(t: &T<'_>, d: &kohero_core::engine::public::PublicDigest) -> DigestView {
    let more = d.initiatives.len().saturating_sub(DIGEST_ITEMS_MAX);
    DigestView {
        title: t.a(
            "web-digest-title",
            &[
                ("from", d.from.name.clone().into()),
                ("date", day(t.lang, d.at).into()),
            ],
        ),
        announcement: d.announcement.as_deref().map(|a| excerpt(a, 600)),
        about: t.t("web-digest-about"),
        items: d
            .initiatives
            .iter()
            .take(DIGEST_ITEMS_MAX)
            .map(|s| (t.href(&format!("/i/{}", s.id)), s.title.clone()))
            .collect(),
        more: if more > 0 {
            t.a("web-digest-more", &[("n", more.into())])
        } else {
            String::new()
        },
    }
}

/// Zoom of a commune's map: about 6 km across in three tiles.
const MAP_ZOOM: u8 = 13;

/// Web Mercator tile coordinates (fractional) of a point.
fn tile_xy(p: GeoPoint, zoom: u8) -> (f64, f64) {
    let n = f64::from(1u32 << zoom);
    let x = (p.lon() + 180.0) / 360.0 * n;
    let lat = p.lat().to_radians();
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n;
    (x, y)
}

/// Three tiles by two around the commune's centre, and a pin for each
/// initiative listed with a place on them.
fn map_view(t: &T<'_>, template: &str, centre: GeoPoint, items: &[PublicSummary]) -> MapView {
    let (cx, cy) = tile_xy(centre, MAP_ZOOM);
    let (x0, y0) = (cx.floor() as i64 - 1, cy.round() as i64 - 1);
    let n = 1i64 << MAP_ZOOM;
    let mut tiles = Vec::new();
    for dy in 0..2 {
        for dx in 0..3 {
            let (x, y) = ((x0 + dx).rem_euclid(n), y0 + dy);
            if !(0..n).contains(&y) {
                continue;
            }
            let src = template
                .replace("{z}", &MAP_ZOOM.to_string())
                .replace("{x}", &x.to_string())
                .replace("{y}", &y.to_string());
            tiles.push((
                src,
                format!("{:.3}", dx as f64 * 100.0 / 3.0),
                format!("{:.3}", dy as f64 * 50.0),
            ));
        }
    }
    let pins = items
        .iter()
        .filter_map(|s| {
            let (x, y) = tile_xy(s.place?, MAP_ZOOM);
            let (left, top) = ((x - x0 as f64) / 3.0 * 100.0, (y - y0 as f64) / 2.0 * 100.0);
            ((0.0..100.0).contains(&left) && (0.0..100.0).contains(&top)).then(|| {
                (
                    t.href(&format!("/i/{}", s.id)),
                    format!("{left:.3}"),
                    format!("{top:.3}"),
                    s.title.clone(),
                )
            })
        })
        .collect();
    MapView {
        label: t.t("web-map-label"),
        tiles,
        pins,
        attribution: t.t("web-map-attribution"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_cut_on_words() {
        assert_eq!(excerpt("un  deux\ntrois", 50), "un deux trois");
        assert_eq!(excerpt("Atelier « vélo » d'hiver", 12), "Atelier «…");
        assert_eq!(clip("a\u{7}b\nc"), "abc");
    }

    #[test]
    fn tiles_of_lyon() {
        let p = GeoPoint::new(45.7640, 4.8357).unwrap_or_else(|_| unreachable!());
        let (x, y) = tile_xy(p, 13);
        assert_eq!((x.floor(), y.floor()), (4206.0, 2922.0));
    }
}
