//! Marketing consent: a history of grants and withdrawals per client, channel and purpose
//! (table `consent_events`). The newest row for (client, channel, purpose) is the state; no
//! row means no consent, so a new client starts without it. Staff record what a client told
//! them (`record_consent`), clients withdraw and resume by keyword (BAJA / ALTA), WhatsApp
//! reports its own stop/resume (`user_preferences`), and a client who linked Telegram
//! answers the bot's question there.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgExecutor};

use crate::domain::{fold, Lang};

/// Where a consent was given or withdrawn (`consent_events.source`).
pub mod source {
    /// Recorded by a staff member in the chat (how the client said it goes in the note).
    pub const STAFF: &str = "staff";
    /// The demo clinic's seed.
    pub const DEMO: &str = "demo";
    /// The client wrote BAJA / STOP (or ALTA / START to resume).
    pub const KEYWORD: &str = "keyword";
    /// WhatsApp's `user_preferences` webhook (the client stopped or resumed marketing in the app).
    pub const PLATFORM: &str = "platform";
    /// The client answered the question asked when they linked their Telegram chat.
    pub const TELEGRAM_START: &str = "telegram_start";
    /// An explicit consent column of the practice system's export (`vetbot import`).
    pub const IMPORT: &str = "import";
}

/// A channel a client may be written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConsentChannel {
    #[serde(rename = "whatsapp")]
    WhatsApp,
    Telegram,
    Sms,
    Email,
}

impl ConsentChannel {
    /// Every channel, in display order.
    pub const ALL: [ConsentChannel; 4] = [Self::WhatsApp, Self::Telegram, Self::Sms, Self::Email];

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WhatsApp => "whatsapp",
            Self::Telegram => "telegram",
            Self::Sms => "sms",
            Self::Email => "email",
        }
    }

    /// A channel as stored, or as staff or a model write it ("WhatsApp", "correo", "e-mail").
    pub fn parse(text: &str) -> Option<Self> {
        match fold(text).trim().trim_matches('.') {
            "whatsapp" | "wa" | "wasap" | "whats" | "whats app" => Some(Self::WhatsApp),
            "telegram" | "tg" => Some(Self::Telegram),
            "sms" | "mensaje de texto" | "mensajes de texto" | "text" | "texto" => Some(Self::Sms),
            "email" | "e-mail" | "mail" | "correo" | "correo electronico" => Some(Self::Email),
            _ => None,
        }
    }

    /// The channel's name for people.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::WhatsApp => "WhatsApp",
            Self::Telegram => "Telegram",
            Self::Sms => "SMS",
            Self::Email => lang.pick("correo", "e-mail"),
        }
    }
}

/// What the client agreed to receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Purpose {
    /// Promotions, reactivation, birthdays, news (a secondary purpose under the LFPDPPP).
    #[default]
    Marketing,
    /// Reminders of care already due (vaccines, appointments).
    Reminders,
}

impl Purpose {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Marketing => "marketing",
            Self::Reminders => "reminders",
        }
    }

    /// The purpose stored as `text`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "marketing" => Some(Self::Marketing),
            "reminders" => Some(Self::Reminders),
            _ => None,
        }
    }

    /// The purpose for people.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::Marketing => lang.pick("promociones", "marketing"),
            Self::Reminders => lang.pick("recordatorios", "reminders"),
        }
    }
}

/// A grant or withdrawal to record.
#[derive(Debug, Clone)]
pub struct NewConsent<'a> {
    pub owner_id: i64,
    pub channel: ConsentChannel,
    pub purpose: Purpose,
    pub granted: bool,
    /// One of [`source`].
    pub source: &'a str,
    /// The staff member who recorded it.
    pub by: Option<i64>,
    /// How the client said it ("en recepción", "formulario"), or the platform's words.
    pub note: &'a str,
    /// When it happened, if not now (a platform's timestamp).
    pub at: Option<DateTime<Utc>>,
}

