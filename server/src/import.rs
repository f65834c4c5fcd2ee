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

use crate::clock::{Clock, DAY_MS};
use crate::entities::{device, directory_user, tenant};
use crate::seed::rows::insert_all;
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
        let written = match self.plan(&txn, batch).await {
            Ok(plan) => match plan.write(&txn, self.tenant_id).await {
                Ok(()) => audit_batch(
                    &txn,
                    self.tenant_id,
                    &plan,
                    first_line,
                    last_line,
                    self.clock.now_ms(),
                )
                .await
                .map(|()| plan),
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
                    plan.add_user(decide(stored, row, self.now));
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
                    plan.add_device(decide(stored, row, self.now));
                }
            }
        }
        Ok(plan)
    }
}

/// The writes of one batch.
#[derive(Default)]
struct Plan {
    user_inserts: Vec<directory_user::Model>,
    user_updates: Vec<directory_user::Model>,
    device_inserts: Vec<device::Model>,
    device_updates: Vec<device::Model>,
    unchanged: u64,
}

/// What to do with one row.
enum Decision<M> {
    Insert(M),
    Update(M),
    Unchanged,
}

/// The columns every imported row has, so one rule decides insert, update or nothing.
trait Versioned: PartialEq {
    fn bump(&mut self, now: i64);
}

impl Versioned for directory_user::Model {
    fn bump(&mut self, now: i64) {
        self.version += 1;
        self.updated_at = now;
    }
}

impl Versioned for device::Model {
    fn bump(&mut self, now: i64) {
        self.version += 1;
        self.updated_at = now;
    }
}

/// `row` is built with the stored row's version and times, so equality means that no value
/// differs; only then is the version left alone.
fn decide<M: Versioned>(stored: Option<&M>, mut row: M, now: i64) -> Decision<M> {
    match stored {
        None => Decision::Insert(row),
        Some(stored) if *stored == row => Decision::Unchanged,
        Some(_) => {
            row.bump(now);
            Decision::Update(row)
        }
    }
}

impl Plan {
    fn add_user(&mut self, decision: Decision<directory_user::Model>) {
        match decision {
            Decision::Insert(row) => self.user_inserts.push(row),
            Decision::Update(row) => self.user_updates.push(row),
            Decision::Unchanged => self.unchanged += 1,
        }
    }

    fn add_device(&mut self, decision: Decision<device::Model>) {
        match decision {
            Decision::Insert(row) => self.device_inserts.push(row),
            Decision::Update(row) => self.device_updates.push(row),
            Decision::Unchanged => self.unchanged += 1,
        }
    }

    /// Updates first, in line order (a user may free a sign-in name a later record takes),
    /// then inserts, users before devices (a device may name a user new in this batch).
    async fn write(&self, txn: &DatabaseTransaction, tenant_id: &str) -> anyhow::Result<()> {
        for user in &self.user_updates {
            directory_user::Entity::update(user.clone().into_active_model().reset_all())
                .filter(directory_user::Column::TenantId.eq(tenant_id))
                .exec(txn)
                .await
                .context("updating a user")?;
        }
        insert_all(
            txn,
            self.user_inserts
                .iter()
                .cloned()
                .map(IntoActiveModel::into_active_model)
                .collect(),
        )
        .await
        .context("inserting users")?;
        for device in &self.device_updates {
            device::Entity::update(device.clone().into_active_model().reset_all())
                .filter(device::Column::TenantId.eq(tenant_id))
                .exec(txn)
                .await
                .context("updating a device")?;
        }
        insert_all(
            txn,
            self.device_inserts
                .iter()
                .cloned()
                .map(IntoActiveModel::into_active_model)
                .collect(),
        )
        .await
        .context("inserting devices")?;
        Ok(())
    }
}

/// One audit event per committed batch that changed something, in the batch's transaction:
/// how many records were inserted and updated, from which lines. Counts only, no values.
async fn audit_batch(
    txn: &DatabaseTransaction,
    tenant_id: &str,
    plan: &Plan,
    first_line: u64,
    last_line: u64,
    now: i64,
) -> anyhow::Result<()> {
    let changed = plan.user_inserts.len()
        + plan.user_updates.len()
        + plan.device_inserts.len()
        + plan.device_updates.len();
    if changed == 0 {
        return Ok(());
    }
    let counts = [
        ("users_inserted", plan.user_inserts.len()),
        ("users_updated", plan.user_updates.len()),
        ("devices_inserted", plan.device_inserts.len()),
        ("devices_updated", plan.device_updates.len()),
    ];
    crate::services::audit::append(
        txn,
        tenant_id,
        crate::services::audit::NewEvent {
            actor: crate::services::audit::Actor {
                kind: "import".into(),
                id: "import".into(),
                name: "bulk import".into(),
            },
            action: "import.batch".into(),
            target_kind: "tenant".into(),
            target_id: tenant_id.into(),
            subject_user_id: None,
            changes: counts
                .iter()
                .map(|(field, n)| crate::services::audit::Change {
                    field: (*field).into(),
                    before: None,
                    after: Some(n.to_string()),
                })
                .collect(),
            reason: Some(format!("lines {first_line}-{last_line}")),
            occurred_at: now,
        },
    )
    .await
    .map(|_| ())
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

// ---------------------------------------------------------------------------------------
// From a Graph JSON object to validated values.
// ---------------------------------------------------------------------------------------

/// Why a record was refused, before it is tied to its line.
#[derive(Debug, PartialEq, Eq)]
struct Refusal {
    field: Option<&'static str>,
    reason: RejectionReason,
}

impl Refusal {
    fn field(field: &'static str, reason: RejectionReason) -> Refusal {
        Refusal {
            field: Some(field),
            reason,
        }
    }

    fn value(field: &'static str, error: &ValueError) -> Refusal {
        Refusal::field(field, RejectionReason::Value(error.clone()))
    }

    fn record(reason: RejectionReason) -> Refusal {
        Refusal {
            field: None,
            reason,
        }
    }

    fn other_tenant() -> Refusal {
        Refusal::field("id", RejectionReason::OtherTenant)
    }
}

/// A validated record, every value in its normal form. A device is boxed: it is four times
/// the size of a user, and a batch holds thousands of records.
enum Record {
    User(UserRecord),
    Device(Box<DeviceRecord>),
}

impl Record {
    fn id(&self) -> &str {
        match self {
            Record::User(user) => &user.id,
            Record::Device(device) => &device.id,
        }
    }
}

/// A validated Graph `user`.
struct UserRecord {
    id: String,
    upn: String,
    display_name: String,
    email: String,
    phone: Option<String>,
    department: Option<String>,
    job_title: Option<String>,
}

impl fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UserRecord(<personal data>)")
    }
}

