//! The events a write of records makes, found in the write's own transaction: which rows
//! the upserts really changed (they return only those), what each row was before (none:
//! created; a tombstone: restored; else updated), an order's status before and after,
//! and for products and variations the stock states of the inventory view before and
//! after, so that a threshold crossed is announced once, not on every write while it holds.

use std::collections::{HashMap, HashSet};

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement, ValueTuple};
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Statement, StatementBuilder, Value};
use serde_json::json;

use super::outbox::{NewEvent, Outbox, RecordIdentity, key_text};
use crate::woo::Resource;

/// Keys read at once: a statement binds at most a few thousand values.
const KEYS_AT_ONCE: usize = 500;

/// What the upserts of a write return of each row they wrote.
pub fn returned_columns(resource: Resource) -> Vec<Expr> {
    let mut columns: Vec<Expr> = resource
        .key_columns()
        .iter()
        .map(|column| Expr::col(Alias::new(*column)))
        .collect();
    columns.push(Expr::col(Alias::new("raw")));
    if resource == Resource::Orders {
        columns.push(Expr::col(Alias::new("status")));
    }
    columns
}

/// The records a write announces: their store, resource and the key of each row.
#[derive(Debug)]
pub struct Announced {
    pub store_id: i64,
    pub resource: Resource,
    /// Each row's key columns after `store_id`, as bound in the upserts.
    pub keys: Vec<Vec<Value>>,
}

/// A row as it was before the write.
struct Before {
    deleted: bool,
    status: Option<String>,
}

/// A stock item's state in the inventory view.
#[derive(Debug, Clone, PartialEq)]
struct Stock {
    low_stock: bool,
    stock_status: Option<String>,
    stock_quantity: Option<i64>,
}

impl Announced {
    /// Runs the upserts (built to return what they wrote) and adds the events of what they
    /// changed to `outbox`; how many rows they wrote.
    pub async fn upsert<C: ConnectionTrait>(
        &self,
        db: &C,
        upserts: &[Statement],
        outbox: &Outbox,
    ) -> Result<u64, DbErr> {
        let before = self.read_before(db).await?;
        let products = self.product_ids();
        let stock_before = stock_levels(db, self.store_id, &products).await?;
        let key_columns = self.resource.key_columns();
        let mut events = Vec::new();
        let mut written = 0;
        for upsert in upserts {
            for row in db.query_all_raw(upsert.clone()).await? {
                written += 1;
                let key = key_columns
                    .iter()
                    .map(|column| key_text(&row, column))
                    .collect::<Result<Vec<_>, _>>()?;
                let data: String = row.try_get("", "raw")?;
                let identity = RecordIdentity::from_key(self.resource, &key);
                let event = |change: &str| {
                    NewEvent::of_record(
                        self.store_id,
                        self.resource,
                        change,
                        identity.clone(),
                        data.clone(),
                    )
                };
                match before.get(&key) {
                    None => events.push(event("created")),
                    Some(was) if was.deleted => events.push(event("restored")),
                    Some(was) => {
                        events.push(event("updated"));
                        let status: Option<String> = row.try_get("", "status").ok();
                        if let (Some(previous), Some(status)) = (&was.status, status)
                            && *previous != status
                        {
                            let change = json!({ "previous_status": previous, "status": status });
                            events.push(NewEvent {
                                kind: "order.status_changed".into(),
                                previous: Some(change.to_string()),
                                ..event("updated")
                            });
                        }
                    }
                }
            }
        }
        if !products.is_empty() {
            let stock_after = stock_levels(db, self.store_id, &products).await?;
            events.extend(stock_events(db, self.store_id, &stock_before, &stock_after).await?);
        }
        outbox.add(events);
        Ok(written)
    }

