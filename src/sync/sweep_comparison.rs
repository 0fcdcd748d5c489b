//! An ID sweep's comparison of the store's listing with what is kept: what to fetch, and
//! what the store may no longer have.

use std::ops::RangeInclusive;

use chrono::{DateTime, Utc};
use futures_util::future::try_join_all;
use sea_orm::{DatabaseConnection, DbErr};

use super::stored::{ROWS_AT_A_TIME, each_stored_version};
use super::sweep_listing::Listed;
use crate::woo::Resource;

/// What a sweep found by comparing the store's listing with what is kept.
#[derive(Default)]
pub struct Comparison {
    /// Listed and not kept, kept older, or kept as deleted: to be fetched.
    pub wanted: Vec<i64>,
    /// Kept, live and not listed, unless written since the listing (a webhook's record
    /// created after it): gone upstream, unless the store still has it when asked by id.
    pub gone: Vec<i64>,
}

/// Parts of a long listing compared at once, each over a range of ids on a connection of
/// its own: one read at a time kept one core of the database busy and the others idle.
const PARTS_AT_ONCE: usize = 4;

/// The parts a listing of `listed` records is best compared in: one for a few thousand.
pub fn parts_for(listed: usize) -> usize {
    (listed / ROWS_AT_A_TIME as usize).clamp(1, PARTS_AT_ONCE)
}

/// Compares the listing with what is kept, in `parts` parts of the id range compared at
/// once.
pub async fn compare(
    db: &DatabaseConnection,
    store_id: i64,
    resource: Resource,
    mut listed: Vec<Listed>,
    listed_at: DateTime<Utc>,
    parts: usize,
) -> Result<Comparison, DbErr> {
    // A record edited while the store was paging may be listed twice: its newest date
    // counts.
    listed.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    listed.dedup_by_key(|(id, _)| *id);
    let compared = try_join_all(id_ranges(&listed, parts).into_iter().map(|ids| {
        let first = listed.partition_point(|(id, _)| id < ids.start());
        let last = listed.partition_point(|(id, _)| id <= ids.end());
        compare_part(db, store_id, resource, ids, &listed[first..last], listed_at)
    }))
    .await?;
    let mut comparison = Comparison::default();
    for part in compared {
        comparison.wanted.extend(part.wanted);
        comparison.gone.extend(part.gone);
    }
    Ok(comparison)
}

/// The ranges of ids a listing (in id order) is compared in: `parts` of about as many
/// listed ids each, together every id there is.
fn id_ranges(listed: &[Listed], parts: usize) -> Vec<RangeInclusive<i64>> {
    let part_size = listed.len().div_ceil(parts.max(1)).max(1);
    let starts: Vec<i64> = std::iter::once(i64::MIN)
        .chain(listed.chunks(part_size).skip(1).map(|part| part[0].0))
        .collect();
    // Each start is above the one before (the listing is in id order, without repeats).
    let ends = starts.iter().skip(1).map(|next| next - 1).chain([i64::MAX]);
    starts
        .iter()
        .zip(ends)
        .map(|(&start, end)| start..=end)
        .collect()
}

/// Walks the listing and the stored versions with ids in `ids` side by side, both in id
/// order, so that neither is held in a map: for 82,500 orders the map and the set of
/// listed ids were the worker's peak of memory.
async fn compare_part(
    db: &DatabaseConnection,
    store_id: i64,
    resource: Resource,
    ids: RangeInclusive<i64>,
    listed: &[Listed],
    listed_at: DateTime<Utc>,
) -> Result<Comparison, DbErr> {
    let mut comparison = Comparison::default();
    let mut next = listed.iter().peekable();
    each_stored_version(db, store_id, resource, ids, |id, kept| {
        while let Some((listed_id, _)) = next.next_if(|(listed_id, _)| *listed_id < id) {
            comparison.wanted.push(*listed_id);
        }
        match next.next_if(|(listed_id, _)| *listed_id == id) {
            Some((_, modified)) if kept.behind(*modified) => comparison.wanted.push(id),
            Some(_) => {}
            None if !kept.deleted && kept.synced_at < listed_at => comparison.gone.push(id),
            None => {}
        }
    })
    .await?;
    comparison.wanted.extend(next.map(|(id, _)| *id));
    Ok(comparison)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(ids: impl IntoIterator<Item = i64>) -> Vec<Listed> {
        ids.into_iter().map(|id| (id, None)).collect()
    }

    #[test]
    fn a_listing_is_compared_in_parts_that_cover_every_id_once() {
        let ids = listed([i64::MIN, 8, 9, 20, 21, 40, 41, 55, 70, i64::MAX]);
        let ranges = id_ranges(&ids, 3);
        assert_eq!(ranges, vec![i64::MIN..=20, 21..=69, 70..=i64::MAX]);
        for (id, _) in &ids {
            assert_eq!(ranges.iter().filter(|range| range.contains(id)).count(), 1);
        }
    }

    #[test]
    fn a_short_or_empty_listing_is_one_part() {
        assert_eq!(id_ranges(&listed([5]), 4), vec![i64::MIN..=i64::MAX]);
        assert_eq!(id_ranges(&[], 4), vec![i64::MIN..=i64::MAX]);
        assert_eq!(id_ranges(&listed(1..=10), 1), vec![i64::MIN..=i64::MAX]);
    }
}
