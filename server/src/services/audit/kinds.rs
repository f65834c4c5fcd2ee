//! What an audit event says happened, who did it and to what: the closed sets of names the
//! audit log stores in its `action`, `actor_kind` and `target_kind` columns, as types.
//!
//! Writers pass a variant, so a misspelt action is a compile error and every action the portal
//! writes is listed here with when it is written. The columns stay text: the stored names are
//! exactly [`AuditAction::as_str`] and friends, and readers (filters, the audit-log page, a
//! user's history, the CSV download) show what is stored, including names an older release
//! wrote that are no longer listed; [`AuditAction::parse`] therefore returns an `Option`.

use app::domain::catalogue::RecordKind;
use serde::{Deserialize, Serialize};

/// A closed set of stored names: the enum, its stored names and a parser.
macro_rules! stored_name {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $value:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $(
                $(#[$vdoc])*
                $variant,
            )*
        }

        impl $name {
            /// Every name, in the order they are listed.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The stored name.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $value,)*
                }
            }

            /// Parses a stored name; `None` for one this release does not write.
            pub fn parse(raw: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|s| s.as_str() == raw)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

stored_name! {
    /// What happened. The stored name is also the kind of the in-portal notification that
    /// announces a correction request's step ([`app::domain::states::NotificationKind`]).
    AuditAction {
        /// An API token was created (its secret is never recorded).
        ApiTokenCreated = "api_token.created",
        /// An API token was revoked.
        ApiTokenRevoked = "api_token.revoked",
        /// Someone downloaded the audit log as CSV (the reason holds the filter).
        AuditExported = "audit.exported",
        /// Someone checked the audit chain's integrity (the reason holds the result).
        AuditVerified = "audit.verified",
        /// The source's own data (an import) showed the value a routed correction asked for:
        /// the correction is complete, and the field's recipients are told.
        CorrectionApplied = "correction.applied",
        /// An admin recorded a correction of a field whose source is elsewhere (directory,
        /// device, partner); the value is not changed here.
        CorrectionRouted = "correction.routed",
        /// A device's ownership was changed (written by the demo data's history).
        DeviceOwnershipChanged = "device.ownership_changed",
        /// A recipient's delivery endpoint was removed.
        EndpointRemoved = "endpoint.removed",
        /// A recipient's delivery endpoint was set or changed.
        EndpointSet = "endpoint.set",
        /// An enabled feature was enabled again, renewing its consent (e.g. to newer terms).
        FeatureConsentRenewed = "feature.consent_renewed",
        /// A sharing feature was turned off.
        FeatureDisabled = "feature.disabled",
        /// A sharing feature was turned on (with the consent it needed).
        FeatureEnabled = "feature.enabled",
        /// An admin corrected a field the portal is the source of.
        FieldCorrected = "field.corrected",
        /// A follow-up at a recipient (correction, deletion) was marked done.
        FollowUpDone = "follow_up.done",
        /// A page of a directory import was written (the changes count what it did).
        ImportBatch = "import.batch",
        /// An import changed personal data of one record (the changes hold each field's before
        /// and after under its visibility rule).
        ImportChanged = "import.changed",
        /// A background job was cancelled.
        JobCancelled = "job.cancelled",
        /// The file a background job produced was downloaded.
        JobDownloaded = "job.downloaded",
        /// An export job was started.
        JobExportStarted = "job.export_started",
        /// An account's link to its directory user was made, changed or removed at sign-in,
        /// to follow the identity provider's object id.
        AccountLinked = "account.linked",
        /// An import job ended (recorded for the account that started it).
        JobImportFinished = "job.import_finished",
        /// An import job was started.
        JobImportStarted = "job.import_started",
        /// A correction request was approved and its value applied.
        RequestApproved = "request.approved",
        /// An end user asked for a correction.
        RequestCreated = "request.created",
        /// A reviewer extended a request's deadline.
        RequestExtended = "request.extended",
        /// A reviewer paused a request's deadline.
        RequestPaused = "request.paused",
        /// A reviewer rejected a correction request.
        RequestRejected = "request.rejected",
        /// A reviewer resumed a paused request's deadline.
        RequestResumed = "request.resumed",
        /// The requester withdrew their correction request.
        RequestWithdrawn = "request.withdrawn",
        /// A role was granted to an account (by an admin, the identity provider's claims or
        /// the bootstrap command).
        RoleGranted = "role.granted",
        /// A role was taken from an account.
        RoleRevoked = "role.revoked",
        /// Someone revealed a device secret (e.g. a recovery key), with a reason.
        SecretRevealed = "secret.revealed",
        /// The identity provider's answer for a known tenant was refused.
        SignInFailed = "sign_in.failed",
        /// An account signed in.
        SignInSucceeded = "sign_in.succeeded",
        /// An account signed out (demo sign-in only).
        SignOut = "sign_out",
        /// A tenant was created (written by the demo data).
        TenantCreated = "tenant.created",
        /// A user's personal data was exported (the reason holds the format).
        UserExported = "user.exported",
        /// A user was imported from the directory (written by the generated test data).
        UserImported = "user.imported",
    }
}

