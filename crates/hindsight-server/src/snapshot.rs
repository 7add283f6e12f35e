//! Whole postmortems kept in memory for the insight routes (metrics,
//! patterns, similar, report, charts), which read every postmortem a caller
//! may see on each request.
//!
//! Each request asks the store for every postmortem's id and version and
//! whether it matches the request's filter (the caller's reader included, so
//! access stays the store's decision), then loads only the postmortems that
//! are new or changed since the last request. Versions change with every
//! saved change on any replica, so a replica never serves a stale copy, and
//! deleted postmortems leave the cache.
//!
//! Two costly results are kept beside the postmortems: each published
//! postmortem's RCA verdict (lint and rubric), per version and per day since
//! overdue action items count in the rubric; and the similarity index of the
//! last few distinct sets of readable postmortems (most callers read the same
//! set).

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use chrono::NaiveDate;
use hindsight_core::{Postmortem, Status};
use hindsight_insight::similar::SimilarIndex;
use hindsight_store::{Filter, Stamp, Store, StoreError};
use uuid::Uuid;

/// Similarity indexes kept (one per distinct set of readable postmortems).
const INDEXES_KEPT: usize = 4;

/// One cached postmortem and its RCA verdict of a day.
#[derive(Debug)]
pub struct Entry {
    pub pm: Postmortem,
    verdict: Mutex<Option<(NaiveDate, bool)>>,
}

impl Entry {
    fn new(pm: Postmortem) -> Self {
        Entry {
            pm,
            verdict: Mutex::new(None),
        }
    }

    /// Whether the postmortem is published (final or closed): only those get
    /// an RCA verdict.
    pub fn is_published(&self) -> bool {
        matches!(self.pm.status, Status::Final | Status::Closed)
    }

    /// The verdict of `today`, computed by `judge` once per day.
    pub fn verdict(&self, today: NaiveDate, judge: impl FnOnce(&Postmortem) -> bool) -> bool {
        let mut slot = self.verdict.lock().unwrap_or_else(PoisonError::into_inner);
        match *slot {
            Some((day, passes)) if day == today => passes,
            _ => {
                let passes = judge(&self.pm);
                *slot = Some((today, passes));
                passes
            }
        }
    }

    /// The verdict of `today` if it was already computed.
    fn has_verdict(&self, today: NaiveDate) -> bool {
        self.verdict
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some_and(|(day, _)| day == today)
    }
}

/// The postmortems of one request, in list order (newest incident first).
pub type Entries = Vec<Arc<Entry>>;

/// Cached postmortems by id.
type Map = HashMap<Uuid, Arc<Entry>>;

/// The cache; one per server, shared by its requests.
#[derive(Default)]
pub struct Snapshot {
    /// Replaced whole on each change, so that a request answers from one map
    /// consistent with what it read from the store.
    entries: RwLock<Arc<Map>>,
    /// Held while loading, so that concurrent requests load a change once.
    loading: tokio::sync::Mutex<()>,
    /// Most recently used first: (fingerprint of the set, its index).
    indexes: Mutex<Vec<(u64, Arc<SimilarIndex>)>>,
}

impl Snapshot {
    /// The postmortems matching `filter` (with its reader), current.
    pub async fn load(&self, store: &dyn Store, filter: &Filter) -> Result<Entries, StoreError> {
        let stamps = store.stamps(filter).await?;
        let mut map = self.current();
        if is_stale(&map, &stamps) {
            let _loading = self.loading.lock().await;
            // Another request may have loaded it meanwhile.
            map = self.current();
            if is_stale(&map, &stamps) {
                map = Arc::new(refreshed(store, &map, &stamps).await?);
                *self.entries.write().unwrap_or_else(PoisonError::into_inner) = Arc::clone(&map);
            }
        }
        Ok(stamps
            .iter()
            .filter(|s| s.selected)
            .filter_map(|s| map.get(&s.id).cloned())
            .collect())
    }

    fn current(&self) -> Arc<Map> {
        Arc::clone(&self.entries.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// The similarity index over exactly `entries`, built once per distinct set.
    pub fn similar_index(&self, entries: &[Arc<Entry>]) -> Arc<SimilarIndex> {
        let mut hasher = DefaultHasher::new();
        for e in entries {
            (e.pm.id, e.pm.version).hash(&mut hasher);
        }
        let key = hasher.finish();
        let mut indexes = self.indexes.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(i) = indexes.iter().position(|(k, _)| *k == key) {
            let found = indexes.remove(i);
            let index = Arc::clone(&found.1);
            indexes.insert(0, found);
            return index;
        }
        drop(indexes);
        let pms: Vec<&Postmortem> = entries.iter().map(|e| &e.pm).collect();
        let index = Arc::new(SimilarIndex::build(&pms));
        let mut indexes = self.indexes.lock().unwrap_or_else(PoisonError::into_inner);
        indexes.insert(0, (key, Arc::clone(&index)));
        indexes.truncate(INDEXES_KEPT);
        index
    }
}

/// Whether any stamp is missing from `map` or has another version, or `map`
/// holds postmortems no longer stored.
fn is_stale(map: &Map, stamps: &[Stamp]) -> bool {
    map.len() != stamps.len()
        || stamps
            .iter()
            .any(|s| map.get(&s.id).is_none_or(|e| e.pm.version != s.version))
}

/// `map` brought up to `stamps`: the new and changed postmortems loaded, the
/// deleted ones dropped.
async fn refreshed(store: &dyn Store, map: &Map, stamps: &[Stamp]) -> Result<Map, StoreError> {
    let changed: Vec<Uuid> = stamps
        .iter()
        .filter(|s| map.get(&s.id).is_none_or(|e| e.pm.version != s.version))
        .map(|s| s.id)
        .collect();
    let fresh = store.load_ids(&changed).await?;
    let live: HashSet<Uuid> = stamps.iter().map(|s| s.id).collect();
    let mut next: Map = map
        .iter()
        .filter(|(id, _)| live.contains(id))
        .map(|(id, e)| (*id, Arc::clone(e)))
        .collect();
    for pm in fresh {
        next.insert(pm.id, Arc::new(Entry::new(pm)));
    }
    Ok(next)
}

/// Computes the missing verdicts of `today` for the published entries, off
/// the async threads (linting is the costly part of a cold cache).
pub async fn judge_all(
    entries: &[Arc<Entry>],
    today: NaiveDate,
    judge: Arc<dyn Fn(&Postmortem) -> bool + Send + Sync>,
) {
    let missing: Vec<Arc<Entry>> = entries
        .iter()
        .filter(|e| e.is_published() && !e.has_verdict(today))
        .cloned()
        .collect();
    if missing.is_empty() {
        return;
    }
    let task = tokio::task::spawn_blocking(move || {
        for e in missing {
            e.verdict(today, |pm| judge(pm));
        }
    });
    if let Err(e) = task.await {
        tracing::error!(error = %e, "computing RCA verdicts failed");
    }
}
