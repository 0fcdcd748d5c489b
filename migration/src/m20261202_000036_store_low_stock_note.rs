//! `stores.low_stock_amount_note`: why a store's low-stock threshold is WooCommerce's
//! default rather than the store's own setting (the key cannot read settings, say); none
//! when it was read from the store.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Stores::Table)
                    .add_column(text_null(Stores::LowStockAmountNote))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Stores::Table)
                    .drop_column(Stores::LowStockAmountNote)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Stores {
    Table,
    LowStockAmountNote,
}
