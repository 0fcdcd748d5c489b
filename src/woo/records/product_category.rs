use entity::product_categories;
use serde::Deserialize;

use super::{Record, RowContext};
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
    type Entity = product_categories::Entity;

    fn into_model(self, row: RowContext) -> product_categories::Model {
        product_categories::Model {
            store_id: row.store_id,
            woo_id: self.id,
            parent_id: self.parent,
            name: self.name,
            slug: self.slug,
            count: self.count,
            raw: row.raw(),
            content_hash: row.content_hash,
            deleted_at: None,
            synced_at: row.synced_at,
        }
    }
}
