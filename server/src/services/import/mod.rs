//! Bulk import of directory users and managed devices from a Microsoft Graph export (JSON
//! Lines), for tenants whose data arrives as a file rather than through a sync (`server import`).
//!
//! Every field goes through the same domain parsers the portal uses everywhere, so an imported
//! value is stored in exactly the form a correction or a sync would store it. A record with a
//! bad field is refused as a whole and reported by line, Graph field name and reason, never with
//! its value; the good records around it are kept. A reason is a code ([`RejectionReason`]),
//! put into words by whoever shows it: English on the command line, the reader's language on
//! the jobs page. Records are written in batches, one transaction each, so a failing batch
//! leaves nothing half-written and the batches before it saved. Importing the same file again
//! changes nothing: a row's version only moves when one of its values does.

mod batch;
mod changes;
mod graph;
mod progress;
#[cfg(test)]
mod tests;

use crate::clock::Clock;
use crate::db::insert_all;
use crate::entities::{device, directory_user, tenant};
use crate::services::personal_data::at_source;
use anyhow::Context;
use app::domain::device::{
    DeviceName, Iccid, Imei, MacAddress, ManagementName, Meid, SerialNumber, Udid,
};
use app::domain::enums::{ComplianceState, EnrollmentType, Ownership, Platform};
use app::domain::error::ValueError;
use app::domain::identity::{DisplayName, E164Phone, Email, Guid, Upn};
use app::domain::text::{parse_flag, FreeText, Timestamp};
use app::i18n::Locale;
use app::jobs::{JsonType, RejectionReason, GRAPH_DEVICE_TYPE, GRAPH_USER_TYPE};
use batch::*;
use graph::*;
use progress::*;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QuerySelect, TransactionTrait,
};
use serde_json::{Map, Value};
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

/// Column widths of the schema (`m20261128_000002_personal_data`) that are narrower than what
/// the domain parser accepts. Checked here so that a long department is a refused record, not
/// a failed batch (PostgreSQL enforces `varchar(n)`; SQLite would silently store it).
const DEPARTMENT_MAX: usize = 128;
const JOB_TITLE_MAX: usize = 128;
const SEARCH_NAME_MAX: usize = 256;
const CARRIER_MAX: usize = 64;
const MANUFACTURER_MAX: usize = 64;
const MODEL_MAX: usize = 64;
const OS_VERSION_MAX: usize = 32;
const CATEGORY_MAX: usize = 64;

/// Ids looked up per query: far below both backends' bind-parameter limits, whatever the
/// batch size.
const LOOKUP_CHUNK: usize = 1000;

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub users_inserted: u64,
    pub users_updated: u64,
    pub devices_inserted: u64,
    pub devices_updated: u64,
    /// Users and devices already stored with exactly these values.
    pub unchanged: u64,
    /// Refused records and lines, in line order.
    pub rejected: Vec<Rejection>,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "users: {} inserted, {} updated; devices: {} inserted, {} updated; \
             {} unchanged; {} rejected",
            self.users_inserted,
            self.users_updated,
            self.devices_inserted,
            self.devices_updated,
            self.unchanged,
            self.rejected.len()
        )
    }
}

/// A refused line: where, which Graph field (when one is to blame) and why. Never the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// 1-based line number in the file.
    pub line: u64,
    /// The Graph property name, e.g. `imei` or `userId`.
    pub field: Option<String>,
    pub reason: RejectionReason,
}

impl Rejection {
    /// The rejection as one line in `locale`, e.g. "line 3: imei: enter exactly 15 digits"
    /// (the form `server import` prints, in English).
    pub fn describe(&self, locale: Locale) -> String {
        let reason = self.reason.message(locale);
        match &self.field {
            Some(field) => format!("line {}: {field}: {reason}", self.line),
            None => format!("line {}: {reason}", self.line),
        }
    }
}