/// A client's consent for one channel and purpose: the newest event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentState {
    pub channel: ConsentChannel,
    pub purpose: Purpose,
    pub granted: bool,
    pub source: String,
    pub note: String,
    /// The staff member who recorded it, by name.
    pub recorded_by: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

/// Records `consent` (an event older than the newest, e.g. a late platform report, is
/// history and does not change the state). Keeps the legacy
/// `owner_profiles.marketing_opt_in` meaning "no current marketing opt-out on any channel".
#[tracing::instrument(name = "record_consent", skip_all, fields(owner_id = consent.owner_id, channel = consent.channel.as_str(), granted = consent.granted))]
pub async fn record(conn: &mut PgConnection, consent: &NewConsent<'_>) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        insert into consent_events (owner_id, channel, purpose, granted, source, recorded_by, note, recorded_at)
        values ($1, $2, $3, $4, $5, $6, $7, coalesce($8, now()))
        "#,
        consent.owner_id,
        consent.channel.as_str(),
        consent.purpose.as_str(),
        consent.granted,
        consent.source,
        consent.by,
        consent.note,
        consent.at
    )
    .execute(&mut *conn)
    .await?;
    if consent.purpose == Purpose::Marketing {
        sqlx::query!(
            r#"
            -- language=PostgreSQL
            update owner_profiles p
               set marketing_opt_in = c.opt_in, updated_at = now()
              from (select not exists (
                           select 1 from (select distinct on (channel) granted
                                            from consent_events
                                           where owner_id = $1 and purpose = 'marketing'
                                           order by channel, recorded_at desc, id desc) s
                            where not s.granted) as opt_in) c
             where p.owner_id = $1 and p.marketing_opt_in <> c.opt_in
            "#,
            consent.owner_id
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Records a platform's report that the client stopped or resumed marketing (source
/// `platform`), at the platform's time; a redelivered report (same time, same answer) is
/// recorded once. False when it was already there.
pub async fn record_platform(
    conn: &mut PgConnection,
    owner_id: i64,
    channel: ConsentChannel,
    granted: bool,
    at: Option<DateTime<Utc>>,
    detail: &str,
) -> sqlx::Result<bool> {
    if let Some(at) = at {
        let seen = sqlx::query_scalar!(
            r#"
            -- language=PostgreSQL
            select exists (select 1 from consent_events
                            where owner_id = $1 and channel = $2 and purpose = 'marketing'
                              and source = 'platform' and granted = $3 and recorded_at = $4)
                   as "seen!"
            "#,
            owner_id,
            channel.as_str(),
            granted,
            at
        )
        .fetch_one(&mut *conn)
        .await?;
        if seen {
            return Ok(false);
        }
    }
    let note: String = detail.chars().take(200).collect();
    let consent = NewConsent {
        owner_id,
        channel,
        purpose: Purpose::Marketing,
        granted,
        source: source::PLATFORM,
        by: None,
        note: &note,
        at,
    };
    record(conn, &consent).await?;
    Ok(true)
}

/// The client's current consent for every channel and purpose that has a record.
pub async fn current<'e>(
    executor: impl PgExecutor<'e>,
    owner_id: i64,
) -> sqlx::Result<Vec<ConsentState>> {
    let rows = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select distinct on (e.channel, e.purpose)
               e.channel, e.purpose, e.granted, e.source, e.note, e.recorded_at,
               s.name as "recorded_by?"
          from consent_events e left join staff s on s.id = e.recorded_by
         where e.owner_id = $1
         order by e.channel, e.purpose, e.recorded_at desc, e.id desc
        "#,
        owner_id
    )
    .fetch_all(executor)
    .await?;
    let mut states: Vec<ConsentState> = rows
        .into_iter()
        .filter_map(|r| {
            Some(ConsentState {
                channel: ConsentChannel::parse(&r.channel)?,
                purpose: Purpose::parse(&r.purpose)?,
                granted: r.granted,
                source: r.source,
                note: r.note,
                recorded_by: r.recorded_by,
                recorded_at: r.recorded_at,
            })
        })
        .collect();
    states.sort_by_key(|s| {
        let channel = ConsentChannel::ALL.iter().position(|c| *c == s.channel);
        (channel, s.purpose != Purpose::Marketing)
    });
    Ok(states)
}

