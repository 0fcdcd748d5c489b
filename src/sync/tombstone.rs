//! Records gone upstream: never deleted here, only marked with `deleted_at`, so their last
//! known state stays readable and a restored record can come back.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SimpleExpr, UpdateStatement};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, JsonValue, StatementBuilder};
use serde::Deserialize;

use super::changes::{returned_columns, tombstone};
use super::outbox::Outbox;
use super::stored::raw_json;

use crate::woo::Resource;
use crate::woo::listed::ListedRecord;

/// Marks the records of `resource` with these ids deleted, and what is listed under them
/// (a product's variations, an order's refunds and notes: the store deletes those with
/// their parent), each with its `.deleted` event when `announced` (not inside a store's
/// quiet first copy); returns how many records of `resource` were live. One transaction
/// of its own.
pub async fn tombstone_ids(
    db: &DatabaseConnection,
    store_id: i64,
    resource: Resource,
    ids: &[i64],
    announced: bool,
) -> Result<u64, DbErr> {
    if ids.is_empty() {
        return Ok(0);
    }
    let txn = crate::database::begin_write(db).await?;
    let outbox = Outbox::default();
    let announce = announced.then_some(&outbox);
    let at = Utc::now();
    let mut marked = 0;
    for chunk in ids.chunks(500) {
        marked += mark_where(&txn, store_id, resource, "woo_id", chunk, at, announce).await?;
        for child in Resource::ALL
            .into_iter()
            .filter(|child| child.parent() == Some(resource))
        {
            mark_where(
                &txn,
                store_id,
                child,
                child.key_columns()[0],
                chunk,
                at,
                announce,
            )
            .await?;
        }
    }
    outbox.flush(&txn).await?;
    txn.commit().await?;
    Ok(marked)
}

/// What is held of a record: whether it is marked deleted, and its modified date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldVersion {
    pub deleted: bool,
    pub date_modified_gmt: Option<DateTime<Utc>>,
    /// Of the JSON text held (`sync::content_hash`).
    pub content_hash: String,
}

/// What is held of a store's record of `resource` with this id, if anything.
pub async fn held_version<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    resource: Resource,
    id: i64,
) -> Result<Option<HeldVersion>, DbErr> {
    let mut select = Query::select();
    select
        .columns([Alias::new("deleted_at"), Alias::new("content_hash")])
        .from(Alias::new(resource.name()))
        .and_where(Expr::col(Alias::new("store_id")).eq(store_id))
        .and_where(Expr::col(Alias::new("woo_id")).eq(id))
        .limit(1);
    if resource.has_modified_date() {
        select.column(Alias::new("date_modified_gmt"));
    }
    let statement = StatementBuilder::build(&select, &db.get_database_backend());
    let Some(row) = db.query_one_raw(statement).await? else {
        return Ok(None);
    };
    let deleted_at: Option<DateTime<Utc>> = row.try_get("", "deleted_at")?;
    Ok(Some(HeldVersion {
        deleted: deleted_at.is_some(),
        date_modified_gmt: row
            .try_get::<Option<DateTime<Utc>>>("", "date_modified_gmt")
            .ok()
            .flatten(),
        content_hash: row.try_get("", "content_hash")?,
    }))
}

async fn mark_where<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    resource: Resource,
    column: &str,
    values: &[i64],
    at: DateTime<Utc>,
    outbox: Option<&Outbox>,
) -> Result<u64, DbErr> {
    let mut update = Query::update();
    update
        .table(Alias::new(resource.name()))
        .value(Alias::new("deleted_at"), at)
        .and_where(Expr::col(Alias::new("store_id")).eq(store_id))
        .and_where(Expr::col(Alias::new(column)).is_in(values.iter().copied()))
        .and_where(Expr::col(Alias::new("deleted_at")).is_null());
    mark(db, store_id, resource, update, outbox).await
}

