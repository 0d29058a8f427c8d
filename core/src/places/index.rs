//! The in-memory spatial index behind nearby discovery: an R*-tree (rstar) over
//! Earth-centred unit vectors in `f32`. Straight-line distance between unit vectors
//! grows with great-circle distance, so the tree's nearest-neighbour order is the
//! exact order on the sphere, with no edge at the antimeridian or the poles.
//! `f32` keeps about 0.5 m of precision at the Earth's scale.
//!
//! One index holds one kind of thing, by id: initiatives (with their category,
//! kind and the kinds of their open needs) or verified actors (with their
//! categories and kind).

use std::marker::PhantomData;

use rstar::{AABB, PointDistance, RStarInsertionStrategy, RTree, RTreeObject, RTreeParams};

use crate::domain::{ActorId, ActorKind, Category, Initiative, InitiativeId, InitiativeKind};
use crate::geo::{GeoPoint, chord_of, metres_of};

/// What an index is keyed by: initiatives or actors, as positive ids that fit
/// `u32` (4 billion).
pub trait Key: Copy + PartialEq + std::fmt::Debug {
    fn raw(self) -> i64;
    fn from_raw(raw: u32) -> Self;
}

impl Key for InitiativeId {
    fn raw(self) -> i64 {
        self.0
    }
    fn from_raw(raw: u32) -> Self {
        Self(i64::from(raw))
    }
}

impl Key for ActorId {
    fn raw(self) -> i64 {
        self.0
    }
    fn from_raw(raw: u32) -> Self {
        Self(i64::from(raw))
    }
}

/// One indexed thing: 20 bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Entry {
    xyz: [f32; 3],
    id: u32,
    /// Categories, one bit each ([`category_bits`]).
    categories: u16,
    /// The kind: an initiative's ([`InitiativeKind`]) or an actor's ([`ActorKind`]).
    kind: u8,
    /// The kinds of an initiative's open needs, one bit each.
    needs: u8,
}

impl Entry {
    /// `None` for ids beyond `u32`.
    fn of<K: Key>(r: &Row<K>) -> Option<Self> {
        let [x, y, z] = r.place.unit_vector();
        Some(Self {
            xyz: [x as f32, y as f32, z as f32],
            id: u32::try_from(r.id.raw()).ok()?,
            categories: r.categories,
            kind: r.kind,
            needs: r.needs,
        })
    }
}

impl RTreeObject for Entry {
    type Envelope = AABB<[f32; 3]>;
    fn envelope(&self) -> Self::Envelope {
        AABB::from_point(self.xyz)
    }
}

impl PointDistance for Entry {
    fn distance_2(&self, p: &[f32; 3]) -> f32 {
        let d = [self.xyz[0] - p[0], self.xyz[1] - p[1], self.xyz[2] - p[2]];
        d[0] * d[0] + d[1] * d[1] + d[2] * d[2]
    }
}

/// Up to this many results, a query walks outwards from the centre and stops
/// early; beyond, a range query and a sort are cheaper.
const NEAREST_MAX: usize = 64;

/// One bit per category.
pub fn category_bits(categories: &[Category]) -> u16 {
    categories
        .iter()
        .fold(0, |bits, c| bits | (1 << (*c as u16)))
}

fn initiative_kind_code(k: InitiativeKind) -> u8 {
    match k {
        InitiativeKind::Idea => 0,
        InitiativeKind::Project => 1,
    }
}

/// An actor's kind as an index entry holds it.
pub fn actor_kind_code(k: ActorKind) -> u8 {
    match k {
        ActorKind::Citizen => 0,
        ActorKind::Association => 1,
        ActorKind::Municipality => 2,
        ActorKind::Company => 3,
    }
}

/// What a query keeps: any of these categories (none: all), this kind (`None`:
/// all), an open need of any of these kinds (none: needs or not).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mask {
    pub categories: u16,
    pub kind: Option<u8>,
    pub needs: u8,
}

