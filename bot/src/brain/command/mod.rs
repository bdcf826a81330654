//! The command brain: no LLM, no network. Slash commands and everyday phrasings become
//! calls to the same tools the LLM uses, answered with the same cards. It is the default
//! when no LLM is configured and the fallback when the LLM fails.

mod erase;
mod fact;
mod folded;
pub mod parse;
pub mod understand;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sqlx::PgPool;

pub use parse::{detect_lang, Intent};

use super::memory;
use crate::domain::{Lang, PhoneNumber};
use crate::marketing::consent::ConsentChannel;
use crate::render::RichText;
use crate::tools::{self, ToolContext, ToolOutput};

/// What the command brain remembers of a chat between messages.
#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq)]
pub struct ChatState {
    /// The owner last shown or changed.
    pub last_owner: Option<i64>,
    /// The owners of the last numbered list, in order.
    pub last_list: Vec<i64>,
}

async fn load_state(pool: &PgPool, conversation: i64) -> sqlx::Result<ChatState> {
    let state = sqlx::query_scalar!(
        "select state from conversations where id = $1",
        conversation
    )
    .fetch_optional(pool)
    .await?;
    Ok(state
        .and_then(|s| serde_json::from_value(s).ok())
        .unwrap_or_default())
}

/// Saves the state; committed asynchronously, like the rest of the memory (see `memory`).
async fn save_state(pool: &PgPool, conversation: i64, state: &ChatState) -> sqlx::Result<()> {
    sqlx::query!(
        "update conversations set state = state || $2
           from (select set_config('synchronous_commit', 'off', true)) async_commit
          where id = $1",
        conversation,
        serde_json::to_value(state).expect("state serialises")
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Whether a note or tag that names no client may go to the one talked about before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recall {
    /// Only the command brain answers this chat: the client it remembers is the one the
    /// staff member saw last, so "agrégale la etiqueta VIP" means that client.
    LastClient,
    /// An LLM holds the conversation (this answer is a fallback or a slash command): the
    /// command brain's memory may be of another client than the one being talked about,
    /// so a write must name its client.
    NamedOnly,
}

/// Answers one message.
#[tracing::instrument(name = "command brain", skip_all)]
pub async fn respond(
    ctx: &ToolContext,
    conversation: i64,
    text: &str,
    recall: Recall,
) -> sqlx::Result<RichText> {
    let mut state = load_state(&ctx.pool, conversation).await?;
    let reply = match parse::parse(text, ctx.clock.today()) {
        Intent::Tool { name, args } => run(ctx, &mut state, name, args).await,
        Intent::Profile { query } => profile(ctx, &mut state, &query).await,
        Intent::Fact { about, ask } => {
            fact::answer(ctx, &mut state, about.as_deref(), ask, recall).await?
        }
        // Boxed: each arm's future would otherwise take its own room in this one's frame
        // (debug builds do not share it), and the stack is a worker thread's.
        Intent::More => Box::pin(more(ctx, &mut state, conversation)).await?,
        Intent::Records { who, show } => {
            match Box::pin(owner(ctx, &mut state, who.as_deref(), recall)).await {
                Ok(id) => {
                    let args = json!({"user_id": id, "show": show.code()});
                    Box::pin(run(ctx, &mut state, tools::client_records::NAME, args)).await
                }
                Err(reply) => reply,
            }
        }
        Intent::Message { who } => {
            match Box::pin(owner(ctx, &mut state, who.as_deref(), recall)).await {
                Ok(id) => Box::pin(message(ctx, &mut state, id)).await?,
                Err(reply) => reply,
            }
        }
        Intent::Pick(n) => match state.last_list.get(n - 1).copied() {
            Some(id) => run(ctx, &mut state, "get_owner_profile", json!({"user_id": id})).await,
            None => RichText::plain(ctx.lang.pick(
                "No tengo una lista con ese número. Busca primero, por ejemplo: /buscar maria",
                "I have no list with that number. Search first, e.g. /search maria",
            )),
        },
        // A note with no text (or whose client and text run together): ask, write nothing.
        Intent::Note { who, text } if text.trim().is_empty() => note_text(ctx.lang, who.as_deref()),
        Intent::Note { who, text } => match owner(ctx, &mut state, who.as_deref(), recall).await {
            Ok(id) => {
                run(
                    ctx,
                    &mut state,
                    "add_owner_note",
                    json!({"user_id": id, "note": text}),
                )
                .await
            }
            Err(reply) => reply,
        },
        Intent::Tags { who, add, remove } => match owner(ctx, &mut state, who.as_deref(), recall)
            .await
        {
            Ok(id) => {
                let args = json!({"user_id": id, "add_tags": add, "remove_tags": remove});
                run(ctx, &mut state, "tag_owner", args).await
            }
            Err(reply) => reply,
        },
        Intent::Consent {
            who,
            channel,
            granted,
        } => match owner(ctx, &mut state, who.as_deref(), recall).await {
            Ok(id) => {
                let channel = consent_channel(channel, granted);
                let args = json!({"user_id": id, "granted": granted, "channel": channel});
                run(ctx, &mut state, "record_consent", args).await
            }
            Err(reply) => reply,
        },
        Intent::Rectify { who, field, value } => {
            match owner(ctx, &mut state, who.as_deref(), recall).await {
                Ok(id) => {
                    let args = json!({"user_id": id, "field": field.code(), "value": value});
                    run(ctx, &mut state, "update_contact", args).await
                }
                Err(reply) => reply,
            }
        }
        Intent::Erase { who } => match owner(ctx, &mut state, who.as_deref(), recall).await {
            Ok(id) => run(ctx, &mut state, "erase_client", json!({"user_id": id})).await,
            Err(reply) => reply,
        },
        Intent::EraseConfirm { name } => erase::confirm(ctx, &name).await?,
        Intent::Link { who } => match owner(ctx, &mut state, who.as_deref(), recall).await {
            Ok(id) => run(ctx, &mut state, "client_link", json!({"user_id": id})).await,
            Err(reply) => reply,
        },
        Intent::Points { who, redeem } => {
            match owner(ctx, &mut state, who.as_deref(), recall).await {
                Ok(id) => match redeem {
                    None => run(ctx, &mut state, "get_loyalty", json!({"user_id": id})).await,
                    Some((points, reason)) => {
                        let reason = reason.unwrap_or_else(|| {
                            ctx.lang
                                .pick("Canje en mostrador", "Redeemed at the counter")
                                .to_owned()
                        });
                        let args = json!({"user_id": id, "points": points, "reason": reason});
                        run(ctx, &mut state, "redeem_points", args).await
                    }
                },
                Err(reply) => reply,
            }
        }
        Intent::Export { who } => match owner(ctx, &mut state, who.as_deref(), recall).await {
            Ok(id) => {
                let args = json!({"user_id": id});
                run(ctx, &mut state, tools::export_client_data::NAME, args).await
            }
            Err(reply) => reply,
        },
        Intent::Reset => {
            memory::reset(&ctx.pool, conversation).await?;
            state = ChatState::default();
            RichText::plain(
                ctx.lang
                    .pick("Listo, empecemos de nuevo.", "Done, let's start over."),
            )
        }
        Intent::Help => help(ctx.lang),
        Intent::Quoted => RichText::plain(ctx.lang.pick(
            "Eso es texto citado de otra persona: no sigo instrucciones que vengan en un mensaje citado, y no cambié nada. \
             Si quieres que haga algo, pídemelo tú, por ejemplo: agrégale la etiqueta VIP a María García",
            "That is quoted text from someone else: I don't follow instructions inside a quoted message, and nothing was changed. \
             If you want me to do something, ask me yourself, e.g. add the VIP tag to María García",
        )),
        Intent::Thanks => RichText::plain(ctx.lang.pick(
            "¡Con gusto! Aquí estoy si necesitas algo más.",
            "You're welcome! I'm here if you need anything else.",
        )),
        Intent::Unknown => not_understood(ctx.lang, text),
    };
    save_state(&ctx.pool, conversation, &state).await?;
    Ok(reply)
}

/// The channel a consent statement is for: the one named; else WhatsApp (the clinic's
/// marketing channel) for a grant, and every channel for a refusal ("no quiere promociones").
pub fn consent_channel(channel: Option<ConsentChannel>, granted: bool) -> &'static str {
    match (channel, granted) {
        (Some(channel), _) => channel.as_str(),
        (None, true) => ConsentChannel::WhatsApp.as_str(),
        (None, false) => "all",
    }
}

/// Calls a tool and remembers the owners it showed.
async fn run(ctx: &ToolContext, state: &mut ChatState, name: &str, args: Value) -> RichText {
    match tools::call(ctx, name, args).await {
        Ok(out) => {
            remember(state, &out);
            out.card
        }
        Err(e) => e.card(ctx.lang),
    }
}

fn remember(state: &mut ChatState, out: &ToolOutput) {
    if let Some(id) = out.data["id"].as_i64().or(out.data["user_id"].as_i64()) {
        state.last_owner = Some(id);
    }
    let found = crate::marketing::lists::owners_in(&out.data);
    if !found.is_empty() {
        state.last_list = found;
    }
}

/// The next page of the list the chat saw last: the same tool and arguments, one page on.
async fn more(
    ctx: &ToolContext,
    state: &mut ChatState,
    conversation: i64,
) -> sqlx::Result<RichText> {
    let lang = ctx.lang;
    let Some(list) = crate::marketing::lists::last(&ctx.pool, conversation).await? else {
        return Ok(RichText::plain(lang.pick(
            "No hay una lista que continuar. Pide una primero, por ejemplo: /riesgo",
            "There is no list to continue. Ask for one first, e.g. /risk",
        )));
    };
    let pageable = [tools::get_customer_insights::NAME, tools::get_segment::NAME];
    let Some(tool) = pageable.into_iter().find(|t| *t == list.tool) else {
        return Ok(RichText::plain(lang.pick(
            "No hay más: esa búsqueda muestra sus mejores coincidencias. Escribe el nombre completo para acotarla.",
            "There is no more: that search shows its best matches. Type the full name to narrow it.",
        )));
    };
    let mut args = list.args.clone();
    let page = args["page"].as_i64().unwrap_or(1);
    args["page"] = json!(page + 1);
    match Box::pin(tools::call(ctx, tool, args)).await {
        Ok(out) if crate::marketing::lists::owners_in(&out.data).is_empty() => {
            Ok(RichText::plain(lang.pick(
                "No hay más clientes en esa lista: ya viste la última página.",
                "No more clients in that list: you've seen the last page.",
            )))
        }
        Ok(out) => {
            remember(state, &out);
            Ok(out.card)
        }
        Err(e) => Ok(e.card(lang)),
    }
}

/// A campaign drafted for client `id` alone, through the usual draft (nothing is sent until
/// an owner approves; consent and quiet hours apply): a reactivation when the client has not
/// visited in the at-risk time, else a short check-in in the client's language, both
/// editable like any draft («cambia el texto: …»).
async fn message(ctx: &ToolContext, state: &mut ChatState, id: i64) -> sqlx::Result<RichText> {
    let client = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select $2::date - m.last_visit_date as days, p.preferred_language as "language!"
          from owners o join owner_profiles p on p.owner_id = o.id
          left join customer_metrics m on m.owner_id = o.id
         where o.id = $1
        "#,
        id,
        ctx.clock.today()
    )
    .fetch_optional(&ctx.pool)
    .await?;
    let Some(client) = client else {
        return Ok(
            tools::ToolError::NotFound(crate::render::NotFoundCard::OwnerId(id)).card(ctx.lang),
        );
    };
    let at_risk = client
        .days
        .is_none_or(|d| d >= crate::intelligence::thresholds::AT_RISK_DAYS);
    let args = if at_risk {
        json!({"kind": "reactivation", "audience": "owners", "owner_ids": [id]})
    } else {
        let text = match Lang::from_code(&client.language) {
            Lang::Es => "Hola {nombre} 👋 Te saludamos de {clinica}. ¿Cómo está {mascota}? Si necesitas algo, responde a este mensaje.",
            Lang::En => "Hi {nombre} 👋 This is {clinica}. How is {mascota} doing? If you need anything, just reply to this message.",
        };
        json!({"kind": "announcement", "audience": "owners", "owner_ids": [id], "text": text})
    };
    Ok(Box::pin(run(ctx, state, tools::draft_campaign::NAME, args)).await)
}

