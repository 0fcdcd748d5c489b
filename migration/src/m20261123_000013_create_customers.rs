//! Creates `customers`: A registered customer.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{add_record_columns, belongs_to_store, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(Customers::Table)
            .if_not_exists()
            .col(big_integer(Customers::StoreId))
            .col(big_integer(Customers::WooId))
            .col(string(Customers::Email))
            .col(string(Customers::FirstName))
            .col(string(Customers::LastName))
            .col(string(Customers::Username))
            .col(string(Customers::Role))
            .col(boolean(Customers::IsPayingCustomer))
            .col(timestamp_with_time_zone_null(Customers::DateCreatedGmt))
            .col(timestamp_with_time_zone_null(Customers::DateModifiedGmt));
        add_record_columns(&mut table);
        table.primary_key(
            Index::create()
                .col(Customers::StoreId)
                .col(Customers::WooId),
        );
        table.foreign_key(&mut belongs_to_store(Customers::Table, Customers::StoreId));
        manager.create_table(table).await?;
        manager
            .create_index(index(
                "idx_customers_store_id_email",
                Customers::Table,
                [Customers::StoreId, Customers::Email],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Customers::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Customers {
    Table,
    StoreId,
    WooId,
    Email,
    FirstName,
    LastName,
    Username,
    Role,
    IsPayingCustomer,
    DateCreatedGmt,
    DateModifiedGmt,
}
