//! OpenID Connect sign-in against a mock provider whose answers each test controls: the
//! portal must accept a good ID token and refuse a tampered state, a wrong nonce, another
//! audience, an unknown tenant and a replayed answer.

use crate::helpers::{client, TestApp};
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use openidconnect::core::{
    CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreRsaPrivateSigningKey,
};
use openidconnect::{
    AdditionalClaims, Audience, EndUserName, IdToken, IdTokenClaims, IssuerUrl, JsonWebKeyId,
    LocalizedClaim, Nonce, PrivateSigningKey, StandardClaims, SubjectIdentifier,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use server::config::OidcConfig;
use server::seed::demo;
use std::sync::{Arc, Mutex};

const KEY: &str = include_str!("fixtures/oidc-test-key.pem");
const CLIENT_ID: &str = "portal-tests";

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Extra {
    tid: String,
    roles: Vec<String>,
    preferred_username: String,
}
impl AdditionalClaims for Extra {}

/// What the mock provider puts in the next ID token.
#[derive(Clone)]
struct Answer {
    subject: String,
    name: String,
    username: String,
    tid: String,
    roles: Vec<String>,
    audience: String,
    /// `None`: echo the nonce the portal sent.
    nonce: Option<String>,
}

#[derive(Clone)]
struct Mock {
    issuer: String,
    answer: Arc<Mutex<Answer>>,
    sent_nonce: Arc<Mutex<Option<String>>>,
}

fn signing_key() -> CoreRsaPrivateSigningKey {
    CoreRsaPrivateSigningKey::from_pem(KEY, Some(JsonWebKeyId::new("test-key".into()))).unwrap()
}

async fn discovery(State(mock): State<Mock>) -> Json<serde_json::Value> {
    Json(json!({
        "issuer": mock.issuer,
        "authorization_endpoint": format!("{}/authorize", mock.issuer),
        "token_endpoint": format!("{}/token", mock.issuer),
        "jwks_uri": format!("{}/jwks", mock.issuer),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    }))
}

async fn jwks() -> Json<serde_json::Value> {
    Json(json!({ "keys": [signing_key().as_verification_key()] }))
}

async fn token(State(mock): State<Mock>) -> Json<serde_json::Value> {
    let answer = mock.answer.lock().unwrap().clone();
    let nonce = answer
        .nonce
        .clone()
        .or_else(|| mock.sent_nonce.lock().unwrap().clone())
        .unwrap_or_default();
    let now = chrono::Utc::now();
    let mut name = LocalizedClaim::new();
    name.insert(None, EndUserName::new(answer.name.clone()));
    let claims = IdTokenClaims::new(
        IssuerUrl::new(mock.issuer.clone()).unwrap(),
        vec![Audience::new(answer.audience.clone())],
        now + chrono::Duration::minutes(5),
        now,
        StandardClaims::new(SubjectIdentifier::new(answer.subject.clone())).set_name(Some(name)),
        Extra {
            tid: answer.tid.clone(),
            roles: answer.roles.clone(),
            preferred_username: answer.username.clone(),
        },
    )
    .set_nonce(Some(Nonce::new(nonce)));
    let id_token = IdToken::<
        Extra,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >::new(
        claims,
        &signing_key(),
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        None,
        None,
    )
    .unwrap();
    Json(
        json!({ "access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": id_token.to_string() }),
    )
}

async fn start_mock() -> Mock {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let mock = Mock {
        issuer,
        answer: Arc::new(Mutex::new(Answer {
            subject: "megan-sub".into(),
            name: "Megan Bowen".into(),
            username: "megan.bowen@contoso.com".into(),
            tid: demo::CONTOSO.into(),
            roles: vec!["TenantAdmin".into()],
            audience: CLIENT_ID.into(),
            nonce: None,
        })),
        sent_nonce: Arc::new(Mutex::new(None)),
    };
    let router = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks", get(jwks))
        .route("/token", post(token))
        .with_state(mock.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    mock
}

async fn portal_with(mock: &Mock) -> TestApp {
    let issuer = mock.issuer.clone();
    let app = TestApp::spawn_sqlite_configured(|config| {
        config.oidc = Some(OidcConfig {
            issuer,
            client_id: CLIENT_ID.into(),
            client_secret: Some("secret".into()),
            // The mock does not check it; the portal only sends it along.
            redirect_url: "http://127.0.0.1/auth/oidc/callback".into(),
            scopes: vec!["openid".into(), "profile".into(), "email".into()],
            tenant_claim: "tid".into(),
            roles_claim: "roles".into(),
            username_claim: "preferred_username".into(),
        });
    })
    .await;
    demo::load(&app.db, app.clock.now_ms()).await.unwrap();
    app
}

/// Starts a sign-in; returns the `state` the portal sent, after telling the mock its nonce.
async fn begin(app: &TestApp, client: &reqwest::Client, mock: &Mock) -> String {
    let response = client
        .get(app.url("/auth/oidc/start?return_to=/admin/accounts"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let location = reqwest::Url::parse(
        response
            .headers()
            .get("location")
            .unwrap()
            .to_str()
            .unwrap(),
    )
    .unwrap();
    assert!(location
        .as_str()
        .starts_with(&format!("{}/authorize", mock.issuer)));
    let param = |name: &str| {
        location
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(
        param("code_challenge_method").as_deref(),
        Some("S256"),
        "PKCE is used"
    );
    assert_eq!(param("client_id").as_deref(), Some(CLIENT_ID));
    *mock.sent_nonce.lock().unwrap() = param("nonce");
    param("state").unwrap()
}

async fn come_back(app: &TestApp, client: &reqwest::Client, state: &str) -> String {
    let response = client
        .get(app.url(&format!("/auth/oidc/callback?code=the-code&state={state}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    response
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned()
}

async fn signed_in_name(app: &TestApp, client: &reqwest::Client) -> Option<String> {
    let (_, info) = app.call(client, "session", &[]).await;
    info["user"]["display_name"].as_str().map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verified_id_token_signs_the_admin_in_with_the_roles_it_carries() {
    let mock = start_mock().await;
    let app = portal_with(&mock).await;
    let client = client();
    let state = begin(&app, &client, &mock).await;
    assert_eq!(come_back(&app, &client, &state).await, "/admin/accounts");
    assert_eq!(
        signed_in_name(&app, &client).await.as_deref(),
        Some("Megan Bowen")
    );
    let (status, _) = app.call(&client, "accounts/list", &[]).await;
    assert_eq!(status, 200, "the TenantAdmin role claim made an admin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_end_user_is_linked_to_their_directory_user_on_first_sign_in() {
    let mock = start_mock().await;
    {
        let mut answer = mock.answer.lock().unwrap();
        answer.subject = "adele-sub".into();
        answer.name = "Adele V.".into();
        answer.username = "adele.vance@contoso.com".into();
        answer.roles = vec![];
    }
    let app = portal_with(&mock).await;
    let client = client();
    let state = begin(&app, &client, &mock).await;
    come_back(&app, &client, &state).await;
    let (_, info) = app.call(&client, "session", &[]).await;
    assert_eq!(info["user"]["roles"], json!(["end_user"]));
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let account = server::entities::account::Entity::find()
        .filter(server::entities::account::Column::Subject.eq("adele-sub"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account.directory_user_id.as_deref(), Some(demo::ADELE));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_answers_sign_nobody_in_and_say_why() {
    let mock = start_mock().await;
    let app = portal_with(&mock).await;
    type Tamper = fn(&mut Answer);
    let cases: [(&str, Tamper, &str); 3] = [
        (
            "a nonce the portal did not send",
            |a| a.nonce = Some("forged-nonce".into()),
            "/sign-in?error=token",
        ),
        (
            "a token for another client",
            |a| a.audience = "someone-else".into(),
            "/sign-in?error=token",
        ),
        (
            "a tenant the portal does not hold",
            |a| a.tid = "99999999-9999-4999-8999-999999999999".into(),
            "/sign-in?error=tenant",
        ),
    ];
    for (why, tamper, expected) in cases {
        let good = mock.answer.lock().unwrap().clone();
        tamper(&mut mock.answer.lock().unwrap());
        let client = client();
        let state = begin(&app, &client, &mock).await;
        assert_eq!(come_back(&app, &client, &state).await, expected, "{why}");
        assert_eq!(signed_in_name(&app, &client).await, None, "{why}");
        *mock.answer.lock().unwrap() = good;
    }
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let failed = server::entities::audit_event::Entity::find()
        .filter(server::entities::audit_event::Column::Action.eq("sign_in.failed"))
        .filter(server::entities::audit_event::Column::TenantId.eq(demo::CONTOSO))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(
        failed, 2,
        "the forged nonce and the foreign audience are on Contoso's record"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_or_replayed_state_is_refused() {
    let mock = start_mock().await;
    let app = portal_with(&mock).await;
    let client = client();
    let state = begin(&app, &client, &mock).await;
    assert_eq!(
        come_back(&app, &client, &format!("{state}x")).await,
        "/sign-in?error=state"
    );
    assert_eq!(signed_in_name(&app, &client).await, None);
    // The failed attempt used up the pending sign-in: its state cannot be replayed either.
    assert_eq!(
        come_back(&app, &client, &state).await,
        "/sign-in?error=expired"
    );
    let other_browser = crate::helpers::client();
    assert_eq!(
        come_back(&app, &other_browser, "anything").await,
        "/sign-in?error=expired"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bootstrapped_admin_takes_over_their_account_at_first_sign_in() {
    let mock = start_mock().await;
    {
        let mut answer = mock.answer.lock().unwrap();
        answer.subject = "first-admin-sub".into();
        answer.name = "First Admin".into();
        answer.username = "first.admin@contoso.com".into();
        answer.roles = vec![];
    }
    let app = portal_with(&mock).await;
    server::services::accounts::bootstrap_admin(
        &app.db,
        demo::CONTOSO,
        "First.Admin@contoso.com",
        "First Admin",
        app.clock.now_ms(),
    )
    .await
    .unwrap();
    let client = client();
    let state = begin(&app, &client, &mock).await;
    come_back(&app, &client, &state).await;
    let (status, _) = app.call(&client, "accounts/list", &[]).await;
    assert_eq!(
        status, 200,
        "the bootstrapped admin role came with the account"
    );
    assert!(server::services::accounts::bootstrap_admin(
        &app.db,
        "no-such-tenant",
        "x@contoso.com",
        "X",
        app.clock.now_ms(),
    )
    .await
    .is_err());
}
