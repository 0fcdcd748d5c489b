//! Creates `order_notes`: A note on an order (private or to the customer).

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{add_record_columns, belongs_to_store};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(OrderNotes::Table)
            .if_not_exists()
            .col(big_integer(OrderNotes::StoreId))
            .col(big_integer(OrderNotes::OrderId))
            .col(big_integer(OrderNotes::WooId))
            .col(string(OrderNotes::Author))
            .col(boolean(OrderNotes::CustomerNote))
            .col(text(OrderNotes::Note))
            .col(timestamp_with_time_zone_null(OrderNotes::DateCreatedGmt));
        add_record_columns(&mut table);
        table.primary_key(
            Index::create()
                .col(OrderNotes::StoreId)
                .col(OrderNotes::OrderId)
                .col(OrderNotes::WooId),
        );
        table.foreign_key(&mut belongs_to_store(
            OrderNotes::Table,
            OrderNotes::StoreId,
        ));
        manager.create_table(table).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OrderNotes::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum OrderNotes {
    Table,
    StoreId,
    OrderId,
    WooId,
    Author,
    CustomerNote,
    Note,
    DateCreatedGmt,
}
