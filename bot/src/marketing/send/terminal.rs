//! The terminal demo's "platform": approved campaign messages for the terminal channel are
//! appended to a local log (`$VETBOT_HOME/outbox-demo.log`) instead of reaching anyone, and
//! marked sent. The same guarantee as on the platforms: rows are claimed (`sending`, with a
//! live holder) before the log is written, and recorded after; a crash in between leaves them
//! `unknown`, never written twice. Quiet hours and the daily cap do not apply: nothing leaves
//! the machine.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use tokio::io::AsyncWriteExt;

use crate::clock::ClinicClock;

/// The demo's log of "sent" campaign messages under `home` (`VETBOT_HOME`).
pub fn log_path(home: &Path) -> PathBuf {
    home.join("outbox-demo.log")
}

/// `VETBOT_HOME`, as `vetbot demo` / `vetbot chat` read it at start-up.
static HOME: OnceLock<PathBuf> = OnceLock::new();

/// Sets where the demo log goes (`VETBOT_HOME`); called once at start-up.
pub fn set_home(home: &Path) {
    let _ = HOME.set(home.to_path_buf());
}

/// The demo log: under the home set at start-up, else the system's temporary directory.
pub fn configured_log() -> PathBuf {
    log_path(
        HOME.get()
            .map_or_else(std::env::temp_dir, Clone::clone)
            .as_path(),
    )
}

/// What the terminal "sent".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalSends {
    /// Messages appended to the log.
    pub sent: usize,
    /// The log.
    pub path: PathBuf,
}

/// Appends campaign `campaign_id`'s pending terminal messages to the log at `path` and
/// marks them sent (with a `communications` row each); closes the campaign when nothing
/// else is pending.
pub async fn send(pool: &PgPool, campaign_id: i64, path: &Path) -> anyhow::Result<TerminalSends> {
    let now = ClinicClock::load(pool).await?.now();
    // A session of its own for the claim: if this process dies before recording, a serve
    // process (or the next terminal send) finds the rows `unknown`, never sends them again.
    let (session, holder) = crate::serve::session::lock(pool).await?;
    let holder = i64::from(holder);
    let rows = sqlx::query!(
        r#"
        -- language=PostgreSQL
        with claimed as (
            update campaign_recipients r
               set status = 'sending', claimed_at = now(), claimed_by = $2, attempts = attempts + 1
             where (r.campaign_id, r.owner_id) in (
                   select x.campaign_id, x.owner_id from campaign_recipients x
                     join marketing_campaigns c on c.id = x.campaign_id
                    where x.campaign_id = $1 and x.role = 'target' and x.status = 'pending'
                      and x.channel = 'terminal'
                      and c.status in ('approved', 'sending') and c.approved_at is not null
                      and c.approved_version = c.version
                    order by x.owner_id
                      for update of x skip locked)
            returning r.owner_id, r.body
        )
        select claimed.owner_id, claimed.body, o.full_name as "name!", c.name as campaign
          from claimed join owners o on o.id = claimed.owner_id
          join marketing_campaigns c on c.id = $1
         order by claimed.owner_id
        "#,
        campaign_id,
        holder
    )
    .fetch_all(pool)
    .await?;
    if rows.is_empty() {
        return Ok(TerminalSends {
            sent: 0,
            path: path.to_path_buf(),
        });
    }
    let mut log = String::new();
    for r in &rows {
        log.push_str(&line(
            now,
            campaign_id,
            &r.campaign,
            &r.name,
            r.owner_id,
            r.body.as_deref().unwrap_or_default(),
        ));
    }
    append(path, &log).await?;
    let owners: Vec<i64> = rows.iter().map(|r| r.owner_id).collect();
    mark_sent(pool, campaign_id, &owners, holder, now).await?;
    drop(session);
    Ok(TerminalSends {
        sent: rows.len(),
        path: path.to_path_buf(),
    })
}

fn line(
    now: DateTime<Utc>,
    campaign_id: i64,
    campaign: &str,
    name: &str,
    owner_id: i64,
    body: &str,
) -> String {
    let body = body.replace('\n', "\\n");
    format!(
        "{}\tcampaign {campaign_id} «{campaign}»\tto {name} (client {owner_id})\t{body}\n",
        now.to_rfc3339()
    )
}

async fn append(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir).await.ok();
    }
    let mut file = tokio::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .await
        .with_context(|| format!("Failed to open {}", path.display()))?;
    file.write_all(text.as_bytes()).await?;
    file.sync_data().await?;
    Ok(())
}

async fn mark_sent(
    pool: &PgPool,
    campaign_id: i64,
    owners: &[i64],
    holder: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        with sent as (
            update campaign_recipients
               set status = 'sent', sent_at = $4, failure = null, last_error = null
             where campaign_id = $1 and owner_id = any($2) and claimed_by = $3
               and status in ('sending', 'unknown')
            returning owner_id, body
        )
        insert into communications (owner_id, direction, channel, campaign_id, body, status, sent_at)
        select owner_id, 'outbound', 'whatsapp', $1, coalesce(body, ''), 'sent', $4 from sent
        "#,
        campaign_id,
        owners,
        holder,
        now
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        update marketing_campaigns c
           set status = 'sent', sent_at = coalesce(c.sent_at, $2), finished_at = $2,
               sent_count = (select count(*) from campaign_recipients r
                              where r.campaign_id = c.id and r.role = 'target'
                                and r.status in ('sent', 'delivered', 'read'))
         where c.id = $1 and c.status in ('approved', 'sending')
           and not exists (select 1 from campaign_recipients r
                            where r.campaign_id = c.id and r.role = 'target'
                              and r.status in ('pending', 'sending'))
        "#,
        campaign_id,
        now
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_line_keeps_one_message_on_one_line() {
        let at = DateTime::<Utc>::from_timestamp(1_763_650_800, 0).unwrap();
        let l = line(
            at,
            7,
            "Reactivación",
            "María García",
            3,
            "Hola María\nBAJA para no recibir",
        );
        assert_eq!(
            l,
            "2025-11-20T15:00:00+00:00\tcampaign 7 «Reactivación»\tto María García (client 3)\tHola María\\nBAJA para no recibir\n"
        );
        assert_eq!(
            log_path(Path::new("/srv/vetbot")),
            PathBuf::from("/srv/vetbot/outbox-demo.log")
        );
    }
}