impl Mask {
    fn keeps(&self, e: &Entry) -> bool {
        (self.categories == 0 || self.categories & e.categories != 0)
            && self.kind.is_none_or(|k| k == e.kind)
            && (self.needs == 0 || self.needs & e.needs != 0)
    }
}

/// What to keep of initiatives: categories (empty = all) and kind (`None` = both).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub categories: Vec<Category>,
    pub kind: Option<InitiativeKind>,
}

impl From<&Filter> for Mask {
    fn from(f: &Filter) -> Self {
        Self {
            categories: category_bits(&f.categories),
            kind: f.kind.map(initiative_kind_code),
            needs: 0,
        }
    }
}

/// One thing to index, at its place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row<K> {
    pub id: K,
    pub place: GeoPoint,
    pub categories: u16,
    pub kind: u8,
    pub needs: u8,
}

/// A row to index: only live initiatives with a place are indexed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Located {
    pub id: InitiativeId,
    pub place: GeoPoint,
    pub category: Category,
    pub kind: InitiativeKind,
    /// The kinds of its open needs, one bit each (`NeedKind::bit`).
    pub needs: u8,
}

impl Located {
    /// The index row of an initiative, if it belongs in the index (its
    /// needs are the store's business: none here).
    pub fn of(i: &Initiative) -> Option<Self> {
        Some(Self {
            id: i.id,
            place: i.place.filter(|_| i.is_shown())?,
            category: i.category,
            kind: i.kind,
            needs: 0,
        })
    }
}

impl From<Located> for Row<InitiativeId> {
    fn from(l: Located) -> Self {
        Self {
            id: l.id,
            place: l.place,
            categories: category_bits(&[l.category]),
            kind: initiative_kind_code(l.kind),
            needs: l.needs,
        }
    }
}

/// The tree's shape: nodes of up to 12 children (rstar's default is 6). A leaf
/// slot costs the size of a parent node (48 bytes, however small the entry), so
/// fewer parents is most of what can be saved; queries stay as fast (measured:
/// docs/benchmarks.md).
#[derive(Debug)]
pub struct Wide;

impl RTreeParams for Wide {
    const MIN_SIZE: usize = 5;
    const MAX_SIZE: usize = 12;
    const REINSERTION_COUNT: usize = 3;
    type DefaultInsertionStrategy = RStarInsertionStrategy;
}

/// Where an initiative is, by id, to find its entry again: latitude and
/// longitude on 16 bits each (a cell of about 300 m by 600 m), 4 bytes an id.
type Cell = [u16; 2];
/// Not in the index.
const ABSENT: Cell = [u16::MAX, u16::MAX];
/// Steps of latitude and longitude in a cell's 16 bits (`ABSENT` left out).
const STEPS: f64 = 65_534.0;
/// An entry lies within this distance of its cell's centre (half a cell's
/// diagonal is under 350 m).
const CELL_REACH_M: f64 = 1_000.0;

fn cell_of(p: GeoPoint) -> Cell {
    let q = |v: f64, span: f64| ((v / span + 0.5) * STEPS).round().clamp(0.0, STEPS) as u16;
    [q(p.lat(), 180.0), q(p.lon(), 360.0)]
}

fn centre_of(c: Cell) -> Option<GeoPoint> {
    let v = |q: u16, span: f64| (f64::from(q) / STEPS - 0.5) * span;
    GeoPoint::new(v(c[0], 180.0), v(c[1], 360.0)).ok()
}

/// The index: the tree, and the cell each thing is in, by id (to move or
/// remove one by id, as changes read from the store give only the new state).
/// Ids are dense, so a vector costs 4 bytes a thing where a map cost 50.
pub struct NearbyIndex<K = InitiativeId> {
    tree: RTree<Entry, Wide>,
    cells: Vec<Cell>,
    key: PhantomData<K>,
}

impl<K> Default for NearbyIndex<K> {
    fn default() -> Self {
        Self {
            tree: RTree::default(),
            cells: Vec::new(),
            key: PhantomData,
        }
    }
}

