use serde::Deserialize;

use super::Record;
use crate::woo::{Resource, lenient};

/// A shipping method instance of a zone, listed under its zone; keyed by its instance id.
#[derive(Debug, Deserialize)]
pub struct ShippingZoneMethod {
    #[serde(deserialize_with = "lenient::id")]
    pub instance_id: i64,
    #[serde(default, deserialize_with = "lenient::text")]
    pub method_id: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub title: String,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub enabled: bool,
    #[serde(default, deserialize_with = "lenient::i64_or_zero")]
    pub order: i64,
}

impl Record for ShippingZoneMethod {
    const RESOURCE: Resource = Resource::ShippingZoneMethods;
}