stored_name! {
    /// Who acted: the `kind` of an [`Actor`](super::Actor).
    ActorKind {
        /// A signed-in account.
        Account = "account",
        /// An API token (the event names the token).
        Token = "token",
        /// The portal itself, or the identity provider on its behalf.
        System = "system",
        /// The bulk directory import.
        Import = "import",
    }
}

// An actor is serialisable; its kind is then its stored name, so a serialised actor reads like
// the audit log.
impl Serialize for ActorKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ActorKind {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        ActorKind::parse(&raw)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown actor kind {raw:?}")))
    }
}

stored_name! {
    /// What an event is about; the target id is that thing's id.
    TargetKind {
        /// A portal account.
        Account = "account",
        /// An API token.
        ApiToken = "api_token",
        /// An app inventory row of a device.
        App = "app",
        /// A correction request.
        CorrectionRequest = "correction_request",
        /// A managed device.
        Device = "device",
        /// A sharing feature.
        Feature = "feature",
        /// A follow-up task at a recipient.
        FollowUp = "follow_up",
        /// A background job.
        Job = "job",
        /// A recipient of personal data.
        Recipient = "recipient",
        /// The tenant as a whole.
        Tenant = "tenant",
        /// A directory user (data subject).
        User = "user",
    }
}

impl From<RecordKind> for TargetKind {
    /// A corrected field's record.
    fn from(kind: RecordKind) -> TargetKind {
        match kind {
            RecordKind::User => TargetKind::User,
            RecordKind::Device => TargetKind::Device,
            RecordKind::App => TargetKind::App,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn check<T: Copy + std::fmt::Debug + PartialEq>(
        all: &[T],
        as_str: fn(T) -> &'static str,
        parse: fn(&str) -> Option<T>,
    ) {
        let names: HashSet<&str> = all.iter().map(|v| as_str(*v)).collect();
        assert_eq!(names.len(), all.len(), "stored names are distinct");
        for v in all {
            assert_eq!(parse(as_str(*v)), Some(*v));
        }
        assert_eq!(parse("no.such_name"), None);
    }

    #[test]
    fn stored_names_are_distinct_and_parse_back() {
        check(AuditAction::ALL, AuditAction::as_str, AuditAction::parse);
        check(ActorKind::ALL, ActorKind::as_str, ActorKind::parse);
        check(TargetKind::ALL, TargetKind::as_str, TargetKind::parse);
    }

    #[test]
    fn a_notification_is_stored_under_the_name_of_the_step_it_announces() {
        use app::domain::states::NotificationKind;
        for kind in NotificationKind::ALL {
            assert!(
                AuditAction::parse(kind.as_str()).is_some(),
                "{kind:?} is not an audit action"
            );
        }
    }

    #[test]
    fn stored_names_are_the_ones_older_releases_wrote() {
        assert_eq!(AuditAction::FieldCorrected.as_str(), "field.corrected");
        assert_eq!(AuditAction::SignOut.as_str(), "sign_out");
        assert_eq!(ActorKind::Token.as_str(), "token");
        assert_eq!(TargetKind::CorrectionRequest.as_str(), "correction_request");
        assert_eq!(
            TargetKind::from(RecordKind::App).as_str(),
            RecordKind::App.as_str()
        );
    }

    #[test]
    fn an_actor_kind_serialises_as_its_stored_name() {
        for kind in ActorKind::ALL {
            let json = serde_json::to_string(kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(serde_json::from_str::<ActorKind>(&json).unwrap(), *kind);
        }
        assert!(serde_json::from_str::<ActorKind>("\"robot\"").is_err());
    }
}
