use entity::customers;

use super::{IntoRow, RowContext};
use crate::woo::records::Customer;

impl IntoRow for Customer {
    type Entity = customers::Entity;

    fn into_model(self, row: RowContext) -> customers::Model {
        customers::Model {
            store_id: row.store_id,
            woo_id: self.id,
            email: self.email,
            first_name: self.first_name,
            last_name: self.last_name,
            username: self.username,
            role: self.role,
            is_paying_customer: self.is_paying_customer,
            date_created_gmt: self.date_created_gmt,
            date_modified_gmt: self.date_modified_gmt,
            raw: row.raw(),
            content_hash: row.content_hash,
            deleted_at: None,
            synced_at: row.synced_at,
        }
    }
}
