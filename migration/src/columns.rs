//! Column sets and constraints that many tables share.

use sea_orm_migration::{prelude::*, schema::*};

/// What every synced WooCommerce record carries besides its typed columns: the full REST
/// representation (so no field is ever lost), a hash of it (so unchanged records cost no
/// write), the tombstone, and when we last wrote it.
///
/// The JSON comes last. SQLite reads a row's columns in order, and a record's JSON is
/// kilobytes, often spilling onto overflow pages: a sweep reading each row's tombstone and
/// write time from after it walked every row's overflow pages (35 ms against 5 ms for
/// 16,500 orders, in the sqlite3 shell).
pub fn add_record_columns(table: &mut TableCreateStatement) {
    table
        .col(string(Record::ContentHash))
        .col(timestamp_with_time_zone_null(Record::DeletedAt))
        .col(timestamp_with_time_zone(Record::SyncedAt))
        .col(json_binary(Record::Raw));
}

/// Rows of a store go with it: disconnecting a store erases its data.
pub fn belongs_to_store<T: IntoIden + 'static>(table: T, column: T) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(Stores::Table, Stores::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

pub fn index<T: IntoIden + 'static, const N: usize>(
    name: &str,
    table: T,
    columns: [T; N],
) -> IndexCreateStatement {
    let mut index = Index::create();
    index.if_not_exists().name(name).table(table);
    for column in columns {
        index.col(column);
    }
    index.to_owned()
}

pub fn unique_index<T: IntoIden + 'static, const N: usize>(
    name: &str,
    table: T,
    columns: [T; N],
) -> IndexCreateStatement {
    index(name, table, columns).unique().to_owned()
}

#[derive(DeriveIden)]
enum Record {
    Raw,
    ContentHash,
    DeletedAt,
    SyncedAt,
}

#[derive(DeriveIden)]
enum Stores {
    Table,
    Id,
}