/// A search that goes straight to the profile when one owner clearly matches.
async fn profile(ctx: &ToolContext, state: &mut ChatState, query: &str) -> RichText {
    if let Some(id) = owner_id(query) {
        return run(ctx, state, "get_owner_profile", json!({"user_id": id})).await;
    }
    match find(ctx, query).await {
        Ok(found) => match clear_match(&found) {
            Some(id) => run(ctx, state, "get_owner_profile", json!({"user_id": id})).await,
            None => {
                remember(state, &found);
                found.card
            }
        },
        Err(card) => card,
    }
}

/// An owner id: `#12`, or a number too short to be a phone ("9981234567" is a phone).
fn owner_id(text: &str) -> Option<i64> {
    let text = text.trim();
    match text.strip_prefix('#') {
        Some(id) => id.trim().parse().ok(),
        None if PhoneNumber::parse(text).is_err() => text.parse().ok(),
        None => None,
    }
}

/// The owners `query` may mean (at most 5, best first), as `search_owners` shows them.
async fn find(ctx: &ToolContext, query: &str) -> Result<ToolOutput, RichText> {
    tools::call(ctx, "search_owners", json!({"query": query, "limit": 5}))
        .await
        .map_err(|e| e.card(ctx.lang))
}

/// The one owner a search found, if it is clear.
fn clear_match(found: &ToolOutput) -> Option<i64> {
    let matches = found.data["matches"].as_array()?;
    let score = |i: usize| {
        matches
            .get(i)
            .and_then(|m| m["score"].as_f64())
            .unwrap_or(0.0)
    };
    let clear = matches.len() == 1 || (score(0) >= 0.9 && score(1) < score(0) - 0.2);
    clear.then(|| matches[0]["id"].as_i64()).flatten()
}

