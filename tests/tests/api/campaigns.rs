//! Campaigns in the chat (issue 12): drafted from the list just shown or a segment, a
//! preview that says who gets it and who does not and why, edits that void earlier
//! approvals, and approval by an owner only, once.

use bot::brain::engine::{Engine, Outgoing};
use bot::render::Markup;
use tests::TestDb;

use crate::engine::from;

const CARLOS: i64 = 2;
const SARAH: i64 = 3;
const ROBERTO: i64 = 4;
/// Lupita (demo member 2, role `staff`) on Telegram.
const TG_LUPITA: &str = "700002";
/// Dr. Pablo (demo member 1, role `owner`) on Telegram.
const TG_PABLO: &str = "700001";

async fn say(engine: &Engine, channel: &str, who: &str, text: &str) -> Outgoing {
    engine.handle(&from(channel, who, text)).await.unwrap()
}

async fn pablo(engine: &Engine, text: &str) -> String {
    say(engine, "terminal", "local", text)
        .await
        .reply
        .render(Markup::Plain)
}

/// The demo clinic with WhatsApp marketing consent recorded for every client, Lupita and
/// Dr. Pablo linked on Telegram.
async fn clinic() -> (TestDb, Engine) {
    let db = TestDb::demo().await;
    sqlx::query(
        "insert into consent_events (owner_id, channel, purpose, granted, source)
         select id, 'whatsapp', 'marketing', true, 'test' from owners",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    for (staff, id) in [(2, TG_LUPITA), (1, TG_PABLO)] {
        sqlx::query(
            "insert into staff_identities (staff_id, channel, external_id) values ($1, 'telegram', $2)
             on conflict do nothing",
        )
        .bind(staff)
        .bind(id)
        .execute(&db.pool)
        .await
        .unwrap();
    }
    let engine = Engine::new(db.pool.clone(), None);
    (db, engine)
}

async fn newest_campaign(db: &TestDb) -> (i64, String, i32) {
    sqlx::query_as("select id, status, version from marketing_campaigns order by id desc limit 1")
        .fetch_one(&db.pool)
        .await
        .unwrap()
}

async fn roles(db: &TestDb, campaign: i64) -> Vec<(i64, String, Option<String>)> {
    sqlx::query_as(
        "select owner_id, role, exclusion from campaign_recipients where campaign_id = $1 order by owner_id",
    )
    .bind(campaign)
    .fetch_all(&db.pool)
    .await
    .unwrap()
}

async fn targets(db: &TestDb, campaign: i64) -> Vec<i64> {
    roles(db, campaign)
        .await
        .into_iter()
        .filter(|(_, role, _)| role == "target")
        .map(|(id, _, _)| id)
        .collect()
}

