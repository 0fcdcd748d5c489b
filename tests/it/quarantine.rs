//! A record with a malformed field is quarantined with its reason; the rest of its page lands.

use entity::quarantined_records;
use sea_orm::EntityTrait;
use woosync::sync::Origin;
use woosync::sync::stored::stored_records;
use woosync::woo::Resource;

use crate::support::captures::body;
use crate::support::database::{Backend, TestDatabase, origin};

#[tokio::test]
async fn a_malformed_record_is_quarantined_and_the_page_lands() {
    let test = TestDatabase::migrated(Backend::Sqlite).await;
    let store = test.add_store("https://shop.example").await;
    let mut page = body("products-list.json").as_array().unwrap().clone();
    assert_eq!(page.len(), 3);
    page[0]["date_modified_gmt"] = "last tuesday".into();
    page[2]["price"] = "cheap".into();
    let good = page[1].clone();

    let origin = Origin {
        run_id: Some(7),
        ..origin(store, Resource::Products)
    };
    let applied = test.apply_records(origin, page).await.unwrap();
    assert_eq!((applied.written, applied.quarantined), (1, 2));
    assert_eq!(
        stored_records(&test.db, store, Resource::Products, true)
            .await
            .unwrap(),
        vec![good]
    );

    let mut quarantined = quarantined_records::Entity::find()
        .all(&test.db)
        .await
        .unwrap();
    quarantined.sort_by_key(|record| record.woo_id.clone());
    assert_eq!(quarantined.len(), 2);
    let date = &quarantined[0];
    assert_eq!(date.resource, Resource::Products);
    assert_eq!(date.run_id, Some(7));
    assert!(
        date.reason.starts_with("date_modified_gmt: "),
        "{}",
        date.reason
    );
    assert!(date.reason.contains("last tuesday"), "{}", date.reason);
    assert!(
        date.raw.contains("\"last tuesday\""),
        "the raw text is kept"
    );
    let price = &quarantined[1];
    assert!(price.reason.starts_with("price: "), "{}", price.reason);
}
