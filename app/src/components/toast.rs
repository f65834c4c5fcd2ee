//! Toasts: the short "done" message after an action succeeds (a field corrected, a request
//! approved, a feature turned on …), in one polite status region of the app shell instead of a
//! different success box on every page. Failures stay next to the form that caused them.
//!
//! With the browser bundle, a page ties its server actions to the toaster with
//! [`toast_on_success`]. Without it, the form posts, the server answers with a redirect back to
//! the page and appends `done=<server function>` (see the server's `flash` middleware), and the
//! region shows the same message from that query parameter while the page re-renders with its
//! new state. Both paths name the message by the server function's path, so they cannot
//! disagree.

use crate::i18n::Key;
use crate::locale::use_locale;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;
use std::time::Duration;

/// How long a toast stays when nobody hovers or focuses it.
const VISIBLE_FOR: Duration = Duration::from_secs(6);

/// Query parameter that carries a completed action to a page rendered without the bundle.
pub const DONE_PARAMETER: &str = "done";

/// Shows and hides the shell's toast; provided through context by [`ToastRegion`].
#[derive(Clone, Copy, Debug)]
pub struct Toaster {
    message: RwSignal<Option<String>>,
    /// Bumped by every show and every end of a hover or focus, so an older timer knows it is
    /// stale.
    generation: RwSignal<u64>,
    /// While the pointer or the focus is on the toast it does not hide on its own.
    held: RwSignal<bool>,
}

impl Toaster {
    /// Shows a message (replacing the one shown) and starts its timer.
    pub fn show(self, text: String) {
        self.message.set(Some(text));
        self.generation.update(|g| *g += 1);
    }

    /// Hides the message.
    pub fn dismiss(self) {
        self.message.set(None);
        self.held.set(false);
    }
}

/// The page's toaster, if the shell provided one.
pub fn use_toaster() -> Option<Toaster> {
    use_context::<Toaster>()
}

/// The confirmation a successful call of a server function earns, by its path
/// (`/api/users/correct` or `users/correct`); `None` for reads and for actions whose result is
/// shown on the page itself (a new API token, a sharing cycle's figures).
pub fn confirmation(path: &str) -> Option<Key> {
    let endpoint = path.trim_start_matches("/api/").trim_start_matches('/');
    Some(match endpoint {
        "users/correct" => Key::ToastCorrected,
        "users/route" => Key::ToastRouted,
        "requests/create" => Key::ToastRequestSent,
        "requests/withdraw" => Key::ToastRequestWithdrawn,
        "review/approve" => Key::ToastRequestApproved,
        "review/reject" => Key::ToastRequestRejected,
        "review/extend" => Key::ToastRequestExtended,
        "review/pause" => Key::ToastRequestPaused,
        "sharing/enable" => Key::ToastFeatureEnabled,
        "sharing/disable" => Key::ToastFeatureDisabled,
        "sharing/endpoint" => Key::ToastEndpointSaved,
        "sharing/task-done" => Key::ToastFollowUpDone,
        "api-tokens/create" => Key::ToastTokenCreated,
        "api-tokens/revoke" => Key::ToastTokenRevoked,
        "accounts/grant" => Key::ToastRoleGranted,
        "accounts/revoke" => Key::ToastRoleRevoked,
        "notifications/read" => Key::ToastNotificationsRead,
        "jobs/export" => Key::ToastJobStarted,
        "jobs/cancel" => Key::ToastJobCancelled,
        _ => return None,
    })
}

/// Shows the action's confirmation (from [`confirmation`]) each time it completes successfully.
pub fn toast_on_success<S>(action: ServerAction<S>)
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    let Some(key) = confirmation(S::PATH) else {
        return;
    };
    let locale = use_locale();
    toast_when(action, move |_| Some(key.text(locale).to_owned()));
}

