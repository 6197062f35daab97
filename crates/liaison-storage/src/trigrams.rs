//! Which trigrams of a search to look up in the FTS5 index (SQLite only).
//!
//! A search finds the rows whose normalised `search_text` contains the query. The trigram index
//! (migration 2) answers "which rows contain all of these trigrams", and *any* subset of the
//! query's trigrams yields every row that contains the query, plus a few that have the trigrams
//! elsewhere, which the `LIKE` beside the lookup removes. So the subset is a matter of speed only.
//! A trigram such as "uni" or "ver" is in most rows of a directory of universities, and the index
//! reads its whole list of rows; a rare one ("ebr" of "debrecen") has a short list. The lookup
//! therefore asks for the rarest trigrams, spread over the query: one for every
//! [`TRIGRAMS_PER_TERM`] trigrams of it, at least three characters apart (overlapping trigrams
//! mostly occur together, so a second one beside the first hardly narrows the candidates).
//!
//! How common a trigram is comes from a sample of the table's rows (about [`SAMPLE_ROWS`], drawn
//! at random by id), taken in the background on a table's first search and again once it is
//! [`MAX_AGE`] old. Until the first sample is in, the lookup takes every third trigram, as it
//! did before. Invariant: a stale, missing or wrong sample costs speed, never a result.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::{AnyPool, Row};

const SAMPLE_ROWS: i64 = 2_000;
const MAX_AGE: Duration = Duration::from_secs(600);
/// The lookup asks for one trigram per this many trigrams of the query (at least one).
const TRIGRAMS_PER_TERM: usize = 6;

/// In how many sampled rows each trigram occurs, per searched table.
#[derive(Default)]
pub(crate) struct TrigramStats {
    tables: Mutex<HashMap<String, Sample>>,
}

#[derive(Default)]
struct Sample {
    counts: Option<Arc<HashMap<String, u32>>>,
    taken: Option<Instant>,
    in_flight: bool,
}

impl TrigramStats {
    /// The latest sample of `table` (`None` before the first), starting a new one in the
    /// background when there is none or it is old.
    fn counts(self: &Arc<Self>, pool: &AnyPool, table: &str) -> Option<Arc<HashMap<String, u32>>> {
        let mut tables = self.tables.lock().unwrap_or_else(|e| e.into_inner());
        let sample = tables.entry(table.to_string()).or_default();
        let fresh = sample.taken.is_some_and(|t| t.elapsed() < MAX_AGE);
        if !fresh && !sample.in_flight {
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                sample.in_flight = true;
                let (stats, pool, table) = (self.clone(), pool.clone(), table.to_string());
                runtime.spawn(async move {
                    let counts = take_sample(&pool, &table).await;
                    let mut tables = stats.tables.lock().unwrap_or_else(|e| e.into_inner());
                    let sample = tables.entry(table.clone()).or_default();
                    sample.in_flight = false;
                    match counts {
                        Ok(counts) => {
                            sample.counts = Some(Arc::new(counts));
                            sample.taken = Some(Instant::now());
                        }
                        // Tried again on the next search; until then the last sample serves.
                        Err(e) => tracing::debug!(table, error = %e, "trigram sample failed"),
                    }
                });
            }
        }
        sample.counts.clone()
    }
}

/// Counts, over about [`SAMPLE_ROWS`] rows drawn by id, how many contain each trigram.
async fn take_sample(pool: &AnyPool, table: &str) -> crate::StoreResult<HashMap<String, u32>> {
    let max: Option<i64> = sqlx::query(&format!("SELECT MAX(id) FROM {table}"))
        .fetch_one(pool)
        .await?
        .try_get(0)?;
    let mut counts = HashMap::new();
    let Some(max) = max else {
        return Ok(counts);
    };
    // Ids drawn at random (seeded, so the same table gives the same sample): evenly spaced ids
    // would alias with any period in how the rows were created (generated or imported in
    // cycles), and then miss a trigram in an eighth of the rows altogether.
    let mut state = max as u64;
    let ids: Vec<i64> = (0..SAMPLE_ROWS.min(max))
        .map(|_| 1 + (split_mix(&mut state) % max as u64) as i64)
        .collect();
    let rows = sqlx::query(&format!(
        "SELECT search_text FROM {table} WHERE id IN (SELECT value FROM json_each($1))"
    ))
    .bind(serde_json::to_string(&ids).unwrap_or_default())
    .fetch_all(pool)
    .await?;
    let mut seen = std::collections::HashSet::new();
    for row in rows {
        let text: String = row.try_get(0)?;
        let chars: Vec<char> = text.chars().collect();
        seen.clear();
        for window in chars.windows(3) {
            let trigram: String = window.iter().collect();
            if seen.insert(trigram.clone()) {
                *counts.entry(trigram).or_insert(0) += 1;
            }
        }
    }
    Ok(counts)
}

/// SplitMix64: a few lines of well-mixed pseudo-random numbers, enough for picking sample rows.
fn split_mix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The FTS5 query for a search of `normalized` (already normalised, three or more characters)
/// in `table`: the chosen trigrams, each a quoted string (inner quotes doubled), joined by `AND`.
pub(crate) fn fts_query(
    stats: Option<&Arc<TrigramStats>>,
    pool: &AnyPool,
    table: &str,
    normalized: &str,
) -> String {
    let counts = stats.and_then(|s| s.counts(pool, table));
    match_expression(normalized, counts.as_deref())
}