/// The owner a note or tag is for: the one the message names, else (when `recall`
/// allows) the last one talked about. When in doubt, an `Err` asks, and nothing is written.
async fn owner(
    ctx: &ToolContext,
    state: &mut ChatState,
    who: Option<&str>,
    recall: Recall,
) -> Result<i64, RichText> {
    let Some(who) = who else {
        return match (recall, state.last_owner) {
            (Recall::LastClient, Some(id)) => Ok(id),
            (Recall::LastClient, None) => Err(RichText::plain(ctx.lang.pick(
                "¿Para quién? Pide primero un perfil, por ejemplo: /perfil maria garcia",
                "For whom? Ask for a profile first, e.g. /profile maria garcia",
            ))),
            (Recall::NamedOnly, _) => Err(RichText::plain(ctx.lang.pick(
                "¿Para quién? Escribe el nombre del cliente, por ejemplo: agrégale la etiqueta VIP a María García",
                "For whom? Name the client, e.g. add the VIP tag to María García",
            ))),
        };
    };
    if let Some(id) = owner_id(who) {
        return Ok(id);
    }
    let found = find(ctx, who).await?;
    if let Some(id) = clear_match(&found) {
        return Ok(id);
    }
    if found.data["matches"].as_array().is_none_or(Vec::is_empty) {
        return Err(RichText::plain(match ctx.lang {
            Lang::Es => format!(
                "No encontré a ningún cliente «{who}», así que no guardé nada. Revisa el nombre, o si «{who}» es parte de la etiqueta, escríbela entre comillas: agrégale la etiqueta «…»"
            ),
            Lang::En => format!(
                "No client matches «{who}», so nothing was saved. Check the name, or if «{who}» is part of the tag, put the tag in quotes: add the tag \"…\""
            ),
        }));
    }
    remember(state, &found);
    Err(RichText::join([
        RichText::plain(match ctx.lang {
            Lang::Es => format!("¿A cuál te refieres? Varios clientes coinciden con «{who}» y no guardé nada. Repítelo con el nombre completo."),
            Lang::En => format!("Which one do you mean? Several clients match «{who}», so nothing was saved. Say it again with the full name."),
        }),
        found.card,
    ]))
}

