//! The outbound policy for recipient endpoints: inside addresses and plain http are refused
//! when saved (nothing stored, nothing audited) and again when sending (the receiver is never
//! contacted), answers are capped and time out, and endpoint URLs are only ever shown masked.

use crate::helpers::{on_both_databases, TestApp};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use server::entities::{audit_event, disclosure, recipient_endpoint};
use server::outbound::OutboundPolicy;
use server::seed::demo;
use server::services::disclosures::{run_tenant, Connector, DeliveryPolicy};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SECRET: &str = "a-shared-secret-of-some-length";

fn policy(outbound: OutboundPolicy, timeout: Duration) -> DeliveryPolicy {
    DeliveryPolicy {
        retry_base_ms: 1_000,
        max_attempts: 3,
        timeout,
        outbound,
    }
}

fn loopback() -> OutboundPolicy {
    OutboundPolicy::new(vec!["127.0.0.1/32".parse().unwrap()], true)
}

/// How a raw test receiver answers.
#[derive(Clone, Copy)]
enum Answer {
    /// 200 and a chunked body that never ends, sent as fast as it is read.
    EndlessBody,
    /// 200 and a chunked body of a few bytes every 100 ms, forever.
    Trickle,
    /// Reads the request and never answers.
    Silence,
    /// 200 with a small JSON body.
    Ok,
}

/// A receiver on loopback speaking raw HTTP/1.1; returns its port and a count of connections.
async fn raw_receiver(answer: Answer) -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let seen = connections.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buffer = vec![0_u8; 64 * 1024];
                let _ = socket.read(&mut buffer).await;
                let chunked = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                match answer {
                    Answer::EndlessBody => {
                        let _ = socket.write_all(chunked).await;
                        let chunk = format!("2000\r\n{}\r\n", "x".repeat(0x2000));
                        while socket.write_all(chunk.as_bytes()).await.is_ok() {}
                    }
                    Answer::Trickle => {
                        let _ = socket.write_all(chunked).await;
                        while socket.write_all(b"1\r\n \r\n").await.is_ok() {
                            tokio::time::sleep(Duration::from_millis(100)).await;
                        }
                    }
                    Answer::Silence => tokio::time::sleep(Duration::from_secs(120)).await,
                    Answer::Ok => {
                        let body = r#"{"acknowledged":true}"#;
                        let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
                        let _ = socket.write_all(head.as_bytes()).await;
                    }
                }
            });
        }
    });
    (port, connections)
}

/// Stores Zebra's endpoint in the demo tenant directly, past the checks of saving.
async fn store_endpoint(app: &TestApp, url: &str) {
    store_endpoint_of(app, demo::CONTOSO, "zebra", url).await;
}

/// Stores `recipient`'s endpoint in `tenant` directly, past the checks of saving.
async fn store_endpoint_of(app: &TestApp, tenant: &str, recipient: &str, url: &str) {
    recipient_endpoint::ActiveModel {
        tenant_id: Set(tenant.into()),
        recipient_id: Set(recipient.into()),
        url: Set(url.into()),
        secret: Set(SECRET.into()),
        updated_at: Set(app.clock.now_ms()),
        updated_by: Set("test".into()),
    }
    .insert(&app.db)
    .await
    .unwrap();
}

/// A receiver on loopback that answers 200 once `open` says so (at once without one), and
/// raises `reached` when first contacted; its port.
async fn signalling_receiver(
    open: Option<tokio::sync::watch::Receiver<bool>>,
    reached: Option<tokio::sync::watch::Sender<bool>>,
) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let reached = reached.map(Arc::new);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (open, reached) = (open.clone(), reached.clone());
            tokio::spawn(async move {
                let mut buffer = vec![0_u8; 64 * 1024];
                let _ = socket.read(&mut buffer).await;
                if let Some(reached) = reached {
                    let _ = reached.send(true);
                }
                if let Some(mut open) = open {
                    let _ = open.wait_for(|open| *open).await;
                }
                let body = r#"{"acknowledged":true}"#;
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(head.as_bytes()).await;
            });
        }
    });
    port
}

