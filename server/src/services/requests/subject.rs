//! What a data subject does with their own requests: sees their data and requests,
//! files a correction request, withdraws one.

use super::*;

impl RequestsService {
    pub(super) async fn load_my_data(
        &self,
        principal: &Principal,
    ) -> Result<MyDataView, ServiceError> {
        let own = crate::services::personal_data::own_records(&self.db, principal).await?;
        let data = OwnRecords {
            user: own.user,
            devices: own.devices,
        };
        let mut titles: HashMap<String, String> = HashMap::new();
        titles.insert(data.user.id.clone(), data.user.title.clone());
        for d in &data.devices {
            titles.insert(d.record.id.clone(), d.record.title.clone());
        }
        // By person, not by the devices they hold today: a disclosure of a device while it was
        // theirs stays theirs. Only what reached the recipient counts.
        let disclosures = disclosure::Entity::find()
            .filter(disclosure::Column::TenantId.eq(principal.tenant_id.clone()))
            .filter(disclosure::Column::SubjectUserId.eq(data.user.id.clone()))
            .filter(disclosure::Column::DeliveryStatus.is_in(DeliveryStatus::RECEIVED))
            .order_by_asc(disclosure::Column::DisclosedAt)
            .all(&self.db)
            .await
            .context("reading the user's disclosures")?;
        let former: Vec<String> = disclosures
            .iter()
            .filter(|d| !titles.contains_key(&d.record_id))
            .map(|d| d.record_id.clone())
            .collect();
        let mut former_ids: std::collections::HashSet<String> = std::collections::HashSet::new();
        if !former.is_empty() {
            for d in device::Entity::find()
                .filter(device::Column::TenantId.eq(principal.tenant_id.clone()))
                .filter(device::Column::Id.is_in(former))
                .all(&self.db)
                .await
                .context("reading former devices")?
            {
                // By its model only: the name it has now may be its new holder's (often with
                // their name in it), which is not this person's to see.
                titles.insert(d.id.clone(), d.model.clone());
                former_ids.insert(d.id.clone());
            }
        }
        let features: HashMap<String, sharing_feature::Model> = sharing_feature::Entity::find()
            .all(&self.db)
            .await
            .context("reading features")?
            .into_iter()
            .map(|f| (f.id.clone(), f))
            .collect();
        let recipients: HashMap<String, (String, bool)> =
            crate::services::personal_data::recipients(&self.db)
                .await?
                .into_values()
                .map(|r| (r.id, (r.name, r.is_agent)))
                .collect();
        let mut grouped: BTreeMap<(String, String, String), ReceivedView> = BTreeMap::new();
        for d in &disclosures {
            let fields: BTreeSet<&str> = d.fields.split(',').filter(|f| !f.is_empty()).collect();
            // Values outside the catalogue (push tokens, resource names) belong to the record.
            let record_category = if d.record_kind == RecordKind::User.as_str() {
                Category::Identity
            } else {
                Category::Device
            };
            let feature = features.get(&d.feature_id);
            let entry = grouped
                .entry((
                    d.record_id.clone(),
                    d.recipient_id.clone(),
                    d.feature_id.clone(),
                ))
                .or_insert_with(|| ReceivedView {
                    record_title: titles.get(&d.record_id).cloned().unwrap_or_default(),
                    former_device: former_ids.contains(&d.record_id),
                    recipient_name: recipients
                        .get(&d.recipient_id)
                        .map_or_else(|| d.recipient_id.clone(), |(name, _)| name.clone()),
                    is_agent: recipients.get(&d.recipient_id).is_some_and(|(_, a)| *a),
                    feature_name: feature.map_or_else(|| d.feature_id.clone(), |f| f.name.clone()),
                    purpose: d.purpose.clone(),
                    categories: Vec::new(),
                    fields: Vec::new(),
                    first_at: d.disclosed_at,
                    last_at: d.disclosed_at,
                    count: 0,
                });
            entry.count += 1;
            entry.last_at = entry.last_at.max(d.disclosed_at);
            entry.first_at = entry.first_at.min(d.disclosed_at);
            for f in fields {
                if !entry.fields.iter().any(|known| known == f) {
                    entry.fields.push(f.to_owned());
                }
                let category = FieldId::parse(f).map_or(record_category, |f| f.spec().category);
                if !entry.categories.contains(&category) {
                    entry.categories.push(category);
                }
            }
        }
        let mut received: Vec<ReceivedView> = grouped.into_values().collect();
        received.sort_by_key(|r| std::cmp::Reverse(r.last_at));
        Ok(MyDataView { data, received })
    }

