//! Set-based upsert of a file's staged visits into `appointments`: each linked to its pet
//! and client through their import keys (the pet's client when the row names only the
//! pet), a visit whose client or pet was never imported rejected, unchanged rows left
//! alone, new ones inserted, changed ones updated.

use sqlx::PgConnection;

use super::bulk::{self, Bulk};
use super::keyed::{self, VISITS};
use super::owners::Upserted;
use super::reindex::Reindex;

/// Upserts the visits staged under `run`, keyed under `source`; `tz` is the clinic's time
/// zone (the staged hours are its wall-clock time).
#[tracing::instrument(name = "upsert_visits", skip_all, fields(run))]
pub async fn upsert(
    conn: &mut PgConnection,
    run: i64,
    source: &str,
    tz: &str,
) -> sqlx::Result<Upserted> {
    let mut done = Upserted::default();
    // Each visit's pet, its client (the one the row names, else the pet's), and the visit an
    // earlier import made of it, or a new id: one pass over the rows.
    sqlx::query(
        r#"
        update import_visit_rows s
           set pet_id = r.pet_id, owner_id = r.owner_id,
               appointment_id = coalesce(r.appointment_id, nextval('appointments_id_seq')),
               is_new = r.appointment_id is null
          from (select l.line, p.id as pet_id,
                       case when l.owner_key is not null then o.id else p.owner_id end as owner_id,
                       k.target_id as appointment_id
                  from import_visit_rows l
                  left join import_keys kp
                         on kp.source = $2 and kp.entity = 'pet' and kp.source_key = l.pet_key
                  left join pets p on p.id = kp.target_id
                  left join import_keys ko
                         on ko.source = $2 and ko.entity = 'owner' and ko.source_key = l.owner_key
                  left join owners o on o.id = ko.target_id
                  left join import_keys k
                         on k.source = $2 and k.entity = 'visit' and k.source_key = l.source_key
                 where l.run_id = $1) r
         where s.run_id = $1 and s.line = r.line
        "#,
    )
    .bind(run)
    .bind(source)
    .execute(&mut *conn)
    .await?;
    let orphans = sqlx::query!(
        r#"
        -- language=PostgreSQL
        delete from import_visit_rows
         where run_id = $1
           and (owner_id is null or (pet_key is not null and pet_id is null))
        returning line, owner_key, pet_key, owner_id, pet_id
        "#,
        run
    )
    .fetch_all(&mut *conn)
    .await?;
    done.rejects.extend(orphans.into_iter().map(|r| {
        let missing = match (r.pet_key, r.pet_id, r.owner_key) {
            (Some(pet), None, _) => format!("su mascota «{pet}»"),
            (_, _, Some(owner)) => format!("su cliente «{owner}»"),
            _ => "su cliente".to_owned(),
        };
        (
            i64::from(r.line),
            format!(
                "la visita: {missing} no existe (ni en estos archivos ni en importaciones anteriores)"
            ),
        )
    }));
    done.unchanged = keyed::drop_unchanged(conn, VISITS, run, source).await?;
    let gone = keyed::drop_gone(conn, VISITS, run).await?;
    done.rejects.extend(gone.into_iter().map(|(line, key)| {
        (
            line,
            format!("la visita «{key}» se borró en vetbot: no se vuelve a crear"),
        )
    }));
    done.added = keyed::staged_rows(conn, VISITS, run, true).await?;
    let bulk = Bulk::start(conn, VISITS, run).await?;
    let reindex = Reindex::start(conn, "appointments", done.added).await?;
    // The clients whose visits change: each row's, and an updated visit's earlier one.
    let touched = if bulk.on() {
        bulk::owners_of(conn, VISITS, run).await?
    } else {
        Vec::new()
    };
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        insert into appointments (id, owner_id, pet_id, kind, status, scheduled_at, reason)
        select appointment_id, owner_id, pet_id, kind, status,
               scheduled_local at time zone $2, reason
          from import_visit_rows
         where run_id = $1 and is_new
         order by appointment_id
        "#,
        run,
        tz
    )
    .execute(&mut *conn)
    .await?;
    reindex.finish(conn).await?;
    done.updated = sqlx::query!(
        r#"
        -- language=PostgreSQL
        update appointments a
           set owner_id = s.owner_id, pet_id = s.pet_id, kind = s.kind, status = s.status,
               scheduled_at = s.scheduled_local at time zone $2, reason = s.reason
          from import_visit_rows s
         where s.run_id = $1 and not s.is_new and a.id = s.appointment_id
           and (a.owner_id, a.pet_id, a.kind, a.status, a.scheduled_at, a.reason)
               is distinct from
               (s.owner_id, s.pet_id, s.kind, s.status, s.scheduled_local at time zone $2, s.reason)
        "#,
        run,
        tz
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    // While the bulk path is on: the keys' reference to their run is right by construction.
    keyed::record_keys(conn, VISITS, run, source).await?;
    if bulk.on() {
        bulk.finish(conn).await?;
        bulk::owners_touched(conn, &touched).await?;
        bulk::appointments_rollup(conn).await?;
    }
    Ok(done)
}
