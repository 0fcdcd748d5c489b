use entity::payment_gateways;

use super::{IntoRow, RowContext};
use crate::woo::records::PaymentGateway;

impl IntoRow for PaymentGateway {
    type Entity = payment_gateways::Entity;

    fn into_model(self, row: RowContext) -> payment_gateways::Model {
        payment_gateways::Model {
            store_id: row.store_id,
            woo_id: self.id,
            title: self.title,
            enabled: self.enabled,
            method_title: self.method_title,
            gateway_order: self.order,
            raw: row.raw(),
            content_hash: row.content_hash,
            deleted_at: None,
            synced_at: row.synced_at,
        }
    }
}
