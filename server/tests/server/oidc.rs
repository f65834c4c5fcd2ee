//! OpenID Connect sign-in against a mock provider whose answers each test controls: the
//! portal must accept a good ID token and refuse a tampered state, a wrong nonce, another
//! audience, an unknown tenant and a replayed answer; it must trust only what the person
//! cannot choose (the provider's object id, and an e-mail only when verified and allowed), a
//! tenant only from the provider bound to it, and roles only through the provider's role map,
//! replaced at every sign-in.

use crate::helpers::{client, TestApp};
use axum::extract::{Path, State};
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
/// The key the provider rotates to.
const NEXT_KEY: &str = include_str!("fixtures/oidc-test-key-2.pem");
const CLIENT_ID: &str = "portal-tests";

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Extra {
    tid: String,
    roles: Vec<String>,
    preferred_username: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    oid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email_verified: Option<bool>,
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
    /// The provider's immutable id of the person (Entra ID `oid`).
    object_id: Option<String>,
    email: Option<String>,
    email_verified: Option<bool>,
}

#[derive(Clone)]
struct Mock {
    issuer: String,
    answer: Arc<Mutex<Answer>>,
    sent_nonce: Arc<Mutex<Option<String>>>,
    /// Signing with, and publishing only, the next key.
    rotated: Arc<Mutex<bool>>,
}

fn signing_key(rotated: bool) -> CoreRsaPrivateSigningKey {
    if rotated {
        CoreRsaPrivateSigningKey::from_pem(NEXT_KEY, Some(JsonWebKeyId::new("next-key".into())))
            .unwrap()
    } else {
        CoreRsaPrivateSigningKey::from_pem(KEY, Some(JsonWebKeyId::new("test-key".into()))).unwrap()
    }
}

async fn discovery(State(mock): State<Mock>) -> Json<serde_json::Value> {
    Json(metadata_of(&mock.issuer))
}

/// A multi-tenant provider's metadata: each tenant has its own issuer, `<mock>/<tenant>`.
async fn tenant_discovery(
    State(mock): State<Mock>,
    Path(tenant): Path<String>,
) -> Json<serde_json::Value> {
    Json(metadata_of(&format!("{}/{tenant}", mock.issuer)))
}

fn metadata_of(issuer: &str) -> serde_json::Value {
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    })
}

async fn jwks(State(mock): State<Mock>) -> Json<serde_json::Value> {
    let rotated = *mock.rotated.lock().unwrap();
    Json(json!({ "keys": [signing_key(rotated).as_verification_key()] }))
}

async fn token(State(mock): State<Mock>) -> Json<serde_json::Value> {
    let issuer = mock.issuer.clone();
    Json(id_token_answer(&mock, &issuer))
}

async fn tenant_token(
    State(mock): State<Mock>,
    Path(tenant): Path<String>,
) -> Json<serde_json::Value> {
    Json(id_token_answer(&mock, &format!("{}/{tenant}", mock.issuer)))
}

/// The token endpoint's answer: an ID token of `issuer` with what the test asked for.
fn id_token_answer(mock: &Mock, issuer: &str) -> serde_json::Value {
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
        IssuerUrl::new(issuer.to_owned()).unwrap(),
        vec![Audience::new(answer.audience.clone())],
        now + chrono::Duration::minutes(5),
        now,
        StandardClaims::new(SubjectIdentifier::new(answer.subject.clone())).set_name(Some(name)),
        Extra {
            tid: answer.tid.clone(),
            roles: answer.roles.clone(),
            preferred_username: answer.username.clone(),
            oid: answer.object_id.clone(),
            email: answer.email.clone(),
            email_verified: answer.email_verified,
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
        &signing_key(*mock.rotated.lock().unwrap()),
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        None,
        None,
    )
    .unwrap();
    json!({ "access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": id_token.to_string() })
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
            object_id: Some(demo::MEGAN.into()),
            email: None,
            email_verified: None,
        })),
        sent_nonce: Arc::new(Mutex::new(None)),
        rotated: Arc::new(Mutex::new(false)),
    };
    let router = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks", get(jwks))
        .route("/token", post(token))
        .route(
            "/{tenant}/.well-known/openid-configuration",
            get(tenant_discovery),
        )
        .route("/{tenant}/jwks", get(jwks))
        .route("/{tenant}/token", post(tenant_token))
        .with_state(mock.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    mock
}

