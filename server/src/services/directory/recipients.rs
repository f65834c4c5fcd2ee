//! The options of the directory's "data shared with" filter: the recipients of the partner
//! catalogue's data flows.

use crate::entities::{data_flow, recipient};
use crate::services::error::ServiceResult;
use anyhow::Context;
use app::directory::RecipientOption;
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

/// The recipients any data flow of the partner catalogue goes to (the catalogue is the same
/// for every tenant), by name.
///
/// # Errors
/// When the database fails.
pub async fn recipients<C: ConnectionTrait>(db: &C) -> ServiceResult<Vec<RecipientOption>> {
    let flows = Query::select()
        .column(data_flow::Column::RecipientId)
        .from(data_flow::Entity)
        .to_owned();
    Ok(recipient::Entity::find()
        .filter(recipient::Column::Id.in_subquery(flows))
        .order_by_asc(recipient::Column::Name)
        .all(db)
        .await
        .context("listing recipients")?
        .into_iter()
        .map(|r| RecipientOption {
            id: r.id,
            name: r.name,
        })
        .collect())
}
