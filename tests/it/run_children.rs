//! A run's children: what it still wants and how far they have come, with a done mark
//! written before the page that wants it (a children job can finish first) and a run of
//! thousands of parents, on both databases.

use chrono::Utc;
use woosync::sync::run_children::{self, WantedChildren};
use woosync::sync::runs::{self, RunKind};
use woosync::woo::Resource;

use crate::support::database::{Backend, TestDatabase};

const PARENTS: i64 = 3_000;

fn variations_of(parent_ids: Vec<i64>) -> Vec<WantedChildren> {
    vec![WantedChildren {
        resource: Resource::ProductVariations,
        parent_ids,
    }]
}

async fn a_run_wants_what_no_done_mark_answers(backend: Backend) {
    let test = TestDatabase::migrated(backend).await;
    let store = test.add_store("https://shop.example").await;
    let (run, _) = runs::start_run(&test.db, store, Resource::Products, RunKind::Backfill, None)
        .await
        .unwrap();
    let (other, _) = runs::start_run(&test.db, store, Resource::Orders, RunKind::Backfill, None)
        .await
        .unwrap();
    let at = Utc::now();
    let variations = Resource::ProductVariations;

    // Every parent wanted; all but parent 7 done, three variations each; parent 0 done
    // before the page that wants it is written. Another run wants parent 7's refunds.
    run_children::mark_wanted(&test.db, run.id, &variations_of((1..=PARENTS).collect()))
        .await
        .unwrap();
    let done: Vec<(i64, usize)> = (0..=PARENTS)
        .filter(|parent| *parent != 7)
        .map(|parent| (parent, 3))
        .collect();
    run_children::mark_done(&test.db, run.id, variations, &done, at)
        .await
        .unwrap();
    let refunds = vec![WantedChildren {
        resource: Resource::OrderRefunds,
        parent_ids: vec![7],
    }];
    run_children::mark_wanted(&test.db, other.id, &refunds)
        .await
        .unwrap();

    assert_eq!(
        run_children::still_wanted(&test.db, run.id).await.unwrap(),
        variations_of(vec![7])
    );
    assert!(run_children::any_wanted(&test.db, run.id).await.unwrap());
    let progress = run_children::progress(&test.db, &[run.id, other.id])
        .await
        .unwrap();
    let mine = progress[&run.id];
    assert_eq!(
        (mine.parents, mine.parents_done, mine.records),
        (PARENTS, PARENTS - 1, 3 * PARENTS)
    );
    assert_eq!(
        mine.last_done_at.map(|at| at.timestamp()),
        Some(at.timestamp())
    );
    assert_eq!(
        (
            progress[&other.id].parents,
            progress[&other.id].parents_done
        ),
        (1, 0)
    );

    // Parent 0's page is written, and parent 7's children: nothing is wanted any more.
    run_children::mark_wanted(&test.db, run.id, &variations_of(vec![0]))
        .await
        .unwrap();
    run_children::mark_done(&test.db, run.id, variations, &[(7, 2)], at)
        .await
        .unwrap();
    assert!(!run_children::any_wanted(&test.db, run.id).await.unwrap());
    assert!(
        run_children::still_wanted(&test.db, run.id)
            .await
            .unwrap()
            .is_empty()
    );
    let mine = run_children::progress(&test.db, &[run.id]).await.unwrap()[&run.id];
    assert_eq!(
        (mine.parents, mine.parents_done, mine.records),
        (PARENTS + 1, PARENTS + 1, 3 * PARENTS + 2)
    );
    assert!(run_children::any_wanted(&test.db, other.id).await.unwrap());
}

#[tokio::test]
async fn a_run_wants_what_no_done_mark_answers_on_sqlite() {
    a_run_wants_what_no_done_mark_answers(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_run_wants_what_no_done_mark_answers_on_postgres() {
    a_run_wants_what_no_done_mark_answers(Backend::Postgres).await;
}
