//! The command brain: no LLM, no network. Slash commands and everyday phrasings become
//! calls to the same tools the LLM uses, answered with the same cards. It is the default
//! when no LLM is configured and the fallback when the LLM fails.

pub mod parse;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sqlx::PgPool;

pub use parse::{detect_lang, Intent};

use super::memory;
use crate::domain::Lang;
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
        "update conversations set state = $2
           from (select set_config('synchronous_commit', 'off', true)) async_commit
          where id = $1",
        conversation,
        serde_json::to_value(state).expect("state serialises")
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Answers one message.
#[tracing::instrument(name = "command brain", skip_all)]
pub async fn respond(ctx: &ToolContext, conversation: i64, text: &str) -> sqlx::Result<RichText> {
    let mut state = load_state(&ctx.pool, conversation).await?;
    let reply = match parse::parse(text, ctx.clock.today()) {
        Intent::Tool { name, args } => run(ctx, &mut state, name, args).await,
        Intent::Profile { query } => profile(ctx, &mut state, &query).await,
        Intent::Pick(n) => match state.last_list.get(n - 1).copied() {
            Some(id) => run(ctx, &mut state, "get_owner_profile", json!({"user_id": id})).await,
            None => RichText::plain(ctx.lang.pick(
                "No tengo una lista con ese número. Busca primero, por ejemplo: /buscar maria",
                "I have no list with that number. Search first, e.g. /search maria",
            )),
        },
        Intent::Note { who, text } => match owner(ctx, &mut state, who.as_deref()).await {
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
        Intent::Tags { who, add, remove } => match owner(ctx, &mut state, who.as_deref()).await {
            Ok(id) => {
                let args = json!({"user_id": id, "add_tags": add, "remove_tags": remove});
                run(ctx, &mut state, "tag_owner", args).await
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
        Intent::Unknown => RichText::join([
            RichText::plain(
                ctx.lang
                    .pick("No entendí la pregunta.", "I didn't understand that."),
            ),
            help(ctx.lang),
        ]),
    };
    save_state(&ctx.pool, conversation, &state).await?;
    Ok(reply)
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
    let ids = |list: &Value, key: &str| -> Vec<i64> {
        list.as_array()
            .map(|a| a.iter().filter_map(|o| o[key].as_i64()).collect())
            .unwrap_or_default()
    };
    if let Some(id) = out.data["id"].as_i64().or(out.data["user_id"].as_i64()) {
        state.last_owner = Some(id);
    }
    for (list, key) in [("matches", "id"), ("owners", "owner_id"), ("owners", "id")] {
        let found = ids(&out.data[list], key);
        if !found.is_empty() {
            state.last_list = found;
        }
    }
}

/// A search that goes straight to the profile when one owner clearly matches.
async fn profile(ctx: &ToolContext, state: &mut ChatState, query: &str) -> RichText {
    if let Ok(id) = query.trim().trim_start_matches('#').parse::<i64>() {
        return run(ctx, state, "get_owner_profile", json!({"user_id": id})).await;
    }
    match clear_match(ctx, query).await {
        Ok(Some(id)) => run(ctx, state, "get_owner_profile", json!({"user_id": id})).await,
        Ok(None) => {
            run(
                ctx,
                state,
                "search_owners",
                json!({"query": query, "limit": 5}),
            )
            .await
        }
        Err(card) => card,
    }
}

/// The one owner `query` means, if it is clear.
async fn clear_match(ctx: &ToolContext, query: &str) -> Result<Option<i64>, RichText> {
    let found = tools::call(ctx, "search_owners", json!({"query": query, "limit": 5}))
        .await
        .map_err(|e| e.card(ctx.lang))?;
    let matches = found.data["matches"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let score = |i: usize| {
        matches
            .get(i)
            .and_then(|m| m["score"].as_f64())
            .unwrap_or(0.0)
    };
    let clear = matches.len() == 1 || (score(0) >= 0.9 && score(1) < score(0) - 0.2);
    Ok(clear.then(|| matches[0]["id"].as_i64()).flatten())
}

/// The owner a note or tag is for: named in the message, or the last one talked about.
async fn owner(
    ctx: &ToolContext,
    state: &mut ChatState,
    who: Option<&str>,
) -> Result<i64, RichText> {
    if let Some(who) = who {
        if let Ok(id) = who.trim().trim_start_matches('#').parse::<i64>() {
            return Ok(id);
        }
        return match clear_match(ctx, who).await? {
            Some(id) => Ok(id),
            None => Err(run(
                ctx,
                state,
                "search_owners",
                json!({"query": who, "limit": 5}),
            )
            .await),
        };
    }
    state.last_owner.ok_or_else(|| {
        RichText::plain(ctx.lang.pick(
            "¿Para quién? Pide primero un perfil, por ejemplo: /perfil maria garcia",
            "For whom? Ask for a profile first, e.g. /profile maria garcia",
        ))
    })
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
            "• /reporte ingresos 2025-10 — reportes (ingresos, citas, productos, clientes, retención)",
            "• /nota maria garcia: texto — nota interna; /etiqueta maria garcia: +vip, -regular",
            "• /nuevo — empezar de nuevo",
        ],
        Lang::En => &[
            "I can help with:",
            "• /profile maria garcia — a client's profile (or \"tell me about María García\")",
            "• /search 998-123-4567 — search by name, phone, email or pet",
            "• /risk — clients at risk (\"who haven't we seen in a while?\")",
            "• /top, /new, /lapsed, /value — client lists",
            "• /segment vip dog 90 days 5000 — segments",
            "• /report revenue 2025-10 — reports (revenue, appointments, products, customers, retention)",
            "• /note maria garcia: text — internal note; /tag maria garcia: +vip, -regular",
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