/// Shown by size only.
impl<K> std::fmt::Debug for NearbyIndex<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NearbyIndex")
            .field("len", &self.tree.size())
            .finish_non_exhaustive()
    }
}

impl<K: Key> NearbyIndex<K> {
    /// Builds the index at once (bulk loading packs the tree tightly).
    pub fn bulk_load<R: Into<Row<K>>>(rows: impl IntoIterator<Item = R>) -> Self {
        let rows: Vec<Row<K>> = rows.into_iter().map(Into::into).collect();
        let mut cells = Vec::new();
        let mut entries = Vec::with_capacity(rows.len());
        for r in rows {
            let Some(e) = Entry::of(&r) else { continue };
            let i = e.id as usize;
            if cells.len() <= i {
                cells.resize(i + 1, ABSENT);
            }
            if cells[i] != ABSENT {
                continue; // the same id twice: the first stays
            }
            cells[i] = cell_of(r.place);
            entries.push(e);
        }
        cells.shrink_to_fit();
        Self {
            tree: RTree::bulk_load_with_params(entries),
            cells,
            key: PhantomData,
        }
    }

    pub fn len(&self) -> usize {
        self.tree.size()
    }

    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    /// The entry of an initiative, found near its cell's centre.
    fn entry(&self, key: u32) -> Option<Entry> {
        let cell = *self.cells.get(key as usize)?;
        if cell == ABSENT {
            return None;
        }
        let [x, y, z] = centre_of(cell)?.unit_vector();
        let reach = chord_of(CELL_REACH_M);
        self.tree
            .locate_within_distance([x as f32, y as f32, z as f32], (reach * reach) as f32)
            .find(|e| e.id == key)
            .copied()
    }

    /// Removes a thing. Returns whether it was there.
    pub fn remove(&mut self, id: K) -> bool {
        let Ok(key) = u32::try_from(id.raw()) else {
            return false;
        };
        let Some(e) = self.entry(key) else {
            return false;
        };
        if let Some(c) = self.cells.get_mut(key as usize) {
            *c = ABSENT;
        }
        self.tree.remove(&e).is_some()
    }

    /// Puts a thing where it is now: `now` is its index row, `None` when it
    /// is not shown or has no place (then it leaves the index).
    pub fn set<R: Into<Row<K>>>(&mut self, id: K, now: Option<R>) {
        let Ok(key) = u32::try_from(id.raw()) else {
            return;
        };
        let now: Option<Row<K>> = now.map(Into::into);
        let entry = now.as_ref().and_then(Entry::of);
        if entry.is_some() && self.entry(key) == entry {
            return;
        }
        self.remove(id);
        if let (Some(e), Some(r)) = (entry, now) {
            let i = key as usize;
            if self.cells.len() <= i {
                self.cells.resize(i + 1, ABSENT);
            }
            self.cells[i] = cell_of(r.place);
            self.tree.insert(e);
        }
    }

    /// Things within `radius_m` of `centre` that the filter keeps, nearest
    /// first, at most `limit`, with their great-circle distances in metres.
    pub fn nearby(
        &self,
        centre: GeoPoint,
        radius_m: f64,
        filter: impl Into<Mask>,
        limit: usize,
    ) -> Vec<(K, f64)> {
        let filter: Mask = filter.into();
        let [x, y, z] = centre.unit_vector();
        let q = [x as f32, y as f32, z as f32];
        // A hair over the radius in f32, then the exact check in f64.
        let max_chord = chord_of(radius_m);
        let max_d2 = (max_chord * (1.0 + 1e-6) + 1e-7).powi(2) as f32;
        let keep = |e: &Entry, d2: f32| -> Option<(K, f64)> {
            let d = metres_of(f64::from(d2).sqrt());
            (filter.keeps(e) && d <= radius_m).then(|| (K::from_raw(e.id), d))
        };
        if limit <= NEAREST_MAX {
            // Few wanted: walk outwards and stop early.
            let mut out = Vec::with_capacity(limit.min(16));
            for (e, d2) in self.tree.nearest_neighbor_iter_with_distance_2(&q) {
                if d2 > max_d2 || out.len() >= limit {
                    break;
                }
                out.extend(keep(e, d2));
            }
            return out;
        }
        // Everything within the radius: a range query, then one sort.
        let mut out: Vec<(K, f64)> = self
            .tree
            .locate_within_distance(q, max_d2)
            .filter_map(|e| keep(e, e.distance_2(&q)))
            .collect();
        out.sort_unstable_by(|a, b| a.1.total_cmp(&b.1).then(a.0.raw().cmp(&b.0.raw())));
        out.truncate(limit);
        out
    }
}

