//! Creates `tax_classes`: A tax class: WooCommerce gives it only a slug.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{add_record_columns, belongs_to_store};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(TaxClasses::Table)
            .if_not_exists()
            .col(big_integer(TaxClasses::StoreId))
            .col(string(TaxClasses::Slug))
            .col(string(TaxClasses::Name));
        add_record_columns(&mut table);
        table.primary_key(
            Index::create()
                .col(TaxClasses::StoreId)
                .col(TaxClasses::Slug),
        );
        table.foreign_key(&mut belongs_to_store(
            TaxClasses::Table,
            TaxClasses::StoreId,
        ));
        manager.create_table(table).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TaxClasses::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum TaxClasses {
    Table,
    StoreId,
    Slug,
    Name,
}
