//! Whether a database's copy of a store equals the simulated store: every live record of
//! every resource, every field of its JSON.

use sea_orm::{ConnectionTrait, DbErr};

use super::store::{SimStore, read};
use crate::sync::stored::stored_records;
use crate::woo::Resource;

/// How the copy of store `store_id` differs from `sim`, resource by resource; none when
/// it is equal.
pub async fn difference<C: ConnectionTrait>(
    db: &C,
    store_id: i64,
    sim: &SimStore,
) -> Result<Option<String>, DbErr> {
    for resource in Resource::ALL {
        let mut upstream: Vec<String> = {
            let data = read(&sim.data);
            data.parents(resource)
                .into_iter()
                .flat_map(|parent| data.collection((resource, parent)).to_vec())
                .map(|record| record.to_string())
                .collect()
        };
        let mut kept: Vec<String> = stored_records(db, store_id, resource, false)
            .await?
            .iter()
            .map(|record| record.to_string())
            .collect();
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
