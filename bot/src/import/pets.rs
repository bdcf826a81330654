//! Set-based upsert of a file's staged pets: each linked to its client through the client's
//! import key, unchanged rows left alone, new ones inserted, changed ones updated in the
//! columns the file has. A pet marked deceased stays deceased (an older export saying
//! otherwise does not bring it back).

use chrono::NaiveDate;
use sqlx::PgConnection;

use super::bulk::{self, Bulk};
use super::columns::Columns;
use super::field::Field;
use super::keyed;
use super::owners::Upserted;
use super::reindex::Reindex;

/// Which of a pet's optional columns the file has.
#[derive(Debug, Clone, Copy)]
pub struct PetColumns {
    pub species: bool,
    pub breed: bool,
    pub birth: bool,
    pub sex: bool,
    pub deceased: bool,
}

impl PetColumns {
    pub fn of(columns: &Columns) -> Self {
        Self {
            species: columns.has(Field::Species),
            breed: columns.has(Field::Breed),
            birth: columns.has(Field::BirthDate),
            sex: columns.has(Field::Sex),
            deceased: columns.has(Field::Deceased) || columns.has(Field::DeceasedOn),
        }
    }
}

/// Upserts the pets staged under `run`, keyed under `source`; a pet marked deceased
/// without a date is dated `today`.
#[tracing::instrument(name = "upsert_pets", skip_all, fields(run))]
pub async fn upsert(
    conn: &mut PgConnection,
    run: i64,
    source: &str,
    has: PetColumns,
    today: NaiveDate,
) -> sqlx::Result<Upserted> {
    let mut done = Upserted::default();
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        update import_pet_rows s set owner_id = k.target_id
          from import_keys k join owners o on o.id = k.target_id
         where s.run_id = $1 and k.source = $2 and k.entity = 'owner' and k.source_key = s.owner_key
        "#,
        run,
        source
    )
    .execute(&mut *conn)
    .await?;
    let orphans = sqlx::query!(
        r#"
        -- language=PostgreSQL
        delete from import_pet_rows where run_id = $1 and owner_id is null
        returning line, owner_key, name
        "#,
        run
    )
    .fetch_all(&mut *conn)
    .await?;
    done.rejects.extend(orphans.into_iter().map(|r| {
        (
            i64::from(r.line),
            format!(
                "la mascota {}: su cliente «{}» no existe (ni en este archivo ni en importaciones anteriores)",
                r.name, r.owner_key
            ),
        )
    }));
    keyed::match_keys(conn, keyed::PETS, run, source).await?;
    done.unchanged = keyed::drop_unchanged(conn, keyed::PETS, run, source).await?;
    let gone = keyed::drop_gone(conn, keyed::PETS, run).await?;
    done.rejects.extend(gone.into_iter().map(|(line, name)| {
        (
            line,
            format!("la mascota {name} se borró en vetbot: no se vuelve a crear"),
        )
    }));
    done.added = keyed::draw_ids(conn, keyed::PETS, run).await?;
    let bulk = Bulk::start(conn, keyed::PETS, run).await?;
    let reindex = Reindex::start(conn, "pets", done.added).await?;
    // The clients whose pets change: each row's, and an updated pet's earlier one.
    let touched = if bulk.on() {
        bulk::owners_of(conn, keyed::PETS, run).await?
    } else {
        Vec::new()
    };
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        insert into pets (id, owner_id, name, species, breed, birth_date, sex, deceased_on)
        select pet_id, owner_id, name, species, breed, birth_date, sex,
               coalesce(deceased_on, case when deceased then $2::date end)
          from import_pet_rows
         where run_id = $1 and is_new
         order by pet_id
        "#,
        run,
        today
    )
    .execute(&mut *conn)
    .await?;
    reindex.finish(conn).await?;
    done.updated = sqlx::query!(
        r#"
        -- language=PostgreSQL
        update pets p
           set owner_id = s.owner_id,
               name = s.name,
               species = case when $2 then s.species else p.species end,
               breed = case when $3 then s.breed else p.breed end,
               birth_date = case when $4 then s.birth_date else p.birth_date end,
               sex = case when $5 then s.sex else p.sex end,
               deceased_on = coalesce(case when $6 then coalesce(s.deceased_on,
                                 case when s.deceased then coalesce(p.deceased_on, $7::date) end) end,
                                 p.deceased_on)
          from import_pet_rows s
         where s.run_id = $1 and not s.is_new and p.id = s.pet_id
           and (p.owner_id, p.name, p.species, p.breed, p.birth_date, p.sex, p.deceased_on)
               is distinct from
               (s.owner_id, s.name,
                case when $2 then s.species else p.species end,
                case when $3 then s.breed else p.breed end,
                case when $4 then s.birth_date else p.birth_date end,
                case when $5 then s.sex else p.sex end,
                coalesce(case when $6 then coalesce(s.deceased_on,
                    case when s.deceased then coalesce(p.deceased_on, $7::date) end) end,
                    p.deceased_on))
        "#,
        run,
        has.species,
        has.breed,
        has.birth,
        has.sex,
        has.deceased,
        today
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    // While the bulk path is on: the keys' reference to their run is right by construction.
    keyed::record_keys(conn, keyed::PETS, run, source).await?;
    if bulk.on() {
        bulk.finish(conn).await?;
        bulk::owners_touched(conn, &touched).await?;
        bulk::pet_words(conn, run).await?;
    }
    Ok(done)
}