/// The database refused a batch: that batch was rolled back and the import stopped. Carries
/// what the batches before it saved, so the caller can still report them.
#[derive(Debug, thiserror::Error)]
#[error(
    "writing the records of lines {first_line}–{last_line} failed; that batch was rolled back \
     and the import stopped (earlier batches are saved)"
)]
pub struct BatchFailed {
    pub first_line: u64,
    pub last_line: u64,
    /// What was written before the failing batch, and every refusal up to it.
    pub saved: ImportReport,
    #[source]
    source: Box<dyn std::error::Error + Send + Sync>,
}

/// Imports a JSON Lines file into `tenant_id`, `batch` good records per transaction. Draws a
/// progress bar on stderr when stderr is a terminal.
///
/// # Errors
/// When the file cannot be opened or read, when the tenant does not exist, or when the
/// database fails ([`BatchFailed`] for a refused batch). Bad records are not errors: they
/// are in [`ImportReport::rejected`].
pub async fn import_file<C>(
    db: &C,
    tenant_id: &str,
    path: &Path,
    batch: usize,
    clock: &Clock,
) -> anyhow::Result<ImportReport>
where
    C: ConnectionTrait + TransactionTrait,
{
    let file = std::fs::File::open(path)
        .with_context(|| format!("opening the import file {}", path.display()))?;
    let total = file
        .metadata()
        .with_context(|| format!("reading the size of {}", path.display()))?
        .len();
    let mut bar = ProgressBar::new(total, std::io::stderr().is_terminal());
    let result = import_reader(
        db,
        tenant_id,
        std::io::BufReader::new(file),
        batch,
        clock,
        |read| bar.show(read),
    )
    .await;
    bar.finish();
    result
}

/// Imports JSON Lines from `reader` into `tenant_id`, `batch` good records per transaction;
/// `on_progress` gets the number of bytes read so far after every line.
///
/// The reads are blocking: this runs as a command-line tool that has nothing else to do
/// meanwhile, and a `BufRead` keeps it usable on files, standard input and test strings.
///
/// # Errors
/// As [`import_file`], and when `batch` is 0.
pub async fn import_reader<C, R>(
    db: &C,
    tenant_id: &str,
    mut reader: R,
    batch: usize,
    clock: &Clock,
    mut on_progress: impl FnMut(u64),
) -> anyhow::Result<ImportReport>
where
    C: ConnectionTrait + TransactionTrait,
    R: BufRead,
{
    anyhow::ensure!(batch > 0, "the batch size must be at least 1");
    tenant::Entity::find_by_id(tenant_id.to_owned())
        .one(db)
        .await
        .context("looking up the tenant")?
        .with_context(|| format!("no tenant with id {tenant_id}"))?;

    let mut import = Import {
        tenant_id,
        now: clock.now_ms(),
        clock,
        report: ImportReport::default(),
        users_seen: HashMap::new(),
        devices_seen: HashMap::new(),
    };
    let mut pending: Vec<Parsed> = Vec::with_capacity(batch.min(100_000));
    let mut buf = Vec::new();
    let mut line: u64 = 0;
    let mut read: u64 = 0;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .with_context(|| format!("reading line {} of the import file", line + 1))?;
        if n == 0 {
            break;
        }
        line += 1;
        read = read.saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
        on_progress(read);
        if let Some(record) = import.parse_line(line, &buf) {
            pending.push(record);
            if pending.len() >= batch {
                import.write_batch(db, std::mem::take(&mut pending)).await?;
            }
        }
    }
    import.write_batch(db, pending).await?;

    let mut report = import.report;
    report.rejected.sort_by_key(|r| r.line);
    tracing::info!(
        tenant_id,
        lines = line,
        users_inserted = report.users_inserted,
        users_updated = report.users_updated,
        devices_inserted = report.devices_inserted,
        devices_updated = report.devices_updated,
        unchanged = report.unchanged,
        rejected = report.rejected.len(),
        "import finished"
    );
    Ok(report)
}