/// The FTS5 match expression for `normalized`, with `counts` (a sample) or without.
fn match_expression(normalized: &str, counts: Option<&HashMap<String, u32>>) -> String {
    let chars: Vec<char> = normalized.chars().collect();
    let trigrams: Vec<String> = chars.windows(3).map(|w| w.iter().collect()).collect();
    let chosen = match counts {
        Some(counts) => rarest_spread(&trigrams, counts),
        None => every_third(trigrams.len()),
    };
    let mut terms: Vec<String> = chosen
        .into_iter()
        .map(|i| format!("\"{}\"", trigrams[i].replace('"', "\"\"")))
        .collect();
    terms.sort();
    terms.dedup();
    terms.join(" AND ")
}

/// Positions 0, 3, 6, … and the last: every character of the query is in a chosen trigram.
fn every_third(count: usize) -> Vec<usize> {
    let last = count - 1;
    let mut positions: Vec<usize> = (0..=last).step_by(3).collect();
    if positions.last() != Some(&last) {
        positions.push(last);
    }
    positions
}

/// The positions of the rarest trigrams, one per [`TRIGRAMS_PER_TERM`], no two closer than three
/// characters (ties go to the earlier position, so the choice is deterministic).
fn rarest_spread(trigrams: &[String], counts: &HashMap<String, u32>) -> Vec<usize> {
    let wanted = trigrams.len().div_ceil(TRIGRAMS_PER_TERM);
    let mut by_rarity: Vec<usize> = (0..trigrams.len()).collect();
    by_rarity.sort_by_key(|&i| (counts.get(&trigrams[i]).copied().unwrap_or(0), i));
    let mut chosen: Vec<usize> = Vec::with_capacity(wanted);
    for i in by_rarity {
        if chosen.iter().all(|&j| i.abs_diff(j) >= 3) {
            chosen.push(i);
            if chosen.len() == wanted {
                break;
            }
        }
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trigrams(text: &str) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        chars.windows(3).map(|w| w.iter().collect()).collect()
    }

    #[test]
    fn every_third_covers_every_character() {
        assert_eq!(every_third(1), vec![0]);
        assert_eq!(every_third(4), vec![0, 3]);
        assert_eq!(every_third(5), vec![0, 3, 4]);
    }

    #[test]
    fn the_rarest_trigrams_are_chosen_apart_from_each_other() {
        let t = trigrams("debrecen university");
        let counts: HashMap<String, u32> = t
            .iter()
            .map(|g| {
                let common = [
                    "uni", "niv", "ver", "ers", "rsi", "sit", "ity", "en ", "n u",
                ];
                (
                    g.clone(),
                    if common.contains(&g.as_str()) { 900 } else { 3 },
                )
            })
            .collect();
        // 17 trigrams: three terms, the rare ones of "debrecen" first, three apart.
        let chosen: Vec<&str> = rarest_spread(&t, &counts)
            .into_iter()
            .map(|i| t[i].as_str())
            .collect();
        assert_eq!(chosen, ["deb", "rec", " un"]);
    }

    /// The invariant the module rests on, checked against SQLite's own trigram index: whichever
    /// trigrams are chosen (no sample, a true one, a wrong one), the lookup plus the `LIKE` finds
    /// exactly the rows that contain the query.
    #[test]
    fn any_choice_finds_exactly_the_rows_containing_the_query() {
        let texts = [
            "debrecen university",
            "university of debrecen",
            "technical university of debrecen (branch 2)",
            "say \"hi\" there",
            "西安交通大学 xi'an jiaotong university",
            "上海交通大学 shanghai jiao tong university",
            "100% sure_thing",
            "back\\slash college",
        ];
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'trigram')")
            .unwrap();
        for text in texts {
            conn.execute("INSERT INTO t (x) VALUES (?1)", [text])
                .unwrap();
        }
        let mut true_counts: HashMap<String, u32> = HashMap::new();
        for text in texts {
            let mut seen = std::collections::HashSet::new();
            for g in trigrams(text) {
                if seen.insert(g.clone()) {
                    *true_counts.entry(g).or_insert(0) += 1;
                }
            }
        }
        // Rare taken for common and the other way round.
        let wrong_counts: HashMap<String, u32> = true_counts
            .iter()
            .map(|(g, n)| (g.clone(), 100 - n))
            .collect();
        let queries = [
            "debrecen university",
            "versity of deb",
            "\"hi\"",
            "交通大",
            "xi'an jiao",
            "% sure_",
            "sure_thing",
            "k\\sla",
            "of debrecen (b",
            "nothing like this",
        ];
        for counts in [None, Some(&true_counts), Some(&wrong_counts)] {
            for q in queries {
                let fts = match_expression(q, counts);
                let mut found: Vec<String> = conn
                    .prepare(
                        "SELECT x FROM t WHERE t MATCH ?1 AND x LIKE ?2 ESCAPE '\\' ORDER BY x",
                    )
                    .unwrap()
                    .query_map(
                        [fts.as_str(), &liaison_domain::search::like_pattern(q)],
                        |row| row.get(0),
                    )
                    .unwrap()
                    .map(Result::unwrap)
                    .collect();
                found.sort();
                let mut expected: Vec<String> = texts
                    .iter()
                    .filter(|t| t.contains(q))
                    .map(|t| t.to_string())
                    .collect();
                expected.sort();
                assert_eq!(found, expected, "{q:?} with {fts}");
            }
        }
    }
}
