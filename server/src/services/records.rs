//! The one reading of what is held about a person: their directory record, the devices they are
//! the primary user of, the apps on those devices and each field's provenance, with the
//! visibility rules of the field catalogue applied.
//!
//! The personal-data page, the end user's own page, the GDPR export and the disclosure engine
//! all read fields through this module, so a value the rules withhold is withheld the same way
//! in every one of them, and a new field or rule is written once.

use crate::clock::{to_rfc3339, year_month};
use crate::entities::{device, device_app, directory_user, field_version};
use crate::services::error::ServiceError;
use anyhow::Context;
use app::domain::catalogue::{FieldId, RecordKind};
use app::domain::enums::{EnrollmentType, Ownership, Platform};
use app::domain::visibility::{app_visible, apply, visibility, DeviceContext, Visibility};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

/// Everything held about one person in one tenant, as stored.
pub struct Records {
    pub user: directory_user::Model,
    /// The devices whose primary user is this person, by name.
    pub devices: Vec<device::Model>,
    /// The apps on those devices, by name.
    apps: Vec<device_app::Model>,
    /// (record, field) → the field's last recorded change.
    versions: HashMap<(String, String), field_version::Model>,
}

/// Who last changed a field and when. A field never changed through the portal or an import
/// has version 0, the record's own update time and its source of truth as the author.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provenance {
    pub version: i64,
    pub changed_at: i64,
    pub changed_by: String,
}

/// One field as it may be shown to the tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    pub field: FieldId,
    /// Whether a value is held at all (a hidden value is held but not shown).
    pub held: bool,
    /// The value with the visibility rule applied (`None` when withheld or not held).
    pub value: Option<String>,
    pub visibility: Visibility,
    pub provenance: Provenance,
}

/// Who reads the records. The rule that shows the organisation only the last digits of a
/// personal device's phone number protects the person from their employer, not from
/// themselves: the person sees their own number in full (Art. 15). Hidden fields stay hidden
/// (the platform does not collect them) and secrets stay masked for everyone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reader {
    /// Tenant admins, reviewers, auditors, and every export they download.
    Staff,
    /// The person the records are about, on their own page.
    Subject,
}

impl Reader {
    fn rule(self, visibility: Visibility) -> Visibility {
        match (self, visibility) {
            (Reader::Subject, Visibility::LastDigits(_)) => Visibility::Visible,
            _ => visibility,
        }
    }
}

/// A device's apps split by the visibility rules: those that may be shown, and how many are
/// withheld (an unmanaged app on a personal device, for instance).
pub struct Apps<'a> {
    pub shown: Vec<&'a device_app::Model>,
    pub withheld: usize,
}

impl Records {
    /// Reads what is held about `user_id` in `tenant_id`.
    ///
    /// # Errors
    /// [`ServiceError::NotFound`] for a user not in this tenant; a failure when the database
    /// fails.
    pub async fn load<C: ConnectionTrait>(
        db: &C,
        tenant_id: &str,
        user_id: &str,
    ) -> Result<Records, ServiceError> {
        let user = directory_user::Entity::find_by_id(user_id.to_owned())
            .filter(directory_user::Column::TenantId.eq(tenant_id))
            .one(db)
            .await
            .context("reading the user")?
            .ok_or(ServiceError::NotFound)?;
        let devices = device::Entity::find()
            .filter(device::Column::TenantId.eq(tenant_id))
            .filter(device::Column::PrimaryUserId.eq(user_id))
            .order_by_asc(device::Column::DeviceName)
            .all(db)
            .await
            .context("reading the user's devices")?;
        let records = std::iter::once(user.id.clone())
            .chain(devices.iter().map(|d| d.id.clone()))
            .collect::<Vec<_>>();
        let versions = field_version::Entity::find()
            .filter(field_version::Column::TenantId.eq(tenant_id))
            .filter(field_version::Column::RecordId.is_in(records.clone()))
            .all(db)
            .await
            .context("reading field versions")?
            .into_iter()
            .map(|v| ((v.record_id.clone(), v.field.clone()), v))
            .collect();
        let apps = device_app::Entity::find()
            .filter(device_app::Column::TenantId.eq(tenant_id))
            .filter(device_app::Column::DeviceId.is_in(records))
            .order_by_asc(device_app::Column::Name)
            .all(db)
            .await
            .context("reading the app inventory")?;
        Ok(Records {
            user,
            devices,
            apps,
            versions,
        })
    }

