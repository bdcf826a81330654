//! The client's data rights (#13), the part that changes data: rectification from the chat
//! (validated, audited with old and new values, logged), erasure in two steps by an owner
//! (a stale or wrong confirmation does nothing; what stays keeps the revenue reports
//! identical; the erased client is in no search, segment, at-risk list or campaign; a
//! tombstone without the values), opposition to marketing, and the request log.

use bot::brain::engine::{Engine, Incoming};
use bot::clock::ClinicClock;
use bot::domain::Lang;
use bot::marketing::audience;
use bot::marketing::CampaignKind;
use bot::render::Markup;
use bot::rights::tombstone::is_erased;
use serde_json::{json, Value};
use tests::tools::{call, context};
use tests::TestDb;

/// Lupita (demo staff 2, role `staff`) on Telegram; Dr. Pablo (1, owner) on the terminal.
const LUPITA: &str = "700002";
const MARIA: i64 = 1;

/// A rectification as kept: field, old value, new value, who changed it.
type FieldChange = (String, Option<String>, Option<String>, Option<i64>);

async fn demo() -> TestDb {
    let db = TestDb::demo().await;
    sqlx::query(
        "insert into staff_identities (staff_id, channel, external_id) values (2, 'telegram', $1)",
    )
    .bind(LUPITA)
    .execute(&db.pool)
    .await
    .unwrap();
    db
}

/// Dr. Pablo (owner) asks on the terminal.
async fn owner_says(engine: &Engine, text: &str) -> String {
    says(engine, "terminal", "local", text).await
}

/// Lupita (staff) asks on Telegram.
async fn staff_says(engine: &Engine, text: &str) -> String {
    says(engine, "telegram", LUPITA, text).await
}

async fn says(engine: &Engine, channel: &str, sender: &str, text: &str) -> String {
    let msg = Incoming {
        channel: channel.into(),
        chat_id: sender.into(),
        sender_id: sender.into(),
        text: text.into(),
    };
    engine
        .handle(&msg)
        .await
        .unwrap()
        .reply
        .render(Markup::Plain)
}

/// (kind, requested_by, answered) of every logged request, oldest first.
async fn requests(db: &TestDb) -> Vec<(String, Option<i64>, bool)> {
    sqlx::query_as(
        "select kind, requested_by, answered_at is not null from data_requests order by id",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap()
}

async fn phone(db: &TestDb, owner: i64) -> Option<String> {
    sqlx::query_scalar("select phone_primary from owner_profiles where owner_id = $1")
        .bind(owner)
        .fetch_one(&db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn staff_correct_a_phone_from_the_chat_and_the_old_and_new_values_are_kept() {
    // Arrange
    let db = demo().await;
    let engine = Engine::new(db.pool.clone(), None);
    // Act
    let reply = staff_says(&engine, "cambia el teléfono de María García a 998 765 4321").await;
    // Assert: normalised to E.164, shown old → new, audited and logged.
    assert!(reply.contains("María García"), "{reply}");
    assert!(reply.contains("→"), "{reply}");
    assert_eq!(phone(&db, MARIA).await.as_deref(), Some("+529987654321"));
    let changes: Vec<FieldChange> = sqlx::query_as(
        "select field, old_value, new_value, changed_by from client_field_changes where owner_id = $1",
    )
    .bind(MARIA)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        changes,
        [(
            "phone".into(),
            Some("+529981234567".into()),
            Some("+529987654321".into()),
            Some(2)
        )]
    );
    assert_eq!(
        requests(&db).await,
        [("rectification".into(), Some(2), true)]
    );
    // A repeat changes and logs nothing more.
    let again = staff_says(&engine, "cambia el teléfono de María García a 998 765 4321").await;
    assert!(again.contains("Ya tenía ese valor"), "{again}");
    assert_eq!(requests(&db).await.len(), 1);
}

#[tokio::test]
async fn e_mail_language_address_and_contact_preference_are_validated_and_audited() {
    let db = demo().await;
    let engine = Engine::new(db.pool.clone(), None);
    // A bad e-mail or phone is refused and nothing is written.
    let bad = owner_says(&engine, "el correo de María García es maria@garcia").await;
    assert!(bad.contains("no es un correo válido"), "{bad}");
    let bad = owner_says(&engine, "cambia el teléfono de María García a 12345").await;
    assert!(bad.contains("no es un teléfono válido"), "{bad}");
    assert!(requests(&db).await.is_empty());
    // Good values, es and en.
    owner_says(&engine, "el correo de María García es Maria.G@Example.com").await;
    owner_says(&engine, "María García prefiere inglés").await;
    owner_says(
        &engine,
        "change María García's address to Calle 20 #45, Puerto Morelos",
    )
    .await;
    let reply = owner_says(&engine, "María García prefers email").await;
    assert!(reply.contains("Contact preference"), "{reply}");
    let row: (Option<String>, String, String, String) = sqlx::query_as(
        "select o.email, p.preferred_language, p.address, p.contact_preference
           from owners o join owner_profiles p on p.owner_id = o.id where o.id = $1",
    )
    .bind(MARIA)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        row,
        (
            Some("maria.g@example.com".into()),
            "en".into(),
            "Calle 20 #45, Puerto Morelos".into(),
            "email".into()
        )
    );
    let fields: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "select field, old_value, new_value from client_field_changes where owner_id = $1 order by id",
    )
    .bind(MARIA)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        fields,
        [
            (
                "email".into(),
                Some("maria.garcia@email.com".into()),
                Some("maria.g@example.com".into())
            ),
            ("language".into(), Some("es".into()), Some("en".into())),
            (
                "address".into(),
                Some("Calle Coral 45, Puerto Morelos".into()),
                Some("Calle 20 #45, Puerto Morelos".into())
            ),
            (
                "contact_preference".into(),
                Some("whatsapp".into()),
                Some("email".into())
            ),
        ]
    );
    assert_eq!(requests(&db).await.len(), 4);
}

