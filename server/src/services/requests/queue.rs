//! The reviewers' queue: pending (or filtered) requests of the tenant, page by page.

use super::*;

impl RequestsService {
    /// One page of the queue, by deadline. Every filter is a condition of the query, and the
    /// page starts after the cursor `(due_at, id)`, so a page reads a bounded number of rows of
    /// `ix_requests_tenant_status` however many requests are open (the queue used to
    /// read and name every open request of the tenant).
    pub(super) async fn load_queue(
        &self,
        principal: &Principal,
        filter: QueueFilter,
    ) -> Result<QueueView, ServiceError> {
        let bad = |name: &str| ServiceError::invalid(name, Key::ErrInvalidFilter);
        let now = self.clock.now_ms();
        let mut query = correction_request::Entity::find()
            .filter(correction_request::Column::TenantId.eq(principal.tenant_id.clone()));
        match filter.status.as_str() {
            "" => {
                query = query.filter(correction_request::Column::Status.eq(RequestStatus::Pending))
            }
            "all" => {
                query = query
                    .filter(correction_request::Column::Status.is_not_in(RequestStatus::AT_SOURCE))
            }
            other => {
                let status = RequestStatus::parse(other)
                    .filter(|s| !RequestStatus::AT_SOURCE.contains(s))
                    .ok_or_else(|| bad("status"))?;
                query = query.filter(correction_request::Column::Status.eq(status));
            }
        }
        if !filter.category.is_empty() {
            let category = Category::parse(&filter.category).map_err(|_| bad("category"))?;
            let fields: Vec<&str> = FieldId::ALL
                .iter()
                .filter(|f| f.spec().category == category)
                .map(|f| f.as_str())
                .collect();
            query = query.filter(correction_request::Column::Field.is_in(fields));
        }
        if !filter.age.is_empty() {
            let days = filter
                .age
                .parse::<i64>()
                .ok()
                .filter(|d| (0..=3650).contains(d))
                .ok_or_else(|| bad("age"))?;
            query = query.filter(correction_request::Column::ReceivedAt.lte(now - days * DAY_MS));
        }
        if !filter.user.is_empty() {
            query = query.filter(correction_request::Column::SubjectUserId.eq(filter.user.clone()));
        }
        let pending = || correction_request::Column::Status.eq(RequestStatus::Pending);
        let running = || correction_request::Column::PausedAt.is_null();
        match filter.due.as_str() {
            "" => {}
            "overdue" => {
                query = query
                    .filter(pending())
                    .filter(running())
                    .filter(correction_request::Column::DueAt.lt(now));
            }
            // While paused the deadline moves with the clock: due - paused is what is left.
            "week" => {
                query = query.filter(pending()).filter(
                    Condition::any()
                        .add(
                            Condition::all()
                                .add(running())
                                .add(correction_request::Column::DueAt.lte(now + 7 * DAY_MS)),
                        )
                        .add(
                            Condition::all()
                                .add(correction_request::Column::PausedAt.is_not_null())
                                .add(
                                    Expr::expr(
                                        Expr::col(correction_request::Column::DueAt)
                                            .sub(Expr::col(correction_request::Column::PausedAt)),
                                    )
                                    .lte(7 * DAY_MS),
                                ),
                        ),
                );
            }
            _ => return Err(bad("due")),
        }
        if !filter.after.is_empty() {
            let (due, id) = filter
                .after
                .split_once('.')
                .and_then(|(d, i)| Some((d.parse::<i64>().ok()?, i.parse::<i64>().ok()?)))
                .ok_or_else(|| bad("after"))?;
            query = query.filter(
                Expr::tuple([
                    Expr::col(correction_request::Column::DueAt).into(),
                    Expr::col(correction_request::Column::Id).into(),
                ])
                .gt(Expr::tuple([Expr::val(due).into(), Expr::val(id).into()])),
            );
        }
        let mut requests = query
            .order_by_asc(correction_request::Column::DueAt)
            .order_by_asc(correction_request::Column::Id)
            .limit(QUEUE_PAGE_SIZE + 1)
            .all(&self.db)
            .await
            .context("reading the queue")?;
        let next = if requests.len() > usize::try_from(QUEUE_PAGE_SIZE).unwrap_or(usize::MAX) {
            requests.truncate(usize::try_from(QUEUE_PAGE_SIZE).unwrap_or(usize::MAX));
            requests.last().map(|r| format!("{}.{}", r.due_at, r.id))
        } else {
            None
        };
        let items = self.views(principal, &requests).await?;
        Ok(QueueView {
            items,
            next,
            users: if filter.without_users {
                Vec::new()
            } else {
                self.queue_users(principal).await?
            },
        })
    }

    /// The users with pending requests, by name, for the queue's user filter: at most
    /// [`QUEUE_USERS_LIMIT`], read from the pending part of `ix_requests_tenant_status`.
    pub(super) async fn queue_users(
        &self,
        principal: &Principal,
    ) -> Result<Vec<(String, String)>, ServiceError> {
        let ids: Vec<String> = correction_request::Entity::find()
            .select_only()
            .column(correction_request::Column::SubjectUserId)
            .filter(correction_request::Column::TenantId.eq(principal.tenant_id.clone()))
            .filter(correction_request::Column::Status.eq(RequestStatus::Pending))
            .distinct()
            .limit(QUEUE_USERS_LIMIT)
            .into_tuple()
            .all(&self.db)
            .await
            .context("reading the queue's users")?;
        // By primary key, the tenant checked on the rows (see `Names::load`).
        let mut users: Vec<(String, String)> = directory_user::Entity::find()
            .filter(directory_user::Column::Id.is_in(ids))
            .all(&self.db)
            .await
            .context("naming the queue's users")?
            .into_iter()
            .filter(|u| u.tenant_id == principal.tenant_id)
            .map(|u| (u.id, u.display_name))
            .collect();
        users.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(users)
    }
}
