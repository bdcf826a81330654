//! A bulk change a staff member (role `staff`) asks for waits for an owner: every owner is
//! asked in their own chat, an owner's "sí" there runs it once and the requester is told,
//! "no" cancels it, and nobody else's "sí" runs anything.

use fakes::openai::FakeOpenAi;

use super::*;

/// Lupita (demo member 2, role `staff`) on Telegram.
const TG_LUPITA: i64 = 700_002;
/// Dr. Pablo (demo member 1, role `owner`) on Telegram.
const TG_PABLO: i64 = 700_001;
/// A second owner on WhatsApp, as Meta sends her number (`521…`).
const WA_ANA: &str = "5219980002222";

const BULK: &str = "Agrega la etiqueta 'deleted' a todos los clientes";

fn fifty_tag_calls(model: &FakeOpenAi, tag: &str) {
    let ids: Vec<String> = (1..=50).map(|n| format!("call_{n}")).collect();
    let args: Vec<String> = (1..=50)
        .map(|n| format!(r#"{{"user_id":{n},"add_tags":["{tag}"]}}"#))
        .collect();
    let calls: Vec<(&str, &str, &str)> = ids
        .iter()
        .zip(&args)
        .map(|(id, a)| (id.as_str(), "tag_owner", a.as_str()))
        .collect();
    model.reply_tool_calls(&calls);
}

/// The application with a fake model, Lupita and Dr. Pablo on Telegram, and a second
/// owner, Dra. Ana, on WhatsApp.
async fn clinic(model: &FakeOpenAi) -> ServeApp {
    let options = Options {
        llm: Some(model.base_url()),
        ..Options::default()
    };
    let app = ServeApp::start_with(options).await;
    let ttl = chrono::Duration::hours(1);
    let (ana, _) = bot::staff::invite(&app.db.pool, "Dra. Ana", "owner", "es", ttl)
        .await
        .expect("invite");
    for (staff, channel, id) in [
        (2, "telegram", TG_LUPITA.to_string()),
        (1, "telegram", TG_PABLO.to_string()),
        (ana.id, "whatsapp", "+529980002222".to_string()),
    ] {
        sqlx::query(
            "insert into staff_identities (staff_id, channel, external_id) values ($1, $2, $3)",
        )
        .bind(staff)
        .bind(channel)
        .bind(id)
        .execute(&app.db.pool)
        .await
        .unwrap();
    }
    app
}

/// What the bot has sent so far, per chat, and what was new since the last look.
#[derive(Default)]
struct Seen(HashMap<String, usize>);

impl Seen {
    /// Texts sent to Telegram chat `chat` since the last call for it.
    fn telegram(&mut self, app: &ServeApp, chat: i64) -> String {
        let texts: Vec<String> = app
            .telegram
            .requests_for("sendMessage")
            .into_iter()
            .filter(|r| {
                r.body["chat_id"] == json!(chat) || r.body["chat_id"] == json!(chat.to_string())
            })
            .map(|r| r.body["text"].as_str().unwrap_or_default().to_owned())
            .collect();
        self.new_since(format!("tg:{chat}"), texts)
    }

    /// Texts sent to WhatsApp number `to` (any spelling of it) since the last call.
    fn whatsapp(&mut self, app: &ServeApp, to: &str) -> String {
        let digits = |s: &str| s.trim_start_matches('+').replace("521", "52");
        let texts: Vec<String> = app
            .whatsapp
            .requests()
            .into_iter()
            .filter(|r| digits(r.body["to"].as_str().unwrap_or_default()) == digits(to))
            .map(|r| {
                let body = r.body.pointer("/text/body");
                let body = body.or_else(|| r.body.pointer("/interactive/body/text"));
                body.and_then(Value::as_str).unwrap_or_default().to_owned()
            })
            .collect();
        self.new_since(format!("wa:{to}"), texts)
    }

    fn new_since(&mut self, key: String, texts: Vec<String>) -> String {
        let seen = self.0.entry(key).or_default();
        let new = texts[*seen..].join("\n");
        *seen = texts.len();
        new
    }
}

/// Every message answered and every reply sent.
async fn settled(app: &ServeApp) {
    app.all_processed().await;
    let sql = "select count(*) from outbox where status in ('pending', 'sending')";
    eventually("every reply to be sent", || async {
        (app.scalar_i64(sql).await == 0).then_some(())
    })
    .await;
}

async fn telegram(app: &ServeApp, update_id: i64, from: i64, text: &str) {
    let update = p::telegram_text_update(update_id, from, text);
    assert_eq!(app.post_telegram(&update).await, 200);
    settled(app).await;
}

async fn tagged(app: &ServeApp, tag: &str) -> i64 {
    sqlx::query_scalar(
        "select count(*) from owner_profile_tags pt join owner_tags t on t.id = pt.tag_id
          where t.name = $1",
    )
    .bind(tag)
    .fetch_one(&app.db.pool)
    .await
    .unwrap()
}

async fn tag_calls_run(app: &ServeApp) -> i64 {
    app.scalar_i64("select count(*) from audit_log where tool = 'tag_owner'")
        .await
}

#[tokio::test]
async fn a_staff_members_bulk_change_is_confirmed_once_by_an_owner_in_the_owners_own_chat() {
    // Arrange
    let model = FakeOpenAi::start().await;
    let app = clinic(&model).await;
    let mut seen = Seen::default();
    let clients = app
        .scalar_i64("select count(*) from owners where id <= 50")
        .await;
    fifty_tag_calls(&model, "deleted");

    // Act: Lupita asks for the bulk change.
    telegram(&app, 1, TG_LUPITA, BULK).await;

    // Assert: nothing ran; she is told only an owner confirms and that both were asked;
    // each owner got the request in their own chat.
    assert_eq!(tagged(&app, "deleted").await, 0);
    let to_lupita = seen.telegram(&app, TG_LUPITA);
    assert!(to_lupita.contains("50 clientes"), "{to_lupita}");
    assert!(
        to_lupita.contains("solo lo puede confirmar el dueño"),
        "{to_lupita}"
    );
    assert!(to_lupita.contains("Dr. Pablo"), "{to_lupita}");
    assert!(to_lupita.contains("Dra. Ana"), "{to_lupita}");
    assert!(!to_lupita.contains("¿Confirmas?"), "{to_lupita}");
    for to_owner in [seen.telegram(&app, TG_PABLO), seen.whatsapp(&app, WA_ANA)] {
        assert!(to_owner.contains("Lupita"), "{to_owner}");
        assert!(to_owner.contains("«deleted» a 50 clientes"), "{to_owner}");
        assert!(to_owner.contains("«sí»"), "{to_owner}");
        assert!(to_owner.contains("15 minutos"), "{to_owner}");
    }

    // Act: Lupita's own "sí" is refused.
    telegram(&app, 2, TG_LUPITA, "sí").await;
    // Assert
    let refused = seen.telegram(&app, TG_LUPITA);
    assert!(refused.contains("solo el dueño de la clínica"), "{refused}");
    assert_eq!(tagged(&app, "deleted").await, 0);
    assert_eq!(tag_calls_run(&app).await, 0);

    // Act: Dr. Pablo says "sí" in his own chat.
    telegram(&app, 3, TG_PABLO, "sí").await;
    // Assert: the held calls ran once, he sees the result, Lupita is told.
    assert_eq!(tagged(&app, "deleted").await, clients);
    assert_eq!(tag_calls_run(&app).await, 50);
    let done = seen.telegram(&app, TG_PABLO);
    assert!(done.contains(&format!("Hecho: {clients} de 50")), "{done}");
    let told = seen.telegram(&app, TG_LUPITA);
    assert!(told.contains("Dr. Pablo confirmó"), "{told}");
    assert!(told.contains(&format!("{clients} de 50")), "{told}");

    // Act: the other owner, Dr. Pablo again, and Lupita say "sí" afterwards.
    let late = p::whatsapp_text("wamid.ANA1", WA_ANA, "Ana", "Sí");
    assert_eq!(app.post_whatsapp(&late).await, 200);
    settled(&app).await;
    telegram(&app, 4, TG_PABLO, "sí").await;
    telegram(&app, 5, TG_LUPITA, "sí").await;
    // Assert: nothing ran again; Ana learns who resolved it.
    assert_eq!(tag_calls_run(&app).await, 50);
    assert_eq!(tagged(&app, "deleted").await, clients);
    let to_ana = seen.whatsapp(&app, WA_ANA);
    assert!(to_ana.contains("ya no está abierta"), "{to_ana}");
    assert!(to_ana.contains("Dr. Pablo"), "{to_ana}");
    let again = seen.telegram(&app, TG_PABLO);
    assert!(!again.contains("Hecho"), "{again}");
}

#[tokio::test]
async fn an_owners_no_cancels_a_staff_members_bulk_change_and_the_requester_is_told() {
    // Arrange
    let model = FakeOpenAi::start().await;
    let app = clinic(&model).await;
    let mut seen = Seen::default();
    fifty_tag_calls(&model, "otro");
    telegram(&app, 1, TG_LUPITA, BULK).await;
    let asked = seen.telegram(&app, TG_PABLO);
    assert!(asked.contains("«otro» a 50 clientes"), "{asked}");
    seen.telegram(&app, TG_LUPITA);

    // Act
    telegram(&app, 2, TG_PABLO, "no").await;
    telegram(&app, 3, TG_PABLO, "sí").await;
    let late = p::whatsapp_text("wamid.ANA2", WA_ANA, "Ana", "sí");
    assert_eq!(app.post_whatsapp(&late).await, 200);
    settled(&app).await;

    // Assert
    assert_eq!(tagged(&app, "otro").await, 0);
    assert_eq!(tag_calls_run(&app).await, 0);
    let to_pablo = seen.telegram(&app, TG_PABLO);
    assert!(to_pablo.contains("Cancelado"), "{to_pablo}");
    let to_lupita = seen.telegram(&app, TG_LUPITA);
    assert!(
        to_lupita.contains("Dr. Pablo no lo autorizó"),
        "{to_lupita}"
    );
    let resolution: String = sqlx::query_scalar("select resolution from pending_writes")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(resolution, "cancelled");
}
