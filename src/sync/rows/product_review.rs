use entity::product_reviews;

use super::{IntoRow, RowContext};
use crate::woo::records::ProductReview;

impl IntoRow for ProductReview {
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
