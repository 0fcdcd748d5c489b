use chrono::{DateTime, Utc};
use entity::customers;
use serde::Deserialize;

use super::{Record, RowContext};
use crate::woo::{Resource, lenient};

/// A registered customer.
#[derive(Debug, Deserialize)]
pub struct Customer {
    #[serde(deserialize_with = "lenient::id")]
    pub id: i64,
    #[serde(default, deserialize_with = "lenient::text")]
    pub email: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub first_name: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub last_name: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub username: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub role: String,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub is_paying_customer: bool,
    #[serde(default, deserialize_with = "lenient::opt_gmt")]
    pub date_created_gmt: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient::opt_gmt")]
    pub date_modified_gmt: Option<DateTime<Utc>>,
}

impl Record for Customer {
    const RESOURCE: Resource = Resource::Customers;
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
