//! Points on the Earth: `geo:` URIs (RFC 5870), radii, great-circle distances.

use serde::{Deserialize, Serialize};

/// Mean Earth radius used for great-circle distances, in metres (that of `geo::Haversine`).
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// The straight-line (chord) distance on the unit sphere for a great-circle distance.
pub fn chord_of(metres: f64) -> f64 {
    2.0 * (metres / (2.0 * EARTH_RADIUS_M))
        .min(std::f64::consts::FRAC_PI_2)
        .sin()
}

/// The great-circle distance in metres for a chord on the unit sphere.
pub fn metres_of(chord: f64) -> f64 {
    2.0 * EARTH_RADIUS_M * (chord / 2.0).clamp(0.0, 1.0).asin()
}
/// Default search radius.
pub const DEFAULT_RADIUS_M: u32 = 5_000;
/// Largest accepted radius.
pub const MAX_RADIUS_M: u32 = 100_000;

/// A valid WGS 84 point: latitude in [-90, 90], longitude in [-180, 180], finite.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    lat: f64,
    lon: f64,
}

/// Why a location was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeoError {
    /// Not of the form `geo:LAT,LON`.
    Syntax,
    /// Numbers out of range or not finite.
    OutOfRange,
}

impl GeoPoint {
    pub fn new(lat: f64, lon: f64) -> Result<Self, GeoError> {
        if !lat.is_finite() || !lon.is_finite() {
            return Err(GeoError::OutOfRange);
        }
        if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
            return Err(GeoError::OutOfRange);
        }
        Ok(Self { lat, lon })
    }

    pub fn lat(self) -> f64 {
        self.lat
    }

    pub fn lon(self) -> f64 {
        self.lon
    }

    /// Parses `geo:LAT,LON[,ALT][;u=UNCERTAINTY][;crs=wgs84]...` (RFC 5870).
    pub fn parse_uri(s: &str) -> Result<Self, GeoError> {
        let s = s.trim();
        let rest = s
            .get(..4)
            .filter(|p| p.eq_ignore_ascii_case("geo:"))
            .map(|_| &s[4..])
            .ok_or(GeoError::Syntax)?;
        let mut parts = rest.split(';');
        let coords = parts.next().unwrap_or_default();
        for param in parts {
            let (key, value) = param.split_once('=').unwrap_or((param, ""));
            if key.eq_ignore_ascii_case("crs") && !value.eq_ignore_ascii_case("wgs84") {
                return Err(GeoError::Syntax);
            }
        }
        let nums: Vec<&str> = coords.split(',').collect();
        if !(2..=3).contains(&nums.len()) {
            return Err(GeoError::Syntax);
        }
        let parse = |t: &str| -> Result<f64, GeoError> {
            let t = t.trim();
            // Plain decimal numbers only: no "NaN", "inf" or exponents.
            let ok = !t.is_empty()
                && t.chars()
                    .all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == '+');
            if !ok {
                return Err(GeoError::Syntax);
            }
            t.parse::<f64>().map_err(|_| GeoError::Syntax)
        };
        let lat = parse(nums[0])?;
        let lon = parse(nums[1])?;
        if let Some(alt) = nums.get(2) {
            parse(alt)?;
        }
        Self::new(lat, lon)
    }

    /// The point rounded to 3 decimals (about 100 m), for a person's own location.
    pub fn rounded(self) -> Self {
        let r = |x: f64| (x * 1000.0).round() / 1000.0;
        Self {
            lat: r(self.lat),
            lon: r(self.lon),
        }
    }

    /// Great-circle (haversine) distance in metres.
    pub fn distance_m(self, other: Self) -> f64 {
        use geo::Distance;
        geo::Haversine.distance(self.to_geo(), other.to_geo())
    }

    /// The point as a `geo` point (x = longitude, y = latitude).
    pub fn to_geo(self) -> geo::Point<f64> {
        geo::Point::new(self.lon, self.lat)
    }

    /// The point on the unit sphere, Earth-centred (x towards 0°N 0°E, z towards the
    /// North Pole): straight-line distances there order points exactly as
    /// great-circle distances do, with no edge at the antimeridian or the poles.
    pub fn unit_vector(self) -> [f64; 3] {
        let (lat, lon) = (self.lat.to_radians(), self.lon.to_radians());
        [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
    }

    /// A latitude/longitude box that contains every point within `radius_m`.
    pub fn bounding_box(self, radius_m: f64) -> BoundingBox {
        let dlat = (radius_m / EARTH_RADIUS_M).to_degrees();
        let min_lat = self.lat - dlat;
        let max_lat = self.lat + dlat;
        let cos = self.lat.to_radians().cos();
        let full = min_lat <= -90.0 || max_lat >= 90.0 || cos < 1e-9;
        let dlon = if full { 180.0 } else { dlat / cos };
        let (min_lon, max_lon) = if full || self.lon - dlon < -180.0 || self.lon + dlon > 180.0 {
            // Crossing the antimeridian or a pole: every longitude.
            (-180.0, 180.0)
        } else {
            (self.lon - dlon, self.lon + dlon)
        };
        BoundingBox {
            min_lat: min_lat.max(-90.0),
            max_lat: max_lat.min(90.0),
            min_lon,
            max_lon,
        }
    }

    pub fn to_uri(self) -> String {
        format!("geo:{:.5},{:.5}", self.lat, self.lon)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoundingBox {
    pub min_lat: f64,
    pub max_lat: f64,
    pub min_lon: f64,
    pub max_lon: f64,
}

/// Parses a radius with its unit: `3km`, `500m`, `2.5km`, `2,5 km` (one token).
pub fn parse_radius(s: &str) -> Option<f64> {
    let s = s.trim().to_ascii_lowercase().replace(',', ".");
    let (num, factor) = if let Some(n) = s.strip_suffix("km") {
        (n, 1000.0)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 1.0)
    } else {
        return None;
    };
    if num.is_empty() || !num.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    num.parse::<f64>()
        .ok()
        .map(|v| v * factor)
        .filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        let p = GeoPoint::parse_uri("geo:45.7660,4.8795").unwrap();
        assert_eq!((p.lat(), p.lon()), (45.766, 4.8795));
        assert!(GeoPoint::parse_uri("geo:45.76,4.87;u=35").is_ok());
        assert!(GeoPoint::parse_uri("GEO:45.76,4.87,170;u=10;crs=wgs84").is_ok());
        assert_eq!(GeoPoint::parse_uri("geo:91,4"), Err(GeoError::OutOfRange));
        assert_eq!(GeoPoint::parse_uri("geo:45,181"), Err(GeoError::OutOfRange));
        assert_eq!(GeoPoint::parse_uri("geo:NaN,4"), Err(GeoError::Syntax));
        assert_eq!(GeoPoint::parse_uri("geo:inf,4"), Err(GeoError::Syntax));
        assert_eq!(GeoPoint::parse_uri("geo:abc,4"), Err(GeoError::Syntax));
        assert_eq!(GeoPoint::parse_uri("geo:45"), Err(GeoError::Syntax));
        assert_eq!(GeoPoint::parse_uri("45,4"), Err(GeoError::Syntax));
        assert!(GeoPoint::new(f64::NAN, 0.0).is_err());
    }

    #[test]
    fn distances() {
        let lyon = GeoPoint::new(45.7640, 4.8357).unwrap();
        let villeurbanne = GeoPoint::new(45.7719, 4.8902).unwrap();
        let d = lyon.distance_m(villeurbanne);
        assert!((4000.0..4600.0).contains(&d), "{d}");
        let a = GeoPoint::new(0.0, 179.99).unwrap();
        let b = GeoPoint::new(0.0, -179.99).unwrap();
        assert!(a.distance_m(b) < 2300.0);
    }

    #[test]
    fn boxes_contain_the_circle() {
        let a = GeoPoint::new(0.0, 179.99).unwrap();
        let bb = a.bounding_box(5000.0);
        assert_eq!((bb.min_lon, bb.max_lon), (-180.0, 180.0));
        let p = GeoPoint::new(45.0, 5.0).unwrap();
        let bb = p.bounding_box(1000.0);
        assert!(bb.min_lat < 45.0 && bb.max_lat > 45.0 && bb.min_lon < 5.0 && bb.max_lon > 5.0);
        let pole = GeoPoint::new(89.999, 0.0).unwrap().bounding_box(1000.0);
        assert_eq!(pole.max_lat, 90.0);
    }

    #[test]
    fn radii() {
        assert_eq!(parse_radius("3km"), Some(3000.0));
        assert_eq!(parse_radius("500m"), Some(500.0));
        assert_eq!(parse_radius("2,5km"), Some(2500.0));
        assert_eq!(parse_radius("3"), None);
        assert_eq!(parse_radius("km"), None);
        assert_eq!(parse_radius("-3km"), None);
    }
}
