//! The user directory: search, filters, sort, keyset pages, access rules, tenant isolation,
//! and the query plans that keep it fast on large tenants.

use crate::helpers::{client, on_both_databases};
use app::auth::{Principal, Role};
use app::directory::{DirectoryParams, DirectoryPort, DirectoryQuery, PageCursor};
use app::domain::catalogue::FieldId;
use app::domain::visibility::{visibility, Visibility};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};
use serde_json::Value;
use server::entities::{correction_request, device, directory_user, disclosure};
use server::seed::demo;
use server::seed::generator::{generate, Plan};
use server::services::directory::{
    query_plans, search_bounded, search_tuned, DirectoryService, DRIVER_LIMIT,
};
use std::collections::{HashMap, HashSet};

/// A form of the search server function, the names it must answer, and why.
type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str], &'a str);

/// The display names of a search answer, in order.
fn names(body: &Value) -> Vec<String> {
    body["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("no rows in {body}"))
        .iter()
        .map(|row| row["display_name"].as_str().unwrap().to_owned())
        .collect()
}

fn query(pairs: &[(&str, &str)]) -> DirectoryQuery {
    let params = DirectoryParams::read(|name| {
        pairs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| (*v).to_owned())
    });
    DirectoryQuery::parse(&params).unwrap()
}

async fn set_user<F>(app: &crate::helpers::TestApp, id: &str, change: F)
where
    F: FnOnce(&mut directory_user::ActiveModel),
{
    let mut user = directory_user::Entity::find_by_id(id.to_owned())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    change(&mut user);
    user.update(&app.db).await.unwrap();
}

