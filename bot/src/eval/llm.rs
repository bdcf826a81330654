//! The corpus through an LLM brain (any OpenAI-compatible endpoint), against the demo
//! clinic: what each phrase made the model call, how many model calls and tokens it took.
//!
//! Each case is a fresh conversation. A case read after a card or a list first asks for one
//! ("Cuéntame sobre María García", "¿A quiénes no hemos visto en un tiempo?") through the
//! same brain, so the model sees a real history. The calls the model made are read back as
//! the corpus's actions: a `search_owners` is the look-up `{"profile": query}`, a note or tag
//! names the client it went to (or `null` for the card's client), and a reply with no call
//! matches the cases that need none (help, thanks, a question back). Writes really happen:
//! this runs only on a disposable (demo) database.

use std::time::Instant;

use serde_json::{json, Map, Value};
use sqlx::PgPool;

use super::corpus::{Case, Corpus};
use super::score::{Outcome, Score};
use crate::brain::command::understand::Shown;
use crate::brain::llm::{ExecutedCall, LlmBrain};
use crate::brain::memory::ChatTurn;
use crate::clock::ClinicClock;
use crate::tools::ToolContext;

/// The client shown on the card before an `"after": "card"` case.
pub const CARD_CLIENT: &str = "María García";

/// Runs every case of `corpus` through `brain` as staff member `staff_id`.
pub async fn run(
    corpus: &Corpus,
    brain: &LlmBrain,
    pool: &PgPool,
    staff_id: i64,
) -> anyhow::Result<Score> {
    let tz = ClinicClock::load(pool).await?.tz();
    let card_owner = owner_named(pool, CARD_CLIENT).await?;
    let mut outcomes = Vec::with_capacity(corpus.cases.len());
    for (i, case) in corpus.cases.iter().enumerate() {
        let ctx = ToolContext {
            pool: pool.clone(),
            clock: ClinicClock::new(tz, Some(case.today())),
            lang: crate::brain::command::detect_lang(&case.say),
            staff_id: Some(staff_id),
            channel: "eval".into(),
            source: Some(format!("eval:{}:{i}", std::process::id())),
            telegram_bot: None,
            conversation: None,
            marketing: Default::default(),
            edited: false,
        };
        let outcome = one(case, brain, &ctx, card_owner).await;
        // A small model on a CPU takes seconds a turn: show each case as it is scored.
        eprintln!(
            "[{}/{}] {} {}",
            i + 1,
            corpus.cases.len(),
            if outcome.understood() { "ok  " } else { "miss" },
            case.at
        );
        outcomes.push(outcome);
    }
    Ok(Score { outcomes })
}

async fn one(case: &Case, brain: &LlmBrain, ctx: &ToolContext, card: Option<i64>) -> Outcome {
    let history = match case.after {
        Shown::Nothing => Vec::new(),
        Shown::Card => context(brain, ctx, &format!("Cuéntame sobre {CARD_CLIENT}")).await,
        Shown::List => context(brain, ctx, "¿A quiénes no hemos visto en un tiempo?").await,
    };
    let start = Instant::now();
    let reply = brain.respond(ctx, &history, &case.say).await;
    let took = start.elapsed();
    let (actual, llm_calls, tokens) = match reply {
        Ok(r) => (
            action(
                &ctx.pool,
                &r.tool_calls,
                card.filter(|_| case.after == Shown::Card),
            )
            .await,
            r.llm_calls,
            r.usage.map(|(p, c)| p + c),
        ),
        Err(e) => (json!({"failed": e.to_string()}), 0, None),
    };
    Outcome {
        case: case.clone(),
        actual,
        took,
        llm_calls: Some(llm_calls),
        tokens,
        floor: None,
    }
}

/// The history a first message leaves (empty when the model failed on it).
async fn context(brain: &LlmBrain, ctx: &ToolContext, text: &str) -> Vec<ChatTurn> {
    brain
        .respond(ctx, &[], text)
        .await
        .map(|r| r.turns)
        .unwrap_or_default()
}

async fn owner_named(pool: &PgPool, name: &str) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        "select id from owners where full_name = $1 order by id limit 1",
        name
    )
    .fetch_optional(pool)
    .await
}

