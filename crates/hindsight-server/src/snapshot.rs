//! Whole postmortems kept in memory for the insight routes (metrics,
//! patterns, similar, report, charts), which read every postmortem a caller
//! may see on each request.
//!
//! Each request reads the store's revision, a counter the database moves
//! with every change to any postmortem, whoever writes it (any replica, the
//! command line). While it stands still the cached postmortems are current;
//! when it moved, the store's id/version list says which postmortems are
//! new, changed or gone, and only those are loaded. The request's filter,
//! the caller's reader included, is then applied in memory with
//! `Filter::matches`, which the store tests hold equal to the SQL.
//!
//! Costly results are kept beside the postmortems: each published
//! postmortem's RCA verdict (lint and rubric), per version and per day since
//! overdue action items count in the rubric; and the metric facts and the
//! similarity index of the last few distinct sets of readable postmortems
//! (most callers read the same set).

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use chrono::NaiveDate;
use hindsight_core::{Postmortem, Status};
use hindsight_insight::metrics::SharedFacts;
use hindsight_insight::similar::SimilarIndex;
use hindsight_store::{Filter, Stamp, Store, StoreError};
use uuid::Uuid;

/// Similarity indexes and metric facts kept (one per distinct set of
/// readable postmortems; most callers read the same set).
const SETS_KEPT: usize = 4;

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

/// The cached postmortems at one store revision.
#[derive(Default)]
struct Cached {
    revision: Option<i64>,
    /// Every postmortem, in list order (newest incident first).
    ordered: Entries,
    by_id: Map,
}

/// The cache; one per server, shared by its requests.
#[derive(Default)]
pub struct Snapshot {
    /// Replaced whole on each change, so that a request answers from one
    /// consistent state.
    cached: RwLock<Arc<Cached>>,
    /// Held while loading, so that concurrent requests load a change once.
    loading: tokio::sync::Mutex<()>,
    /// Similarity indexes by [`fingerprint`] of their postmortems.
    indexes: Recent<Arc<SimilarIndex>>,
    /// Metric facts by [`fingerprint`] of their postmortems and verdict day.
    facts: Recent<SharedFacts>,
}

/// The last few values built, most recently used first.
struct Recent<T>(Mutex<Vec<(u64, T)>>);

impl<T> Default for Recent<T> {
    fn default() -> Self {
        Recent(Mutex::new(Vec::new()))
    }
}

impl<T: Clone> Recent<T> {
    fn get(&self, key: u64) -> Option<T> {
        let mut list = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let i = list.iter().position(|(k, _)| *k == key)?;
        let found = list.remove(i);
        let value = found.1.clone();
        list.insert(0, found);
        Some(value)
    }

    fn keep(&self, key: u64, value: T) {
        let mut list = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        list.retain(|(k, _)| *k != key);
        list.insert(0, (key, value));
        list.truncate(SETS_KEPT);
    }
}

/// Identifies a list of postmortems (ids and versions, in order) and, if
/// given, a day.
pub fn fingerprint(entries: &[Arc<Entry>], day: Option<NaiveDate>) -> u64 {
    let mut hasher = DefaultHasher::new();
    for e in entries {
        (e.pm.id, e.pm.version).hash(&mut hasher);
    }
    day.hash(&mut hasher);
    hasher.finish()
}

impl Snapshot {
    /// The postmortems matching `filter` (with its reader), current.
    pub async fn load(&self, store: &dyn Store, filter: &Filter) -> Result<Entries, StoreError> {
        let revision = store.revision().await?;
        let mut cached = self.current();
        if cached.revision != Some(revision) {
            let _loading = self.loading.lock().await;
            // Another request may have loaded it meanwhile.
            cached = self.current();
            if cached.revision != Some(revision) {
                // Read after the revision: at least as new as it.
                let stamps = store.stamps().await?;
                cached = Arc::new(refreshed(store, &cached.by_id, &stamps, revision).await?);
                *self.cached.write().unwrap_or_else(PoisonError::into_inner) = Arc::clone(&cached);
            }
        }
        Ok(cached
            .ordered
            .iter()
            .filter(|e| filter.matches(&e.pm))
            .cloned()
            .collect())
    }

    fn current(&self) -> Arc<Cached> {
        Arc::clone(&self.cached.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// The similarity index over exactly `entries`, built once per distinct set.
    pub fn similar_index(&self, entries: &[Arc<Entry>]) -> Arc<SimilarIndex> {
        let key = fingerprint(entries, None);
        if let Some(index) = self.indexes.get(key) {
            return index;
        }
        let pms: Vec<&Postmortem> = entries.iter().map(|e| &e.pm).collect();
        let index = Arc::new(SimilarIndex::build(&pms));
        self.indexes.keep(key, Arc::clone(&index));
        index
    }

    /// Facts kept under `key` (a [`fingerprint`] with the verdict day).
    pub fn facts(&self, key: u64) -> Option<SharedFacts> {
        self.facts.get(key)
    }

    pub fn keep_facts(&self, key: u64, facts: SharedFacts) {
        self.facts.keep(key, facts);
    }
}

/// The cache brought up to `stamps` (read at `revision`): the new and
/// changed postmortems loaded, the deleted ones dropped.
async fn refreshed(
    store: &dyn Store,
    map: &Map,
    stamps: &[Stamp],
    revision: i64,
) -> Result<Cached, StoreError> {
    let changed: Vec<Uuid> = stamps
        .iter()
        .filter(|s| map.get(&s.id).is_none_or(|e| e.pm.version != s.version))
        .map(|s| s.id)
        .collect();
    let mut by_id: Map = HashMap::with_capacity(stamps.len());
    for pm in store.load_ids(&changed).await? {
        by_id.insert(pm.id, Arc::new(Entry::new(pm)));
    }
    for s in stamps {
        if let Some(e) = map.get(&s.id).filter(|e| e.pm.version == s.version) {
            by_id.insert(s.id, Arc::clone(e));
        }
    }
    // A postmortem deleted between the two reads is in no list.
    let ordered = stamps
        .iter()
        .filter_map(|s| by_id.get(&s.id).cloned())
        .collect();
    Ok(Cached {
        revision: Some(revision),
        ordered,
        by_id,
    })
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