impl UserRecord {
    /// The row to store. It carries the stored row's version and times, so that comparing it
    /// with the stored row tells whether anything changed (see [`decide`]).
    fn into_row(
        self,
        tenant_id: &str,
        stored: Option<&directory_user::Model>,
        now: i64,
    ) -> directory_user::Model {
        // Lowercasing can lengthen a few characters (İ becomes two); the search key may lose
        // a tail character rather than fail the column.
        let search_name: String = self
            .display_name
            .to_lowercase()
            .chars()
            .take(SEARCH_NAME_MAX)
            .collect();
        directory_user::Model {
            id: self.id,
            tenant_id: tenant_id.to_owned(),
            upn: self.upn,
            display_name: self.display_name,
            search_name,
            email: Some(self.email),
            phone: self.phone,
            department: self.department,
            job_title: self.job_title,
            version: stored.map_or(0, |s| s.version),
            created_at: stored.map_or(now, |s| s.created_at),
            updated_at: stored.map_or(now, |s| s.updated_at),
        }
    }
}

/// A validated Graph `managedDevice`. `None` in a column the schema requires means "not in
/// the file"; see [`DeviceRecord::into_row`] for what is stored then.
struct DeviceRecord {
    id: String,
    primary_user_id: Option<String>,
    entra_device_id: Option<String>,
    device_name: String,
    management_name: Option<String>,
    serial_number: Option<String>,
    imei: Option<String>,
    meid: Option<String>,
    udid: Option<String>,
    wifi_mac: Option<String>,
    ethernet_mac: Option<String>,
    phone_number: Option<String>,
    iccid: Option<String>,
    subscriber_carrier: Option<String>,
    manufacturer: Option<String>,
    model: Option<String>,
    platform: Platform,
    os_version: Option<String>,
    ownership: Ownership,
    enrollment_type: Option<EnrollmentType>,
    device_category: Option<String>,
    compliance_state: Option<ComplianceState>,
    is_supervised: Option<bool>,
    is_encrypted: Option<bool>,
    enrolled_at: Option<i64>,
    last_check_in_at: Option<i64>,
}

impl fmt::Debug for DeviceRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeviceRecord(<personal data>)")
    }
}

/// What a required column holds when the file does not say: the schema needs a value, and
/// these say "not known" in words a reader of the portal understands.
const UNKNOWN: &str = "unknown";

impl DeviceRecord {
    /// The row to store (see [`UserRecord::into_row`] for versions and times).
    ///
    /// A required column the file leaves empty keeps the stored value, and only a new row
    /// gets a default: a default is not information, so it never overwrites any. Optional
    /// columns take the file's value, empty included, since Graph's empty means "none".
    fn into_row(self, tenant_id: &str, stored: Option<&device::Model>, now: i64) -> device::Model {
        let keep = |value: Option<String>, old: fn(&device::Model) -> &String| {
            value
                .or_else(|| stored.map(|s| old(s).clone()))
                .unwrap_or_else(|| UNKNOWN.to_owned())
        };
        device::Model {
            manufacturer: keep(self.manufacturer, |s| &s.manufacturer),
            model: keep(self.model, |s| &s.model),
            os_version: keep(self.os_version, |s| &s.os_version),
            compliance_state: self
                .compliance_state
                .map(|c| c.as_str().to_owned())
                .or_else(|| stored.map(|s| s.compliance_state.clone()))
                .unwrap_or_else(|| ComplianceState::Unknown.as_str().to_owned()),
            // A device with no flag in the file is taken to be neither supervised nor
            // encrypted, the claim that promises the least.
            is_supervised: self
                .is_supervised
                .or(stored.map(|s| s.is_supervised))
                .unwrap_or(false),
            is_encrypted: self
                .is_encrypted
                .or(stored.map(|s| s.is_encrypted))
                .unwrap_or(false),
            enrolled_at: self
                .enrolled_at
                .or(stored.map(|s| s.enrolled_at))
                .unwrap_or(now),
            last_check_in_at: self
                .last_check_in_at
                .or(stored.map(|s| s.last_check_in_at))
                .unwrap_or(now),
            id: self.id,
            tenant_id: tenant_id.to_owned(),
            primary_user_id: self.primary_user_id,
            entra_device_id: self.entra_device_id,
            device_name: self.device_name,
            management_name: self.management_name,
            serial_number: self.serial_number,
            imei: self.imei,
            meid: self.meid,
            udid: self.udid,
            wifi_mac: self.wifi_mac,
            ethernet_mac: self.ethernet_mac,
            phone_number: self.phone_number,
            iccid: self.iccid,
            subscriber_carrier: self.subscriber_carrier,
            platform: self.platform.as_str().to_owned(),
            ownership: self.ownership.as_str().to_owned(),
            enrollment_type: self.enrollment_type.map(|e| e.as_str().to_owned()),
            device_category: self.device_category,
            // Not in a Graph export: secrets the portal holds stay as they are.
            activation_lock_bypass_code: stored.and_then(|s| s.activation_lock_bypass_code.clone()),
            recovery_key: stored.and_then(|s| s.recovery_key.clone()),
            version: stored.map_or(0, |s| s.version),
            created_at: stored.map_or(now, |s| s.created_at),
            updated_at: stored.map_or(now, |s| s.updated_at),
        }
    }
}

