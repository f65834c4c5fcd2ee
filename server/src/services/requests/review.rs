//! Deciding a request: the four-eyes rule, the review page, approval (which applies the
//! correction in the same transaction), rejection, extension and pausing of the deadline.

use super::*;

impl RequestsService {
    /// The four-eyes rule: who may not decide this request.
    pub(super) async fn four_eyes(
        &self,
        conn: &impl ConnectionTrait,
        principal: &Principal,
        request: &correction_request::Model,
        approving: bool,
    ) -> Result<Option<FourEyes>, ServiceError> {
        if request.requester_account_id == Some(principal.account_id)
            || principal.directory_user_id.as_deref() == Some(request.subject_user_id.as_str())
        {
            return Ok(Some(FourEyes::OwnRequest));
        }
        if approving {
            let last = field_version::Entity::find_by_id((
                request.record_id.clone(),
                request.field.clone(),
            ))
            .one(conn)
            .await?;
            // By account, never by name: two people (or a token) can share a display name.
            // A change from before accounts were recorded falls back to the name, which then
            // refuses more, never less.
            if last.is_some_and(|v| match v.changed_by_account_id {
                Some(account) => account == principal.account_id,
                None => v.changed_by == principal.actor_name(),
            }) {
                return Ok(Some(FourEyes::LastChangedByReviewer));
            }
        }
        Ok(None)
    }

    pub(super) async fn load_review(
        &self,
        principal: &Principal,
        id: i64,
    ) -> Result<ReviewView, ServiceError> {
        let request = find_request(&self.db, principal, id).await?;
        let view = self
            .views(principal, std::slice::from_ref(&request))
            .await?
            .pop()
            .ok_or(ServiceError::NotFound)?;
        let data = self
            .personal_data()
            .load(principal, &request.subject_user_id)
            .await?;
        crate::services::access_log::record(
            &self.db,
            &principal.tenant_id,
            &crate::services::audit::Actor::of(principal),
            &request.subject_user_id,
            crate::entities::access_log::AccessView::Review,
            self.clock.now_ms(),
        )
        .await?;
        let record: Option<&RecordView> = if request.record_kind == RecordKind::User.as_str() {
            Some(&data.user)
        } else {
            data.devices
                .iter()
                .find(|d| d.record.id == request.record_id)
                .map(|d| &d.record)
        };
        let field = record
            .and_then(|r| r.fields.iter().find(|f| f.field == view.field))
            .ok_or(ServiceError::NotFound)?;
        let route = match data
            .devices
            .iter()
            .find(|d| d.record.id == request.record_id)
        {
            Some(d) => view.field.spec_for(&d.context).route,
            None => view.field.spec().route,
        };
        let refusal = self.four_eyes(&self.db, principal, &request, true).await?;
        Ok(ReviewView {
            current_value: field.value.clone(),
            visibility: field.visibility,
            field_version: field.version,
            changed_by: field.changed_by.clone(),
            changed_at: field.changed_at,
            source: view.field.spec().source,
            route,
            received_by: field.received_by.clone(),
            refusal,
            request: view,
        })
    }

    /// The answer to a repeated decision: the stored outcome, or a conflict if the request
    /// ended otherwise.
    pub(super) async fn decided(
        &self,
        conn: &impl ConnectionTrait,
        request: &correction_request::Model,
        wanted: RequestStatus,
    ) -> Result<DecisionOutcome, ServiceError> {
        if request.status != wanted {
            return Err(ServiceError::Conflict);
        }
        let informed = request_outcome::Entity::find_by_id(request.id)
            .one(conn)
            .await?
            .map(|o| recipients_of(&o))
            .unwrap_or_default();
        let waiting_for = at_source_of(conn, &request.tenant_id, &[request.id])
            .await?
            .get(&request.id)
            .filter(|a| a.status == RequestStatus::Routed)
            .map(|a| a.route);
        Ok(DecisionOutcome {
            status: wanted,
            informed_recipients: informed,
            waiting_for,
        })
    }

    pub(super) async fn approve_request(
        &self,
        principal: &Principal,
        id: i64,
        request_version: i64,
        field_version: i64,
    ) -> Result<DecisionOutcome, ServiceError> {
        let attempt = self
            .try_approve(principal, id, request_version, field_version)
            .await;
        match attempt {
            // A concurrent approval that won the race: answer with its outcome.
            Err(ServiceError::Conflict) => {
                let request = find_request(&self.db, principal, id).await?;
                self.decided(&self.db, &request, RequestStatus::Approved)
                    .await
            }
            other => other,
        }
    }

