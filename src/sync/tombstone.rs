//! Records gone upstream: never deleted here, only marked with `deleted_at`, so their last
//! known state stays readable and a restored record can come back.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{ConnectionTrait, DbErr, JsonValue, StatementBuilder};

use crate::woo::Resource;
use crate::woo::listed::ListedRecord;

/// Marks the records of `resource` with these ids deleted, and what is listed under them
/// (a product's variations, an order's refunds and notes: the store deletes those with
/// their parent); returns how many records of `resource` were live.
pub async fn tombstone_ids<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    resource: Resource,
    ids: &[i64],
    at: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let mut marked = 0;
    for chunk in ids.chunks(500) {
        marked += mark_where(db, store_id, resource, "woo_id", chunk, at).await?;
        for child in Resource::ALL
            .into_iter()
            .filter(|child| child.parent() == Some(resource))
        {
            mark_where(db, store_id, child, child.key_columns()[0], chunk, at).await?;
        }
    }
    Ok(marked)
}

async fn mark_where<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    resource: Resource,
    column: &str,
    values: &[i64],
    at: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let mut update = Query::update();
    update
        .table(Alias::new(resource.name()))
        .value(Alias::new("deleted_at"), at)
        .and_where(Expr::col(Alias::new("store_id")).eq(store_id))
        .and_where(Expr::col(Alias::new(column)).is_in(values.iter().copied()))
        .and_where(Expr::col(Alias::new("deleted_at")).is_null());
    let statement = StatementBuilder::build(&update, &db.get_database_backend());
    Ok(db.execute_raw(statement).await?.rows_affected())
}

/// For a collection listed whole (the children of one parent, or a resource the store
/// returns in one answer): marks deleted every live record of it that `upstream` no longer
/// holds. Records are matched on their identity (`Resource::identity`), read from the JSON
/// on both sides.
pub async fn tombstone_missing<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    resource: Resource,
    parent_id: Option<i64>,
    upstream: &Identities,
    at: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let keep = &upstream.0;
    let columns = resource.key_columns();
    // A child's first key column is its parent.
    let own_columns = if parent_id.is_some() {
        &columns[1..]
    } else {
        columns
    };
    let scope = |query_where: &mut dyn FnMut(SimpleExpr)| {
        query_where(Expr::col(Alias::new("store_id")).eq(store_id));
        if let Some(parent) = parent_id {
            query_where(Expr::col(Alias::new(columns[0])).eq(parent));
        }
        query_where(Expr::col(Alias::new("deleted_at")).is_null());
    };

    let mut select = Query::select();
    select
        .column(Alias::new("raw"))
        .from(Alias::new(resource.name()));
    scope(&mut |condition| {
        select.and_where(condition);
    });
    let statement = StatementBuilder::build(&select, &db.get_database_backend());
    let stored: Vec<JsonValue> = db
        .query_all_raw(statement)
        .await?
        .iter()
        .map(|row| row.try_get::<JsonValue>("", "raw"))
        .collect::<Result<_, _>>()?;

    let mut marked = 0;
    for raw in stored {
        if keep.contains(&identity_key(resource, &raw)) {
            continue;
        }
        // A row is matched on every column of its key, or not touched at all.
        let key: Option<Vec<sea_orm::Value>> = resource
            .identity(&raw)
            .into_iter()
            .map(|value| match value {
                JsonValue::Number(number) => number.as_i64().map(Into::into),
                JsonValue::String(text) => Some(text.into()),
                _ => None,
            })
            .collect();
        let Some(key) = key.filter(|key| key.len() == own_columns.len()) else {
            continue;
        };
        let mut update = Query::update();
        update
            .table(Alias::new(resource.name()))
            .value(Alias::new("deleted_at"), at);
        scope(&mut |condition| {
            update.and_where(condition);
        });
        for (column, value) in own_columns.iter().zip(key) {
            update.and_where(Expr::col(Alias::new(*column)).eq(value));
        }
        let statement = StatementBuilder::build(&update, &db.get_database_backend());
        marked += db.execute_raw(statement).await?.rows_affected();
    }
    Ok(marked)
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
                .filter_map(|raw| raw.read::<JsonValue>().ok())
                .map(|raw| identity_key(resource, &raw))
                .collect(),
        )
    }
}

fn identity_key(resource: Resource, raw: &JsonValue) -> String {
    JsonValue::Array(resource.identity(raw)).to_string()
}
