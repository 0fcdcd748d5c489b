use entity::product_attributes;
use serde::Deserialize;

use super::{Parent, Record, RowContext};
use crate::woo::{Resource, lenient};

/// A global product attribute, such as Color.
#[derive(Debug, Deserialize)]
pub struct ProductAttribute {
    #[serde(deserialize_with = "lenient::id")]
    pub id: i64,
    #[serde(default, deserialize_with = "lenient::text")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub slug: String,
    #[serde(default, rename = "type", deserialize_with = "lenient::text")]
    pub attribute_type: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub order_by: String,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub has_archives: bool,
}

impl Record for ProductAttribute {
    const RESOURCE: Resource = Resource::ProductAttributes;
    type Entity = product_attributes::Entity;

    fn as_parent(&self) -> Option<Parent> {
        Some(Parent {
            id: self.id,
            lists_children: true,
            date_modified_gmt: None,
        })
    }

    fn into_model(self, row: RowContext) -> product_attributes::Model {
        product_attributes::Model {
            store_id: row.store_id,
            woo_id: self.id,
            name: self.name,
            slug: self.slug,
            attribute_type: self.attribute_type,
            order_by: self.order_by,
            has_archives: self.has_archives,
            raw: row.raw(),
            content_hash: row.content_hash,
            deleted_at: None,
            synced_at: row.synced_at,
        }
    }
}
