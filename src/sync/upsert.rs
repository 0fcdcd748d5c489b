//! Writing rows of records so that a record never moves backwards.
//!
//! One `INSERT .. ON CONFLICT DO UPDATE .. WHERE` per batch, on SQLite and Postgres alike:
//! a stored row is replaced only by a version whose `date_modified_gmt` is not older (so an
//! out-of-order webhook loses), and only when its content changed or the row was a
//! tombstone (so an unchanged record costs no write, and a restored record comes back).

use std::str::FromStr;

use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, IdenStatic, IntoActiveModel, Iterable,
    PrimaryKeyToColumn,
};

/// Upserts `models`; returns how many rows were inserted or replaced.
pub async fn upsert<E, C>(db: &C, models: Vec<E::Model>) -> Result<u64, DbErr>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
    C: ConnectionTrait,
{
    if models.is_empty() {
        return Ok(0);
    }
    let key: Vec<E::Column> = E::PrimaryKey::iter().map(|k| k.into_column()).collect();
    let key_names: Vec<&str> = key.iter().map(|c| c.as_str()).collect();
    let others = E::Column::iter().filter(|c| !key_names.contains(&c.as_str()));
    let mut on_conflict = OnConflict::columns(key);
    on_conflict
        .update_columns(others)
        .action_and_where(replace_condition::<E>());
    E::insert_many(models.into_iter().map(IntoActiveModel::into_active_model))
        .on_conflict(on_conflict)
        .exec_without_returning(db)
        .await
}

fn replace_condition<E: EntityTrait>() -> Expr {
    let stored = |name: &str| -> Expr { Expr::col((E::default(), column::<E>(name))) };
    let incoming = |name: &str| -> Expr { Expr::col((Alias::new("excluded"), column::<E>(name))) };
    let changed = incoming("content_hash")
        .ne(stored("content_hash"))
        .or(stored("deleted_at").is_not_null());
    match E::Column::from_str("date_modified_gmt") {
        Ok(_) => stored("date_modified_gmt")
            .is_null()
            .or(incoming("date_modified_gmt").gte(stored("date_modified_gmt")))
            .and(changed),
        Err(_) => changed,
    }
}

/// A column every record table has (see the migrations' `add_record_columns`).
fn column<E: EntityTrait>(name: &str) -> E::Column {
    E::Column::from_str(name)
        .unwrap_or_else(|_| panic!("{} has no column {name}", E::default().table_name()))
}
