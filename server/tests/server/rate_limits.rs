//! Rate limits shared by several instances: with `rate_limit_store = "database"` (PostgreSQL
//! or one SQLite file) or `"redis"`, attempts on one instance count against the others; with
//! the default in-memory store each instance counts alone.
//!
//! A shared count is a window of one clock minute. A sequence that happens to straddle the
//! turn of a minute starts afresh in the new one, so each check runs its short sequence again
//! (with a fresh key) when it did not see the limit, at most three times: an implementation
//! that does not share the count fails all three.

use crate::api::{send, token};
use crate::helpers::{client, TestApp};
use app::auth::Role;
use server::config::{Config, RateLimitStore};
use server::seed::demo;
use std::future::Future;

const LIMIT: u32 = 3;

/// Runs `sequence` (which says whether it saw the limit hold) up to three times.
async fn holds_within_a_minute<F, Fut>(what: &str, mut sequence: F)
where
    F: FnMut(u8) -> Fut,
    Fut: Future<Output = bool>,
{
    for attempt in 0..3 {
        if sequence(attempt).await {
            return;
        }
    }
    panic!("{what}: the limit did not hold across the instances");
}

/// `LIMIT` calls alternating between the instances are answered, the next one on either is 429.
async fn api_limit_is_shared(a: &TestApp, b: &TestApp) -> bool {
    let secret = token(a, demo::CONTOSO, Role::Auditor, None).await;
    for i in 0..LIMIT {
        let app = if i % 2 == 0 { a } else { b };
        let (status, _, _) = send(app, reqwest::Method::GET, "/me", &secret, None, &[]).await;
        assert_eq!(status, 200, "call {i} is within the limit");
    }
    let (first, headers, _) = send(b, reqwest::Method::GET, "/me", &secret, None, &[]).await;
    let (second, _, _) = send(a, reqwest::Method::GET, "/me", &secret, None, &[]).await;
    if first == 429 {
        let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
    }
    first == 429 && second == 429
}

fn shared(store: RateLimitStore) -> impl Fn(&mut Config) + Clone {
    move |config: &mut Config| {
        config.demo_mode = true;
        config.rate_limit_store = Some(store);
        config.api_rate_per_minute = LIMIT;
        config.sign_in_rate_per_minute = LIMIT;
    }
}

#[tokio::test]
async fn two_instances_on_one_postgresql_database_share_the_api_limit() {
    let Some(a) = TestApp::spawn_postgres_configured(shared(RateLimitStore::Database)).await else {
        return;
    };
    let b = a
        .spawn_second_configured(shared(RateLimitStore::Database))
        .await;
    holds_within_a_minute("PostgreSQL", |_| api_limit_is_shared(&a, &b)).await;
}

#[tokio::test]
async fn two_instances_on_one_sqlite_file_share_the_sign_in_limit() {
    let a = TestApp::spawn_sqlite_configured(shared(RateLimitStore::Database)).await;
    let b = a
        .spawn_second_configured(shared(RateLimitStore::Database))
        .await;
    let megan = a.account_id("Megan Bowen").await.to_string();
    holds_within_a_minute("SQLite", |attempt| {
        let megan = megan.clone();
        let (a, b) = (&a, &b);
        async move {
            // Each run comes from its own loopback address: sign-in is limited per address.
            let from: std::net::IpAddr = format!("127.0.0.{}", 10 + attempt).parse().unwrap();
            let browser = reqwest::Client::builder()
                .local_address(from)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let mut statuses = Vec::new();
            for i in 0..=LIMIT {
                let app = if i % 2 == 0 { a } else { b };
                let response = browser
                    .post(app.url("/auth/demo"))
                    .header("sec-fetch-site", "same-origin")
                    .form(&[("account", megan.as_str())])
                    .send()
                    .await
                    .unwrap();
                statuses.push(response.status().as_u16());
            }
            assert!(
                statuses[..LIMIT as usize]
                    .iter()
                    .all(|s| *s == 303 || *s == 429),
                "{statuses:?}"
            );
            statuses[..LIMIT as usize].iter().all(|s| *s == 303) && statuses[LIMIT as usize] == 429
        }
    })
    .await;
}