    /// The rows the write may touch, as they are: keyed by their key columns' text.
    async fn read_before<C: ConnectionTrait>(
        &self,
        db: &C,
    ) -> Result<HashMap<Vec<String>, Before>, DbErr> {
        let key_columns = self.resource.key_columns();
        let mut before = HashMap::new();
        for keys in self.keys.chunks(KEYS_AT_ONCE) {
            let mut select = Query::select();
            select
                .columns(key_columns.iter().map(|column| Alias::new(*column)))
                .column(Alias::new("deleted_at"))
                .from(Alias::new(self.resource.name()))
                .and_where(Expr::col(Alias::new("store_id")).eq(self.store_id))
                .and_where(
                    Expr::tuple(
                        key_columns
                            .iter()
                            .map(|column| Expr::col(Alias::new(*column))),
                    )
                    .in_tuples(keys.iter().map(|key| ValueTuple::Many(key.clone()))),
                );
            if self.resource == Resource::Orders {
                select.column(Alias::new("status"));
            }
            for row in query(db, &select).await? {
                let key = key_columns
                    .iter()
                    .map(|column| key_text(&row, column))
                    .collect::<Result<Vec<_>, _>>()?;
                let deleted_at: Option<chrono::DateTime<chrono::Utc>> =
                    row.try_get("", "deleted_at")?;
                let status = row.try_get::<Option<String>>("", "status").ok().flatten();
                before.insert(
                    key,
                    Before {
                        deleted: deleted_at.is_some(),
                        status,
                    },
                );
            }
        }
        Ok(before)
    }

    /// The products whose stock the write may move: the products written, or the parents
    /// of the variations written.
    fn product_ids(&self) -> Vec<i64> {
        if !matches!(
            self.resource,
            Resource::Products | Resource::ProductVariations
        ) {
            return Vec::new();
        }
        let ids: HashSet<i64> = self
            .keys
            .iter()
            .filter_map(|key| match key.first() {
                Some(Value::BigInt(Some(id))) => Some(*id),
                _ => None,
            })
            .collect();
        ids.into_iter().collect()
    }
}

/// The inventory view's rows of these products and their variations, keyed by product and
/// variation (0 for the product's own).
async fn stock_levels<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    products: &[i64],
) -> Result<HashMap<(i64, i64), Stock>, DbErr> {
    let mut levels = HashMap::new();
    for chunk in products.chunks(KEYS_AT_ONCE) {
        let mut select = Query::select();
        select
            .columns(
                [
                    "product_id",
                    "variation_id",
                    "low_stock",
                    "stock_status",
                    "stock_quantity",
                ]
                .map(Alias::new),
            )
            .from(Alias::new("inventory"))
            .and_where(Expr::col(Alias::new("store_id")).eq(store_id))
            .and_where(Expr::col(Alias::new("product_id")).is_in(chunk.iter().copied()));
        for row in query(db, &select).await? {
            levels.insert(
                (
                    row.try_get("", "product_id")?,
                    row.try_get("", "variation_id")?,
                ),
                Stock {
                    low_stock: row
                        .try_get::<Option<bool>>("", "low_stock")?
                        .unwrap_or(false),
                    stock_status: row.try_get("", "stock_status")?,
                    stock_quantity: row.try_get("", "stock_quantity")?,
                },
            );
        }
    }
    Ok(levels)
}

/// The stock thresholds crossed between two readings: into low stock, out of stock, and
/// back in stock. A record new to the view crosses what it starts in.
async fn stock_events<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    before: &HashMap<(i64, i64), Stock>,
    after: &HashMap<(i64, i64), Stock>,
) -> Result<Vec<NewEvent>, DbErr> {
    let out = |stock: Option<&Stock>| {
        stock.is_some_and(|stock| stock.stock_status.as_deref() == Some("outofstock"))
    };
    let mut crossed = Vec::new();
    for (&item, now) in after {
        let was = before.get(&item);
        let kinds = [
            (
                "inventory.low_stock",
                now.low_stock && !was.is_some_and(|was| was.low_stock),
            ),
            ("inventory.out_of_stock", out(Some(now)) && !out(was)),
            (
                "inventory.back_in_stock",
                out(was) && now.stock_status.is_some() && !out(Some(now)),
            ),
        ];
        for (kind, fired) in kinds {
            if fired {
                crossed.push((item, kind, was.cloned()));
            }
        }
    }
    if crossed.is_empty() {
        return Ok(Vec::new());
    }
    let items: Vec<(i64, i64)> = crossed.iter().map(|(item, _, _)| *item).collect();
    let records = held_records(db, store_id, &items).await?;
    Ok(crossed
        .into_iter()
        .filter_map(|((product_id, variation_id), kind, was)| {
            let data = records.get(&(product_id, variation_id))?.clone();
            let (resource, parent_id, record_id) = match variation_id {
                0 => (Resource::Products, 0, product_id),
                _ => (Resource::ProductVariations, product_id, variation_id),
            };
            Some(NewEvent {
                store_id,
                kind: kind.into(),
                resource: Some(resource),
                record_id: Some(record_id.to_string()),
                parent_id,
                data,
                previous: Some(
                    json!({
                        "low_stock": was.as_ref().map(|was| was.low_stock),
                        "stock_status": was.as_ref().and_then(|was| was.stock_status.clone()),
                        "stock_quantity": was.as_ref().and_then(|was| was.stock_quantity),
                    })
                    .to_string(),
                ),
            })
        })
        .collect())
}

