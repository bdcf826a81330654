//! Marketing consent from an export: recorded only where the file has an explicit consent
//! column (`consent_events`, source `import`). No column, or an empty cell, records nothing,
//! and no recorded consent means none: an imported client is not messaged until they agree.
//! What a client said through the clinic (staff, keyword, platform) is never overridden by
//! an export.

use sqlx::PgConnection;

use crate::marketing::consent::source::IMPORT;

/// Records the explicit consents of the clients staged under `run` that differ from what is
/// on record; returns how many were recorded.
#[tracing::instrument(name = "import_consent", skip_all, fields(run))]
pub async fn record(conn: &mut PgConnection, run: i64, file: &str) -> sqlx::Result<u64> {
    let owners = sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        with wanted as (
            select s.owner_id, c.channel, c.granted, s.line
              from import_owner_rows s
             cross join lateral (values ('whatsapp', s.consent_whatsapp), ('sms', s.consent_sms),
                                        ('email', s.consent_email)) c (channel, granted)
             where s.run_id = $1 and c.granted is not null and s.owner_id is not null
        ),
        latest as (
            select distinct on (e.owner_id, e.channel) e.owner_id, e.channel, e.granted, e.source
              from consent_events e
              join wanted w on w.owner_id = e.owner_id and w.channel = e.channel
             where e.purpose = 'marketing'
             order by e.owner_id, e.channel, e.recorded_at desc, e.id desc
        )
        insert into consent_events (owner_id, channel, purpose, granted, source, note)
        select w.owner_id, w.channel, 'marketing', w.granted, $2, $3 || ', línea ' || w.line
          from wanted w
          left join latest l on l.owner_id = w.owner_id and l.channel = w.channel
         where (l.owner_id is null and w.granted)
            or (l.source = $2 and l.granted <> w.granted
                and not exists (select 1 from consent_events x
                                 where x.owner_id = w.owner_id and x.channel = w.channel
                                   and x.purpose = 'marketing' and x.source <> $2))
        returning owner_id
        "#,
        run,
        IMPORT,
        file
    )
    .fetch_all(&mut *conn)
    .await?;
    // The legacy flag: "no current marketing opt-out on any channel" (as consent::record).
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        update owner_profiles p
           set marketing_opt_in = c.opt_in, updated_at = now()
          from (select o.id,
                       not exists (select 1 from (select distinct on (channel) granted
                                                    from consent_events
                                                   where owner_id = o.id and purpose = 'marketing'
                                                   order by channel, recorded_at desc, id desc) s
                                    where not s.granted) as opt_in
                  from unnest($1::bigint[]) o (id)) c
         where p.owner_id = c.id and p.marketing_opt_in <> c.opt_in
        "#,
        &owners
    )
    .execute(&mut *conn)
    .await?;
    Ok(owners.len() as u64)
}
