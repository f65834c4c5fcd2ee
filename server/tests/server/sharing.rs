//! Sharing features, consent and the disclosure engine: consent is required and recorded;
//! nothing is disclosed while a feature is off, without consent, or for a restricted field; the
//! cycle is idempotent across runs and restarts; deliveries and follow-ups are signed, retried
//! with backoff and idempotent by delivery id (checked by a receiver on loopback); new terms
//! stop covering new fields until an admin consents again; the report and its CSV.

use crate::helpers::{graph_user, import_records, on_both_databases, TestApp};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
    Statement,
};
use serde_json::Value;
use server::entities::disclosure::DeliveryStatus;
use server::entities::{
    audit_event, consent, correction_request, data_flow, disclosure, feature_terms, follow_up_task,
};
use server::outbound::OutboundPolicy;
use server::seed::demo;
use server::services::disclosures::{deliver_due, run_tenant, sign, Connector, DeliveryPolicy};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const IPHONE: &str = "d1000000-0000-4000-8000-0000000000d1";
const ZEBRA: &str = "d4000000-0000-4000-8000-0000000000d4";
const SECRET: &str = "a-shared-secret-of-some-length";

fn policy() -> DeliveryPolicy {
    DeliveryPolicy {
        retry_base_ms: 1_000,
        max_attempts: 3,
        timeout: Duration::from_millis(500),
        // The receivers of these tests listen on plain http on loopback.
        outbound: OutboundPolicy::new(vec!["127.0.0.1/32".parse().unwrap()], true),
    }
}

/// The feature's entry of the sharing overview.
async fn feature(app: &TestApp, client: &reqwest::Client, id: &str) -> Value {
    let (status, overview) = app.call(client, "sharing/overview", &[]).await;
    assert_eq!(status, 200, "{overview}");
    overview["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("no feature {id}"))
}

async fn enable(app: &TestApp, client: &reqwest::Client, id: &str, consent: bool) -> (u16, Value) {
    let f = feature(app, client, id).await;
    let version = f["version"].to_string();
    let terms = f["terms_version"].to_string();
    let mut form = vec![
        ("feature_id", id),
        ("terms_version", terms.as_str()),
        ("base_version", version.as_str()),
    ];
    if consent {
        form.push(("consent", "on"));
    }
    app.call(client, "sharing/enable", &form).await
}

async fn disable(app: &TestApp, client: &reqwest::Client, id: &str) -> (u16, Value) {
    let version = feature(app, client, id).await["version"].to_string();
    app.call(
        client,
        "sharing/disable",
        &[("feature_id", id), ("base_version", version.as_str())],
    )
    .await
}

async fn disclosures_of(app: &TestApp, feature_id: &str) -> Vec<disclosure::Model> {
    disclosure::Entity::find()
        .filter(disclosure::Column::TenantId.eq(demo::CONTOSO))
        .filter(disclosure::Column::FeatureId.eq(feature_id))
        .all(&app.db)
        .await
        .unwrap()
}

/// What a test receiver got: delivery id, whether the signature checked out, the JSON body.
#[derive(Clone, Debug)]
struct Received {
    delivery_id: String,
    signed: bool,
    body: Value,
}

#[derive(Clone, Default)]
struct Receiver {
    received: Arc<Mutex<Vec<Received>>>,
    /// Requests still to answer with 503.
    failures: Arc<Mutex<u32>>,
    /// Requests still to answer only after the connector gave up waiting (a lost response).
    slow: Arc<Mutex<u32>>,
}

async fn receive(
    State(receiver): State<Receiver>,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, String) {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let signature = header("x-portal-signature");
    let expected = format!(
        "sha256={}",
        sign(SECRET, &header("x-portal-timestamp"), &body)
    );
    receiver.received.lock().unwrap().push(Received {
        delivery_id: header("x-portal-delivery-id"),
        signed: signature == expected,
        body: serde_json::from_str(&body).unwrap_or(Value::Null),
    });
    let slow = {
        let mut slow = receiver.slow.lock().unwrap();
        let now = *slow > 0;
        *slow = slow.saturating_sub(1);
        now
    };
    if slow {
        tokio::time::sleep(Duration::from_millis(800)).await;
    }
    let mut failures = receiver.failures.lock().unwrap();
    if *failures > 0 {
        *failures -= 1;
        return (StatusCode::SERVICE_UNAVAILABLE, String::new());
    }
    (StatusCode::OK, r#"{"acknowledged":true}"#.to_owned())
}

/// Starts a receiver on loopback and returns its URL.
async fn start_receiver(receiver: Receiver) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = Router::new()
        .route("/hook", post(receive))
        .with_state(receiver);
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}/hook")
}

