//! Rate limits, keyed by whatever is limited: the client address for sign-in attempts, the
//! API token for the REST API.
//!
//! [`KeyedLimiter`] is a token bucket in memory: each key may burst up to `per_minute` attempts
//! and is refilled at that rate. That is enough for one process; several instances behind a
//! balancer would each apply it alone. It measures elapsed time on the monotonic clock, not the
//! portal's calendar clock: a bucket refills with time that passed, whatever the date says.
//!
//! [`Limiter`] is what the doors use: that bucket, or a count shared by every instance, kept
//! in the portal's database or in Redis (`rate_limit_store`). A shared count is a fixed window
//! of one minute per key, counted by one atomic statement (an upsert, or a Redis script), so
//! two instances can never both take the last attempt; its minute is the store's own (PostgreSQL's clock, or
//! the Redis key's expiry), so instances whose clocks disagree still count in the same window;
//! on one SQLite file each process reads its own clock (on one machine, the same clock). A fixed window lets a key make up to twice its rate around
//! a minute boundary, which is what a flood limit needs; it is not a quota. Keys never hold a
//! personal value in clear: a client address is stored as a SHA-256 with the prefix and door,
//! which keeps it out of plain sight in a dump but is no secret (every IPv4 address can be tried).
//!
//! Every check takes from this instance's bucket first, so a key this instance already refuses
//! costs the shared store nothing. When the shared store cannot be reached, or does not answer
//! within [`STORE_TIMEOUT`], the check is decided by this instance's bucket alone (and says so in the log): the limit then holds per
//! instance instead of not at all, and an outage of Redis neither locks everyone out of signing
//! in nor makes each request wait. Redis is connected on first use, so an instance starts while
//! Redis is down; after a failed connection or command it is tried again [`RECONNECT_AFTER`]
//! later, not on every request.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Above this many keys, full buckets (which behave like absent ones) are dropped.
const MAX_TRACKED: usize = 10_000;

/// The longest a request waits for the shared store before it is limited by this instance alone.
pub const STORE_TIMEOUT: Duration = Duration::from_secs(1);

/// How long after a failed connection to Redis the next request tries again.
pub const RECONNECT_AFTER: Duration = Duration::from_secs(5);

/// The buckets of every key seen since start-up.
#[derive(Debug)]
pub struct KeyedLimiter<K> {
    per_minute: u32,
    buckets: Mutex<HashMap<K, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    refilled_at: Instant,
}

impl<K: Hash + Eq> KeyedLimiter<K> {
    /// A limiter allowing `per_minute` attempts a minute per key (at least 1).
    pub fn new(per_minute: u32) -> Self {
        KeyedLimiter {
            per_minute: per_minute.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one attempt from `key`'s bucket now.
    ///
    /// # Errors
    /// The whole seconds until an attempt will be allowed again (at least 1).
    pub fn check(&self, key: K) -> Result<(), u64> {
        self.check_at(key, Instant::now())
    }

    /// [`KeyedLimiter::check`] at the instant `now`.
    ///
    /// # Errors
    /// The whole seconds until an attempt will be allowed again (at least 1).
    pub fn check_at(&self, key: K, now: Instant) -> Result<(), u64> {
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        // A poisoned lock only means another request panicked mid-update; the map is still usable.
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() >= MAX_TRACKED {
            buckets.retain(|_, bucket| {
                let elapsed = now.saturating_duration_since(bucket.refilled_at);
                bucket.tokens + elapsed.as_secs_f64() * per_second < capacity
            });
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: capacity,
            refilled_at: now,
        });
        let elapsed = now
            .saturating_duration_since(bucket.refilled_at)
            .as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
        bucket.refilled_at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = ((1.0 - bucket.tokens) / per_second).ceil();
            // Bounded by 60 s / per_minute ≤ 60, so the conversion cannot overflow.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let seconds = wait.max(1.0) as u64;
            Err(seconds)
        }
    }
}

/// The limiters of the two limited doors.
#[derive(Debug)]
pub struct Limits {
    pub sign_in: Limiter,
    pub api: Limiter,
}

impl Limits {
    /// Both limiters as `config` says.
    ///
    /// # Errors
    /// As [`Limiter::new`].
    pub fn new(
        config: &crate::config::Config,
        db: &sea_orm::DatabaseConnection,
    ) -> anyhow::Result<Limits> {
        Ok(Limits {
            sign_in: Limiter::new("sign_in", config.sign_in_rate_per_minute, config, db)?,
            api: Limiter::new("api", config.api_rate_per_minute, config, db)?,
        })
    }
}

