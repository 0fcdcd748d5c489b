//! Writing rows of records so that a record never moves backwards.
//!
//! One `INSERT .. ON CONFLICT DO UPDATE .. WHERE` per batch, on SQLite and Postgres alike:
//! a stored row is replaced only by a version whose `date_modified_gmt` is not older (so an
//! out-of-order webhook loses), and only when its content changed or the row was a
//! tombstone (so an unchanged record costs no write, and a restored record comes back).

use std::any::TypeId;
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};

use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    DbBackend, EntityTrait, IdenStatic, Iterable, ModelTrait, PrimaryKeyToColumn, Statement, Value,
};

use crate::woo::client::MAX_PER_PAGE;

/// A row to write and its record's JSON, already serialized.
pub struct Row<M> {
    pub model: M,
    pub raw_text: String,
}

/// Values bound in one statement at most: SQLite takes 32,766 and Postgres 65,535, and a
/// product can have thousands of variations.
const MAX_BOUND_VALUES: usize = 16_000;

/// The statements that upsert `rows`, as few as the bound-value limit allows; none for no
/// rows. Building them is CPU work done before the write lock is taken. The `raw` column is
/// bound as the text serialized for the content hash rather than serialized again from the
/// model's JSON. With `returning`, each statement returns those columns of the rows it
/// wrote (and only of those: not of a row left as it was).
pub fn upsert_statements<E>(
    backend: DbBackend,
    rows: Vec<Row<E::Model>>,
    revives: bool,
    returning: Option<&[Expr]>,
) -> Vec<Statement>
where
    E: EntityTrait,
{
    let columns: Vec<E::Column> = E::Column::iter().collect();
    let rows_per_statement = (MAX_BOUND_VALUES / columns.len()).max(1);
    let mut statements = Vec::with_capacity(rows.len().div_ceil(rows_per_statement));
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        statements.push(upsert_statement::<E>(
            backend,
            &columns,
            rows.by_ref().take(rows_per_statement).collect(),
            revives,
            returning,
        ));
    }
    statements
}

/// What the text of an upsert depends on: every value is a bound parameter.
#[derive(PartialEq)]
struct Shape {
    entity: TypeId,
    backend: DbBackend,
    rows: usize,
    revives: bool,
    returning: Option<String>,
}

/// Texts of upserts kept, at most: a few shapes per table are most of the statements.
const KEPT_TEXTS: usize = 64;

/// The texts of the upserts of up to a page of rows built last, oldest first: a page's
/// values are bound to the text of the last one like it rather than built anew with
/// sea-query, which also copies every value (see docs/performance.md).
static KEPT: Mutex<Vec<(Shape, Arc<str>)>> = Mutex::new(Vec::new());

fn upsert_statement<E>(
    backend: DbBackend,
    columns: &[E::Column],
    rows: Vec<Row<E::Model>>,
    revives: bool,
    returning: Option<&[Expr]>,
) -> Statement
where
    E: EntityTrait,
{
    if rows.len() > MAX_PER_PAGE as usize {
        return build_upsert::<E>(backend, columns, rows, revives, returning);
    }
    let shape = Shape {
        entity: TypeId::of::<E>(),
        backend,
        rows: rows.len(),
        revives,
        returning: returning.map(|columns| format!("{columns:?}")),
    };
    let kept = || KEPT.lock().unwrap_or_else(PoisonError::into_inner);
    let text = kept()
        .iter()
        .find(|(kept, _)| *kept == shape)
        .map(|(_, text)| Arc::clone(text));
    if let Some(text) = text {
        return Statement::from_sql_and_values(
            backend,
            text.as_ref(),
            bound_values::<E>(columns, rows),
        );
    }
    let statement = build_upsert::<E>(backend, columns, rows, revives, returning);
    let mut kept = kept();
    if !kept.iter().any(|(kept, _)| *kept == shape) {
        if kept.len() >= KEPT_TEXTS {
            kept.remove(0);
        }
        kept.push((shape, Arc::from(statement.sql.as_str())));
    }
    statement
}

/// The values an upsert binds, in the order of its parameters: row after row, each in
/// the order of `columns`.
fn bound_values<E: EntityTrait>(columns: &[E::Column], rows: Vec<Row<E::Model>>) -> Vec<Value> {
    let raw = column::<E>("raw");
    let mut values = Vec::with_capacity(rows.len() * columns.len());
    for Row { model, raw_text } in rows {
        let mut raw_text = Some(raw_text);
        values.extend(columns.iter().map(|column| {
            if column.as_str() == raw.as_str() {
                Value::from(raw_text.take().unwrap_or_default())
            } else {
                model.get(*column)
            }
        }));
    }
    values
}

