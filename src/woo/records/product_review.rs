use chrono::{DateTime, Utc};
use entity::product_reviews;
use serde::Deserialize;

use super::{Record, RowContext};
use crate::woo::{Resource, lenient};

/// A product review.
#[derive(Debug, Deserialize)]
pub struct ProductReview {
    #[serde(deserialize_with = "lenient::id")]
    pub id: i64,
    #[serde(default, deserialize_with = "lenient::i64_or_zero")]
    pub product_id: i64,
    #[serde(default, deserialize_with = "lenient::text")]
    pub status: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub reviewer: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub reviewer_email: String,
    #[serde(default, deserialize_with = "lenient::i64_or_zero")]
    pub rating: i64,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub verified: bool,
    #[serde(default, deserialize_with = "lenient::opt_gmt")]
    pub date_created_gmt: Option<DateTime<Utc>>,
}

impl Record for ProductReview {
    const RESOURCE: Resource = Resource::ProductReviews;
    type Entity = product_reviews::Entity;

    fn into_model(self, row: RowContext) -> product_reviews::Model {
        product_reviews::Model {
            store_id: row.store_id,
            woo_id: self.id,
            product_id: self.product_id,
            status: self.status,
            reviewer: self.reviewer,
            reviewer_email: self.reviewer_email,
            rating: i32::try_from(self.rating).unwrap_or_default(),
            verified: self.verified,
            date_created_gmt: self.date_created_gmt,
            raw: row.raw(),
            content_hash: row.content_hash,
            deleted_at: None,
            synced_at: row.synced_at,
        }
    }
}
