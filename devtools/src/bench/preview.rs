//! `vetbot-dev bench preview`: drafting a campaign for the first `recipients` clients of
//! the current clinic (audience rules, holdout, one personalised message per client) and
//! building its preview, next to a bare `SELECT 1`. The drafts are deleted afterwards.

use std::time::{Duration, Instant};

use bot::clock::ClinicClock;
use bot::domain::Lang;
use bot::marketing::draft::{self, NewDraft};
use bot::marketing::{campaign, preview, CampaignKind, Policy};
use sqlx::PgPool;

use super::percentiles;

/// Drafts timed.
const RUNS: usize = 5;

pub async fn preview(pool: &PgPool, recipients: i64) -> anyhow::Result<String> {
    let clock = ClinicClock::load(pool).await?;
    let policy = Policy::default();
    let floor = super::floor(pool).await?;
    let ids: Vec<i64> = sqlx::query_scalar("select id from owners order by id limit $1")
        .bind(recipients)
        .fetch_all(pool)
        .await?;
    let (mut drafts, mut previews) = (Vec::new(), Vec::new());
    let mut made = Vec::new();
    let mut shape = (0, 0, 0);
    for _ in 0..RUNS {
        let t = Instant::now();
        let id = draft::create(
            pool,
            &clock,
            &policy,
            NewDraft {
                kind: CampaignKind::Reactivation,
                ids: &ids,
                hand_picked: false,
                text: None,
                text_en: None,
                audience: "bench".into(),
                channel: Some("telegram"),
                chat_id: Some("bench"),
                staff_id: None,
                follow_up_of: None,
            },
        )
        .await?;
        drafts.push(t.elapsed());
        made.push(id);
        let t = Instant::now();
        let c = campaign::load(pool, id).await?.expect("just drafted");
        let card = preview::card(pool, &clock, &policy, &c, Lang::Es, true).await?;
        let text = card.render(Lang::Es).render(bot::render::Markup::Plain);
        previews.push(t.elapsed());
        shape = (card.recipients(), card.holdout, card.left_out.len() as i64);
        anyhow::ensure!(!text.is_empty());
    }
    sqlx::query("delete from marketing_campaigns where id = any($1)")
        .bind(&made)
        .execute(pool)
        .await?;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let (d, p) = (percentiles(&mut drafts), percentiles(&mut previews));
    let ratio = |x: Duration| ms(x) / ms(floor).max(f64::MIN_POSITIVE);
    Ok(format!(
        "| what | p50 | max of {RUNS} | / SELECT 1 |\n|---|---:|---:|---:|\n\
         | `SELECT 1` | {:.3} ms | | 1× |\n\
         | draft {} clients (audience, holdout, messages) | {:.0} ms | {:.0} ms | {:.0}× |\n\
         | preview card | {:.0} ms | {:.0} ms | {:.0}× |\n\n\
         recipients {}, holdout {}, left out {}\n",
        ms(floor),
        ids.len(),
        ms(d.p50),
        ms(*drafts.iter().max().expect("runs")),
        ratio(d.p50),
        ms(p.p50),
        ms(*previews.iter().max().expect("runs")),
        ratio(p.p50),
        shape.0,
        shape.1,
        shape.2,
    ))
}
