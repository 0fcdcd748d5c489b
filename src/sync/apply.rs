//! Applying a page of records: parse each, write the good ones, quarantine the rest.

use chrono::Utc;
use entity::quarantined_records;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryTrait, Statement,
};
use serde_json::Value;

use super::changes::{Announced, returned_columns};
use super::content_hash::content_hash;
use super::copy_in::CopyIn;
use super::group_commit::{GroupWrite, WriteFuture};
use super::outbox::Outbox;
use super::rows::{IntoRow, RowContext};
use super::run_children::{WantedChildren, mark_wanted};
use super::upsert::{Row, upsert_statements};
use super::write_txn::WriteTxn;
use crate::woo::Resource;
use crate::woo::listed::ListedRecord;
use crate::woo::records::{self, Parent, display_id};

/// What applying a page did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// Rows inserted or replaced (an unchanged or older record is not written).
    pub written: u64,
    /// Records that could not be parsed, kept in `quarantined_records`.
    pub quarantined: u64,
}

impl Applied {
    /// What two writes did together.
    pub fn and(self, other: Applied) -> Applied {
        Applied {
            written: self.written + other.written,
            quarantined: self.quarantined + other.quarantined,
        }
    }

    /// Counts the rows in `woosync_records_written_total`, once they are committed.
    pub fn count_committed(self, resource: Resource) -> Applied {
        metrics::counter!("woosync_records_written_total", "resource" => resource.name())
            .increment(self.written);
        if self.quarantined > 0 {
            metrics::counter!("woosync_records_quarantined_total", "resource" => resource.name())
                .increment(self.quarantined);
        }
        self
    }
}

/// Records of `resource` as a store sent them, parsed and turned into SQL, ready to write.
///
/// Preparing is the CPU work of a page (parsing, hashing, building the statements), done
/// before a transaction takes the database's write lock: on SQLite only one transaction
/// writes at a time, so the lock is held only while SQL runs.
pub struct PreparedRecords {
    upserts: Vec<Statement>,
    /// The same rows to copy in where they are new: a store's first copy's (no events, and
    /// no rows there yet but for a page written twice) on Postgres.
    copies: Vec<CopyIn>,
    /// Takes out the entries of records quarantined before, then sets these aside.
    quarantine: Vec<Statement>,
    quarantined: u64,
    parents: Vec<Parent>,
    /// The run that fetched the records, which waits for the children they want.
    run_id: Option<i64>,
    wanted_children: Vec<WantedChildren>,
    /// The records whose changes become events, when the origin makes events.
    announced: Option<Announced>,
}

/// Where the records came from.
#[derive(Debug, Clone, Copy)]
pub struct Origin {
    pub store_id: i64,
    pub resource: Resource,
    /// The parent a child resource was listed under (0 for top-level ones).
    pub parent_id: i64,
    /// The run that fetched them, if a run did.
    pub run_id: Option<i64>,
    /// Whether their changes become events: all but a store's first backfill's.
    pub emits_events: bool,
    /// Whether they may bring back a record marked deleted: all but a webhook's update,
    /// which may have been sent before the deletion.
    pub revives: bool,
}

impl PreparedRecords {
    /// One malformed record is set aside for quarantine with its reason and does not stop
    /// the others.
    pub fn new<J: ListedRecord>(
        backend: DbBackend,
        origin: Origin,
        items: Vec<J>,
    ) -> PreparedRecords {
        Self::under_parents(backend, origin, vec![(origin.parent_id, items)])
    }