/// Parses one JSON Lines record.
fn parse_record(text: &str) -> Result<Record, Refusal> {
    let value: Value = serde_json::from_str(text).map_err(|e| json_refusal(&e))?;
    let Value::Object(object) = value else {
        return Err(Refusal::record(RejectionReason::NotAnObject));
    };
    let fields = Fields(&object);
    match kind(&object)? {
        Kind::User => parse_user(&fields).map(Record::User),
        Kind::Device => parse_device(&fields).map(|device| Record::Device(Box::new(device))),
    }
}

/// Describes a JSON syntax error by its kind and column, never by the text around it.
fn json_refusal(error: &serde_json::Error) -> Refusal {
    use serde_json::error::Category;
    match error.classify() {
        Category::Eof => Refusal::record(RejectionReason::JsonCutOff),
        Category::Syntax | Category::Data => Refusal::record(RejectionReason::JsonInvalid {
            column: u64::try_from(error.column()).unwrap_or(u64::MAX),
        }),
        Category::Io => Refusal::record(RejectionReason::JsonUnreadable),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Kind {
    User,
    Device,
}

fn kind(object: &Map<String, Value>) -> Result<Kind, Refusal> {
    match object.get("@odata.type") {
        Some(Value::String(t)) if t.eq_ignore_ascii_case(GRAPH_USER_TYPE) => Ok(Kind::User),
        Some(Value::String(t)) if t.eq_ignore_ascii_case(GRAPH_DEVICE_TYPE) => Ok(Kind::Device),
        Some(Value::Null) | None => {
            // Checked in this order because a managedDevice carries its primary user's
            // userPrincipalName too, while a user never has a deviceName.
            if object.contains_key("deviceName") {
                Ok(Kind::Device)
            } else if object.contains_key("userPrincipalName") {
                Ok(Kind::User)
            } else {
                Err(Refusal::record(RejectionReason::UnknownRecord))
            }
        }
        Some(_) => Err(Refusal::field(
            "@odata.type",
            RejectionReason::UnsupportedType,
        )),
    }
}

/// Typed access to a Graph object's properties, with Graph's "nothing" spellings (null, empty
/// strings, all-zero ids) read as absent.
struct Fields<'a>(&'a Map<String, Value>);

impl Fields<'_> {
    /// The trimmed text of a property; absent when null, missing or empty.
    fn text(&self, name: &'static str) -> Result<Option<&str>, Refusal> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => {
                let s = s.trim();
                Ok((!s.is_empty()).then_some(s))
            }
            Some(other) => Err(Refusal::field(
                name,
                RejectionReason::ExpectedText {
                    found: json_type(other),
                },
            )),
        }
    }

    /// Like [`Fields::text`], and an identifier of only zeros (Graph's placeholder for "none",
    /// e.g. `00000000-0000-0000-0000-000000000000`) is absent too.
    fn identifier(&self, name: &'static str) -> Result<Option<&str>, Refusal> {
        Ok(self.text(name)?.filter(|s| !is_zero_placeholder(s)))
    }

    /// An optional value through its domain parser.
    fn parse<T>(
        &self,
        name: &'static str,
        parser: impl Fn(&str) -> Result<T, ValueError>,
    ) -> Result<Option<T>, Refusal> {
        self.text(name)?
            .map(|s| parser(s).map_err(|e| Refusal::value(name, &e)))
            .transpose()
    }

    /// An optional identifier through its domain parser.
    fn parse_id<T>(
        &self,
        name: &'static str,
        parser: impl Fn(&str) -> Result<T, ValueError>,
    ) -> Result<Option<T>, Refusal> {
        self.identifier(name)?
            .map(|s| parser(s).map_err(|e| Refusal::value(name, &e)))
            .transpose()
    }

    /// Optional free text that must also fit its column.
    fn free_text(&self, name: &'static str, max: usize) -> Result<Option<String>, Refusal> {
        let Some(text) = self.parse(name, FreeText::parse)? else {
            return Ok(None);
        };
        if text.as_str().chars().count() > max {
            return Err(Refusal::value(name, &ValueError::TooLong { max }));
        }
        Ok(Some(text.into_string()))
    }

    /// A yes/no property: a JSON boolean, or a string `parse_flag` accepts.
    fn flag(&self, name: &'static str) -> Result<Option<bool>, Refusal> {
        match self.0.get(name) {
            Some(Value::Bool(b)) => Ok(Some(*b)),
            _ => self.parse(name, parse_flag),
        }
    }

    /// A date and time, as epoch milliseconds. `0001-01-01T00:00:00Z` is Graph's "never".
    fn timestamp(&self, name: &'static str) -> Result<Option<i64>, Refusal> {
        let Some(text) = self.text(name)? else {
            return Ok(None);
        };
        if text.starts_with("0001-01-01") {
            return Ok(None);
        }
        let timestamp = Timestamp::parse(text).map_err(|e| Refusal::value(name, &e))?;
        epoch_ms(&timestamp)
            .map(Some)
            .ok_or_else(|| Refusal::field(name, RejectionReason::DateOutOfRange))
    }
}

