use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::Record;
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
}
