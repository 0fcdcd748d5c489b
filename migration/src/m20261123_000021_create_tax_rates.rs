//! Creates `tax_rates`: A tax rate.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{add_record_columns, belongs_to_store};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(TaxRates::Table)
            .if_not_exists()
            .col(big_integer(TaxRates::StoreId))
            .col(big_integer(TaxRates::WooId))
            .col(string(TaxRates::Country))
            .col(string(TaxRates::State))
            .col(decimal_len_null(TaxRates::Rate, 24, 8))
            .col(string(TaxRates::Name))
            .col(big_integer(TaxRates::Priority))
            .col(boolean(TaxRates::Compound))
            .col(boolean(TaxRates::Shipping))
            .col(string(TaxRates::TaxClass))
            .col(big_integer(TaxRates::RateOrder));
        add_record_columns(&mut table);
        table.primary_key(Index::create().col(TaxRates::StoreId).col(TaxRates::WooId));
        table.foreign_key(&mut belongs_to_store(TaxRates::Table, TaxRates::StoreId));
        manager.create_table(table).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TaxRates::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum TaxRates {
    Table,
    StoreId,
    WooId,
    Country,
    State,
    Rate,
    Name,
    Priority,
    Compound,
    Shipping,
    TaxClass,
    RateOrder,
}
