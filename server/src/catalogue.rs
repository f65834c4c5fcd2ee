//! The partner catalogue the portal ships: the recipients, the sharing features, their data
//! flows and their consent terms. This is production configuration, not seed or demo data:
//! every deployment runs with exactly this catalogue.
//!
//! It is code, not data in the database: it changes with releases and is written to the
//! database at every start-up ([`sync`]), idempotently, so every instance and both backends agree. Flows follow
//! `shared/domain.md` section 2. A feature whose recipients are all our agents needs no consent;
//! any independent third party makes consent mandatory.

use crate::entities::data_flow::{self, FlowDirection};
use crate::entities::{feature_terms, recipient, sharing_feature};
use anyhow::Context;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionTrait};
use std::collections::HashSet;

/// A recipient of personal data.
pub struct RecipientSpec {
    pub id: &'static str,
    pub name: &'static str,
    /// Acts as our agent (processor, on the subprocessor list) rather than an independent party.
    pub is_agent: bool,
    pub contract_ref: &'static str,
    pub description: &'static str,
}

/// Fields one recipient gets (or sends) under a feature.
pub struct FlowSpec {
    pub recipient: &'static str,
    pub direction: FlowDirection,
    pub fields: &'static [&'static str],
}

/// A sharing feature the portal ships. The database stores [`FeatureId::as_str`]; code that
/// treats features differently matches on the variant, so a new feature must be given its
/// rules (e.g. its disclosure scope) before it compiles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FeatureId {
    /// Apple MDM push notifications.
    AppleMdmPush,
    /// Apple Automated Device Enrollment.
    AppleAde,
    /// Apple Apps and Books (volume purchasing).
    AppleVpp,
    /// Android Enterprise through Managed Google Play.
    ManagedGooglePlay,
    /// Zebra LifeGuard firmware updates.
    ZebraLifeguardOta,
    /// Jamf Pro reporting Macs.
    JamfPro,
    /// Mobile Threat Defense app sync.
    MtdAppSync,
    /// TeamViewer remote assistance.
    TeamViewer,
    /// Windows diagnostic data, processed by Microsoft as our processor.
    WindowsDiagnosticData,
}

impl FeatureId {
    /// Every shipped feature, in catalogue order.
    pub const ALL: [FeatureId; 9] = [
        FeatureId::AppleMdmPush,
        FeatureId::AppleAde,
        FeatureId::AppleVpp,
        FeatureId::ManagedGooglePlay,
        FeatureId::ZebraLifeguardOta,
        FeatureId::JamfPro,
        FeatureId::MtdAppSync,
        FeatureId::TeamViewer,
        FeatureId::WindowsDiagnosticData,
    ];

    /// The stored id.
    pub const fn as_str(self) -> &'static str {
        match self {
            FeatureId::AppleMdmPush => "apple_mdm_push",
            FeatureId::AppleAde => "apple_ade",
            FeatureId::AppleVpp => "apple_vpp",
            FeatureId::ManagedGooglePlay => "managed_google_play",
            FeatureId::ZebraLifeguardOta => "zebra_lifeguard_ota",
            FeatureId::JamfPro => "jamf_pro",
            FeatureId::MtdAppSync => "mtd_app_sync",
            FeatureId::TeamViewer => "teamviewer",
            FeatureId::WindowsDiagnosticData => "windows_diagnostic_data",
        }
    }

    /// The shipped feature a stored id names; `None` for any other id (e.g. one a later
    /// release removed), which callers treat as a feature without rules.
    pub fn parse(raw: &str) -> Option<FeatureId> {
        Self::ALL.into_iter().find(|f| f.as_str() == raw)
    }
}

impl std::fmt::Display for FeatureId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A sharing feature and its flows.
pub struct FeatureSpec {
    pub id: FeatureId,
    pub name: &'static str,
    pub purpose: &'static str,
    pub terms_version: i32,
    pub flows: &'static [FlowSpec],
}

