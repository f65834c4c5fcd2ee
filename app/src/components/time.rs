//! Human dates: every stored time is shown as `<time datetime="…" title="…">3 days ago</time>`,
//! relative to one "now" and worded in the page's language, with the full date and time in the
//! tooltip and the machine-readable instant in `datetime`.
//!
//! Why a shared "now": the server renders the page and the browser hydrates it; if each side
//! read its own clock, "59 minutes ago" could become "1 hour ago" in between and hydration
//! would see different text. So the server writes the instant it rendered at into
//! `<html data-now>`, the browser hydrates with that same instant, and only after hydration
//! does the wording follow time onwards (refreshed once a minute).
//!
//! Why the browser keeps the server's time: the server's clock is the one that decides
//! deadlines, and it may be a chosen one (a demo or test run at another date), while the
//! visitor's own clock may simply be wrong. So after hydration "now" is the server's render
//! time plus the time that has passed in the browser since the page loaded; the browser's
//! clock only measures how long the page has been open.

use crate::i18n::{plural, Key, Locale, Plural};
use crate::locale::use_locale;
use crate::time::{civil_from_days, DAY_MS};
use leptos::prelude::*;

/// Attribute of `<html>` that carries the server's render time (epoch milliseconds).
pub const NOW_ATTRIBUTE: &str = "data-now";

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 3_600_000;

/// The instant relative times are measured from, shared through context.
#[derive(Clone, Copy, Debug)]
pub struct Now(RwSignal<i64>);

/// The instant the server renders the page at, read from its one clock and provided as
/// context for each request (server side only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RenderedAt(pub i64);

impl Now {
    /// The current value (reactive: relative times re-render when it moves).
    pub fn get(self) -> i64 {
        self.0.get()
    }

    /// The value without subscribing, e.g. for the `<html data-now>` attribute.
    pub fn get_untracked(self) -> i64 {
        self.0.get_untracked()
    }
}

/// Provides [`Now`] for the page: the request's time on the server, the server's render time
/// while the browser hydrates, then that time moved on by the time the page has been open.
pub fn provide_now() -> Now {
    let rendered_at = initial_now();
    let now = Now(RwSignal::new(rendered_at));
    provide_context(now);
    // Effects run in the browser only, after hydration: from here on the page may differ from
    // the server's rendering without a mismatch.
    Effect::new(move |_| {
        // How far the server's clock is ahead of the browser's, measured once at load.
        let Some(skew) = browser_clock().map(|b| rendered_at.saturating_sub(b)) else {
            return;
        };
        let tick = move || {
            if let Some(ms) = browser_clock() {
                now.0.set(ms.saturating_add(skew));
            }
        };
        tick();
        set_interval(tick, std::time::Duration::from_secs(60));
    });
    now
}

/// The page's [`Now`] (a fixed 0-based one outside a page, e.g. in unit tests).
pub fn use_now() -> Now {
    use_context::<Now>().unwrap_or_else(|| Now(RwSignal::new(0)))
}

