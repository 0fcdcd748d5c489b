//! Writing rows of records so that a record never moves backwards.
//!
//! One `INSERT .. ON CONFLICT DO UPDATE .. WHERE` per batch, on SQLite and Postgres alike:
//! a stored row is replaced only by a version whose `date_modified_gmt` is not older (so an
//! out-of-order webhook loses), and only when its content changed or the row was a
//! tombstone (so an unchanged record costs no write, and a restored record comes back).
//!
//! SQLite takes the rows as a `VALUES` list. Postgres takes them as one array per column,
//! unnested: the same text for any number of rows, and far less for Postgres to bind and
//! plan than a `VALUES` list of thousands of parameters (see docs/performance.md).

use std::any::TypeId;
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};

use sea_orm::sea_query::{
    Alias, ArrayType, Expr, ExprTrait, Func, OnConflict, Query, SelectStatement,
};
use sea_orm::{
    ColumnTrait, DbBackend, EntityTrait, IdenStatic, Iterable, ModelTrait, PrimaryKeyToColumn,
    Statement, Value,
};

use crate::woo::client::MAX_PER_PAGE;

/// A row to write and its record's JSON, already serialized.
pub struct Row<M> {
    pub model: M,
    pub raw_text: String,
}

/// Values bound in one SQLite statement at most: it takes 32,766, and a product can have
/// thousands of variations. Postgres binds an array per column, so one statement holds any
/// number of rows.
const MAX_BOUND_VALUES: usize = 16_000;

/// The statements that upsert `rows`: one on Postgres, as few as the bound-value limit
/// allows on SQLite, none for no rows. Building them is CPU work done before the write lock is taken. The `raw` column is
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
    let rows_per_statement = match backend {
        DbBackend::Postgres => rows.len().max(1),
        _ => (MAX_BOUND_VALUES / columns.len()).max(1),
    };
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
    /// Rows of a `VALUES` list; none for Postgres's arrays.
    rows: Option<usize>,
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
    let values_rows = (backend != DbBackend::Postgres).then_some(rows.len());
    if values_rows.is_some_and(|rows| rows > MAX_PER_PAGE as usize) {
        return build_upsert::<E>(backend, columns, rows, revives, returning);
    }
    let shape = Shape {
        entity: TypeId::of::<E>(),
        backend,
        rows: values_rows,
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
            bound_values::<E>(backend, columns, rows),
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

/// The values an upsert binds, in the order of its parameters.
fn bound_values<E: EntityTrait>(
    backend: DbBackend,
    columns: &[E::Column],
    rows: Vec<Row<E::Model>>,
) -> Vec<Value> {
    match backend {
        DbBackend::Postgres => {
            let ColumnArrays { arrays, null_mask } = column_arrays::<E>(columns, rows);
            arrays.into_iter().chain([null_mask]).collect()
        }
        _ => rows
            .into_iter()
            .flat_map(|row| row_values::<E>(columns, row))
            .collect(),
    }
}

/// A row's values in the order of `columns`, its JSON as the text already serialized.
fn row_values<E: EntityTrait>(columns: &[E::Column], row: Row<E::Model>) -> Vec<Value> {
    let raw = column::<E>("raw");
    let Row { model, raw_text } = row;
    let mut raw_text = Some(raw_text);
    columns
        .iter()
        .map(|column| match column.as_str() == raw.as_str() {
            true => Value::from(raw_text.take().unwrap_or_default()),
            false => model.get(*column),
        })
        .collect()
}

/// Rows as Postgres takes them: an array per column, and an array of masks that say
/// which of a row's nullable columns are null (see `null_bits`), because the arrays sqlx
/// binds through sea-query cannot hold a null.
struct ColumnArrays {
    arrays: Vec<Value>,
    null_mask: Value,
}

fn column_arrays<E: EntityTrait>(columns: &[E::Column], rows: Vec<Row<E::Model>>) -> ColumnArrays {
    let bits = null_bits(columns);
    let mut arrays: Vec<Vec<Value>> = columns
        .iter()
        .map(|_| Vec::with_capacity(rows.len()))
        .collect();
    let mut masks = Vec::with_capacity(rows.len());
    for row in rows {
        let mut mask = 0_i64;
        for ((value, array), bit) in row_values::<E>(columns, row)
            .into_iter()
            .zip(&mut arrays)
            .zip(&bits)
        {
            match bit {
                Some(bit) if !value.is_some() => {
                    mask |= 1 << bit;
                    array.push(value.dummy_value());
                }
                _ => array.push(value),
            }
        }
        masks.push(Value::from(mask));
    }
    let array = |values: Vec<Value>| {
        let ty = values.first().map_or(ArrayType::BigInt, Value::array_type);
        Value::Array(ty, Some(Box::new(values)))
    };
    ColumnArrays {
        arrays: arrays.into_iter().map(array).collect(),
        null_mask: array(masks),
    }
}

/// For each column, its bit in a row's null mask if the column is nullable: the first
/// nullable column is bit 0, the next bit 1, and so on.
fn null_bits<C: ColumnTrait>(columns: &[C]) -> Vec<Option<u32>> {
    let mut next = 0..;
    columns
        .iter()
        .map(|column| {
            column
                .def()
                .is_null()
                .then(|| next.next().unwrap_or_default())
        })
        .collect()
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
    match backend {
        DbBackend::Postgres => {
            insert
                .select_from(unnest_select::<E>(columns, rows))
                .expect("the select has an expression per column");
        }
        _ => {
            for row in rows {
                insert.values_panic(row_values::<E>(columns, row).into_iter().map(Expr::val));
            }
        }
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

/// `SELECT .. FROM (SELECT unnest($1) AS "store_id", ..) AS "rows"`: the arrays unnested
/// side by side, a nullable column null where its bit in the row's mask is set, and the
/// JSON text cast to `json` (kept as sent).
fn unnest_select<E: EntityTrait>(
    columns: &[E::Column],
    rows: Vec<Row<E::Model>>,
) -> SelectStatement {
    let raw = column::<E>("raw");
    let null_mask = Alias::new("null_mask");
    let unnest = |array: Value| Func::cust("unnest").arg(Expr::val(array));
    let ColumnArrays {
        arrays,
        null_mask: masks,
    } = column_arrays::<E>(columns, rows);
    let mut unnested = Query::select();
    for (column, array) in columns.iter().zip(arrays) {
        unnested.expr_as(unnest(array), *column);
    }
    unnested.expr_as(unnest(masks), null_mask.clone());
    let mut select = Query::select();
    for (column, bit) in columns.iter().zip(null_bits(columns)) {
        let mut value = Expr::col(*column);
        if column.as_str() == raw.as_str() {
            value = value.cast_as(Alias::new("json"));
        }
        if let Some(bit) = bit {
            let is_null = Expr::col(null_mask.clone())
                .bit_and(Expr::Constant(Value::from(1_i64 << bit)))
                .ne(Expr::Constant(Value::from(0_i64)));
            value = Expr::case(is_null, Expr::null()).finally(value).into();
        }
        select.expr(value);
    }
    select.from_subquery(unnested, Alias::new("rows"));
    select
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
                    raw: serde_json::Value::Null,
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
                let values_rows = (backend != DbBackend::Postgres).then_some(rows as usize);
                let is_kept = |(shape, _): &(Shape, Arc<str>)| {
                    shape.backend == backend && shape.rows == values_rows
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
