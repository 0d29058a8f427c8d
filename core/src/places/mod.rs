//! Places: the communes gazetteer and the nearby index.

pub mod gazetteer;
pub mod index;

pub use gazetteer::{Commune, Found, Gazetteer};
pub use index::{
    Filter, GeoBox, Key, Located, Mask, NearbyIndex, Row, actor_kind_code, category_bits,
};
