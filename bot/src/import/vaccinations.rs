//! Vaccination records and the next dose due (the reminders) from the practice system's
//! exports, into `vaccinations`: each row's pet by its source id, the vaccine's name, the
//! day it was applied and, when known, the day the next dose is due. Keyed like every other
//! entity (entity `vaccination`): the source's record id, or the pet, vaccine and day.
//! A row whose pet was never imported, or without a vaccine or the day it was given, is
//! rejected; a due day not after the applied one is dropped with a warning.

use chrono::NaiveDate;
use sqlx::PgConnection;

use super::clean;
use super::field::Field;
use super::keyed::{self, Staged};
use super::owners::Upserted;
use super::record::{content_key, row_hash, source_key, RowOutcome};
use crate::domain::fold;

/// The staged vaccinations and where they go.
pub const VACCINATIONS: Staged = Staged {
    entity: "vaccination",
    rows: "import_vaccination_rows",
    id: "vaccination_id",
    target: "vaccinations",
    label: "source_key",
};

/// A vaccination as it would be stored, its pet by source key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaccinationRecord {
    pub line: u64,
    pub key: String,
    pub pet_key: String,
    pub vaccine: String,
    pub applied_on: NaiveDate,
    pub due_on: Option<NaiveDate>,
}

impl VaccinationRecord {
    /// The hash of what would be stored (see `record::row_hash`).
    pub fn hash(&self) -> String {
        let Self {
            line: _,
            key,
            pet_key,
            vaccine,
            applied_on,
            due_on,
        } = self;
        row_hash(&(key, pet_key, vaccine, applied_on, due_on))
    }
}

/// Reads one row of a vaccinations file into `out`.
pub(super) fn read<'a>(
    cell: &impl Fn(Field) -> Option<&'a str>,
    line: u64,
    today: NaiveDate,
    out: &mut RowOutcome,
) {
    let Some(pet_key) = cell(Field::PetKey).map(source_key) else {
        out.rejects
            .push("la vacuna no dice de qué mascota es".into());
        return;
    };
    let Some(vaccine) = cell(Field::Vaccine).map(clean::proper_case) else {
        out.rejects
            .push(format!("vacuna sin nombre (mascota «{pet_key}»)"));
        return;
    };
    let Some(applied_text) = cell(Field::VaccineApplied) else {
        out.rejects.push(format!(
            "la vacuna «{vaccine}» de la mascota «{pet_key}» no dice cuándo se aplicó"
        ));
        return;
    };
    let applied_on = match clean::parse_date(applied_text, today) {
        Ok(day) if day <= today => day,
        Ok(day) => {
            out.rejects.push(format!(
                "la vacuna «{vaccine}» dice aplicada el {day}, que aún no llega: no se importa"
            ));
            return;
        }
        Err(reason) => {
            out.rejects
                .push(format!("{reason}: la vacuna «{vaccine}» no se importa"));
            return;
        }
    };
    // The next dose is usually in the future: that is the reminder.
    let due_on = match cell(Field::VaccineDue).map(|t| clean::parse_date(t, today)) {
        None => None,
        Some(Ok(due)) if due > applied_on => Some(due),
        Some(Ok(due)) => {
            out.warnings.push(format!(
                "la próxima dosis ({due}) no es después de la aplicación ({applied_on}): se omite"
            ));
            None
        }
        Some(Err(reason)) => {
            out.warnings
                .push(format!("{reason}: próxima dosis omitida"));
            None
        }
    };
    let key = match cell(Field::VaccinationKey) {
        Some(id) => source_key(id),
        None => content_key(&[&pet_key, &fold(&vaccine), &applied_on.to_string()]),
    };
    out.vaccination = Some(VaccinationRecord {
        line,
        key,
        pet_key,
        vaccine,
        applied_on,
        due_on,
    });
}

/// Stages `rows` under `run` (one statement; a clinic's vaccinations are few next to its
/// visits and sales).
#[tracing::instrument(name = "stage_vaccinations", skip_all, fields(rows = rows.len()))]
pub async fn stage(
    conn: &mut PgConnection,
    run: i64,
    rows: &[VaccinationRecord],
) -> sqlx::Result<()> {
    let lines: Vec<i32> = rows
        .iter()
        .map(|r| i32::try_from(r.line).unwrap_or(i32::MAX))
        .collect();
    let keys: Vec<String> = rows.iter().map(|r| r.key.clone()).collect();
    let pets: Vec<String> = rows.iter().map(|r| r.pet_key.clone()).collect();
    let hashes: Vec<String> = rows.iter().map(VaccinationRecord::hash).collect();
    let vaccines: Vec<String> = rows.iter().map(|r| r.vaccine.clone()).collect();
    let applied: Vec<NaiveDate> = rows.iter().map(|r| r.applied_on).collect();
    let due: Vec<Option<NaiveDate>> = rows.iter().map(|r| r.due_on).collect();
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        insert into import_vaccination_rows (run_id, line, source_key, pet_key, row_hash,
                                             vaccine, applied_on, due_on)
        select $1, r.line, r.source_key, r.pet_key, r.row_hash, r.vaccine, r.applied_on, r.due_on
          from unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::date[],
                      $8::date[]) as r (line, source_key, pet_key, row_hash, vaccine,
                                        applied_on, due_on)
        "#,
        run,
        &lines,
        &keys,
        &pets,
        &hashes,
        &vaccines,
        &applied,
        &due as &[Option<NaiveDate>]
    )
    .execute(&mut *conn)
    .await?;
    sqlx::raw_sql("analyze import_vaccination_rows")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Upserts the vaccinations staged under `run`, keyed under `source`: each linked to its
