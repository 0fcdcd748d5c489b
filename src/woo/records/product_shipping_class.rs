use entity::product_shipping_classes;
use serde::Deserialize;

use super::{Record, RowContext};
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
    type Entity = product_shipping_classes::Entity;

    fn into_model(self, row: RowContext) -> product_shipping_classes::Model {
        product_shipping_classes::Model {
            store_id: row.store_id,
            woo_id: self.id,
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