on_both_databases! { demo;
    async fn names_sign_in_names_and_email_addresses_match_by_their_beginning_without_case(app) {
        let admin = app.client_as("Megan Bowen").await;
        // Imported UPNs keep their case; an address that differs from the UPN.
        set_user(&app, demo::DIEGO, |u| u.upn = Set("Diego.Siciliani@contoso.com".into())).await;
        set_user(&app, demo::LEE, |u| u.email = Set(Some("Support.Desk@contoso.com".into()))).await;
        let cases: [(&str, &[&str]); 8] = [
            ("ade", &["Adele Vance"]),
            ("ADELE V", &["Adele Vance"]),
            ("adele.v", &["Adele Vance"]),
            ("diego.s", &["Diego Siciliani"]),
            ("support.d", &["Lee Gu"]),
            ("vance", &[]),
            ("m", &["Megan Bowen"]),
            ("zzz", &[]),
        ];
        for (q, expected) in cases {
            let (status, body) = app.call(&admin, "directory/search", &[("q", q)]).await;
            assert_eq!(status, 200, "{q}: {body}");
            assert_eq!(names(&body), expected, "search {q:?}");
        }
    }

    async fn serial_numbers_imeis_and_phone_numbers_match_exactly_in_any_notation(app) {
        let admin = app.client_as("Megan Bowen").await;
        let cases: [(&str, &[&str], &str); 10] = [
            ("356938035643809", &["Adele Vance"], "Adele's iPhone IMEI"),
            // Ben's personal Pixel shows only the last four digits of its number: a search
            // for the full number must not confirm it.
            ("+14255550122", &[], "a masked phone number is not a match"),
            ("35-693803-564380-9", &["Adele Vance"], "the IMEI with separators"),
            ("F2LXK0ABCD12", &["Adele Vance"], "Adele's iPhone serial number"),
            ("f2lxk0abcd12", &["Adele Vance"], "a serial number in lower case"),
            ("+1 (425) 555-0111", &["Adele Vance"], "the iPhone's phone number"),
            ("+14255550102", &["Ben Okafor"], "Ben's own phone number"),
            ("3569380356", &[], "the beginning of an IMEI is not a match"),
            ("F2LXK0", &[], "nor is the beginning of a serial number"),
            ("124411614K0593", &[], "a shared device has no user to show"),
        ];
        for (q, expected, what) in cases {
            let (status, body) = app.call(&admin, "directory/search", &[("q", q)]).await;
            assert_eq!(status, 200, "{what}: {body}");
            assert_eq!(names(&body), expected, "{what}");
        }
    }

    async fn each_filter_keeps_only_the_users_it_describes(app) {
        let admin = app.client_as("Megan Bowen").await;
        let cases: [Case; 9] = [
            (&[("platform", "windows")], &["Diego Siciliani"], "a Windows device"),
            (&[("platform", "android")], &["Ben Okafor"], "the shared Zebra scanner has no user"),
            (&[("ownership", "personal")], &["Ben Okafor"], "a personal device"),
            (&[("platform", "ios"), ("ownership", "personal")], &[], "Adele's iPhone is corporate"),
            (&[("platform", "ios"), ("ownership", "corporate")], &["Adele Vance"], "a corporate iPhone"),
            (&[("open", "1")], &["Ben Okafor"], "Ben's correction request is pending"),
            (&[("recipient", "lookout")], &["Adele Vance"], "Lookout received Adele's apps"),
            (&[("recipient", "zebra")], &[], "Zebra received only the shared scanner"),
            (&[("recipient", "google"), ("q", "ben")], &["Ben Okafor"], "search and filter together"),
        ];
        for (form, expected, what) in cases {
            let (status, body) = app.call(&admin, "directory/search", form).await;
            assert_eq!(status, 200, "{what}: {body}");
            assert_eq!(names(&body), expected, "{what}");
        }
    }

    async fn rows_carry_their_device_and_open_request_counts(app) {
        let admin = app.client_as("Megan Bowen").await;
        let (_, body) = app.call(&admin, "directory/search", &[]).await;
        let rows = body["rows"].as_array().unwrap();
        let row = |name: &str| rows.iter().find(|r| r["display_name"] == name).unwrap().clone();
        assert_eq!(row("Diego Siciliani")["device_count"], 2);
        assert_eq!(row("Megan Bowen")["device_count"], 0);
        assert_eq!(row("Ben Okafor")["open_requests"], 1);
        assert_eq!(row("Adele Vance")["open_requests"], 0);
        assert_eq!(row("Adele Vance")["department"], "Retail");
        assert_eq!(row("Adele Vance")["id"], demo::ADELE);
    }

    async fn the_directory_sorts_by_name_or_by_sign_in_name(app) {
        let admin = app.client_as("Megan Bowen").await;
        set_user(&app, demo::IRVIN, |u| u.upn = Set("Compliance.Officer@contoso.com".into())).await;
        let (_, by_name) = app.call(&admin, "directory/search", &[]).await;
        assert_eq!(
            names(&by_name),
            ["Adele Vance", "Ben Okafor", "Chen Li", "Diego Siciliani", "Irvin Sayers", "Lee Gu", "Megan Bowen"]
        );
        let (_, by_upn) = app.call(&admin, "directory/search", &[("sort", "upn")]).await;
        assert_eq!(
            names(&by_upn),
            ["Adele Vance", "Ben Okafor", "Chen Li", "Irvin Sayers", "Diego Siciliani", "Lee Gu", "Megan Bowen"]
        );
        assert!(by_name["next"].is_null(), "seven users fit on one page");
    }

    async fn only_tenant_admins_reach_the_directory(app) {
        let (status, _) = app.call(&client(), "directory/search", &[]).await;
        assert_eq!(status, 401, "anonymous");
        let (status, _) = app.call(&client(), "directory/recipients", &[]).await;
        assert_eq!(status, 401, "anonymous, recipients");
        for name in ["Lee Gu", "Irvin Sayers", "Adele Vance"] {
            let client = app.client_as(name).await;
            let (status, body) = app.call(&client, "directory/search", &[("q", "a")]).await;
            assert_eq!(status, 403, "{name}: {body}");
            assert!(body.get("rows").is_none(), "{name} saw rows");
            let (status, _) = app.call(&client, "directory/recipients", &[]).await;
            assert_eq!(status, 403, "{name}, recipients");
        }
        let admin = app.client_as("Megan Bowen").await;
        let (status, body) = app.call(&admin, "directory/recipients", &[]).await;
        assert_eq!(status, 200);
        let ids: Vec<&str> = body.as_array().unwrap().iter().filter_map(|r| r["id"].as_str()).collect();
        assert!(ids.contains(&"apple") && ids.contains(&"lookout"), "{body}");
        assert!(!ids.contains(&"configuration_manager"), "a recipient of no data flow is offered: {body}");
    }

    async fn a_fabrikam_admin_never_sees_contoso_users(app) {
        let fabrikam = app.client_as("Alex Wilber").await;
        let (_, all) = app.call(&fabrikam, "directory/search", &[]).await;
        assert_eq!(names(&all), ["Alex Wilber", "Nestor Wilke"]);
        for q in ["adele", "356938035643809", "F2LXK0ABCD12", "+14255550101", "adele.vance@contoso.com"] {
            let (status, body) = app.call(&fabrikam, "directory/search", &[("q", q)]).await;
            assert_eq!(status, 200);
            assert_eq!(names(&body), Vec::<String>::new(), "{q} found a Contoso user");
        }
        for filter in [("open", "1"), ("recipient", "apple"), ("platform", "ios")] {
            let (_, body) = app.call(&fabrikam, "directory/search", &[filter]).await;
            assert_eq!(names(&body), Vec::<String>::new(), "{filter:?} found a Contoso user");
        }
        let contoso = app.client_as("Megan Bowen").await;
        let (_, body) = app.call(&contoso, "directory/search", &[("q", "352099001761481")]).await;
        assert_eq!(names(&body), Vec::<String>::new(), "Nestor's IMEI found from Contoso");
        // A cursor is only a position: one from Contoso's order shows Fabrikam nothing of Contoso.
        let cursor = PageCursor::new(app::directory::DirectorySort::Name, "a".into(), demo::ADELE.into()).encode();
        let (_, body) = app.call(&fabrikam, "directory/search", &[("after", &cursor)]).await;
        assert_eq!(names(&body), ["Alex Wilber", "Nestor Wilke"]);
    }

    async fn unreadable_parameters_are_refused_naming_the_parameter(app) {
        let admin = app.client_as("Megan Bowen").await;
        let long = "a".repeat(300);
        let name_cursor = PageCursor::new(app::directory::DirectorySort::Name, "a".into(), "b".into()).encode();
        let cases: [(&[(&str, &str)], &str); 6] = [
            (&[("platform", "symbian")], "platform"),
            (&[("ownership", "borrowed")], "ownership"),
            (&[("sort", "age")], "sort"),
            (&[("q", &long)], "q"),
            (&[("after", "name.zz.x")], "after"),
            (&[("sort", "upn"), ("after", &name_cursor)], "after"),
        ];
        for (form, field) in cases {
            let (status, body) = app.call(&admin, "directory/search", form).await;
            assert_eq!(status, 422, "{form:?}: {body}");
            assert_eq!(body["Invalid"]["field"], field, "{body}");
        }
    }

    async fn the_page_works_as_a_plain_get_form_without_the_browser_bundle(app) {
        let admin = app.client_as("Megan Bowen").await;
        let response = admin.get(app.url("/users?q=ade")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let html = response.text().await.unwrap();
        assert!(html.contains(r#"method="get""#) && html.contains(r#"action="/users""#), "{html}");
        assert!(html.contains(r#"value="ade""#), "the search box keeps the text: {html}");
        assert!(html.contains(&format!(r#"href="/users/{}""#, demo::ADELE)), "{html}");
        assert!(!html.contains("Ben Okafor"), "{html}");
        let html = admin.get(app.url("/users?q=nobody")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("No users match “nobody”."), "{html}");
        let html = app.client_as("Lee Gu").await.get(app.url("/users")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("You do not have permission to do this."), "{html}");
        assert!(!html.contains("Adele Vance"), "{html}");
    }
}

/// Every id of a query, page after page, checking each page's size and its cursor.
async fn all_pages<C: ConnectionTrait>(
    db: &C,
    tenant: &str,
    mut query: DirectoryQuery,
    page_size: u64,
    driver_limit: u64,
) -> Vec<String> {
    let mut ids = Vec::new();
    for _ in 0..1000 {
        let page = search_tuned(db, tenant, &query, page_size, driver_limit)
            .await
            .unwrap();
        assert!(page.rows.len() <= usize::try_from(page_size).unwrap());
        ids.extend(page.rows.iter().map(|r| r.id.clone()));
        match page.next {
            Some(next) => {
                assert_eq!(
                    page.rows.len(),
                    usize::try_from(page_size).unwrap(),
                    "a short page with a next one"
                );
                query.after = Some(PageCursor::parse(&next).unwrap());
            }
            None => return ids,
        }
    }
    panic!("pages never ended");
}

/// The generated tenant as plain data, to compute what each query should answer.
struct Reference {
    by_name: Vec<directory_user::Model>,
    by_upn: Vec<directory_user::Model>,
    devices: Vec<device::Model>,
    pending: HashSet<String>,
    recipients: HashMap<String, HashSet<String>>,
}

impl Reference {
    async fn load<C: ConnectionTrait>(db: &C, tenant: &str) -> Reference {
        let users =
            || directory_user::Entity::find().filter(directory_user::Column::TenantId.eq(tenant));
        // Ordered by the database, as the directory is: the test does not assume a collation.
        let by_name = users()
            .order_by_asc(directory_user::Column::SearchName)
            .order_by_asc(directory_user::Column::Id)
            .all(db)
            .await
            .unwrap();
        let by_upn = users()
            .order_by_asc(Expr::cust("lower(upn)"))
            .order_by_asc(directory_user::Column::Id)
            .all(db)
            .await
            .unwrap();
        let devices = device::Entity::find()
            .filter(device::Column::TenantId.eq(tenant))
            .all(db)
            .await
            .unwrap();
        let pending = correction_request::Entity::find()
            .filter(correction_request::Column::TenantId.eq(tenant))
            .filter(correction_request::Column::Status.eq("pending"))
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.subject_user_id)
            .collect();
        let mut recipients: HashMap<String, HashSet<String>> = HashMap::new();
        for d in disclosure::Entity::find()
            .filter(disclosure::Column::TenantId.eq(tenant))
            .all(db)
            .await
            .unwrap()
        {
            if let Some(subject) = d.subject_user_id {
                recipients
                    .entry(d.recipient_id)
                    .or_default()
                    .insert(subject);
            }
        }
        Reference {
            by_name,
            by_upn,
            devices,
            pending,
            recipients,
        }
    }

    /// What `query` must answer, in order.
    fn answer(&self, query: &DirectoryQuery) -> Vec<String> {
        let users = match query.sort {
            app::directory::DirectorySort::Name => &self.by_name,
            app::directory::DirectorySort::Upn => &self.by_upn,
        };
        users
            .iter()
            .filter(|u| self.matches(u, query))
            .map(|u| u.id.clone())
            .collect()
    }

    fn matches(&self, user: &directory_user::Model, query: &DirectoryQuery) -> bool {
        let devices: Vec<&device::Model> = self
            .devices
            .iter()
            .filter(|d| d.primary_user_id.as_deref() == Some(user.id.as_str()))
            .collect();
        if let Some(search) = &query.search {
            let prefix = search.prefix();
            let phone = search.phone().map(|p| p.as_str().to_owned());
            let imei = search.imei().map(|i| i.as_str().to_owned());
            let serial = search.serial().map(|s| s.as_str().to_owned());
            let found = user.search_name.starts_with(prefix)
                || user.upn.to_lowercase().starts_with(prefix)
                || user
                    .email
                    .as_deref()
                    .is_some_and(|e| e.to_lowercase().starts_with(prefix))
                || (phone.is_some() && user.phone == phone)
                || devices.iter().any(|d| {
                    // A device matches only on what the tenant sees of it in full.
                    let full = |field| {
                        visibility(field, &server::services::records::context_of(d))
                            == Visibility::Visible
                    };
                    (phone.is_some() && d.phone_number == phone && full(FieldId::PhoneNumber))
                        || (imei.is_some() && d.imei == imei && full(FieldId::Imei))
                        || (serial.is_some()
                            && d.serial_number == serial
                            && full(FieldId::SerialNumber))
                });
            if !found {
                return false;
            }
        }
        if query.platform.is_some() || query.ownership.is_some() {
            let has = devices.iter().any(|d| {
                query.platform.is_none_or(|p| d.platform == p.as_str())
                    && query.ownership.is_none_or(|o| d.ownership == o.as_str())
            });
            if !has {
                return false;
            }
        }
        if query.open_requests && !self.pending.contains(&user.id) {
            return false;
        }
        if let Some(recipient) = &query.recipient {
            if !self
                .recipients
                .get(recipient.as_str())
                .is_some_and(|s| s.contains(&user.id))
            {
                return false;
            }
        }
        true
    }
}

on_both_databases! {
    async fn keyset_pages_walk_a_generated_tenant_in_order_without_gaps_or_repeats(app) {
        let report = generate(&app.db, &Plan { users: 300, seed: 5, batch: 300, now: app.clock.now_ms() }, |_| {}).await.unwrap();
        let tenant = report.tenant_id;
        let reference = Reference::load(&app.db, &tenant).await;
        assert_eq!(reference.by_name.len(), 300);
        // Through the port, as the server function calls it, with a principal made by hand.
        let principal = Principal {
            account_id: 0,
            tenant_id: tenant.clone(),
            tenant_name: "Generated tenant 5".into(),
            display_name: "Test admin".into(),
            roles: vec![Role::TenantAdmin],
            directory_user_id: None,
            csrf_token: String::new(),
            api_token_id: None,
        };
        let service = DirectoryService { db: app.db.clone(), clock: app.clock.clone() };
        let mut q = query(&[]);
        let mut seen = Vec::new();
        loop {
            let page = service.search(&principal, &q, 25).await.unwrap();
            seen.extend(page.rows.iter().map(|r| r.id.clone()));
            match page.next {
                Some(next) => q.after = Some(PageCursor::parse(&next).unwrap()),
                None => break,
            }
        }
        assert_eq!(seen, reference.answer(&query(&[])), "twelve pages of 25 in name order");
        for sort in ["name", "upn"] {
            let q = query(&[("sort", sort)]);
            assert_eq!(all_pages(&app.db, &tenant, q.clone(), 7, DRIVER_LIMIT).await, reference.answer(&q), "sort {sort}");
        }
    }

    async fn searches_and_filters_page_exactly_like_a_scan_of_the_whole_tenant(app) {
        let report = generate(&app.db, &Plan { users: 300, seed: 5, batch: 300, now: app.clock.now_ms() }, |_| {}).await.unwrap();
        let tenant = report.tenant_id;
        let reference = Reference::load(&app.db, &tenant).await;
        let some_phone = reference.devices.iter().find_map(|d| d.phone_number.clone()).unwrap();
        let some_imei = reference.devices.iter().find_map(|d| d.imei.clone()).unwrap();
        let some_serial = reference.devices.iter().find_map(|d| d.serial_number.clone()).unwrap().to_lowercase();
        let user_phone = reference.by_name[17].phone.clone().unwrap();
        let user_upn = reference.by_name[42].upn.clone();
        let cases: Vec<Vec<(&str, &str)>> = vec![
            vec![("q", "a")],
            vec![("q", "jo")],
            vec![("q", "ben.")],
            vec![("q", &user_upn)],
            vec![("q", &some_phone)],
            vec![("q", &some_imei)],
            vec![("q", &some_serial)],
            vec![("q", &user_phone)],
            vec![("platform", "ios")],
            vec![("platform", "macos"), ("ownership", "personal")],
            vec![("platform", "linux")],
            vec![("ownership", "personal")],
            vec![("open", "1")],
            vec![("recipient", "google")],
            vec![("recipient", "zebra")],
            vec![("q", "a"), ("platform", "windows"), ("recipient", "apple")],
            vec![("q", "s"), ("ownership", "corporate")],
        ];
        for case in &cases {
            for sort in ["name", "upn"] {
                let mut pairs = case.clone();
                pairs.push(("sort", sort));
                let q = query(&pairs);
                let expected = reference.answer(&q);
                // 0: every filter checked per row along the sort order; 1,000,000: every filter
                // value counts as rare and the arm starts from it.
                for driver_limit in [0, 1_000_000] {
                    let got = all_pages(&app.db, &tenant, q.clone(), 13, driver_limit).await;
                    assert_eq!(got, expected, "{pairs:?} with driver limit {driver_limit}");
                }
            }
        }
        assert!(!reference.answer(&query(&[("q", "a")])).is_empty(), "the cases must find someone");
    }

    async fn a_upn_prefix_shared_by_more_users_than_the_bound_lists_the_first_of_them_and_says_so(app) {
        let report = generate(&app.db, &Plan { users: 60, seed: 9, batch: 60, now: app.clock.now_ms() }, |_| {}).await.unwrap();
        let tenant = report.tenant_id;
        let mut users = directory_user::Entity::find()
            .filter(directory_user::Column::TenantId.eq(tenant.clone()))
            .order_by_asc(directory_user::Column::Id)
            .all(&app.db)
            .await
            .unwrap();
        users.truncate(3);
        // Three sign-in names that no display name or address shares the start of.
        for (n, user) in users.iter().enumerate() {
            let upn = format!("qq{n}.sign-in@tenant9.example");
            set_user(&app, &user.id, |u| u.upn = Set(upn)).await;
        }
        let q = query(&[("q", "qq")]);
        let all = search_bounded(&app.db, &tenant, &q, 25, DRIVER_LIMIT, 1000).await.unwrap();
        assert_eq!(all.rows.len(), 3, "under the bound every match is found");
        assert!(!all.partial, "under the bound the page is complete");
        let bounded = search_bounded(&app.db, &tenant, &q, 25, DRIVER_LIMIT, 2).await.unwrap();
        let found: HashSet<String> = bounded.rows.iter().map(|r| r.upn.clone()).collect();
        assert_eq!(found, HashSet::from(["qq0.sign-in@tenant9.example".to_owned(), "qq1.sign-in@tenant9.example".to_owned()]),
            "the first two in sign-in name order");
        assert!(bounded.partial, "the page says that it left some out");
        // Name matches are never cut: the sort index serves them in order.
        let by_name = query(&[("q", &users[0].display_name.to_lowercase()[..3])]);
        let bounded = search_bounded(&app.db, &tenant, &by_name, 500, DRIVER_LIMIT, 1).await.unwrap();
        let complete = search_bounded(&app.db, &tenant, &by_name, 500, DRIVER_LIMIT, 1000).await.unwrap();
        let names = |page: &app::directory::DirectoryPage| -> Vec<String> { page.rows.iter().map(|r| r.id.clone()).collect() };
        let prefix = by_name.search.as_ref().unwrap().prefix().to_owned();
        let name_matches: Vec<String> = complete.rows.iter().filter(|r| r.display_name.to_lowercase().starts_with(&prefix)).map(|r| r.id.clone()).collect();
        assert!(!name_matches.is_empty());
        assert!(name_matches.iter().all(|id| names(&bounded).contains(id)), "every name match is listed under any bound");
    }

    async fn every_statement_of_a_page_is_served_by_an_index(app) {
        let report = generate(&app.db, &Plan { users: 300, seed: 5, batch: 300, now: app.clock.now_ms() }, |_| {}).await.unwrap();
        let tenant = report.tenant_id;
        let cursor = PageCursor::new(app::directory::DirectorySort::Name, "b".into(), "0".into()).encode();
        let upn_cursor = PageCursor::new(app::directory::DirectorySort::Upn, "b".into(), "0".into()).encode();
        let cases: Vec<Vec<(&str, &str)>> = vec![
            vec![],
            vec![("sort", "upn")],
            vec![("after", &cursor)],
            vec![("sort", "upn"), ("after", &upn_cursor)],
            vec![("q", "ade")],
            vec![("q", "ade"), ("after", &cursor)],
            vec![("q", "ade"), ("sort", "upn")],
            vec![("q", "356938035643809")],
            vec![("q", "+31612345678")],
            vec![("platform", "ios"), ("ownership", "personal")],
            vec![("ownership", "personal")],
            vec![("open", "1")],
            vec![("recipient", "apple")],
            vec![("q", "ade"), ("platform", "ios"), ("open", "1"), ("recipient", "apple")],
        ];
        let postgres = app.db.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
        for case in &cases {
            for driver_limit in [0, 1_000_000] {
                let q = query(case);
                let txn = app.db.begin().await.unwrap();
                if postgres {
                    // Tiny tables make sequential scans cheapest; with them ruled out, the
                    // plan shows whether an index can serve each statement at all.
                    txn.execute_unprepared("SET LOCAL enable_seqscan = off").await.unwrap();
                }
                let plans = query_plans(&txn, &tenant, &q, 25, driver_limit).await.unwrap();
                txn.rollback().await.unwrap();
                for (index, (sql, plan)) in plans.iter().enumerate() {
                    let context = format!("{case:?}, driver limit {driver_limit}, statement {index}:\n{sql}\n{plan}");
                    if postgres {
                        assert!(!plan.contains("Seq Scan"), "{context}");
                    } else {
                        let searching = case.iter().any(|(k, _)| *k == "q");
                        // A prefix arm out of the page's order starts from a bounded
                        // subquery named `u` (see PREFIX_SCAN_LIMIT): scanning that is fine.
                        let bounded_u = plan.contains("CO-ROUTINE u") || plan.contains("MATERIALIZE u");
                        for line in plan.lines().map(|l| l.trim_start_matches(['|', '`', '-', ' '])) {
                            for table in ["u", "directory_users", "devices", "disclosures", "correction_requests"] {
                                let bounded = table == "u" && bounded_u && line == "SCAN u";
                                assert!(bounded || !line.starts_with(&format!("SCAN {table}")), "a whole-table scan: {context}");
                                // A range that only names the tenant reads all of its rows;
                                // only the plain listing may do that, on the sort index, in
                                // order, stopping after a page.
                                let listing = table == "u"
                                    && !searching
                                    && (line.contains("ix_users_tenant_search") || line.contains("ix_users_tenant_upn_lower"));
                                assert!(
                                    !(line.starts_with(&format!("SEARCH {table} ")) && line.ends_with("(tenant_id=?)") && !listing),
                                    "a walk over the whole tenant: {context}"
                                );
                            }
                        }
                    }
                }
                if !postgres && case.iter().all(|(k, _)| *k == "sort" || *k == "after") {
                    // The plain listing reads the sort index in order: no sort step at all.
                    let (sql, plan) = &plans[0];
                    assert!(!plan.contains("TEMP B-TREE"), "{sql}\n{plan}");
                }
            }
        }
    }
}

/// Prints the plans and timings of typical pages on a large database. Run by hand:
/// `DIRECTORY_BENCH_URL=sqlite://big.db DIRECTORY_BENCH_SEED=77 cargo test -p server --test
/// server directory::plans_and_timings_on_a_large_tenant -- --ignored --nocapture`
/// (the tenant of that seed must have been generated with `server seed`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a large generated tenant; run by hand"]
async fn plans_and_timings_on_a_large_tenant() {
    let url = std::env::var("DIRECTORY_BENCH_URL").unwrap();
    let seed: u64 = std::env::var("DIRECTORY_BENCH_SEED")
        .unwrap()
        .parse()
        .unwrap();
    let db = sea_orm::Database::connect(&url).await.unwrap();
    server::db::migrate(&db).await.unwrap();
    let tenant = server::seed::generator::tenant_id_for(seed);
    let cases: Vec<Vec<(&str, &str)>> = vec![
        vec![],
        vec![("sort", "upn")],
        vec![("q", "a")],
        vec![("q", "femke b")],
        vec![("q", "femke.b")],
        vec![("q", "a"), ("sort", "upn")],
        vec![("q", "+31612345678")],
        vec![("q", "356938035643809")],
        vec![("platform", "ios")],
        vec![("platform", "linux")],
        vec![("platform", "macos"), ("ownership", "personal")],
        vec![("open", "1")],
        vec![("recipient", "apple")],
        vec![("recipient", "zebra")],
        vec![("q", "a"), ("recipient", "zebra")],
    ];
    for case in &cases {
        let mut q = query(case);
        let started = std::time::Instant::now();
        let first = search_tuned(&db, &tenant, &q, 25, DRIVER_LIMIT)
            .await
            .unwrap();
        let first_ms = started.elapsed().as_millis();
        // Forty pages in: the cost must not grow with the page number.
        let mut deep_ms = 0;
        let mut next = first.next.clone();
        for _ in 0..40 {
            let Some(cursor) = next else { break };
            q.after = Some(PageCursor::parse(&cursor).unwrap());
            let started = std::time::Instant::now();
            let page = search_tuned(&db, &tenant, &q, 25, DRIVER_LIMIT)
                .await
                .unwrap();
            deep_ms = started.elapsed().as_millis();
            next = page.next;
        }
        println!(
            "== {case:?}: first page {first_ms} ms ({} rows), last page read {deep_ms} ms",
            first.rows.len()
        );
        for (sql, plan) in query_plans(&db, &tenant, &query(case), 25, DRIVER_LIMIT)
            .await
            .unwrap()
        {
            println!("{sql}\n{plan}\n");
        }
    }
}
