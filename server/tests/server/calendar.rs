//! The rules that depend on the calendar, at the instants where calendars bite (issue 16): a
//! month after 31 January is 28 February, after 29 February of a leap year 29 March, after
//! 30 April 30 May (30 days: "in 1 month"), after 31 December 23:59 the last minute of January.
//!
//! Each test runs once per instant of [`INSTANTS`] on a frozen clock, on both databases, and
//! moves time only through the application's clock. The expected deadlines are written out by
//! hand below and checked against chrono's calendar as well, so neither the table nor the
//! portal's own arithmetic is the only oracle.

use crate::helpers::{at, at_every_instant, TestApp, INSTANTS};
use serde_json::Value;
use server::seed::demo;
use std::time::Duration;

const IPHONE: &str = "d1000000-0000-4000-8000-0000000000d1";
const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);
const DAY_MS: i64 = 86_400_000;

/// What the calendar says at each instant of [`INSTANTS`], in the same order.
struct Expected {
    /// One calendar month after receipt (the day clamped to the end of a shorter month).
    due: &'static str,
    /// That deadline extended by two further months.
    extended: &'static str,
    /// The deadline seen at the moment of receipt, in English and Dutch.
    en: &'static str,
    nl: &'static str,
}

const EXPECTED: [Expected; 6] = [
    Expected {
        due: "2027-02-28T12:00:00Z",
        extended: "2027-04-28T12:00:00Z",
        en: "in 28 days",
        nl: "over 28 dagen",
    },
    Expected {
        due: "2027-03-28T12:00:00Z",
        extended: "2027-05-28T12:00:00Z",
        en: "in 28 days",
        nl: "over 28 dagen",
    },
    Expected {
        due: "2028-03-29T12:00:00Z",
        extended: "2028-05-29T12:00:00Z",
        en: "in 29 days",
        nl: "over 29 dagen",
    },
    Expected {
        due: "2027-05-30T12:00:00Z",
        extended: "2027-07-30T12:00:00Z",
        en: "in 1 month",
        nl: "over 1 maand",
    },
    Expected {
        due: "2027-01-02T12:00:00Z",
        extended: "2027-03-02T12:00:00Z",
        en: "in 1 month",
        nl: "over 1 maand",
    },
    Expected {
        due: "2027-01-31T23:59:00Z",
        extended: "2027-03-31T23:59:00Z",
        en: "in 1 month",
        nl: "over 1 maand",
    },
];

/// `ms` plus `months` by chrono's calendar: the second oracle.
fn chrono_plus_months(ms: i64, months: u32) -> i64 {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap()
        .checked_add_months(chrono::Months::new(months))
        .unwrap()
        .timestamp_millis()
}

fn moved(by: Duration) -> i64 {
    i64::try_from(by.as_millis()).unwrap()
}

/// Adele files a correction of her iPhone's category; returns the request.
async fn adele_files(app: &TestApp) -> Value {
    adele_files_field(app, "device_category", "Field staff").await
}