async fn owner_name(pool: &PgPool, id: Option<i64>) -> Option<String> {
    sqlx::query_scalar!("select full_name from owners where id = $1", id?)
        .fetch_optional(pool)
        .await
        .ok()
        .flatten()
        .flatten()
}

/// The model's calls as a corpus action: the first write, else the look-up, else the first
/// read tool with its arguments (defaults dropped), else `{"answered": true}`.
async fn action(pool: &PgPool, calls: &[ExecutedCall], card: Option<i64>) -> Value {
    let who = |c: &ExecutedCall| c.arguments["user_id"].as_i64();
    let named = |id: Option<i64>| async move {
        if id.is_some() && id == card {
            Value::Null
        } else {
            owner_name(pool, id)
                .await
                .map_or(Value::Null, Value::String)
        }
    };
    if let Some(c) = calls.iter().find(|c| c.name == "add_owner_note") {
        let text = c.arguments["note"].clone();
        return json!({"note": {"who": named(who(c)).await, "text": text}});
    }
    if let Some(c) = calls.iter().find(|c| c.name == "tag_owner") {
        let list = |k: &str| {
            let v = &c.arguments[k];
            if v.is_null() {
                json!([])
            } else {
                v.clone()
            }
        };
        return json!({"tag": {"who": named(who(c)).await, "add": list("add_tags"), "remove": list("remove_tags")}});
    }
    if let Some(c) = calls.iter().find(|c| c.name == "record_consent") {
        let channel = c.arguments["channel"].as_str().unwrap_or("whatsapp");
        let granted = c.arguments["granted"].clone();
        return json!({"consent": {"who": named(who(c)).await, "channel": channel, "granted": granted}});
    }
    if let Some(c) = calls.iter().find(|c| c.name == "update_contact") {
        let (field, value) = (c.arguments["field"].clone(), c.arguments["value"].clone());
        return json!({"rectify": {"who": named(who(c)).await, "field": field, "value": value}});
    }
    if let Some(c) = calls.iter().find(|c| c.name == "client_link") {
        return json!({"link": {"who": named(who(c)).await}});
    }
    if let Some(c) = calls.iter().find(|c| c.name == "redeem_points") {
        return json!({"redeem": {"who": named(who(c)).await, "points": c.arguments["points"], "reason": c.arguments["reason"]}});
    }
    if let Some(c) = calls.iter().find(|c| c.name == "export_client_data") {
        return json!({"export": {"who": named(who(c)).await}});
    }
    if let Some(c) = calls.iter().find(|c| c.name == "get_loyalty") {
        return json!({"points": {"who": named(who(c)).await}});
    }
    if let Some(c) = calls.iter().find(|c| c.name == "search_owners") {
        return json!({"profile": c.arguments["query"]});
    }
    if let Some(c) = calls.iter().find(|c| c.name == "get_owner_profile") {
        return json!({"profile": named(who(c)).await});
    }
    match calls.first() {
        Some(c) => json!({"tool": c.name, "args": without_defaults(&c.arguments)}),
        None => json!({"answered": true}),
    }
}

/// Arguments with the schemas' default values removed, as the corpus writes them.
fn without_defaults(args: &Value) -> Value {
    let defaults = [
        ("limit", json!(10)),
        ("page", json!(1)),
        ("page_size", json!(10)),
        ("top_by", json!("units")),
        ("opted_in_only", json!(false)),
    ];
    let Some(map) = args.as_object() else {
        return args.clone();
    };
    let mut kept = Map::new();
    for (k, v) in map {
        let default = defaults.iter().any(|(dk, dv)| dk == k && dv == v);
        let empty = v.is_null() || v.as_object().is_some_and(Map::is_empty);
        if default || empty {
            continue;
        }
        kept.insert(k.clone(), without_defaults(v));
    }
    Value::Object(kept)
}

/// Whether a reply with no tool call is right for `expect`: the cases that need no tool.
pub fn needs_no_tool(expect: &Value) -> bool {
    [
        "help", "thanks", "reset", "quoted", "unknown", "ask", "greeting", "bye",
    ]
    .iter()
    .any(|k| expect.get(*k).is_some())
}
