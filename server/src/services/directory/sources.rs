//! Where an arm can start for a search: one source per way the text can match (a name, UPN or
//! email prefix, a phone number, a device identifier), the conditions that select each, and
//! the bounded read of a prefix whose index does not follow the page's order.

use super::filters::Driver;
use super::plan::{opaque, u, ucol, Plan};
use crate::entities::{device, directory_user};
use crate::services::error::ServiceResult;
use crate::services::records::context_of;
use anyhow::Context;
use app::directory::DirectorySort;
use app::domain::catalogue::FieldId;
use app::domain::visibility::{visibility, Visibility};
use sea_orm::sea_query::{Alias, Cond, Expr, Func, Order, Query, SelectStatement, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait, Select,
};
use std::collections::BTreeSet;

/// The most devices one identifier is looked up on (an identifier names one device; a few
/// share a phone number).
const DEVICE_MATCH_LIMIT: u64 = 1000;

/// The index an arm starts from.
pub(super) enum Source {
    /// Every user of the tenant, in sort order.
    All,
    /// Users whose lower-cased display name, UPN or email address lies in `[from, to)`.
    NamePrefix(Prefix),
    UpnPrefix(Prefix),
    EmailPrefix(Prefix),
    /// Users whose own phone number is this one.
    UserPhone(String),
    /// Users who are the primary user of a device that has the searched identifier and shows
    /// it in full ([`Plan::device_users`], resolved before the arms are built).
    DeviceUsers,
    /// Users found through a rare filter value.
    Driver(Driver),
}

/// Whether a source is a prefix range on some column.
pub(super) fn is_prefix(source: &Source) -> bool {
    matches!(
        source,
        Source::NamePrefix(_) | Source::UpnPrefix(_) | Source::EmailPrefix(_)
    )
}

/// A prefix as an index range: every string that starts with `from` sorts in `[from, to)`.
pub(super) struct Prefix {
    pub(super) from: String,
    /// `None` when no string sorts after every string with the prefix.
    pub(super) to: Option<String>,
}

impl Prefix {
    pub(super) fn new(prefix: &str) -> Self {
        Prefix {
            from: prefix.to_owned(),
            to: successor(prefix),
        }
    }
}