    pub(super) async fn create_request(
        &self,
        principal: &Principal,
        input: NewRequest,
    ) -> Result<RequestView, ServiceError> {
        let me = principal
            .directory_user_id
            .clone()
            .ok_or(ServiceError::Forbidden)?;
        let reason = parse_reason(&input.reason)?.into_string();
        let txn = self.db.begin().await?;
        // A write first (it changes nothing), for the reason given at [`lock_request`]: an
        // open request for the same field, if any, is locked while this one is checked.
        correction_request::Entity::update_many()
            .col_expr(
                correction_request::Column::Version,
                Expr::col(correction_request::Column::Version).into(),
            )
            .filter(correction_request::Column::TenantId.eq(principal.tenant_id.clone()))
            .filter(correction_request::Column::RecordId.eq(input.record_id.clone()))
            .filter(correction_request::Column::Field.eq(input.field.as_str()))
            .filter(correction_request::Column::Status.eq(RequestStatus::Pending))
            .exec(&txn)
            .await?;
        // The audit trail shows the proposal under the field's visibility rule, as staff see it.
        let (route, rule) = match input.field.record() {
            RecordKind::User if input.record_id == me => {
                (input.field.spec().route, Visibility::Visible)
            }
            RecordKind::Device => {
                let d = device::Entity::find_by_id(input.record_id.clone())
                    .filter(device::Column::TenantId.eq(principal.tenant_id.clone()))
                    .filter(device::Column::PrimaryUserId.eq(me.clone()))
                    .one(&txn)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                let ctx = super::super::records::context_of(&d);
                (
                    input.field.spec_for(&ctx).route,
                    visibility(input.field, &ctx),
                )
            }
            _ => return Err(ServiceError::NotFound),
        };
        if route == CorrectionRoute::Never {
            return Err(ServiceError::invalid("field", Key::ErrNeverCorrected));
        }
        // What the platform does not collect from this device is not held: there is nothing
        // to rectify, and a proposal would store a value the collection rules keep out.
        if matches!(rule, Visibility::Hidden(_)) {
            return Err(ServiceError::invalid("field", Key::ErrNotCollected));
        }
        let value = input
            .field
            .parse_value(&input.value)
            .map_err(|e| ServiceError::invalid("value", e))?;
        let open = correction_request::Entity::find()
            .filter(correction_request::Column::TenantId.eq(principal.tenant_id.clone()))
            .filter(correction_request::Column::RecordId.eq(input.record_id.clone()))
            .filter(correction_request::Column::Field.eq(input.field.as_str()))
            .filter(correction_request::Column::Status.eq(RequestStatus::Pending))
            .one(&txn)
            .await?;
        if open.is_some() {
            // One open request per field: a double submit does not file two.
            return Err(ServiceError::Conflict);
        }
        let base_version = field_version::Entity::find_by_id((
            input.record_id.clone(),
            input.field.as_str().to_owned(),
        ))
        .one(&txn)
        .await?
        .map_or(0, |v| v.version);
        let now = self.clock.now_ms();
        let request = correction_request::ActiveModel {
            id: NotSet,
            tenant_id: Set(principal.tenant_id.clone()),
            requester_account_id: Set(Some(principal.account_id)),
            subject_user_id: Set(me.clone()),
            record_kind: Set(input.field.record().as_str().into()),
            record_id: Set(input.record_id.clone()),
            field: Set(input.field.as_str().into()),
            proposed_value: Set(value.clone()),
            base_version: Set(base_version),
            reason: Set(reason.clone()),
            restrict_sharing: Set(input.restrict_sharing),
            status: Set(RequestStatus::Pending),
            received_at: Set(now),
            due_at: Set(add_months(now, 1)),
            extension_reason: Set(None),
            paused_at: Set(None),
            decided_by: Set(None),
            decided_at: Set(None),
            decision_reason: Set(None),
            version: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
            origin_request_id: Set(None),
        }
        .insert(&txn)
        .await?;
        let mut changes = vec![Change {
            field: input.field.as_str().into(),
            before: None,
            after: apply(rule, &value),
        }];
        if input.restrict_sharing {
            changes.push(Change {
                field: "restrict_sharing".into(),
                before: None,
                after: Some("true".into()),
            });
        }
        let event = audit_step(
            &txn,
            now,
            principal,
            &request,
            AuditAction::RequestCreated,
            changes,
            Some(reason),
        )
        .await?;
        restriction_follow_ups(&txn, &request, TaskKind::NotifyRestriction, event, now).await?;
        notifications::to_reviewers(&txn, principal, request.id, now).await?;
        txn.commit().await?;
        self.view_of(principal, request.id).await
    }

    pub(super) async fn my_requests(
        &self,
        principal: &Principal,
    ) -> Result<Vec<RequestView>, ServiceError> {
        let me = principal
            .directory_user_id
            .clone()
            .ok_or(ServiceError::Forbidden)?;
        let requests = correction_request::Entity::find()
            .filter(correction_request::Column::TenantId.eq(principal.tenant_id.clone()))
            .filter(correction_request::Column::SubjectUserId.eq(me))
            .filter(correction_request::Column::Status.is_not_in(RequestStatus::AT_SOURCE))
            .order_by_desc(correction_request::Column::Id)
            .all(&self.db)
            .await
            .context("reading own requests")?;
        self.views(principal, &requests).await
    }

    pub(super) async fn withdraw_request(
        &self,
        principal: &Principal,
        id: i64,
    ) -> Result<RequestView, ServiceError> {
        let txn = self.db.begin().await?;
        lock_request(&txn, principal, id).await?;
        let request = find_request(&txn, principal, id).await?;
        let now = self.clock.now_ms();
        let mine = principal.directory_user_id.as_deref() == Some(request.subject_user_id.as_str())
            && request.requester_account_id == Some(principal.account_id);
        if !mine {
            // Someone else's request does not exist for this end user.
            return Err(ServiceError::NotFound);
        }
        if request.status != RequestStatus::Pending {
            return Err(ServiceError::Conflict);
        }
        step(
            &txn,
            now,
            &request,
            request.version,
            vec![(
                correction_request::Column::Status,
                RequestStatus::Withdrawn.into(),
            )],
        )
        .await?;
        let event = audit_step(
            &txn,
            now,
            principal,
            &request,
            AuditAction::RequestWithdrawn,
            vec![status_change(
                RequestStatus::Pending,
                RequestStatus::Withdrawn,
            )],
            None,
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
        txn.commit().await?;
        self.view_of(principal, id).await
    }
}
