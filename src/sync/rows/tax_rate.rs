use entity::tax_rates;

use super::{IntoRow, RowContext};
use crate::woo::records::TaxRate;

impl IntoRow for TaxRate {
    type Entity = tax_rates::Entity;

    fn into_model(self, row: RowContext) -> tax_rates::Model {
        tax_rates::Model {
            store_id: row.store_id,
            woo_id: self.id,
            country: self.country,
            state: self.state,
            rate: self.rate,
            name: self.name,
            priority: self.priority,
            compound: self.compound,
            shipping: self.shipping,
            tax_class: self.tax_class,
            rate_order: self.order,
            raw: row.raw(),
            content_hash: row.content_hash,
            deleted_at: None,
            synced_at: row.synced_at,
        }
    }
}