/// Runs an update that marks rows deleted: announcing each to `outbox` when given.
async fn mark<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    resource: Resource,
    mut update: UpdateStatement,
    outbox: Option<&Outbox>,
) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    match outbox {
        Some(outbox) => {
            update.returning(Query::returning().exprs(returned_columns(resource)));
            let statement = StatementBuilder::build(&update, &backend);
            tombstone(db, store_id, resource, statement, outbox).await
        }
        None => {
            let statement = StatementBuilder::build(&update, &backend);
            Ok(db.execute_raw(statement).await?.rows_affected())
        }
    }
}

/// The live records of a collection listed whole (the children of one parent, or a
/// resource the store returns in one answer) that the store no longer lists, found before
/// the write and marked deleted in its transaction. Finding them is a read, done outside
/// the transaction so that SQLite's write lock is not held for it (in a backfill it finds
/// nothing, for every parent). Records are matched on their identity
/// (`Resource::identity`), read from the JSON on both sides.
pub struct Missing {
    store_id: i64,
    resource: Resource,
    parent_id: Option<i64>,
    /// The key columns' values of each record missing upstream.
    keys: Vec<Vec<sea_orm::Value>>,
    /// When the store was asked: a row written since (a webhook's record created after
    /// the listing) is not marked.
    listed_at: DateTime<Utc>,
}

impl Missing {
    /// What a top-level collection listed whole no longer holds.
    pub async fn find<C: ConnectionTrait>(
        db: &C,
        store_id: i64,
        resource: Resource,
        upstream: &Identities,
        listed_at: DateTime<Utc>,
    ) -> Result<Missing, DbErr> {
        let mut select = Query::select();
        select
            .column(Alias::new("raw"))
            .from(Alias::new(resource.name()));
        for condition in scope(store_id, resource, None) {
            select.and_where(condition);
        }
        let statement = StatementBuilder::build(&select, &db.get_database_backend());
        let stored: Vec<JsonValue> = db
            .query_all_raw(statement)
            .await?
            .iter()
            .map(raw_json)
            .collect::<Result<_, _>>()?;
        Ok(Missing {
            store_id,
            resource,
            parent_id: None,
            keys: missing_keys(resource, None, &stored, upstream),
            listed_at,
        })
    }

    /// What each parent's listing no longer holds, for a child resource: one read for all
    /// the parents.
    pub async fn find_under_parents<C: ConnectionTrait>(
        db: &C,
        store_id: i64,
        resource: Resource,
        listed: &[(i64, Identities)],
        listed_at: DateTime<Utc>,
    ) -> Result<Vec<Missing>, DbErr> {
        let parent_column = resource.key_columns()[0];
        let mut select = Query::select();
        select
            .columns([Alias::new(parent_column), Alias::new("raw")])
            .from(Alias::new(resource.name()))
            .and_where(Expr::col(Alias::new("store_id")).eq(store_id))
            .and_where(Expr::col(Alias::new(parent_column)).is_in(listed.iter().map(|(id, _)| *id)))
            .and_where(Expr::col(Alias::new("deleted_at")).is_null());
        let statement = StatementBuilder::build(&select, &db.get_database_backend());
        let mut stored: HashMap<i64, Vec<JsonValue>> = HashMap::new();
        for row in db.query_all_raw(statement).await? {
            stored
                .entry(row.try_get::<i64>("", parent_column)?)
                .or_default()
                .push(raw_json(&row)?);
        }
        Ok(listed
            .iter()
            .map(|(parent_id, upstream)| Missing {
                store_id,
                resource,
                parent_id: Some(*parent_id),
                keys: stored.get(parent_id).map_or_else(Vec::new, |stored| {
                    missing_keys(resource, Some(*parent_id), stored, upstream)
                }),
                listed_at,
            })
            .collect())
    }