/// A box of latitudes and longitudes (GeoJSON's `bbox`, RFC 7946 § 5): west,
/// south, east, north in degrees. A west greater than the east crosses the
/// antimeridian.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoBox {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
}

impl GeoBox {
    /// `W,S,E,N`; `None` unless four finite numbers with latitudes in
    /// [-90, 90], south ≤ north, and longitudes in [-180, 180].
    pub fn parse(s: &str) -> Option<Self> {
        let v: Vec<f64> = s
            .split(',')
            .map(|p| p.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
            .collect::<Option<_>>()?;
        let [west, south, east, north] = v.as_slice() else {
            return None;
        };
        let b = Self {
            west: *west,
            south: *south,
            east: *east,
            north: *north,
        };
        let lon = |x: f64| (-180.0..=180.0).contains(&x);
        let lat = |x: f64| (-90.0..=90.0).contains(&x);
        (lon(b.west) && lon(b.east) && lat(b.south) && lat(b.north) && b.south <= b.north)
            .then_some(b)
    }

    pub fn contains(&self, p: GeoPoint) -> bool {
        let (lat, lon) = (p.lat(), p.lon());
        let in_lon = if self.west <= self.east {
            (self.west..=self.east).contains(&lon)
        } else {
            lon >= self.west || lon <= self.east
        };
        in_lon && (self.south..=self.north).contains(&lat)
    }

    /// The boxes of unit vectors that hold this box's points (one, or two
    /// across the antimeridian), a hair larger for `f32`.
    fn envelopes(&self) -> Vec<AABB<[f32; 3]>> {
        let spans = if self.west <= self.east {
            vec![(self.west, self.east)]
        } else {
            vec![(self.west, 180.0), (-180.0, self.east)]
        };
        let (s, n) = (self.south.to_radians(), self.north.to_radians());
        // cos(lat) over [s, n]: largest at the latitude nearest 0.
        let cos_max = if s <= 0.0 && n >= 0.0 {
            1.0
        } else {
            s.cos().max(n.cos())
        };
        let cos_min = s.cos().min(n.cos());
        spans
            .into_iter()
            .map(|(w, e)| {
                let (w, e) = (w.to_radians(), e.to_radians());
                // cos and sin of the longitude over [w, e]: the ends, and
                // the extremes they pass (multiples of 90°).
                let mut cs = vec![w.cos(), e.cos()];
                let mut sn = vec![w.sin(), e.sin()];
                let quarter = std::f64::consts::FRAC_PI_2;
                let mut k = (w / quarter).ceil();
                while k * quarter <= e {
                    let a = k * quarter;
                    cs.push(a.cos());
                    sn.push(a.sin());
                    k += 1.0;
                }
                let range = |v: &[f64]| {
                    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
                    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    // times cos(lat) in [cos_min, cos_max] (both ≥ 0)
                    let ends = [lo * cos_min, lo * cos_max, hi * cos_min, hi * cos_max];
                    (
                        ends.iter().copied().fold(f64::INFINITY, f64::min),
                        ends.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                    )
                };
                let (x0, x1) = range(&cs);
                let (y0, y1) = range(&sn);
                let pad = 1e-5;
                AABB::from_corners(
                    [(x0 - pad) as f32, (y0 - pad) as f32, (s.sin() - pad) as f32],
                    [(x1 + pad) as f32, (y1 + pad) as f32, (n.sin() + pad) as f32],
                )
            })
            .collect()
    }
}

impl<K: Key> NearbyIndex<K> {
    /// Things in the box that the filter keeps, by id, with their places
    /// (to about a metre: the index keeps `f32`).
    pub fn within_box(&self, b: &GeoBox, filter: impl Into<Mask>) -> Vec<(K, GeoPoint)> {
        let filter: Mask = filter.into();
        let mut out = Vec::new();
        for envelope in b.envelopes() {
            for e in self.tree.locate_in_envelope(&envelope) {
                if !filter.keeps(e) {
                    continue;
                }
                let [x, y, z] = e.xyz.map(f64::from);
                let lat = z.clamp(-1.0, 1.0).asin().to_degrees();
                let lon = y.atan2(x).to_degrees();
                if let Ok(p) = GeoPoint::new(lat, lon)
                    && b.contains(p)
                {
                    out.push((K::from_raw(e.id), p));
                }
            }
        }
        out.sort_unstable_by_key(|(k, _)| k.raw());
        out.dedup_by_key(|(k, _)| k.raw());
        out
    }
}

impl NearbyIndex<InitiativeId> {
    /// Follows a write of `after` by this process: its open needs stay as
    /// the index knew them (a change of needs comes through the store's
    /// changes).
    pub fn update(&mut self, after: &Initiative) {
        let needs = u32::try_from(after.id.0)
            .ok()
            .and_then(|k| self.entry(k))
            .map_or(0, |e| e.needs);
        self.set(after.id, Located::of(after).map(|l| Located { needs, ..l }));
    }