/// The last error of the Zebra disclosure after a cycle.
async fn zebra_error(app: &TestApp) -> Option<String> {
    disclosure::Entity::find()
        .filter(disclosure::Column::TenantId.eq(demo::CONTOSO))
        .filter(disclosure::Column::FeatureId.eq("zebra_lifeguard_ota"))
        .order_by_desc(disclosure::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .and_then(|d| d.last_error)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_portal_without_an_allowance_refuses_every_inside_address_and_stores_and_audits_nothing()
{
    let app = TestApp::spawn_sqlite_configured(|config| {
        config.demo_mode = true;
        config.outbound_allow_networks = Vec::new();
        config.outbound_allow_http = false;
    })
    .await;
    let admin = app.client_as("Megan Bowen").await;
    let endpoints = recipient_endpoint::Entity::find()
        .count(&app.db)
        .await
        .unwrap();
    let audited = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("endpoint.set"))
        .count(&app.db)
        .await
        .unwrap();
    let refused = [
        (
            "http://partner.example/hook",
            "starts with https://",
            "plain http is not allowed",
        ),
        ("https://127.0.0.1/hook", "is not allowed", "loopback"),
        ("https://[::1]/hook", "is not allowed", "IPv6 loopback"),
        ("https://10.0.0.1/hook", "is not allowed", "RFC 1918"),
        (
            "https://169.254.169.254/latest/meta-data",
            "is not allowed",
            "the metadata service",
        ),
        ("https://192.168.1.1/hook", "is not allowed", "RFC 1918"),
        (
            "https://[::ffff:127.0.0.1]/hook",
            "is not allowed",
            "IPv4-mapped loopback",
        ),
        (
            "https://0.0.0.0/hook",
            "is not allowed",
            "unspecified, reaches the local host",
        ),
        (
            "https://localhost/hook",
            "is not allowed",
            "a name that resolves to loopback",
        ),
        (
            "https://no-such-host.invalid/hook",
            "cannot be found",
            "a name that does not resolve",
        ),
        (
            "ftp://partner.example/",
            "starts with https://",
            "not a web address",
        ),
    ];
    for (url, key, why) in refused {
        let (status, body) = app
            .call(
                &admin,
                "sharing/endpoint",
                &[("recipient_id", "zebra"), ("url", url), ("secret", SECRET)],
            )
            .await;
        assert_eq!(status, 422, "{url} ({why}): {body}");
        assert_eq!(body["Invalid"]["field"], "url", "{url}: {body}");
        assert!(
            body.to_string().contains(key),
            "{url} ({why}) expected the message {key:?}: {body}"
        );
    }
    assert_eq!(
        recipient_endpoint::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        endpoints,
        "nothing stored"
    );
    let after = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("endpoint.set"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(after, audited, "nothing audited");
}

on_both_databases! { demo;
    async fn a_stored_endpoint_whose_address_is_now_refused_is_never_contacted(app) {
        let (port, connections) = raw_receiver(Answer::Ok).await;
        // http is allowed here, so what refuses these is the address: the literal before the
        // request, and the name in the connector's resolver.
        let connector = Connector::new(policy(OutboundPolicy::new(Vec::new(), true), Duration::from_secs(2)));
        store_endpoint(&app, &format!("http://127.0.0.1:{port}/hook")).await;
        let summary = run_tenant(&app.db, &connector, demo::CONTOSO, app.clock.now_ms()).await.unwrap();
        assert_eq!(summary.delivered, 0, "{summary:?}");
        assert_eq!(zebra_error(&app).await.as_deref(), Some("address not allowed"));

        recipient_endpoint::Entity::update_many()
            .col_expr(recipient_endpoint::Column::Url, sea_orm::sea_query::Expr::value(format!("http://localhost:{port}/hook")))
            .exec(&app.db).await.unwrap();
        run_tenant(&app.db, &connector, demo::CONTOSO, app.clock.now_ms() + 10_000).await.unwrap();
        assert_eq!(zebra_error(&app).await.as_deref(), Some("address not allowed"), "refused by the resolver");
        assert_eq!(connections.load(Ordering::SeqCst), 0, "the receiver saw no request");

        // The same receiver, allow-listed, is reached: the refusal above was the policy's.
        let allowed = Connector::new(policy(loopback(), Duration::from_secs(2)));
        let summary = run_tenant(&app.db, &allowed, demo::CONTOSO, app.clock.now_ms() + 60_000).await.unwrap();
        assert!(connections.load(Ordering::SeqCst) > 0, "{summary:?}");
    }

    async fn an_endless_or_slow_answer_is_cut_off_and_a_silent_receiver_times_out(app) {
        let connector = Connector::new(policy(loopback(), Duration::from_secs(1)));
        let mut later = app.clock.now_ms();
        store_endpoint(&app, "http://127.0.0.1:9/hook").await;
        for (answer, expected) in [
            (Answer::EndlessBody, "response too large"),
            (Answer::Trickle, "timeout"),
            (Answer::Silence, "timeout"),
        ] {
            let (port, _) = raw_receiver(answer).await;
            recipient_endpoint::Entity::update_many()
                .col_expr(recipient_endpoint::Column::Url, sea_orm::sea_query::Expr::value(format!("http://127.0.0.1:{port}/hook")))
                .exec(&app.db).await.unwrap();
            later += 3_600_000;
            let summary = tokio::time::timeout(Duration::from_secs(15), run_tenant(&app.db, &connector, demo::CONTOSO, later))
                .await
                .expect("the worker returns")
                .unwrap();
            assert!(summary.failed >= 1, "{expected}: {summary:?}");
            assert_eq!(zebra_error(&app).await.as_deref(), Some(expected));
        }
    }

    async fn endpoint_urls_are_shown_and_audited_masked_and_the_secret_can_change_alone(app) {
        let admin = app.client_as("Megan Bowen").await;
        let (port, _) = raw_receiver(Answer::Ok).await;
        let url = format!("http://hookuser:hookpass@127.0.0.1:{port}/hook?key=s3cr3t-key-value");
        let (status, body) = app.call(&admin, "sharing/endpoint", &[("recipient_id", "zebra"), ("url", url.as_str()), ("secret", SECRET)]).await;
        assert_eq!(status, 200, "{body}");
        let masked = format!("http://***@127.0.0.1:{port}/hook?key=***");
        let (_, overview) = app.call(&admin, "sharing/overview", &[]).await;
        let zebra = overview["endpoints"].as_array().unwrap().iter().find(|e| e["recipient_id"] == "zebra").unwrap().clone();
        assert_eq!(zebra["url"], masked.as_str());
        let page = admin.get(app.url("/sharing")).send().await.unwrap().text().await.unwrap();
        for secret in ["s3cr3t-key-value", "hookpass", "hookuser"] {
            assert!(!overview.to_string().contains(secret), "overview shows {secret}");
            assert!(!page.contains(secret), "the page shows {secret}");
        }
        assert!(page.contains(&masked), "the page shows the masked URL");
        let event = audit_event::Entity::find().filter(audit_event::Column::Action.eq("endpoint.set")).one(&app.db).await.unwrap().unwrap();
        assert!(event.changes.contains("key=***"), "{}", event.changes);
        assert!(!event.changes.contains("s3cr3t-key-value") && !event.changes.contains("hookpass"), "{}", event.changes);

        // An empty URL keeps the stored one: only the secret changes.
        let (status, body) = app.call(&admin, "sharing/endpoint", &[("recipient_id", "zebra"), ("url", ""), ("secret", "another-secret-of-enough-length")]).await;
        assert_eq!(status, 200, "{body}");
        let row = recipient_endpoint::Entity::find_by_id((demo::CONTOSO.to_owned(), "zebra".to_owned())).one(&app.db).await.unwrap().unwrap();
        assert_eq!(row.url, url);
        assert_eq!(row.secret, "another-secret-of-enough-length");
        // Removing is explicit.
        let (status, body) = app.call(&admin, "sharing/endpoint", &[("recipient_id", "zebra"), ("url", ""), ("secret", ""), ("remove", "on")]).await;
        assert_eq!(status, 200, "{body}");
        assert!(recipient_endpoint::Entity::find_by_id((demo::CONTOSO.to_owned(), "zebra".to_owned())).one(&app.db).await.unwrap().is_none());
    }

    async fn one_tenants_endpoint_that_does_not_answer_does_not_hold_up_another_tenants_delivery(app) {
        // Fabrikam turns TeamViewer on (it shares nothing in the demo data) and gets a receiver
        // that answers at once; Contoso's Zebra receiver answers only after Fabrikam's was
        // reached. Delivered one tenant after the other, Contoso (first in order) would wait for
        // Fabrikam until it timed out; side by side, both are delivered.
        let alex = app.client_as("Alex Wilber").await;
        let (status, overview) = app.call(&alex, "sharing/overview", &[]).await;
        assert_eq!(status, 200, "{overview}");
        let feature = overview["features"].as_array().unwrap().iter().find(|f| f["id"] == "teamviewer").cloned().unwrap();
        let (version, terms) = (feature["version"].to_string(), feature["terms_version"].to_string());
        let form = [("feature_id", "teamviewer"), ("terms_version", terms.as_str()), ("base_version", version.as_str()), ("consent", "on")];
        let (status, body) = app.call(&alex, "sharing/enable", &form).await;
        assert_eq!(status, 200, "{body}");

        let (open, held) = tokio::sync::watch::channel(false);
        let contoso = signalling_receiver(Some(held), None).await;
        let fabrikam = signalling_receiver(None, Some(open)).await;
        store_endpoint(&app, &format!("http://127.0.0.1:{contoso}/hook")).await;
        store_endpoint_of(&app, demo::FABRIKAM, "teamviewer", &format!("http://127.0.0.1:{fabrikam}/hook")).await;

        let connector = Connector::new(policy(loopback(), Duration::from_secs(5)));
        let later = app.clock.now_ms() + 60_000;
        let summary = tokio::time::timeout(Duration::from_secs(60), server::services::disclosures::run_cycle(&app.db, &connector, later))
            .await
            .expect("the cycle returns")
            .unwrap();
        assert_eq!(summary.failed, 0, "nobody timed out: {summary:?}");
        for (tenant, feature) in [(demo::CONTOSO, "zebra_lifeguard_ota"), (demo::FABRIKAM, "teamviewer")] {
            let delivered = disclosure::Entity::find()
                .filter(disclosure::Column::TenantId.eq(tenant))
                .filter(disclosure::Column::FeatureId.eq(feature))
                .filter(disclosure::Column::DeliveredAt.is_not_null())
                .count(&app.db)
                .await
                .unwrap();
            assert!(delivered > 0, "{tenant}'s {feature} disclosures were delivered: {summary:?}");
        }
    }
}
