//! The admin dashboard: the figures of the admin's own tenant, and nobody else's.

use crate::helpers::on_both_databases;

on_both_databases! { demo;
    async fn an_admin_sees_open_requests_follow_ups_features_and_recent_disclosures(app) {
        let admin = app.client_as("Megan Bowen").await;
        let (status, board) = app.call(&admin, "dashboard", &[]).await;
        assert_eq!(status, 200, "{board}");
        // Ben's pending request from the demo data.
        assert!(board["open_requests"].as_u64().unwrap() >= 1, "{board}");
        assert!(board["next_due"].as_array().unwrap().iter().any(|r| r["subject_name"] == "Ben Okafor"));
        let features = board["features"].as_array().unwrap();
        assert_eq!(features.len(), 9);
        assert!(features.iter().any(|f| f["id"] == "zebra_lifeguard_ota" && f["enabled"] == true));
        assert_eq!(board["disclosures"]["days"].as_array().unwrap().len(), 30);

        let fabrikam = app.client_as("Alex Wilber").await;
        let (_, other) = app.call(&fabrikam, "dashboard", &[]).await;
        assert_eq!(other["open_requests"], 0, "another tenant's requests never count");
        assert!(other["features"].as_array().unwrap().iter().all(|f| f["enabled"] == false));
    }

    async fn only_tenant_admins_see_the_dashboard(app) {
        for name in ["Lee Gu", "Irvin Sayers", "Adele Vance"] {
            let client = app.client_as(name).await;
            assert_eq!(app.call(&client, "dashboard", &[]).await.0, 403, "{name}");
        }
        assert_eq!(app.call(&crate::helpers::client(), "dashboard", &[]).await.0, 401);
    }
}
