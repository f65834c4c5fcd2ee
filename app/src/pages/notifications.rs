//! The signed-in person's notifications about correction requests: new requests for
//! reviewers; decisions, extensions and pauses for requesters.

use crate::components::error_view::ErrorAlert;
use crate::components::time::Time;
use crate::components::toast::toast_on_success;
use crate::domain::states::NotificationKind;
use crate::i18n::Key;
use crate::locale::use_locale;
use crate::requests::{list_notifications, MarkNotificationsRead, NotificationView};
use leptos::prelude::*;
use leptos_meta::Title;

/// The notifications page.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let locale = use_locale();
    let mark = ServerAction::<MarkNotificationsRead>::new();
    let list = Resource::new(move || mark.version().get(), |_| list_notifications());
    toast_on_success(mark);
    view! {
        <Title text=Key::NotificationsTitle.text(locale)/>
        <section class="page">
            <header class="page__header">
                <h1>{Key::NotificationsTitle.text(locale)}</h1>
                <ActionForm action=mark>
                    <button type="submit" class="button button--secondary">{Key::NotificationsMarkRead.text(locale)}</button>
                </ActionForm>
            </header>
            <Transition fallback=move || view! { <p class="muted">{Key::Loading.text(locale)}</p> }>
                {move || list.get().map(|result| match result {
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    Ok(items) if items.is_empty() => view! { <p class="muted">{Key::NotificationsNone.text(locale)}</p> }.into_any(),
                    Ok(items) => view! {
                        <ul class="notification-list" data-testid="notifications">
                            {items.into_iter().map(|n| view! { <Item n/> }).collect_view()}
                        </ul>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Item(n: NotificationView) -> impl IntoView {
    let locale = use_locale();
    let field = n
        .field
        .map_or_else(String::new, |f| f.label().text(locale).to_owned());
    let key = match n.kind {
        NotificationKind::RequestCreated => Key::NotifCreated,
        NotificationKind::RequestApproved => Key::NotifApproved,
        NotificationKind::RequestRejected => Key::NotifRejected,
        NotificationKind::RequestExtended => Key::NotifExtended,
        NotificationKind::RequestPaused => Key::NotifPaused,
        NotificationKind::RequestResumed => Key::NotifResumed,
        NotificationKind::CorrectionApplied => Key::NotifApplied,
    };
    let text = key.format(locale, &[("name", &n.subject_name), ("field", &field)]);
    let href = if n.for_reviewer {
        format!("/review/{}", n.request_id)
    } else {
        "/me/requests".to_owned()
    };
    view! {
        <li class="notification" class:notification--unread=!n.read>
            {(!n.read).then(|| view! { <span class="badge">{Key::NotificationsUnread.text(locale)}</span> " " })}
            <a href=href>{text}</a>
            <span class="field__hint"><Time ms=n.created_at/></span>
        </li>
    }
}