/// The configured rate limit of one door (`scope`), shared or not.
pub struct Limiter {
    scope: &'static str,
    per_minute: u32,
    /// This instance's buckets: the whole limit with the memory store, the fallback otherwise.
    local: KeyedLimiter<String>,
    store: Store,
    /// Hashed with the stored key, so a client address is not kept in clear.
    salt: String,
}

enum Store {
    Memory,
    Database(sea_orm::DatabaseConnection),
    Redis {
        client: redis::Client,
        /// The connection once made (it reconnects by itself after that), or when the last
        /// attempt to make it failed.
        connection: tokio::sync::Mutex<Connection>,
        prefix: String,
    },
}

enum Connection {
    NotYet,
    Up(redis::aio::ConnectionManager),
    FailedAt(Instant),
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let store = match self.store {
            Store::Memory => "memory",
            Store::Database(_) => "database",
            Store::Redis { .. } => "redis",
        };
        f.debug_struct("Limiter")
            .field("scope", &self.scope)
            .field("per_minute", &self.per_minute)
            .field("store", &store)
            .finish_non_exhaustive()
    }
}

/// Counts one attempt in the current minute of the database's clock; the count so far and the
/// seconds left in that minute.
const COUNT_POSTGRES: &str = "INSERT INTO rate_limit_counts (scope, bucket_key, minute, count) \
     VALUES ($1, $2, floor(extract(epoch from clock_timestamp()) / 60)::bigint, 1) \
     ON CONFLICT (scope, bucket_key, minute) DO UPDATE SET count = rate_limit_counts.count + 1 \
     RETURNING count, (60 - floor(extract(epoch from clock_timestamp()))::bigint % 60) AS left_seconds";
const COUNT_SQLITE: &str = "INSERT INTO rate_limit_counts (scope, bucket_key, minute, count) \
     VALUES (?, ?, CAST(strftime('%s', 'now') AS INTEGER) / 60, 1) \
     ON CONFLICT (scope, bucket_key, minute) DO UPDATE SET count = rate_limit_counts.count + 1 \
     RETURNING count, 60 - CAST(strftime('%s', 'now') AS INTEGER) % 60 AS left_seconds";
/// Counts one attempt in a key that expires a minute after its first: atomic in Redis.
const COUNT_REDIS: &str = "local n = redis.call('INCR', KEYS[1]) \
     if n == 1 then redis.call('EXPIRE', KEYS[1], 60) end \
     local ttl = redis.call('TTL', KEYS[1]) \
     if ttl < 0 then redis.call('EXPIRE', KEYS[1], 60) ttl = 60 end \
     return {n, ttl}";

impl Limiter {
    /// The limiter of door `scope` (`sign_in`, `api`) as `config` says.
    ///
    /// # Errors
    /// When Redis is configured and its address cannot be read (an unreachable Redis is not an
    /// error: it is connected on first use).
    pub fn new(
        scope: &'static str,
        per_minute: u32,
        config: &crate::config::Config,
        db: &sea_orm::DatabaseConnection,
    ) -> anyhow::Result<Limiter> {
        use crate::config::RateLimitStore;
        use anyhow::Context;
        let store = match config.rate_limit_store() {
            RateLimitStore::Memory => Store::Memory,
            RateLimitStore::Database => Store::Database(db.clone()),
            RateLimitStore::Redis => {
                let url = config
                    .redis_url
                    .as_deref()
                    .context("rate_limit_store = \"redis\" needs redis_url")?;
                Store::Redis {
                    client: redis::Client::open(url).context("reading redis_url")?,
                    connection: tokio::sync::Mutex::new(Connection::NotYet),
                    prefix: config.redis_key_prefix.clone(),
                }
            }
        };
        Ok(Limiter {
            scope,
            per_minute: per_minute.max(1),
            local: KeyedLimiter::new(per_minute),
            store,
            // Not a secret against the operator, who holds the store: it keeps addresses out
            // of plain sight in a shared Redis or a database dump.
            salt: format!("{}|{scope}", config.redis_key_prefix),
        })
    }

