//! Where a correction request, a disclosure's delivery and a follow-up task stand, what a
//! follow-up asks of its recipient, what a notification announces, which way a data flow goes
//! and through which view someone read a person's data: the closed sets the database stores, as
//! types.
//!
//! On the server the same enums are the entities' column types (sea-orm's `DeriveActiveEnum`,
//! behind the `ssr` feature so the browser bundle carries no database crate): a state is never
//! compared as a string literal, and a state that exists nowhere else is a compile error.

use crate::i18n::Key;

/// A closed set of stored states: the enum, its stored names, and (on the server) its column
/// mapping. Serialised as the stored name.
macro_rules! stored_state {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $value:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
        #[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "Text"))]
        pub enum $name {
            $(
                $(#[$vdoc])*
                #[cfg_attr(feature = "ssr", sea_orm(string_value = $value))]
                #[serde(rename = $value)]
                $variant,
            )*
        }

        impl $name {
            /// Every state, in the order they are listed.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The stored name.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $value,)*
                }
            }

            /// Parses a stored name (a filter value, an API parameter).
            pub fn parse(raw: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|s| s.as_str() == raw)
            }
        }
    };
}

stored_state! {
    /// Where a correction request stands. `pending` requests wait for a reviewer (and, with
    /// `restrict_sharing`, hold back the field from new disclosures); `approved`, `rejected`
    /// and `withdrawn` are final. `routed` and `applied` are the two states of a correction
    /// at the field's source (the directory, the device, a partner), recorded by an admin or
    /// by the approval of an end user's request; they are not an end user's request.
    RequestStatus {
        Pending = "pending",
        Approved = "approved",
        Rejected = "rejected",
        Withdrawn = "withdrawn",
        /// Waiting for the source: nothing has changed yet, here or there.
        Routed = "routed",
        /// The source's own data (an import or a sync) showed the new value; only then is the
        /// field's version moved on and its recipients told.
        Applied = "applied",
        /// Replaced by a newer correction of the same field before the source showed it.
        Superseded = "superseded",
    }
}

impl RequestStatus {
    /// The human label.
    pub fn label(self) -> Key {
        match self {
            RequestStatus::Pending => Key::ReqStatusPending,
            RequestStatus::Approved => Key::ReqStatusApproved,
            RequestStatus::Rejected => Key::ReqStatusRejected,
            RequestStatus::Withdrawn => Key::ReqStatusWithdrawn,
            RequestStatus::Routed => Key::ReqStatusRouted,
            RequestStatus::Applied => Key::ReqStatusApplied,
            RequestStatus::Superseded => Key::ReqStatusSuperseded,
        }
    }

    /// The states of a correction at its source: never listed or decided as an end user's
    /// request.
    pub const AT_SOURCE: [RequestStatus; 3] = [
        RequestStatus::Routed,
        RequestStatus::Applied,
        RequestStatus::Superseded,
    ];

    /// The states in which a request that asked to restrict sharing holds its field back: while
    /// it waits for a decision, and after its approval while the correction waits for its
    /// source (the value is known to be wrong until the source shows the new one).
    pub const RESTRICTING: [RequestStatus; 2] = [RequestStatus::Pending, RequestStatus::Routed];

    /// Whether the request still waits for a decision (and may restrict sharing).
    pub fn is_open(self) -> bool {
        self == RequestStatus::Pending
    }
}

stored_state! {
    /// Where the delivery of a disclosure to the recipient's endpoint stands.
    DeliveryStatus {
        /// Written before delivery existed, or by seeding: disclosed, not posted.
        Recorded = "recorded",
        /// The recipient has no endpoint: the disclosure is recorded, nothing is posted.
        RecordedOnly = "recorded_only",
        /// Waiting to be posted (or retried).
        Pending = "pending",
        /// Posted and accepted by the endpoint.
        Delivered = "delivered",
        /// Given up after the last retry.
        Failed = "failed",
        /// Never sent: the feature was turned off (or consent withdrawn) first.
        Cancelled = "cancelled",
        /// Never sent: a newer disclosure of the same record replaced it first.
        Superseded = "superseded",
    }
}

impl DeliveryStatus {
    /// States of disclosures the recipient has: posted and accepted, or recorded as shared
    /// outside the portal (no endpoint, or before delivery existed). Only these count as
    /// "received" where it matters: the Art. 19 follow-ups after a correction, and who
    /// received a field. A pending or failed delivery has not reached anyone.
    pub const RECEIVED: [DeliveryStatus; 3] = [
        DeliveryStatus::Delivered,
        DeliveryStatus::RecordedOnly,
        DeliveryStatus::Recorded,
    ];
}

stored_state! {
    /// Where a follow-up task owed to a recipient stands (an Art. 19 notice, a deletion).
    TaskStatus {
        /// Waiting: to be delivered, or done by hand.
        Open = "open",
        /// Posted to the recipient's endpoint, not yet acknowledged.
        Sent = "sent",
        /// The recipient's endpoint confirmed it.
        Acknowledged = "acknowledged",
        /// Delivery gave up after the last retry.
        Failed = "failed",
        /// Marked done by an admin.
        Done = "done",
    }
}

