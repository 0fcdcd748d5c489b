//! An ID sweep's comparison finds what to fetch and what may be gone alike whether the id
//! range is read in one part or in several at once.

use chrono::{Duration, NaiveDateTime, Utc};
use serde_json::Value;
use woosync::sync::Origin;
use woosync::sync::sweep_comparison::compare;
use woosync::sync::sweep_listing::Listed;
use woosync::woo::Resource;

use crate::support::captures::body;
use crate::support::database::{Backend, TestDatabase, origin};

fn chair(id: i64) -> Value {
    let mut chair = body("products-list.json")[0].clone();
    chair["id"] = id.into();
    chair
}

async fn a_listing_compares_alike_in_one_part_or_several(backend: Backend) {
    let test = TestDatabase::migrated(backend).await;
    let store = test.add_store("https://shop.example").await;
    let origin = Origin {
        emits_events: false,
        ..origin(store, Resource::Products)
    };
    test.apply_records(origin, (10..30).chain([i64::MAX]).map(chair).collect())
        .await
        .unwrap();
    let modified = chair(0)["date_modified_gmt"].as_str().unwrap().to_owned();
    let modified = NaiveDateTime::parse_from_str(&modified, "%Y-%m-%dT%H:%M:%S")
        .unwrap()
        .and_utc();

    // 12, 25 and the largest id there is are kept and no longer listed; 5 and 31 are
    // listed and not kept; 20 is listed newer than kept.
    let mut listed: Vec<Listed> = (10..30)
        .filter(|id| ![12, 25].contains(id))
        .map(|id| (id, Some(modified)))
        .collect();
    listed.push((31, Some(modified)));
    listed.push((5, Some(modified)));
    listed.push((20, Some(modified + Duration::days(1))));
    let listed_at = Utc::now();

    for parts in [1, 3, 8] {
        let comparison = compare(
            &test.db,
            store,
            Resource::Products,
            listed.clone(),
            listed_at,
            parts,
        )
        .await
        .unwrap();
        assert_eq!(comparison.wanted, vec![5, 20, 31], "{parts} parts");
        assert_eq!(comparison.gone, vec![12, 25, i64::MAX], "{parts} parts");
    }
}

#[tokio::test]
async fn a_listing_compares_alike_in_parts_on_sqlite() {
    a_listing_compares_alike_in_one_part_or_several(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_listing_compares_alike_in_parts_on_postgres() {
    a_listing_compares_alike_in_one_part_or_several(Backend::Postgres).await;
}
