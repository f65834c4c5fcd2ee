//! sea-orm entities, one module per table. They never leave the server: pages and the API get
//! view types built on purpose.

pub mod access_log;
pub mod account;
pub mod api_idempotency;
pub mod api_token;
pub mod audit_event;
pub mod consent;
pub mod correction_request;
pub mod data_flow;
pub mod device;
pub mod device_app;
pub mod directory_user;
pub mod disclosure;
pub mod feature_terms;
pub mod field_version;
pub mod follow_up_task;
pub mod job;
pub mod notification;
pub mod portal_setting;
pub mod recipient;
pub mod recipient_endpoint;
pub mod request_outcome;
pub mod role_assignment;
pub mod sharing_feature;
pub mod tenant;
pub mod tenant_feature;