#[tokio::test]
async fn only_an_owner_may_ask_for_an_erasure_or_see_the_request_log() {
    let db = demo().await;
    let engine = Engine::new(db.pool.clone(), None);
    for text in [
        "borra los datos de María García",
        "delete María García's data",
        "/solicitudes",
    ] {
        let reply = staff_says(&engine, text).await;
        assert!(
            reply.contains("Solo el dueño de la clínica (Dr. Pablo)")
                || reply.contains("Only the clinic's owner (Dr. Pablo)"),
            "{text} -> {reply}"
        );
    }
    // Staff cannot confirm one either, even one an owner opened.
    owner_says(&engine, "borra los datos de María García").await;
    let reply = staff_says(&engine, "confirmo borrar María García").await;
    assert!(reply.contains("Solo el dueño"), "{reply}");
    assert_eq!(erased_count(&db).await, 0);
    assert_eq!(
        requests(&db).await,
        [("cancellation".into(), Some(1), false)]
    );
}

async fn erased_count(db: &TestDb) -> i64 {
    sqlx::query_scalar("select count(*) from erased_clients")
        .fetch_one(&db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_erasure_needs_a_fresh_confirmation_naming_the_client() {
    // Arrange
    let db = demo().await;
    let engine = Engine::new(db.pool.clone(), None);
    // A confirmation with nothing asked does nothing.
    let early = owner_says(&engine, "confirmo borrar María García").await;
    assert!(early.contains("No borré nada"), "{early}");
    // Step one: the card says what goes and stays, and how to confirm.
    let card = owner_says(&engine, "borra los datos de María García").await;
    for part in [
        "María García",
        "no se puede deshacer",
        "Se borra",
        "Se conserva",
        "confirmo borrar María García",
        "8 compras",
    ] {
        assert!(card.contains(part), "{part}: {card}");
    }
    assert_eq!(erased_count(&db).await, 0);
    // A wrong name does nothing.
    let wrong = owner_says(&engine, "confirmo borrar Carlos Méndez").await;
    assert!(wrong.contains("no es el del cliente"), "{wrong}");
    assert_eq!(erased_count(&db).await, 0);
    // A stale confirmation does nothing.
    sqlx::query("update data_requests set detail = detail || jsonb_build_object('confirm_until', now() - interval '1 minute')")
        .execute(&db.pool)
        .await
        .unwrap();
    let stale = owner_says(&engine, "confirmo borrar María García").await;
    assert!(stale.contains("ya venció"), "{stale}");
    assert_eq!(erased_count(&db).await, 0);
    // Asked again: the same request is renewed, and the right name erases.
    owner_says(&engine, "borra los datos de María García").await;
    let done = owner_says(&engine, "confirmo borrar maria garcia").await;
    assert!(done.contains("Datos del cliente #1 borrados"), "{done}");
    assert!(!done.contains("García"), "{done}");
    assert_eq!(erased_count(&db).await, 1);
    assert_eq!(
        requests(&db).await,
        [("cancellation".into(), Some(1), true)]
    );
    // Irreversible and once: a second confirmation finds nothing open.
    let again = owner_says(&engine, "confirmo borrar María García").await;
    assert!(again.contains("No borré nada"), "{again}");
}

/// Everything the clinic holds that names María García, as text.
async fn traces_of_maria(db: &TestDb) -> Vec<String> {
    sqlx::query_scalar(
        r#"select t from (
             select o.full_name || ' ' || coalesce(o.email, '') || ' ' || coalesce(p.phone_primary, '')
                    || ' ' || p.address as t
               from owners o join owner_profiles p on p.owner_id = o.id where o.id = 1
             union all select content from owner_notes where owner_id = 1
             union all select t.name from owner_profile_tags x join owner_tags t on t.id = x.tag_id where x.owner_id = 1
             union all select name from pets where owner_id = 1
             union all select content::text from conversation_turns
             union all select arguments::text from audit_log
             union all select body from communications where owner_id = 1
           ) all_text
           where t ~* '(garc[ií]a|9981234567|maria\.garcia@|coral 45|max|vip)'"#,
    )
    .fetch_all(&db.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn an_erased_client_is_anonymised_but_revenue_reports_are_unchanged() {
    // Arrange
    let db = demo().await;
    let engine = Engine::new(db.pool.clone(), None);
    let ctx = context(&db.pool, Lang::Es).await;
    let today = ctx.clock.today();
    let periods = [
        json!({"report_type": "revenue"}),
        json!({"report_type": "revenue", "start_date": (today - chrono::Days::new(700)).to_string(), "end_date": today.to_string()}),
        json!({"report_type": "appointments", "start_date": (today - chrono::Days::new(700)).to_string(), "end_date": today.to_string()}),
    ];
    let mut before = Vec::new();
    for args in &periods {
        before.push(
            call(&db.pool, "generate_report", args.clone())
                .await
                .unwrap()
                .data,
        );
    }
    // Staff wrote about her, with her name and phone, before.
    owner_says(&engine, "Cuéntame sobre María García").await;
    owner_says(&engine, "/buscar 998 123 4567").await;
    assert!(!traces_of_maria(&db).await.is_empty());
    // Act
    owner_says(&engine, "borra los datos de María García").await;
    owner_says(&engine, "confirmo borrar María García").await;
    // Assert: her identity is gone everywhere, her orders and visits are not.
    assert_eq!(traces_of_maria(&db).await, Vec::<String>::new());
    let kept: (i64, i64, i64, String) = sqlx::query_as(
        "select (select count(*) from orders where owner_id = 1), (select count(*) from appointments where owner_id = 1),
                (select count(*) from pets where owner_id = 1 and birth_date is not null), (select species from pets where owner_id = 1 limit 1)",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(kept, (8, 15, 1, "dog".into()));
    for (args, before) in periods.iter().zip(before) {
        let after: Value = call(&db.pool, "generate_report", args.clone())
            .await
            .unwrap()
            .data;
        assert_eq!(after, before, "{args}");
    }
}

#[tokio::test]
async fn an_erased_client_is_in_no_search_segment_at_risk_list_or_campaign() {
    // Arrange: an at-risk client, in a segment, with marketing consent.
    let db = demo().await;
    let engine = Engine::new(db.pool.clone(), None);
    let at_risk = call(
        &db.pool,
        "get_customer_insights",
        json!({"insight_type": "at_risk", "limit": 50}),
    )
    .await
    .unwrap()
    .data;
    let ids = |data: &Value, list: &str, key: &str| -> Vec<i64> {
        data[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o[key].as_i64().unwrap())
            .collect()
    };
    let listed = ids(&at_risk, "owners", "owner_id");
    let target = listed[0];
    let name: String = sqlx::query_scalar("select full_name from owners where id = $1")
        .bind(target)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let segment = |db: &TestDb| {
        let pool = db.pool.clone();
        async move {
            call(
                &pool,
                "get_segment",
                json!({"filters": {"min_spent": 0}, "page_size": 50}),
            )
            .await
            .unwrap()
            .data
        }
    };
    let total_before = segment(&db).await["total"].as_i64().unwrap();
    let clock = ClinicClock::load(&db.pool).await.unwrap();
    let policy: bot::marketing::Policy = Default::default();
    let before = audience::candidates(
        &db.pool,
        &clock,
        &policy,
        CampaignKind::Reactivation,
        &[target, MARIA],
        None,
    )
    .await
    .unwrap();
    assert_eq!(before.len(), 2);
    // Act
    owner_says(&engine, &format!("borra los datos de {name}")).await;
    let done = owner_says(&engine, &format!("confirmo borrar {name}")).await;
    assert!(done.contains(&format!("#{target} borrados")), "{done}");
    // Assert
    let at_risk = call(
        &db.pool,
        "get_customer_insights",
        json!({"insight_type": "at_risk", "limit": 50}),
    )
    .await
    .unwrap()
    .data;
    assert!(!ids(&at_risk, "owners", "owner_id").contains(&target));
    assert_eq!(
        segment(&db).await["total"].as_i64().unwrap(),
        total_before - 1
    );
    for query in [name.as_str(), "Cliente borrado"] {
        let found = call(&db.pool, "search_owners", json!({"query": query}))
            .await
            .unwrap()
            .data;
        assert!(
            !ids(&found, "matches", "id").contains(&target),
            "{query}: {found}"
        );
    }
    let after = audience::candidates(
        &db.pool,
        &clock,
        &policy,
        CampaignKind::Reactivation,
        &[target, MARIA],
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        after.iter().map(|c| c.owner_id).collect::<Vec<_>>(),
        [MARIA]
    );
}

#[tokio::test]
async fn the_tombstone_recognises_an_erased_clients_phone_and_e_mail_without_keeping_them() {
    let db = demo().await;
    let engine = Engine::new(db.pool.clone(), None);
    assert!(!is_erased(&db.pool, Some("998 123 4567"), None)
        .await
        .unwrap());
    owner_says(&engine, "borra los datos de María García").await;
    owner_says(&engine, "confirmo borrar María García").await;
    // Any way of writing the phone, the e-mail in any case.
    for (phone, email) in [
        (Some("998 123 4567"), None),
        (Some("+52 1 998 123 4567"), None),
        (None, Some("MARIA.GARCIA@email.com")),
        (Some("no phone"), Some("maria.garcia@email.com")),
    ] {
        assert!(
            is_erased(&db.pool, phone, email).await.unwrap(),
            "{phone:?} {email:?}"
        );
    }
    // Another client's data is not erased.
    assert!(
        !is_erased(&db.pool, Some("998 765 4321"), Some("carlos@example.com"))
            .await
            .unwrap()
    );
    assert!(!is_erased(&db.pool, None, None).await.unwrap());
    // The tombstone holds hashes, not the values.
    let row: String = sqlx::query_scalar("select row_to_json(e)::text from erased_clients e")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(
        !row.contains("9981234567") && !row.contains("maria"),
        "{row}"
    );
}

#[tokio::test]
async fn an_opposition_withdraws_marketing_everywhere_and_is_logged() {
    let db = demo().await;
    let engine = Engine::new(db.pool.clone(), None);
    let clock = ClinicClock::load(&db.pool).await.unwrap();
    let policy: bot::marketing::Policy = Default::default();
    let reply = staff_says(&engine, "María García no quiere recibir promociones").await;
    assert!(
        reply.contains("no quiere promociones por ningún medio"),
        "{reply}"
    );
    assert_eq!(requests(&db).await, [("opposition".into(), Some(2), true)]);
    let granted: Vec<bool> = sqlx::query_scalar(
        "select distinct on (channel) granted from consent_events
          where owner_id = 1 and purpose = 'marketing' order by channel, recorded_at desc, id desc",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert!(
        !granted.is_empty() && granted.iter().all(|g| !g),
        "{granted:?}"
    );
    // Whatever campaign, she is left out.
    for kind in [
        CampaignKind::Reactivation,
        CampaignKind::Birthday,
        CampaignKind::Announcement,
    ] {
        let c = audience::candidates(&db.pool, &clock, &policy, kind, &[MARIA], None)
            .await
            .unwrap();
        assert!(c[0].exclusion.is_some(), "{kind:?}");
    }
    // In English too, and a repeat logs nothing new.
    owner_says(&engine, "opt María García out of marketing").await;
    assert_eq!(requests(&db).await.len(), 1);
}

#[tokio::test]
async fn the_request_log_shows_who_asked_when_and_the_days_left() {
    let db = demo().await;
    let engine = Engine::new(db.pool.clone(), None);
    owner_says(&engine, "borra los datos de Carlos Méndez").await;
    staff_says(&engine, "cambia el teléfono de María García a 998 765 4321").await;
    // One request taken 15 days ago is still open, another is overdue.
    let now = ClinicClock::load(&db.pool).await.unwrap().now();
    sqlx::query(
        "insert into data_requests (owner_id, kind, requested_by, requested_at)
         values (3, 'access', 1, $1 - interval '15 days'), (4, 'access', 2, $1 - interval '25 days')",
    )
    .bind(now)
    .execute(&db.pool)
    .await
    .unwrap();
    let log = owner_says(&engine, "/solicitudes").await;
    for part in [
        "Solicitudes de datos — 3 abiertas (plazo: 20 días)",
        "Cancelación (borrado) — Carlos Méndez — pidió Dr. Pablo",
        "quedan 20 días",
        "Rectificación — María García — pidió Lupita",
        "✅ respondida",
        "quedan 5 días",
        "vencida hace 5 días",
    ] {
        assert!(log.contains(part), "{part}: {log}");
    }
    // Overdue and nearest deadlines first.
    assert!(
        log.find("vencida").unwrap() < log.find("quedan 5").unwrap(),
        "{log}"
    );
    let english = owner_says(&engine, "show the data requests").await;
    assert!(
        english.contains("Data requests — 3 open (20-day deadline)"),
        "{english}"
    );
}

#[tokio::test]
async fn a_held_change_waiting_for_yes_does_not_take_an_erasure_confirmation() {
    // Arrange: an erasure asked, and a held tag change open in the same chat.
    let db = demo().await;
    let engine = Engine::new(db.pool.clone(), None);
    owner_says(&engine, "borra los datos de María García").await;
    sqlx::query(
        r#"insert into pending_writes (channel, chat_id, staff_id, calls, clients, bulk)
           values ('terminal', 'local', 1,
                   '[{"name": "tag_owner", "arguments": {"user_id": 2, "add_tags": ["held"]}}]', 1, false)"#,
    )
    .execute(&db.pool)
    .await
    .unwrap();
    // Act
    let done = owner_says(&engine, "confirmo borrar María García").await;
    // Assert: the erasure ran; the held change did not, and is still open.
    assert!(done.contains("Datos del cliente #1 borrados"), "{done}");
    let open: i64 =
        sqlx::query_scalar("select count(*) from pending_writes where resolved_at is null")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(open, 1);
    let tagged: i64 = sqlx::query_scalar(
        "select count(*) from owner_profile_tags x join owner_tags t on t.id = x.tag_id where t.name = 'held'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(tagged, 0);
}
