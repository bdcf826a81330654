//! The conversation engine: who is talking, which brain answers, what is remembered.
//! Every channel (terminal, Telegram, WhatsApp) hands messages to [`Engine::handle`].

use sqlx::PgPool;

use super::bound::bounded;
use super::command::{self, detect_lang, Recall};
use super::llm::{LlmBrain, LlmError};
use super::memory::{self, ChatTurn};
use super::pending::{self, Chat, Notice};
use crate::clock::ClinicClock;
use crate::domain::Lang;
use crate::marketing::{self, Policy};
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
    /// Messages for other chats (owners asked to confirm a bulk change, a requester told
    /// the outcome); the service sends them with the reply, the terminal does not.
    pub notices: Vec<Notice>,
}

/// Turns staff messages into replies.
#[derive(Debug, Clone)]
pub struct Engine {
    pool: PgPool,
    llm: Option<LlmBrain>,
    marketing: Policy,
    /// The clinic's Telegram bot username, for clients' start links.
    telegram_bot: Option<String>,
}

impl Engine {
    /// An engine on `pool`, with an LLM brain when one is configured.
    pub fn new(pool: PgPool, llm: Option<LlmBrain>) -> Self {
        Self {
            pool,
            llm,
            marketing: Policy::default(),
            telegram_bot: None,
        }
    }

    /// The rules campaigns follow.
    pub fn marketing(&self) -> &Policy {
        &self.marketing
    }

    /// The same engine with campaigns following `policy`.
    pub fn with_marketing(mut self, policy: Policy) -> Self {
        self.marketing = policy;
        self
    }

    /// The same engine, making clients' Telegram start links for bot `username`
    /// (`TELEGRAM_BOT_USERNAME`).
    pub fn with_telegram_bot(mut self, username: Option<String>) -> Self {
        self.telegram_bot = username;
        self
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
        self.answer(msg, member, clock, None, false).await
    }

    /// Answers one message whose sender the caller has identified: `member` is the linked
    /// staff member, or None for a stranger. Strangers get a short refusal and no data,
    /// unless the message is an invite code (`/start CODE` or the code alone). `source` is
    /// the message's stable key (channel and platform message id): the writes it asks for
    /// are keyed by it and happen once, however often the message is retried or edited.
    pub async fn handle_as(
        &self,
        msg: &Incoming,
        member: Option<StaffMember>,
        source: Option<String>,
    ) -> anyhow::Result<Outgoing> {
        let clock = ClinicClock::load(&self.pool).await?;
        self.answer(msg, member, clock, source, false).await
    }

    /// Answers a new version of a message already answered (an edited message), as
    /// [`Engine::handle_as`] does but without writing anything the answer would write: no
    /// note or tag (the tools say so instead), no held write confirmed or held, no notice.
    /// The caller compares the answer with the earlier one.
    pub async fn handle_edit_as(
        &self,
        msg: &Incoming,
        member: Option<StaffMember>,
        source: Option<String>,
    ) -> anyhow::Result<Outgoing> {
        let clock = ClinicClock::load(&self.pool).await?;
        let mut out = self.answer(msg, member, clock, source, true).await?;
        out.notices.clear();
        Ok(out)
    }

    /// The reply, in at most [`super::bound::MAX_MESSAGES`] chat messages whatever the
    /// brains produced.
    #[tracing::instrument(name = "engine", skip_all, fields(channel = %msg.channel))]
    async fn answer(
        &self,
        msg: &Incoming,
        member: Option<StaffMember>,
        clock: ClinicClock,
        source: Option<String>,
        edited: bool,
    ) -> anyhow::Result<Outgoing> {
        let mut out = self.unbounded(msg, member, clock, source, edited).await?;
        out.reply = bounded(out.reply, out.lang);
        Ok(out)
    }