    /// The ids of the person's records: the user first, then each device.
    pub fn ids(&self) -> Vec<String> {
        std::iter::once(self.user.id.clone())
            .chain(self.devices.iter().map(|d| d.id.clone()))
            .collect()
    }

    /// The user's own fields, in catalogue order. Identity fields are always visible to the
    /// tenant.
    pub fn user_fields(&self) -> Vec<Shown> {
        fields_of(RecordKind::User)
            .map(|f| {
                self.shown(
                    &self.user.id,
                    self.user.updated_at,
                    f,
                    user_field(&self.user, f),
                    Visibility::Visible,
                )
            })
            .collect()
    }

    /// A device's fields in catalogue order, each under the rule for this device and `reader`.
    pub fn device_fields(&self, d: &device::Model, reader: Reader) -> Vec<Shown> {
        let ctx = context_of(d);
        fields_of(RecordKind::Device)
            .map(|f| {
                self.shown(
                    &d.id,
                    d.updated_at,
                    f,
                    device_field(d, &self.user, f),
                    reader.rule(visibility(f, &ctx)),
                )
            })
            .collect()
    }

    /// The apps of device `d`, split by the visibility rules.
    pub fn apps_of(&self, d: &device::Model) -> Apps<'_> {
        let ctx = context_of(d);
        let (shown, withheld): (Vec<_>, Vec<_>) = self
            .apps
            .iter()
            .filter(|a| a.device_id == d.id)
            .partition(|a| app_visible(&ctx, a.managed));
        Apps {
            shown,
            withheld: withheld.len(),
        }
    }

    fn shown(
        &self,
        record_id: &str,
        updated_at: i64,
        field: FieldId,
        raw: Option<String>,
        visibility: Visibility,
    ) -> Shown {
        let meta = self
            .versions
            .get(&(record_id.to_owned(), field.as_str().to_owned()));
        Shown {
            field,
            held: raw.is_some(),
            value: raw.as_deref().and_then(|v| apply(visibility, v)),
            visibility,
            provenance: Provenance {
                version: meta.map_or(0, |m| m.version),
                changed_at: meta.map_or(updated_at, |m| m.changed_at),
                changed_by: meta.map_or_else(
                    || field.spec().source.as_str().to_owned(),
                    |m| m.changed_by.clone(),
                ),
            },
        }
    }
}

/// The catalogue's fields of one kind of record, in catalogue order.
fn fields_of(kind: RecordKind) -> impl Iterator<Item = FieldId> {
    FieldId::ALL
        .iter()
        .copied()
        .filter(move |f| f.record() == kind)
}

/// The values of a device's fields that may leave the portal: held, and fully visible to the
/// tenant (a masked or hidden value never goes out, not even in part).
pub fn disclosable_device_values(d: &device::Model, fields: &[FieldId]) -> Vec<(FieldId, String)> {
    let ctx = context_of(d);
    fields
        .iter()
        .filter(|f| f.record() == RecordKind::Device)
        .filter(|f| visibility(**f, &ctx) == Visibility::Visible)
        .filter_map(|f| device_value(d, *f).map(|v| (*f, v)))
        .collect()
}

/// The values of a user's fields that may leave the portal (identity fields are visible).
pub fn disclosable_user_values(
    u: &directory_user::Model,
    fields: &[FieldId],
) -> Vec<(FieldId, String)> {
    fields
        .iter()
        .filter(|f| f.record() == RecordKind::User)
        .filter_map(|f| user_field(u, *f).map(|v| (*f, v)))
        .collect()
}

/// The facts the visibility rules need, read from a stored device. Unknown or unparsable facts
/// fall to the stricter reading (the domain rules treat `None` that way).
/// Clears from a device row what the platform never collects from a device like it
/// ([`app::domain::visibility::collected`]); every writer of device rows (the import, the demo
/// data, the generator) stores only what is left.
pub fn collect(d: &mut device::Model) {
    let ctx = context_of(d);
    let keep = |field: FieldId| app::domain::visibility::collected(field, &ctx);
    for (field, column) in [
        (FieldId::SerialNumber, &mut d.serial_number),
        (FieldId::Imei, &mut d.imei),
        (FieldId::Meid, &mut d.meid),
        (FieldId::Udid, &mut d.udid),
        (FieldId::WifiMac, &mut d.wifi_mac),
        (FieldId::EthernetMac, &mut d.ethernet_mac),
        (FieldId::PhoneNumber, &mut d.phone_number),
        (FieldId::Iccid, &mut d.iccid),
        (FieldId::SubscriberCarrier, &mut d.subscriber_carrier),
        (FieldId::EntraDeviceId, &mut d.entra_device_id),
    ] {
        if !keep(field) {
            *column = None;
        }
    }
}

