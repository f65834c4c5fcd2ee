//! The personal-data model: tenants, directory users (the data subjects), their devices and
//! apps, the per-field version records used for conflict detection, the partner catalogue
//! (recipients, sharing features, their data flows and terms), each tenant's feature states and
//! consents, the disclosure ledger, correction requests, follow-up tasks, the audit chain, and
//! portal accounts with their roles.
//!
//! Enumerations are stored as short strings (readable in SQL, identical on both backends);
//! times are UTC epoch milliseconds. Every query of the portal filters by tenant first, so every
//! tenant-owned table has `tenant_id` leading its indexes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn big_pk<T: IntoIden>(name: T) -> ColumnDef {
    big_integer(name).auto_increment().primary_key().take()
}

fn id36<T: IntoIden>(name: T) -> ColumnDef {
    string_len(name, 36)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Tenants::Table)
                .col(id36(Tenants::Id).primary_key())
                .col(string_len(Tenants::Name, 256))
                .col(string_len(Tenants::PrimaryDomain, 255))
                .col(string_len(Tenants::DataRegion, 32))
                .col(big_integer(Tenants::CreatedAt))
                .col(big_integer(Tenants::UpdatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(DirectoryUsers::Table)
                .col(id36(DirectoryUsers::Id).primary_key())
                .col(id36(DirectoryUsers::TenantId))
                .col(string_len(DirectoryUsers::Upn, 113))
                .col(string_len(DirectoryUsers::DisplayName, 256))
                // Lower-cased display name: prefix search as an index range on both backends.
                .col(string_len(DirectoryUsers::SearchName, 256))
                .col(string_len_null(DirectoryUsers::Email, 254))
                .col(string_len_null(DirectoryUsers::Phone, 16))
                .col(string_len_null(DirectoryUsers::Department, 128))
                .col(string_len_null(DirectoryUsers::JobTitle, 128))
                .col(big_integer(DirectoryUsers::Version))
                .col(big_integer(DirectoryUsers::CreatedAt))
                .col(big_integer(DirectoryUsers::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(DirectoryUsers::Table, DirectoryUsers::TenantId)
                        .to(Tenants::Table, Tenants::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            DirectoryUsers::Table,
            "ux_users_tenant_upn",
            &[DirectoryUsers::TenantId, DirectoryUsers::Upn],
            true,
        )
        .await?;
        index(
            m,
            DirectoryUsers::Table,
            "ix_users_tenant_search",
            &[
                DirectoryUsers::TenantId,
                DirectoryUsers::SearchName,
                DirectoryUsers::Id,
            ],
            false,
        )
        .await?;
        index(
            m,
            DirectoryUsers::Table,
            "ix_users_tenant_email",
            &[DirectoryUsers::TenantId, DirectoryUsers::Email],
            false,
        )
        .await?;
        index(
            m,
            DirectoryUsers::Table,
            "ix_users_tenant_phone",
            &[DirectoryUsers::TenantId, DirectoryUsers::Phone],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Devices::Table)
                .col(id36(Devices::Id).primary_key())
                .col(id36(Devices::TenantId))
                .col(string_len_null(Devices::PrimaryUserId, 36))
                .col(string_len_null(Devices::EntraDeviceId, 36))
                .col(string_len(Devices::DeviceName, 255))
                .col(string_len_null(Devices::ManagementName, 255))
                .col(string_len_null(Devices::SerialNumber, 30))
                .col(string_len_null(Devices::Imei, 15))
                .col(string_len_null(Devices::Meid, 14))
                .col(string_len_null(Devices::Udid, 64))
                .col(string_len_null(Devices::WifiMac, 17))
                .col(string_len_null(Devices::EthernetMac, 17))
                .col(string_len_null(Devices::PhoneNumber, 16))
                .col(string_len_null(Devices::Iccid, 20))
                .col(string_len_null(Devices::SubscriberCarrier, 64))
                .col(string_len(Devices::Manufacturer, 64))
                .col(string_len(Devices::Model, 64))
                .col(string_len(Devices::Platform, 16))
                .col(string_len(Devices::OsVersion, 32))
                .col(string_len(Devices::Ownership, 16))
                .col(string_len_null(Devices::EnrollmentType, 40))
                .col(string_len_null(Devices::DeviceCategory, 64))
                .col(string_len(Devices::ComplianceState, 20))
                .col(boolean(Devices::IsSupervised))
                .col(boolean(Devices::IsEncrypted))
                .col(string_len_null(Devices::ActivationLockBypassCode, 64))
                .col(string_len_null(Devices::RecoveryKey, 128))
                .col(big_integer(Devices::EnrolledAt))
                .col(big_integer(Devices::LastCheckInAt))
                .col(big_integer(Devices::Version))
                .col(big_integer(Devices::CreatedAt))
                .col(big_integer(Devices::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Devices::Table, Devices::TenantId)
                        .to(Tenants::Table, Tenants::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Devices::Table, Devices::PrimaryUserId)
                        .to(DirectoryUsers::Table, DirectoryUsers::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            Devices::Table,
            "ix_devices_tenant_user",
            &[Devices::TenantId, Devices::PrimaryUserId],
            false,
        )
        .await?;
        index(
            m,
            Devices::Table,
            "ix_devices_tenant_serial",
            &[Devices::TenantId, Devices::SerialNumber],
            false,
        )
        .await?;
        index(
            m,
            Devices::Table,
            "ix_devices_tenant_imei",
            &[Devices::TenantId, Devices::Imei],
            false,
        )
        .await?;
        index(
            m,
            Devices::Table,
            "ix_devices_tenant_phone",
            &[Devices::TenantId, Devices::PhoneNumber],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(DeviceApps::Table)
                .col(big_pk(DeviceApps::Id))
                .col(id36(DeviceApps::TenantId))
                .col(id36(DeviceApps::DeviceId))
                .col(string_len(DeviceApps::AppId, 255))
                .col(string_len(DeviceApps::Name, 255))
                .col(string_len(DeviceApps::AppVersion, 64))
                .col(boolean(DeviceApps::Managed))
                .col(big_integer(DeviceApps::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(DeviceApps::Table, DeviceApps::DeviceId)
                        .to(Devices::Table, Devices::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            DeviceApps::Table,
            "ux_apps_device_app",
            &[DeviceApps::DeviceId, DeviceApps::AppId],
            true,
        )
        .await?;

        // One row per value changed in the portal; a value with no row is at version 0, as
        // delivered by its source. Keeps a million users from costing a million-times-fields rows.
        m.create_table(
            Table::create()
                .table(FieldVersions::Table)
                .col(id36(FieldVersions::TenantId))
                .col(string_len(FieldVersions::RecordKind, 16))
                .col(id36(FieldVersions::RecordId))
                .col(string_len(FieldVersions::Field, 40))
                .col(big_integer(FieldVersions::Version))
                .col(big_integer(FieldVersions::ChangedAt))
                .col(string_len(FieldVersions::ChangedBy, 256))
                .primary_key(
                    Index::create()
                        .col(FieldVersions::RecordId)
                        .col(FieldVersions::Field),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Recipients::Table)
                .col(string_len(Recipients::Id, 40).primary_key())
                .col(string_len(Recipients::Name, 128))
                .col(boolean(Recipients::IsAgent))
                .col(string_len(Recipients::ContractRef, 512))
                .col(text(Recipients::Description))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(SharingFeatures::Table)
                .col(string_len(SharingFeatures::Id, 40).primary_key())
                .col(string_len(SharingFeatures::Name, 128))
                .col(text(SharingFeatures::Purpose))
                .col(integer(SharingFeatures::TermsVersion))
                .col(boolean(SharingFeatures::NeedsConsent))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(FeatureTerms::Table)
                .col(string_len(FeatureTerms::FeatureId, 40))
                .col(integer(FeatureTerms::Version))
                .col(string_len(FeatureTerms::Locale, 8))
                .col(text(FeatureTerms::Text))
                .primary_key(
                    Index::create()
                        .col(FeatureTerms::FeatureId)
                        .col(FeatureTerms::Version)
                        .col(FeatureTerms::Locale),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(FeatureTerms::Table, FeatureTerms::FeatureId)
                        .to(SharingFeatures::Table, SharingFeatures::Id),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(DataFlows::Table)
                .col(big_pk(DataFlows::Id))
                .col(string_len(DataFlows::FeatureId, 40))
                .col(string_len(DataFlows::RecipientId, 40))
                .col(string_len(DataFlows::Direction, 10))
                .col(string_len(DataFlows::Field, 60))
                // The terms version that introduced this flow: consent to an older version does
                // not cover it.
                .col(integer(DataFlows::SinceTermsVersion))
                .foreign_key(
                    ForeignKey::create()
                        .from(DataFlows::Table, DataFlows::FeatureId)
                        .to(SharingFeatures::Table, SharingFeatures::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(DataFlows::Table, DataFlows::RecipientId)
                        .to(Recipients::Table, Recipients::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            DataFlows::Table,
            "ux_flows",
            &[
                DataFlows::FeatureId,
                DataFlows::RecipientId,
                DataFlows::Direction,
                DataFlows::Field,
            ],
            true,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Consents::Table)
                .col(big_pk(Consents::Id))
                .col(id36(Consents::TenantId))
                .col(string_len(Consents::FeatureId, 40))
                .col(integer(Consents::TermsVersion))
                .col(string_len(Consents::Locale, 8))
                .col(text(Consents::TermsText))
                .col(string_len(Consents::GrantedBy, 256))
                .col(big_integer(Consents::GrantedAt))
                .col(big_integer_null(Consents::WithdrawnAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Consents::Table, Consents::TenantId)
                        .to(Tenants::Table, Tenants::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Consents::Table, Consents::FeatureId)
                        .to(SharingFeatures::Table, SharingFeatures::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            Consents::Table,
            "ix_consents_tenant_feature",
            &[Consents::TenantId, Consents::FeatureId],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(TenantFeatures::Table)
                .col(id36(TenantFeatures::TenantId))
                .col(string_len(TenantFeatures::FeatureId, 40))
                .col(boolean(TenantFeatures::Enabled))
                .col(big_integer(TenantFeatures::ChangedAt))
                .col(string_len(TenantFeatures::ChangedBy, 256))
                .col(big_integer_null(TenantFeatures::ConsentId))
                .col(big_integer(TenantFeatures::Version))
                .primary_key(
                    Index::create()
                        .col(TenantFeatures::TenantId)
                        .col(TenantFeatures::FeatureId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(TenantFeatures::Table, TenantFeatures::TenantId)
                        .to(Tenants::Table, Tenants::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(TenantFeatures::Table, TenantFeatures::FeatureId)
                        .to(SharingFeatures::Table, SharingFeatures::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(TenantFeatures::Table, TenantFeatures::ConsentId)
                        .to(Consents::Table, Consents::Id),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Disclosures::Table)
                .col(big_pk(Disclosures::Id))
                .col(id36(Disclosures::TenantId))
                .col(string_len(Disclosures::RecordKind, 16))
                .col(id36(Disclosures::RecordId))
                // The data subject the record belongs to (none for shared devices).
                .col(string_len_null(Disclosures::SubjectUserId, 36))
                .col(string_len(Disclosures::RecipientId, 40))
                .col(string_len(Disclosures::FeatureId, 40))
                .col(text(Disclosures::Fields))
                .col(big_integer(Disclosures::DisclosedAt))
                .col(big_integer_null(Disclosures::ConsentId))
                .col(string_len(Disclosures::Purpose, 256))
                // SHA-256 of the values sent, never the values themselves.
                .col(string_len(Disclosures::Fingerprint, 64))
                .foreign_key(
                    ForeignKey::create()
                        .from(Disclosures::Table, Disclosures::RecipientId)
                        .to(Recipients::Table, Recipients::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Disclosures::Table, Disclosures::FeatureId)
                        .to(SharingFeatures::Table, SharingFeatures::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            Disclosures::Table,
            "ix_disclosures_record",
            &[
                Disclosures::TenantId,
                Disclosures::RecordId,
                Disclosures::DisclosedAt,
            ],
            false,
        )
        .await?;
        index(
            m,
            Disclosures::Table,
            "ix_disclosures_subject",
            &[
                Disclosures::TenantId,
                Disclosures::SubjectUserId,
                Disclosures::Id,
            ],
            false,
        )
        .await?;
        index(
            m,
            Disclosures::Table,
            "ix_disclosures_recipient",
            &[
                Disclosures::TenantId,
                Disclosures::RecipientId,
                Disclosures::Id,
            ],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Accounts::Table)
                .col(big_pk(Accounts::Id))
                .col(id36(Accounts::TenantId))
                .col(string_len(Accounts::Issuer, 512))
                .col(string_len(Accounts::Subject, 256))
                .col(string_len(Accounts::DisplayName, 256))
                .col(string_len_null(Accounts::Email, 254))
                .col(string_len_null(Accounts::DirectoryUserId, 36))
                .col(big_integer(Accounts::CreatedAt))
                .col(big_integer_null(Accounts::LastSignInAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Accounts::Table, Accounts::TenantId)
                        .to(Tenants::Table, Tenants::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            Accounts::Table,
            "ux_accounts_issuer_subject",
            &[Accounts::Issuer, Accounts::Subject],
            true,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RoleAssignments::Table)
                .col(big_integer(RoleAssignments::AccountId))
                .col(string_len(RoleAssignments::Role, 24))
                .col(id36(RoleAssignments::TenantId))
                .col(string_len(RoleAssignments::GrantedBy, 256))
                .col(big_integer(RoleAssignments::GrantedAt))
                .primary_key(
                    Index::create()
                        .col(RoleAssignments::AccountId)
                        .col(RoleAssignments::Role),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(RoleAssignments::Table, RoleAssignments::AccountId)
                        .to(Accounts::Table, Accounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(CorrectionRequests::Table)
                .col(big_pk(CorrectionRequests::Id))
                .col(id36(CorrectionRequests::TenantId))
                .col(big_integer_null(CorrectionRequests::RequesterAccountId))
                .col(id36(CorrectionRequests::SubjectUserId))
                .col(string_len(CorrectionRequests::RecordKind, 16))
                .col(id36(CorrectionRequests::RecordId))
                .col(string_len(CorrectionRequests::Field, 40))
                .col(text(CorrectionRequests::ProposedValue))
                .col(big_integer(CorrectionRequests::BaseVersion))
                .col(text(CorrectionRequests::Reason))
                .col(boolean(CorrectionRequests::RestrictSharing))
                .col(string_len(CorrectionRequests::Status, 16))
                .col(big_integer(CorrectionRequests::ReceivedAt))
                .col(big_integer(CorrectionRequests::DueAt))
                .col(text_null(CorrectionRequests::ExtensionReason))
                .col(big_integer_null(CorrectionRequests::PausedAt))
                .col(big_integer_null(CorrectionRequests::DecidedBy))
                .col(big_integer_null(CorrectionRequests::DecidedAt))
                .col(text_null(CorrectionRequests::DecisionReason))
                .col(big_integer(CorrectionRequests::Version))
                .col(big_integer(CorrectionRequests::CreatedAt))
                .col(big_integer(CorrectionRequests::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(CorrectionRequests::Table, CorrectionRequests::TenantId)
                        .to(Tenants::Table, Tenants::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            CorrectionRequests::Table,
            "ix_requests_tenant_status",
            &[
                CorrectionRequests::TenantId,
                CorrectionRequests::Status,
                CorrectionRequests::DueAt,
            ],
            false,
        )
        .await?;
        index(
            m,
            CorrectionRequests::Table,
            "ix_requests_tenant_subject",
            &[
                CorrectionRequests::TenantId,
                CorrectionRequests::SubjectUserId,
            ],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(FollowUpTasks::Table)
                .col(big_pk(FollowUpTasks::Id))
                .col(id36(FollowUpTasks::TenantId))
                .col(string_len(FollowUpTasks::Kind, 32))
                .col(string_len(FollowUpTasks::RecipientId, 40))
                .col(string_len_null(FollowUpTasks::FeatureId, 40))
                .col(string_len_null(FollowUpTasks::RecordKind, 16))
                .col(string_len_null(FollowUpTasks::RecordId, 36))
                .col(string_len_null(FollowUpTasks::Field, 40))
                .col(big_integer_null(FollowUpTasks::AuditEventId))
                .col(string_len(FollowUpTasks::Status, 16))
                .col(big_integer(FollowUpTasks::CreatedAt))
                .col(big_integer_null(FollowUpTasks::DoneAt))
                .col(string_len_null(FollowUpTasks::DoneBy, 256))
                .foreign_key(
                    ForeignKey::create()
                        .from(FollowUpTasks::Table, FollowUpTasks::TenantId)
                        .to(Tenants::Table, Tenants::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            FollowUpTasks::Table,
            "ix_tasks_tenant_status",
            &[
                FollowUpTasks::TenantId,
                FollowUpTasks::Status,
                FollowUpTasks::Id,
            ],
            false,
        )
        .await?;

        // Append-only: the code has no update or delete path for this table. Each event's hash
        // covers its content and the previous event's hash of the same tenant.
        m.create_table(
            Table::create()
                .table(AuditEvents::Table)
                .col(big_pk(AuditEvents::Id))
                .col(id36(AuditEvents::TenantId))
                .col(big_integer(AuditEvents::Seq))
                .col(big_integer(AuditEvents::OccurredAt))
                .col(string_len(AuditEvents::ActorKind, 16))
                .col(string_len(AuditEvents::ActorId, 64))
                .col(string_len(AuditEvents::ActorName, 256))
                .col(string_len(AuditEvents::Action, 64))
                .col(string_len(AuditEvents::TargetKind, 32))
                .col(string_len(AuditEvents::TargetId, 64))
                .col(string_len_null(AuditEvents::SubjectUserId, 36))
                .col(text(AuditEvents::Changes))
                .col(text_null(AuditEvents::Reason))
                .col(string_len(AuditEvents::RequestId, 64))
                .col(string_len(AuditEvents::PrevHash, 64))
                .col(string_len(AuditEvents::Hash, 64))
                .foreign_key(
                    ForeignKey::create()
                        .from(AuditEvents::Table, AuditEvents::TenantId)
                        .to(Tenants::Table, Tenants::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            AuditEvents::Table,
            "ux_audit_tenant_seq",
            &[AuditEvents::TenantId, AuditEvents::Seq],
            true,
        )
        .await?;
        index(
            m,
            AuditEvents::Table,
            "ix_audit_tenant_subject",
            &[
                AuditEvents::TenantId,
                AuditEvents::SubjectUserId,
                AuditEvents::Seq,
            ],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let tables: [DynIden; 17] = [
            AuditEvents::Table.into_iden(),
            FollowUpTasks::Table.into_iden(),
            CorrectionRequests::Table.into_iden(),
            RoleAssignments::Table.into_iden(),
            Accounts::Table.into_iden(),
            Disclosures::Table.into_iden(),
            TenantFeatures::Table.into_iden(),
            Consents::Table.into_iden(),
            DataFlows::Table.into_iden(),
            FeatureTerms::Table.into_iden(),
            SharingFeatures::Table.into_iden(),
            Recipients::Table.into_iden(),
            FieldVersions::Table.into_iden(),
            DeviceApps::Table.into_iden(),
            Devices::Table.into_iden(),
            DirectoryUsers::Table.into_iden(),
            Tenants::Table.into_iden(),
        ];
        for table in tables {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

async fn index<T, C>(
    m: &SchemaManager<'_>,
    table: T,
    name: &str,
    cols: &[C],
    unique: bool,
) -> Result<(), DbErr>
where
    T: IntoIden + 'static,
    C: IntoIden + Copy + 'static,
{
    let mut statement = Index::create();
    statement.name(name).table(table);
    for col in cols {
        statement.col(*col);
    }
    if unique {
        statement.unique();
    }
    m.create_index(statement.to_owned()).await
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
    Name,
    PrimaryDomain,
    DataRegion,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum DirectoryUsers {
    Table,
    Id,
    TenantId,
    Upn,
    DisplayName,
    SearchName,
    Email,
    Phone,
    Department,
    JobTitle,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Devices {
    Table,
    Id,
    TenantId,
    PrimaryUserId,
    EntraDeviceId,
    DeviceName,
    ManagementName,
    SerialNumber,
    Imei,
    Meid,
    Udid,
    WifiMac,
    EthernetMac,
    PhoneNumber,
    Iccid,
    SubscriberCarrier,
    Manufacturer,
    Model,
    Platform,
    OsVersion,
    Ownership,
    EnrollmentType,
    DeviceCategory,
    ComplianceState,
    IsSupervised,
    IsEncrypted,
    ActivationLockBypassCode,
    RecoveryKey,
    EnrolledAt,
    LastCheckInAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum DeviceApps {
    Table,
    Id,
    TenantId,
    DeviceId,
    AppId,
    Name,
    AppVersion,
    Managed,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum FieldVersions {
    Table,
    TenantId,
    RecordKind,
    RecordId,
    Field,
    Version,
    ChangedAt,
    ChangedBy,
}

#[derive(DeriveIden, Clone, Copy)]
enum Recipients {
    Table,
    Id,
    Name,
    IsAgent,
    ContractRef,
    Description,
}

#[derive(DeriveIden, Clone, Copy)]
enum SharingFeatures {
    Table,
    Id,
    Name,
    Purpose,
    TermsVersion,
    NeedsConsent,
}

#[derive(DeriveIden, Clone, Copy)]
enum FeatureTerms {
    Table,
    FeatureId,
    Version,
    Locale,
    Text,
}

#[derive(DeriveIden, Clone, Copy)]
enum DataFlows {
    Table,
    Id,
    FeatureId,
    RecipientId,
    Direction,
    Field,
    SinceTermsVersion,
}

#[derive(DeriveIden, Clone, Copy)]
enum Consents {
    Table,
    Id,
    TenantId,
    FeatureId,
    TermsVersion,
    Locale,
    TermsText,
    GrantedBy,
    GrantedAt,
    WithdrawnAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum TenantFeatures {
    Table,
    TenantId,
    FeatureId,
    Enabled,
    ChangedAt,
    ChangedBy,
    ConsentId,
    Version,
}

#[derive(DeriveIden, Clone, Copy)]
enum Disclosures {
    Table,
    Id,
    TenantId,
    RecordKind,
    RecordId,
    SubjectUserId,
    RecipientId,
    FeatureId,
    Fields,
    DisclosedAt,
    ConsentId,
    Purpose,
    Fingerprint,
}

#[derive(DeriveIden, Clone, Copy)]
enum Accounts {
    Table,
    Id,
    TenantId,
    Issuer,
    Subject,
    DisplayName,
    Email,
    DirectoryUserId,
    CreatedAt,
    LastSignInAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum RoleAssignments {
    Table,
    AccountId,
    Role,
    TenantId,
    GrantedBy,
    GrantedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum CorrectionRequests {
    Table,
    Id,
    TenantId,
    RequesterAccountId,
    SubjectUserId,
    RecordKind,
    RecordId,
    Field,
    ProposedValue,
    BaseVersion,
    Reason,
    RestrictSharing,
    Status,
    ReceivedAt,
    DueAt,
    ExtensionReason,
    PausedAt,
    DecidedBy,
    DecidedAt,
    DecisionReason,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum FollowUpTasks {
    Table,
    Id,
    TenantId,
    Kind,
    RecipientId,
    FeatureId,
    RecordKind,
    RecordId,
    Field,
    AuditEventId,
    Status,
    CreatedAt,
    DoneAt,
    DoneBy,
}

#[derive(DeriveIden, Clone, Copy)]
enum AuditEvents {
    Table,
    Id,
    TenantId,
    Seq,
    OccurredAt,
    ActorKind,
    ActorId,
    ActorName,
    Action,
    TargetKind,
    TargetId,
    SubjectUserId,
    Changes,
    Reason,
    RequestId,
    PrevHash,
    Hash,
}