    /// Children listed under several parents, as one write: `origin.parent_id` gives way
    /// to each listing's parent.
    pub fn under_parents<J: ListedRecord>(
        backend: DbBackend,
        origin: Origin,
        listings: Vec<(i64, Vec<J>)>,
    ) -> PreparedRecords {
        let page = Page { origin, listings };
        match origin.resource {
            Resource::Products => page.prepare::<records::Product>(backend),
            Resource::ProductVariations => page.prepare::<records::ProductVariation>(backend),
            Resource::Orders => page.prepare::<records::Order>(backend),
            Resource::OrderRefunds => page.prepare::<records::OrderRefund>(backend),
            Resource::OrderNotes => page.prepare::<records::OrderNote>(backend),
            Resource::Customers => page.prepare::<records::Customer>(backend),
            Resource::ProductCategories => page.prepare::<records::ProductCategory>(backend),
            Resource::ProductTags => page.prepare::<records::ProductTag>(backend),
            Resource::ProductAttributes => page.prepare::<records::ProductAttribute>(backend),
            Resource::ProductAttributeTerms => {
                page.prepare::<records::ProductAttributeTerm>(backend)
            }
            Resource::ProductReviews => page.prepare::<records::ProductReview>(backend),
            Resource::ProductShippingClasses => {
                page.prepare::<records::ProductShippingClass>(backend)
            }
            Resource::Coupons => page.prepare::<records::Coupon>(backend),
            Resource::TaxRates => page.prepare::<records::TaxRate>(backend),
            Resource::TaxClasses => page.prepare::<records::TaxClass>(backend),
            Resource::ShippingZones => page.prepare::<records::ShippingZone>(backend),
            Resource::ShippingZoneLocations => {
                page.prepare::<records::ShippingZoneLocation>(backend)
            }
            Resource::ShippingZoneMethods => page.prepare::<records::ShippingZoneMethod>(backend),
            Resource::ShippingMethods => page.prepare::<records::ShippingMethod>(backend),
            Resource::PaymentGateways => page.prepare::<records::PaymentGateway>(backend),
        }
    }

    /// The records read, as parents of the records listed under them (for the resources
    /// that have children).
    pub fn parents(&self) -> &[Parent] {
        &self.parents
    }

    /// The children these records want fetched: the run that fetched them is done only
    /// once they are written too.
    pub fn want_children(&mut self, wanted: Vec<WantedChildren>) {
        self.wanted_children = wanted;
    }

    /// Whether the changes these records make become events.
    pub fn announces(&self) -> bool {
        self.announced.is_some()
    }

    /// Writes the rows and the quarantined records, and notes the children their run
    /// waits for. Run it inside the transaction that marks the page done.
    /// The events of what changed go to `outbox`.
    pub async fn write(&self, db: &WriteTxn, outbox: &Outbox) -> Result<Applied, DbErr> {
        let mut written = 0;
        match &self.announced {
            Some(announced) => written = announced.upsert(db, &self.upserts, outbox).await?,
            None if db.copies() && !self.copies.is_empty() => {
                for rows in &self.copies {
                    written += db.copy_in(rows).await?;
                }
            }
            None => {
                for upsert in &self.upserts {
                    written += db.execute_raw(upsert.clone()).await?.rows_affected();
                }
            }
        }
        for statement in &self.quarantine {
            db.execute_raw(statement.clone()).await?;
        }
        if let Some(run_id) = self.run_id {
            mark_wanted(db, run_id, &self.wanted_children).await?;
        }
        Ok(Applied {
            written,
            quarantined: self.quarantined,
        })
    }
}

/// The statements that set records aside: first the entries an earlier failure of the
/// same records left (one entry per record), then these.
fn quarantine_statements(
    backend: DbBackend,
    store_id: i64,
    resource: Resource,
    entries: Vec<quarantined_records::ActiveModel>,
) -> Vec<Statement> {
    use sea_orm::{ColumnTrait, QueryFilter};
    if entries.is_empty() {
        return Vec::new();
    }
    let ids: Vec<String> = entries
        .iter()
        .filter_map(|entry| entry.woo_id.clone().take().flatten())
        .collect();
    let earlier = quarantined_records::Entity::delete_many()
        .filter(quarantined_records::Column::StoreId.eq(store_id))
        .filter(quarantined_records::Column::Resource.eq(resource))
        .filter(quarantined_records::Column::WooId.is_in(ids))
        .build(backend);
    vec![
        earlier,
        quarantined_records::Entity::insert_many(entries).build(backend),
    ]
}

/// Why a database could not hold a row's values, if it could not: Postgres takes no NUL
/// character in text, numbers beyond `numeric(24, 8)`, nor dates before 4713 BC or after
/// 294276 AD (SQLite takes them all, as text).
fn unstorable<E: EntityTrait>(backend: DbBackend, model: &E::Model) -> Option<String> {
    use sea_orm::Value as Column;
    use sea_orm::{IdenStatic, Iterable, ModelTrait};
    /// Digits `numeric(24, 8)` holds before the point.
    const MAX_WHOLE: i128 = 10_000_000_000_000_000;
    if backend != DbBackend::Postgres {
        return None;
    }
    E::Column::iter().find_map(|column| {
        let name = column.as_str();
        match model.get(column) {
            Column::String(Some(text)) if text.contains('\0') => {
                Some(format!("{name}: holds a NUL character, which Postgres cannot store"))
            }
            Column::Decimal(Some(amount)) if amount.trunc().mantissa().abs() >= MAX_WHOLE => Some(
                format!("{name}: {amount} is beyond the largest amount kept (16 digits before the point)"),
            ),
            Column::ChronoDateTimeUtc(Some(at))
                if !(-4712..=294_275).contains(&chrono::Datelike::year(&at)) =>
            {
                Some(format!("{name}: {at} is outside the dates Postgres holds"))
            }
            _ => None,
        }
    })
}