/// Whether `s` is only zeros and separators.
fn is_zero_placeholder(s: &str) -> bool {
    s.chars()
        .all(|c| matches!(c, '0' | '-' | ':' | '.' | ' ' | '{' | '}'))
}

fn json_type(value: &Value) -> JsonType {
    match value {
        Value::Null => JsonType::Null,
        Value::Bool(_) => JsonType::Boolean,
        Value::Number(_) => JsonType::Number,
        Value::String(_) => JsonType::Text,
        Value::Array(_) => JsonType::List,
        Value::Object(_) => JsonType::Object,
    }
}

/// A required value: absent is refused as the domain refuses an empty value.
fn required<T>(name: &'static str, value: Option<T>) -> Result<T, Refusal> {
    value.ok_or_else(|| Refusal::value(name, &ValueError::Empty))
}

fn parse_user(f: &Fields<'_>) -> Result<UserRecord, Refusal> {
    let id = required("id", f.parse_id("id", Guid::parse)?)?;
    let upn = required(
        "userPrincipalName",
        f.parse("userPrincipalName", Upn::parse)?,
    )?;
    let display_name = required("displayName", f.parse("displayName", DisplayName::parse)?)?;
    // A user without a mailbox is still reached at the address they sign in with, which
    // the UPN parser has already shown to be a valid address.
    let email = match f.parse("mail", Email::parse)? {
        Some(mail) => mail.into_string(),
        None => upn.as_str().to_owned(),
    };
    let phone = match f.parse("mobilePhone", E164Phone::parse)? {
        Some(mobile) => Some(mobile),
        None => first_business_phone(f)?,
    };
    Ok(UserRecord {
        id: id.into_string(),
        upn: upn.into_string(),
        display_name: display_name.into_string(),
        email,
        phone: phone.map(E164Phone::into_string),
        department: f.free_text("department", DEPARTMENT_MAX)?,
        job_title: f.free_text("jobTitle", JOB_TITLE_MAX)?,
    })
}

/// The first non-empty entry of `businessPhones`.
fn first_business_phone(f: &Fields<'_>) -> Result<Option<E164Phone>, Refusal> {
    const NAME: &str = "businessPhones";
    let phones = match f.0.get(NAME) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(phones)) => phones,
        Some(other) => {
            return Err(Refusal::field(
                NAME,
                RejectionReason::ExpectedList {
                    found: json_type(other),
                },
            ))
        }
    };
    for phone in phones {
        match phone {
            Value::Null => {}
            Value::String(s) if s.trim().is_empty() => {}
            Value::String(s) => {
                return E164Phone::parse(s)
                    .map(Some)
                    .map_err(|e| Refusal::value(NAME, &e))
            }
            other => {
                return Err(Refusal::field(
                    NAME,
                    RejectionReason::ExpectedTextInList {
                        found: json_type(other),
                    },
                ))
            }
        }
    }
    Ok(None)
}

fn parse_device(f: &Fields<'_>) -> Result<DeviceRecord, Refusal> {
    Ok(DeviceRecord {
        id: required("id", f.parse_id("id", Guid::parse)?)?.into_string(),
        primary_user_id: f.parse_id("userId", Guid::parse)?.map(Guid::into_string),
        device_name: required("deviceName", f.parse("deviceName", DeviceName::parse)?)?
            .into_string(),
        management_name: f
            .parse("managedDeviceName", ManagementName::parse)?
            .map(ManagementName::into_string),
        serial_number: f
            .parse_id("serialNumber", SerialNumber::parse)?
            .map(SerialNumber::into_string),
        imei: f.parse_id("imei", Imei::parse)?.map(Imei::into_string),
        meid: f.parse_id("meid", Meid::parse)?.map(Meid::into_string),
        udid: f.parse_id("udid", Udid::parse)?.map(Udid::into_string),
        wifi_mac: f
            .parse_id("wiFiMacAddress", MacAddress::parse)?
            .map(MacAddress::into_string),
        ethernet_mac: f
            .parse_id("ethernetMacAddress", MacAddress::parse)?
            .map(MacAddress::into_string),
        phone_number: f
            .parse("phoneNumber", E164Phone::parse)?
            .map(E164Phone::into_string),
        iccid: f.parse_id("iccid", Iccid::parse)?.map(Iccid::into_string),
        subscriber_carrier: f.free_text("subscriberCarrier", CARRIER_MAX)?,
        manufacturer: f.free_text("manufacturer", MANUFACTURER_MAX)?,
        model: f.free_text("model", MODEL_MAX)?,
        platform: required(
            "operatingSystem",
            f.parse("operatingSystem", Platform::parse)?,
        )?,
        os_version: f.free_text("osVersion", OS_VERSION_MAX)?,
        ownership: f
            .parse("managedDeviceOwnerType", Ownership::parse)?
            .unwrap_or(Ownership::Unknown),
        enrollment_type: enrollment_type(f)?,
        compliance_state: f.parse("complianceState", ComplianceState::parse)?,
        enrolled_at: f.timestamp("enrolledDateTime")?,
        last_check_in_at: f.timestamp("lastSyncDateTime")?,
        is_supervised: f.flag("isSupervised")?,
        is_encrypted: f.flag("isEncrypted")?,
        entra_device_id: f
            .parse_id("azureADDeviceId", Guid::parse)?
            .map(Guid::into_string),
        // Graph names a device without a category "Unknown"; that is not a category.
        device_category: f
            .free_text("deviceCategoryDisplayName", CATEGORY_MAX)?
            .filter(|c| !c.eq_ignore_ascii_case(UNKNOWN)),
    })
}

