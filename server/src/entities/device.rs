//! Managed devices, with their identifiers, hardware and enrollment facts; a device without a primary user is shared.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "devices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub tenant_id: String,
    pub primary_user_id: Option<String>,
    pub entra_device_id: Option<String>,
    pub device_name: String,
    pub management_name: Option<String>,
    pub serial_number: Option<String>,
    pub imei: Option<String>,
    pub meid: Option<String>,
    pub udid: Option<String>,
    pub wifi_mac: Option<String>,
    pub ethernet_mac: Option<String>,
    pub phone_number: Option<String>,
    pub iccid: Option<String>,
    pub subscriber_carrier: Option<String>,
    pub manufacturer: String,
    pub model: String,
    pub platform: String,
    pub os_version: String,
    pub ownership: String,
    pub enrollment_type: Option<String>,
    pub device_category: Option<String>,
    pub compliance_state: String,
    pub is_supervised: bool,
    pub is_encrypted: bool,
    pub activation_lock_bypass_code: Option<String>,
    pub recovery_key: Option<String>,
    pub enrolled_at: i64,
    pub last_check_in_at: i64,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