/// The smallest string greater than every string that starts with `prefix`: its last character
/// incremented (dropped and carried when it is the largest). Code point order is byte order in
/// UTF-8, the order of SQLite's `BINARY` and PostgreSQL's `C` collations.
pub fn successor(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let mut code = u32::from(last) + 1;
        // Surrogates are not characters; the next one after U+D7FF is U+E000.
        if (0xD800..=0xDFFF).contains(&code) {
            code = 0xE000;
        }
        if let Some(next) = char::from_u32(code) {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

impl Plan<'_> {
    /// The search's prefix sources whose index does not follow the page's order, each read
    /// only up to [`PREFIX_SCAN_LIMIT`](super::PREFIX_SCAN_LIMIT) users.
    pub(super) fn capped_sources(&self) -> Vec<Source> {
        self.search_sources()
            .unwrap_or_default()
            .into_iter()
            .filter(|source| is_prefix(source) && !self.aligned(source))
            .collect()
    }

    /// Whether a capped prefix source has more users than it reads.
    pub(super) async fn prefix_scan_capped<C: ConnectionTrait>(
        &self,
        db: &C,
    ) -> ServiceResult<bool> {
        for source in self.capped_sources() {
            let statement = db.get_database_backend().build(&self.capped_size(&source));
            let n: i64 = match db.query_one(statement).await.context("sizing a prefix")? {
                Some(row) => row.try_get("", "n")?,
                None => 0,
            };
            if u64::try_from(n).unwrap_or(0) > self.prefix_limit {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// How many users a capped prefix source matches, counted up to one past the cap, from
    /// its index alone.
    pub(super) fn capped_size(&self, source: &Source) -> SelectStatement {
        let capped = Query::select()
            .expr(Expr::val(1))
            .from_as(directory_user::Entity, u())
            .and_where(self.tenant_is((u(), directory_user::Column::TenantId)))
            .cond_where(self.source_condition(source, true))
            .limit(self.prefix_limit + 1)
            .to_owned();
        Query::select()
            .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
            .from_subquery(capped, Alias::new("capped"))
            .to_owned()
    }

    /// The first [`PREFIX_SCAN_LIMIT`](super::PREFIX_SCAN_LIMIT) users of a capped prefix source in its column's order,
    /// with the columns an arm's conditions read, as the table the arm starts from.
    pub(super) fn capped_rows(&self, source: &Source) -> SelectStatement {
        let order: SimpleExpr = match source {
            Source::NamePrefix(_) => ucol(directory_user::Column::SearchName).into(),
            Source::EmailPrefix(_) => Func::lower(ucol(directory_user::Column::Email)).into(),
            _ => Func::lower(ucol(directory_user::Column::Upn)).into(),
        };
        Query::select()
            .columns([
                (u(), directory_user::Column::Id),
                (u(), directory_user::Column::TenantId),
                (u(), directory_user::Column::SearchName),
                (u(), directory_user::Column::Upn),
                (u(), directory_user::Column::Email),
            ])
            .from_as(directory_user::Entity, u())
            .and_where(self.tenant_is((u(), directory_user::Column::TenantId)))
            .cond_where(self.source_condition(source, true))
            .order_by_expr(order, Order::Asc)
            .limit(self.prefix_limit)
            .to_owned()
    }

    /// One source per way the search text can match; `None` without a search.
    pub(super) fn search_sources(&self) -> Option<Vec<Source>> {
        let search = self.query.search.as_ref()?;
        let prefix = search.prefix();
        let mut sources = vec![Source::NamePrefix(Prefix::new(prefix))];
        // UPNs and email addresses are ASCII: other text cannot begin one.
        if prefix.is_ascii() {
            sources.push(Source::UpnPrefix(Prefix::new(prefix)));
            sources.push(Source::EmailPrefix(Prefix::new(prefix)));
        }
        if let Some(phone) = search.phone() {
            sources.push(Source::UserPhone(phone.as_str().to_owned()));
        }
        if !self.device_users.is_empty() {
            sources.push(Source::DeviceUsers);
        }
        Some(sources)
    }

    /// The device identifiers the search text can be: (field, column, value).
    fn device_searches(&self) -> Vec<(FieldId, device::Column, String)> {
        let Some(search) = self.query.search.as_ref() else {
            return Vec::new();
        };
        let mut searches = Vec::new();
        if let Some(phone) = search.phone() {
            let value = phone.as_str().to_owned();
            searches.push((FieldId::PhoneNumber, device::Column::PhoneNumber, value));
        }
        if let Some(imei) = search.imei() {
            searches.push((
                FieldId::Imei,
                device::Column::Imei,
                imei.as_str().to_owned(),
            ));
        }
        if let Some(serial) = search.serial() {
            let value = serial.as_str().to_owned();
            searches.push((FieldId::SerialNumber, device::Column::SerialNumber, value));
        }
        searches
    }

    /// The devices of the tenant with `value` in `column`.
    fn device_lookup(&self, column: device::Column, value: String) -> Select<device::Entity> {
        device::Entity::find()
            .filter(device::Column::TenantId.eq(self.tenant))
            .filter(column.eq(value))
            .limit(DEVICE_MATCH_LIMIT)
    }

    /// The statements [`Plan::resolve_device_users`] runs, for the plan tests.
    pub(super) fn device_lookups(&self) -> Vec<SelectStatement> {
        self.device_searches()
            .into_iter()
            .map(|(_, column, value)| self.device_lookup(column, value).into_query())
            .collect()
    }

    /// The users of the devices the search's identifiers find, keeping only devices that show
    /// the identifier in full. A search must not find what the page would not show: matching a
    /// masked or hidden value (the phone number of a personal device) would let trial searches
    /// recover it. The visibility rule is the one every page applies, read per device here
    /// rather than written again as SQL.
    ///
    /// # Errors
    /// When the database fails.
    pub(super) async fn resolve_device_users<C: ConnectionTrait>(
        &mut self,
        db: &C,
    ) -> ServiceResult<()> {
        let mut users = BTreeSet::new();
        for (field, column, value) in self.device_searches() {
            let devices = self
                .device_lookup(column, value)
                .all(db)
                .await
                .context("looking up devices by identifier")?;
            users.extend(
                devices
                    .iter()
                    .filter(|d| visibility(field, &context_of(d)) == Visibility::Visible)
                    .filter_map(|d| d.primary_user_id.clone()),
            );
        }
        self.device_users = users.into_iter().collect();
        Ok(())
    }

    /// The search as one per-row condition, for an arm that starts from a rare filter.
    pub(super) fn search_condition(&self) -> Option<Cond> {
        let sources = self.search_sources()?;
        let mut any = Cond::any();
        for source in &sources {
            any = any.add(self.source_condition(source, false));
        }
        Some(any)
    }

    /// The condition that selects a source's users; `indexed` writes it so that its index can
    /// serve it (only the condition an arm starts from should be).
    pub(super) fn source_condition(&self, source: &Source, indexed: bool) -> Cond {
        let shape = |e: SimpleExpr| if indexed { e } else { opaque(e) };
        let range = |column: SimpleExpr, prefix: &Prefix| {
            let mut cond =
                Cond::all().add(Expr::expr(shape(column.clone())).gte(prefix.from.clone()));
            if let Some(to) = &prefix.to {
                cond = cond.add(Expr::expr(shape(column)).lt(to.clone()));
            }
            cond
        };
        match source {
            Source::All => Cond::all(),
            Source::NamePrefix(p) => range(ucol(directory_user::Column::SearchName).into(), p),
            Source::UpnPrefix(p) => range(Func::lower(ucol(directory_user::Column::Upn)).into(), p),
            Source::EmailPrefix(p) => {
                range(Func::lower(ucol(directory_user::Column::Email)).into(), p)
            }
            Source::UserPhone(phone) => {
                Cond::all().add(ucol(directory_user::Column::Phone).eq(phone.clone()))
            }
            Source::DeviceUsers => Cond::all()
                .add(ucol(directory_user::Column::Id).is_in(self.device_users.iter().cloned())),
            Source::Driver(driver) => {
                let rows = self.driver_rows(*driver);
                Cond::all().add(ucol(directory_user::Column::Id).in_subquery(rows))
            }
        }
    }

    /// The search's prefix source that follows the sort index, if any.
    pub(super) fn aligned_prefix(&self) -> Option<Source> {
        let prefix = Prefix::new(self.query.search.as_ref()?.prefix());
        Some(match self.query.sort {
            DirectorySort::Name => Source::NamePrefix(prefix),
            DirectorySort::Upn if prefix.from.is_ascii() => Source::UpnPrefix(prefix),
            DirectorySort::Upn => return None,
        })
    }

    /// Whether a source's index hands out rows in the page's sort order.
    pub(super) fn aligned(&self, source: &Source) -> bool {
        matches!(
            (source, self.query.sort),
            (Source::All, _)
                | (Source::NamePrefix(_), DirectorySort::Name)
                | (Source::UpnPrefix(_), DirectorySort::Upn)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::successor;

    #[test]
    fn the_successor_of_a_prefix_bounds_every_string_that_starts_with_it() {
        assert_eq!(successor("ade").as_deref(), Some("adf"));
        assert_eq!(successor("a\u{D7FF}").as_deref(), Some("a\u{E000}"));
        assert_eq!(successor("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(successor("\u{10FFFF}"), None);
        assert_eq!(successor(""), None);
        let bound = successor("zoë").unwrap();
        for s in ["zoë", "zoë anders", "zoë\u{10FFFF}"] {
            assert!(s >= "zoë" && s < bound.as_str(), "{s}");
        }
        assert!("zoëa" < bound.as_str() && "zoí" >= bound.as_str());
    }
}
