//! From a Graph JSON object to validated values: every field through the portal's own
//! domain parsers, a refusal naming the Graph field and the reason, never the value.

use super::*;

/// Why a record was refused, before it is tied to its line.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Refusal {
    pub(super) field: Option<&'static str>,
    pub(super) reason: RejectionReason,
}

impl Refusal {
    pub(super) fn field(field: &'static str, reason: RejectionReason) -> Refusal {
        Refusal {
            field: Some(field),
            reason,
        }
    }

    pub(super) fn value(field: &'static str, error: &ValueError) -> Refusal {
        Refusal::field(field, RejectionReason::Value(error.clone()))
    }

    pub(super) fn record(reason: RejectionReason) -> Refusal {
        Refusal {
            field: None,
            reason,
        }
    }

    pub(super) fn other_tenant() -> Refusal {
        Refusal::field("id", RejectionReason::OtherTenant)
    }
}

/// A validated record, every value in its normal form. A device is boxed: it is four times
/// the size of a user, and a batch holds thousands of records.
pub(super) enum Record {
    User(UserRecord),
    Device(Box<DeviceRecord>),
}

impl Record {
    pub(super) fn id(&self) -> &str {
        match self {
            Record::User(user) => &user.id,
            Record::Device(device) => &device.id,
        }
    }
}

/// A validated Graph `user`.
pub(super) struct UserRecord {
    pub(super) id: String,
    pub(super) upn: String,
    pub(super) display_name: String,
    pub(super) email: String,
    pub(super) phone: Option<String>,
    pub(super) department: Option<String>,
    pub(super) job_title: Option<String>,
}

impl fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UserRecord(<personal data>)")
    }
}

impl UserRecord {
    /// The row to store. It carries the stored row's version and times, so that comparing it
    /// with the stored row tells whether anything changed (see [`decide`]).
    pub(super) fn into_row(
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
pub(super) struct DeviceRecord {
    pub(super) id: String,
    pub(super) primary_user_id: Option<String>,
    pub(super) entra_device_id: Option<String>,
    pub(super) device_name: String,
    pub(super) management_name: Option<String>,
    pub(super) serial_number: Option<String>,
    pub(super) imei: Option<String>,
    pub(super) meid: Option<String>,
    pub(super) udid: Option<String>,
    pub(super) wifi_mac: Option<String>,
    pub(super) ethernet_mac: Option<String>,
    pub(super) phone_number: Option<String>,
    pub(super) iccid: Option<String>,
    pub(super) subscriber_carrier: Option<String>,
    pub(super) manufacturer: Option<String>,
    pub(super) model: Option<String>,
    pub(super) platform: Platform,
    pub(super) os_version: Option<String>,
    pub(super) ownership: Ownership,
    pub(super) enrollment_type: Option<EnrollmentType>,
    pub(super) device_category: Option<String>,
    pub(super) compliance_state: Option<ComplianceState>,
    pub(super) is_supervised: Option<bool>,
    pub(super) is_encrypted: Option<bool>,
    pub(super) enrolled_at: Option<i64>,
    pub(super) last_check_in_at: Option<i64>,
}

impl fmt::Debug for DeviceRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeviceRecord(<personal data>)")
    }
}

/// What a required column holds when the file does not say: the schema needs a value, and
/// these say "not known" in words a reader of the portal understands.
pub(super) const UNKNOWN: &str = "unknown";

impl DeviceRecord {
    /// The row to store (see [`UserRecord::into_row`] for versions and times).
    ///
    /// A required column the file leaves empty keeps the stored value, and only a new row
    /// gets a default: a default is not information, so it never overwrites any. Optional
    /// columns take the file's value, empty included, since Graph's empty means "none".
    pub(super) fn into_row(
        self,
        tenant_id: &str,
        stored: Option<&device::Model>,
        now: i64,
    ) -> device::Model {
        let keep = |value: Option<String>, old: fn(&device::Model) -> &String| {
            value
                .or_else(|| stored.map(|s| old(s).clone()))
                .unwrap_or_else(|| UNKNOWN.to_owned())
        };
        let mut row = device::Model {
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
        };
        // What the platform never collects from a device like this one is not stored, even
        // when the file carries it.
        crate::services::records::collect(&mut row);
        row
    }
}

