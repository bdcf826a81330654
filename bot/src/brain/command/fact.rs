//! Short fact questions ("¿cuándo fue la última visita de Max?", "su teléfono"): the
//! client is found like a profile, and one line built from the profile's data (vaccines:
//! from the pets' vaccinations, which the profile does not hold) goes above its card
//! (issue #20, item 2).

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::parse::Ask;
use super::{clear_match, find, owner_id, remember, ChatState, Recall};
use crate::domain::{fold, Lang};
use crate::marketing::consent::{self, ConsentChannel, ConsentState};
use crate::render::{fmt, RichText};
use crate::tools::{self, ToolContext};

/// Answers `ask` about the client `about` names, or the one talked about (when `recall`
/// allows) when it is `None`. Several matches show the list, as a look-up does.
pub(super) async fn answer(
    ctx: &ToolContext,
    state: &mut ChatState,
    about: Option<&str>,
    ask: Ask,
    recall: Recall,
) -> sqlx::Result<RichText> {
    let id = match about {
        None => match (recall, state.last_owner) {
            (Recall::LastClient, Some(id)) => id,
            _ => {
                return Ok(RichText::plain(ctx.lang.pick(
                    "¿De qué cliente? Dime su nombre, por ejemplo: teléfono de María García",
                    "Which client? Name them, e.g. María García's phone",
                )))
            }
        },
        Some(query) => match owner_id(query) {
            Some(id) => id,
            None => match find(ctx, query).await {
                Ok(found) => match clear_match(&found) {
                    Some(id) => id,
                    None => {
                        remember(state, &found);
                        return Ok(found.card);
                    }
                },
                Err(card) => return Ok(card),
            },
        },
    };
    let out = match tools::call(ctx, "get_owner_profile", json!({"user_id": id})).await {
        Ok(out) => out,
        Err(e) => return Ok(e.card(ctx.lang)),
    };
    remember(state, &out);
    let line = match ask {
        Ask::VaccinesDue => {
            let due = vaccines(&ctx.pool, id).await?;
            vaccines_line(&out.data, about, &due, ctx)
        }
        _ => line(&out.data, about, ask, ctx),
    };
    Ok(RichText::join([RichText::plain(line), out.card]))
}

/// The next dose of each vaccine of a living pet (from its last application).
#[derive(Debug)]
struct Due {
    pet: String,
    vaccine: String,
    due_on: NaiveDate,
}

async fn vaccines(pool: &sqlx::PgPool, owner: i64) -> sqlx::Result<Vec<Due>> {
    sqlx::query_as!(
        Due,
        r#"select p.name as "pet!", v.vaccine as "vaccine!", v.due_on as "due_on!"
             from (select distinct on (pet_id, vaccine) pet_id, vaccine, due_on from vaccinations
                    where pet_id in (select id from pets where owner_id = $1 and deceased_on is null)
                    order by pet_id, vaccine, applied_on desc) v
             join pets p on p.id = v.pet_id
            where v.due_on is not null
            order by v.due_on, p.name"#,
        owner
    )
    .fetch_all(pool)
    .await
}

/// "Vacunas de Buddy: Rabia, 20 Dic 2025": the soonest doses (overdue ones say so), of the
/// pet the question names or of every pet of the client.
fn vaccines_line(p: &Value, about: Option<&str>, due: &[Due], ctx: &ToolContext) -> String {
    let lang = ctx.lang;
    let owner = p["name"].as_str().unwrap_or_default();
    let pet = about.and_then(|a| {
        let a = fold(a);
        due.iter()
            .map(|d| d.pet.as_str())
            .chain(
                p["pets"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|pet| pet["name"].as_str()),
            )
            .find(|name| fold(name) == a)
    });
    let several_pets = due.iter().any(|d| d.pet != due[0].pet);
    let today = ctx.clock.today();
    let doses: Vec<String> = due
        .iter()
        .filter(|d| pet.is_none_or(|pet| d.pet == pet))
        .take(3)
        .map(|d| {
            let who = if pet.is_none() && several_pets {
                format!("{} ({})", d.vaccine, d.pet)
            } else {
                d.vaccine.clone()
            };
            let late = match (d.due_on < today, lang) {
                (false, _) => "",
                (true, Lang::Es) => " (vencida)",
                (true, Lang::En) => " (overdue)",
            };
            format!("{who}, {}{late}", fmt::date(d.due_on, lang))
        })
        .collect();
    let who = pet.unwrap_or(owner);
    match (doses.is_empty(), lang) {
        (false, Lang::Es) => format!("Vacunas de {who}: {}", doses.join("; ")),
        (false, Lang::En) => format!("{who}'s vaccines due: {}", doses.join("; ")),
        (true, Lang::Es) => format!("{who} no tiene vacunas pendientes registradas."),
        (true, Lang::En) => format!("{who} has no vaccines due on record."),
    }
}

