//! Reading back what was synced: each record as the JSON the store sent.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, DbErr, JsonValue, StatementBuilder};

use crate::woo::Resource;

/// The records of `resource` kept for a store, in key order, each as the JSON the store
/// sent; tombstoned ones only when `include_deleted`.
pub async fn stored_records<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    resource: Resource,
    include_deleted: bool,
) -> Result<Vec<JsonValue>, DbErr> {
    let mut query = Query::select();
    query
        .column(Alias::new("raw"))
        .from(Alias::new(resource.name()))
        .and_where(Expr::col(Alias::new("store_id")).eq(store_id));
    if !include_deleted {
        query.and_where(Expr::col(Alias::new("deleted_at")).is_null());
    }
    for key in resource.key_columns() {
        query.order_by(Alias::new(*key), Order::Asc);
    }
    let statement = StatementBuilder::build(&query, &db.get_database_backend());
    db.query_all_raw(statement)
        .await?
        .iter()
        .map(|row| row.try_get::<JsonValue>("", "raw"))
        .collect()
}
