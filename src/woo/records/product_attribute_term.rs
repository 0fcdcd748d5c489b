use serde::Deserialize;

use super::Record;
use crate::woo::{Resource, lenient};

/// A term of a global product attribute (Blue of Color), listed under its attribute.
#[derive(Debug, Deserialize)]
pub struct ProductAttributeTerm {
    #[serde(deserialize_with = "lenient::id")]
    pub id: i64,
    #[serde(default, deserialize_with = "lenient::text")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub slug: String,
    #[serde(default, deserialize_with = "lenient::i64_or_zero")]
    pub menu_order: i64,
    #[serde(default, deserialize_with = "lenient::i64_or_zero")]
    pub count: i64,
}

impl Record for ProductAttributeTerm {
    const RESOURCE: Resource = Resource::ProductAttributeTerms;
}
