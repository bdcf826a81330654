//! The conversation engine: who is talking, which brain answers, what is remembered.
//! Every channel (terminal, Telegram, WhatsApp) hands messages to [`Engine::handle`].

use sqlx::PgPool;

use super::command::{self, detect_lang};
use super::llm::LlmBrain;
use super::memory::{self, ChatTurn};
use crate::clock::ClinicClock;
use crate::domain::Lang;
use crate::render::RichText;
use crate::staff::{self, StaffMember};
use crate::tools::ToolContext;

/// Token budget of the recent turns sent to the model.
const MEMORY_TOKENS: usize = 3_000;

/// A staff message from some channel.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// `telegram`, `whatsapp`, `terminal`.
    pub channel: String,
    /// The chat the reply goes to.
    pub chat_id: String,
    /// The sender's platform id (Telegram user id, WhatsApp phone, terminal user).
    pub sender_id: String,
    pub text: String,
}

/// The reply to send back.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub reply: RichText,
    pub lang: Lang,
    /// The linked staff member, when the sender is one.
    pub staff: Option<StaffMember>,
    /// The LLM failed and the command brain answered.
    pub fell_back: bool,
}

/// Turns staff messages into replies.
#[derive(Debug, Clone)]
pub struct Engine {
    pool: PgPool,
    llm: Option<LlmBrain>,
}

impl Engine {
    /// An engine on `pool`, with an LLM brain when one is configured.
    pub fn new(pool: PgPool, llm: Option<LlmBrain>) -> Self {
        Self { pool, llm }
    }

    /// The database pool.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Answers one message from a sender not identified yet (the terminal): looks the
    /// sender up, then answers as [`Engine::handle_as`] does.
    pub async fn handle(&self, msg: &Incoming) -> anyhow::Result<Outgoing> {
        // Two independent reads, sent together.
        let (member, clock) = tokio::try_join!(
            staff::identify(&self.pool, &msg.channel, &msg.sender_id),
            ClinicClock::load(&self.pool)
        )?;
        self.answer(msg, member, clock).await
    }

    /// Answers one message whose sender the caller has identified: `member` is the linked
    /// staff member, or None for a stranger. Strangers get a short refusal and no data,
    /// unless the message is an invite code (`/start CODE` or the code alone).
    pub async fn handle_as(
        &self,
        msg: &Incoming,
        member: Option<StaffMember>,
    ) -> anyhow::Result<Outgoing> {
        let clock = ClinicClock::load(&self.pool).await?;
        self.answer(msg, member, clock).await
    }

    #[tracing::instrument(name = "engine", skip_all, fields(channel = %msg.channel))]
    async fn answer(
        &self,
        msg: &Incoming,
        member: Option<StaffMember>,
        clock: ClinicClock,
    ) -> anyhow::Result<Outgoing> {
        let text = msg.text.trim();
        let Some(member) = member else {
            return self.stranger(msg, text).await;
        };
        let lang = language(text, &member);
        let ctx = ToolContext {
            pool: self.pool.clone(),
            clock,
            lang,
            staff_id: Some(member.id),
            channel: msg.channel.clone(),
        };
        let conversation =
            memory::conversation_for(&self.pool, &msg.channel, &msg.chat_id, Some(member.id))
                .await?;
        let mut fell_back = false;
        // Slash commands are exact; they never need the model.
        if let (Some(llm), false) = (&self.llm, text.starts_with('/')) {
            let history = memory::load_recent(&self.pool, conversation, MEMORY_TOKENS).await?;
            match llm.respond(&ctx, &history, text).await {
                Ok(answer) => {
                    memory::append(&self.pool, conversation, &answer.turns).await?;
                    return Ok(Outgoing {
                        reply: answer.reply,
                        lang,
                        staff: Some(member),
                        fell_back,
                    });
                }
                Err(e) => {
                    tracing::warn!(error.message = %e, "LLM failed; the command brain answers");
                    fell_back = true;
                }
            }
        }
        let mut reply = command::respond(&ctx, conversation, text).await?;
        memory::append(
            &self.pool,
            conversation,
            &[
                ChatTurn::user(text),
                ChatTurn::assistant(reply.render(crate::render::Markup::Plain)),
            ],
        )
        .await?;
        if fell_back {
            reply = RichText::join([
                reply,
                RichText::plain(lang.pick(
                    "(Respondí en modo rápido: el asistente de IA no está disponible ahora.)",
                    "(Answered in quick mode: the AI assistant is unavailable right now.)",
                )),
            ]);
        }
        Ok(Outgoing {
            reply,
            lang,
            staff: Some(member),
            fell_back,
        })
    }

    async fn stranger(&self, msg: &Incoming, text: &str) -> anyhow::Result<Outgoing> {
        let code = text.strip_prefix("/start").unwrap_or(text).trim();
        let lang = detect_lang(text);
        if staff::looks_like_code(code) {
            if let Some(member) =
                staff::redeem(&self.pool, code, &msg.channel, &msg.sender_id).await?
            {
                let lang = if member.language == "en" {
                    Lang::En
                } else {
                    Lang::Es
                };
                let welcome = match lang {
                    Lang::Es => format!("¡Hola, {}! Tu cuenta quedó vinculada. Escribe /ayuda para ver qué puedo hacer.", member.name),
                    Lang::En => format!("Hi, {}! Your account is linked. Send /help to see what I can do.", member.name),
                };
                return Ok(Outgoing {
                    reply: RichText::plain(welcome),
                    lang,
                    staff: Some(member),
                    fell_back: false,
                });
            }
        }
        Ok(Outgoing {
            reply: RichText::plain(lang.pick(
                "Este asistente es solo para el personal de la clínica. Si trabajas aquí, pide un código de invitación.",
                "This assistant is for clinic staff only. If you work here, ask for an invite code.",
            )),
            lang,
            staff: None,
            fell_back: false,
        })
    }
}

/// The reply language: English when the message is, else the staff member's own.
fn language(text: &str, member: &StaffMember) -> Lang {
    let spanish = text.chars().any(|c| "áéíóúñ¿¡".contains(c));
    match (detect_lang(text), member.language.as_str()) {
        (Lang::En, _) => Lang::En,
        (_, "en") if !spanish => Lang::En,
        _ => Lang::Es,
    }
}
