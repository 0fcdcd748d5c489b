//! Every resource captured from a real store parses, is stored, loads back, and its JSON
//! equals the capture; the typed columns hold what people filter on.

use entity::{inventory, orders, product_variations, products};
use rust_decimal::Decimal;
use sea_orm::EntityTrait;
use serde::de::DeserializeOwned;
use woosync::sync::Origin;
use woosync::sync::stored::stored_records;
use woosync::woo::Resource;
use woosync::woo::records::{Order, Product};

use crate::support::captures::{every_resource, webhook_body};
use crate::support::database::{Backend, TestDatabase, origin};

async fn every_captured_resource_round_trips(backend: Backend) {
    let test = TestDatabase::migrated(backend).await;
    let store = test.add_store("https://shop.example").await;
    let samples = every_resource();

    for sample in &samples {
        let origin = Origin {
            parent_id: sample.parent_id,
            ..origin(store, sample.resource)
        };
        let applied = test
            .apply_records(origin, sample.records.clone())
            .await
            .unwrap();
        assert_eq!(applied.quarantined, 0, "{}", sample.source);
        assert_eq!(
            applied.written,
            sample.records.len() as u64,
            "{}",
            sample.source
        );
    }

    for resource in Resource::ALL {
        let expected: Vec<_> = samples
            .iter()
            .filter(|sample| sample.resource == resource)
            .flat_map(|sample| sample.records.iter().cloned())
            .collect();
        assert!(!expected.is_empty(), "no sample of {resource}");
        let stored = stored_records(&test.db, store, resource, false)
            .await
            .unwrap();
        assert_eq!(stored.len(), expected.len(), "{resource}");
        for record in &expected {
            assert!(
                stored.contains(record),
                "{resource}: stored JSON differs from the capture for {}",
                record.get("id").or(record.get("slug")).unwrap_or(record)
            );
        }
    }

    let chair = products::Entity::find_by_id((store, 581))
        .one(&test.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(chair.sku.as_deref(), Some("SKU-00000"));
    assert_eq!(chair.price, Some(Decimal::new(2150, 2)));
    assert_eq!(chair.sale_price, None, "\"\" is no sale price");
    assert_eq!((chair.manage_stock, chair.stock_quantity), (true, Some(40)));
    assert_eq!(chair.product_type, "simple");
    assert_eq!(
        chair.date_modified_gmt.unwrap().to_rfc3339(),
        "2026-11-22T12:15:37+00:00"
    );

    let variation = product_variations::Entity::find_by_id((store, 868, 1120))
        .one(&test.db)
        .await
        .unwrap()
        .expect("variation 1120 is keyed under product 868");
    assert_eq!(variation.stock_quantity, Some(88));

    let refunded = orders::Entity::find_by_id((store, 1667))
        .one(&test.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(refunded.refund_count, 1);
    assert!(refunded.billing_email.is_some());

    let stock = inventory::Entity::find_by_id((store, 581, 0))
        .one(&test.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stock.stock_quantity, stock.low_stock),
        (Some(40), Some(false))
    );
    let stock = inventory::Entity::find_by_id((store, 868, 1120))
        .one(&test.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stock.sku.as_deref(), Some("SKU-00287-WHITE-M"));
}

#[tokio::test]
async fn captures_round_trip_on_sqlite() {
    every_captured_resource_round_trips(Backend::Sqlite).await;
}

#[tokio::test]
async fn captures_round_trip_on_postgres() {
    every_captured_resource_round_trips(Backend::Postgres).await;
}

fn parses<T: DeserializeOwned>(body: serde_json::Value) -> T {
    serde_path_to_error::deserialize(&body).unwrap_or_else(|error| panic!("{error}"))
}

#[test]
fn webhook_payloads_parse_as_their_records() {
    let product: Product = parses(webhook_body("webhook-product.updated.json"));
    assert!(product.id > 0);
    let order: Order = parses(webhook_body("webhook-order.created.json"));
    assert!(order.id > 0 && order.date_modified_gmt.is_some());
}