/// Whether the client has marketing consent on `channel` now.
pub async fn granted(
    conn: &mut PgConnection,
    owner_id: i64,
    channel: ConsentChannel,
) -> sqlx::Result<bool> {
    let now = current(&mut *conn, owner_id).await?;
    Ok(now
        .iter()
        .any(|s| s.channel == channel && s.purpose == Purpose::Marketing && s.granted))
}

/// A keyword a client writes to stop or resume marketing messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    /// BAJA, STOP, ALTO, CANCELAR, UNSUBSCRIBE.
    Stop,
    /// ALTA, START.
    Resume,
}

const STOP_WORDS: [&str; 5] = ["baja", "stop", "alto", "cancelar", "unsubscribe"];
const RESUME_WORDS: [&str; 2] = ["alta", "start"];

/// The keyword `text` is, when it is nothing but one (any case, accents, spaces and closing
/// punctuation): "BAJA", " Stop! ", "cancelar." — but not "no me den de baja" or "/start".
pub fn keyword(text: &str) -> Option<Keyword> {
    let folded = fold(text);
    let word = folded
        .trim()
        .trim_start_matches(['¡', '¿'])
        .trim_end_matches(['.', '!', '?', ' ']);
    if STOP_WORDS.contains(&word) {
        Some(Keyword::Stop)
    } else if RESUME_WORDS.contains(&word) {
        Some(Keyword::Resume)
    } else {
        None
    }
}

/// What a keyword did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeywordOutcome {
    /// Marketing on the channel withdrawn.
    OptedOut,
    /// Marketing on the channel granted again (the client had it before).
    Resumed,
    /// "ALTA" from a client who never gave consent: nothing recorded (writing to the clinic
    /// is not a consent); staff see the message.
    NotResumed,
}

/// Applies `keyword` from client `owner_id` on `channel`: a withdrawal always; a resume
/// only for a client who had consent before and withdrew it.
pub async fn apply_keyword(
    conn: &mut PgConnection,
    owner_id: i64,
    channel: ConsentChannel,
    keyword: Keyword,
    said: &str,
) -> sqlx::Result<KeywordOutcome> {
    let granted = keyword == Keyword::Resume;
    if granted {
        let history = sqlx::query!(
            r#"
            -- language=PostgreSQL
            select coalesce(bool_or(granted), false) as "ever_granted!",
                   (array_agg(granted order by recorded_at desc, id desc))[1] as "now?"
              from consent_events
             where owner_id = $1 and channel = $2 and purpose = 'marketing'
            "#,
            owner_id,
            channel.as_str()
        )
        .fetch_one(&mut *conn)
        .await?;
        if !history.ever_granted {
            return Ok(KeywordOutcome::NotResumed);
        }
        if history.now == Some(true) {
            return Ok(KeywordOutcome::Resumed);
        }
    }
    let note: String = said.trim().chars().take(40).collect();
    let consent = NewConsent {
        owner_id,
        channel,
        purpose: Purpose::Marketing,
        granted,
        source: source::KEYWORD,
        by: None,
        note: &note,
        at: None,
    };
    record(conn, &consent).await?;
    tracing::info!(granted, "client keyword recorded");
    Ok(if granted {
        KeywordOutcome::Resumed
    } else {
        KeywordOutcome::OptedOut
    })
}

