use serde::Deserialize;

use super::{Parent, Record};
use crate::woo::{Resource, lenient};

/// A shipping zone (zone 0 is "everywhere else").
#[derive(Debug, Deserialize)]
pub struct ShippingZone {
    #[serde(deserialize_with = "lenient::id")]
    pub id: i64,
    #[serde(default, deserialize_with = "lenient::text")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::i64_or_zero")]
    pub order: i64,
}

impl Record for ShippingZone {
    const RESOURCE: Resource = Resource::ShippingZones;

    fn as_parent(&self) -> Option<Parent> {
        Some(Parent {
            id: self.id,
            lists_children: true,
            date_modified_gmt: None,
        })
    }
}