/// On the server: the render time the server provided ([`RenderedAt`]); 0 where none was,
/// which only a component rendered outside a request (a unit test) sees.
#[cfg(feature = "ssr")]
fn initial_now() -> i64 {
    use_context::<RenderedAt>().map_or(0, |r| r.0)
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
fn initial_now() -> i64 {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|html| html.get_attribute(NOW_ATTRIBUTE))
        .and_then(|v| v.parse().ok())
        .or_else(browser_clock)
        .unwrap_or(0)
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
fn initial_now() -> i64 {
    0
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
fn browser_clock() -> Option<i64> {
    // Whole milliseconds fit an f64 exactly for the next 285,000 years.
    #[allow(clippy::cast_possible_truncation)]
    Some(web_sys::js_sys::Date::now() as i64)
}

#[cfg(not(all(feature = "hydrate", not(feature = "ssr"))))]
fn browser_clock() -> Option<i64> {
    None
}

/// `2026-11-28T21:05:00Z`, for the `datetime` attribute.
pub fn iso_datetime(ms: i64) -> String {
    crate::time::iso_datetime(ms)
}

/// `28 November 2026, 21:05 UTC` / `28 november 2026, 21:05 UTC`: the tooltip of a time.
pub fn full_datetime(ms: i64, locale: Locale) -> String {
    let (year, month, day) = civil_from_days(ms.div_euclid(DAY_MS));
    let rest = ms.rem_euclid(DAY_MS);
    let month_name = usize::try_from(month - 1)
        .ok()
        .and_then(|i| MONTHS.get(i))
        .map_or("", |k| k.text(locale));
    Key::DateTimeFull.format(
        locale,
        &[
            ("day", &day.to_string()),
            ("month", month_name),
            ("year", &year.to_string()),
            (
                "time",
                &format!("{:02}:{:02}", rest / HOUR_MS, rest / MINUTE_MS % 60),
            ),
        ],
    )
}

const MONTHS: [Key; 12] = [
    Key::MonthJanuary,
    Key::MonthFebruary,
    Key::MonthMarch,
    Key::MonthApril,
    Key::MonthMay,
    Key::MonthJune,
    Key::MonthJuly,
    Key::MonthAugust,
    Key::MonthSeptember,
    Key::MonthOctober,
    Key::MonthNovember,
    Key::MonthDecember,
];

/// "3 days ago", "in 5 days", "just now": `ms` seen from `now`, in whole units rounded down
/// (a deadline 36 hours away is "in 1 day"), months of 30 days and years of 365.
pub fn relative_text(ms: i64, now: i64, locale: Locale) -> String {
    let diff = ms.saturating_sub(now);
    let future = diff > 0;
    let span = diff.saturating_abs();
    // (count, past `one` and `other` forms, future `one` and `other` forms)
    let (count, one_ago, many_ago, one_in, many_in) = if span < MINUTE_MS {
        return Key::RelJustNow.text(locale).to_owned();
    } else if span < HOUR_MS {
        (
            span / MINUTE_MS,
            Key::RelMinuteAgo,
            Key::RelMinutesAgo,
            Key::RelInMinute,
            Key::RelInMinutes,
        )
    } else if span < DAY_MS {
        (
            span / HOUR_MS,
            Key::RelHourAgo,
            Key::RelHoursAgo,
            Key::RelInHour,
            Key::RelInHours,
        )
    } else if span < 30 * DAY_MS {
        (
            span / DAY_MS,
            Key::RelDayAgo,
            Key::RelDaysAgo,
            Key::RelInDay,
            Key::RelInDays,
        )
    } else if span < 365 * DAY_MS {
        (
            span / (30 * DAY_MS),
            Key::RelMonthAgo,
            Key::RelMonthsAgo,
            Key::RelInMonth,
            Key::RelInMonths,
        )
    } else {
        (
            span / (365 * DAY_MS),
            Key::RelYearAgo,
            Key::RelYearsAgo,
            Key::RelInYear,
            Key::RelInYears,
        )
    };
    // `span` is not negative, so neither is `count`.
    let category = plural(locale, count.unsigned_abs());
    let key = match (future, category) {
        (false, Plural::One) => one_ago,
        (false, Plural::Other) => many_ago,
        (true, Plural::One) => one_in,
        (true, Plural::Other) => many_in,
    };
    key.format(locale, &[("count", &count.to_string())])
}

/// A stored time as people read it: relative text, the full date in the tooltip, the exact
/// instant for machines.
#[component]
pub fn Time(
    /// Epoch milliseconds (UTC).
    ms: i64,
) -> impl IntoView {
    let locale = use_locale();
    let now = use_now();
    view! {
        <time datetime=iso_datetime(ms) title=full_datetime(ms, locale)>
            {move || relative_text(ms, now.get(), locale)}
        </time>
    }
}

/// A catalogue text with a `{when}` placeholder around a [`Time`]: "changed 3 days ago by …".
/// The other placeholders are filled in first.
#[component]
pub fn TimeIn(
    /// The text, with `{when}` where the time goes.
    key: Key,
    /// The time, epoch milliseconds.
    ms: i64,
    /// Values of the other placeholders.
    #[prop(optional)]
    args: Vec<(&'static str, String)>,
) -> impl IntoView {
    let locale = use_locale();
    let pairs: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let text = key.format(locale, &pairs);
    let (before, after) = text
        .split_once("{when}")
        .map_or((text.clone(), String::new()), |(b, a)| {
            (b.to_owned(), a.to_owned())
        });
    view! { {before}<Time ms/>{after} }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_796_159_100_000; // 2026-12-01 21:05 UTC

    #[test]
    fn past_and_future_times_are_worded_in_both_languages() {
        let cases = [
            (NOW - 10_000, "just now", "zojuist"),
            (NOW - MINUTE_MS, "1 minute ago", "1 minuut geleden"),
            (NOW - 59 * MINUTE_MS, "59 minutes ago", "59 minuten geleden"),
            (NOW - 3 * HOUR_MS, "3 hours ago", "3 uur geleden"),
            (NOW - 3 * DAY_MS - HOUR_MS, "3 days ago", "3 dagen geleden"),
            (NOW - DAY_MS, "1 day ago", "1 dag geleden"),
            (NOW - 65 * DAY_MS, "2 months ago", "2 maanden geleden"),
            (NOW - 800 * DAY_MS, "2 years ago", "2 jaar geleden"),
            (NOW + 5 * DAY_MS, "in 5 days", "over 5 dagen"),
            (NOW + DAY_MS + 12 * HOUR_MS, "in 1 day", "over 1 dag"),
            (NOW + 2 * HOUR_MS, "in 2 hours", "over 2 uur"),
        ];
        for (ms, en, nl) in cases {
            assert_eq!(relative_text(ms, NOW, Locale::En), en);
            assert_eq!(relative_text(ms, NOW, Locale::Nl), nl);
        }
    }

    #[test]
    fn the_tooltip_names_the_month_in_the_reader_s_language() {
        assert_eq!(full_datetime(NOW, Locale::En), "1 December 2026, 21:05 UTC");
        assert_eq!(full_datetime(NOW, Locale::Nl), "1 december 2026, 21:05 UTC");
    }

    #[test]
    fn the_datetime_attribute_is_rfc_3339_in_utc() {
        assert_eq!(iso_datetime(NOW), "2026-12-01T21:05:00Z");
        assert_eq!(iso_datetime(0), "1970-01-01T00:00:00Z");
    }
}