pub const RECIPIENTS: &[RecipientSpec] = &[
    RecipientSpec {
        id: "apple",
        name: "Apple",
        is_agent: false,
        contract_ref: "Tenant's Apple Business Manager / Apple Developer agreement",
        description:
            "Push notifications, automated enrollment and volume purchasing for Apple devices.",
    },
    RecipientSpec {
        id: "google",
        name: "Google",
        is_agent: false,
        contract_ref: "Tenant's Managed Google Play agreement",
        description: "Android Enterprise management and Managed Google Play.",
    },
    RecipientSpec {
        id: "zebra",
        name: "Zebra Technologies",
        is_agent: false,
        contract_ref: "Tenant's Zebra LifeGuard contract",
        description: "Firmware over-the-air updates for Zebra devices.",
    },
    RecipientSpec {
        id: "jamf",
        name: "Jamf",
        is_agent: false,
        contract_ref: "Tenant's Jamf Pro licence",
        description: "macOS management partner reporting device state.",
    },
    RecipientSpec {
        id: "lookout",
        name: "Lookout for Work",
        is_agent: false,
        contract_ref: "Tenant's Lookout Mobile Endpoint Security subscription",
        description: "Mobile Threat Defense partner.",
    },
    RecipientSpec {
        id: "teamviewer",
        name: "TeamViewer",
        is_agent: false,
        contract_ref: "Tenant's TeamViewer licence",
        description: "Remote assistance sessions.",
    },
    RecipientSpec {
        id: "microsoft",
        name: "Microsoft (processor)",
        is_agent: true,
        contract_ref: "Online Services Terms, Data Protection Addendum; subprocessor list",
        description: "Processes Windows diagnostic data as our agent.",
    },
    RecipientSpec {
        id: "configuration_manager",
        name: "Configuration Manager",
        is_agent: true,
        contract_ref: "Run on-premises by the tenant",
        description: "Receives nothing: on-premises and run by the customer.",
    },
];

pub const FEATURES: &[FeatureSpec] = &[
    FeatureSpec {
        id: FeatureId::AppleMdmPush,
        name: "Apple MDM push certificate",
        purpose: "Wake Apple devices so they check in for management commands.",
        terms_version: 1,
        flows: &[
            FlowSpec { recipient: "apple", direction: FlowDirection::Outbound, fields: &["push_token", "push_magic"] },
            FlowSpec { recipient: "apple", direction: FlowDirection::Inbound, fields: &["udid", "os_version", "model", "serial_number", "imei", "meid"] },
        ],
    },
    FeatureSpec {
        id: FeatureId::AppleAde,
        name: "Apple Automated Device Enrollment",
        purpose: "Enroll organisation-owned Apple devices automatically.",
        terms_version: 1,
        flows: &[
            FlowSpec { recipient: "apple", direction: FlowDirection::Outbound, fields: &["serial_number", "model", "asset_tag", "profile_uuid", "device_assigned_by", "os", "device_family", "admin_apple_id"] },
            FlowSpec { recipient: "apple", direction: FlowDirection::Inbound, fields: &["serial_number", "model", "description", "color", "asset_tag", "profile_status", "device_assigned_by", "os", "device_family"] },
        ],
    },
    FeatureSpec {
        id: FeatureId::AppleVpp,
        name: "Apple Apps and Books",
        purpose: "Assign purchased app licences to users and devices.",
        terms_version: 1,
        flows: &[
            FlowSpec { recipient: "apple", direction: FlowDirection::Outbound, fields: &["object_id", "managed_apple_id", "serial_number", "location_token"] },
            FlowSpec { recipient: "apple", direction: FlowDirection::Inbound, fields: &["apple_user_id", "managed_apple_id", "app_licences"] },
        ],
    },
    FeatureSpec {
        id: FeatureId::ManagedGooglePlay,
        name: "Managed Google Play",
        purpose: "Manage Android Enterprise devices and distribute apps through Google Play.",
        terms_version: 1,
        flows: &[
            FlowSpec { recipient: "google", direction: FlowDirection::Outbound, fields: &["enterprise_id", "device_resource_name", "user_resource_name", "google_user_id", "compliance_state", "os_version", "security_patch_level", "imei", "meid", "wifi_mac", "is_encrypted", "policy_body", "admin_upn"] },
            FlowSpec { recipient: "google", direction: FlowDirection::Inbound, fields: &["enterprise_admin_email", "app_catalogue"] },
        ],
    },
    FeatureSpec {
        id: FeatureId::ZebraLifeguardOta,
        name: "Zebra LifeGuard over-the-air updates",
        purpose: "Schedule firmware updates of Zebra devices under the tenant's Zebra contract.",
        terms_version: 1,
        flows: &[FlowSpec { recipient: "zebra", direction: FlowDirection::Outbound, fields: &["serial_number", "model", "os_version", "deployment_settings"] }],
    },
    FeatureSpec {
        id: FeatureId::JamfPro,
        name: "Jamf Pro",
        purpose: "Let Jamf manage Macs and report their compliance.",
        terms_version: 1,
        flows: &[FlowSpec { recipient: "jamf", direction: FlowDirection::Inbound, fields: &["entra_device_id", "object_id", "email", "udid", "device_name", "serial_number", "ethernet_mac", "os_version", "is_encrypted", "last_check_in"] }],
    },
    FeatureSpec {
        id: FeatureId::MtdAppSync,
        name: "Mobile Threat Defense app sync (Lookout)",
        purpose: "Let the threat-defense partner assess the apps on iOS devices.",
        terms_version: 1,
        flows: &[
            FlowSpec { recipient: "lookout", direction: FlowDirection::Outbound, fields: &["app_id", "app_name", "app_version", "app_managed"] },
            FlowSpec { recipient: "lookout", direction: FlowDirection::Inbound, fields: &["threat_level"] },
        ],
    },
    FeatureSpec {
        id: FeatureId::TeamViewer,
        name: "TeamViewer remote assistance",
        purpose: "Start remote assistance sessions that the end user accepts.",
        terms_version: 1,
        flows: &[FlowSpec { recipient: "teamviewer", direction: FlowDirection::Outbound, fields: &["upn", "display_name", "email", "device_name"] }],
    },
    FeatureSpec {
        id: FeatureId::WindowsDiagnosticData,
        name: "Windows diagnostic data",
        purpose: "Update compatibility reports and update failure alerts, processed by Microsoft as our processor.",
        terms_version: 1,
        flows: &[FlowSpec { recipient: "microsoft", direction: FlowDirection::Outbound, fields: &["device_id", "os_version", "manufacturer", "model"] }],
    },
];