    pub(super) async fn try_approve(
        &self,
        principal: &Principal,
        id: i64,
        request_version: i64,
        field_version: i64,
    ) -> Result<DecisionOutcome, ServiceError> {
        let txn = self.db.begin().await?;
        lock_request(&txn, principal, id).await?;
        let request = find_request(&txn, principal, id).await?;
        if request.status != RequestStatus::Pending {
            return self.decided(&txn, &request, RequestStatus::Approved).await;
        }
        if self
            .four_eyes(&txn, principal, &request, true)
            .await?
            .is_some()
        {
            return Err(ServiceError::Forbidden);
        }
        let now = self.clock.now_ms();
        step(
            &txn,
            now,
            &request,
            request_version,
            vec![
                (
                    correction_request::Column::Status,
                    RequestStatus::Approved.into(),
                ),
                (
                    correction_request::Column::DecidedBy,
                    Some(principal.account_id).into(),
                ),
                (correction_request::Column::DecidedAt, Some(now).into()),
                (correction_request::Column::PausedAt, None::<i64>.into()),
            ],
        )
        .await?;
        let field = FieldId::parse(&request.field).map_err(|_| ServiceError::NotFound)?;
        let route = route_of(&txn, &request, field).await?;
        let outcome = personal_data::correct_in(
            &txn,
            principal,
            &CorrectionInput {
                user_id: request.subject_user_id.clone(),
                record_id: request.record_id.clone(),
                field,
                value: request.proposed_value.clone(),
                base_version: field_version,
                reason: format!("#{}: {}", request.id, request.reason),
            },
            if route == CorrectionRoute::Portal {
                Made::InPortal
            } else {
                Made::AtSource {
                    origin: Some(Origin {
                        id: request.id,
                        restrict_sharing: request.restrict_sharing,
                        due_at: effective_due(&request, now),
                    }),
                }
            },
            now,
        )
        .await?;
        personal_data::at_source::record_outcome(
            &txn,
            &principal.tenant_id,
            request.id,
            outcome.version,
            &outcome.follow_up_recipients,
            now,
        )
        .await?;
        // Still waiting for the source (not already showing the value): the restriction and
        // the recipients' notices wait too.
        let waiting_for = at_source_of(&txn, &principal.tenant_id, &[request.id])
            .await?
            .get(&request.id)
            .filter(|a| a.status == RequestStatus::Routed)
            .map(|a| a.route);
        let event = audit_step(
            &txn,
            now,
            principal,
            &request,
            AuditAction::RequestApproved,
            vec![status_change(
                RequestStatus::Pending,
                RequestStatus::Approved,
            )],
            None,
        )
        .await?;
        if route == CorrectionRoute::Portal {
            // At the source, the end of the restriction is told when the task completes (or
            // is replaced), by `at_source`.
            restriction_follow_ups(
                &txn,
                &request,
                TaskKind::NotifyRestrictionLifted,
                event,
                now,
            )
            .await?;
        }
        notifications::to_requester(&txn, &request, NotificationKind::RequestApproved, now).await?;
        txn.commit().await?;
        Ok(DecisionOutcome {
            status: RequestStatus::Approved,
            informed_recipients: outcome.follow_up_recipients,
            waiting_for,
        })
    }

    pub(super) async fn reject_request(
        &self,
        principal: &Principal,
        id: i64,
        request_version: i64,
        reason: &str,
    ) -> Result<DecisionOutcome, ServiceError> {
        let txn = self.db.begin().await?;
        lock_request(&txn, principal, id).await?;
        let request = find_request(&txn, principal, id).await?;
        if request.status != RequestStatus::Pending {
            return self.decided(&txn, &request, RequestStatus::Rejected).await;
        }
        let reason = parse_reason(reason)?.into_string();
        if self
            .four_eyes(&txn, principal, &request, false)
            .await?
            .is_some()
        {
            return Err(ServiceError::Forbidden);
        }
        let now = self.clock.now_ms();
        let stepped = step(
            &txn,
            now,
            &request,
            request_version,
            vec![
                (
                    correction_request::Column::Status,
                    RequestStatus::Rejected.into(),
                ),
                (
                    correction_request::Column::DecidedBy,
                    Some(principal.account_id).into(),
                ),
                (correction_request::Column::DecidedAt, Some(now).into()),
                (
                    correction_request::Column::DecisionReason,
                    Some(reason.clone()).into(),
                ),
                (correction_request::Column::PausedAt, None::<i64>.into()),
            ],
        )
        .await;
        if let Err(refusal) = stepped {
            drop(txn);
            let request = find_request(&self.db, principal, id).await?;
            return match self
                .decided(&self.db, &request, RequestStatus::Rejected)
                .await
            {
                Ok(outcome) => Ok(outcome),
                Err(_) => Err(refusal),
            };
        }
        let event = audit_step(
            &txn,
            now,
            principal,
            &request,
            AuditAction::RequestRejected,
            vec![status_change(
                RequestStatus::Pending,
                RequestStatus::Rejected,
            )],
            Some(reason),
        )
        .await?;
        restriction_follow_ups(
            &txn,
            &request,
            TaskKind::NotifyRestrictionLifted,
            event,
            now,
        )
        .await?;
        notifications::to_requester(&txn, &request, NotificationKind::RequestRejected, now).await?;
        txn.commit().await?;
        Ok(DecisionOutcome {
            status: RequestStatus::Rejected,
            informed_recipients: Vec::new(),
            waiting_for: None,
        })
    }

