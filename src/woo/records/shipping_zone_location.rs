use serde::Deserialize;

use super::Record;
use crate::woo::{Resource, lenient};

/// A location of a zone (a country, state, postcode or continent), listed under its zone. It has no id: its code and type are its key.
#[derive(Debug, Deserialize)]
pub struct ShippingZoneLocation {
    #[serde(default, deserialize_with = "lenient::text")]
    pub code: String,
    #[serde(default, rename = "type", deserialize_with = "lenient::text")]
    pub location_type: String,
}

impl Record for ShippingZoneLocation {
    const RESOURCE: Resource = Resource::ShippingZoneLocations;
}
