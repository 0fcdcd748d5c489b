//! Checking woosync against the simulated store: whether a database's copy equals it
//! (every live record of every resource, byte for byte as the store sent it), and how
//! many requests a backfill of it needs.

use sea_orm::{ConnectionTrait, DbErr};

use super::store::{SimStore, read};
use crate::sync::stored::stored_texts;
use crate::woo::Resource;
use crate::woo::client::MAX_PER_PAGE;
use serde_json::Value;

/// How the copy of store `store_id` differs from `sim`, resource by resource; none when
/// it is equal.
pub async fn difference<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    sim: &SimStore,
) -> Result<Option<String>, DbErr> {
    for resource in Resource::ALL {
        let mut upstream: Vec<String> = read(&sim.data).served_texts(resource);
        let mut kept: Vec<String> = stored_texts(db, store_id, resource, false).await?;
        upstream.sort_unstable();
        kept.sort_unstable();
        if upstream != kept {
            let missing = upstream
                .iter()
                .filter(|record| kept.binary_search(record).is_err())
                .count();
            let extra = kept
                .iter()
                .filter(|record| upstream.binary_search(record).is_err())
                .count();
            let example = upstream
                .iter()
                .find(|record| kept.binary_search(record).is_err())
                .or_else(|| {
                    kept.iter()
                        .find(|record| upstream.binary_search(record).is_err())
                })
                .map(|record| record.chars().take(400).collect::<String>())
                .unwrap_or_default();
            return Ok(Some(format!(
                "{resource}: the store has {} records, the database {}; {missing} of the store's are not in the database and {extra} kept are not in the store; for example {example}",
                upstream.len(),
                kept.len(),
            )));
        }
    }
    Ok(None)
}

/// The requests the design needs for a backfill of `resources`: every page of every
/// listing once, every page of the closing ID sweep once, and one listing of children for
/// each parent that has some (variations of variable products, refunds of refunded orders,
/// terms of attributes, locations and methods of zones).
pub fn backfill_requests(sim: &SimStore, resources: &[Resource]) -> u64 {
    let data = read(&sim.data);
    let pages = |count: usize| count.div_ceil(MAX_PER_PAGE as usize).max(1) as u64;
    let mut needed = 0;
    for resource in resources {
        let count = data.count(*resource);
        needed += if resource.listed_whole() {
            1
        } else {
            2 * pages(count)
        };
        let parents = data.collection((*resource, 0));
        let with = |field: &str| {
            parents
                .iter()
                .filter(|parent| {
                    parent
                        .get(field)
                        .and_then(Value::as_array)
                        .is_some_and(|list| !list.is_empty())
                })
                .count() as u64
        };
        needed += match resource {
            Resource::Products => parents
                .iter()
                .filter(|product| {
                    product.get("type").and_then(Value::as_str) == Some("variable")
                        && product
                            .get("variations")
                            .and_then(Value::as_array)
                            .is_some_and(|list| !list.is_empty())
                })
                .count() as u64,
            Resource::Orders => with("refunds"),
            Resource::ProductAttributes => parents.len() as u64,
            Resource::ShippingZones => 2 * parents.len() as u64,
            _ => 0,
        };
    }
    needed
}