pub fn context_of(d: &device::Model) -> DeviceContext {
    DeviceContext {
        ownership: Ownership::parse(&d.ownership).unwrap_or(Ownership::Unknown),
        platform: Platform::parse(&d.platform).unwrap_or(Platform::Linux),
        os_major: DeviceContext::major_version(&d.os_version),
        enrollment_type: d
            .enrollment_type
            .as_deref()
            .and_then(|e| EnrollmentType::parse(e).ok()),
        enrolled_at_year_month: Some(year_month(d.enrolled_at)),
    }
}

/// The stored value of a user field (`None` when not held).
pub fn user_field(u: &directory_user::Model, field: FieldId) -> Option<String> {
    match field {
        FieldId::ObjectId => Some(u.id.clone()),
        FieldId::Upn => Some(u.upn.clone()),
        FieldId::DisplayName => Some(u.display_name.clone()),
        FieldId::Email => u.email.clone(),
        FieldId::Phone => u.phone.clone(),
        FieldId::Department => u.department.clone(),
        FieldId::JobTitle => u.job_title.clone(),
        _ => None,
    }
}

/// The stored value of a device field (`None` when not held). `primary` is the device's
/// primary user, whose UPN stands for the `primary_user` field.
pub fn device_field(
    d: &device::Model,
    primary: &directory_user::Model,
    field: FieldId,
) -> Option<String> {
    match field {
        FieldId::PrimaryUser => {
            (d.primary_user_id.as_deref() == Some(primary.id.as_str())).then(|| primary.upn.clone())
        }
        _ => device_value(d, field),
    }
}

/// The stored value of a device field that does not depend on another record: every field
/// but `primary_user` (always `None`), which [`device_field`] answers.
pub fn device_value(d: &device::Model, field: FieldId) -> Option<String> {
    let flag = |b: bool| Some(if b { "true" } else { "false" }.to_owned());
    match field {
        FieldId::DeviceId => Some(d.id.clone()),
        FieldId::EntraDeviceId => d.entra_device_id.clone(),
        FieldId::DeviceName => Some(d.device_name.clone()),
        FieldId::ManagementName => d.management_name.clone(),
        FieldId::Ownership => Some(d.ownership.clone()),
        FieldId::EnrollmentType => d.enrollment_type.clone(),
        FieldId::DeviceCategory => d.device_category.clone(),
        FieldId::EnrolledAt => Some(to_rfc3339(d.enrolled_at)),
        FieldId::LastCheckIn => Some(to_rfc3339(d.last_check_in_at)),
        FieldId::ComplianceState => Some(d.compliance_state.clone()),
        FieldId::IsSupervised => flag(d.is_supervised),
        FieldId::IsEncrypted => flag(d.is_encrypted),
        FieldId::Os => Some(d.platform.clone()),
        FieldId::OsVersion => Some(d.os_version.clone()),
        FieldId::SerialNumber => d.serial_number.clone(),
        FieldId::Imei => d.imei.clone(),
        FieldId::Meid => d.meid.clone(),
        FieldId::Udid => d.udid.clone(),
        FieldId::Manufacturer => Some(d.manufacturer.clone()),
        FieldId::Model => Some(d.model.clone()),
        FieldId::WifiMac => d.wifi_mac.clone(),
        FieldId::EthernetMac => d.ethernet_mac.clone(),
        FieldId::Iccid => d.iccid.clone(),
        FieldId::PhoneNumber => d.phone_number.clone(),
        FieldId::SubscriberCarrier => d.subscriber_carrier.clone(),
        FieldId::ActivationLockBypassCode => d.activation_lock_bypass_code.clone(),
        FieldId::BitlockerRecoveryKey => d.recovery_key.clone(),
        _ => None,
    }
}
