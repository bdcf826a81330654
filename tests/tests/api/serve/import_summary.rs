//! When `vetbot import` finishes, its summary card is queued to the owners' chats through
//! the outbox, in each owner's language, and a running `vetbot serve` delivers it.

use super::*;
use bot::import::{self, ImportOptions, NoneErased};

#[tokio::test]
async fn an_imports_summary_reaches_the_owners_chats_in_their_language() {
    // Arrange: a running application; an owner on Telegram (Spanish), another on WhatsApp
    // (English), a staff member on Telegram who is not an owner.
    let app = ServeApp::start().await;
    let pool = &app.db.pool;
    for (name, role, lang, channel, chat) in [
        ("Dra. Ana", "owner", "es", "telegram", TG_STAFF.to_string()),
        ("Dr. Smith", "owner", "en", "whatsapp", WA_STAFF.to_string()),
        ("Beto", "staff", "es", "telegram", "555000222".to_string()),
    ] {
        sqlx::query(
            "with s as (insert into staff (name, role, language) values ($1, $2, $3) returning id)
             insert into staff_identities (staff_id, channel, external_id)
             select id, $4, $5 from s",
        )
        .bind(name)
        .bind(role)
        .bind(lang)
        .bind(channel)
        .bind(chat)
        .execute(pool)
        .await
        .unwrap();
    }
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/import");
    let options = |dry_run| ImportOptions {
        files: ["clientes.csv", "pacientes.tsv", "vacunas.csv"]
            .iter()
            .map(|f| fixtures.join(f))
            .collect(),
        dry_run,
        mapping: None,
        source: Some("otro-pims".into()),
        report: std::env::temp_dir().join(format!("vetbot-summary-{}.txt", std::process::id())),
    };
    // A dry run tells nobody.
    import::run(pool, &options(true), &NoneErased, &mut Vec::new())
        .await
        .unwrap();
    assert_eq!(
        app.scalar_i64("select count(*) from outbox where body like '%Import%'")
            .await,
        0
    );

    // Act
    let summary = import::run(pool, &options(false), &NoneErased, &mut Vec::new())
        .await
        .unwrap();

    // Assert: delivered on Telegram in Spanish, with the figures of the summary.
    let sent = app.telegram_message("Importación terminada").await;
    let text = sent.body["text"].as_str().unwrap();
    let chat = &sent.body["chat_id"];
    assert!(
        *chat == json!(TG_STAFF) || *chat == json!(TG_STAFF.to_string()),
        "{chat}"
    );
    assert!(
        text.contains(&format!(
            "Clientes: {} nuevos, {} actualizados",
            summary.owners.added, summary.owners.updated
        )),
        "{text}"
    );
    assert!(text.contains("Vacunas: 4 nuevos"), "{text}");
    assert!(
        text.contains(&format!("Rechazadas: {}", summary.rejected)),
        "{text}"
    );
    // Queued for the English owner's WhatsApp in English; nothing for staff.
    let english: Vec<(String, String)> =
        sqlx::query_as("select chat_id, body from outbox where body like '%Import finished%'")
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(english.len(), 1, "{english:?}");
    assert_eq!(english[0].0, WA_STAFF);
    assert!(
        english[0].1.contains("Vaccinations: 4 added"),
        "{english:?}"
    );
    assert_eq!(
        app.scalar_i64(
            "select count(*) from outbox where chat_id = '555000222' and body like '%Import%'"
        )
        .await,
        0
    );
    app.stop().await;
}