/// A note with nothing to write: what to send instead. Nothing is written.
fn note_text(lang: Lang, who: Option<&str>) -> RichText {
    RichText::plain(match (lang, who) {
        (Lang::Es, Some(who)) => format!(
            "¿Qué digo en la nota? No guardé nada. Escríbela con dos puntos después del nombre, por ejemplo: nota para {who}: llamó para confirmar"
        ),
        (Lang::Es, None) => "¿Qué digo en la nota? No guardé nada. Escríbela después de dos puntos, por ejemplo: agrégale una nota: llamó para confirmar".to_owned(),
        (Lang::En, Some(who)) => format!(
            "What should the note say? Nothing was saved. Put a colon after the name, e.g. note for {who}: called to confirm"
        ),
        (Lang::En, None) => "What should the note say? Nothing was saved. Write it after a colon, e.g. add a note: called to confirm".to_owned(),
    })
}

/// What was not understood, and the closest things the bot can do (buttons where the
/// channel has them): one short answer, not the whole help.
fn not_understood(lang: Lang, text: &str) -> RichText {
    const SHOWN: usize = 60;
    let text = text.trim();
    let shown: String = if text.chars().count() > SHOWN {
        text.chars().take(SHOWN).chain(['…']).collect()
    } else {
        text.to_owned()
    };
    let mut doc = RichText::plain(match lang {
        Lang::Es => format!("No entendí «{shown}». Lo más parecido que puedo hacer:"),
        Lang::En => format!("I didn't understand «{shown}». The closest things I can do:"),
    });
    for s in parse::closest(text, lang) {
        doc.bullet(vec![crate::render::Span::Plain(format!(
            "{} — {}",
            s.label, s.say
        ))]);
        doc.choice(s.label, s.say);
    }
    doc
}

