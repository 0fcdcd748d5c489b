use entity::shipping_methods;
use serde::Deserialize;

use super::{Record, RowContext};
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
    type Entity = shipping_methods::Entity;

    fn into_model(self, row: RowContext) -> shipping_methods::Model {
        shipping_methods::Model {
            store_id: row.store_id,
            woo_id: self.id,
            title: self.title,
            description: self.description,
            raw: row.raw(),
            content_hash: row.content_hash,
            deleted_at: None,
            synced_at: row.synced_at,
        }
    }
}