/// Graph's `deviceEnrollmentType`, in the portal's terms.
///
/// Graph names its enrollment programmes (`appleBulkWithUser`, `windowsAzureADJoin`…), the
/// portal names what they mean for privacy. The unambiguous Graph names are translated; those
/// that do not say which of the portal's kinds a device is (`userEnrollment` is an iPhone or
/// an Android work profile, `windowsCoManagement` joined or hybrid) leave the column empty
/// rather than guess. Anything else goes through the domain parser as it is, so the portal's
/// own names are accepted too.
fn enrollment_type(f: &Fields<'_>) -> Result<Option<EnrollmentType>, Refusal> {
    const NAME: &str = "deviceEnrollmentType";
    let Some(raw) = f.text(NAME)? else {
        return Ok(None);
    };
    let portal_name = match raw.to_ascii_lowercase().as_str() {
        "unknown"
        | "userenrollment"
        | "deviceenrollmentmanager"
        | "windowsautoenrollment"
        | "windowscomanagement"
        | "windowsbulkuserless" => return Ok(None),
        "applebulkwithuser" | "applebulkwithoutuser" => "apple_ade",
        "appleuserenrollment" | "appleuserenrollmentwithserviceaccount" => "apple_user_enrollment",
        "windowsazureadjoin"
        | "windowsbulkazuredomainjoin"
        | "windowsazureadjoinusingdeviceauth"
        | "azureadjoinusingazurevmextension" => "windows_entra_joined",
        "androidenterprisededicateddevice" => "android_dedicated",
        "androidenterprisefullymanaged" => "android_fully_managed",
        "androidenterprisecorporateworkprofile" => "android_work_profile_corporate",
        _ => raw,
    };
    EnrollmentType::parse(portal_name)
        .map(Some)
        .map_err(|e| Refusal::value(NAME, &e))
}

// ---------------------------------------------------------------------------------------
// Time.
// ---------------------------------------------------------------------------------------

/// UTC epoch milliseconds of a parsed RFC 3339 timestamp; fractions below a millisecond are
/// dropped. `None` only for a form [`Timestamp::parse`] never produces.
fn epoch_ms(timestamp: &Timestamp) -> Option<i64> {
    let text = timestamp.as_str();
    let number = |range: std::ops::Range<usize>| -> Option<i64> { text.get(range)?.parse().ok() };
    let days = app::time::days_from_civil(number(0..4)?, number(5..7)?, number(8..10)?);
    let seconds = number(11..13)? * 3600 + number(14..16)? * 60 + number(17..19)?;
    let mut rest = text.get(19..)?;
    let mut millis = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        let first_three: String = fraction
            .get(..digits)?
            .chars()
            .chain(std::iter::repeat('0'))
            .take(3)
            .collect();
        millis = first_three.parse::<i64>().ok()?;
        rest = fraction.get(digits..)?;
    }
    let offset_seconds = match rest {
        "Z" => 0,
        _ => {
            let sign = match rest.get(..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            let hours: i64 = rest.get(1..3)?.parse().ok()?;
            let minutes: i64 = rest.get(4..6)?.parse().ok()?;
            sign * (hours * 3600 + minutes * 60)
        }
    };
    Some(days * DAY_MS + (seconds - offset_seconds) * 1000 + millis)
}

// ---------------------------------------------------------------------------------------
// Progress.
// ---------------------------------------------------------------------------------------

/// A one-line progress bar on stderr, redrawn in place, only when stderr is a terminal (a log
/// file or a pipe gets no control characters).
struct ProgressBar {
    total: u64,
    enabled: bool,
    shown_permille: Option<u64>,
    /// The line is ended once everything is read, so that what is printed next (the last
    /// batch's log lines, the summary) starts on a line of its own.
    ended: bool,
}

impl ProgressBar {
    const WIDTH: u64 = 30;

    fn new(total: u64, enabled: bool) -> ProgressBar {
        ProgressBar {
            total,
            enabled,
            shown_permille: None,
            ended: false,
        }
    }

    fn show(&mut self, read: u64) {
        if !self.enabled || self.ended {
            return;
        }
        let permille = (read.min(self.total) * 1000)
            .checked_div(self.total)
            .unwrap_or(1000);
        // Redrawn only when the figure changes: a million lines do not need a million writes.
        if self.shown_permille == Some(permille) {
            return;
        }
        self.shown_permille = Some(permille);
        let filled = permille * Self::WIDTH / 1000;
        let bar: String = (0..Self::WIDTH)
            .map(|i| if i < filled { '#' } else { '-' })
            .collect();
        let mut stderr = std::io::stderr().lock();
        // Progress is a courtesy: a terminal that cannot be written to must not stop the import.
        let _ = write!(
            stderr,
            "\r[{bar}] {:>3}.{}%  {read} / {} bytes",
            permille / 10,
            permille % 10,
            self.total
        );
        if permille == 1000 {
            let _ = writeln!(stderr);
            self.ended = true;
        }
        let _ = stderr.flush();
    }