/// The personal data the batch changed, in its transaction: the corrections at the source it
/// completes, then every other changed field.
async fn record_changes(
    txn: &DatabaseTransaction,
    tenant_id: &str,
    plan: &Plan,
    now: i64,
) -> Result<(), crate::services::error::ServiceError> {
    at_source::apply_all(txn, tenant_id, &plan.applied, now).await?;
    let completed: HashSet<(String, app::domain::catalogue::FieldId)> = plan
        .applied
        .iter()
        .filter_map(|s| {
            let field = app::domain::catalogue::FieldId::parse(&s.routed.field).ok()?;
            Some((s.routed.record_id.clone(), field))
        })
        .collect();
    changes::record_all(txn, tenant_id, &plan.changes, &completed, now).await
}

/// The state of one import run.
struct Import<'a> {
    tenant_id: &'a str,
    /// The import time: `created_at`/`updated_at`, and the default enrollment and check-in time.
    now: i64,
    /// The server's clock, for the time of each batch's audit event.
    clock: &'a Clock,
    report: ImportReport,
    /// Ids already accepted from the file, with their line, so a repeated id is named.
    users_seen: HashMap<String, u64>,
    devices_seen: HashMap<String, u64>,
}

/// A record that passed every field check, waiting for its batch.
struct Parsed {
    line: u64,
    record: Record,
}

