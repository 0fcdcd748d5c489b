use serde::Deserialize;

use super::Record;
use crate::woo::{Resource, lenient};

/// A product shipping class.
#[derive(Debug, Deserialize)]
pub struct ProductShippingClass {
    #[serde(deserialize_with = "lenient::id")]
    pub id: i64,
    #[serde(default, deserialize_with = "lenient::text")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub slug: String,
    #[serde(default, deserialize_with = "lenient::i64_or_zero")]
    pub count: i64,
}

impl Record for ProductShippingClass {
    const RESOURCE: Resource = Resource::ProductShippingClasses;
}
