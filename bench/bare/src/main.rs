//! Bare axum floor: `GET /` answers a small JSON document, nothing else (no database, no
//! middleware). Usage: `bench-bare [ADDR]` (default 127.0.0.1:3999). Prints `listening ADDR`.
use axum::{routing::get, Json, Router};
use serde_json::{json, Value};

async fn doc() -> Json<Value> {
    Json(json!({
        "id": "00000000-0000-4000-8000-000000000001",
        "display_name": "Adele Vance",
        "user_principal_name": "adele.vance@bench.example",
        "devices": 2,
        "ok": true
    }))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:3999".into());
    let app = Router::new().route("/", get(doc));
    // A port in use or a bad address ends the process with the error, for the script to report.
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening {}", listener.local_addr()?);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