    /// Counts one attempt of `key` now.
    ///
    /// # Errors
    /// The whole seconds until an attempt will be allowed again (at least 1).
    pub async fn check(&self, key: &str) -> Result<(), u64> {
        let stored_key = || {
            use sha2::{Digest, Sha256};
            let digest = Sha256::digest(format!("{}|{key}", self.salt).as_bytes());
            crate::services::audit::to_hex(&digest[..16])
        };
        // This instance's bucket first: a key it refuses is refused by the shared count too
        // (which saw every attempt this instance saw), so a flood costs the store nothing.
        self.local.check(key.to_owned())?;
        let counted = match &self.store {
            Store::Memory => return Ok(()),
            Store::Database(db) => {
                within_timeout(count_in_database(db, self.scope, &stored_key())).await
            }
            Store::Redis {
                client,
                connection,
                prefix,
            } => {
                let redis_key = format!("{prefix}:rate:{}:{}", self.scope, stored_key());
                match redis_connection(client, connection).await {
                    Ok(up) => {
                        let counted = within_timeout(count_in_redis(up, &redis_key)).await;
                        if counted.is_err() {
                            // Redis went away after connecting: pause as after a failed
                            // connection, so requests do not each wait for it.
                            *connection.lock().await = Connection::FailedAt(Instant::now());
                        }
                        counted
                    }
                    Err(e) => Err(e),
                }
            }
        };
        match counted {
            Ok((count, _)) if count <= i64::from(self.per_minute) => Ok(()),
            Ok((_, left)) => Err(u64::try_from(left).unwrap_or(1).clamp(1, 60)),
            Err(e) => {
                // The failure itself was logged once; the pause before the next attempt is not.
                if e.downcast_ref::<Pausing>().is_none() {
                    tracing::warn!(scope = self.scope, error = %e, "shared rate-limit store unreachable; limiting this instance only");
                }
                // Already counted (and allowed) by this instance's bucket above.
                Ok(())
            }
        }
    }
}

/// Redis failed a moment ago: the request does not try again until [`RECONNECT_AFTER`].
#[derive(Debug, thiserror::Error)]
#[error("Redis was unreachable moments ago; trying again later")]
struct Pausing;

/// `count`, or an error once it has taken [`STORE_TIMEOUT`].
async fn within_timeout(
    count: impl std::future::Future<Output = anyhow::Result<(i64, i64)>>,
) -> anyhow::Result<(i64, i64)> {
    tokio::time::timeout(STORE_TIMEOUT, count)
        .await
        .map_err(|_| anyhow::anyhow!("no answer within {STORE_TIMEOUT:?}"))?
}

/// The connection to Redis: the one made before, or a new one when none was made yet or the
/// last attempt failed more than [`RECONNECT_AFTER`] ago.
async fn redis_connection(
    client: &redis::Client,
    connection: &tokio::sync::Mutex<Connection>,
) -> anyhow::Result<redis::aio::ConnectionManager> {
    // Held while connecting, so a burst of requests makes one attempt, not one each.
    let mut connection = connection.lock().await;
    match &*connection {
        Connection::Up(up) => return Ok(up.clone()),
        Connection::FailedAt(at) if at.elapsed() < RECONNECT_AFTER => {
            return Err(anyhow::Error::new(Pausing));
        }
        Connection::NotYet | Connection::FailedAt(_) => {}
    }
    let made = tokio::time::timeout(
        STORE_TIMEOUT,
        redis::aio::ConnectionManager::new(client.clone()),
    )
    .await;
    match made {
        Ok(Ok(up)) => {
            *connection = Connection::Up(up.clone());
            Ok(up)
        }
        Ok(Err(e)) => {
            *connection = Connection::FailedAt(Instant::now());
            Err(e.into())
        }
        Err(_) => {
            *connection = Connection::FailedAt(Instant::now());
            anyhow::bail!("no connection to Redis within {STORE_TIMEOUT:?}")
        }
    }
}

async fn count_in_database(
    db: &sea_orm::DatabaseConnection,
    scope: &str,
    key: &str,
) -> anyhow::Result<(i64, i64)> {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => COUNT_POSTGRES,
        _ => COUNT_SQLITE,
    };
    let row = db
        .query_one(Statement::from_sql_and_values(
            backend,
            sql,
            [scope.into(), key.into()],
        ))
        .await?
        .ok_or_else(|| anyhow::anyhow!("the count returned no row"))?;
    Ok((row.try_get("", "count")?, row.try_get("", "left_seconds")?))
}

