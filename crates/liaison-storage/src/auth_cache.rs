//! A short-lived, in-process cache of who is behind a session cookie or an API token, so that a
//! signed-in request does not spend a database round trip on the caller.
//!
//! Exactness on this node: every entry records the cache's *generation* read before its lookup
//! ran, and is used only while the generation is unchanged. The generation moves at the start of
//! every write transaction ([`Db::write`](crate::Db)) and again after the commit of every change
//! that can alter a caller (signing out, ending sessions or tokens, password changes, disabling,
//! role, scope, language or name changes, org-unit tree changes that widen or narrow a
//! coordinator's scope, anonymisation): once such a call returns, no older entry is used.
//! Entries also never outlive their session or token.
//!
//! Other processes (a second node on PostgreSQL, the CLI on SQLite) do not move this node's
//! generation: their changes reach this node within [`LIFETIME`] at most.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::SessionUser;

/// The longest an entry is trusted without looking at the database again.
pub const LIFETIME: Duration = Duration::from_secs(2);

/// Entries kept at most; when full, the cache starts over (its entries are cheap to refill).
const CAPACITY: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Credential {
    Session,
    Token,
}

struct Entry {
    user: SessionUser,
    generation: u64,
    until: Instant,
}

#[derive(Default)]
pub(crate) struct AuthCache {
    generation: AtomicU64,
    entries: Mutex<HashMap<(Credential, String), Entry>>,
}

impl AuthCache {
    /// Read before a lookup; pass it to [`AuthCache::put`] with the lookup's result.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Makes every entry stale.
    pub(crate) fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }

    pub(crate) fn get(&self, kind: Credential, token_hash: &str) -> Option<SessionUser> {
        let generation = self.generation();
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(&(kind, token_hash.to_string()))?;
        (entry.generation == generation && Instant::now() < entry.until).then(|| entry.user.clone())
    }

    /// Keeps a lookup's result; `generation` is the one read before the lookup, `expires_at` the
    /// session's or token's own end.
    pub(crate) fn put(
        &self,
        kind: Credential,
        token_hash: &str,
        user: &SessionUser,
        generation: u64,
        expires_at: Option<time::OffsetDateTime>,
    ) {
        let now = Instant::now();
        let mut until = now + LIFETIME;
        match expires_at {
            Some(end) => {
                let left = end - time::OffsetDateTime::now_utc();
                if left <= time::Duration::ZERO {
                    return;
                }
                if let Ok(left) = Duration::try_from(left) {
                    until = until.min(now + left);
                }
            }
            None => return,
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        // Checked under the lock: `invalidate` clears after moving the generation, so an entry
        // from before a change is either refused here or cleared there.
        if generation != self.generation() {
            return;
        }
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(
            (kind, token_hash.to_string()),
            Entry {
                user: user.clone(),
                generation,
                until,
            },
        );
    }
}