impl Import<'_> {
    fn reject(&mut self, line: u64, refusal: Refusal) {
        self.report.rejected.push(Rejection {
            line,
            field: refusal.field.map(str::to_owned),
            reason: refusal.reason,
        });
    }

    /// The record on this line, or `None` when it is blank or refused (and reported).
    fn parse_line(&mut self, line: u64, bytes: &[u8]) -> Option<Parsed> {
        let Ok(text) = std::str::from_utf8(bytes) else {
            self.reject(line, Refusal::record(RejectionReason::NotUtf8));
            return None;
        };
        // A byte-order mark is what some Windows tools put at the start of a file.
        let text = text.trim_start_matches('\u{feff}').trim();
        if text.is_empty() {
            return None;
        }
        let record = match parse_record(text) {
            Ok(record) => record,
            Err(refusal) => {
                self.reject(line, refusal);
                return None;
            }
        };
        // A second record for the same id would make the result depend on batch boundaries;
        // a Graph export never repeats an id, so a repeat is a mistake worth reporting.
        let seen = match &record {
            Record::User(_) => &mut self.users_seen,
            Record::Device(_) => &mut self.devices_seen,
        };
        let first = match seen.entry(record.id().to_owned()) {
            Entry::Occupied(first) => Some(*first.get()),
            Entry::Vacant(slot) => {
                slot.insert(line);
                None
            }
        };
        if let Some(first_line) = first {
            let reason = RejectionReason::DuplicateId { first_line };
            self.reject(line, Refusal::field("id", reason));
            return None;
        }
        Some(Parsed { line, record })
    }

    /// Checks the batch against the database and writes it in one transaction.
    async fn write_batch<C>(&mut self, db: &C, batch: Vec<Parsed>) -> anyhow::Result<()>
    where
        C: ConnectionTrait + TransactionTrait,
    {
        let (Some(first), Some(last)) = (batch.first(), batch.last()) else {
            return Ok(());
        };
        let (first_line, last_line) = (first.line, last.line);
        let txn = db.begin().await.context("starting a batch transaction")?;
        // The batch's first statement is a write, before anything is read: SQLite then takes
        // its writer lock up front (waiting for another writer) instead of failing with
        // "database is locked" when a transaction that has read tries to write; PostgreSQL
        // locks the tenant's row, which the audit append takes anyway.
        tenant::Entity::update_many()
            .col_expr(
                tenant::Column::Id,
                sea_orm::sea_query::Expr::col(tenant::Column::Id).into(),
            )
            .filter(tenant::Column::Id.eq(self.tenant_id))
            .exec(&txn)
            .await
            .context("locking the tenant for the batch")?;
        let written = match self.plan(&txn, batch).await {
            Ok(plan) => match plan.write(&txn, self.tenant_id).await {
                Ok(()) => {
                    let now = self.clock.now_ms();
                    match audit_batch(&txn, self.tenant_id, &plan, first_line, last_line, now).await
                    {
                        Ok(()) => record_changes(&txn, self.tenant_id, &plan, now)
                            .await
                            .map_err(anyhow::Error::from)
                            .map(|()| plan),
                        Err(e) => Err(e),
                    }
                }
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        let plan = match written {
            Ok(plan) => plan,
            Err(e) => {
                // Dropping the transaction would roll it back too; doing it here keeps the
                // order plain, and a failing rollback is worth a log line.
                if let Err(rollback) = txn.rollback().await {
                    tracing::warn!(
                        tenant_id = self.tenant_id,
                        error = %rollback,
                        "rolling back a failed import batch"
                    );
                }
                return Err(self.batch_failed(first_line, last_line, e));
            }
        };
        if let Err(e) = txn.commit().await {
            return Err(self.batch_failed(first_line, last_line, e.into()));
        }
        self.report.users_inserted += count(plan.user_inserts.len());
        self.report.users_updated += count(plan.user_updates.len());
        self.report.devices_inserted += count(plan.device_inserts.len());
        self.report.devices_updated += count(plan.device_updates.len());
        self.report.unchanged += plan.unchanged;
        Ok(())
    }

    fn batch_failed(&self, first_line: u64, last_line: u64, cause: anyhow::Error) -> anyhow::Error {
        let mut saved = self.report.clone();
        saved.rejected.sort_by_key(|r| r.line);
        BatchFailed {
            first_line,
            last_line,
            saved,
            source: cause.into(),
        }
        .into()
    }

    /// Decides, for each record of the batch in line order, whether it is refused, unchanged,
    /// an update or an insert. Reads only; the lookups run in the batch's transaction so the
    /// decisions hold when it writes.
    async fn plan(
        &mut self,
        txn: &DatabaseTransaction,
        batch: Vec<Parsed>,
    ) -> anyhow::Result<Plan> {
        let tenant_id = self.tenant_id;
        let mut user_ids = Vec::new();
        let mut device_ids = Vec::new();
        let mut upns = Vec::new();
        let mut primary_users = Vec::new();
        for parsed in &batch {
            match &parsed.record {
                Record::User(user) => {
                    user_ids.push(user.id.clone());
                    upns.push(user.upn.clone());
                }
                Record::Device(device) => {
                    device_ids.push(device.id.clone());
                    primary_users.extend(device.primary_user_id.clone());
                }
            }
        }
        let mut stored_users = HashMap::new();
        for chunk in user_ids.chunks(LOOKUP_CHUNK) {
            for user in directory_user::Entity::find()
                .filter(directory_user::Column::Id.is_in(chunk.iter().cloned()))
                .all(txn)
                .await
                .context("looking up existing users")?
            {
                stored_users.insert(user.id.clone(), user);
            }
        }
        let mut stored_devices = HashMap::new();
        for chunk in device_ids.chunks(LOOKUP_CHUNK) {
            for device in device::Entity::find()
                .filter(device::Column::Id.is_in(chunk.iter().cloned()))
                .all(txn)
                .await
                .context("looking up existing devices")?
            {
                stored_devices.insert(device.id.clone(), device);
            }
        }
        // Who holds each sign-in name in this tenant now; updated as the batch claims and
        // frees names, in line order, which is also the order the updates are written in.
        let mut upn_holders: HashMap<String, String> = HashMap::new();
        for chunk in upns.chunks(LOOKUP_CHUNK) {
            let holders: Vec<(String, String)> = directory_user::Entity::find()
                .select_only()
                .column(directory_user::Column::Upn)
                .column(directory_user::Column::Id)
                .filter(directory_user::Column::TenantId.eq(tenant_id))
                .filter(directory_user::Column::Upn.is_in(chunk.iter().cloned()))
                .into_tuple()
                .all(txn)
                .await
                .context("looking up sign-in names in use")?;
            upn_holders.extend(holders);
        }
        let mut tenant_users: HashSet<String> = HashSet::new();
        for chunk in primary_users.chunks(LOOKUP_CHUNK) {
            let ids: Vec<String> = directory_user::Entity::find()
                .select_only()
                .column(directory_user::Column::Id)
                .filter(directory_user::Column::TenantId.eq(tenant_id))
                .filter(directory_user::Column::Id.is_in(chunk.iter().cloned()))
                .into_tuple()
                .all(txn)
                .await
                .context("looking up the devices' primary users")?;
            tenant_users.extend(ids);
        }

        // Asked per batch, inside its transaction (after the tenant's lock): a correction
        // routed while a long import runs is seen by the batches after it.
        let routed = if at_source::any_open(txn, tenant_id).await? {
            let ids: Vec<String> = user_ids.iter().chain(&device_ids).cloned().collect();
            at_source::open_for(txn, tenant_id, &ids).await?
        } else {
            HashMap::new()
        };

        let mut plan = Plan::default();
        for Parsed { line, record } in batch {
            match record {
                Record::User(user) => {
                    let stored = stored_users.get(&user.id);
                    if stored.is_some_and(|s| s.tenant_id != tenant_id) {
                        self.reject(line, Refusal::other_tenant());
                        continue;
                    }
                    if upn_holders
                        .get(&user.upn)
                        .is_some_and(|holder| *holder != user.id)
                    {
                        let reason = RejectionReason::UpnTaken;
                        self.reject(line, Refusal::field("userPrincipalName", reason));
                        continue;
                    }
                    if let Some(old) = stored.map(|s| &s.upn) {
                        if upn_holders.get(old) == Some(&user.id) {
                            upn_holders.remove(old);
                        }
                    }
                    upn_holders.insert(user.upn.clone(), user.id.clone());
                    tenant_users.insert(user.id.clone());
                    let row = user.into_row(tenant_id, stored, self.now);
                    let decision = decide(stored, row, self.now);
                    match (&decision, stored) {
                        (Decision::Update(row), Some(stored)) => {
                            plan.applied
                                .extend(user_shows(routed.get(&row.id), stored, row));
                            plan.changes.extend(changes::user_changes(stored, row));
                        }
                        // The source already shows what a waiting task asks for (it was routed
                        // while an earlier import brought the value): this import completes it.
                        (Decision::Unchanged, Some(stored)) => {
                            plan.applied
                                .extend(user_shows(routed.get(&stored.id), stored, stored))
                        }
                        _ => {}
                    }
                    plan.add_user(decision);
                }
                Record::Device(device) => {
                    let stored = stored_devices.get(&device.id);
                    if stored.is_some_and(|s| s.tenant_id != tenant_id) {
                        self.reject(line, Refusal::other_tenant());
                        continue;
                    }
                    if let Some(user) = &device.primary_user_id {
                        // Only users stored or accepted earlier in the file count: a device
                        // never points at a user that may yet be refused.
                        if !tenant_users.contains(user) {
                            let reason = RejectionReason::UnknownPrimaryUser;
                            self.reject(line, Refusal::field("userId", reason));
                            continue;
                        }
                    }
                    let row = device.into_row(tenant_id, stored, self.now);
                    let decision = decide(stored, row, self.now);
                    match (&decision, stored) {
                        (Decision::Update(row), Some(stored)) => {
                            plan.applied
                                .extend(device_shows(routed.get(&row.id), stored, row));
                            plan.changes.extend(changes::device_changes(stored, row));
                        }
                        (Decision::Unchanged, Some(stored)) => plan.applied.extend(device_shows(
                            routed.get(&stored.id),
                            stored,
                            stored,
                        )),
                        _ => {}
                    }
                    plan.add_device(decision);
                }
            }
        }
        Ok(plan)
    }
}