    pub(super) async fn extend_request(
        &self,
        principal: &Principal,
        id: i64,
        request_version: i64,
        months: u32,
        reason: &str,
    ) -> Result<RequestView, ServiceError> {
        if !(1..=2).contains(&months) {
            return Err(ServiceError::invalid("months", Key::ErrExtensionMonths));
        }
        let reason = parse_reason(reason)?.into_string();
        let txn = self.db.begin().await?;
        lock_request(&txn, principal, id).await?;
        let request = find_request(&txn, principal, id).await?;
        if request.status != RequestStatus::Pending || request.extension_reason.is_some() {
            // Extended once already, or decided.
            return Err(ServiceError::Conflict);
        }
        if self
            .four_eyes(&txn, principal, &request, false)
            .await?
            .is_some()
        {
            return Err(ServiceError::Forbidden);
        }
        let now = self.clock.now_ms();
        // Art. 12(3): the requester is told of an extension within the first period, so it
        // cannot be decided once the deadline has passed.
        if now > effective_due(&request, now) {
            return Err(ServiceError::invalid("months", Key::ErrExtensionTooLate));
        }
        let due = add_months(request.due_at, i64::from(months));
        step(
            &txn,
            now,
            &request,
            request_version,
            vec![
                (correction_request::Column::DueAt, due.into()),
                (
                    correction_request::Column::ExtensionReason,
                    Some(reason.clone()).into(),
                ),
            ],
        )
        .await?;
        audit_step(
            &txn,
            now,
            principal,
            &request,
            AuditAction::RequestExtended,
            vec![Change {
                field: "due_at".into(),
                before: Some(crate::clock::to_rfc3339(request.due_at)),
                after: Some(crate::clock::to_rfc3339(due)),
            }],
            Some(reason),
        )
        .await?;
        notifications::to_requester(&txn, &request, NotificationKind::RequestExtended, now).await?;
        txn.commit().await?;
        self.view_of(principal, id).await
    }

    pub(super) async fn pause_request(
        &self,
        principal: &Principal,
        id: i64,
        request_version: i64,
        pause: bool,
    ) -> Result<RequestView, ServiceError> {
        let txn = self.db.begin().await?;
        lock_request(&txn, principal, id).await?;
        let request = find_request(&txn, principal, id).await?;
        if request.status != RequestStatus::Pending || request.paused_at.is_some() == pause {
            return Err(ServiceError::Conflict);
        }
        if self
            .four_eyes(&txn, principal, &request, false)
            .await?
            .is_some()
        {
            return Err(ServiceError::Forbidden);
        }
        let now = self.clock.now_ms();
        let (changes, action, audit_change) = if pause {
            (
                vec![(correction_request::Column::PausedAt, Some(now).into())],
                AuditAction::RequestPaused,
                Change {
                    field: "paused_at".into(),
                    before: None,
                    after: Some(crate::clock::to_rfc3339(now)),
                },
            )
        } else {
            let due = effective_due(&request, now);
            (
                vec![
                    (correction_request::Column::PausedAt, None::<i64>.into()),
                    (correction_request::Column::DueAt, due.into()),
                ],
                AuditAction::RequestResumed,
                Change {
                    field: "due_at".into(),
                    before: Some(crate::clock::to_rfc3339(request.due_at)),
                    after: Some(crate::clock::to_rfc3339(due)),
                },
            )
        };
        step(&txn, now, &request, request_version, changes).await?;
        audit_step(
            &txn,
            now,
            principal,
            &request,
            action,
            vec![audit_change],
            None,
        )
        .await?;
        let notice = if pause {
            NotificationKind::RequestPaused
        } else {
            NotificationKind::RequestResumed
        };
        notifications::to_requester(&txn, &request, notice, now).await?;
        txn.commit().await?;
        self.view_of(principal, id).await
    }
}