    async fn unbounded(
        &self,
        msg: &Incoming,
        member: Option<StaffMember>,
        clock: ClinicClock,
        source: Option<String>,
        edited: bool,
    ) -> anyhow::Result<Outgoing> {
        // PostgreSQL refuses NUL in text; every message still gets its one reply.
        let text = msg.text.replace('\0', " ");
        let text = text.trim();
        let Some(member) = member else {
            return self.stranger(msg, text).await;
        };
        let lang = language(text, &member);
        let conversation =
            memory::conversation_for(&self.pool, &msg.channel, &msg.chat_id, Some(member.id))
                .await?;
        let ctx = ToolContext {
            pool: self.pool.clone(),
            clock,
            lang,
            staff_id: Some(member.id),
            channel: msg.channel.clone(),
            source,
            conversation: Some(conversation),
            marketing: self.marketing.clone(),
            edited,
            telegram_bot: self.telegram_bot.clone(),
        };
        let chat = Chat {
            channel: &msg.channel,
            chat_id: &msg.chat_id,
        };
        // A "sí" or "no" to a held write, then anything about campaigns (drafts from the
        // list just shown, edits, an owner's approval), are answered here, whichever brain
        // is configured: approving a send is never the model's to do. Not for an edited
        // message: the original already answered what was open then, and an edit never
        // approves or drafts.
        // An erasure's typed confirmation («confirmo borrar …») is no "sí" to a held write
        // or a campaign: it goes to the command brain below, whatever else is open.
        let rights = command::parse::data_rights(text);
        let resolved = match edited || rights {
            true => None,
            false => match pending::answer(&ctx, chat, &member, text).await? {
                Some(resolved) => Some(resolved),
                None => {
                    marketing::converse::answer(&ctx, chat, &member, conversation, text).await?
                }
            },
        };
        if let Some(resolved) = resolved {
            let said = ChatTurn::assistant(resolved.reply.render(crate::render::Markup::Plain));
            memory::append(&self.pool, conversation, &[ChatTurn::user(text), said]).await?;
            return Ok(Outgoing {
                reply: resolved.reply,
                lang,
                staff: Some(member),
                fell_back: false,
                notices: resolved.notices,
            });
        }
        let mut failure = None;
        // Slash commands are exact; they never need the model.
        // Nor does anything about a client's erasure or the request log: never the model's.
        let command_only =
            text.starts_with('/') || rights || command::parse::command_brain_tool(text);
        if let (Some(llm), false) = (&self.llm, command_only) {
            let ttl = llm.settings().memory_ttl;
            let history = memory::load_recent(&self.pool, conversation, MEMORY_TOKENS, ttl).await?;
            match llm.respond(&ctx, &history, text).await {
                Ok(answer) => {
                    let (mut reply, mut notices) = (answer.reply, Vec::new());
                    if let (Some(held), false) = (&answer.held, edited) {
                        let kept = pending::hold(&self.pool, chat, &member, held).await?;
                        // A staff member's bulk change waits for an owner: say who was asked.
                        if held.bulk && !member.is_owner() {
                            reply = RichText::join([reply, kept.told(lang)]);
                            notices = kept.notices;
                        }
                    }
                    memory::append(&self.pool, conversation, &answer.turns).await?;
                    return Ok(Outgoing {
                        reply,
                        lang,
                        staff: Some(member),
                        fell_back: false,
                        notices,
                    });
                }
                Err(e) => {
                    tracing::warn!(error.message = %e, "LLM failed; the command brain answers");
                    failure = Some(e);
                }
            }
        }
        // The command brain remembers only its own turns: with an LLM in the conversation,
        // its "last client" may not be the one being talked about.
        let recall = match self.llm {
            Some(_) => Recall::NamedOnly,
            None => Recall::LastClient,
        };
        let mut reply = command::respond(&ctx, conversation, text, recall).await?;
        memory::append(
            &self.pool,
            conversation,
            &[
                ChatTurn::user(command::parse::remembered(text)),
                ChatTurn::assistant(reply.render(crate::render::Markup::Plain)),
            ],
        )
        .await?;
        // Said only when the model really failed (a refusal is an answer, shown as such).
        if let Some(failure) = &failure {
            reply = RichText::join([reply, RichText::plain(quick_mode_note(failure, lang))]);
        }
        Ok(Outgoing {
            reply,
            lang,
            staff: Some(member),
            fell_back: failure.is_some(),
            notices: Vec::new(),
        })
    }

    /// Links the sender of `msg` to a staff member when its text is a valid invite code;
    /// the welcome, or None (not a code, or not a valid one).
    pub async fn link(&self, msg: &Incoming) -> anyhow::Result<Option<Outgoing>> {
        let Some(code) = invite_code(&msg.text) else {
            return Ok(None);
        };
        let Some(member) = staff::redeem(&self.pool, code, &msg.channel, &msg.sender_id).await?
        else {
            return Ok(None);
        };
        let lang = if member.language == "en" {
            Lang::En
        } else {
            Lang::Es
        };
        let welcome = match lang {
            Lang::Es => format!(
                "¡Hola, {}! Tu cuenta quedó vinculada. Escribe /ayuda para ver qué puedo hacer.",
                member.name
            ),
            Lang::En => format!(
                "Hi, {}! Your account is linked. Send /help to see what I can do.",
                member.name
            ),
        };
        Ok(Some(Outgoing {
            reply: RichText::plain(welcome),
            lang,
            staff: Some(member),
            fell_back: false,
            notices: Vec::new(),
        }))
    }

    async fn stranger(&self, msg: &Incoming, text: &str) -> anyhow::Result<Outgoing> {
        if let Some(welcome) = self.link(msg).await? {
            return Ok(welcome);
        }
        let lang = detect_lang(text);
        Ok(Outgoing {
            reply: RichText::plain(lang.pick(
                "Este asistente es solo para el personal de la clínica. Si trabajas aquí, pide un código de invitación.",
                "This assistant is for clinic staff only. If you work here, ask for an invite code.",
            )),
            lang,
            staff: None,
            fell_back: false,
            notices: Vec::new(),
        })
    }
}

/// The invite code in `text` (`/start CODE` or the code alone), if it looks like one.
fn invite_code(text: &str) -> Option<&str> {
    let text = text.trim();
    let code = text.strip_prefix("/start").unwrap_or(text).trim();
    staff::looks_like_code(code).then_some(code)
}

/// Why the command brain answered: the model could not be reached, or its answer was no use.
fn quick_mode_note(failure: &LlmError, lang: Lang) -> &'static str {
    match failure {
        LlmError::BadResponse(_) | LlmError::TooManySteps(_) => lang.pick(
            "(Respondí en modo rápido: el asistente de IA no dio una respuesta útil.)",
            "(Answered in quick mode: the AI assistant gave no usable answer.)",
        ),
        _ => lang.pick(
            "(Respondí en modo rápido: el asistente de IA no está disponible ahora.)",
            "(Answered in quick mode: the AI assistant is unavailable right now.)",
        ),
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
