use entity::product_attribute_terms;
use serde::Deserialize;

use super::{Record, RowContext};
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
    type Entity = product_attribute_terms::Entity;

    fn into_model(self, row: RowContext) -> product_attribute_terms::Model {
        product_attribute_terms::Model {
            store_id: row.store_id,
            attribute_id: row.parent_id,
            woo_id: self.id,
            name: self.name,
            slug: self.slug,
            menu_order: self.menu_order,
            count: self.count,
            raw: row.raw(),
            content_hash: row.content_hash,
            deleted_at: None,
            synced_at: row.synced_at,
        }
    }
}
