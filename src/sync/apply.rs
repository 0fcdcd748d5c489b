//! Applying a page of records: parse each, write the good ones, quarantine the rest.

use chrono::Utc;
use entity::quarantined_records;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel};
use serde_json::Value;

use super::content_hash::content_hash;
use super::upsert::upsert;
use crate::woo::Resource;
use crate::woo::records::{self, Record, RowContext, display_id};

/// What applying a page did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// Rows inserted or replaced (an unchanged or older record is not written).
    pub written: u64,
    /// Records that could not be parsed, kept in `quarantined_records`.
    pub quarantined: u64,
}

impl Applied {
    /// Counts the rows in `woosync_records_written_total`, once they are committed.
    pub fn count_committed(self, resource: Resource) -> Applied {
        metrics::counter!("woosync_records_written_total", "resource" => resource.name())
            .increment(self.written);
        self
    }
}

/// Applies records of `resource` as a store sent them. `parent_id` is the parent a child
/// resource was listed under (0 for top-level ones). One malformed record is quarantined
/// with its reason and does not stop the others. Run it inside the transaction that marks
/// the page done.
pub async fn apply_records<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    resource: Resource,
    parent_id: i64,
    items: Vec<Value>,
    run_id: Option<i64>,
) -> Result<Applied, DbErr> {
    let page = Page {
        store_id,
        parent_id,
        run_id,
        items,
    };
    match resource {
        Resource::Products => page.apply::<records::Product, _>(db).await,
        Resource::ProductVariations => page.apply::<records::ProductVariation, _>(db).await,
        Resource::Orders => page.apply::<records::Order, _>(db).await,
        Resource::OrderRefunds => page.apply::<records::OrderRefund, _>(db).await,
        Resource::OrderNotes => page.apply::<records::OrderNote, _>(db).await,
        Resource::Customers => page.apply::<records::Customer, _>(db).await,
        Resource::ProductCategories => page.apply::<records::ProductCategory, _>(db).await,
        Resource::ProductTags => page.apply::<records::ProductTag, _>(db).await,
        Resource::ProductAttributes => page.apply::<records::ProductAttribute, _>(db).await,
        Resource::ProductAttributeTerms => page.apply::<records::ProductAttributeTerm, _>(db).await,
        Resource::ProductReviews => page.apply::<records::ProductReview, _>(db).await,
        Resource::ProductShippingClasses => {
            page.apply::<records::ProductShippingClass, _>(db).await
        }
        Resource::Coupons => page.apply::<records::Coupon, _>(db).await,
        Resource::TaxRates => page.apply::<records::TaxRate, _>(db).await,
        Resource::TaxClasses => page.apply::<records::TaxClass, _>(db).await,
        Resource::ShippingZones => page.apply::<records::ShippingZone, _>(db).await,
        Resource::ShippingZoneLocations => page.apply::<records::ShippingZoneLocation, _>(db).await,
        Resource::ShippingZoneMethods => page.apply::<records::ShippingZoneMethod, _>(db).await,
        Resource::ShippingMethods => page.apply::<records::ShippingMethod, _>(db).await,
        Resource::PaymentGateways => page.apply::<records::PaymentGateway, _>(db).await,
    }
}

struct Page {
    store_id: i64,
    parent_id: i64,
    run_id: Option<i64>,
    items: Vec<Value>,
}

impl Page {
    async fn apply<R, C>(self, db: &C) -> Result<Applied, DbErr>
    where
        R: Record,
        <R::Entity as EntityTrait>::Model: IntoActiveModel<<R::Entity as EntityTrait>::ActiveModel>,
        <R::Entity as EntityTrait>::ActiveModel:
            sea_orm::ActiveModelTrait<Entity = R::Entity> + Send,
        C: ConnectionTrait,
    {
        let now = Utc::now();
        let mut models = Vec::with_capacity(self.items.len());
        let mut quarantined = Vec::new();
        for raw in self.items {
            match serde_path_to_error::deserialize::<_, R>(&raw) {
                Ok(record) => models.push(record.into_model(RowContext {
                    store_id: self.store_id,
                    parent_id: self.parent_id,
                    content_hash: content_hash(&raw),
                    raw,
                    synced_at: now,
                })),
                Err(error) => quarantined.push(quarantined_records::ActiveModel {
                    store_id: Set(self.store_id),
                    resource: Set(R::RESOURCE.name().to_string()),
                    woo_id: Set(display_id(&raw)),
                    run_id: Set(self.run_id),
                    reason: Set(format!("{}: {}", error.path(), error.inner())),
                    raw: Set(raw.to_string()),
                    created_at: Set(now),
                    ..Default::default()
                }),
            }
        }
        let written = upsert::<R::Entity, C>(db, models).await?;
        let quarantined_count = quarantined.len() as u64;
        if !quarantined.is_empty() {
            quarantined_records::Entity::insert_many(quarantined)
                .exec_without_returning(db)
                .await?;
        }
        Ok(Applied {
            written,
            quarantined: quarantined_count,
        })
    }
}
