use serde::Deserialize;

use super::Record;
use crate::woo::{Resource, lenient};

/// A shipping method the store offers; its id is a string such as flat_rate.
#[derive(Debug, Deserialize)]
pub struct ShippingMethod {
    #[serde(deserialize_with = "lenient::text")]
    pub id: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub title: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub description: String,
}

impl Record for ShippingMethod {
    const RESOURCE: Resource = Resource::ShippingMethods;
}