    /// The index of initiatives with open needs follows a write of `after`
    /// by this process: one that is there moves (or leaves, no longer
    /// shown); none is added (needs come through the store's changes).
    pub fn update_if_present(&mut self, after: &Initiative) {
        let Some(needs) = u32::try_from(after.id.0)
            .ok()
            .and_then(|k| self.entry(k))
            .map(|e| e.needs)
        else {
            return;
        };
        self.set(after.id, Located::of(after).map(|l| Located { needs, ..l }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(id: i64, lat: f64, lon: f64) -> Located {
        Located {
            id: InitiativeId(id),
            place: GeoPoint::new(lat, lon).unwrap(),
            category: Category::Compost,
            kind: InitiativeKind::Idea,
            needs: 0,
        }
    }

    fn ids(v: Vec<(InitiativeId, f64)>) -> Vec<i64> {
        v.into_iter().map(|(i, _)| i.0).collect()
    }

    /// Boxes (across the equator, the antimeridian, near a pole) find what
    /// a walk over every point finds, away from their edges by a metre.
    #[test]
    fn boxes_find_what_a_walk_finds() {
        let mut rows = Vec::new();
        let mut n = 0;
        for lat in (-89..=89).step_by(7) {
            for lon in (-180..180).step_by(11) {
                n += 1;
                rows.push(at(n, f64::from(lat) + 0.37, f64::from(lon) + 0.61));
            }
        }
        let idx = NearbyIndex::bulk_load(rows.clone());
        let boxes = [
            "-5,40,10,52",
            "170,-20,-170,20",
            "-180,80,180,90",
            "-180,-90,180,90",
            "4.8,45.7,4.9,45.8",
            "100,-60,-100,-30",
            "0,0,0,0",
        ];
        for text in boxes {
            let b = GeoBox::parse(text).unwrap();
            let got: Vec<i64> = idx
                .within_box(&b, Mask::default())
                .into_iter()
                .map(|(i, _)| i.0)
                .collect();
            let want: Vec<i64> = rows
                .iter()
                .filter(|r| b.contains(r.place))
                .map(|r| r.id.0)
                .collect();
            assert_eq!(got, want, "{text}");
        }
        // A category filter; a compost-only index has no repair.
        let b = GeoBox::parse("-180,-90,180,90").unwrap();
        let repair = Mask {
            categories: category_bits(&[Category::Repair]),
            ..Mask::default()
        };
        assert!(idx.within_box(&b, repair).is_empty());
        for bad in [
            "",
            "1,2,3",
            "1,2,3,4,5",
            "a,b,c,d",
            "0,10,1,5",
            "0,-91,1,5",
            "-181,0,0,1",
            "NaN,0,1,1",
            "inf,0,1,1",
        ] {
            assert_eq!(GeoBox::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn distance_order_and_radius_edges() {
        let c = GeoPoint::new(45.0, 5.0).unwrap();
        // 1 km is 0.0089932 degrees of latitude.
        let deg = 1000.0 / crate::geo::EARTH_RADIUS_M * 180.0 / std::f64::consts::PI;
        let idx = NearbyIndex::bulk_load([
            at(1, 45.0 + deg * 0.999, 5.0), // just inside 1 km
            at(2, 45.0 + deg * 1.001, 5.0), // just outside
            at(3, 45.0 + deg * 0.3, 5.0),
            at(4, 45.0 - deg * 0.6, 5.0),
        ]);
        let got = idx.nearby(c, 1000.0, &Filter::default(), 10);
        assert_eq!(ids(got.clone()), vec![3, 4, 1]);
        assert!((got[2].1 - 999.0).abs() < 1.5, "{:?}", got[2]);
        assert_eq!(
            ids(idx.nearby(c, 1000.0, &Filter::default(), 2)),
            vec![3, 4]
        );
        assert_eq!(
            ids(idx.nearby(c, 2000.0, &Filter::default(), 10)),
            vec![3, 4, 1, 2]
        );
    }

    #[test]
    fn across_the_antimeridian_and_near_a_pole() {
        let idx = NearbyIndex::bulk_load([
            at(1, 0.0, 179.995),
            at(2, 0.0, -179.995),
            at(3, 0.0, 170.0),
            at(4, 89.999, 0.0),
            at(5, 89.999, 180.0),
        ]);
        let east = GeoPoint::new(0.0, 179.999).unwrap();
        assert_eq!(
            ids(idx.nearby(east, 2000.0, &Filter::default(), 10)),
            vec![1, 2]
        );
        let pole = GeoPoint::new(90.0, 0.0).unwrap();
        let got = idx.nearby(pole, 200.0, &Filter::default(), 10);
        assert_eq!(got.len(), 2);
        assert!(got.iter().all(|(_, d)| (d - 111.2).abs() < 1.0), "{got:?}");
    }

    #[test]
    fn every_point_is_within_reach_of_its_cell() {
        let mut lat = -90.0;
        while lat <= 90.0 {
            let mut lon = -180.0;
            while lon <= 180.0 {
                let p = GeoPoint::new(lat, lon).unwrap();
                let c = centre_of(cell_of(p)).unwrap();
                assert!(p.distance_m(c) < CELL_REACH_M / 2.0, "{lat} {lon}");
                assert_ne!(cell_of(p), ABSENT);
                lon += 0.137;
            }
            lat += 0.0913;
        }
    }

    #[test]
    fn moves_by_id_among_many_neighbours_and_at_the_edges_of_the_map() {
        let mut rows: Vec<Located> = (1..=500)
            .map(|i| at(i, 45.0 + i as f64 * 1e-6, 5.0))
            .collect();
        rows.extend([
            at(501, 0.0, 179.99999),
            at(502, -89.99999, -180.0),
            at(503, 89.99999, 180.0),
        ]);
        let mut idx = NearbyIndex::bulk_load(rows);
        assert_eq!(idx.len(), 503);
        idx.set(InitiativeId(250), Some(at(250, 48.0, 2.0)));
        assert_eq!(idx.len(), 503);
        let paris = GeoPoint::new(48.0, 2.0).unwrap();
        assert_eq!(
            ids(idx.nearby(paris, 10.0, &Filter::default(), 10)),
            vec![250]
        );
        let here = GeoPoint::new(45.0, 5.0).unwrap();
        assert_eq!(idx.nearby(here, 500.0, &Filter::default(), 1000).len(), 499);
        for id in [501, 502, 503, 250, 1] {
            assert!(idx.remove(InitiativeId(id)), "{id}");
            assert!(!idx.remove(InitiativeId(id)), "{id}");
        }
        assert_eq!(idx.len(), 498);
        // Ids past the end, and ids that were never there.
        idx.set(InitiativeId(10_000), Some(at(10_000, 45.0, 5.0)));
        assert_eq!(idx.len(), 499);
        assert!(!idx.remove(InitiativeId(9_999)));
    }

    #[test]
    fn needs_bits_filter_and_outlive_this_process_writes() {
        let mut one = at(1, 45.0, 5.0);
        one.needs = 0b00100;
        let mut idx = NearbyIndex::bulk_load([one, at(2, 45.0, 5.0)]);
        let c = GeoPoint::new(45.0, 5.0).unwrap();
        let any = Mask {
            needs: 0x1f,
            ..Mask::default()
        };
        let funding = Mask {
            needs: 0b10000,
            ..Mask::default()
        };
        assert_eq!(ids(idx.nearby(c, 100.0, any, 10)), vec![1]);
        assert!(idx.nearby(c, 100.0, funding, 10).is_empty());
        // A write read back without needs keeps them; the needs' own index
        // moves what it holds and adds nothing.
        let mut needs = NearbyIndex::bulk_load([one]);
        let mut moved = crate::domain::Initiative {
            id: InitiativeId(1),
            kind: InitiativeKind::Idea,
            title: String::new(),
            description: String::new(),
            category: Category::Compost,
            place: Some(GeoPoint::new(46.0, 5.0).unwrap()),
            commune: None,
            status: crate::domain::Status::Open,
            created_by: None,
            offered_to: None,
            created_at: chrono::DateTime::UNIX_EPOCH,
            updated_at: chrono::DateTime::UNIX_EPOCH,
            hidden: false,
            carried_by: None,
        };
        idx.update(&moved);
        needs.update_if_present(&moved);
        let there = GeoPoint::new(46.0, 5.0).unwrap();
        assert_eq!(ids(idx.nearby(there, 100.0, any, 10)), vec![1]);
        assert_eq!(ids(needs.nearby(there, 100.0, any, 10)), vec![1]);
        moved.id = InitiativeId(2);
        needs.update_if_present(&moved);
        assert_eq!(needs.len(), 1);
        moved.id = InitiativeId(1);
        moved.hidden = true;
        needs.update_if_present(&moved);
        assert!(needs.is_empty());
    }

    #[test]
    fn filters_and_updates() {
        let mut idx = NearbyIndex::bulk_load([at(1, 45.0, 5.0)]);
        let c = GeoPoint::new(45.0, 5.0).unwrap();
        let food = Filter {
            categories: vec![Category::Food],
            kind: None,
        };
        assert!(idx.nearby(c, 100.0, &food, 10).is_empty());
        let projects = Filter {
            categories: vec![],
            kind: Some(InitiativeKind::Project),
        };
        assert!(idx.nearby(c, 100.0, &projects, 10).is_empty());
        // Moved by id (a change read from the store), then gone.
        let id = InitiativeId(1);
        idx.set(id, Some(at(1, 46.0, 5.0)));
        assert_eq!(idx.len(), 1);
        assert!(idx.nearby(c, 100.0, &Filter::default(), 10).is_empty());
        let there = GeoPoint::new(46.0, 5.0).unwrap();
        assert_eq!(idx.nearby(there, 100.0, &Filter::default(), 10).len(), 1);
        idx.set(id, Some(at(1, 46.0, 5.0)));
        assert_eq!(idx.len(), 1);
        idx.set(id, None::<Located>);
        assert!(idx.is_empty());
        assert!(!idx.remove(id));
        idx.set(InitiativeId(2), Some(at(2, 45.0, 5.0)));
        assert!(idx.remove(InitiativeId(2)));
        assert!(idx.is_empty());
    }
}