    /// Marks the records found missing deleted, unless written since the listing, each
    /// announced to `outbox` when given; returns how many were marked.
    pub async fn mark<C: ConnectionTrait>(
        &self,
        db: &C,
        at: DateTime<Utc>,
        outbox: Option<&Outbox>,
    ) -> Result<u64, DbErr> {
        let own_columns = own_key_columns(self.resource, self.parent_id);
        let mut marked = 0;
        for key in &self.keys {
            let mut update = Query::update();
            update
                .table(Alias::new(self.resource.name()))
                .value(Alias::new("deleted_at"), at)
                .and_where(Expr::col(Alias::new("synced_at")).lt(self.listed_at));
            for condition in scope(self.store_id, self.resource, self.parent_id) {
                update.and_where(condition);
            }
            for (column, value) in own_columns.iter().zip(key) {
                update.and_where(Expr::col(Alias::new(*column)).eq(value.clone()));
            }
            marked += mark(db, self.store_id, self.resource, update, outbox).await?;
        }
        Ok(marked)
    }
}

/// The live rows of a collection: a store's, and under a parent for a child resource.
fn scope(store_id: i64, resource: Resource, parent_id: Option<i64>) -> Vec<SimpleExpr> {
    let mut conditions = vec![Expr::col(Alias::new("store_id")).eq(store_id)];
    if let Some(parent) = parent_id {
        conditions.push(Expr::col(Alias::new(resource.key_columns()[0])).eq(parent));
    }
    conditions.push(Expr::col(Alias::new("deleted_at")).is_null());
    conditions
}

/// The key columns that tell a record from the others of its collection: a child's first
/// key column is its parent.
fn own_key_columns(resource: Resource, parent_id: Option<i64>) -> &'static [&'static str] {
    let columns = resource.key_columns();
    if parent_id.is_some() {
        &columns[1..]
    } else {
        columns
    }
}

/// The key columns' values of the stored records that are not among `upstream`.
fn missing_keys(
    resource: Resource,
    parent_id: Option<i64>,
    stored: &[JsonValue],
    upstream: &Identities,
) -> Vec<Vec<sea_orm::Value>> {
    let own_columns = own_key_columns(resource, parent_id);
    stored
        .iter()
        .filter(|raw| !upstream.0.contains(&identity_key(resource, raw)))
        .filter_map(|raw| {
            // A row is matched on every column of its key, or not touched at all.
            let key: Option<Vec<sea_orm::Value>> = resource
                .identity(raw)
                .into_iter()
                .map(|value| match value {
                    JsonValue::Number(number) => number.as_i64().map(Into::into),
                    JsonValue::String(text) => Some(text.into()),
                    _ => None,
                })
                .collect();
            key.filter(|key| key.len() == own_columns.len())
        })
        .collect()
}

/// The identities of the records a store listed, taken before the records are handed on to
/// be written.
pub struct Identities(HashSet<String>);

impl Identities {
    pub fn of<J: ListedRecord>(resource: Resource, upstream: &[J]) -> Identities {
        Identities(
            upstream
                .iter()
                // A record that is not a JSON object has no identity to keep.
                .filter_map(|raw| raw.read::<IdentityFields>().ok())
                .map(|fields| identity_key(resource, &fields.into_object()))
                .collect(),
        )
    }
}

/// The fields `Resource::identity` may read, taken from a listed record without building
/// the rest of it (a variation is a kilobyte or two of JSON).
#[derive(Deserialize)]
struct IdentityFields {
    id: Option<JsonValue>,
    #[serde(rename = "type")]
    kind: Option<JsonValue>,
    code: Option<JsonValue>,
    instance_id: Option<JsonValue>,
    slug: Option<JsonValue>,
}

impl IdentityFields {
    fn into_object(self) -> JsonValue {
        let fields = [
            ("id", self.id),
            ("type", self.kind),
            ("code", self.code),
            ("instance_id", self.instance_id),
            ("slug", self.slug),
        ];
        JsonValue::Object(
            fields
                .into_iter()
                .filter_map(|(name, value)| Some((name.to_string(), value?)))
                .collect(),
        )
    }
}

fn identity_key(resource: Resource, raw: &JsonValue) -> String {
    JsonValue::Array(resource.identity(raw)).to_string()
}