async fn portal_with(mock: &Mock) -> TestApp {
    portal_configured(mock, |_| {}).await
}

/// A portal signing in with the mock, bound to Contoso, whose role map also takes Entra ID
/// app-role values; `change` adjusts the provider's configuration.
async fn portal_configured(mock: &Mock, change: impl FnOnce(&mut OidcConfig)) -> TestApp {
    let mut oidc = OidcConfig::new(
        &mock.issuer,
        CLIENT_ID,
        Some("secret"),
        // The mock does not check it; the portal only sends it along.
        "http://127.0.0.1/auth/oidc/callback",
        &[demo::CONTOSO],
    );
    oidc.role_map
        .insert("TenantAdmin".into(), "tenant_admin".into());
    change(&mut oidc);
    let app = TestApp::spawn_sqlite_configured(|config| config.oidc = Some(oidc)).await;
    demo::load(&app.db, app.clock.now_ms()).await.unwrap();
    app
}

/// Starts a sign-in; returns the `state` the portal sent, after telling the mock its nonce.
async fn begin(app: &TestApp, client: &reqwest::Client, mock: &Mock) -> String {
    begin_at(app, client, mock, "", &format!("{}/authorize", mock.issuer))
        .await
        .0
}

/// Starts a sign-in with `query` added to the start address; expects to be sent to
/// `authorize`, and returns the `state` and every parameter of the address.
async fn begin_at(
    app: &TestApp,
    client: &reqwest::Client,
    mock: &Mock,
    query: &str,
    authorize: &str,
) -> (String, Vec<(String, String)>) {
    let response = client
        .get(app.url(&format!(
            "/auth/oidc/start?return_to=/admin/accounts{query}"
        )))
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
    assert!(
        location.as_str().starts_with(&format!("{authorize}?")),
        "{location} goes to {authorize}"
    );
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
    (
        param("state").unwrap(),
        location.query_pairs().into_owned().collect(),
    )
}