/// pet through the pet's import key, unchanged rows left alone, new ones inserted, changed
/// ones updated; then the staged rows are deleted.
#[tracing::instrument(name = "upsert_vaccinations", skip_all, fields(run))]
pub async fn upsert(conn: &mut PgConnection, run: i64, source: &str) -> sqlx::Result<Upserted> {
    let mut done = Upserted::default();
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        update import_vaccination_rows s set pet_id = p.id
          from import_keys k join pets p on p.id = k.target_id
         where s.run_id = $1 and k.source = $2 and k.entity = 'pet' and k.source_key = s.pet_key
        "#,
        run,
        source
    )
    .execute(&mut *conn)
    .await?;
    let orphans = sqlx::query!(
        r#"
        -- language=PostgreSQL
        delete from import_vaccination_rows where run_id = $1 and pet_id is null
        returning line, pet_key, vaccine
        "#,
        run
    )
    .fetch_all(&mut *conn)
    .await?;
    done.rejects.extend(orphans.into_iter().map(|r| {
        (
            i64::from(r.line),
            format!(
                "la vacuna «{}»: su mascota «{}» no existe (ni en estos archivos ni en importaciones anteriores)",
                r.vaccine, r.pet_key
            ),
        )
    }));
    keyed::match_keys(conn, VACCINATIONS, run, source).await?;
    done.unchanged = keyed::drop_unchanged(conn, VACCINATIONS, run, source).await?;
    let gone = keyed::drop_gone(conn, VACCINATIONS, run).await?;
    done.rejects.extend(gone.into_iter().map(|(line, key)| {
        (
            line,
            format!("la vacuna «{key}» se borró en vetbot: no se vuelve a crear"),
        )
    }));
    done.added = keyed::draw_ids(conn, VACCINATIONS, run).await?;
    // Written with the triggers on: alone (see `bulk::write_alone`).
    super::bulk::write_alone(conn).await?;
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        insert into vaccinations (id, pet_id, vaccine, applied_on, due_on)
        select vaccination_id, pet_id, vaccine, applied_on, due_on
          from import_vaccination_rows
         where run_id = $1 and is_new
         order by vaccination_id
        "#,
        run
    )
    .execute(&mut *conn)
    .await?;
    done.updated = sqlx::query!(
        r#"
        -- language=PostgreSQL
        update vaccinations v
           set pet_id = s.pet_id, vaccine = s.vaccine, applied_on = s.applied_on,
               due_on = s.due_on
          from import_vaccination_rows s
         where s.run_id = $1 and not s.is_new and v.id = s.vaccination_id
           and (v.pet_id, v.vaccine, v.applied_on, v.due_on)
               is distinct from (s.pet_id, s.vaccine, s.applied_on, s.due_on)
        "#,
        run
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    keyed::record_keys(conn, VACCINATIONS, run, source).await?;
    sqlx::query!("delete from import_vaccination_rows where run_id = $1", run)
        .execute(&mut *conn)
        .await?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::columns::Columns;
    use crate::import::erased::NoneErased;
    use crate::import::mapping::Mapping;
    use crate::import::record::read_row;

    fn row(headers: &[&str], cells: &[&str]) -> RowOutcome {
        let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
        let columns = Columns::resolve(&headers, &Mapping::default());
        let cells: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
        let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        read_row(&columns, 4, &cells, today, &NoneErased)
    }

    const HEADERS: &[&str] = &["Paciente", "Vacuna", "Fecha de aplicación", "Próxima dosis"];

    #[test]
    fn a_vaccination_row_reads_its_pet_vaccine_and_days() {
        let out = row(
            HEADERS,
            &["P-9", " RABIA  ANUAL ", "05/03/2026", "2027-03-05"],
        );
        let v = out.vaccination.clone().expect("a vaccination");
        assert_eq!(
            (v.pet_key.as_str(), v.vaccine.as_str()),
            ("P-9", "Rabia Anual")
        );
        assert_eq!(v.applied_on, NaiveDate::from_ymd_opt(2026, 3, 5).unwrap());
        assert_eq!(v.due_on, NaiveDate::from_ymd_opt(2027, 3, 5));
        assert_eq!(v.key, "~P-9|rabia anual|2026-03-05");
        assert!(out.rejects.is_empty() && out.warnings.is_empty(), "{out:?}");
        assert!(out.owner.is_none() && out.pet.is_none() && out.visit.is_none());
    }

    #[test]
    fn rows_without_a_pet_a_vaccine_or_its_day_are_rejected_and_a_bad_due_day_dropped() {
        assert!(row(HEADERS, &["", "Rabia", "05/03/2026", ""]).rejects[0].contains("mascota"));
        let nameless = row(HEADERS, &["P-9", "", "05/03/2026", ""]);
        assert!(nameless.vaccination.is_none());
        assert!(nameless.rejects[0].contains("sin nombre"), "{nameless:?}");
        assert!(row(HEADERS, &["P-9", "Rabia", "", ""]).rejects[0].contains("cuándo"));
        assert!(row(HEADERS, &["P-9", "Rabia", "31/02/2026", ""]).rejects[0].contains("imposible"));
        assert!(row(HEADERS, &["P-9", "Rabia", "01/01/2030", ""]).rejects[0].contains("aún no"));
        let early = row(HEADERS, &["P-9", "Rabia", "05/03/2026", "01/03/2026"]);
        assert_eq!(early.vaccination.unwrap().due_on, None);
        assert_eq!(early.warnings.len(), 1, "{:?}", early.warnings);
    }
}