async fn set_endpoint(app: &TestApp, client: &reqwest::Client, recipient: &str, url: &str) {
    let (status, body) = app
        .call(
            client,
            "sharing/endpoint",
            &[
                ("recipient_id", recipient),
                ("url", url),
                ("secret", SECRET),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

/// Puts `field` of `record` under restriction: an open request that asked to restrict sharing.
async fn restrict(app: &TestApp, record: &str, field: &str) {
    let now = app.clock.now_ms();
    correction_request::ActiveModel {
        tenant_id: Set(demo::CONTOSO.into()),
        requester_account_id: Set(None),
        subject_user_id: Set(demo::ADELE.into()),
        record_kind: Set("device".into()),
        record_id: Set(record.into()),
        field: Set(field.into()),
        proposed_value: Set("CORRECTED-1".into()),
        base_version: Set(0),
        reason: Set("Wrong".into()),
        restrict_sharing: Set(true),
        status: Set(server::entities::correction_request::RequestStatus::Pending),
        received_at: Set(now),
        due_at: Set(now + 30 * 86_400_000),
        version: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
}

/// Records the Zebra disclosure of the demo tenant with a receiver that refuses the first
/// attempt, so it stays pending; returns it.
async fn pending_zebra_disclosure(
    app: &TestApp,
    receiver: &Receiver,
    connector: &Connector,
) -> disclosure::Model {
    let admin = app.client_as("Megan Bowen").await;
    *receiver.failures.lock().unwrap() = 1;
    let url = start_receiver(receiver.clone()).await;
    set_endpoint(app, &admin, "zebra", &url).await;
    run_tenant(&app.db, connector, demo::CONTOSO, app.clock.now_ms())
        .await
        .unwrap();
    let pending: Vec<disclosure::Model> = disclosures_of(app, "zebra_lifeguard_ota")
        .await
        .into_iter()
        .filter(|d| d.delivery_status.as_str() == "pending")
        .collect();
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert!(
        pending[0].fields.split(',').any(|f| f == "serial_number"),
        "{}",
        pending[0].fields
    );
    assert_eq!(
        receiver.received.lock().unwrap().len(),
        1,
        "the first attempt was refused"
    );
    pending.into_iter().next().unwrap()
}

async fn reread(app: &TestApp, id: i64) -> disclosure::Model {
    disclosure::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

/// Waits (briefly) until the receiver has got `n` payloads.
async fn received_at_least(receiver: &Receiver, n: usize) {
    for _ in 0..200 {
        if receiver.received.lock().unwrap().len() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the receiver never got payload {n}");
}

/// Writes a disclosure of `fields` of `record` to `recipient` in a given delivery state.
async fn ledger_row(
    app: &TestApp,
    record: &str,
    subject: Option<&str>,
    recipient: &str,
    feature: &str,
    fields: &str,
    status: DeliveryStatus,
) {
    disclosure::ActiveModel {
        tenant_id: Set(demo::CONTOSO.into()),
        record_kind: Set("device".into()),
        record_id: Set(record.into()),
        subject_user_id: Set(subject.map(Into::into)),
        recipient_id: Set(recipient.into()),
        feature_id: Set(feature.into()),
        fields: Set(fields.into()),
        disclosed_at: Set(app.clock.now_ms()),
        consent_id: Set(None),
        purpose: Set("test".into()),
        fingerprint: Set(format!("{recipient}-{status:?}")),
        delivery_id: Set(None),
        delivery_status: Set(status),
        attempts: Set(1),
        next_attempt_at: Set(None),
        delivered_at: Set(None),
        last_error: Set(None),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
}

on_both_databases! { demo;
    async fn turning_on_a_feature_with_a_third_party_needs_explicit_consent_which_is_recorded(app) {
        let admin = app.client_as("Megan Bowen").await;
        let (status, preview) = app.call(&admin, "sharing/preview", &[("feature_id", "teamviewer"), ("enable", "true")]).await;
        assert_eq!(status, 200, "{preview}");
        assert_eq!(preview["users"], 7, "{preview}");
        assert!(preview["terms"]["text"].as_str().unwrap().contains("TeamViewer"));
        assert_eq!(preview["flows"][0]["fields"][0], "upn");

        let (status, refused) = enable(&app, &admin, "teamviewer", false).await;
        assert_eq!(status, 422, "{refused}");
        assert_eq!(refused["Invalid"]["field"], "consent");
        assert_eq!(feature(&app, &admin, "teamviewer").await["enabled"], false);

        let (status, body) = enable(&app, &admin, "teamviewer", true).await;
        assert_eq!(status, 200, "{body}");
        let on = feature(&app, &admin, "teamviewer").await;
        assert_eq!(on["enabled"], true);
        assert_eq!(on["consent"]["granted_by"], "Megan Bowen");
        assert_eq!(on["consent"]["terms_version"], 1);
        let record = consent::Entity::find_by_id(on["consent"]["id"].as_i64().unwrap()).one(&app.db).await.unwrap().unwrap();
        assert_eq!(record.locale, "en");
        assert!(record.terms_text.contains("TeamViewer"), "the exact terms shown are kept");
        let events = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("feature.enabled"))
            .filter(audit_event::Column::TargetId.eq("teamviewer"))
            .count(&app.db).await.unwrap();
        assert_eq!(events, 1);
    }

    async fn a_feature_whose_recipients_are_all_agents_turns_on_without_consent(app) {
        let admin = app.client_as("Megan Bowen").await;
        let (status, body) = enable(&app, &admin, "windows_diagnostic_data", false).await;
        assert_eq!(status, 200, "{body}");
        let on = feature(&app, &admin, "windows_diagnostic_data").await;
        assert_eq!(on["enabled"], true);
        assert_eq!(on["consent"], Value::Null);
    }

    async fn a_stale_version_cannot_turn_a_feature_on_or_off(app) {
        let admin = app.client_as("Megan Bowen").await;
        let version = feature(&app, &admin, "teamviewer").await["version"].as_i64().unwrap();
        let stale = (version + 5).to_string();
        let form = [("feature_id", "teamviewer"), ("terms_version", "1"), ("base_version", stale.as_str()), ("consent", "on")];
        assert_eq!(app.call(&admin, "sharing/enable", &form).await.0, 409);
        let form = [("feature_id", "zebra_lifeguard_ota"), ("base_version", stale.as_str())];
        assert_eq!(app.call(&admin, "sharing/disable", &form).await.0, 409);
    }

    async fn auditors_read_the_sharing_page_and_nobody_else_changes_it(app) {
        let auditor = app.client_as("Irvin Sayers").await;
        let (status, overview) = app.call(&auditor, "sharing/overview", &[]).await;
        assert_eq!(status, 200, "{overview}");
        assert_eq!(overview["can_manage"], false);
        assert_eq!(disable(&app, &auditor, "zebra_lifeguard_ota").await.0, 403);
        for name in ["Lee Gu", "Adele Vance"] {
            let client = app.client_as(name).await;
            assert_eq!(app.call(&client, "sharing/overview", &[]).await.0, 403, "{name}");
        }
        let admin = app.client_as("Megan Bowen").await;
        assert_eq!(feature(&app, &admin, "zebra_lifeguard_ota").await["enabled"], true);
    }

    async fn the_cycle_discloses_only_under_enabled_features_and_never_twice_for_unchanged_values(app) {
        let connector = Connector::new(policy());
        let first = run_tenant(&app.db, &connector, demo::CONTOSO, app.clock.now_ms()).await.unwrap();
        assert!(first.recorded > 0, "{first:?}");
        // TeamViewer is off in the demo tenant: nothing is shared under it.
        let before_teamviewer = disclosures_of(&app, "teamviewer").await.len();
        let zebra = disclosures_of(&app, "zebra_lifeguard_ota").await;
        let latest = zebra.iter().filter(|d| d.record_id == ZEBRA).max_by_key(|d| d.id).unwrap();
        assert_eq!(latest.fields, "model,os_version,serial_number");
        assert_eq!(latest.delivery_status.as_str(), "recorded_only", "no endpoint: recorded only");
        assert!(latest.consent_id.is_some(), "under the consent in force");
        assert!(!latest.fingerprint.contains("124411614K0593"), "values are never stored");

        let total = disclosure::Entity::find().count(&app.db).await.unwrap();
        let again = run_tenant(&app.db, &connector, demo::CONTOSO, app.clock.now_ms()).await.unwrap();
        assert_eq!(again.recorded, 0, "{again:?}");
        // A restart is a new connector over the same database: still nothing new.
        let restarted = run_tenant(&app.db, &Connector::new(policy()), demo::CONTOSO, app.clock.now_ms()).await.unwrap();
        assert_eq!(restarted.recorded, 0);
        assert_eq!(disclosure::Entity::find().count(&app.db).await.unwrap(), total);
        assert_eq!(disclosures_of(&app, "teamviewer").await.len(), before_teamviewer);
        // Fabrikam has every feature off.
        let fabrikam = run_tenant(&app.db, &connector, demo::FABRIKAM, app.clock.now_ms()).await.unwrap();
        assert_eq!(fabrikam.recorded, 0);
    }

    async fn a_field_under_restriction_is_not_shared_while_its_request_is_open(app) {
        let request = correction_request::ActiveModel {
            tenant_id: Set(demo::CONTOSO.into()),
            requester_account_id: Set(None),
            subject_user_id: Set(demo::ADELE.into()),
            record_kind: Set("device".into()),
            record_id: Set(IPHONE.into()),
            field: Set("serial_number".into()),
            proposed_value: Set("F2LXK0ABCD13".into()),
            base_version: Set(0),
            reason: Set("Typo".into()),
            restrict_sharing: Set(true),
            status: Set(server::entities::correction_request::RequestStatus::Pending),
            received_at: Set(app.clock.now_ms()),
            due_at: Set(app.clock.now_ms() + 30 * 86_400_000),
            version: Set(0),
            created_at: Set(app.clock.now_ms()),
            updated_at: Set(app.clock.now_ms()),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
        let connector = Connector::new(policy());
        let summary = run_tenant(&app.db, &connector, demo::CONTOSO, app.clock.now_ms()).await.unwrap();
        assert!(summary.restricted_fields > 0, "{summary:?}");
        let ade = disclosures_of(&app, "apple_ade").await;
        let latest = ade.iter().filter(|d| d.record_id == IPHONE).max_by_key(|d| d.id).unwrap();
        assert!(!latest.fields.split(',').any(|f| f == "serial_number"), "{}", latest.fields);
        assert!(latest.fields.split(',').any(|f| f == "model"), "the other fields still flow");

        // Once the request is closed, the field flows again.
        let mut closed: correction_request::ActiveModel = request.into();
        closed.status = Set(server::entities::correction_request::RequestStatus::Rejected);
        closed.update(&app.db).await.unwrap();
        run_tenant(&app.db, &connector, demo::CONTOSO, app.clock.now_ms()).await.unwrap();
        let ade = disclosures_of(&app, "apple_ade").await;
        let latest = ade.iter().filter(|d| d.record_id == IPHONE).max_by_key(|d| d.id).unwrap();
        assert!(latest.fields.split(',').any(|f| f == "serial_number"), "{}", latest.fields);
    }

    async fn deliveries_are_signed_retried_with_backoff_and_never_duplicated(app) {
        let admin = app.client_as("Megan Bowen").await;
        let receiver = Receiver::default();
        *receiver.failures.lock().unwrap() = 1;
        *receiver.slow.lock().unwrap() = 1;
        let url = start_receiver(receiver.clone()).await;
        set_endpoint(&app, &admin, "zebra", &url).await;
        let connector = Connector::new(policy());
        let t0 = app.clock.now_ms();

        // First attempt: the receiver takes too long (it got it, we never heard back).
        let first = run_tenant(&app.db, &connector, demo::CONTOSO, t0).await.unwrap();
        assert_eq!(first.delivered, 0, "{first:?}");
        let pending: Vec<disclosure::Model> = disclosures_of(&app, "zebra_lifeguard_ota").await.into_iter().filter(|d| d.delivery_status.as_str() == "pending").collect();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].attempts, 1);
        assert_eq!(pending[0].next_attempt_at, Some(t0 + 1_000), "retried after the base delay");
        // Not yet due: nothing is sent.
        run_tenant(&app.db, &connector, demo::CONTOSO, t0 + 500).await.unwrap();
        assert_eq!(receiver.received.lock().unwrap().len(), 1);
        // Second attempt: 503, backoff doubles.
        run_tenant(&app.db, &connector, demo::CONTOSO, t0 + 1_000).await.unwrap();
        let row = disclosure::Entity::find_by_id(pending[0].id).one(&app.db).await.unwrap().unwrap();
        assert_eq!(row.attempts, 2);
        assert_eq!(row.next_attempt_at, Some(t0 + 1_000 + 2_000));
        // Third attempt: delivered.
        let last = run_tenant(&app.db, &connector, demo::CONTOSO, t0 + 3_000).await.unwrap();
        assert_eq!(last.delivered, 1, "{last:?}");
        let row = disclosure::Entity::find_by_id(pending[0].id).one(&app.db).await.unwrap().unwrap();
        assert_eq!(row.delivery_status.as_str(), "delivered");

        let received = receiver.received.lock().unwrap().clone();
        assert_eq!(received.len(), 3);
        assert!(received.iter().all(|r| r.signed), "every payload carries a valid signature");
        assert!(received.iter().all(|r| r.delivery_id == received[0].delivery_id), "one delivery id for every attempt");
        assert_eq!(Some(received[0].delivery_id.as_str()), row.delivery_id.as_deref());
        assert_eq!(received[2].body["fields"]["serial_number"], "124411614K0593");
        assert_eq!(received[2].body["record_id"], ZEBRA);
        assert_eq!(disclosures_of(&app, "zebra_lifeguard_ota").await.iter().filter(|d| d.delivery_status.as_str() == "delivered").count(), 1);
    }

    async fn a_correction_of_a_shared_field_is_followed_up_at_the_recipient_and_its_state_shows(app) {
        let admin = app.client_as("Megan Bowen").await;
        let receiver = Receiver::default();
        let url = start_receiver(receiver.clone()).await;
        set_endpoint(&app, &admin, "teamviewer", &url).await;
        let connector = Connector::new(policy());
        run_tenant(&app.db, &connector, demo::CONTOSO, app.clock.now_ms()).await.unwrap();
        receiver.received.lock().unwrap().clear();

        // TeamViewer received Diego's display name (demo ledger); once the directory shows the
        // corrected name, TeamViewer is told.
        let form = [("user_id", demo::DIEGO), ("record_id", demo::DIEGO), ("field", "display_name"), ("value", "Diego Siciliani-Rossi"), ("base_version", "0"), ("reason", "Name changed")];
        let (status, outcome) = app.call(&admin, "users/route", &form).await;
        assert_eq!(status, 200, "{outcome}");
        import_records(&app, demo::CONTOSO, &[graph_user(demo::DIEGO, "diego.siciliani@contoso.com", "Diego Siciliani-Rossi")]).await;
        let tasks = follow_up_task::Entity::find()
            .filter(follow_up_task::Column::TenantId.eq(demo::CONTOSO))
            .filter(follow_up_task::Column::Field.eq("display_name"))
            .all(&app.db).await.unwrap();
        assert_eq!(tasks.len(), 1);
        assert_eq!(tasks[0].recipient_id, "teamviewer");
        run_tenant(&app.db, &connector, demo::CONTOSO, app.clock.now_ms()).await.unwrap();
        let task = follow_up_task::Entity::find_by_id(tasks[0].id).one(&app.db).await.unwrap().unwrap();
        assert_eq!(task.status.as_str(), "acknowledged", "the receiver acknowledged it");
        let received = receiver.received.lock().unwrap().clone();
        let follow_up = received.iter().find(|r| r.body["type"] == "follow_up").unwrap();
        assert!(follow_up.signed);
        assert_eq!(follow_up.body["field"], "display_name");
        assert_eq!(follow_up.body["kind"], "notify_correction");
        assert!(!follow_up.body.to_string().contains("Rossi"), "a follow-up carries no values");
        let (_, overview) = app.call(&admin, "sharing/overview", &[]).await;
        let shown = overview["tasks"].as_array().unwrap().iter().find(|t| t["id"] == task.id).unwrap().clone();
        assert_eq!(shown["status"], "acknowledged");
    }

    async fn turning_off_stops_disclosures_keeps_history_and_asks_recipients_to_delete(app) {
        let admin = app.client_as("Megan Bowen").await;
        let receiver = Receiver::default();
        *receiver.failures.lock().unwrap() = 10;
        let url = start_receiver(receiver.clone()).await;
        set_endpoint(&app, &admin, "zebra", &url).await;
        let connector = Connector::new(policy());
        run_tenant(&app.db, &connector, demo::CONTOSO, app.clock.now_ms()).await.unwrap();
        let history = disclosures_of(&app, "zebra_lifeguard_ota").await.len();
        assert!(disclosures_of(&app, "zebra_lifeguard_ota").await.iter().any(|d| d.delivery_status.as_str() == "pending"));

        let (status, preview) = app.call(&admin, "sharing/preview", &[("feature_id", "zebra_lifeguard_ota"), ("enable", "false")]).await;
        assert_eq!(status, 200, "{preview}");
        assert_eq!(preview["devices"], 1);
        let (status, body) = disable(&app, &admin, "zebra_lifeguard_ota").await;
        assert_eq!(status, 200, "{body}");

        let after = disclosures_of(&app, "zebra_lifeguard_ota").await;
        assert_eq!(after.len(), history, "history stays");
        assert!(after.iter().all(|d| d.delivery_status.as_str() != "pending"), "undelivered disclosures are cancelled");
        let sent_before = receiver.received.lock().unwrap().len();
        run_tenant(&app.db, &connector, demo::CONTOSO, app.clock.now_ms() + 600_000).await.unwrap();
        assert_eq!(disclosures_of(&app, "zebra_lifeguard_ota").await.len(), history, "no new disclosure while off");
        let deletion = follow_up_task::Entity::find()
            .filter(follow_up_task::Column::Kind.eq("delete_at_recipient"))
            .filter(follow_up_task::Column::FeatureId.eq("zebra_lifeguard_ota"))
            .one(&app.db).await.unwrap().unwrap();
        assert_eq!(deletion.recipient_id, "zebra");
        // The receiver still fails: the deletion request is being retried, nothing else is sent.
        let received = receiver.received.lock().unwrap().clone();
        assert!(received[sent_before..].iter().all(|r| r.body["type"] == "follow_up"));
        let off = feature(&app, &admin, "zebra_lifeguard_ota").await;
        assert_eq!(off["enabled"], false);
        assert_eq!(off["consent"], Value::Null, "the consent ended");
        let action = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("feature.disabled"))
            .count(&app.db).await.unwrap();
        assert_eq!(action, 1);
    }

    async fn new_terms_stop_covering_new_fields_until_an_admin_consents_again(app) {
        let admin = app.client_as("Megan Bowen").await;
        // A release adds the IMEI to what Zebra receives: terms version 2.
        app.db.execute(Statement::from_string(app.db.get_database_backend(), "UPDATE sharing_features SET terms_version = 2 WHERE id = 'zebra_lifeguard_ota'")).await.unwrap();
        for locale in ["en", "nl"] {
            feature_terms::ActiveModel {
                feature_id: Set("zebra_lifeguard_ota".into()),
                version: Set(2),
                locale: Set(locale.into()),
                text: Set(format!("Zebra terms v2 ({locale}): serial_number, model, os_version, imei")),
            }.insert(&app.db).await.unwrap();
        }
        data_flow::ActiveModel {
            feature_id: Set("zebra_lifeguard_ota".into()),
            recipient_id: Set("zebra".into()),
            direction: Set(data_flow::FlowDirection::Outbound),
            field: Set("imei".into()),
            since_terms_version: Set(2),
            ..Default::default()
        }.insert(&app.db).await.unwrap();
        app.db.execute(Statement::from_string(app.db.get_database_backend(), "UPDATE devices SET imei = '356938035643809' WHERE id = 'd4000000-0000-4000-8000-0000000000d4'")).await.unwrap();

        let connector = Connector::new(policy());
        run_tenant(&app.db, &connector, demo::CONTOSO, app.clock.now_ms()).await.unwrap();
        let latest = disclosures_of(&app, "zebra_lifeguard_ota").await.into_iter().filter(|d| d.record_id == ZEBRA).max_by_key(|d| d.id).unwrap();
        assert!(!latest.fields.contains("imei"), "not covered by the consent: {}", latest.fields);
        let f = feature(&app, &admin, "zebra_lifeguard_ota").await;
        assert_eq!(f["consent_outdated"], true);
        let imei = f["flows"][0]["fields"].as_array().unwrap().iter().find(|x| x["name"] == "imei").unwrap().clone();
        assert_eq!(imei["covered"], false);

        // Consenting to the old terms is refused; to the new ones, accepted.
        let version = f["version"].to_string();
        let old = [("feature_id", "zebra_lifeguard_ota"), ("terms_version", "1"), ("base_version", version.as_str()), ("consent", "on")];
        assert_eq!(app.call(&admin, "sharing/enable", &old).await.0, 409);
        let new = [("feature_id", "zebra_lifeguard_ota"), ("terms_version", "2"), ("base_version", version.as_str()), ("consent", "on")];
        let (status, body) = app.call(&admin, "sharing/enable", &new).await;
        assert_eq!(status, 200, "{body}");
        let f = feature(&app, &admin, "zebra_lifeguard_ota").await;
        assert_eq!(f["consent_outdated"], false);
        assert_eq!(f["consent"]["terms_version"], 2);
        run_tenant(&app.db, &connector, demo::CONTOSO, app.clock.now_ms()).await.unwrap();
        let latest = disclosures_of(&app, "zebra_lifeguard_ota").await.into_iter().filter(|d| d.record_id == ZEBRA).max_by_key(|d| d.id).unwrap();
        assert!(latest.fields.split(',').any(|f| f == "imei"), "{}", latest.fields);
        let renewed = audit_event::Entity::find().filter(audit_event::Column::Action.eq("feature.consent_renewed")).count(&app.db).await.unwrap();
        assert_eq!(renewed, 1);
    }

    async fn endpoints_refuse_bad_urls_and_short_secrets_and_never_show_the_secret(app) {
        let admin = app.client_as("Megan Bowen").await;
        let (status, body) = app.call(&admin, "sharing/endpoint", &[("recipient_id", "zebra"), ("url", "ftp://example.com"), ("secret", SECRET)]).await;
        assert_eq!(status, 422);
        assert_eq!(body["Invalid"]["field"], "url");
        let (status, body) = app.call(&admin, "sharing/endpoint", &[("recipient_id", "zebra"), ("url", "http://127.0.0.1:9/hook"), ("secret", "short")]).await;
        assert_eq!(status, 422);
        assert_eq!(body["Invalid"]["field"], "secret");
        // A URL the test portal allows (loopback; the address policy is tested in outbound.rs).
        set_endpoint(&app, &admin, "zebra", "http://127.0.0.1:9/hook").await;
        let (_, overview) = app.call(&admin, "sharing/overview", &[]).await;
        assert!(!overview.to_string().contains(SECRET));
        let zebra = overview["endpoints"].as_array().unwrap().iter().find(|e| e["recipient_id"] == "zebra").unwrap().clone();
        assert_eq!(zebra["url"], "http://127.0.0.1:9/hook");
        let events = audit_event::Entity::find().filter(audit_event::Column::Action.eq("endpoint.set")).all(&app.db).await.unwrap();
        assert_eq!(events.len(), 1);
        assert!(!events[0].changes.contains(SECRET), "the audit record masks the secret");
    }

    async fn the_report_counts_disclosures_per_recipient_and_day_and_downloads_as_csv(app) {
        let admin = app.client_as("Megan Bowen").await;
        run_tenant(&app.db, &Connector::new(policy()), demo::CONTOSO, app.clock.now_ms()).await.unwrap();
        let (status, report) = app.call(&admin, "sharing/report", &[("filter[feature]", ""), ("filter[from]", ""), ("filter[to]", "")]).await;
        assert_eq!(status, 200, "{report}");
        assert_eq!(report["days"].as_array().unwrap().len(), 30);
        assert!(report["total"].as_u64().unwrap() > 0);
        let (status, zebra) = app.call(&admin, "sharing/report", &[("filter[feature]", "zebra_lifeguard_ota"), ("filter[from]", ""), ("filter[to]", "")]).await;
        assert_eq!(status, 200);
        assert_eq!(zebra["series"].as_array().unwrap().len(), 1);
        assert_eq!(zebra["series"][0]["recipient_name"], "Zebra Technologies");
        let (status, bad) = app.call(&admin, "sharing/report", &[("filter[feature]", ""), ("filter[from]", "2026-02-30"), ("filter[to]", "")]).await;
        assert_eq!(status, 422, "{bad}");
        assert_eq!(bad["Invalid"]["field"], "from");

        let csv = admin.get(app.url("/sharing/report.csv?feature=zebra_lifeguard_ota&lang=nl")).send().await.unwrap();
        assert_eq!(csv.status(), 200);
        let text = csv.text().await.unwrap();
        assert!(text.starts_with("Dag,Ontvanger,Verstrekkingen"), "{text}");
        assert!(text.contains("Zebra Technologies"));
        let end_user = app.client_as("Adele Vance").await;
        assert_eq!(end_user.get(app.url("/sharing/report.csv")).send().await.unwrap().status(), 403);
    }

    async fn a_disclosure_recorded_before_its_field_was_restricted_is_not_sent_after(app) {
        let receiver = Receiver::default();
        let connector = Connector::new(policy());
        let row = pending_zebra_disclosure(&app, &receiver, &connector).await;
        restrict(&app, ZEBRA, "serial_number").await;
        deliver_due(&app.db, &connector, Some(demo::CONTOSO), app.clock.now_ms() + 1_000).await.unwrap();
        assert_eq!(receiver.received.lock().unwrap().len(), 1, "the retry was not sent");
        assert_eq!(reread(&app, row.id).await.delivery_status.as_str(), "cancelled");
    }

    async fn a_field_removed_from_its_flow_after_recording_stops_the_delivery(app) {
        let receiver = Receiver::default();
        let connector = Connector::new(policy());
        let row = pending_zebra_disclosure(&app, &receiver, &connector).await;
        data_flow::Entity::delete_many()
            .filter(data_flow::Column::FeatureId.eq("zebra_lifeguard_ota"))
            .filter(data_flow::Column::Field.eq("serial_number"))
            .exec(&app.db).await.unwrap();
        deliver_due(&app.db, &connector, Some(demo::CONTOSO), app.clock.now_ms() + 1_000).await.unwrap();
        assert_eq!(receiver.received.lock().unwrap().len(), 1, "the retry was not sent");
        assert_eq!(reread(&app, row.id).await.delivery_status.as_str(), "cancelled");
    }

    async fn a_retry_that_fails_while_the_feature_is_turned_off_does_not_bring_the_disclosure_back(app) {
        let admin = app.client_as("Megan Bowen").await;
        let receiver = Receiver::default();
        let connector = Connector::new(policy());
        let row = pending_zebra_disclosure(&app, &receiver, &connector).await;
        // The second attempt outlasts the connector's timeout; the feature goes off meanwhile.
        *receiver.slow.lock().unwrap() = 1;
        let db = app.db.clone();
        let at = app.clock.now_ms() + 1_000;
        let attempt = tokio::spawn({
            let connector = connector.clone();
            async move { deliver_due(&db, &connector, Some(demo::CONTOSO), at).await }
        });
        received_at_least(&receiver, 2).await;
        let (status, body) = disable(&app, &admin, "zebra_lifeguard_ota").await;
        assert_eq!(status, 200, "{body}");
        let summary = attempt.await.unwrap().unwrap();
        assert_eq!(summary.failed, 1, "{summary:?}");
        let after = reread(&app, row.id).await;
        assert_eq!(after.delivery_status.as_str(), "cancelled", "the failed retry did not overwrite the cancellation");
        deliver_due(&app.db, &connector, Some(demo::CONTOSO), at + 600_000).await.unwrap();
        let disclosures = receiver.received.lock().unwrap().iter().filter(|r| r.body["type"] == "disclosure").count();
        assert_eq!(disclosures, 2, "nothing was sent again");
    }

    async fn a_delivery_in_flight_when_the_feature_is_turned_off_is_recorded_as_delivered_in_flight(app) {
        let admin = app.client_as("Megan Bowen").await;
        let receiver = Receiver::default();
        let connector = Connector::new(DeliveryPolicy { timeout: Duration::from_secs(5), ..policy() });
        let row = pending_zebra_disclosure(&app, &receiver, &connector).await;
        // The second attempt is slow but answered: it is on its way when the feature goes off.
        *receiver.slow.lock().unwrap() = 1;
        let db = app.db.clone();
        let at = app.clock.now_ms() + 1_000;
        let attempt = tokio::spawn({
            let connector = connector.clone();
            async move { deliver_due(&db, &connector, Some(demo::CONTOSO), at).await }
        });
        received_at_least(&receiver, 2).await;
        let (status, body) = disable(&app, &admin, "zebra_lifeguard_ota").await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(reread(&app, row.id).await.delivery_status.as_str(), "cancelled");
        let summary = attempt.await.unwrap().unwrap();
        assert_eq!(summary.delivered, 1, "{summary:?}");
        let after = reread(&app, row.id).await;
        assert_eq!(after.delivery_status.as_str(), "delivered", "the recipient has it, so the ledger says so");
        assert!(after.last_error.as_deref().is_some_and(|note| note.contains("in flight")), "{:?}", after.last_error);
        assert_eq!(after.delivered_at, Some(at));
    }

    async fn a_correction_is_followed_up_only_at_recipients_the_field_reached(app) {
        let admin = app.client_as("Megan Bowen").await;
        // TeamViewer has Diego's display name (demo ledger); Jamf's copy is still waiting,
        // Zebra's failed, Google's was cancelled: none of those three has it.
        ledger_row(&app, demo::DIEGO, Some(demo::DIEGO), "jamf", "jamf_pro", "display_name", DeliveryStatus::Pending).await;
        ledger_row(&app, demo::DIEGO, Some(demo::DIEGO), "zebra", "zebra_lifeguard_ota", "display_name", DeliveryStatus::Failed).await;
        ledger_row(&app, demo::DIEGO, Some(demo::DIEGO), "google", "managed_google_play", "display_name", DeliveryStatus::Cancelled).await;
        let form = [("user_id", demo::DIEGO), ("record_id", demo::DIEGO), ("field", "display_name"), ("value", "Diego Siciliani-Rossi"), ("base_version", "0"), ("reason", "Name changed")];
        let (status, outcome) = app.call(&admin, "users/route", &form).await;
        assert_eq!(status, 200, "{outcome}");
        import_records(&app, demo::CONTOSO, &[graph_user(demo::DIEGO, "diego.siciliani@contoso.com", "Diego Siciliani-Rossi")]).await;
        let told: Vec<String> = follow_up_task::Entity::find()
            .filter(follow_up_task::Column::Field.eq("display_name"))
            .all(&app.db).await.unwrap()
            .into_iter().map(|t| t.recipient_id).collect();
        assert_eq!(told, ["teamviewer"]);
        // The page's "received by" agrees.
        let (_, data) = app.call(&admin, "users/data", &[("user_id", demo::DIEGO)]).await;
        let name = data["user"]["fields"].as_array().unwrap().iter().find(|f| f["field"] == "display_name").unwrap();
        let names: Vec<&str> = name["received_by"].as_array().unwrap().iter().filter_map(|r| r["recipient_name"].as_str()).collect();
        assert_eq!(names, ["TeamViewer"], "{name}");
    }

    async fn who_received_my_data_is_by_person_and_counts_only_what_left(app) {
        // A delivery of a device Adele no longer holds is still hers; a cancelled one to
        // TeamViewer and a pending one to Jamf never reached anyone.
        ledger_row(&app, ZEBRA, Some(demo::ADELE), "zebra", "zebra_lifeguard_ota", "serial_number", DeliveryStatus::Delivered).await;
        ledger_row(&app, IPHONE, Some(demo::ADELE), "teamviewer", "teamviewer", "device_name", DeliveryStatus::Cancelled).await;
        ledger_row(&app, IPHONE, Some(demo::ADELE), "jamf", "jamf_pro", "device_name", DeliveryStatus::Pending).await;
        let adele = app.client_as("Adele Vance").await;
        let (status, mine) = app.call(&adele, "me/data", &[]).await;
        assert_eq!(status, 200, "{mine}");
        let received = mine["received"].as_array().unwrap();
        let names: Vec<&str> = received.iter().filter_map(|r| r["recipient_name"].as_str()).collect();
        assert!(!names.iter().any(|n| n.contains("TeamViewer") || n.contains("Jamf")), "{names:?}");
        // Named by its model only: what the device is called now is its current holder's.
        let zebra = received.iter().find(|r| r["former_device"] == true).unwrap_or_else(|| panic!("{received:?}"));
        assert_eq!(zebra["record_title"], "TC57", "{zebra}");
        assert!(zebra["fields"].as_array().unwrap().contains(&Value::from("serial_number")));
    }

    async fn a_flow_the_catalogue_no_longer_ships_is_removed_at_the_next_start(app) {
        // As if an earlier release had shipped IMEIs to Zebra.
        data_flow::ActiveModel {
            feature_id: Set("zebra_lifeguard_ota".into()),
            recipient_id: Set("zebra".into()),
            direction: Set(data_flow::FlowDirection::Outbound),
            field: Set("imei".into()),
            since_terms_version: Set(1),
            ..Default::default()
        }
        .insert(&app.db).await.unwrap();
        let shipped = data_flow::Entity::find().count(&app.db).await.unwrap();
        server::catalogue::sync(&app.db).await.unwrap();
        let left = data_flow::Entity::find()
            .filter(data_flow::Column::FeatureId.eq("zebra_lifeguard_ota"))
            .filter(data_flow::Column::Field.eq("imei"))
            .count(&app.db).await.unwrap();
        assert_eq!(left, 0, "the flow no longer shipped is gone");
        assert_eq!(data_flow::Entity::find().count(&app.db).await.unwrap(), shipped - 1, "every shipped flow stays");
        server::catalogue::sync(&app.db).await.unwrap();
        assert_eq!(data_flow::Entity::find().count(&app.db).await.unwrap(), shipped - 1, "running it again changes nothing");
    }

    async fn google_and_zebra_get_only_the_android_enterprise_devices_the_reference_names(app) {
        use server::services::disclosures::scope_counts;
        let devices = |feature: &'static str| {
            let db = app.db.clone();
            async move { scope_counts(&db, demo::CONTOSO, feature).await.unwrap().1 }
        };
        let (google, zebra) = (devices("managed_google_play").await, devices("zebra_lifeguard_ota").await);
        let add = |id: &'static str, enrollment: &'static str| {
            let db = app.db.clone();
            let now = app.clock.now_ms();
            async move {
                let mut d = server::seed::rows::device(demo::CONTOSO, id, None, "Scanner", "Zebra", "TC52", "android", "13", "corporate", now);
                d.enrollment_type = Some(enrollment.into());
                server::entities::device::Entity::insert(sea_orm::IntoActiveModel::into_active_model(d)).exec(&db).await.unwrap();
            }
        };
        // A legacy device-administrator enrollment is not Android Enterprise: neither Google
        // nor Zebra's LifeGuard OTA gets it.
        add("d9000000-0000-4000-8000-0000000000a1", "android_device_admin").await;
        assert_eq!((devices("managed_google_play").await, devices("zebra_lifeguard_ota").await), (google, zebra));
        // A corporate work profile is Android Enterprise (Google), but LifeGuard OTA takes only
        // dedicated and fully managed devices.
        add("d9000000-0000-4000-8000-0000000000a2", "android_work_profile_corporate").await;
        assert_eq!((devices("managed_google_play").await, devices("zebra_lifeguard_ota").await), (google + 1, zebra));
        add("d9000000-0000-4000-8000-0000000000a3", "android_fully_managed").await;
        assert_eq!((devices("managed_google_play").await, devices("zebra_lifeguard_ota").await), (google + 2, zebra + 1));
    }
}