/// What the client is told after a keyword: it names the clinic and says how to undo it.
pub fn keyword_reply(
    outcome: KeywordOutcome,
    channel: ConsentChannel,
    clinic: &str,
    lang: Lang,
) -> Option<String> {
    let via = channel.label(lang);
    match (outcome, lang) {
        (KeywordOutcome::OptedOut, Lang::Es) => Some(format!(
            "Listo: {clinic} ya no te enviará promociones por {via}. Si cambias de opinión, escribe ALTA."
        )),
        (KeywordOutcome::OptedOut, Lang::En) => Some(format!(
            "Done: {clinic} will no longer send you marketing messages on {via}. If you change your mind, reply START."
        )),
        (KeywordOutcome::Resumed, Lang::Es) => Some(format!(
            "¡Listo! {clinic} volverá a enviarte promociones por {via}. Para dejar de recibirlas, escribe BAJA."
        )),
        (KeywordOutcome::Resumed, Lang::En) => Some(format!(
            "Done! {clinic} will send you marketing messages on {via} again. To stop them, reply STOP."
        )),
        (KeywordOutcome::NotResumed, _) => None,
    }
}

/// The clinic's name for clients: `CLINIC_NAME` when set, else the `clinic` row's, else a
/// generic "la clínica".
pub async fn clinic_name(
    conn: &mut PgConnection,
    configured: Option<&str>,
    lang: Lang,
) -> sqlx::Result<String> {
    if let Some(name) = configured.filter(|n| !n.trim().is_empty()) {
        return Ok(name.trim().to_owned());
    }
    let stored = sqlx::query_scalar!("select name from clinic where id = 1")
        .fetch_optional(&mut *conn)
        .await?;
    Ok(stored
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| lang.pick("la clínica", "the clinic").to_owned()))
}