/// Shows `text(output)` each time the action completes successfully and `text` gives a message;
/// for confirmations that name what was done ("Saved. TeamViewer will be informed.").
pub fn toast_when<S>(action: ServerAction<S>, text: impl Fn(&S::Output) -> Option<String> + 'static)
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    let Some(toaster) = use_toaster() else {
        return;
    };
    // The version moves when a call completes; the first run only notes where it stands, so a
    // page that is re-created does not repeat an old confirmation.
    Effect::new(move |seen: Option<usize>| {
        let version = action.version().get();
        if seen.is_some_and(|s| s != version) {
            let message = action.value().with_untracked(|v| match v {
                Some(Ok(output)) => text(output),
                _ => None,
            });
            if let Some(message) = message {
                toaster.show(message);
            }
        }
        version
    });
}

/// Creates the shell's toaster and provides it to the pages; called by the layout before it
/// renders a page. A `done` parameter in the address (a form posted without the browser bundle)
/// is shown at once.
pub fn provide_toaster() -> Toaster {
    let locale = use_locale();
    let flashed = use_query_map()
        .with_untracked(|q| q.get(DONE_PARAMETER))
        .as_deref()
        .and_then(confirmation)
        .map(|k| k.text(locale).to_owned());
    let toaster = Toaster {
        message: RwSignal::new(flashed),
        generation: RwSignal::new(0),
        held: RwSignal::new(false),
    };
    provide_context(toaster);
    toaster
}

/// The shell's status region: a polite live region that is always present (so screen readers
/// announce what appears in it), with a dismiss button; Escape also dismisses. It hides by
/// itself after a few seconds, but not while hovered or focused.
#[component]
pub fn ToastRegion(toaster: Toaster) -> impl IntoView {
    let locale = use_locale();

    // Browser only (effects and timers do not run on the server): hide after a while unless
    // held; a newer generation makes this timer stale.
    Effect::new(move |_| {
        let generation = toaster.generation.get();
        if toaster.held.get() || toaster.message.with_untracked(Option::is_none) {
            return;
        }
        set_timeout(
            move || {
                if toaster.generation.get_untracked() == generation && !toaster.held.get_untracked()
                {
                    toaster.message.set(None);
                }
            },
            VISIBLE_FOR,
        );
    });
    let escape = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape"
            && !ev.default_prevented()
            && toaster.message.with_untracked(Option::is_some)
        {
            toaster.dismiss();
        }
    });
    on_cleanup(move || escape.remove());

    let hold = move |on: bool| {
        toaster.held.set(on);
        if !on {
            toaster.generation.update(|g| *g += 1);
        }
    };
    let open = move || toaster.message.with(Option::is_some);
    view! {
        <div
            class=move || if open() { "toast toast--open" } else { "toast" }
            data-testid="toast-region"
            on:mouseenter=move |_| hold(true)
            on:mouseleave=move |_| hold(false)
            on:focusin=move |_| hold(true)
            on:focusout=move |_| hold(false)
        >
            <p class="toast__text" role="status" aria-live="polite" data-testid="toast">
                {move || toaster.message.get()}
            </p>
            <Show when=open>
                <button
                    type="button"
                    class="toast__close"
                    aria-label=Key::ToastDismiss.text(locale)
                    title=Key::ToastDismiss.text(locale)
                    on:click=move |_| toaster.dismiss()
                >
                    <span aria-hidden="true">"×"</span>
                </button>
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_that_changes_something_has_a_confirmation() {
        for path in [
            "/api/users/correct",
            "/api/requests/create",
            "/api/requests/withdraw",
            "/api/review/approve",
            "/api/review/reject",
            "/api/sharing/enable",
            "/api/sharing/disable",
            "/api/sharing/task-done",
            "/api/api-tokens/revoke",
            "/api/accounts/grant",
            "/api/accounts/revoke",
        ] {
            assert!(confirmation(path).is_some(), "{path}");
        }
    }

    #[test]
    fn reads_and_unknown_names_earn_no_toast() {
        for path in ["/api/users/data", "/api/session", "nonsense", ""] {
            assert_eq!(confirmation(path), None, "{path}");
        }
    }
}
