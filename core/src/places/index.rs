//! The in-memory spatial index behind nearby discovery: an R*-tree (rstar) over
//! Earth-centred unit vectors in `f32`. Straight-line distance between unit vectors
//! grows with great-circle distance, so the tree's nearest-neighbour order is the
//! exact order on the sphere, with no edge at the antimeridian or the poles.
//! `f32` keeps about 0.5 m of precision at the Earth's scale.

use rstar::{AABB, PointDistance, RTree, RTreeObject};

use crate::domain::{Category, Initiative, InitiativeId, InitiativeKind};
use crate::geo::{GeoPoint, chord_of, metres_of};

/// One indexed initiative: 24 bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Entry {
    xyz: [f32; 3],
    id: u32,
    category: Category,
    kind: InitiativeKind,
}

impl Entry {
    /// `None` for ids beyond `u32` (4 billion initiatives).
    fn of(r: Located) -> Option<Self> {
        let [x, y, z] = r.place.unit_vector();
        Some(Self {
            xyz: [x as f32, y as f32, z as f32],
            id: u32::try_from(r.id.0).ok()?,
            category: r.category,
            kind: r.kind,
        })
    }

    pub fn id(&self) -> InitiativeId {
        InitiativeId(i64::from(self.id))
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

/// What to keep: categories (empty = all) and kind (`None` = both).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub categories: Vec<Category>,
    pub kind: Option<InitiativeKind>,
}

impl Filter {
    fn keeps(&self, e: &Entry) -> bool {
        (self.categories.is_empty() || self.categories.contains(&e.category))
            && self.kind.is_none_or(|k| k == e.kind)
    }
}

/// A row to index: only live initiatives with a place are indexed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Located {
    pub id: InitiativeId,
    pub place: GeoPoint,
    pub category: Category,
    pub kind: InitiativeKind,
}

impl Located {
    /// The index row of an initiative, if it belongs in the index.
    pub fn of(i: &Initiative) -> Option<Self> {
        Some(Self {
            id: i.id,
            place: i.place.filter(|_| i.status.is_live())?,
            category: i.category,
            kind: i.kind,
        })
    }
}

/// The index: the tree, and where each initiative is in it (to move or remove
/// one by id, as changes read from the store give only the new state).
#[derive(Default)]
pub struct NearbyIndex {
    tree: RTree<Entry>,
    placed: std::collections::HashMap<u32, Entry>,
}

impl NearbyIndex {
    /// Builds the index at once (bulk loading packs the tree tightly).
    pub fn bulk_load(rows: impl IntoIterator<Item = Located>) -> Self {
        let mut placed = std::collections::HashMap::new();
        for e in rows.into_iter().filter_map(Entry::of) {
            placed.insert(e.id, e);
        }
        Self {
            tree: RTree::bulk_load(placed.values().copied().collect()),
            placed,
        }
    }

    pub fn len(&self) -> usize {
        self.tree.size()
    }

    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    /// Removes an initiative. Returns whether it was there.
    pub fn remove(&mut self, id: InitiativeId) -> bool {
        let Ok(key) = u32::try_from(id.0) else {
            return false;
        };
        match self.placed.remove(&key) {
            Some(e) => self.tree.remove(&e).is_some(),
            None => false,
        }
    }

    /// Puts an initiative where it is now: `now` is its index row, `None` when it
    /// is not live or has no place (then it leaves the index).
    pub fn set(&mut self, id: InitiativeId, now: Option<Located>) {
        let entry = now.and_then(Entry::of);
        if let (Some(e), Ok(key)) = (entry, u32::try_from(id.0))
            && self.placed.get(&key) == Some(&e)
        {
            return;
        }
        self.remove(id);
        if let Some(e) = entry {
            self.placed.insert(e.id, e);
            self.tree.insert(e);
        }
    }

    /// Follows a write of `after` by this process.
    pub fn update(&mut self, after: &Initiative) {
        self.set(after.id, Located::of(after));
    }

    /// Initiatives within `radius_m` of `centre`, nearest first, at most `limit`,
    /// with their great-circle distances in metres.
    pub fn nearby(
        &self,
        centre: GeoPoint,
        radius_m: f64,
        filter: &Filter,
        limit: usize,
    ) -> Vec<(InitiativeId, f64)> {
        let [x, y, z] = centre.unit_vector();
        let q = [x as f32, y as f32, z as f32];
        // A hair over the radius in f32, then the exact check in f64.
        let max_chord = chord_of(radius_m);
        let max_d2 = (max_chord * (1.0 + 1e-6) + 1e-7).powi(2) as f32;
        let keep = |e: &Entry, d2: f32| -> Option<(InitiativeId, f64)> {
            let d = metres_of(f64::from(d2).sqrt());
            (filter.keeps(e) && d <= radius_m).then(|| (e.id(), d))
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
        let mut out: Vec<(InitiativeId, f64)> = self
            .tree
            .locate_within_distance(q, max_d2)
            .filter_map(|e| keep(e, e.distance_2(&q)))
            .collect();
        out.sort_unstable_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        out.truncate(limit);
        out
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
        }
    }

    fn ids(v: Vec<(InitiativeId, f64)>) -> Vec<i64> {
        v.into_iter().map(|(i, _)| i.0).collect()
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
        idx.set(id, None);
        assert!(idx.is_empty());
        assert!(!idx.remove(id));
        idx.set(InitiativeId(2), Some(at(2, 45.0, 5.0)));
        assert!(idx.remove(InitiativeId(2)));
        assert!(idx.is_empty());
    }
}