/// The one-line answer, from `get_owner_profile`'s data.
fn line(p: &Value, about: Option<&str>, ask: Ask, ctx: &ToolContext) -> String {
    let lang = ctx.lang;
    let es = lang == Lang::Es;
    let owner = p["name"].as_str().unwrap_or_default();
    // The pet the question names, spelled as stored ("max" → "Max").
    let pet = about.and_then(|a| {
        let a = fold(a);
        p["pets"]
            .as_array()?
            .iter()
            .filter_map(|pet| pet["name"].as_str())
            .find(|name| fold(name) == a)
    });
    let date = |v: &Value| {
        v.as_str()
            .and_then(|d| d.parse::<NaiveDate>().ok())
            .map(|d| fmt::date(d, lang))
    };
    match ask {
        Ask::LastVisit => last_visit(p, pet, owner, lang),
        Ask::NextVisit => {
            let next = p["next_appointment"]
                .as_str()
                .and_then(|t| t.parse::<DateTime<Utc>>().ok())
                .map(|t| t.with_timezone(&ctx.clock.tz()));
            match (next, lang) {
                (Some(t), _) => format!(
                    "{} {}: {}, {}",
                    if es {
                        "Próxima cita de"
                    } else {
                        "Next appointment for"
                    },
                    owner,
                    fmt::date(t.date_naive(), lang),
                    t.format("%H:%M")
                ),
                (None, Lang::Es) => format!("{owner} no tiene citas próximas."),
                (None, Lang::En) => format!("{owner} has no upcoming appointment."),
            }
        }
        Ask::Spent => {
            let spent = p["total_spent"]
                .as_str()
                .and_then(|s| s.parse::<Decimal>().ok())
                .or_else(|| p["total_spent"].as_f64().and_then(Decimal::from_f64_retain))
                .unwrap_or_default();
            let orders = p["order_count"].as_i64().unwrap_or(0);
            match lang {
                Lang::Es => format!(
                    "{owner} ha gastado {} en {orders} {}.",
                    fmt::money(spent),
                    if orders == 1 { "compra" } else { "compras" }
                ),
                Lang::En => format!(
                    "{owner} has spent {} over {orders} {}.",
                    fmt::money(spent),
                    if orders == 1 { "order" } else { "orders" }
                ),
            }
        }
        Ask::Phone => {
            let phones: Vec<String> = [&p["phone"], &p["phone_secondary"]]
                .into_iter()
                .filter_map(or_none)
                .map(fmt::phone)
                .collect();
            match (phones.is_empty(), lang) {
                (false, Lang::Es) => format!("Teléfono de {owner}: {}", phones.join(", ")),
                (false, Lang::En) => format!("{owner}'s phone: {}", phones.join(", ")),
                (true, Lang::Es) => format!("{owner} no tiene teléfono registrado."),
                (true, Lang::En) => format!("{owner} has no phone on file."),
            }
        }
        Ask::Email => match (or_none(&p["email"]), lang) {
            (Some(e), Lang::Es) => format!("Correo de {owner}: {e}"),
            (Some(e), Lang::En) => format!("{owner}'s e-mail: {e}"),
            (None, Lang::Es) => format!("{owner} no tiene correo registrado."),
            (None, Lang::En) => format!("{owner} has no e-mail on file."),
        },
        Ask::Address => match (or_none(&p["address"]), lang) {
            (Some(a), Lang::Es) => format!("Dirección de {owner}: {a}"),
            (Some(a), Lang::En) => format!("{owner}'s address: {a}"),
            (None, Lang::Es) => format!("{owner} no tiene dirección registrada."),
            (None, Lang::En) => format!("{owner} has no address on file."),
        },
        Ask::Pets => {
            let pets: Vec<String> = p["pets"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|pet| {
                            let name = pet["name"].as_str()?;
                            Some(if pet["deceased_on"].is_null() {
                                name.to_owned()
                            } else {
                                format!("{name} †")
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            match (pets.len(), lang) {
                (0, Lang::Es) => format!("{owner} no tiene mascotas registradas."),
                (0, Lang::En) => format!("{owner} has no pets on file."),
                (n, Lang::Es) => format!("Mascotas de {owner} ({n}): {}", pets.join(", ")),
                (n, Lang::En) => format!("{owner}'s pets ({n}): {}", pets.join(", ")),
            }
        }
        // Answered from the vaccinations, see `vaccines_line`.
        Ask::VaccinesDue => String::new(),
        Ask::LastPurchase => {
            let last = &p["last_purchase"];
            match (date(&last["date"]), lang) {
                (Some(d), Lang::Es) => format!(
                    "Última compra de {owner}: {d}, {}",
                    last["product"].as_str().unwrap_or_default()
                ),
                (Some(d), Lang::En) => format!(
                    "{owner}'s last purchase: {d}, {}",
                    last["product"].as_str().unwrap_or_default()
                ),
                (None, Lang::Es) => format!("{owner} no tiene compras registradas."),
                (None, Lang::En) => format!("{owner} has no purchases on file."),
            }
        }
        Ask::Consent => {
            let states: Vec<ConsentState> =
                serde_json::from_value(p["consent"].clone()).unwrap_or_default();
            let linked: Vec<ConsentChannel> =
                serde_json::from_value(p["linked_channels"].clone()).unwrap_or_default();
            let (summary, _) = consent::summary(&states, &linked, lang);
            match lang {
                Lang::Es => format!("Promociones para {owner}: {summary}"),
                Lang::En => format!("{owner}'s marketing consent: {summary}"),
            }
        }
        Ask::Tags => {
            let tags: Vec<&str> = p["tags"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            match (tags.is_empty(), lang) {
                (false, Lang::Es) => format!("Etiquetas de {owner}: {}", tags.join(", ")),
                (false, Lang::En) => format!("{owner}'s tags: {}", tags.join(", ")),
                (true, Lang::Es) => format!("{owner} no tiene etiquetas."),
                (true, Lang::En) => format!("{owner} has no tags."),
            }
        }
    }
}

/// "Última visita de Max: 15 Nov 2025, Chequeo anual de Max". The visit is the owner's
/// last one; it is the pet's only when it was for that pet.
fn last_visit(p: &Value, pet: Option<&str>, owner: &str, lang: Lang) -> String {
    let visit = &p["last_visit"];
    let Some(day) = visit["date"]
        .as_str()
        .and_then(|d| d.parse::<NaiveDate>().ok())
    else {
        return match lang {
            Lang::Es => format!("{} no tiene visitas registradas.", pet.unwrap_or(owner)),
            Lang::En => format!("No visits on record for {}.", pet.unwrap_or(owner)),
        };
    };
    let for_pet = pet.filter(|pet| visit["pet"].as_str().is_some_and(|v| fold(v) == fold(pet)));
    let who = for_pet.unwrap_or(owner);
    let reason = visit["reason"].as_str().unwrap_or_default().trim();
    let when = fmt::date(day, lang);
    let tail = if reason.is_empty() {
        String::new()
    } else {
        format!(", {reason}")
    };
    match lang {
        Lang::Es => format!("Última visita de {who}: {when}{tail}"),
        Lang::En => format!("{who}'s last visit: {when}{tail}"),
    }
}

/// A text field that is set and not blank.
fn or_none(v: &Value) -> Option<&str> {
    v.as_str().filter(|s| !s.trim().is_empty())
}