async fn count_in_redis(
    mut connection: redis::aio::ConnectionManager,
    key: &str,
) -> anyhow::Result<(i64, i64)> {
    let (count, ttl): (i64, i64) = redis::Script::new(COUNT_REDIS)
        .key(key)
        .invoke_async(&mut connection)
        .await?;
    Ok((count, ttl))
}

/// Purges the database's past counts every `every`, for as long as the process runs.
pub fn spawn_purge(db: sea_orm::DatabaseConnection, every: std::time::Duration) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        loop {
            ticks.tick().await;
            if let Err(e) = purge_database_counts(&db).await {
                tracing::warn!(error = %e, "purging rate-limit counts failed; retried next hour");
            }
        }
    });
}

/// Deletes the database's counts of minutes that have passed (run hourly).
///
/// # Errors
/// When the database fails.
pub async fn purge_database_counts(db: &sea_orm::DatabaseConnection) -> anyhow::Result<u64> {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "DELETE FROM rate_limit_counts WHERE minute < floor(extract(epoch from clock_timestamp()) / 60)::bigint - 1"
        }
        _ => "DELETE FROM rate_limit_counts WHERE minute < CAST(strftime('%s', 'now') AS INTEGER) / 60 - 1",
    };
    let done = db.execute(Statement::from_string(backend, sql)).await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{IpAddr, Ipv4Addr};

    #[test]
    fn a_key_may_burst_its_limit_then_waits_for_the_refill() {
        let limiter = KeyedLimiter::new(3);
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check_at(1_i64, start), Ok(()));
        }
        assert_eq!(
            limiter.check_at(1, start),
            Err(20),
            "one attempt per 20 s at 3/min"
        );
        assert_eq!(
            limiter.check_at(2, start),
            Ok(()),
            "keys have their own buckets"
        );
        assert_eq!(limiter.check_at(1, start + Duration::from_secs(21)), Ok(()));
    }

    #[test]
    fn an_address_may_burst_its_limit_then_waits_for_the_refill() {
        let limiter = KeyedLimiter::new(2);
        let start = Instant::now();
        let a = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
        let b = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2));
        assert_eq!(limiter.check_at(a, start), Ok(()));
        assert_eq!(limiter.check_at(a, start), Ok(()));
        assert_eq!(
            limiter.check_at(a, start),
            Err(30),
            "one attempt per 30 s at 2/min"
        );
        assert_eq!(
            limiter.check_at(b, start),
            Ok(()),
            "addresses have their own buckets"
        );
        assert_eq!(limiter.check_at(a, start + Duration::from_secs(31)), Ok(()));
    }

    #[tokio::test]
    async fn after_redis_was_unreachable_requests_do_not_try_again_until_the_pause_is_over() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .unwrap();
        let client = redis::Client::open(format!("redis://{closed}")).unwrap();
        let connection = tokio::sync::Mutex::new(Connection::NotYet);
        assert!(redis_connection(&client, &connection).await.is_err());
        let failed_at = match &*connection.lock().await {
            Connection::FailedAt(at) => *at,
            _ => panic!("the failure is remembered"),
        };
        assert!(redis_connection(&client, &connection).await.is_err());
        match &*connection.lock().await {
            Connection::FailedAt(at) => assert_eq!(*at, failed_at, "no second attempt yet"),
            _ => panic!("still failed"),
        }
        *connection.lock().await = Connection::FailedAt(failed_at - RECONNECT_AFTER);
        assert!(redis_connection(&client, &connection).await.is_err());
        match &*connection.lock().await {
            Connection::FailedAt(at) => assert!(*at > failed_at, "tried again after the pause"),
            _ => panic!("still failed"),
        };
    }

    #[test]
    fn a_flood_of_new_keys_keeps_the_map_bounded() {
        let limiter = KeyedLimiter::new(60);
        let start = Instant::now();
        for key in 0..(MAX_TRACKED as u64 + 10) {
            let _ = limiter.check_at(key, start);
        }
        let later = start + Duration::from_secs(61);
        assert_eq!(limiter.check_at(u64::MAX, later), Ok(()));
        let tracked = limiter
            .buckets
            .lock()
            .map(|b| b.len())
            .unwrap_or(usize::MAX);
        assert!(tracked <= 2, "refilled buckets are dropped, {tracked} left");
    }
}
