//! What was set aside: records a store sent that could not be parsed or stored, one entry
//! per record, kept with the reason and the raw text until the record is written (by a
//! later sync, or an operator's retry after a fix).

use entity::quarantined_records::{self, Column, Model};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, StatementBuilder,
};

use crate::woo::Resource;

/// A store's quarantined records (of one resource, or all), newest first, a page at a
/// time; with how many there are. Entries whose record has been written since are
/// forgotten first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    resource: Option<Resource>,
    offset: u64,
    limit: u64,
) -> Result<(u64, Vec<Model>), DbErr> {
    forget_resolved(db, store_id).await?;
    let mut select = quarantined_records::Entity::find().filter(Column::StoreId.eq(store_id));
    if let Some(resource) = resource {
        select = select.filter(Column::Resource.eq(resource));
    }
    let total = select.clone().count(db).await?;
    let entries = select
        .order_by_desc(Column::CreatedAt)
        .order_by_desc(Column::Id)
        .offset(offset)
        .limit(limit)
        .all(db)
        .await?;
    Ok((total, entries))
}

/// The newest entries of every store, and how many there are in all.
pub async fn latest<C: ConnectionTrait>(db: &C, limit: u64) -> Result<(u64, Vec<Model>), DbErr> {
    let stores: Vec<i64> = quarantined_records::Entity::find()
        .select_only()
        .column(Column::StoreId)
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    for store_id in stores {
        forget_resolved(db, store_id).await?;
    }
    let total = quarantined_records::Entity::find().count(db).await?;
    let entries = quarantined_records::Entity::find()
        .order_by_desc(Column::CreatedAt)
        .order_by_desc(Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    Ok((total, entries))
}

/// The entry of one record, if it is set aside.
pub async fn find_record<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    resource: Resource,
    woo_id: &str,
) -> Result<Option<Model>, DbErr> {
    quarantined_records::Entity::find()
        .filter(Column::StoreId.eq(store_id))
        .filter(Column::Resource.eq(resource))
        .filter(Column::WooId.eq(woo_id))
        .one(db)
        .await
}

/// How many records of each resource a store has in quarantine.
pub async fn counts_by_resource<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
) -> Result<Vec<(String, i64)>, DbErr> {
    forget_resolved(db, store_id).await?;
    quarantined_records::Entity::find()
        .select_only()
        .column(Column::Resource)
        .column_as(Column::Id.count(), "quarantined")
        .filter(Column::StoreId.eq(store_id))
        .group_by(Column::Resource)
        .into_tuple()
        .all(db)
        .await
}

pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    quarantined_records::Entity::find_by_id(id).one(db).await
}

pub async fn forget<C: ConnectionTrait>(db: &C, id: i64) -> Result<(), DbErr> {
    quarantined_records::Entity::delete_by_id(id)
        .exec(db)
        .await?;
    Ok(())
}

/// Forgets the entries of a store whose record has been written since it was set aside.
async fn forget_resolved<C: ConnectionTrait>(db: &C, store_id: i64) -> Result<u64, DbErr> {
    let mut forgotten = 0;
    for resource in Resource::ALL
        .into_iter()
        .filter(|resource| resource.key_columns().ends_with(&["woo_id"]))
    {
        let table = Alias::new(resource.name());
        let mut written = Query::select();
        written
            .expr(Expr::val(1))
            .from(table.clone())
            .and_where(Expr::col((table.clone(), Alias::new("store_id"))).eq(store_id))
            .and_where(
                Expr::col((table.clone(), Alias::new("woo_id")))
                    .cast_as(Alias::new("text"))
                    .eq(Expr::col((quarantined_records::Entity, Column::WooId))),
            )
            .and_where(
                Expr::col((table, Alias::new("synced_at")))
                    .gt(Expr::col((quarantined_records::Entity, Column::CreatedAt))),
            );
        let mut delete = Query::delete();
        delete
            .from_table(quarantined_records::Entity)
            .and_where(Expr::col(Column::StoreId).eq(store_id))
            .and_where(Expr::col(Column::Resource).eq(resource.name()))
            .and_where(Expr::exists(written));
        let statement = StatementBuilder::build(&delete, &db.get_database_backend());
        forgotten += db.execute_raw(statement).await?.rows_affected();
    }
    Ok(forgotten)
}