/// Where `/auth/oidc/start` with `query` sends the browser back to, when it refuses.
async fn start_refused(app: &TestApp, client: &reqwest::Client, query: &str) -> String {
    let response = client
        .get(app.url(&format!("/auth/oidc/start?return_to=/users{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    response.headers()["location"].to_str().unwrap().to_owned()
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
async fn an_end_user_is_linked_to_their_directory_user_by_the_providers_object_id_on_first_sign_in()
{
    let mock = start_mock().await;
    {
        let mut answer = mock.answer.lock().unwrap();
        answer.subject = "adele-sub".into();
        answer.name = "Adele V.".into();
        answer.username = "adele.vance@contoso.com".into();
        answer.object_id = Some(demo::ADELE.into());
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
async fn a_bootstrapped_admin_is_the_person_with_that_object_id_not_someone_with_their_address() {
    const FIRST_ADMIN: &str = "0b5d7c1e-1111-4222-8333-444455556666";
    let mock = start_mock().await;
    let app = portal_with(&mock).await;
    server::services::accounts::bootstrap_admin(
        &app.db,
        demo::CONTOSO,
        &FIRST_ADMIN.to_uppercase(),
        "First Admin",
        app.clock.now_ms(),
    )
    .await
    .unwrap();
    // Someone who set their name and (unverified) e-mail to the admin's: no role comes along.
    {
        let mut answer = mock.answer.lock().unwrap();
        answer.subject = "impostor-sub".into();
        answer.name = "First Admin".into();
        answer.username = "first.admin@contoso.com".into();
        answer.email = Some("first.admin@contoso.com".into());
        answer.object_id = Some("99999999-0000-4000-8000-000000000000".into());
        answer.roles = vec![];
    }
    let impostor = client();
    let state = begin(&app, &impostor, &mock).await;
    come_back(&app, &impostor, &state).await;
    let (status, _) = app.call(&impostor, "accounts/list", &[]).await;
    assert_eq!(status, 403, "a matching name or address makes no admin");
    {
        let mut answer = mock.answer.lock().unwrap();
        answer.subject = "first-admin-sub".into();
        answer.object_id = Some(FIRST_ADMIN.into());
    }
    let admin = client();
    let state = begin(&app, &admin, &mock).await;
    come_back(&app, &admin, &state).await;
    let (status, _) = app.call(&admin, "accounts/list", &[]).await;
    assert_eq!(
        status, 200,
        "the bootstrapped admin role came with the account of that object id"
    );
    assert!(server::services::accounts::bootstrap_admin(
        &app.db,
        "no-such-tenant",
        FIRST_ADMIN,
        "X",
        app.clock.now_ms(),
    )
    .await
    .is_err());
    assert!(
        server::services::accounts::bootstrap_admin(
            &app.db,
            demo::CONTOSO,
            " padded ",
            "X",
            app.clock.now_ms(),
        )
        .await
        .is_err(),
        "an object id is never padded"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bootstrapping_someone_who_signed_in_before_makes_them_admin_at_their_next_sign_in_and_nobody_else(
) {
    use server::services::accounts::{bootstrap_admin, Bootstrapped};
    // Not a directory user (not imported yet): the account has no link, only its subject.
    const OUTSIDER: &str = "0b5d7c1e-2222-4222-8333-444455556666";
    let mock = start_mock().await;
    {
        let mut answer = mock.answer.lock().unwrap();
        answer.subject = "pairwise-sub-of-the-outsider".into();
        answer.object_id = Some(OUTSIDER.into());
        answer.roles = vec![];
    }
    // The operator also links by verified e-mail, so a stored link is no proof of an object id.
    let app = portal_configured(&mock, |oidc| oidc.link_verified_email = true).await;
    let early = client();
    let state = begin(&app, &early, &mock).await;
    come_back(&app, &early, &state).await;
    assert_eq!(app.call(&early, "accounts/list", &[]).await.0, 403);

    // Mallory's provider says her e-mail is Adele's UPN (verified): she is linked to Adele.
    {
        let mut answer = mock.answer.lock().unwrap();
        answer.subject = "mallory-sub".into();
        answer.object_id = Some("99999999-0000-4000-8000-000000000000".into());
        answer.email = Some("adele.vance@contoso.com".into());
        answer.email_verified = Some(true);
    }
    let mallory = client();
    let state = begin(&app, &mallory, &mock).await;
    come_back(&app, &mallory, &state).await;
    assert_eq!(
        account_of(&app, "mallory-sub")
            .await
            .directory_user_id
            .as_deref(),
        Some(demo::ADELE)
    );

    let now = app.clock.now_ms();
    assert_eq!(
        bootstrap_admin(
            &app.db,
            demo::CONTOSO,
            &OUTSIDER.to_uppercase(),
            "Outsider",
            now
        )
        .await
        .unwrap(),
        Bootstrapped::Waiting
    );
    assert_eq!(
        bootstrap_admin(&app.db, demo::CONTOSO, OUTSIDER, "Outsider", now)
            .await
            .unwrap(),
        Bootstrapped::Unchanged,
        "a repeat makes no second waiting account"
    );
    assert_eq!(
        bootstrap_admin(&app.db, demo::CONTOSO, demo::ADELE, "Adele", now)
            .await
            .unwrap(),
        Bootstrapped::Waiting
    );

    // Mallory signs in again: the role waiting for Adele's object id is not hers.
    let mallory = client();
    let state = begin(&app, &mallory, &mock).await;
    come_back(&app, &mallory, &state).await;
    assert_eq!(
        app.call(&mallory, "accounts/list", &[]).await.0,
        403,
        "a link made by e-mail is not an object id"
    );

    // The outsider's next sign-in (the token still carries no role) takes the waiting role over.
    {
        let mut answer = mock.answer.lock().unwrap();
        answer.subject = "pairwise-sub-of-the-outsider".into();
        answer.object_id = Some(OUTSIDER.into());
        answer.email = None;
        answer.email_verified = None;
    }
    let again = client();
    let state = begin(&app, &again, &mock).await;
    come_back(&app, &again, &state).await;
    assert_eq!(app.call(&again, "accounts/list", &[]).await.0, 200);
    let once_more = client();
    let state = begin(&app, &once_more, &mock).await;
    come_back(&app, &once_more, &state).await;
    assert_eq!(
        app.call(&once_more, "accounts/list", &[]).await.0,
        200,
        "the provider's roles do not replace it"
    );
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let waiting = server::entities::account::Entity::find()
        .filter(server::entities::account::Column::Subject.eq(format!("pending:{OUTSIDER}")))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(waiting, 0, "the waiting account is gone once taken over");
}

/// The account of the mock's subject, read from the database.
async fn account_of(app: &TestApp, subject: &str) -> server::entities::account::Model {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    server::entities::account::Entity::find()
        .filter(server::entities::account::Column::Subject.eq(subject))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_username_or_an_unverified_email_that_names_a_directory_user_links_nobody_to_them() {
    let mock = start_mock().await;
    {
        // A brand-new identity that set its name and e-mail to Adele's, with no object id of
        // hers: the "nOAuth" takeover.
        let mut answer = mock.answer.lock().unwrap();
        answer.subject = "mallory-sub".into();
        answer.name = "Adele Vance".into();
        answer.username = "adele.vance@contoso.com".into();
        answer.email = Some("adele.vance@contoso.com".into());
        answer.email_verified = Some(false);
        answer.object_id = None;
        answer.roles = vec![];
    }
    let app = portal_with(&mock).await;
    let mallory = client();
    let state = begin(&app, &mallory, &mock).await;
    come_back(&app, &mallory, &state).await;
    let (_, info) = app.call(&mallory, "session", &[]).await;
    assert_eq!(info["user"]["roles"], json!([]), "no end-user role");
    assert_eq!(
        account_of(&app, "mallory-sub").await.directory_user_id,
        None
    );
    let (status, _) = app.call(&mallory, "me/data", &[]).await;
    assert_ne!(status, 200, "nobody's data is shown");

    // Even a verified e-mail links only where the operator allowed it for this provider.
    mock.answer.lock().unwrap().email_verified = Some(true);
    mock.answer.lock().unwrap().subject = "verified-sub".into();
    let verified = client();
    let state = begin(&app, &verified, &mock).await;
    come_back(&app, &verified, &state).await;
    assert_eq!(
        account_of(&app, "verified-sub").await.directory_user_id,
        None
    );

    let trusting = portal_configured(&mock, |oidc| oidc.link_verified_email = true).await;
    mock.answer.lock().unwrap().email_verified = Some(false);
    mock.answer.lock().unwrap().subject = "unverified-sub".into();
    let unverified = client();
    let state = begin(&trusting, &unverified, &mock).await;
    come_back(&trusting, &unverified, &state).await;
    assert_eq!(
        account_of(&trusting, "unverified-sub")
            .await
            .directory_user_id,
        None,
        "linking by e-mail needs email_verified"
    );
    mock.answer.lock().unwrap().email_verified = Some(true);
    mock.answer.lock().unwrap().subject = "verified-sub".into();
    let verified = client();
    let state = begin(&trusting, &verified, &mock).await;
    come_back(&trusting, &verified, &state).await;
    assert_eq!(
        account_of(&trusting, "verified-sub")
            .await
            .directory_user_id
            .as_deref(),
        Some(demo::ADELE),
        "a verified e-mail links where the operator allowed it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_directory_user_has_at_most_one_account_per_provider() {
    let mock = start_mock().await;
    {
        let mut answer = mock.answer.lock().unwrap();
        answer.subject = "adele-sub".into();
        answer.object_id = Some(demo::ADELE.into());
        answer.roles = vec![];
    }
    let app = portal_with(&mock).await;
    let first = client();
    let state = begin(&app, &first, &mock).await;
    come_back(&app, &first, &state).await;
    mock.answer.lock().unwrap().subject = "adele-second-sub".into();
    let second = client();
    let state = begin(&app, &second, &mock).await;
    assert_eq!(
        come_back(&app, &second, &state).await,
        "/sign-in?error=taken"
    );
    assert_eq!(signed_in_name(&app, &second).await, None);
    // The refusal names the account that holds the link, so an admin can find it.
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let refusal = server::entities::audit_event::Entity::find()
        .filter(server::entities::audit_event::Column::Action.eq("sign_in.failed"))
        .order_by_desc(server::entities::audit_event::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("the refusal is recorded");
    let holder = account_of(&app, "adele-sub").await.id;
    assert!(
        refusal
            .reason
            .as_deref()
            .unwrap_or_default()
            .contains(&format!("account {holder}")),
        "{:?}",
        refusal.reason
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_speaks_only_for_the_tenants_it_is_bound_to() {
    let mock = start_mock().await;
    {
        // Fabrikam is a tenant of this portal, but this provider is bound to Contoso only.
        let mut answer = mock.answer.lock().unwrap();
        answer.tid = demo::FABRIKAM.into();
        answer.subject = "fabrikam-admin-sub".into();
        answer.object_id = Some(demo::FAB_ADMIN.into());
    }
    let app = portal_with(&mock).await;
    let client = client();
    let state = begin(&app, &client, &mock).await;
    assert_eq!(
        come_back(&app, &client, &state).await,
        "/sign-in?error=tenant"
    );
    assert_eq!(signed_in_name(&app, &client).await, None);
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let failed = server::entities::audit_event::Entity::find()
        .filter(server::entities::audit_event::Column::Action.eq("sign_in.failed"))
        .filter(server::entities::audit_event::Column::TenantId.eq(demo::FABRIKAM))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(failed, 1, "the refusal is on Fabrikam's record");
    let accounts = server::entities::account::Entity::find()
        .filter(server::entities::account::Column::Subject.eq("fabrikam-admin-sub"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(accounts, 0, "no account was made");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_providers_roles_come_only_through_its_role_map_and_replace_what_it_granted_before() {
    let mock = start_mock().await;
    mock.answer.lock().unwrap().roles = vec![
        "TenantAdmin".into(),
        "auditor".into(),
        // Neither is in the role map: no prefix or spelling is guessed.
        "Crm.Auditor".into(),
        "SupportReviewer".into(),
    ];
    let app = portal_with(&mock).await;
    let megan = client();
    let state = begin(&app, &megan, &mock).await;
    come_back(&app, &megan, &state).await;
    let (_, info) = app.call(&megan, "session", &[]).await;
    assert_eq!(info["user"]["roles"], json!(["tenant_admin", "auditor"]));
    let account = account_of(&app, "megan-sub").await;
    let id = account.id.to_string();

    // A role the provider granted is changed at the provider, not here.
    let (status, _) = app
        .call(
            &megan,
            "accounts/revoke",
            &[("account_id", &id), ("role", "auditor")],
        )
        .await;
    assert_eq!(
        status, 422,
        "a provider's role is not revoked in the portal"
    );
    // One granted in the portal stays the portal's.
    let (status, _) = app
        .call(
            &megan,
            "accounts/grant",
            &[("account_id", &id), ("role", "support_reviewer")],
        )
        .await;
    assert_eq!(status, 200);

    // The provider no longer grants auditor: gone at the next sign-in; the portal's stays.
    mock.answer.lock().unwrap().roles = vec!["TenantAdmin".into()];
    let again = client();
    let state = begin(&app, &again, &mock).await;
    come_back(&app, &again, &state).await;
    let (_, info) = app.call(&again, "session", &[]).await;
    assert_eq!(
        info["user"]["roles"],
        json!(["tenant_admin", "support_reviewer"])
    );
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let revoked = server::entities::audit_event::Entity::find()
        .filter(server::entities::audit_event::Column::Action.eq("role.revoked"))
        .filter(server::entities::audit_event::Column::TargetId.eq(id.clone()))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(revoked, 1, "the removal is on the record");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_signed_with_a_key_the_provider_rotated_to_is_verified_after_reading_its_keys_again(
) {
    let mock = start_mock().await;
    let app = portal_with(&mock).await;
    let before = client();
    let state = begin(&app, &before, &mock).await;
    come_back(&app, &before, &state).await;
    assert_eq!(
        signed_in_name(&app, &before).await.as_deref(),
        Some("Megan Bowen")
    );
    // The provider now signs with a key the portal's cached set does not hold.
    *mock.rotated.lock().unwrap() = true;
    let after = client();
    let state = begin(&app, &after, &mock).await;
    assert_eq!(come_back(&app, &after, &state).await, "/admin/accounts");
    assert_eq!(
        signed_in_name(&app, &after).await.as_deref(),
        Some("Megan Bowen"),
        "the new key was fetched and the token verified"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_made_by_e_mail_before_links_followed_the_object_id_is_removed_at_the_next_sign_in()
{
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
    let mock = start_mock().await;
    let app = portal_with(&mock).await;
    // As the portal linked accounts before: Mallory's account, found by the e-mail she chose,
    // holds Adele's directory user and the end-user role that came with it.
    let legacy = server::entities::account::ActiveModel {
        tenant_id: Set(demo::CONTOSO.into()),
        issuer: Set(mock.issuer.clone()),
        subject: Set("mallory-sub".into()),
        display_name: Set("Adele Vance".into()),
        email: Set(Some("adele.vance@contoso.com".into())),
        directory_user_id: Set(Some(demo::ADELE.into())),
        created_at: Set(0),
        last_sign_in_at: Set(None),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    server::entities::role_assignment::ActiveModel {
        account_id: Set(legacy.id),
        role: Set("end_user".into()),
        tenant_id: Set(demo::CONTOSO.into()),
        granted_by: Set("identity provider".into()),
        granted_at: Set(0),
        from_provider: Set(true),
    }
    .insert(&app.db)
    .await
    .unwrap();
    {
        let mut answer = mock.answer.lock().unwrap();
        answer.subject = "mallory-sub".into();
        answer.username = "adele.vance@contoso.com".into();
        answer.object_id = None;
        answer.roles = vec![];
    }
    let mallory = client();
    let state = begin(&app, &mallory, &mock).await;
    come_back(&app, &mallory, &state).await;
    let (_, info) = app.call(&mallory, "session", &[]).await;
    assert_eq!(
        info["user"]["roles"],
        json!([]),
        "the end-user role went with the link"
    );
    assert_eq!(
        account_of(&app, "mallory-sub").await.directory_user_id,
        None
    );
    let relinked = server::entities::audit_event::Entity::find()
        .filter(server::entities::audit_event::Column::Action.eq("account.linked"))
        .filter(server::entities::audit_event::Column::TargetId.eq(legacy.id.to_string()))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(relinked, 1, "the removed link is on the record");
}

/// A portal with two providers: `contoso` (the mock `a`, e-mail domain contoso.com) and
/// `fabrikam` (the mock `b`, fabrikam.com), each bound to its own tenant.
async fn portal_with_two(a: &Mock, b: &Mock) -> TestApp {
    let provider = |mock: &Mock, id: &str, tenant: &str, domain: &str| {
        let mut oidc = OidcConfig::new(
            &mock.issuer,
            CLIENT_ID,
            Some("secret"),
            "http://127.0.0.1/auth/oidc/callback",
            &[tenant],
        );
        oidc.id = id.into();
        oidc.label = Some(format!("{id} sign-in"));
        oidc.domains.insert(domain.into(), tenant.into());
        oidc.role_map
            .insert("TenantAdmin".into(), "tenant_admin".into());
        oidc
    };
    let providers = vec![
        provider(a, "contoso", demo::CONTOSO, "contoso.com"),
        provider(b, "fabrikam", demo::FABRIKAM, "fabrikam.com"),
    ];
    let app = TestApp::spawn_sqlite_configured(|config| config.oidc_providers = providers).await;
    demo::load(&app.db, app.clock.now_ms()).await.unwrap();
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_several_providers_the_e_mail_domain_or_the_tenant_finds_the_provider_and_each_speaks_only_for_its_own(
) {
    let (a, b) = (start_mock().await, start_mock().await);
    let app = portal_with_two(&a, &b).await;
    let client = client();
    let page = client
        .get(app.url("/sign-in"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(r#"data-testid="oidc-email-form""#),
        "the page asks for the e-mail address"
    );
    assert!(
        page.contains("Sign in with fabrikam sign-in"),
        "and names each provider"
    );
    assert!(page.contains("provider=contoso"));

    // The domain of the address picks the provider, and the address is passed on as a hint.
    let (_, params) = begin_at(
        &app,
        &client,
        &b,
        "&email=Lidia.Holloway%40Fabrikam.com",
        &format!("{}/authorize", b.issuer),
    )
    .await;
    assert!(params.contains(&("login_hint".into(), "Lidia.Holloway@Fabrikam.com".into())));
    begin_at(
        &app,
        &client,
        &a,
        "&email=megan.bowen%40contoso.com",
        &format!("{}/authorize", a.issuer),
    )
    .await;
    begin_at(
        &app,
        &client,
        &b,
        &format!("&tenant={}", demo::FABRIKAM),
        &format!("{}/authorize", b.issuer),
    )
    .await;
    begin_at(
        &app,
        &client,
        &a,
        "&provider=contoso",
        &format!("{}/authorize", a.issuer),
    )
    .await;

    // Nothing to choose by, or nothing that matches: back to the page, saying why.
    for (query, code) in [
        ("", "choose"),
        ("&provider=nobody", "choose"),
        ("&email=someone%40example.org", "domain"),
        ("&tenant=33333333-0000-0000-0000-000000000000", "tenant"),
    ] {
        assert_eq!(
            start_refused(&app, &client, query).await,
            format!("/sign-in?error={code}&return_to=%2Fusers"),
            "{query}"
        );
    }

    // Fabrikam's provider signs in Fabrikam's admin …
    {
        let mut answer = b.answer.lock().unwrap();
        answer.tid = demo::FABRIKAM.into();
        answer.subject = "fabrikam-admin-sub".into();
        answer.name = "Fabrikam Admin".into();
        answer.object_id = Some(demo::FAB_ADMIN.into());
    }
    let (state, _) = begin_at(
        &app,
        &client,
        &b,
        "&email=admin%40fabrikam.com",
        &format!("{}/authorize", b.issuer),
    )
    .await;
    assert_eq!(come_back(&app, &client, &state).await, "/admin/accounts");
    assert_eq!(
        signed_in_name(&app, &client).await.as_deref(),
        Some("Fabrikam Admin")
    );

    // … but cannot speak for Contoso, which is bound to the other provider.
    let other = crate::helpers::client();
    b.answer.lock().unwrap().tid = demo::CONTOSO.into();
    b.answer.lock().unwrap().subject = "impostor-sub".into();
    let (state, _) = begin_at(
        &app,
        &other,
        &b,
        "&provider=fabrikam",
        &format!("{}/authorize", b.issuer),
    )
    .await;
    assert_eq!(
        come_back(&app, &other, &state).await,
        "/sign-in?error=tenant"
    );
    assert_eq!(signed_in_name(&app, &other).await, None);
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let refused = server::entities::audit_event::Entity::find()
        .filter(server::entities::audit_event::Column::Action.eq("sign_in.failed"))
        .filter(server::entities::audit_event::Column::TenantId.eq(demo::CONTOSO))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(refused, 1, "Contoso's record shows the refusal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_multi_tenant_provider_verifies_each_token_against_its_own_tenants_issuer() {
    let mock = start_mock().await;
    let mut entra = OidcConfig::new(
        &format!("{}/{{tenant}}", mock.issuer),
        CLIENT_ID,
        Some("secret"),
        "http://127.0.0.1/auth/oidc/callback",
        &[demo::CONTOSO, demo::FABRIKAM],
    );
    entra.id = "entra".into();
    entra
        .domains
        .insert("contoso.com".into(), demo::CONTOSO.into());
    entra
        .domains
        .insert("fabrikam.com".into(), demo::FABRIKAM.into());
    entra
        .role_map
        .insert("TenantAdmin".into(), "tenant_admin".into());
    let app = TestApp::spawn_sqlite_configured(|config| config.oidc = Some(entra)).await;
    demo::load(&app.db, app.clock.now_ms()).await.unwrap();
    let client = client();
    let contoso_issuer = format!("{}/{}", mock.issuer, demo::CONTOSO);

    // No button: the tenant must be known first, from the address or the tenant.
    let page = client
        .get(app.url("/sign-in"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(r#"data-testid="oidc-email-form""#));
    assert!(!page.contains(r#"data-testid="oidc-sign-in""#));
    assert_eq!(
        start_refused(&app, &client, "").await,
        "/sign-in?error=choose&return_to=%2Fusers"
    );
    assert_eq!(
        start_refused(&app, &client, "&provider=entra").await,
        "/sign-in?error=choose&return_to=%2Fusers"
    );

    // Contoso's address goes to Contoso's own issuer, and its token signs in.
    let (state, _) = begin_at(
        &app,
        &client,
        &mock,
        "&email=megan.bowen%40contoso.com",
        &format!("{contoso_issuer}/authorize"),
    )
    .await;
    assert_eq!(come_back(&app, &client, &state).await, "/admin/accounts");
    assert_eq!(
        signed_in_name(&app, &client).await.as_deref(),
        Some("Megan Bowen")
    );

    // A sign-in begun for Contoso whose token names Fabrikam (a tenant the provider also
    // serves) is refused: Contoso's issuer cannot speak for Fabrikam.
    let other = crate::helpers::client();
    {
        let mut answer = mock.answer.lock().unwrap();
        answer.tid = demo::FABRIKAM.into();
        answer.subject = "fabrikam-admin-sub".into();
        answer.object_id = Some(demo::FAB_ADMIN.into());
    }
    let (state, _) = begin_at(
        &app,
        &other,
        &mock,
        &format!("&tenant={}", demo::CONTOSO),
        &format!("{contoso_issuer}/authorize"),
    )
    .await;
    assert_eq!(
        come_back(&app, &other, &state).await,
        "/sign-in?error=tenant"
    );
    assert_eq!(signed_in_name(&app, &other).await, None);

    // Begun for Fabrikam, the same token is Fabrikam's and signs in.
    let (state, _) = begin_at(
        &app,
        &other,
        &mock,
        "&email=admin%40fabrikam.com",
        &format!("{}/{}/authorize", mock.issuer, demo::FABRIKAM),
    )
    .await;
    assert_eq!(come_back(&app, &other, &state).await, "/admin/accounts");
    assert!(signed_in_name(&app, &other).await.is_some());
}
