//! Creates `product_attribute_terms`: A term of a global product attribute (such as Blue).

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{add_record_columns, belongs_to_store};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(ProductAttributeTerms::Table)
            .if_not_exists()
            .col(big_integer(ProductAttributeTerms::StoreId))
            .col(big_integer(ProductAttributeTerms::AttributeId))
            .col(big_integer(ProductAttributeTerms::WooId))
            .col(string(ProductAttributeTerms::Name))
            .col(string(ProductAttributeTerms::Slug))
            .col(big_integer(ProductAttributeTerms::MenuOrder))
            .col(big_integer(ProductAttributeTerms::Count));
        add_record_columns(&mut table);
        table.primary_key(
            Index::create()
                .col(ProductAttributeTerms::StoreId)
                .col(ProductAttributeTerms::AttributeId)
                .col(ProductAttributeTerms::WooId),
        );
        table.foreign_key(&mut belongs_to_store(
            ProductAttributeTerms::Table,
            ProductAttributeTerms::StoreId,
        ));
        manager.create_table(table).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ProductAttributeTerms::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ProductAttributeTerms {
    Table,
    StoreId,
    AttributeId,
    WooId,
    Name,
    Slug,
    MenuOrder,
    Count,
}
