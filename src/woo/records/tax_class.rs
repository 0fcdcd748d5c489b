use entity::tax_classes;
use serde::Deserialize;

use super::{Record, RowContext};
use crate::woo::{Resource, lenient};

/// A tax class: WooCommerce gives it a slug and a name, no id.
#[derive(Debug, Deserialize)]
pub struct TaxClass {
    #[serde(deserialize_with = "lenient::text")]
    pub slug: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub name: String,
}

impl Record for TaxClass {
    const RESOURCE: Resource = Resource::TaxClasses;
    type Entity = tax_classes::Entity;

    fn into_model(self, row: RowContext) -> tax_classes::Model {
        tax_classes::Model {
            store_id: row.store_id,
            slug: self.slug,
            name: self.name,
            raw: row.raw(),
            content_hash: row.content_hash,
            deleted_at: None,
            synced_at: row.synced_at,
        }
    }
}