#[tokio::test]
async fn two_instances_using_one_redis_share_the_api_limit() {
    let prefix = format!("portal-test-{}", uuid::Uuid::new_v4());
    let with_redis = {
        let prefix = prefix.clone();
        move |config: &mut Config| {
            shared(RateLimitStore::Redis)(config);
            config.redis_url = Some("redis://127.0.0.1:6379".into());
            config.redis_key_prefix = prefix.clone();
        }
    };
    if std::env::var_os("CI").is_none() && std::net::TcpStream::connect("127.0.0.1:6379").is_err() {
        eprintln!("Redis unavailable, test skipped outside CI");
        return;
    }
    let a = TestApp::spawn_sqlite_configured(with_redis.clone()).await;
    // A second portal on its own database: only Redis joins them, so only Redis can share.
    let b = TestApp::spawn_sqlite_configured(with_redis).await;
    let secret = token(&a, demo::CONTOSO, Role::Auditor, None).await;
    // The same token id exists in both databases (each has its first token), so both count
    // the same key, as two instances of one portal would.
    let other = token(&b, demo::CONTOSO, Role::Auditor, None).await;
    holds_within_a_minute("Redis", |_| {
        let (a, b, secret, other) = (&a, &b, secret.clone(), other.clone());
        async move {
            let mut statuses = Vec::new();
            for i in 0..=LIMIT {
                let (app, secret) = if i % 2 == 0 {
                    (a, &secret)
                } else {
                    (b, &other)
                };
                statuses.push(
                    send(app, reqwest::Method::GET, "/me", secret, None, &[])
                        .await
                        .0,
                );
            }
            statuses == [200, 200, 200, 429]
        }
    })
    .await;
}

#[tokio::test]
async fn an_instance_starts_while_redis_is_down_and_then_limits_on_its_own() {
    // A port nothing listens on: bound, then released.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .unwrap();
    let app = TestApp::spawn_sqlite_configured(move |config| {
        shared(RateLimitStore::Redis)(config);
        config.redis_url = Some(format!("redis://{closed}"));
    })
    .await;
    let secret = token(&app, demo::CONTOSO, Role::Auditor, None).await;
    for i in 0..LIMIT {
        let (status, _, _) = send(&app, reqwest::Method::GET, "/me", &secret, None, &[]).await;
        assert_eq!(status, 200, "call {i} is within this instance's limit");
    }
    let (status, headers, _) = send(&app, reqwest::Method::GET, "/me", &secret, None, &[]).await;
    assert_eq!(status, 429, "the limit still holds, per instance");
    assert!(headers.contains_key("retry-after"));
}

#[tokio::test]
async fn with_the_default_memory_store_each_instance_counts_alone() {
    let a = TestApp::spawn_sqlite_configured(shared(RateLimitStore::Memory)).await;
    let b = a
        .spawn_second_configured(shared(RateLimitStore::Memory))
        .await;
    assert_eq!(Config::default().rate_limit_store(), RateLimitStore::Memory);
    let with_redis = Config {
        redis_url: Some("redis://127.0.0.1:6379".into()),
        ..Config::default()
    };
    assert_eq!(
        with_redis.rate_limit_store(),
        RateLimitStore::Redis,
        "redis_url alone selects Redis"
    );
    let secret = token(&a, demo::CONTOSO, Role::Auditor, None).await;
    for _ in 0..LIMIT {
        assert_eq!(
            send(&a, reqwest::Method::GET, "/me", &secret, None, &[])
                .await
                .0,
            200
        );
    }
    assert_eq!(
        send(&a, reqwest::Method::GET, "/me", &secret, None, &[])
            .await
            .0,
        429
    );
    assert_eq!(
        send(&b, reqwest::Method::GET, "/me", &secret, None, &[])
            .await
            .0,
        200,
        "the other instance has its own budget"
    );
    let _ = client();
}