/// Adele files a correction of `field` of her iPhone (one open request per field).
async fn adele_files_field(app: &TestApp, field: &str, value: &str) -> Value {
    let adele = app.client_as("Adele Vance").await;
    let (status, request) = app
        .call(
            &adele,
            "requests/create",
            &[
                ("record_id", IPHONE),
                ("field", field),
                ("value", value),
                ("reason", "It is wrong"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{request}");
    request
}

fn id_of(request: &Value) -> String {
    request["id"].as_i64().unwrap().to_string()
}

/// The request as the review page's server function shows it to `client`.
async fn reviewed(app: &TestApp, client: &reqwest::Client, id: &str) -> Value {
    let (status, review) = app.call(client, "review/request", &[("id", id)]).await;
    assert_eq!(status, 200, "{review}");
    review["request"].clone()
}

/// A page as a reader of `language` gets it.
async fn page(app: &TestApp, client: &reqwest::Client, path: &str, language: &str) -> String {
    let response = client
        .get(app.url(path))
        .header("accept-language", language)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

/// The words of the `<time>` element that `marker` (its `datetime` attribute) names, or of the
/// first one after `marker`, without the comments hydration adds.
fn time_words_after(html: &str, marker: &str) -> String {
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} not on the page"));
    // A `datetime` marker is inside the element; any other comes before it.
    let open = if marker.starts_with("datetime=") {
        html[..start]
            .rfind("<time")
            .expect("the <time> of the marker")
    } else {
        start
            + html[start..]
                .find("<time")
                .expect("a <time> after the marker")
    };
    let rest = &html[open..];
    let text_start = rest.find('>').unwrap() + 1;
    let text_end = rest.find("</time>").unwrap();
    let mut text = rest[text_start..text_end].to_owned();
    while let Some(begin) = text.find("<!") {
        let end = text[begin..]
            .find('>')
            .map_or(text.len(), |e| begin + e + 1);
        text.replace_range(begin..end, "");
    }
    text.trim().to_owned()
}

fn iso(ms: i64) -> String {
    server::clock::to_rfc3339(ms).replace(".000Z", "Z")
}

at_every_instant! {
    async fn a_request_is_due_one_calendar_month_after_receipt_and_its_page_says_when_in_both_languages(app, instant) {
        let now = app.clock.now_ms();
        assert_eq!(now, at(INSTANTS[instant]));
        let expected = &EXPECTED[instant];
        let request = adele_files(&app).await;
        assert_eq!(request["received_at"].as_i64(), Some(now));
        let due = request["due_at"].as_i64().unwrap();
        assert_eq!(iso(due), expected.due, "one calendar month after {}", INSTANTS[instant]);
        assert_eq!(due, chrono_plus_months(now, 1), "chrono's calendar agrees");

        let adele = app.client_as("Adele Vance").await;
        let marker = format!("datetime=\"{}\"", iso(due));
        let english = page(&app, &adele, "/me/requests", "en").await;
        assert_eq!(time_words_after(&english, &marker), expected.en);
        let dutch = page(&app, &adele, "/me/requests", "nl").await;
        assert_eq!(time_words_after(&dutch, &marker), expected.nl);
        // The page's clock is the server's, not the day the test runs.
        assert!(english.contains(&format!("data-now=\"{now}\"")), "the page renders at the chosen instant");
    }

    async fn a_deadline_is_extended_once_by_calendar_months_and_only_before_it_passes(app, instant) {
        let expected = &EXPECTED[instant];
        let request = adele_files(&app).await;
        let id = id_of(&request);
        let lee = app.client_as("Lee Gu").await;
        let two = [("id", id.as_str()), ("request_version", "0"), ("months", "2"), ("reason", "We must ask the device vendor.")];
        let (status, extended) = app.call(&lee, "review/extend", &two).await;
        assert_eq!(status, 200, "{extended}");
        let due = extended["due_at"].as_i64().unwrap();
        assert_eq!(iso(due), expected.extended, "two further calendar months");
        assert_eq!(due, chrono_plus_months(at(expected.due), 2), "chrono's calendar agrees");

        // A second request, its deadline passed by a minute: too late to extend.
        let late = adele_files_field(&app, "management_name", "Adeles iPhone").await;
        let late_due = late["due_at"].as_i64().unwrap();
        app.clock.set(late_due + 60_000);
        let lee = app.client_as("Lee Gu").await;
        let id = id_of(&late);
        let one = [("id", id.as_str()), ("request_version", "0"), ("months", "1"), ("reason", "More time")];
        let (status, refused) = app.call(&lee, "review/extend", &one).await;
        assert_eq!(status, 422, "{refused}");
        assert!(refused.to_string().contains("deadline has passed"), "{refused}");
        // A minute before its deadline it could still have been extended.
        app.clock.set(late_due - 60_000);
        let lee = app.client_as("Lee Gu").await;
        let (status, body) = app.call(&lee, "review/extend", &one).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["due_at"].as_i64(), Some(chrono_plus_months(late_due, 1)));
    }

    async fn pausing_stops_the_clock_and_resuming_adds_exactly_the_paused_time(app, instant) {
        let request = adele_files(&app).await;
        let id = id_of(&request);
        let due = request["due_at"].as_i64().unwrap();
        let lee = app.client_as("Lee Gu").await;
        let (status, paused) = app.call(&lee, "review/pause", &[("id", id.as_str()), ("request_version", "0"), ("pause", "true")]).await;
        assert_eq!(status, 200, "{paused}");

        // Paused past its deadline: not overdue, its deadline moves with the pause.
        let pause = 40 * DAY + 5 * HOUR;
        app.clock.advance(pause);
        let lee = app.client_as("Lee Gu").await;
        let seen = reviewed(&app, &lee, &id).await;
        assert_eq!(seen["paused"], true);
        assert_eq!(seen["overdue"], false, "a paused clock is never late at {}", INSTANTS[instant]);
        assert_eq!(seen["due_at"].as_i64(), Some(due + moved(pause)));

        let (status, resumed) = app.call(&lee, "review/pause", &[("id", id.as_str()), ("request_version", "1"), ("pause", "false")]).await;
        assert_eq!(status, 200, "{resumed}");
        let new_due = resumed["due_at"].as_i64().unwrap();
        assert_eq!(new_due, due + moved(pause), "exactly the paused time is added");

        // Running again: a minute past the moved deadline it is overdue.
        app.clock.set(new_due + 60_000);
        let lee = app.client_as("Lee Gu").await;
        assert_eq!(reviewed(&app, &lee, &id).await["overdue"], true);
    }

    async fn an_overdue_request_is_marked_and_the_dashboard_lists_the_earliest_deadline_first(app, instant) {
        let request = adele_files(&app).await;
        let id = request["id"].as_i64().unwrap();
        let due = request["due_at"].as_i64().unwrap();
        let megan = app.client_as("Megan Bowen").await;
        let (status, board) = app.call(&megan, "dashboard", &[]).await;
        assert_eq!(status, 200, "{board}");
        let next: Vec<Value> = board["next_due"].as_array().unwrap().clone();
        let deadlines: Vec<i64> = next.iter().map(|r| r["due_at"].as_i64().unwrap()).collect();
        let mut sorted = deadlines.clone();
        sorted.sort_unstable();
        assert_eq!(deadlines, sorted, "earliest deadline first");
        // Ben's demo request came five days earlier, so it is due first.
        assert_eq!(next[0]["subject_name"], "Ben Okafor", "{next:?}");
        assert!(next.iter().any(|r| r["id"] == id));

        let overdue_ids = |queue: &Value| -> Vec<i64> {
            queue["items"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect()
        };
        // A minute before its deadline it is not overdue.
        app.clock.set(due - 60_000);
        let lee = app.client_as("Lee Gu").await;
        let (_, queue) = app.call(&lee, "review/queue", &[("due", "overdue")]).await;
        assert!(!overdue_ids(&queue).contains(&id), "not yet late at {}", INSTANTS[instant]);

        // Three days and an hour after it, it is, on the queue and the dashboard, in words.
        app.clock.set(due + 3 * DAY_MS + 3_600_000);
        let lee = app.client_as("Lee Gu").await;
        let (_, queue) = app.call(&lee, "review/queue", &[("due", "overdue")]).await;
        assert!(overdue_ids(&queue).contains(&id), "{queue}");
        let megan = app.client_as("Megan Bowen").await;
        let marker = format!("href=\"/review/{id}\"");
        let english = page(&app, &megan, "/dashboard", "en").await;
        assert_eq!(time_words_after(&english, &marker), "3 days ago");
        assert!(english.contains("was due"), "worded as a passed deadline");
        let dutch = page(&app, &megan, "/dashboard", "nl").await;
        assert_eq!(time_words_after(&dutch, &marker), "3 dagen geleden");
        assert!(dutch.contains("termijn verliep"));
    }

    async fn finished_exports_are_deleted_one_day_after_they_end(app, instant) {
        let megan = app.client_as("Megan Bowen").await;
        let (status, body) = app.call(&megan, "jobs/export", &[("kind", "export_user_json"), ("user_id", demo::ADELE)]).await;
        assert_eq!(status, 200, "{body}");
        let id = body.as_i64().unwrap();
        let job = |list: &Value| list["jobs"].as_array().unwrap().iter().find(|j| j["id"] == id).cloned();
        crate::helpers::eventually(30, "the export ends", || {
            let megan = megan.clone();
            let app = &app;
            async move {
                let (_, list) = app.call(&megan, "jobs/list", &[]).await;
                job(&list).is_some_and(|j| j["state"] == "done")
            }
        })
        .await;
        let download = format!("/jobs/{id}/download");
        let finished = app.clock.now_ms();

        // A minute short of a day: kept, and downloadable.
        app.clock.set(finished + DAY_MS - 60_000);
        server::services::jobs::sweep(&app.db, app.clock.now_ms()).await.unwrap();
        let megan = app.client_as("Megan Bowen").await;
        assert_eq!(megan.get(app.url(&download)).send().await.unwrap().status(), 200, "kept at {}", INSTANTS[instant]);

        // A minute past a day: gone, file and all, by the server's own sweeper (every 15 s),
        // which reads the same clock.
        app.clock.set(finished + DAY_MS + 60_000);
        let megan = app.client_as("Megan Bowen").await;
        crate::helpers::eventually(40, "the background sweep deletes the export", || {
            let megan = megan.clone();
            let app = &app;
            async move {
                let (_, list) = app.call(&megan, "jobs/list", &[]).await;
                job(&list).is_none()
            }
        })
        .await;
        assert_eq!(megan.get(app.url(&download)).send().await.unwrap().status(), 404);
    }

    async fn a_session_ends_after_an_idle_hour_and_twelve_hours_after_sign_in_and_a_token_on_its_last_day(app, instant) {
        let signed_in = |info: &Value| !info["user"].is_null();
        let adele = app.client_as("Adele Vance").await;
        app.clock.advance(59 * MINUTE);
        assert!(signed_in(&app.call(&adele, "session", &[]).await.1), "59 idle minutes are within the hour");
        app.clock.advance(61 * MINUTE);
        assert!(!signed_in(&app.call(&adele, "session", &[]).await.1), "61 idle minutes end it at {}", INSTANTS[instant]);

        // Active all along, it still ends twelve hours after sign-in.
        let adele = app.client_as("Adele Vance").await;
        for _ in 0..14 {
            app.clock.advance(50 * MINUTE);
            assert!(signed_in(&app.call(&adele, "session", &[]).await.1), "active within twelve hours");
        }
        app.clock.advance(21 * MINUTE); // 12 h 01 min after sign-in, 21 minutes after the last request
        assert!(!signed_in(&app.call(&adele, "session", &[]).await.1), "twelve hours is the most");

        // An API token of 30 days works on its last minute and not after.
        let token = crate::api::token(&app, demo::CONTOSO, app::auth::Role::SupportReviewer, None).await;
        let issued = app.clock.now_ms();
        app.clock.set(issued + 30 * DAY_MS - 60_000);
        assert_eq!(crate::api::get(&app, "/requests", &token).await.0, 200);
        app.clock.set(issued + 30 * DAY_MS + 60_000);
        assert_eq!(crate::api::get(&app, "/requests", &token).await.0, 401);
    }
}