impl FeatureSpec {
    /// Whether turning the feature on needs explicit consent: any flow to a non-agent.
    pub fn needs_consent(&self) -> bool {
        self.flows.iter().any(|flow| {
            RECIPIENTS
                .iter()
                .any(|r| r.id == flow.recipient && !r.is_agent)
        })
    }

    /// The consent terms shown to the admin, per language.
    pub fn terms(&self, locale: &str) -> String {
        let mut text = String::new();
        let outbound: Vec<&FlowSpec> = self
            .flows
            .iter()
            .filter(|f| f.direction == FlowDirection::Outbound)
            .collect();
        for flow in &outbound {
            let name = RECIPIENTS
                .iter()
                .find(|r| r.id == flow.recipient)
                .map_or(flow.recipient, |r| r.name);
            let fields = flow.fields.join(", ");
            let line = match locale {
                "nl" => format!(
                    "Ik geef toestemming om de volgende gegevens naar {name} te sturen: {fields}. {name} is geen verwerker van ons; de eigen overeenkomst van de tenant met {name} is van toepassing op deze gegevens.\n"
                ),
                _ => format!(
                    "I grant permission to send the following data to {name}: {fields}. {name} does not act as our agent; the tenant's own agreement with {name} governs this data.\n"
                ),
            };
            text.push_str(&line);
        }
        let purpose = match locale {
            "nl" => format!("Doel: {}", self.purpose),
            _ => format!("Purpose: {}", self.purpose),
        };
        text.push_str(&purpose);
        text
    }
}