/// Parses one JSON Lines record.
pub(super) fn parse_record(text: &str) -> Result<Record, Refusal> {
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
pub(super) fn json_refusal(error: &serde_json::Error) -> Refusal {
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
pub(super) enum Kind {
    User,
    Device,
}

pub(super) fn kind(object: &Map<String, Value>) -> Result<Kind, Refusal> {
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
pub(super) struct Fields<'a>(&'a Map<String, Value>);

impl Fields<'_> {
    /// The trimmed text of a property; absent when null, missing or empty.
    pub(super) fn text(&self, name: &'static str) -> Result<Option<&str>, Refusal> {
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
    pub(super) fn identifier(&self, name: &'static str) -> Result<Option<&str>, Refusal> {
        Ok(self.text(name)?.filter(|s| !is_zero_placeholder(s)))
    }

    /// An optional value through its domain parser.
    pub(super) fn parse<T>(
        &self,
        name: &'static str,
        parser: impl Fn(&str) -> Result<T, ValueError>,
    ) -> Result<Option<T>, Refusal> {
        self.text(name)?
            .map(|s| parser(s).map_err(|e| Refusal::value(name, &e)))
            .transpose()
    }

    /// An optional identifier through its domain parser.
    pub(super) fn parse_id<T>(
        &self,
        name: &'static str,
        parser: impl Fn(&str) -> Result<T, ValueError>,
    ) -> Result<Option<T>, Refusal> {
        self.identifier(name)?
            .map(|s| parser(s).map_err(|e| Refusal::value(name, &e)))
            .transpose()
    }

    /// Optional free text that must also fit its column.
    pub(super) fn free_text(
        &self,
        name: &'static str,
        max: usize,
    ) -> Result<Option<String>, Refusal> {
        let Some(text) = self.parse(name, FreeText::parse)? else {
            return Ok(None);
        };
        if text.as_str().chars().count() > max {
            return Err(Refusal::value(name, &ValueError::TooLong { max }));
        }
        Ok(Some(text.into_string()))
    }

    /// A yes/no property: a JSON boolean, or a string `parse_flag` accepts.
    pub(super) fn flag(&self, name: &'static str) -> Result<Option<bool>, Refusal> {
        match self.0.get(name) {
            Some(Value::Bool(b)) => Ok(Some(*b)),
            _ => self.parse(name, parse_flag),
        }
    }

    /// A date and time, as epoch milliseconds. `0001-01-01T00:00:00Z` is Graph's "never".
    pub(super) fn timestamp(&self, name: &'static str) -> Result<Option<i64>, Refusal> {
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
pub(super) fn is_zero_placeholder(s: &str) -> bool {
    s.chars()
        .all(|c| matches!(c, '0' | '-' | ':' | '.' | ' ' | '{' | '}'))
}

pub(super) fn json_type(value: &Value) -> JsonType {
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
pub(super) fn required<T>(name: &'static str, value: Option<T>) -> Result<T, Refusal> {
    value.ok_or_else(|| Refusal::value(name, &ValueError::Empty))
}

pub(super) fn parse_user(f: &Fields<'_>) -> Result<UserRecord, Refusal> {
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
pub(super) fn first_business_phone(f: &Fields<'_>) -> Result<Option<E164Phone>, Refusal> {
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

pub(super) fn parse_device(f: &Fields<'_>) -> Result<DeviceRecord, Refusal> {
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
pub(super) fn enrollment_type(f: &Fields<'_>) -> Result<Option<EnrollmentType>, Refusal> {
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