stored_state! {
    /// What a follow-up task asks of its recipient. The recipient's endpoint receives the
    /// stored name as the follow-up's `kind`.
    TaskKind {
        /// Delete what it holds of a feature that was turned off.
        DeleteAtRecipient = "delete_at_recipient",
        /// A field it received was corrected (GDPR Art. 19).
        NotifyCorrection = "notify_correction",
        /// A field it received is restricted (Art. 19 for Art. 18): stop processing it until
        /// told otherwise.
        NotifyRestriction = "notify_restriction",
        /// The restriction of the field has ended.
        NotifyRestrictionLifted = "notify_restriction_lifted",
    }
}

stored_state! {
    /// Which way a data flow of a sharing feature goes, seen from the portal's tenant.
    FlowDirection {
        /// The recipient gets the fields.
        Outbound = "outbound",
        /// The recipient sends them.
        Inbound = "inbound",
    }
}

stored_state! {
    /// What an in-portal notification announces: a step of a correction request. The stored
    /// name is the name of the step's audit action.
    NotificationKind {
        /// A new request, for every reviewer but the requester.
        RequestCreated = "request.created",
        /// The requester's request was approved.
        RequestApproved = "request.approved",
        /// The requester's request was rejected.
        RequestRejected = "request.rejected",
        /// The requester's deadline was extended.
        RequestExtended = "request.extended",
        /// The requester's request was paused.
        RequestPaused = "request.paused",
        /// The requester's request was resumed.
        RequestResumed = "request.resumed",
        /// The field's source showed the corrected value the requester asked for.
        CorrectionApplied = "correction.applied",
    }
}

impl TaskStatus {
    /// The human label.
    pub fn label(self) -> Key {
        match self {
            TaskStatus::Open => Key::TaskStatusOpen,
            TaskStatus::Sent => Key::TaskStatusSent,
            TaskStatus::Acknowledged => Key::TaskStatusAcknowledged,
            TaskStatus::Failed => Key::TaskStatusFailed,
            TaskStatus::Done => Key::TaskStatusDone,
        }
    }

    /// Whether the recipient is known to have been told (nothing is owed any more).
    pub fn is_settled(self) -> bool {
        matches!(self, TaskStatus::Done | TaskStatus::Acknowledged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_reads_back_from_its_stored_name_and_serialises_as_it() {
        for s in RequestStatus::ALL {
            assert_eq!(RequestStatus::parse(s.as_str()), Some(*s));
            assert_eq!(serde_json::to_value(s).ok(), Some(s.as_str().into()));
        }
        for s in DeliveryStatus::ALL {
            assert_eq!(DeliveryStatus::parse(s.as_str()), Some(*s));
            assert_eq!(serde_json::to_value(s).ok(), Some(s.as_str().into()));
        }
        for s in TaskStatus::ALL {
            assert_eq!(TaskStatus::parse(s.as_str()), Some(*s));
            assert_eq!(serde_json::to_value(s).ok(), Some(s.as_str().into()));
        }
        for s in TaskKind::ALL {
            assert_eq!(TaskKind::parse(s.as_str()), Some(*s));
            assert_eq!(serde_json::to_value(s).ok(), Some(s.as_str().into()));
        }
        for s in FlowDirection::ALL {
            assert_eq!(FlowDirection::parse(s.as_str()), Some(*s));
            assert_eq!(serde_json::to_value(s).ok(), Some(s.as_str().into()));
        }
        for s in NotificationKind::ALL {
            assert_eq!(NotificationKind::parse(s.as_str()), Some(*s));
            assert_eq!(serde_json::to_value(s).ok(), Some(s.as_str().into()));
            let read: Option<NotificationKind> = serde_json::from_value(s.as_str().into()).ok();
            assert_eq!(read, Some(*s));
        }
        assert_eq!(
            RequestStatus::parse("done"),
            None,
            "a name that is not a state is refused"
        );
    }
}

stored_state! {
    /// Through which view someone read a data subject's personal data (the access log).
    AccessView {
        /// The person page of the admin console.
        UserPage = "user_page",
        /// The review page of a correction request.
        Review = "review",
        /// The REST API (a script, with a token).
        Api = "api",
        /// An export of everything held (download, REST, background job or command line).
        Export = "export",
        /// A secret of a device shown to an admin, with a reason.
        Reveal = "reveal",
        /// A list of people a script read through the REST API (name, UPN, e-mail,
        /// department): one entry per person on the page it was given.
        Search = "search",
    }
}

stored_state! {
    /// Who read, as the access log records it: a signed-in person (also for a background job,
    /// which reads for the account that started it), a script with an API token, or the portal
    /// itself (a command of the server's operator).
    ReaderKind {
        Account = "account",
        Token = "token",
        System = "system",
    }
}

impl AccessView {
    /// The human label.
    pub fn label(self) -> Key {
        match self {
            AccessView::UserPage => Key::AccessViewUserPage,
            AccessView::Review => Key::AccessViewReview,
            AccessView::Api => Key::AccessViewApi,
            AccessView::Export => Key::AccessViewExport,
            AccessView::Reveal => Key::AccessViewReveal,
            AccessView::Search => Key::AccessViewSearch,
        }
    }

    /// Who read through this view, as the data subject is told (staff are not named to them).
    pub fn reader(self, kind: ReaderKind) -> Key {
        match (kind, self) {
            (ReaderKind::Token, _) => Key::AccessReaderScript,
            (ReaderKind::System, _) => Key::AccessReaderPortal,
            (ReaderKind::Account, AccessView::Review) => Key::AccessReaderReviewer,
            (ReaderKind::Account, _) => Key::AccessReaderAdmin,
        }
    }
}
