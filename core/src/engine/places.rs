//! Turning what people type into places: `geo:` points and commune names or
//! postcodes, with a choice when a name is shared by several communes.

use super::{Ctx, Fail, geo_refusal, refuse};
use crate::command::PlaceArg;
use crate::domain::InseeCode;
use crate::geo::GeoPoint;
use crate::places::{Commune, Found};
use crate::reply::{Action, Reply};

/// Most choices offered for a homonym.
const MAX_CHOICES: usize = 8;

/// A resolved place: a point, and its commune when known.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub point: GeoPoint,
    pub commune: Option<InseeCode>,
}

/// "Saint-Denis (93)".
pub fn commune_label(c: &Commune) -> String {
    format!("{} ({})", c.name, c.department)
}

/// Resolves a place argument. For a name shared by several communes, answers with
/// one choice per commune, whose payload `choice` builds from "NAME DEPARTMENT".
pub fn resolve(
    ctx: &Ctx<'_>,
    place: &PlaceArg,
    choice: &dyn Fn(&str) -> String,
) -> Result<Place, Fail> {
    match place {
        PlaceArg::Point(p) => Ok(Place {
            point: *p,
            commune: ctx.places.commune_at(*p).map(|c| c.code.clone()),
        }),
        PlaceArg::Name(name) => match ctx.places.lookup(name) {
            Found::One(c) => match c.centre {
                Some(point) => Ok(Place {
                    point,
                    commune: Some(c.code.clone()),
                }),
                None => Err(refuse!("place-no-centre", "commune" => commune_label(c))),
            },
            Found::Several(list) => {
                let actions = list
                    .iter()
                    .take(MAX_CHOICES)
                    .map(|c| {
                        Action::new(
                            commune_label(c),
                            choice(&format!("{} {}", c.name, c.department)),
                        )
                    })
                    .collect();
                Err(Fail::Reply(
                    Reply::text(ctx.t(
                        "place-choose",
                        &[("place", name.clone().into()), ("n", list.len().into())],
                    ))
                    .actions(actions),
                ))
            }
            Found::None => Err(refuse!("place-unknown", "place" => name.clone())),
        },
    }
}

/// The commune's name for display, when the code is known to the gazetteer.
pub fn commune_name(ctx: &Ctx<'_>, code: Option<&InseeCode>) -> Option<String> {
    code.and_then(|c| ctx.places.by_code(c)).map(commune_label)
}

/// A place answer: "-" for none, a `geo:` URI, or (later) a commune name.
pub(crate) fn place_answer(
    ctx: &Ctx<'_>,
    s: &str,
    choice: &dyn Fn(&str) -> String,
) -> Result<Option<GeoPoint>, Fail> {
    let s = s.trim();
    if crate::text::is_skip(s) {
        return Ok(None);
    }
    let place = if s.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("geo:")) {
        PlaceArg::Point(GeoPoint::parse_uri(s).map_err(geo_refusal)?)
    } else {
        PlaceArg::Name(s.to_owned())
    };
    Ok(Some(resolve(ctx, &place, choice)?.point))
}
