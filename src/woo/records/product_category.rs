use serde::Deserialize;

use super::Record;
use crate::woo::{Resource, lenient};

/// A product category.
#[derive(Debug, Deserialize)]
pub struct ProductCategory {
    #[serde(deserialize_with = "lenient::id")]
    pub id: i64,
    #[serde(default, deserialize_with = "lenient::i64_or_zero")]
    pub parent: i64,
    #[serde(default, deserialize_with = "lenient::text")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub slug: String,
    #[serde(default, deserialize_with = "lenient::i64_or_zero")]
    pub count: i64,
}

impl Record for ProductCategory {
    const RESOURCE: Resource = Resource::ProductCategories;
}