/// What the bot understands.
pub fn help(lang: Lang) -> RichText {
    let lines: &[&str] = match lang {
        Lang::Es => &[
            "Puedo ayudarte con:",
            "• /perfil maria garcia — perfil de un cliente (o «cuéntame sobre María García»)",
            "• /buscar 998-123-4567 — buscar por nombre, teléfono, correo o mascota",
            "• /riesgo — clientes en riesgo («¿a quiénes no hemos visto en un tiempo?»)",
            "• /top, /nuevos, /inactivos, /valor — listas de clientes",
            "• /segmento vip perro 90 dias 5000 — segmentos",
            "• /reporte ingresos 2025-10 — reportes (ingresos, citas, productos, clientes, retención); «ventas este año vs el año pasado»",
            "• /excel, /csv — la lista en pantalla como archivo («mándame en Excel los clientes en riesgo»); /confiabilidad — qué tan confiable es el riesgo (dueño)",
            "• «ver más» — la siguiente página de una lista; /notas, /etiquetas, /historial, /mensaje con #12 o el nombre — lo que hacen los botones de un perfil",
            "• /nota maria garcia: texto — nota interna; /etiqueta maria garcia: +vip, -regular",
            "• «María García acepta promociones por WhatsApp» — permiso de mensajes; /enlace maria garcia — enlace de Telegram para el cliente",
            "• /puntos maria garcia — puntos de lealtad; «canjea 200 puntos de María García: motivo»",
            "• «exporta los datos de María García» — todos sus datos en archivos (solo el dueño)",
            "• «cambia el teléfono de María García a 998 123 4567» — corregir datos de contacto; /solicitudes — solicitudes de datos (dueño)",
            "• «nuevo cliente Juan Pérez 998 765 4321, perro Rocky» — alta de cliente; «Rocky falleció ayer»; «cita de Max el martes a las 10 (vacuna)»",
            "• «manda el resumen a las 8», «desactiva el resumen» — tu resumen de la mañana (dueño); /resumen — cómo está",
            "• /nuevo — empezar de nuevo",
        ],
        Lang::En => &[
            "I can help with:",
            "• /profile maria garcia — a client's profile (or \"tell me about María García\")",
            "• /search 998-123-4567 — search by name, phone, email or pet",
            "• /risk — clients at risk (\"who haven't we seen in a while?\")",
            "• /top, /new, /lapsed, /value — client lists",
            "• /segment vip dog 90 days 5000 — segments",
            "• /report revenue 2025-10 — reports (revenue, appointments, products, customers, retention); \"revenue this year vs last year\"",
            "• /excel, /csv — the list on screen as a file (\"send me the at-risk list as csv\"); /reliability — how reliable the churn risk is (owner)",
            "• \"more\" — the next page of a list; /notes, /history, /message with #12 or the name — what a profile's buttons do",
            "• /note maria garcia: text — internal note; /tag maria garcia: +vip, -regular",
            "• \"María García consents to WhatsApp marketing\" — consent; /link maria garcia — a Telegram link for the client",
            "• /points maria garcia — loyalty points; \"redeem 200 points for María García: reason\"",
            "• \"export María García's data\" — all their data as files (owner only)",
            "• \"change María García's phone to 998 123 4567\" — correct contact data; /requests — data requests (owner)",
            "• \"new client John Smith 998 123 4567, cat Luna\" — add a client; \"Max passed away\"; \"book Luna on Friday at 4pm for a checkup\"",
            "• \"send the digest at 8am\", \"turn off the morning digest\" — your morning digest (owner); /digest — how it is set",
            "• /reset — start over",
        ],
    };
    let mut doc = RichText::new();
    for line in lines {
        doc.push(crate::render::Line::Text(vec![crate::render::Span::Plain(
            (*line).into(),
        )]));
    }
    doc
}