/// A client's preferred language.
pub async fn client_lang(conn: &mut PgConnection, owner_id: i64) -> sqlx::Result<Lang> {
    let code = sqlx::query_scalar!(
        "select preferred_language from owner_profiles where owner_id = $1",
        owner_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    Ok(code.map_or(Lang::Es, |c| Lang::from_code(&c)))
}

/// Every channel with a marketing record, or a linked chat: "WhatsApp sí · Telegram no
/// (pidió BAJA, 12 Nov 2025)"; "sin permiso registrado" when there is none. The flag says
/// whether anything in it should make staff stop and look (no consent anywhere, a
/// withdrawal, a linked chat without consent).
pub fn summary(states: &[ConsentState], linked: &[ConsentChannel], lang: Lang) -> (String, bool) {
    let marketing: Vec<&ConsentState> = states
        .iter()
        .filter(|s| s.purpose == Purpose::Marketing)
        .collect();
    let mut parts = Vec::new();
    let mut warns = marketing.is_empty();
    for channel in ConsentChannel::ALL {
        let state = marketing.iter().find(|s| s.channel == channel);
        match state {
            Some(s) if s.granted => parts.push(format!(
                "{} {}",
                channel.label(lang),
                lang.pick("sí", "yes")
            )),
            Some(s) => {
                warns = true;
                let local = s.recorded_at.with_timezone(&crate::clock::DEFAULT_TIMEZONE);
                let day = crate::render::fmt::date(local.date_naive(), lang);
                let why = match s.source.as_str() {
                    source::KEYWORD => {
                        format!("{}, {day}", lang.pick("pidió BAJA", "asked to stop"))
                    }
                    source::PLATFORM => format!(
                        "{}, {day}",
                        lang.pick("lo desactivó en WhatsApp", "turned it off in WhatsApp")
                    ),
                    _ => day,
                };
                parts.push(format!("{} no ({why})", channel.label(lang)));
            }
            None if linked.contains(&channel) => {
                warns = true;
                parts.push(format!(
                    "{} {}",
                    channel.label(lang),
                    lang.pick("sin permiso", "no consent")
                ));
            }
            None => {}
        }
    }
    if parts.is_empty() {
        let none = lang.pick("sin permiso registrado", "no consent recorded");
        return (none.to_owned(), true);
    }
    (parts.join(" · "), warns)
}

/// The profile card's line for a client's marketing consent, when it warns (see
/// [`summary`]). A client who accepts marketing on every channel on record gets no line,
/// so the story's card stays the story's.
pub fn card_line(states: &[ConsentState], linked: &[ConsentChannel], lang: Lang) -> Option<String> {
    let (summary, warns) = summary(states, linked, lang);
    let head = lang.pick("📣 Promociones", "📣 Marketing");
    warns.then(|| format!("{head}: {summary}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_the_whole_message() {
        for stop in [
            "BAJA",
            "baja.",
            " Stop ",
            "STOP!",
            "Alto",
            "cancelar",
            "UNSUBSCRIBE",
            "Bája",
        ] {
            assert_eq!(keyword(stop), Some(Keyword::Stop), "{stop}");
        }
        for resume in ["ALTA", "alta!", "Start"] {
            assert_eq!(keyword(resume), Some(Keyword::Resume), "{resume}");
        }
        for no in [
            "no me den de baja",
            "stop by tomorrow",
            "gracias",
            "/start",
            "/start abc",
            "",
        ] {
            assert_eq!(keyword(no), None, "{no}");
        }
    }

    #[test]
    fn channels_parse_as_written() {
        assert_eq!(
            ConsentChannel::parse("WhatsApp"),
            Some(ConsentChannel::WhatsApp)
        );
        assert_eq!(ConsentChannel::parse("correo"), Some(ConsentChannel::Email));
        assert_eq!(
            ConsentChannel::parse("telegram"),
            Some(ConsentChannel::Telegram)
        );
        assert_eq!(ConsentChannel::parse("paloma"), None);
        for c in ConsentChannel::ALL {
            assert_eq!(ConsentChannel::parse(c.as_str()), Some(c));
        }
    }

    fn state(channel: ConsentChannel, granted: bool, source: &str) -> ConsentState {
        ConsentState {
            channel,
            purpose: Purpose::Marketing,
            granted,
            source: source.into(),
            note: String::new(),
            recorded_by: None,
            recorded_at: "2025-11-12T18:00:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn the_card_line_warns_and_stays_quiet_when_all_is_granted() {
        let wa = state(ConsentChannel::WhatsApp, true, source::STAFF);
        assert_eq!(card_line(std::slice::from_ref(&wa), &[], Lang::Es), None);
        assert_eq!(
            card_line(&[], &[], Lang::Es).as_deref(),
            Some("📣 Promociones: sin permiso registrado")
        );
        assert_eq!(
            card_line(&[], &[], Lang::En).as_deref(),
            Some("📣 Marketing: no consent recorded")
        );
        let out = state(ConsentChannel::WhatsApp, false, source::KEYWORD);
        assert_eq!(
            card_line(&[out], &[ConsentChannel::Telegram], Lang::Es).as_deref(),
            Some("📣 Promociones: WhatsApp no (pidió BAJA, 12 Nov 2025) · Telegram sin permiso")
        );
        let tg = state(ConsentChannel::Telegram, false, source::TELEGRAM_START);
        assert_eq!(
            card_line(&[wa, tg], &[ConsentChannel::Telegram], Lang::En).as_deref(),
            Some("📣 Marketing: WhatsApp yes · Telegram no (Nov 12, 2025)")
        );
    }

    #[test]
    fn replies_name_the_clinic_and_the_way_back() {
        let out = keyword_reply(
            KeywordOutcome::OptedOut,
            ConsentChannel::WhatsApp,
            "Clínica Coral",
            Lang::Es,
        )
        .unwrap();
        assert!(
            out.contains("Clínica Coral") && out.contains("ALTA"),
            "{out}"
        );
        let back = keyword_reply(
            KeywordOutcome::Resumed,
            ConsentChannel::WhatsApp,
            "Coral Vet",
            Lang::En,
        )
        .unwrap();
        assert!(
            back.contains("Coral Vet") && back.contains("STOP"),
            "{back}"
        );
        assert_eq!(
            keyword_reply(
                KeywordOutcome::NotResumed,
                ConsentChannel::WhatsApp,
                "x",
                Lang::Es
            ),
            None
        );
    }
}
