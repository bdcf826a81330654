//! Campaigns to a segment by brand or loyalty tier, as staff type them (#12 product
//! announcements, #13 tiers in campaigns): the draft holds exactly the segment's clients,
//! and the owner's «sí» sends each of them the template once.

use super::*;

/// Dr. Pablo, linked on Telegram as [`TG_STAFF`], with the owner role.
async fn owner_on_telegram(app: &ServeApp) {
    let member = app.link_telegram_staff().await;
    sqlx::query("update staff set role = 'owner' where id = $1")
        .bind(member)
        .execute(&app.db.pool)
        .await
        .unwrap();
}

/// The newest campaign: id, kind, Spanish text.
async fn newest(app: &ServeApp) -> (i64, String, String) {
    sqlx::query_as("select id, kind, body from marketing_campaigns order by id desc limit 1")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

/// Every client the campaign considered (targets, holdout, left out), by id.
async fn considered(app: &ServeApp, id: i64) -> Vec<i64> {
    sqlx::query_scalar(
        "select owner_id from campaign_recipients where campaign_id = $1 order by owner_id",
    )
    .bind(id)
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
}

/// Clients with a completed order of a product of `brand`.
async fn buyers(app: &ServeApp, brand: &str) -> Vec<i64> {
    sqlx::query_scalar(
        "select distinct d.owner_id from orders d join order_items i on i.order_id = d.id
           join products p on p.id = i.product_id
          where d.status = 'completed' and p.brand = $1 order by 1",
    )
    .bind(brand)
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn avisa_a_los_que_compraron_royal_canin_drafts_a_product_announcement_and_the_owners_yes_sends_it_once(
) {
    // Arrange: a template for product news; Dr. Pablo (owner) on Telegram.
    let templates = (
        "WHATSAPP_TEMPLATES",
        "product=novedades_v1:es_MX".to_string(),
    );
    let (app, _clock) = start_at(cancun(0, 12, 0), vec![templates]).await;
    owner_on_telegram(&app).await;
    let say = |id: i64, text: &str| p::telegram_text_update(id, TG_STAFF, text);
    // Act
    let asked = say(
        20,
        "avisa a los que compraron Royal Canin que llegó la nueva fórmula",
    );
    assert_eq!(app.post_telegram(&asked).await, 200);
    let preview = app.telegram_message("Lo recibirán").await;
    // Assert: a new-product campaign for exactly the Royal Canin buyers.
    let (id, kind, body) = newest(&app).await;
    assert_eq!(kind, "product");
    assert!(body.contains("Llegó la nueva fórmula."), "{body}");
    let royal = buyers(&app, "Royal Canin").await;
    assert!(royal.len() >= 3, "{royal:?}");
    assert_eq!(considered(&app, id).await, royal);
    let preview = preview.body["text"].as_str().unwrap_or_default();
    assert!(preview.contains("nueva fórmula"), "{preview}");
    // Act: the owner approves.
    assert_eq!(app.post_telegram(&say(21, "sí")).await, 200);
    app.telegram_message("aprobada").await;
    // Assert: each target that could receive it got the product template, once.
    let rows = settled(&app, id).await;
    let sent: Vec<i64> = rows
        .iter()
        .filter(|(_, s)| s == "sent")
        .map(|(o, _)| *o)
        .collect();
    assert!(!sent.is_empty(), "{rows:?}");
    let accepted = app.whatsapp.accepted_templates();
    assert_eq!(accepted.len(), sent.len(), "{accepted:?}");
    assert!(accepted.iter().all(|(_, name)| name == "novedades_v1"));
    let mut to: Vec<&String> = accepted.iter().map(|(to, _)| to).collect();
    to.sort();
    to.dedup();
    assert_eq!(to.len(), sent.len(), "nobody twice");
}

#[tokio::test]
async fn a_gold_segment_and_an_english_brand_segment_draft_for_exactly_their_clients() {
    // Arrange
    let (app, _clock) = start_at(cancun(0, 12, 0), vec![]).await;
    owner_on_telegram(&app).await;
    // Four gold clients (the demo's history has none): the two seen longest ago and the
    // two seen most recently.
    sqlx::query(
        "update loyalty_programs set tier = 'gold' where owner_id in (
             (select owner_id from owner_activity order by last_visit_at asc nulls first limit 2)
             union all
             (select owner_id from owner_activity where last_visit_at is not null
               order by last_visit_at desc limit 2))",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    let say = |id: i64, text: &str| p::telegram_text_update(id, TG_STAFF, text);
    // Act: gold clients not seen in 60 days, the verb after the group.
    let asked = say(
        30,
        "a los clientes oro que no vienen hace 60 días mándales: los extrañamos, tienen 10% en su próxima consulta",
    );
    assert_eq!(app.post_telegram(&asked).await, 200);
    app.telegram_message("Lo recibirán").await;
    // Assert: the clients in gold now whose last visit was 60+ days ago (or never).
    let (id, kind, body) = newest(&app).await;
    assert_eq!(kind, "announcement");
    assert!(
        body.contains("Los extrañamos, tienen 10% en su próxima consulta."),
        "{body}"
    );
    let gold_away: Vec<i64> = sqlx::query_scalar(
        "select a.owner_id from owner_activity a join loyalty_programs l on l.owner_id = a.owner_id
          where l.tier = 'gold'
            and (a.last_visit_at is null
                 or (a.last_visit_at at time zone 'America/Cancun')::date <= date '2025-11-20' - 60)
          order by 1",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(gold_away.len(), 2, "{gold_away:?}");
    assert_eq!(considered(&app, id).await, gold_away);
    // Act: in English, a brand.
    let asked = say(
        31,
        "tell the clients who bought Hill's that the new Science Diet arrived",
    );
    assert_eq!(app.post_telegram(&asked).await, 200);
    // Assert
    eventually("the Hill's campaign", || {
        let pool = app.db.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>("select id from marketing_campaigns where id > $1")
                .bind(id)
                .fetch_optional(&pool)
                .await
                .unwrap()
        }
    })
    .await;
    let (hills_id, kind, body) = newest(&app).await;
    assert_eq!(kind, "product");
    assert!(body.contains("The new Science Diet arrived."), "{body}");
    assert_eq!(
        considered(&app, hills_id).await,
        buyers(&app, "Hill's").await
    );
}