/// Records written on their own, with no page to mark done (a sweep's, a webhook's).
pub struct RecordsWrite(pub PreparedRecords);

impl GroupWrite for RecordsWrite {
    type Output = Applied;

    fn write<'t>(&'t self, txn: &'t WriteTxn, outbox: &'t Outbox) -> WriteFuture<'t, Applied> {
        Box::pin(self.0.write(txn, outbox))
    }
}

struct Page<J> {
    origin: Origin,
    /// The records listed under each parent (one listing, under 0, for top-level ones).
    listings: Vec<(i64, Vec<J>)>,
}

impl<J: ListedRecord> Page<J> {
    fn prepare<R: IntoRow>(self, backend: DbBackend) -> PreparedRecords {
        let Origin {
            store_id,
            resource,
            run_id,
            emits_events,
            revives,
            ..
        } = self.origin;
        let mut keys = Vec::new();
        let now = Utc::now();
        let mut rows = Vec::with_capacity(self.listings.iter().map(|(_, items)| items.len()).sum());
        let mut quarantined = Vec::new();
        let mut parents = Vec::new();
        let listed = self
            .listings
            .into_iter()
            .flat_map(|(parent_id, items)| items.into_iter().map(move |raw| (parent_id, raw)));
        let set_aside = |raw: J, reason: String| quarantined_records::ActiveModel {
            store_id: Set(store_id),
            resource: Set(resource),
            woo_id: Set(raw.read::<Value>().ok().as_ref().and_then(display_id)),
            run_id: Set(run_id),
            reason: Set(reason),
            raw: Set(raw.into_text()),
            created_at: Set(now),
            ..Default::default()
        };
        for (parent_id, raw) in listed {
            match raw.read::<R>() {
                Ok(record) => {
                    let parent = record.as_parent();
                    let raw_text = raw.into_text();
                    let model = record.into_model(RowContext {
                        store_id,
                        parent_id,
                        content_hash: content_hash(&raw_text),
                        synced_at: now,
                    });
                    if let Some(reason) = unstorable::<R::Entity>(backend, &model) {
                        let raw: J = match serde_json::from_str(&raw_text) {
                            Ok(raw) => raw,
                            Err(_) => continue,
                        };
                        let mut entry = set_aside(raw, reason);
                        entry.parent_id = Set(parent_id);
                        quarantined.push(entry);
                        continue;
                    }
                    parents.extend(parent);
                    if emits_events {
                        keys.push(key_of::<R::Entity>(resource, &model));
                    }
                    rows.push(Row { model, raw_text });
                }
                Err(error) => {
                    let mut entry = set_aside(raw, format!("{}: {}", error.path(), error.inner()));
                    entry.parent_id = Set(parent_id);
                    quarantined.push(entry);
                }
            }
        }
        let quarantined_count = quarantined.len() as u64;
        let upserts = upsert_statements::<R::Entity>(
            backend,
            rows,
            revives,
            emits_events.then(|| returned_columns(resource)).as_deref(),
        );
        let copies = match !emits_events && backend == DbBackend::Postgres {
            true => upserts
                .iter()
                .map(|upsert| CopyIn::of::<R::Entity>(&upsert.values.as_ref()?.0))
                .collect::<Option<Vec<CopyIn>>>()
                .unwrap_or_default(),
            false => Vec::new(),
        };
        PreparedRecords {
            upserts,
            copies,
            quarantine: quarantine_statements(backend, store_id, resource, quarantined),
            quarantined: quarantined_count,
            parents,
            run_id,
            wanted_children: Vec::new(),
            announced: emits_events.then_some(Announced {
                store_id,
                resource,
                keys,
            }),
        }
    }
}

/// The values of a row's key columns after `store_id`.
fn key_of<E: EntityTrait>(resource: Resource, model: &E::Model) -> Vec<sea_orm::Value> {
    use sea_orm::ModelTrait;
    use std::str::FromStr;
    resource
        .key_columns()
        .iter()
        .filter_map(|name| E::Column::from_str(name).ok())
        .map(|column| model.get(column))
        .collect()
}
