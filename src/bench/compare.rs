//! Checking woosync against the simulated store: whether a database's copy equals it
//! (every live record of every resource, byte for byte as the store sent it), and how
//! many requests a backfill of it needs.

use sea_orm::{ConnectionTrait, DbErr};

use crate::sync::stored::stored_texts;
use crate::woo::Resource;
use sim::listing::full_pages;
use sim::store::{SimStore, read};

/// How the copy of store `store_id` differs from `sim`, resource by resource; none when
/// it is equal.
pub async fn difference<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    sim: &SimStore,
) -> Result<Option<String>, DbErr> {
    difference_in(db, store_id, sim, &Resource::TOP_LEVEL).await
}

/// The same for some top-level resources and their children only.
pub async fn difference_in<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    sim: &SimStore,
    resources: &[Resource],
) -> Result<Option<String>, DbErr> {
    let compared = Resource::ALL
        .into_iter()
        .filter(|resource| resources.contains(&resource.parent().unwrap_or(*resource)));
    for resource in compared {
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

/// The requests a backfill of `resources` needs at the least, counted from what the store
/// holds and how it serves it: every page of each listing (one for a collection the store
/// answers whole), every page of its ids where the store pages it (the sweep that closes
/// a backfill), and one listing of children for each parent that has any.
pub fn backfill_requests(sim: &SimStore, resources: &[Resource]) -> u64 {
    let data = read(&sim.data);
    let mut needed = 0;
    for resource in resources {
        let pages = if resource.listed_whole() {
            1
        } else {
            2 * full_pages(data.count(*resource))
        };
        let parents_with_children: usize = Resource::ALL
            .into_iter()
            .filter(|child| child.parent() == Some(*resource))
            .map(|child| {
                data.parents(child)
                    .into_iter()
                    .filter(|parent| !data.collection((child, *parent)).is_empty())
                    .count()
            })
            .sum();
        needed += (pages + parents_with_children) as u64;
    }
    needed
}