fn build_upsert<E>(
    backend: DbBackend,
    columns: &[E::Column],
    rows: Vec<Row<E::Model>>,
    revives: bool,
    returning: Option<&[Expr]>,
) -> Statement
where
    E: EntityTrait,
{
    let mut insert = Query::insert();
    insert
        .into_table(E::default())
        .columns(columns.iter().copied());
    let rows_count = rows.len();
    let mut values = bound_values::<E>(columns, rows).into_iter();
    for _ in 0..rows_count {
        insert.values_panic(values.by_ref().take(columns.len()).map(Expr::val));
    }
    let key: Vec<E::Column> = E::PrimaryKey::iter().map(|k| k.into_column()).collect();
    let key_names: Vec<&str> = key.iter().map(|c| c.as_str()).collect();
    let others = E::Column::iter().filter(|c| !key_names.contains(&c.as_str()));
    let mut on_conflict = OnConflict::columns(key);
    on_conflict
        .update_columns(others)
        .action_and_where(replace_condition::<E>(revives));
    insert.on_conflict(on_conflict);
    if let Some(columns) = returning {
        insert.returning(Query::returning().exprs(columns.iter().cloned()));
    }
    backend.build(&insert)
}

/// A row is replaced by a version not older and with other content, or that brings back
/// a record marked deleted, where the write `revives`; else a tombstone stays.
fn replace_condition<E: EntityTrait>(revives: bool) -> Expr {
    let stored = |name: &str| -> Expr { Expr::col((E::default(), column::<E>(name))) };
    let incoming = |name: &str| -> Expr { Expr::col((Alias::new("excluded"), column::<E>(name))) };
    let changed = match revives {
        true => incoming("content_hash")
            .ne(stored("content_hash"))
            .or(stored("deleted_at").is_not_null()),
        false => incoming("content_hash")
            .ne(stored("content_hash"))
            .and(stored("deleted_at").is_null()),
    };
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use entity::orders;

    fn page(first_id: i64, rows: i64) -> Vec<Row<orders::Model>> {
        let at = Utc.with_ymd_and_hms(2026, 11, 22, 12, 18, 44).unwrap();
        (first_id..first_id + rows)
            .map(|id| Row {
                model: orders::Model {
                    store_id: 1,
                    woo_id: id,
                    parent_id: 0,
                    number: id.to_string(),
                    status: "processing".into(),
                    currency: "USD".into(),
                    total: Some(sea_orm::prelude::Decimal::new(10477, 2)),
                    total_tax: None,
                    discount_total: None,
                    shipping_total: None,
                    customer_id: id % 3,
                    billing_email: (id % 2 == 0).then(|| format!("{id}@example.test")),
                    payment_method: None,
                    refund_count: 0,
                    date_created_gmt: Some(at),
                    date_modified_gmt: Some(at),
                    date_paid_gmt: None,
                    date_completed_gmt: None,
                    raw: String::new(),
                    content_hash: format!("{id:032x}"),
                    deleted_at: None,
                    synced_at: at,
                },
                raw_text: format!(r#"{{"id":{id}}}"#),
            })
            .collect()
    }

    #[test]
    fn a_statement_from_the_kept_text_is_the_statement_built_in_full() {
        let columns: Vec<orders::Column> = orders::Column::iter().collect();
        let returning = [Expr::col(Alias::new("woo_id"))];
        for (backend, rows) in [
            (DbBackend::Sqlite, 100),
            (DbBackend::Postgres, 100),
            (DbBackend::Postgres, 37),
        ] {
            for returning in [None, Some(&returning[..])] {
                let built = build_upsert::<orders::Entity>(
                    backend,
                    &columns,
                    page(1, rows),
                    true,
                    returning,
                );
                let upsert = |first_id| {
                    upsert_statement::<orders::Entity>(
                        backend,
                        &columns,
                        page(first_id, rows),
                        true,
                        returning,
                    )
                };
                // The first statement of a shape keeps its text; the next are bound to it.
                upsert(1);
                let is_kept = |(shape, _): &(Shape, Arc<str>)| {
                    shape.backend == backend && shape.rows == rows as usize
                };
                assert!(KEPT.lock().unwrap().iter().any(is_kept));
                let kept = upsert(1);
                assert_eq!(kept.sql, built.sql);
                assert_eq!(kept.values, built.values);
                let other = upsert(101);
                assert_eq!(other.sql, built.sql);
                assert_ne!(other.values, built.values);
            }
        }
    }
}
