//! Tests of the jobs' shared types: stored names, progress, import reasons and downloads.

use super::*;
use crate::domain::error::ValueError;
use crate::i18n::Locale;

fn job(state: JobState, done: u64, total: u64) -> JobView {
    JobView {
        id: 7,
        kind: JobKind::ExportUserCsv,
        state,
        owner_name: "Megan Bowen".into(),
        subject_user_id: None,
        subject_name: None,
        progress_done: done,
        progress_total: total,
        accepted: None,
        rejected: None,
        rejections: vec![],
        error: None,
        created_at: 0,
        started_at: None,
        finished_at: None,
        result_size: Some(10),
    }
}

#[test]
fn stored_names_of_kinds_states_and_errors_read_back_as_themselves() {
    for kind in JobKind::ALL {
        assert_eq!(JobKind::parse(kind.as_str()), Some(kind));
    }
    for state in JobState::ALL {
        assert_eq!(JobState::parse(state.as_str()), Some(state));
    }
    for error in JobError::ALL {
        assert_eq!(JobError::parse(error.as_str()), error);
    }
    assert_eq!(JobKind::parse("export_everything"), None);
    assert_eq!(JobError::parse("disk on fire"), JobError::Internal);
}

#[test]
fn progress_is_a_whole_percentage_and_unknown_without_a_total() {
    assert_eq!(job(JobState::Running, 1, 3).percent(), Some(33));
    assert_eq!(job(JobState::Running, 5, 3).percent(), Some(100));
    assert_eq!(job(JobState::Queued, 0, 0).percent(), None);
    assert_eq!(job(JobState::Done, 0, 0).percent(), Some(100));
}

/// One reason of every kind, each with the numbers it carries.
fn every_reason() -> Vec<RejectionReason> {
    let mut reasons = vec![
        RejectionReason::Value(ValueError::BadCheckDigit),
        RejectionReason::Value(ValueError::TooLong { max: 128 }),
        RejectionReason::NotUtf8,
        RejectionReason::JsonCutOff,
        RejectionReason::JsonInvalid { column: 42 },
        RejectionReason::JsonUnreadable,
        RejectionReason::NotAnObject,
        RejectionReason::UnknownRecord,
        RejectionReason::UnsupportedType,
        RejectionReason::DateOutOfRange,
        RejectionReason::DuplicateId { first_line: 17 },
        RejectionReason::OtherTenant,
        RejectionReason::UpnTaken,
        RejectionReason::UnknownPrimaryUser,
    ];
    for found in JsonType::ALL {
        reasons.push(RejectionReason::ExpectedText { found });
        reasons.push(RejectionReason::ExpectedList { found });
        reasons.push(RejectionReason::ExpectedTextInList { found });
    }
    reasons
}

#[test]
fn every_import_reason_reads_in_each_language_with_its_numbers_filled_in() {
    for reason in every_reason() {
        let english = reason.message(Locale::En);
        let dutch = reason.message(Locale::Nl);
        for text in [&english, &dutch] {
            assert!(!text.trim().is_empty(), "{reason:?}");
            assert!(
                !text.contains('{'),
                "{reason:?}: a placeholder is left: {text}"
            );
        }
        assert_ne!(english, dutch, "{reason:?} is not translated");
    }
    let duplicate = RejectionReason::DuplicateId { first_line: 17 };
    assert_eq!(
        duplicate.message(Locale::En),
        "The same id is already on line 17."
    );
    assert_eq!(
        duplicate.message(Locale::Nl),
        "Hetzelfde id staat al op regel 17."
    );
    let json = RejectionReason::JsonInvalid { column: 42 };
    assert!(json.message(Locale::Nl).contains("42"));
}

#[test]
fn a_stored_import_reason_reads_back_as_itself() {
    for reason in every_reason() {
        let stored = serde_json::to_string(&reason).unwrap_or_default();
        let read: Option<RejectionReason> = serde_json::from_str(&stored).ok();
        assert_eq!(read.as_ref(), Some(&reason), "{stored}");
    }
}

#[test]
fn only_a_finished_job_with_a_result_offers_a_download() {
    assert_eq!(
        job(JobState::Done, 3, 3).download_href().as_deref(),
        Some("/jobs/7/download")
    );
    assert_eq!(job(JobState::Running, 1, 3).download_href(), None);
    let mut failed = job(JobState::Failed, 1, 3);
    failed.result_size = None;
    assert_eq!(failed.download_href(), None);
}
