//! The audit chain notices any change to stored events.

use crate::helpers::on_both_databases;
use sea_orm::{ConnectionTrait, Statement};
use server::seed::demo;
use server::services::audit::{self, Actor, AuditAction, Change, NewEvent, TargetKind};

fn event(n: i64) -> NewEvent {
    NewEvent {
        actor: Actor::system("test"),
        action: AuditAction::FieldCorrected,
        target_kind: TargetKind::User,
        target_id: demo::ADELE.into(),
        subject_user_id: Some(demo::ADELE.into()),
        changes: vec![Change {
            field: "department".into(),
            before: Some(format!("d{n}")),
            after: Some(format!("d{}", n + 1)),
        }],
        reason: Some("test".into()),
        occurred_at: n,
    }
}

async fn chain_of_five(db: &sea_orm::DatabaseConnection) {
    demo::load(db, crate::helpers::at(crate::helpers::TEST_START))
        .await
        .unwrap();
    for n in 0..5 {
        audit::append(db, demo::FABRIKAM, event(n)).await.unwrap();
    }
}

async fn exec(db: &sea_orm::DatabaseConnection, sql: &str) {
    db.execute(Statement::from_string(
        db.get_database_backend(),
        sql.to_owned(),
    ))
    .await
    .unwrap();
}

on_both_databases! {
    async fn an_untouched_chain_verifies(app) {
        chain_of_five(&app.db).await;
        let report = audit::verify_chain(&app.db, demo::FABRIKAM).await.unwrap();
        assert!(report.is_intact(), "{report:?}");
        assert_eq!(report.events, 6, "the demo's tenant.created plus five");
    }

    async fn altering_the_before_value_of_an_event_breaks_the_chain_at_that_event(app) {
        chain_of_five(&app.db).await;
        exec(&app.db, &format!("UPDATE audit_events SET changes = replace(changes, 'd2', 'dX') WHERE tenant_id = '{}' AND seq = 4", demo::FABRIKAM)).await;
        let report = audit::verify_chain(&app.db, demo::FABRIKAM).await.unwrap();
        assert_eq!(report.first_broken_seq, Some(4));
    }

    async fn removing_an_event_breaks_the_chain(app) {
        chain_of_five(&app.db).await;
        exec(&app.db, &format!("DELETE FROM audit_events WHERE tenant_id = '{}' AND seq = 3", demo::FABRIKAM)).await;
        let report = audit::verify_chain(&app.db, demo::FABRIKAM).await.unwrap();
        assert_eq!(report.first_broken_seq, Some(3));
    }

    async fn recomputing_one_hash_after_a_change_still_breaks_the_next_link(app) {
        chain_of_five(&app.db).await;
        // A forger who rewrites an event and its own hash still leaves the next event's
        // prev_hash pointing at the original.
        exec(&app.db, &format!("UPDATE audit_events SET reason = 'forged', hash = prev_hash WHERE tenant_id = '{}' AND seq = 2", demo::FABRIKAM)).await;
        let report = audit::verify_chain(&app.db, demo::FABRIKAM).await.unwrap();
        assert_eq!(report.first_broken_seq, Some(2));
    }

    async fn chains_of_different_tenants_are_independent(app) {
        chain_of_five(&app.db).await;
        exec(&app.db, &format!("DELETE FROM audit_events WHERE tenant_id = '{}' AND seq = 3", demo::FABRIKAM)).await;
        assert!(audit::verify_chain(&app.db, demo::CONTOSO).await.unwrap().is_intact());
    }
}