/// The records held for these stock items, as JSON text.
async fn held_records<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    items: &[(i64, i64)],
) -> Result<HashMap<(i64, i64), String>, DbErr> {
    let mut records = HashMap::new();
    let products: Vec<i64> = items
        .iter()
        .filter(|(_, v)| *v == 0)
        .map(|(p, _)| *p)
        .collect();
    let variations: Vec<i64> = items
        .iter()
        .filter(|(_, v)| *v != 0)
        .map(|(_, v)| *v)
        .collect();
    for (table, parent_column, ids) in [
        ("products", None, products),
        ("product_variations", Some("product_id"), variations),
    ] {
        for chunk in ids.chunks(KEYS_AT_ONCE) {
            let mut select = Query::select();
            select
                .column(Alias::new("woo_id"))
                .column(Alias::new("raw"))
                .from(Alias::new(table))
                .and_where(Expr::col(Alias::new("store_id")).eq(store_id))
                .and_where(Expr::col(Alias::new("woo_id")).is_in(chunk.iter().copied()));
            if let Some(parent) = parent_column {
                select.column(Alias::new(parent));
            }
            for row in query(db, &select).await? {
                let id: i64 = row.try_get("", "woo_id")?;
                let item = match parent_column {
                    Some(parent) => (row.try_get("", parent)?, id),
                    None => (id, 0),
                };
                records.insert(item, row.try_get("", "raw")?);
            }
        }
    }
    Ok(records)
}

/// Marks rows deleted with `update` (built to return what it marked) and adds a
/// `{resource}.deleted` event for each to `outbox`; how many.
pub async fn tombstone<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    resource: Resource,
    update: Statement,
    outbox: &Outbox,
) -> Result<u64, DbErr> {
    let mut marked = 0;
    let mut events = Vec::new();
    for row in db.query_all_raw(update).await? {
        marked += 1;
        let key = resource
            .key_columns()
            .iter()
            .map(|column| key_text(&row, column))
            .collect::<Result<Vec<_>, _>>()?;
        events.push(NewEvent::of_record(
            store_id,
            resource,
            "deleted",
            RecordIdentity::from_key(resource, &key),
            row.try_get("", "raw")?,
        ));
    }
    outbox.add(events);
    Ok(marked)
}

async fn query<C: ConnectionTrait>(
    db: &C,
    select: &SelectStatement,
) -> Result<Vec<QueryResult>, DbErr> {
    db.query_all_raw(StatementBuilder::build(select, &db.get_database_backend()))
        .await
}

/// The events announcing that a store's first copy of a resource (and of the children
/// listed under it) is complete: one `sync.backfill_completed` per resource, for the
/// transaction that ends the run. Its records made no events of their own; every change
/// after its position in the feed (the `cursor` its envelope carries) does.
pub fn first_copy_completed(run: &entity::sync_runs::Model) -> Vec<NewEvent> {
    std::iter::once(run.resource)
        .chain(
            Resource::ALL
                .into_iter()
                .filter(|child| child.parent() == Some(run.resource)),
        )
        .map(|resource| NewEvent {
            store_id: run.store_id,
            kind: BACKFILL_COMPLETED.into(),
            resource: Some(resource),
            record_id: None,
            parent_id: 0,
            data: json!({ "resource": resource, "run_id": run.id }).to_string(),
            previous: None,
        })
        .collect()
}

/// The type of the event that ends a store's first copy of a resource.
pub const BACKFILL_COMPLETED: &str = "sync.backfill_completed";
