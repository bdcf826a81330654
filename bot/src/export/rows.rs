//! Each entity's rows as the template's columns hold them (see `import::template`), read in
//! the export's snapshot. Erased clients' personal data is never read out: their rows are
//! blanked here, in SQL, whatever is left in the tables.

use sqlx::PgConnection;

use super::labels;

type Rows = Vec<Vec<String>>;

fn text(value: Option<String>) -> String {
    value.unwrap_or_default()
}

/// The template's products: SKU, Producto, Categoría, Marca, Precio.
#[tracing::instrument(name = "export_products", skip_all)]
pub async fn products(conn: &mut PgConnection) -> sqlx::Result<Rows> {
    let rows = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select sku, name, category, brand, price from products order by id
        "#
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            vec![
                r.sku,
                r.name,
                labels::category(&r.category).to_owned(),
                r.brand,
                r.price.to_string(),
            ]
        })
        .collect())
}

/// The template's clients: Clave de cliente, Nombre, Apellido paterno, Apellido materno,
/// Celular, Teléfono 2, Correo, Dirección, Colonia, CP, Ciudad, Fecha de alta, Acepta
/// WhatsApp, Acepta SMS, Acepta correo (each channel's latest marketing consent on record).
#[tracing::instrument(name = "export_clients", skip_all)]
pub async fn clients(conn: &mut PgConnection, tz: &str) -> sqlx::Result<Rows> {
    let rows = sqlx::query!(
        r#"
        -- language=PostgreSQL
        with latest as (
            select distinct on (owner_id, channel) owner_id, channel, granted
              from consent_events
             where purpose = 'marketing'
             order by owner_id, channel, recorded_at desc, id desc
        )
        select o.id, o.first_name, o.last_name, o.email, p.phone_primary, p.phone_secondary,
               coalesce(p.address, '') as "address!",
               to_char(o.created_at at time zone $1, 'DD/MM/YYYY') as "since!",
               e.owner_id is not null as "erased!",
               w.granted as "whatsapp?", s.granted as "sms?", m.granted as "email_consent?"
          from owners o
          left join owner_profiles p on p.owner_id = o.id
          left join erased_clients e on e.owner_id = o.id
          left join latest w on w.owner_id = o.id and w.channel = 'whatsapp'
          left join latest s on s.owner_id = o.id and s.channel = 'sms'
          left join latest m on m.owner_id = o.id and m.channel = 'email'
         order by o.id
        "#,
        tz
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let id = r.id.to_string();
            if r.erased {
                let mut row = vec![String::new(); 15];
                row[0] = id.clone();
                row[1] = "Cliente borrado".to_owned();
                row[2] = format!("#{id}");
                row[11] = r.since;
                return row;
            }
            vec![
                id,
                r.first_name,
                r.last_name,
                String::new(),
                text(r.phone_primary),
                text(r.phone_secondary),
                text(r.email),
                r.address,
                String::new(),
                String::new(),
                String::new(),
                r.since,
                labels::consent(r.whatsapp).to_owned(),
                labels::consent(r.sms).to_owned(),
                labels::consent(r.email_consent).to_owned(),
            ]
        })
        .collect())
}

/// The template's pets: Clave de paciente, Mascota, Especie, Raza, Sexo, Fecha de
/// nacimiento, Fallecido, Fecha de defunción, Clave de cliente.
#[tracing::instrument(name = "export_pets", skip_all)]
pub async fn pets(conn: &mut PgConnection) -> sqlx::Result<Rows> {
    let rows = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select p.id, p.owner_id, p.name, p.species, p.breed, p.sex,
               to_char(p.birth_date, 'DD/MM/YYYY') as birth,
               to_char(p.deceased_on, 'DD/MM/YYYY') as died,
               e.owner_id is not null as "erased!"
          from pets p left join erased_clients e on e.owner_id = p.owner_id
         order by p.id
        "#
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let deceased = if r.died.is_some() { "Sí" } else { "No" };
            vec![
                r.id.to_string(),
                if r.erased {
                    "Mascota".to_owned()
                } else {
                    r.name
                },
                labels::species(&r.species).to_owned(),
                text(r.breed),
                labels::sex(&r.sex).to_owned(),
                text(r.birth),
                deceased.to_owned(),
                text(r.died),
                r.owner_id.to_string(),
            ]
        })
        .collect())
}

/// The template's visits: Folio cita, Fecha, Hora, Clave de paciente, Clave de cliente,
/// Tipo de cita, Motivo, Estado (an erased client's reasons left out: they may name them).
#[tracing::instrument(name = "export_visits", skip_all)]
pub async fn visits(conn: &mut PgConnection, tz: &str) -> sqlx::Result<Rows> {
    let rows = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select a.id, a.owner_id, a.pet_id, a.kind, a.status, a.reason,
               to_char(a.scheduled_at at time zone $1, 'DD/MM/YYYY') as "day!",
               to_char(a.scheduled_at at time zone $1, 'HH24:MI') as "time!",
               e.owner_id is not null as "erased!"
          from appointments a left join erased_clients e on e.owner_id = a.owner_id
         order by a.id
        "#,
        tz
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.day,
                r.time,
                r.pet_id.map(|id| id.to_string()).unwrap_or_default(),
                r.owner_id.to_string(),
                labels::visit_kind(&r.kind).to_owned(),
                if r.erased { String::new() } else { r.reason },
                labels::visit_status(&r.status).to_owned(),
            ]
        })
        .collect())
}

/// The template's vaccinations: Folio vacuna, Clave de paciente, Vacuna, Fecha de
/// aplicación, Próxima dosis.
#[tracing::instrument(name = "export_vaccinations", skip_all)]
pub async fn vaccinations(conn: &mut PgConnection) -> sqlx::Result<Rows> {
    let rows = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select id, pet_id, vaccine,
               to_char(applied_on, 'DD/MM/YYYY') as "applied!",
               to_char(due_on, 'DD/MM/YYYY') as due
          from vaccinations order by id
        "#
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.pet_id.to_string(),
                r.vaccine,
                r.applied,
                text(r.due),
            ]
        })
        .collect())
}

/// The template's sales, one row per line: Folio, Fecha, Clave de cliente, SKU, Cantidad,
/// Precio unitario, Importe, Total, Estado.
#[tracing::instrument(name = "export_sales", skip_all)]
pub async fn sales(conn: &mut PgConnection, tz: &str) -> sqlx::Result<Rows> {
    let rows = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select o.id, o.owner_id, o.status, o.total, pr.sku, i.quantity, i.unit_price,
               to_char(o.ordered_at at time zone $1, 'DD/MM/YYYY HH24:MI') as "at!"
          from order_items i
          join orders o on o.id = i.order_id
          join products pr on pr.id = i.product_id
         order by o.id, i.id
        "#,
        tz
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let amount = rust_decimal::Decimal::from(r.quantity) * r.unit_price;
            vec![
                r.id.to_string(),
                r.at,
                r.owner_id.to_string(),
                r.sku,
                r.quantity.to_string(),
                r.unit_price.to_string(),
                amount.round_dp(2).to_string(),
                r.total.to_string(),
                labels::sale_status(&r.status).to_owned(),
            ]
        })
        .collect())
}

/// Orders with no line (a sales file holds lines only).
pub async fn orders_without_lines(conn: &mut PgConnection) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"
        -- language=PostgreSQL
        select count(*) as "n!" from orders o
         where not exists (select 1 from order_items i where i.order_id = o.id)
        "#
    )
    .fetch_one(&mut *conn)
    .await
}