#[tokio::test]
async fn at_risk_then_yes_to_two_named_clients_drafts_for_exactly_them_and_the_owner_approves() {
    let (db, engine) = clinic().await;
    let at_risk = pablo(&engine, "¿A quiénes no hemos visto en un tiempo?").await;
    assert!(
        at_risk.contains("Carlos Méndez") && at_risk.contains("Roberto Sánchez"),
        "{at_risk}"
    );
    let preview = pablo(&engine, "sí, envíales a Carlos y Roberto").await;
    let (id, status, version) = newest_campaign(&db).await;
    assert_eq!((status.as_str(), version), ("pending_approval", 1));
    assert_eq!(targets(&db, id).await, vec![CARLOS, ROBERTO]);
    assert!(
        preview.contains("Lo recibirán: 2 (registro local (demo) 2)"),
        "{preview}"
    );
    assert!(preview.contains("Hola Carlos 👋"), "{preview}");
    assert!(
        preview.contains("Responde BAJA si no quieres recibir más mensajes."),
        "{preview}"
    );
    let approved = pablo(&engine, "sí").await;
    assert!(
        approved.contains(&format!(
            "Campaña #{id} aprobada (versión 1): se envía a 2 clientes"
        )),
        "{approved}"
    );
    assert!(
        approved.contains("Demo: los mensajes se escriben en un registro local"),
        "{approved}"
    );
    // Written to the demo's log, once, and recorded as sent.
    assert!(approved.contains(": 2 en "), "{approved}");
    let sent: Vec<String> = sqlx::query_scalar(
        "select status from campaign_recipients where campaign_id = $1 and role = 'target'",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(sent, ["sent", "sent"]);
    let (approved_by, approved_version): (Option<i64>, Option<i32>) = sqlx::query_as(
        "select approved_by, approved_version from marketing_campaigns where id = $1",
    )
    .bind(id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!((approved_by, approved_version), (Some(1), Some(1)));
}

#[tokio::test]
async fn the_same_send_button_three_times_approves_once() {
    let (db, engine) = clinic().await;
    pablo(&engine, "¿A quiénes no hemos visto en un tiempo?").await;
    pablo(&engine, "sí, a Carlos y Roberto").await;
    let (id, _, version) = newest_campaign(&db).await;
    let button = format!("enviar campaña {id} v{version}");
    let first = pablo(&engine, &button).await;
    assert!(first.contains("aprobada"), "{first}");
    for _ in 0..2 {
        let again = pablo(&engine, &button).await;
        assert!(again.contains("ya fue aprobada por Dr. Pablo"), "{again}");
        assert!(again.contains("no se envía dos veces"), "{again}");
    }
    // Approved once; in the terminal demo the first press also wrote the messages to the
    // local log, and the later presses wrote nothing more.
    let approvals: i64 = sqlx::query_scalar(
        "select count(*) from marketing_campaigns where id = $1 and status = 'sent' and approved_at is not null",
    )
    .bind(id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(approvals, 1);
    let sends: i64 =
        sqlx::query_scalar("select count(*) from communications where campaign_id = $1")
            .bind(id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(sends, 2, "one message to each of Carlos and Roberto");
}

#[tokio::test]
async fn an_edit_voids_the_approval_of_the_version_shown_before_it() {
    let (db, engine) = clinic().await;
    pablo(&engine, "¿A quiénes no hemos visto en un tiempo?").await;
    pablo(&engine, "envíales a todos").await;
    let (id, _, v1) = newest_campaign(&db).await;
    let edited = pablo(
        &engine,
        "cambia el texto: Hola {nombre}, ¿cómo está {mascota}? Te esperamos.",
    )
    .await;
    assert!(edited.contains("versión 2"), "{edited}");
    assert!(edited.contains("Hola Carlos, ¿cómo está"), "{edited}");
    let old_button = pablo(&engine, &format!("enviar campaña {id} v{v1}")).await;
    assert!(
        old_button.contains("No envié nada: la campaña cambió después de la versión 1"),
        "{old_button}"
    );
    assert_eq!(newest_campaign(&db).await.1, "pending_approval");
    let removed = pablo(&engine, "quita a Carlos").await;
    assert!(
        removed.contains("Carlos Méndez — quitado del borrador"),
        "{removed}"
    );
    assert!(!targets(&db, id).await.contains(&CARLOS));
    let scheduled = pablo(&engine, "mejor mañana a las 10").await;
    assert!(
        scheduled.contains("21 nov 2025 a las 10:00")
            || scheduled.contains("21 Nov 2025 a las 10:00"),
        "{scheduled}"
    );
    let ok = pablo(&engine, "sí").await;
    assert!(ok.contains("(versión 4)"), "{ok}");
    let body: String = sqlx::query_scalar("select body from marketing_campaigns where id = $1")
        .bind(id)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(
        body.starts_with("Hola {nombre}, ¿cómo está {mascota}?"),
        "{body}"
    );
}

#[tokio::test]
async fn a_staff_member_cannot_approve_and_the_owner_gets_the_draft_to_approve() {
    let (db, engine) = clinic().await;
    say(
        &engine,
        "telegram",
        TG_LUPITA,
        "¿A quiénes no hemos visto en un tiempo?",
    )
    .await;
    say(&engine, "telegram", TG_LUPITA, "sí, a Carlos y Roberto").await;
    let (id, _, version) = newest_campaign(&db).await;
    let refused = say(&engine, "telegram", TG_LUPITA, "sí").await;
    let text = refused.reply.render(Markup::Plain);
    assert!(
        text.contains("No envié nada: solo un dueño de la clínica puede aprobar"),
        "{text}"
    );
    assert_eq!(newest_campaign(&db).await.1, "pending_approval");
    let to_pablo: Vec<_> = refused
        .notices
        .iter()
        .filter(|n| n.channel == "telegram" && n.chat_id == TG_PABLO)
        .collect();
    assert_eq!(to_pablo.len(), 1, "{:?}", refused.notices);
    let notice = to_pablo[0].text.render(Markup::Plain);
    assert!(
        notice.contains("preparó una campaña y pide tu aprobación"),
        "{notice}"
    );
    let says: Vec<&str> = to_pablo[0]
        .text
        .choices()
        .iter()
        .map(|c| c.say.as_str())
        .collect();
    assert_eq!(says[0], format!("enviar campaña {id} v{version}"));
    // Lupita's own button press is refused the same way.
    let pressed = say(
        &engine,
        "telegram",
        TG_LUPITA,
        &format!("enviar campaña {id} v{version}"),
    )
    .await;
    assert!(pressed
        .reply
        .render(Markup::Plain)
        .contains("solo un dueño"));
    // Dr. Pablo's «sí» in his own chat approves the version he was shown.
    let approved = say(&engine, "telegram", TG_PABLO, "sí").await;
    let text = approved.reply.render(Markup::Plain);
    assert!(text.contains(&format!("Campaña #{id} aprobada")), "{text}");
    assert_eq!(newest_campaign(&db).await.1, "approved");
}

#[tokio::test]
async fn clients_without_consent_opted_out_or_grieving_are_left_out_with_the_reason() {
    let (db, engine) = clinic().await;
    sqlx::query("delete from consent_events where owner_id = $1")
        .bind(SARAH)
        .execute(&db.pool)
        .await
        .unwrap();
    sqlx::query(
        "insert into consent_events (owner_id, channel, purpose, granted, source) values ($1, 'whatsapp', 'marketing', false, 'keyword')",
    )
    .bind(ROBERTO)
    .execute(&db.pool)
    .await
    .unwrap();
    sqlx::query("update pets set deceased_on = date '2025-10-01' where id = (select min(id) from pets where owner_id = $1)")
        .bind(CARLOS)
        .execute(&db.pool)
        .await
        .unwrap();
    let ids = [CARLOS, SARAH, ROBERTO];
    let kind = bot::marketing::CampaignKind::Announcement;
    let draft = bot::marketing::draft::NewDraft {
        kind,
        ids: &ids,
        hand_picked: true,
        text: Some("Cerramos el 24".into()),
        text_en: None,
        audience: "test".into(),
        channel: Some("terminal"),
        chat_id: Some("local"),
        staff_id: Some(1),
        follow_up_of: None,
    };
    let clock = bot::clock::ClinicClock::load(&db.pool).await.unwrap();
    let id = bot::marketing::draft::create(&db.pool, &clock, &Default::default(), draft)
        .await
        .unwrap();
    assert_eq!(
        roles(&db, id).await,
        vec![
            (CARLOS, "excluded".into(), Some("grieving".into())),
            (SARAH, "excluded".into(), Some("no_consent".into())),
            (ROBERTO, "excluded".into(), Some("opted_out".into())),
        ]
    );
    let _ = engine;
}

#[tokio::test]
async fn a_segment_announcement_is_drafted_for_the_whole_segment() {
    let (db, engine) = clinic().await;
    let preview = pablo(
        &engine,
        "avisa a los dueños de perros que gastaron más de 5,000 que llegó la vacuna X",
    )
    .await;
    let (id, status, _) = newest_campaign(&db).await;
    assert_eq!(status, "pending_approval");
    let kind: String = sqlx::query_scalar("select kind from marketing_campaigns where id = $1")
        .bind(id)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(kind, "product");
    let expected: Vec<i64> = sqlx::query_scalar(
        "select a.owner_id from owner_activity a
          where a.total_spent >= 5000 and a.living_species & owner_activity_bit('dog') <> 0
          order by a.owner_id",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let considered: Vec<i64> = roles(&db, id)
        .await
        .into_iter()
        .map(|(o, _, _)| o)
        .collect();
    assert_eq!(considered, expected);
    assert!(!expected.is_empty());
    assert!(preview.contains("Llegó la vacuna X."), "{preview}");
    let listed = pablo(&engine, "/campañas").await;
    assert!(
        listed.contains(&format!("#{id}")) && listed.contains("borrador"),
        "{listed}"
    );
    let cancelled = pablo(&engine, &format!("cancelar campaña {id}")).await;
    assert!(cancelled.contains("cancelada"), "{cancelled}");
    let after = pablo(&engine, &format!("enviar campaña {id} v1")).await;
    assert!(after.contains("fue cancelada"), "{after}");
}

#[tokio::test]
async fn other_messages_still_reach_the_brains() {
    let (_db, engine) = clinic().await;
    let profile = pablo(&engine, "Cuéntame sobre María García").await;
    assert!(profile.contains("María García"), "{profile}");
    // "sí" with nothing to answer is not a campaign.
    let yes = pablo(&engine, "sí").await;
    assert!(!yes.contains("Campaña"), "{yes}");
}

mod with_the_model {
    use bot::brain::llm::{LlmBrain, LlmSettings};
    use fakes::openai::FakeOpenAi;

    use super::*;

    #[tokio::test]
    async fn the_model_drafts_from_the_list_it_showed_and_only_the_owners_reply_approves() {
        let (db, _) = clinic().await;
        let fake = FakeOpenAi::start().await;
        let mut settings = LlmSettings::new(&fake.base_url(), "fake-model", "k");
        settings.max_retries = 0;
        let engine = Engine::new(db.pool.clone(), Some(LlmBrain::new(settings).unwrap()));
        fake.reply_tool_calls(&[(
            "c1",
            "get_customer_insights",
            r#"{"insight_type":"at_risk"}"#,
        )]);
        pablo(&engine, "¿quiénes están en riesgo?").await;
        let args = format!(
            r#"{{"kind":"reactivation","audience":"last_list","except_owner_ids":[{SARAH}]}}"#
        );
        fake.reply_tool_calls(&[("c2", "draft_campaign", args.as_str())]);
        let preview = pablo(
            &engine,
            "prepárales un mensaje para que regresen, pero no a Sarah",
        )
        .await;
        assert!(preview.contains("📣 Campaña de reactivación"), "{preview}");
        let (id, status, version) = newest_campaign(&db).await;
        assert_eq!(status, "pending_approval");
        let considered: Vec<i64> = roles(&db, id)
            .await
            .into_iter()
            .map(|(o, _, _)| o)
            .collect();
        assert!(
            considered.contains(&CARLOS) && !considered.contains(&SARAH),
            "{considered:?}"
        );
        // The model is never offered a way to approve or send.
        let offered: Vec<String> = fake.bodies()[0]["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["function"]["name"].as_str().unwrap().to_owned())
            .collect();
        assert!(
            offered.contains(&"draft_campaign".to_owned()),
            "{offered:?}"
        );
        assert!(
            !offered
                .iter()
                .any(|n| n.contains("approve") || n.contains("send")),
            "{offered:?}"
        );
        // The owner's «sí» is answered without the model, for the version shown.
        let calls_before = fake.requests().len();
        let ok = pablo(&engine, "sí").await;
        assert!(
            ok.contains(&format!("Campaña #{id} aprobada (versión {version})")),
            "{ok}"
        );
        assert_eq!(fake.requests().len(), calls_before);
    }
}

mod birthdays {
    use bot::marketing::birthdays::{self, BirthdayMode};

    use super::*;

    async fn birthday_today(db: &TestDb, owner: i64) -> String {
        sqlx::query_scalar(
            "update pets set birth_date = date '2019-11-20', deceased_on = null
              where id = (select min(id) from pets where owner_id = $1) returning name",
        )
        .bind(owner)
        .fetch_one(&db.pool)
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn the_mornings_birthdays_are_one_draft_put_to_the_owners_once() {
        let (db, _) = clinic().await;
        let pet = birthday_today(&db, CARLOS).await;
        // A deceased pet born today is never greeted.
        sqlx::query(
            "update pets set birth_date = date '2018-11-20', deceased_on = date '2024-01-01'
              where id = (select min(id) from pets where owner_id = $1)",
        )
        .bind(ROBERTO)
        .execute(&db.pool)
        .await
        .unwrap();
        let ctx = tests::tools::context(&db.pool, bot::domain::Lang::Es).await;
        let morning = birthdays::run(&ctx, BirthdayMode::Ask).await.unwrap();
        let id = *morning.campaigns.first().expect("a birthday draft");
        assert_eq!(targets(&db, id).await, vec![CARLOS]);
        let to_pablo: Vec<_> = morning
            .notices
            .iter()
            .filter(|n| n.chat_id == TG_PABLO)
            .collect();
        assert_eq!(to_pablo.len(), 1);
        let text = to_pablo[0].text.render(Markup::Plain);
        assert!(
            text.contains("🎂 Hoy cumplen años mascotas de 1 clientes"),
            "{text}"
        );
        assert!(
            text.contains(&format!("¡Feliz cumpleaños a {pet}!")),
            "{text}"
        );
        // Run again (another replica, a restart): nothing new.
        let again = birthdays::run(&ctx, BirthdayMode::Ask).await.unwrap();
        assert!(again.campaigns.is_empty() && again.notices.is_empty());
        // Dr. Pablo's «sí» in his chat approves the day's batch.
        let engine = Engine::new(db.pool.clone(), None);
        let ok = say(&engine, "telegram", TG_PABLO, "sí")
            .await
            .reply
            .render(Markup::Plain);
        assert!(ok.contains(&format!("Campaña #{id} aprobada")), "{ok}");
    }

    #[tokio::test]
    async fn a_clients_anniversary_with_the_clinic_gets_its_own_greeting_in_their_language() {
        let (db, _) = clinic().await;
        sqlx::query(
            "update owners set created_at = timestamptz '2021-11-20 15:00:00-05' where id = $1",
        )
        .bind(SARAH)
        .execute(&db.pool)
        .await
        .unwrap();
        // Her US number gets no marketing template; a Mexican one does.
        sqlx::query(
            "update owner_profiles set phone_primary = '+529981112233' where owner_id = $1",
        )
        .bind(SARAH)
        .execute(&db.pool)
        .await
        .unwrap();
        let ctx = tests::tools::context(&db.pool, bot::domain::Lang::Es).await;
        let morning = birthdays::run(&ctx, BirthdayMode::Ask).await.unwrap();
        let mut found = None;
        for id in &morning.campaigns {
            if targets(&db, *id).await.contains(&SARAH) {
                found = Some(*id);
            }
        }
        let id = found.expect("an anniversary campaign for Sarah");
        let body: String = sqlx::query_scalar(
            "select body from campaign_recipients where campaign_id = $1 and owner_id = $2",
        )
        .bind(id)
        .bind(SARAH)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        assert!(
            body.starts_with("Hi Sarah! Today marks another year"),
            "{body}"
        );
        assert!(
            body.ends_with("Reply STOP to stop these messages."),
            "{body}"
        );
    }

    #[tokio::test]
    async fn auto_mode_approves_and_off_does_nothing() {
        let (db, _) = clinic().await;
        birthday_today(&db, CARLOS).await;
        let ctx = tests::tools::context(&db.pool, bot::domain::Lang::Es).await;
        let off = birthdays::run(&ctx, BirthdayMode::Off).await.unwrap();
        assert!(off.campaigns.is_empty());
        let auto = birthdays::run(&ctx, BirthdayMode::Auto).await.unwrap();
        let id = auto.campaigns[0];
        let (status, by): (String, Option<i64>) =
            sqlx::query_as("select status, approved_by from marketing_campaigns where id = $1")
                .bind(id)
                .fetch_one(&db.pool)
                .await
                .unwrap();
        assert_eq!((status.as_str(), by), ("approved", None));
        assert!(auto
            .notices
            .iter()
            .any(|n| n.text.render(Markup::Plain).contains("modo automático")));
    }
}

#[tokio::test]
async fn follow_ups_go_to_who_did_not_answer_or_come_back_and_the_third_is_a_call_list() {
    let (db, engine) = clinic().await;
    pablo(&engine, "¿A quiénes no hemos visto en un tiempo?").await;
    pablo(&engine, "sí, a Carlos y Roberto").await;
    pablo(&engine, "sí").await;
    let (first, _, _) = newest_campaign(&db).await;
    // As the sender records it: both sent; Roberto answered.
    sqlx::query(
        "update campaign_recipients set status = 'sent', sent_at = now(),
                replied_at = case when owner_id = $2 then now() end
          where campaign_id = $1 and role = 'target'",
    )
    .bind(first)
    .bind(ROBERTO)
    .execute(&db.pool)
    .await
    .unwrap();
    let second = pablo(&engine, "manda el seguimiento").await;
    assert!(second.contains("solo para recordarte"), "{second}");
    let (id2, _, _) = newest_campaign(&db).await;
    assert_ne!(id2, first);
    assert_eq!(targets(&db, id2).await, vec![CARLOS]);
    let touch: i16 = sqlx::query_scalar("select touch from marketing_campaigns where id = $1")
        .bind(id2)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(touch, 2);
    pablo(&engine, "sí").await;
    sqlx::query(
        "update campaign_recipients set status = 'delivered', sent_at = now()
          where campaign_id = $1 and role = 'target'",
    )
    .bind(id2)
    .execute(&db.pool)
    .await
    .unwrap();
    let third = pablo(&engine, "seguimiento").await;
    assert!(third.contains("📞 Tercer contacto"), "{third}");
    assert!(third.contains("Carlos Méndez"), "{third}");
    assert_eq!(
        newest_campaign(&db).await.0,
        id2,
        "the third touch sends no message"
    );
}

mod morning {
    use bot::marketing::birthdays::BirthdayMode;
    use bot::marketing::digest;
    use rust_decimal::Decimal;

    use super::*;

    #[tokio::test]
    async fn the_morning_brings_greetings_finished_campaigns_and_tier_changes_once_a_day() {
        let (db, engine) = clinic().await;
        // A campaign approved and sent to Carlos and Roberto; Roberto answered.
        pablo(&engine, "¿A quiénes no hemos visto en un tiempo?").await;
        pablo(&engine, "sí, a Carlos y Roberto").await;
        pablo(&engine, "sí").await;
        let (id, _, _) = newest_campaign(&db).await;
        sqlx::query(
            "update campaign_recipients set status = 'delivered', sent_at = now(), delivered_at = now(),
                    replied_at = case when owner_id = $2 then now() end
              where campaign_id = $1 and role = 'target'",
        )
        .bind(id)
        .bind(ROBERTO)
        .execute(&db.pool)
        .await
        .unwrap();
        // The campaign finished sending: its results are news for the next digest.
        sqlx::query(
            "update marketing_campaigns set status = 'sent', sent_at = now(), finished_at = now() where id = $1",
        )
        .bind(id)
        .execute(&db.pool)
        .await
        .unwrap();
        sqlx::query(
            "insert into loyalty_tier_changes (owner_id, from_tier, to_tier, spend_12m)
             values ($1, 'silver', 'gold', 12000)",
        )
        .bind(SARAH)
        .execute(&db.pool)
        .await
        .unwrap();
        let ctx = tests::tools::context(&db.pool, bot::domain::Lang::Es).await;
        // Sarah's orders and visits yesterday and the same weekday a week before (local
        // noon), and today's bookings (a cancelled one does not count).
        sqlx::query(
            "with d as (select $2::date as today, $2::date - 1 as y, $2::date - 8 as w),
                  at_noon as (select (y + time '12:00') at time zone 'America/Cancun' as y,
                                     (w + time '12:00') at time zone 'America/Cancun' as w,
                                     (today + time '12:00') at time zone 'America/Cancun' as t from d),
                  o as (insert into orders (owner_id, ordered_at, status, total)
                        select $1, y, 'completed', 500 from at_noon
                        union all select $1, w, 'completed', 400 from at_noon returning id)
             insert into appointments (owner_id, kind, status, scheduled_at)
             select $1, 'checkup', 'completed', y from at_noon
             union all select $1, 'vaccination', 'completed', y + interval '1 hour' from at_noon
             union all select $1, 'checkup', 'completed', w from at_noon
             union all select $1, 'checkup', 'scheduled', t from at_noon
             union all select $1, 'grooming', 'cancelled', t from at_noon",
        )
        .bind(SARAH)
        .bind(ctx.clock.today())
        .execute(&db.pool)
        .await
        .unwrap();
        let notices = digest::morning(&ctx, BirthdayMode::Ask).await.unwrap();
        let to_pablo: Vec<String> = notices
            .iter()
            .filter(|n| n.chat_id == TG_PABLO)
            .map(|n| n.text.render(Markup::Plain))
            .collect();
        let summary = to_pablo
            .iter()
            .find(|t| t.contains("Buenos días"))
            .expect("a digest for Dr. Pablo");
        assert!(summary.contains(&format!("📣 #{id}")), "{summary}");
        assert!(
            summary.contains("2 de 2 enviados, 2 entregados, 1 respondieron"),
            "{summary}"
        );
        assert!(summary.contains("Sarah Johnson: Plata → Oro"), "{summary}");
        // Yesterday against the same weekday a week before, and today's appointments, as
        // the database has them (clinic days in the clinic's zone).
        let today = ctx.clock.today();
        let day = |back: i64| today - chrono::Duration::days(back);
        let revenue = |d: chrono::NaiveDate| {
            sqlx::query_scalar::<_, Decimal>(
                "select coalesce(sum(total), 0) from orders where status = 'completed'
                   and (ordered_at at time zone 'America/Cancun')::date = $1",
            )
            .bind(d)
            .fetch_one(&db.pool)
        };
        let visits = |d: chrono::NaiveDate, status: &'static str| {
            sqlx::query_scalar::<_, i64>(
                "select count(*) from appointments where status = any(string_to_array($2, ','))
                   and (scheduled_at at time zone 'America/Cancun')::date = $1",
            )
            .bind(d)
            .bind(status)
            .fetch_one(&db.pool)
        };
        let (y, w) = (
            revenue(day(1)).await.unwrap(),
            revenue(day(8)).await.unwrap(),
        );
        let (vy, vw) = (
            visits(day(1), "completed").await.unwrap(),
            visits(day(8), "completed").await.unwrap(),
        );
        let booked = visits(day(0), "scheduled,completed,no_show").await.unwrap();
        let money = bot::render::fmt::money_cents;
        assert!(
            summary.contains(&format!("ingresos {} (", money(y)))
                && summary.contains(&format!(
                    "vs. {} el mismo día de la semana pasada",
                    money(w)
                )),
            "{summary}"
        );
        assert!(
            summary.contains(&format!("consultas completadas: {vy} ("))
                && summary.contains(&format!("vs. {vw})")),
            "{summary}"
        );
        assert!(
            summary.contains(&format!("📅 Citas para hoy: {booked}")),
            "{summary}"
        );
        assert!(
            y >= Decimal::from(500) && w >= Decimal::from(400),
            "{y} {w}"
        );
        assert!(vy >= 2 && vw >= 1 && booked >= 1, "{vy} {vw} {booked}");
        // One chart: revenue by day, the last seven days against the seven before.
        let pablo = notices
            .iter()
            .find(|n| n.chat_id == TG_PABLO && n.text.render(Markup::Plain).contains("Buenos días"))
            .unwrap();
        let Some(bot::render::charts::Chart::Comparison(chart)) = pablo.text.chart() else {
            panic!("the digest's chart")
        };
        assert_eq!((chart.current.len(), chart.previous.len()), (7, 7));
        let last = |c: &[f64]| c.last().copied().unwrap_or_default();
        let as_f64 = |d: Decimal| rust_decimal::prelude::ToPrimitive::to_f64(&d).unwrap();
        assert_eq!(last(&chart.current), as_f64(y), "yesterday is the last day");
        assert_eq!(
            last(&chart.previous),
            as_f64(w),
            "its weekday a week before"
        );
        let png = pablo.text.chart().unwrap().render().unwrap();
        assert_eq!((png.width, png.height), bot::render::charts::SIZE);
        // Once a day: a second run (another replica, a restart) sends nothing, and the tier
        // change is reported.
        assert!(digest::morning(&ctx, BirthdayMode::Ask)
            .await
            .unwrap()
            .is_empty());
        let unreported: i64 = sqlx::query_scalar(
            "select count(*) from loyalty_tier_changes where reported_at is null",
        )
        .fetch_one(&db.pool)
        .await
        .unwrap();
        assert_eq!(unreported, 0);
    }
}

#[tokio::test]
async fn edit_campaign_changes_text_audience_and_time_and_refuses_what_it_cannot_do() {
    // Arrange: a draft to Carlos, Sarah and Roberto, made through the tool.
    let db = TestDb::demo().await;
    let drafted = tests::tools::call(
        &db.pool,
        "draft_campaign",
        serde_json::json!({"kind": "announcement", "audience": "owners",
                           "owner_ids": [CARLOS, SARAH, ROBERTO],
                           "text": "Hola {nombre}, llegó la vacuna de la temporada."}),
    )
    .await
    .expect("a draft");
    let id = drafted.data["campaign_id"]
        .as_i64()
        .or_else(|| drafted.data["campaign"]["id"].as_i64())
        .unwrap_or_else(|| panic!("{}", drafted.data));
    let edit = |args: serde_json::Value| {
        let pool = db.pool.clone();
        async move { tests::tools::call(&pool, "edit_campaign", args).await }
    };

    // Act
    let text = edit(serde_json::json!({"campaign_id": id,
        "text": "Hola {nombre}, ya tenemos la vacuna antirrábica."}))
    .await;
    let removed = edit(serde_json::json!({"campaign_id": id, "remove_owner_ids": [SARAH]})).await;
    let later = edit(serde_json::json!({"campaign_id": id, "send_at": "2030-01-15T10:00"})).await;
    let now = edit(serde_json::json!({"campaign_id": id, "send_now": true})).await;
    let both = edit(serde_json::json!({"campaign_id": id, "send_now": true,
        "send_at": "2030-01-15T10:00"}))
    .await;
    let past = edit(serde_json::json!({"campaign_id": id, "send_at": "2001-01-01T10:00"})).await;
    let bad = edit(serde_json::json!({"campaign_id": id, "send_at": "mañana"})).await;
    let nothing = edit(serde_json::json!({"campaign_id": id})).await;

    // Assert: each change is a new preview of the same campaign; the refusals say why.
    // Each change is a new version of the same campaign.
    let mut last_version = drafted.data["version"].as_i64().unwrap_or(1);
    for (what, out) in [
        ("text", &text),
        ("removal", &removed),
        ("time", &later),
        ("now", &now),
    ] {
        let out = out.as_ref().unwrap_or_else(|e| panic!("{what}: {e:?}"));
        assert_eq!(
            out.data["campaign_id"].as_i64(),
            Some(id),
            "{what}: {}",
            out.data
        );
        let version = out.data["version"].as_i64().unwrap();
        assert!(
            version > last_version,
            "{what}: version {version} after {last_version}"
        );
        last_version = version;
    }
    let body: String = sqlx::query_scalar("select body from marketing_campaigns where id = $1")
        .bind(id)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(body.contains("antirrábica"), "{body}");
    let preview = removed.unwrap().card.render(bot::render::Markup::Markdown);
    assert!(preview.contains("Lo recibirán: **2**"), "{preview}");
    assert!(
        preview.contains("Sarah Johnson — quitado del borrador"),
        "{preview}"
    );
    for (what, out, says) in [
        ("both", both, "not both"),
        ("past", past, "in the past"),
        ("bad", bad, "YYYY-MM-DDTHH:MM"),
        ("nothing", nothing, "nothing to change"),
    ] {
        let e = out.expect_err(what);
        assert!(format!("{e:?}").contains(says), "{what}: {e:?}");
    }
}
