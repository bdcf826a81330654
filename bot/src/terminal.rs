//! The terminal channel: reads one question per line, answers on stdout.

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};

use serde_json::json;

use crate::clock::ClinicClock;
use crate::demo;
use crate::render::{Lang, Markup};
use crate::tools::{self, ToolContext};

/// Runs the chat until end of input or "salir"/"exit".
pub async fn chat(
    pool: &sqlx::PgPool,
    input: impl AsyncRead + Unpin,
    mut output: impl AsyncWrite + Unpin,
) -> anyhow::Result<()> {
    let staff_id = sqlx::query_scalar!(
        "select staff_id from staff_identities where channel = 'terminal' and external_id = $1",
        demo::TERMINAL_STAFF_ID
    )
    .fetch_optional(pool)
    .await?;
    let ctx = ToolContext {
        pool: pool.clone(),
        clock: ClinicClock::load(pool).await?,
        lang: Lang::Es,
        staff_id,
        channel: "terminal".into(),
    };
    let mut lines = BufReader::new(input).lines();
    output
        .write_all("vetbot — escribe «perfil <nombre>» o «salir».\n> ".as_bytes())
        .await?;
    output.flush().await?;
    while let Some(line) = lines.next_line().await? {
        let line = line.trim();
        if matches!(line.to_lowercase().as_str(), "salir" | "exit" | "quit") {
            break;
        }
        let reply = answer(&ctx, line).await?;
        output.write_all(format!("{reply}\n> ").as_bytes()).await?;
        output.flush().await?;
    }
    output.write_all("¡Hasta luego!\n".as_bytes()).await?;
    output.flush().await?;
    Ok(())
}

async fn answer(ctx: &ToolContext, line: &str) -> anyhow::Result<String> {
    let Some(name) = line.strip_prefix("perfil ") else {
        return Ok("Por ahora entiendo «perfil <nombre>».".into());
    };
    let card = match tools::call(ctx, "search_owners", json!({"query": name, "limit": 1})).await {
        Ok(found) => match found.data["matches"][0]["id"].as_i64() {
            Some(id) => match tools::call(ctx, "get_owner_profile", json!({"user_id": id})).await {
                Ok(profile) => profile.card,
                Err(e) => e.card(ctx.lang),
            },
            None => found.card,
        },
        Err(e) => e.card(ctx.lang),
    };
    Ok(card.render(Markup::Markdown))
}