/// Writes the catalogue to the database; running it again changes nothing.
///
/// # Errors
/// When the database fails; nothing is half-written (one transaction).
pub async fn sync<C: ConnectionTrait + TransactionTrait>(db: &C) -> anyhow::Result<()> {
    let txn = db.begin().await.context("starting the catalogue sync")?;
    for r in RECIPIENTS {
        recipient::Entity::insert(recipient::ActiveModel {
            id: Set(r.id.into()),
            name: Set(r.name.into()),
            is_agent: Set(r.is_agent),
            contract_ref: Set(r.contract_ref.into()),
            description: Set(r.description.into()),
        })
        .on_conflict(
            OnConflict::column(recipient::Column::Id)
                .update_columns([
                    recipient::Column::Name,
                    recipient::Column::IsAgent,
                    recipient::Column::ContractRef,
                    recipient::Column::Description,
                ])
                .to_owned(),
        )
        .exec(&txn)
        .await
        .with_context(|| format!("writing recipient {}", r.id))?;
    }
    for f in FEATURES {
        sharing_feature::Entity::insert(sharing_feature::ActiveModel {
            id: Set(f.id.as_str().into()),
            name: Set(f.name.into()),
            purpose: Set(f.purpose.into()),
            terms_version: Set(f.terms_version),
            needs_consent: Set(f.needs_consent()),
        })
        .on_conflict(
            OnConflict::column(sharing_feature::Column::Id)
                .update_columns([
                    sharing_feature::Column::Name,
                    sharing_feature::Column::Purpose,
                    sharing_feature::Column::TermsVersion,
                    sharing_feature::Column::NeedsConsent,
                ])
                .to_owned(),
        )
        .exec(&txn)
        .await
        .with_context(|| format!("writing feature {}", f.id))?;
        for locale in ["en", "nl"] {
            feature_terms::Entity::insert(feature_terms::ActiveModel {
                feature_id: Set(f.id.as_str().into()),
                version: Set(f.terms_version),
                locale: Set(locale.into()),
                text: Set(f.terms(locale)),
            })
            .on_conflict(
                OnConflict::columns([
                    feature_terms::Column::FeatureId,
                    feature_terms::Column::Version,
                    feature_terms::Column::Locale,
                ])
                .do_nothing()
                .to_owned(),
            )
            .do_nothing()
            .exec(&txn)
            .await
            .with_context(|| format!("writing the terms of {}", f.id))?;
        }
        for flow in f.flows {
            for field in flow.fields {
                data_flow::Entity::insert(data_flow::ActiveModel {
                    id: sea_orm::NotSet,
                    feature_id: Set(f.id.as_str().into()),
                    recipient_id: Set(flow.recipient.into()),
                    direction: Set(flow.direction),
                    field: Set((*field).into()),
                    since_terms_version: Set(f.terms_version),
                })
                .on_conflict(
                    OnConflict::columns([
                        data_flow::Column::FeatureId,
                        data_flow::Column::RecipientId,
                        data_flow::Column::Direction,
                        data_flow::Column::Field,
                    ])
                    .do_nothing()
                    .to_owned(),
                )
                .do_nothing()
                .exec(&txn)
                .await
                .with_context(|| format!("writing a data flow of {}", f.id))?;
            }
        }
    }
    // The catalogue reconciles, it does not only grow: a flow no longer shipped (a field
    // dropped from a feature, a feature withdrawn) is removed, so nothing flows under it from
    // the next start; the disclosure gate stops what was recorded under it and not yet sent.
    let shipped: HashSet<(String, String, String, String)> = FEATURES
        .iter()
        .flat_map(|f| {
            f.flows.iter().flat_map(move |flow| {
                flow.fields.iter().map(move |field| {
                    (
                        f.id.as_str().to_owned(),
                        flow.recipient.to_owned(),
                        flow.direction.as_str().to_owned(),
                        (*field).to_owned(),
                    )
                })
            })
        })
        .collect();
    let stale: Vec<i64> = data_flow::Entity::find()
        .all(&txn)
        .await
        .context("reading the stored data flows")?
        .into_iter()
        .filter(|d| {
            !shipped.contains(&(
                d.feature_id.clone(),
                d.recipient_id.clone(),
                d.direction.as_str().to_owned(),
                d.field.clone(),
            ))
        })
        .map(|d| d.id)
        .collect();
    if !stale.is_empty() {
        tracing::info!(
            flows = stale.len(),
            "removing data flows the catalogue no longer ships"
        );
        data_flow::Entity::delete_many()
            .filter(data_flow::Column::Id.is_in(stale))
            .exec(&txn)
            .await
            .context("removing data flows no longer shipped")?;
    }
    txn.commit()
        .await
        .context("committing the catalogue sync")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What each feature's current terms version covers: outbound fields per recipient.
    fn covered(f: &FeatureSpec) -> String {
        let mut parts: Vec<String> = f
            .flows
            .iter()
            .filter(|flow| flow.direction == FlowDirection::Outbound)
            .map(|flow| {
                let mut fields: Vec<&str> = flow.fields.to_vec();
                fields.sort_unstable();
                format!("{}:{}", flow.recipient, fields.join(","))
            })
            .collect();
        parts.sort();
        parts.join(";")
    }

    /// The fields each shipped terms version covered when it was published. A consent is to
    /// a terms version, so the fields it covers may never change under it: adding (or
    /// removing) an outbound field needs a new `terms_version`, and a new row here. This test
    /// fails otherwise, naming the feature.
    const PUBLISHED: &[(&str, i32, &str)] = &[
        ("apple_mdm_push", 1, "apple:push_magic,push_token"),
        ("apple_ade", 1, "apple:admin_apple_id,asset_tag,device_assigned_by,device_family,model,os,profile_uuid,serial_number"),
        ("apple_vpp", 1, "apple:location_token,managed_apple_id,object_id,serial_number"),
        ("managed_google_play", 1, "google:admin_upn,compliance_state,device_resource_name,enterprise_id,google_user_id,imei,is_encrypted,meid,os_version,policy_body,security_patch_level,user_resource_name,wifi_mac"),
        ("zebra_lifeguard_ota", 1, "zebra:deployment_settings,model,os_version,serial_number"),
        ("jamf_pro", 1, ""),
        ("mtd_app_sync", 1, "lookout:app_id,app_managed,app_name,app_version"),
        ("teamviewer", 1, "teamviewer:device_name,display_name,email,upn"),
        ("windows_diagnostic_data", 1, "microsoft:device_id,manufacturer,model,os_version"),
    ];

    #[test]
    fn no_outbound_field_is_added_or_removed_without_a_new_terms_version() {
        for f in FEATURES {
            let published = PUBLISHED
                .iter()
                .find(|(id, version, _)| *id == f.id.as_str() && *version == f.terms_version);
            let Some((_, _, fields)) = published else {
                panic!(
                    "{} terms version {} is not in PUBLISHED: add the row of what it covers",
                    f.id.as_str(),
                    f.terms_version
                );
            };
            assert_eq!(
                *fields,
                covered(f),
                "the outbound fields of {} changed under terms version {}: publish version {} \
                 (consents to the old version must not cover the change) and add its row",
                f.id.as_str(),
                f.terms_version,
                f.terms_version + 1
            );
        }
    }

    #[test]
    fn every_flow_names_a_known_recipient_and_configuration_manager_receives_nothing() {
        for feature in FEATURES {
            for flow in feature.flows {
                assert!(
                    RECIPIENTS.iter().any(|r| r.id == flow.recipient),
                    "{}",
                    flow.recipient
                );
                assert!(!flow.fields.is_empty());
            }
        }
        assert!(FEATURES
            .iter()
            .flat_map(|f| f.flows)
            .all(|flow| flow.recipient != "configuration_manager"));
    }

    #[test]
    fn every_shipped_feature_has_one_spec_and_its_id_parses_back() {
        let ids: Vec<FeatureId> = FEATURES.iter().map(|f| f.id).collect();
        assert_eq!(ids, FeatureId::ALL.to_vec());
        for id in FeatureId::ALL {
            assert_eq!(FeatureId::parse(id.as_str()), Some(id));
        }
        assert_eq!(FeatureId::parse("retired_feature"), None);
    }

    #[test]
    fn only_features_with_an_independent_third_party_need_consent() {
        let needs = |id: &str| {
            FEATURES
                .iter()
                .find(|f| f.id.as_str() == id)
                .map(FeatureSpec::needs_consent)
        };
        assert_eq!(needs("managed_google_play"), Some(true));
        assert_eq!(needs("windows_diagnostic_data"), Some(false));
    }

    #[test]
    fn consent_terms_exist_in_both_languages_and_name_every_outbound_field() {
        let feature = FEATURES
            .iter()
            .find(|f| f.id == FeatureId::ZebraLifeguardOta)
            .unwrap();
        for locale in ["en", "nl"] {
            let terms = feature.terms(locale);
            assert!(terms.contains("serial_number"), "{terms}");
            assert!(terms.contains("Zebra"));
        }
        assert_ne!(feature.terms("en"), feature.terms("nl"));
    }
}