    /// Ends the line when the import stopped before the end of the file.
    fn finish(&mut self) {
        if self.enabled && self.shown_permille.is_some() && !self.ended {
            eprintln!();
            self.ended = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::to_rfc3339;
    use serde_json::json;

    fn record(value: &Value) -> Result<Record, Refusal> {
        parse_record(&value.to_string())
    }

    fn user(value: &Value) -> UserRecord {
        match record(value) {
            Ok(Record::User(user)) => user,
            Ok(Record::Device(_)) => panic!("a device, not a user"),
            Err(refusal) => panic!("refused: {refusal:?}"),
        }
    }

    fn device(value: &Value) -> DeviceRecord {
        match record(value) {
            Ok(Record::Device(device)) => *device,
            Ok(Record::User(_)) => panic!("a user, not a device"),
            Err(refusal) => panic!("refused: {refusal:?}"),
        }
    }

    fn refusal(value: &Value) -> Refusal {
        match record(value) {
            Ok(_) => panic!("accepted: {value}"),
            Err(refusal) => refusal,
        }
    }

    fn graph_device() -> Value {
        json!({
            "@odata.type": "#microsoft.graph.managedDevice",
            "id": "D1000000-0000-4000-8000-0000000000D1",
            "userId": "a1b2c3d4-0001-4000-8000-000000000001",
            "userPrincipalName": "adele.vance@contoso.com",
            "deviceName": " Adele's iPhone ",
            "managedDeviceName": "AdeleVance_iPhone_1/5/2025",
            "serialNumber": "f2lxk0abcd12",
            "imei": "35 693803 564380 9",
            "meid": "35693803564380",
            "udid": "00008110-001a2b3c4d5e801e",
            "wiFiMacAddress": "021a2b3c4d01",
            "ethernetMacAddress": "",
            "phoneNumber": "+1 425 555 0111",
            "iccid": "8931 0410 1065 4378 9305",
            "subscriberCarrier": "Contoso Mobile",
            "manufacturer": "Apple",
            "model": "iPhone 15",
            "operatingSystem": "iOS",
            "osVersion": "17.5",
            "managedDeviceOwnerType": "company",
            "deviceEnrollmentType": "appleBulkWithUser",
            "complianceState": "inGracePeriod",
            "enrolledDateTime": "2025-01-05T09:30:00Z",
            "lastSyncDateTime": "0001-01-01T00:00:00Z",
            "isSupervised": true,
            "isEncrypted": "false",
            "azureADDeviceId": "00000000-0000-0000-0000-000000000000",
            "deviceCategoryDisplayName": "Unknown"
        })
    }

    #[test]
    fn a_graph_user_maps_to_normalised_values() {
        let u = user(&json!({
            "@odata.type": "#microsoft.graph.user",
            "id": "{A1B2C3D4-0001-4000-8000-000000000001}",
            "userPrincipalName": "Adele.Vance@CONTOSO.com",
            "displayName": " Adele Vance ",
            "mail": "Adele.Vance@Contoso.COM",
            "mobilePhone": null,
            "businessPhones": ["", "+1 (425) 555-0101", "+1 425 555 0199"],
            "department": "Retail",
            "jobTitle": ""
        }));
        assert_eq!(u.id, "a1b2c3d4-0001-4000-8000-000000000001");
        assert_eq!(u.upn, "Adele.Vance@contoso.com");
        assert_eq!(u.display_name, "Adele Vance");
        assert_eq!(u.email, "Adele.Vance@contoso.com");
        assert_eq!(u.phone.as_deref(), Some("+14255550101"));
        assert_eq!(u.department.as_deref(), Some("Retail"));
        assert_eq!(u.job_title, None, "an empty string is absent");
    }

    #[test]
    fn a_user_without_mail_is_reached_at_the_upn_and_a_mobile_phone_wins() {
        let u = user(&json!({
            "id": "a1b2c3d4-0001-4000-8000-000000000001",
            "userPrincipalName": "chen.li@Contoso.com",
            "displayName": "Chen Li",
            "mobilePhone": "+31 20-1234567",
            "businessPhones": ["+1 425 555 0101"]
        }));
        assert_eq!(u.email, "chen.li@contoso.com");
        assert_eq!(u.phone.as_deref(), Some("+31201234567"));
        let row = u.into_row("t", None, 7);
        assert_eq!(row.search_name, "chen li");
        assert_eq!((row.version, row.created_at, row.updated_at), (0, 7, 7));
    }

    #[test]
    fn a_graph_managed_device_maps_to_normalised_values() {
        let d = device(&graph_device());
        assert_eq!(d.id, "d1000000-0000-4000-8000-0000000000d1");
        assert_eq!(
            d.primary_user_id.as_deref(),
            Some("a1b2c3d4-0001-4000-8000-000000000001")
        );
        assert_eq!(d.device_name, "Adele's iPhone");
        assert_eq!(d.serial_number.as_deref(), Some("F2LXK0ABCD12"));
        assert_eq!(d.imei.as_deref(), Some("356938035643809"));
        assert_eq!(d.udid.as_deref(), Some("00008110-001A2B3C4D5E801E"));
        assert_eq!(d.wifi_mac.as_deref(), Some("02:1A:2B:3C:4D:01"));
        assert_eq!(d.ethernet_mac, None, "empty string");
        assert_eq!(d.phone_number.as_deref(), Some("+14255550111"));
        assert_eq!(d.iccid.as_deref(), Some("89310410106543789305"));
        assert_eq!(d.entra_device_id, None, "all-zero GUID");
        assert_eq!(d.device_category, None, "Graph's Unknown category");
        assert_eq!(d.enrolled_at, Some(1_736_069_400_000));
        assert_eq!(d.last_check_in_at, None, "Graph's year-1 'never'");
        assert_eq!(d.is_supervised, Some(true));
        assert_eq!(d.is_encrypted, Some(false), "a flag given as text");
        let row = d.into_row("t", None, 42);
        assert_eq!(row.platform, "ios");
        assert_eq!(row.ownership, "corporate");
        assert_eq!(row.enrollment_type.as_deref(), Some("apple_ade"));
        assert_eq!(row.compliance_state, "in_grace_period");
        assert_eq!(
            row.last_check_in_at, 42,
            "the import time when Graph says never"
        );
    }

    #[test]
    fn a_device_with_only_the_required_fields_gets_the_unknown_defaults() {
        let d = device(&json!({
            "id": "d4000000-0000-4000-8000-0000000000d4",
            "userId": "00000000-0000-0000-0000-000000000000",
            "deviceName": "Warehouse TC57 #3",
            "operatingSystem": "Android"
        }));
        assert_eq!(d.primary_user_id, None, "a shared device");
        let row = d.into_row("t", None, 42);
        assert_eq!(
            (
                row.manufacturer.as_str(),
                row.model.as_str(),
                row.os_version.as_str()
            ),
            ("unknown", "unknown", "unknown")
        );
        assert_eq!(row.ownership, "unknown");
        assert_eq!(row.compliance_state, "unknown");
        assert_eq!((row.enrolled_at, row.last_check_in_at), (42, 42));
        assert_eq!(row.enrollment_type, None);
    }

    #[test]
    fn a_missing_required_value_keeps_the_stored_one_rather_than_a_default() {
        let stored = device(&graph_device()).into_row("t", None, 1);
        let mut sparse = graph_device();
        for key in [
            "manufacturer",
            "enrolledDateTime",
            "complianceState",
            "isSupervised",
        ] {
            sparse[key] = Value::Null;
        }
        let row = device(&sparse).into_row("t", Some(&stored), 99);
        assert_eq!(row, stored, "nothing changed, so the version stays");
    }

    #[test]
    fn the_record_kind_comes_from_odata_type_or_the_fields_present() {
        let cases = [
            (
                json!({"@odata.type": "#microsoft.graph.user"}),
                Ok(Kind::User),
            ),
            (
                json!({"@odata.type": "#microsoft.graph.managedDevice"}),
                Ok(Kind::Device),
            ),
            (json!({"userPrincipalName": "x"}), Ok(Kind::User)),
            (
                json!({"userPrincipalName": "x", "deviceName": "y"}),
                Ok(Kind::Device),
            ),
        ];
        for (value, expected) in cases {
            let Value::Object(object) = &value else {
                panic!("not an object")
            };
            assert_eq!(kind(object), expected, "{value}");
        }
        let group = json!({"@odata.type": "#microsoft.graph.group", "deviceName": "x"});
        assert_eq!(refusal(&group).field, Some("@odata.type"));
        assert_eq!(refusal(&json!({"id": "x"})).field, None);
    }

    #[test]
    fn bad_fields_are_refused_with_the_graph_name_and_a_reason_without_the_value() {
        let long = "x".repeat(129);
        let cases: Vec<(&str, Value, &str)> = vec![
            ("imei", json!("356938035643808"), "wrong check digit"),
            ("wiFiMacAddress", json!("AA:BB:CC:DD:EE"), "five groups"),
            ("serialNumber", json!("F2LX K0AB"), "space inside"),
            ("userId", json!("not-a-guid"), "not a GUID"),
            ("phoneNumber", json!("4255550111"), "no country code"),
            ("operatingSystem", json!("BeOS"), "unknown platform"),
            (
                "managedDeviceOwnerType",
                json!("borrowed"),
                "unknown ownership",
            ),
            (
                "deviceEnrollmentType",
                json!("carrierPigeon"),
                "unknown enrollment",
            ),
            (
                "enrolledDateTime",
                json!("2025-02-30T00:00:00Z"),
                "30 February",
            ),
            ("isEncrypted", json!("maybe"), "not a flag"),
            ("imei", json!(356_938_035_643_809_u64), "a number, not text"),
            ("osVersion", json!("1".repeat(33)), "wider than its column"),
            ("deviceName", json!(""), "required"),
            ("deviceName", json!("a\u{202E}b"), "direction override"),
        ];
        for (field, value, why) in cases {
            let mut input = graph_device();
            input[field] = value.clone();
            let refused = refusal(&input);
            assert_eq!(refused.field, Some(field), "{why}");
            for locale in Locale::ALL {
                let reason = refused.reason.message(locale);
                assert!(!reason.is_empty(), "{why}");
                if let Some(text) = value.as_str().filter(|t| t.len() > 3) {
                    assert!(!reason.contains(text), "{why}: {reason}");
                }
            }
        }
        let cases: Vec<(&str, Value, &str)> = vec![
            ("userPrincipalName", json!("adele"), "no @"),
            ("mail", json!("adele@contoso"), "no dot in the domain"),
            ("mobilePhone", json!("+0 425"), "too short"),
            ("businessPhones", json!("+1 425 555 0101"), "not a list"),
            ("department", json!(long), "wider than its column"),
            ("displayName", Value::Null, "required"),
        ];
        for (field, value, why) in cases {
            let mut input = json!({
                "id": "a1b2c3d4-0001-4000-8000-000000000001",
                "userPrincipalName": "adele.vance@contoso.com",
                "displayName": "Adele Vance"
            });
            input[field] = value;
            assert_eq!(refusal(&input).field, Some(field), "{why}");
        }
        assert_eq!(
            refusal(&{
                let mut d = graph_device();
                d["imei"] = json!("356938035643808");
                d
            })
            .reason
            .message(Locale::En),
            "The check digit is wrong. Check the number for typing errors."
        );
    }

    #[test]
    fn a_refusal_is_a_code_that_reads_in_the_language_of_whoever_shows_it() {
        let mut input = graph_device();
        input["imei"] = json!(356_938_035_643_809_u64);
        let refused = refusal(&input);
        assert_eq!(
            refused.reason,
            RejectionReason::ExpectedText {
                found: JsonType::Number
            }
        );
        assert_eq!(
            refused.reason.message(Locale::En),
            "Expected text, found a number."
        );
        assert_eq!(
            refused.reason.message(Locale::Nl),
            "Verwacht: tekst. Gevonden: een getal."
        );
        let cut = parse_record(r#"{"deviceName": "#).err().map(|r| r.reason);
        assert_eq!(cut, Some(RejectionReason::JsonCutOff));
        let rejection = Rejection {
            line: 3,
            field: Some("imei".into()),
            reason: RejectionReason::Value(ValueError::BadCheckDigit),
        };
        assert_eq!(
            rejection.describe(Locale::En),
            "line 3: imei: The check digit is wrong. Check the number for typing errors.",
            "the command line prints English"
        );
    }

    #[test]
    fn lines_that_are_not_json_objects_are_refused_without_quoting_them() {
        let cases = [
            (
                r#"{"id": "a1b2c3d4-0001-4000-8000-000000000001", "deviceName": "Adele"#,
                "cut off",
            ),
            (r#"{"secret-looking": 356938035643809,}"#, "not valid JSON"),
            ("[1, 2]", "not an object"),
        ];
        for (line, expected) in cases {
            let refused = parse_record(line)
                .err()
                .map(|r| r.reason.message(Locale::En))
                .unwrap_or_default();
            assert!(refused.contains(expected), "{line}: {refused}");
            assert!(
                !refused.contains("Adele") && !refused.contains("3569"),
                "{refused}"
            );
        }
    }

    #[test]
    fn rfc3339_timestamps_convert_to_utc_epoch_milliseconds() {
        let cases = [
            ("1970-01-01T00:00:00Z", 0),
            ("1970-01-01T00:00:00.001Z", 1),
            ("1969-12-31T23:59:59Z", -1000),
            ("2000-02-29T12:00:00Z", 951_825_600_000),
            ("2025-01-05T09:30:00Z", 1_736_069_400_000),
            ("2025-01-05T10:30:00+01:00", 1_736_069_400_000),
            ("2025-01-05T02:00:00-07:30", 1_736_069_400_000),
            ("2025-01-05T09:30:00.1234567Z", 1_736_069_400_123),
            ("2025-01-05T09:30:00.5Z", 1_736_069_400_500),
            ("2016-12-31T23:59:60Z", 1_483_228_800_000),
        ];
        for (text, expected) in cases {
            let timestamp = Timestamp::parse(text).map_err(|e| format!("{e:?}"));
            assert_eq!(
                timestamp.map(|t| epoch_ms(&t)),
                Ok(Some(expected)),
                "{text}"
            );
        }
    }

    #[test]
    fn epoch_milliseconds_round_trip_through_the_clocks_rfc3339_form() {
        // Every day from 1900 to 2100 plus an odd time of day, against the clock's inverse.
        let mut ms = -2_208_988_800_000_i64 + 45_296_789;
        while ms < 4_102_444_800_000 {
            let text = to_rfc3339(ms);
            let parsed = Timestamp::parse(&text).map_err(|e| format!("{e:?}"));
            assert_eq!(parsed.map(|t| epoch_ms(&t)), Ok(Some(ms)), "{text}");
            ms += DAY_MS + 1;
        }
    }

    #[test]
    fn graph_enrollment_types_map_to_the_portals_or_to_nothing_when_ambiguous() {
        let cases = [
            ("appleBulkWithoutUser", Some("apple_ade")),
            ("appleUserEnrollment", Some("apple_user_enrollment")),
            ("windowsAzureADJoin", Some("windows_entra_joined")),
            (
                "androidEnterpriseFullyManaged",
                Some("android_fully_managed"),
            ),
            ("userEnrollment", None),
            ("unknown", None),
            ("jamf_managed", Some("jamf_managed")),
        ];
        for (graph, expected) in cases {
            let mut input = graph_device();
            input["deviceEnrollmentType"] = json!(graph);
            let got = device(&input).enrollment_type.map(EnrollmentType::as_str);
            assert_eq!(got, expected, "{graph}");
        }
    }

    #[test]
    fn records_never_print_their_values() {
        let d = device(&graph_device());
        assert_eq!(format!("{d:?}"), "DeviceRecord(<personal data>)");
    }
}
