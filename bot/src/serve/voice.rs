//! Staff voice notes (issue 15, item 4): a Telegram `voice` or a WhatsApp `audio` from a
//! staff member is downloaded from the platform, transcribed by the configured
//! OpenAI-compatible `/audio/transcriptions` endpoint (OpenAI's Whisper models, or a local
//! Whisper-compatible server), and answered like the same words typed, the answer quoting
//! what was understood ("🎤 «cuéntame sobre María García»"). Without an endpoint, one line
//! says how to turn it on. Notes longer than `VOICE_MAX_SECONDS` or larger than
//! [`MAX_BYTES`] are refused before they are downloaded where the platform tells their size.

use std::time::Duration;

use async_openai::config::OpenAIConfig;
use async_openai::types::audio::{AudioInput, CreateTranscriptionRequest};
use async_openai::Client;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use webhooks::{Channel, Inbound};

use super::context::Context;
use crate::domain::Lang;
use crate::settings::{parsed, var, SettingsError};

/// Largest voice note downloaded: 10 MB (two minutes of Opus voice are ~300 KB).
pub(crate) const MAX_BYTES: u64 = 10 * 1024 * 1024;
const DEFAULT_MODEL: &str = "whisper-1";
const DEFAULT_MAX_SECONDS: u32 = 120;
/// Limit of one transcription request.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Where voice notes are transcribed.
#[derive(Debug, Clone)]
pub struct VoiceSettings {
    /// `TRANSCRIBE_BASE_URL`, else `LLM_BASE_URL` (e.g. `https://api.openai.com/v1`).
    pub base_url: String,
    /// `TRANSCRIBE_MODEL` (default `whisper-1`).
    pub model: String,
    /// `OPENAI_API_KEY` (local servers accept any).
    pub api_key: SecretString,
    /// Longest note transcribed, in seconds (`VOICE_MAX_SECONDS`, default 120).
    pub max_seconds: u32,
}

impl VoiceSettings {
    /// None when neither `TRANSCRIBE_BASE_URL` nor `LLM_BASE_URL` is set.
    pub fn from_lookup(
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<Self>, SettingsError> {
        let max_seconds = parsed(
            lookup,
            "VOICE_MAX_SECONDS",
            "a whole number of seconds from 1 to 600",
            |n: &u32| (1..=600).contains(n),
        )?
        .unwrap_or(DEFAULT_MAX_SECONDS);
        let Some(base_url) =
            var(lookup, "TRANSCRIBE_BASE_URL").or_else(|| var(lookup, "LLM_BASE_URL"))
        else {
            return Ok(None);
        };
        Ok(Some(Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            model: var(lookup, "TRANSCRIBE_MODEL").unwrap_or_else(|| DEFAULT_MODEL.into()),
            api_key: var(lookup, "OPENAI_API_KEY").unwrap_or_default().into(),
            max_seconds,
        }))
    }
}

/// A voice note in a message: the platform's media id, its type, and what the platform
/// says of its length and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Note {
    pub media_id: String,
    pub mime_type: String,
    pub seconds: Option<u64>,
    pub bytes: Option<u64>,
}

/// The voice note `inbound` carries, if any (Telegram `voice`, WhatsApp `audio`).
pub(crate) fn note(inbound: &Inbound) -> Option<Note> {
    let (audio, id_field) = match inbound.channel {
        Channel::Telegram => {
            let message = inbound.raw.get("message")?;
            (message.get("voice")?, "file_id")
        }
        Channel::WhatsApp => (inbound.raw.get("audio")?, "id"),
    };
    let number = |field: &str| audio.get(field).and_then(Value::as_u64);
    Some(Note {
        media_id: audio.get(id_field)?.as_str()?.to_owned(),
        mime_type: audio
            .get("mime_type")
            .and_then(Value::as_str)
            .unwrap_or("audio/ogg")
            .to_owned(),
        seconds: number("duration"),
        bytes: number("file_size"),
    })
}

/// What became of a voice note: its words, or the one line to answer instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Heard {
    Words(String),
    Say(String),
}

/// Downloads and transcribes `note`.
#[tracing::instrument(name = "voice_note", skip_all, fields(channel = ?inbound.channel))]
pub(crate) async fn transcribe(ctx: &Context, inbound: &Inbound, note: &Note, lang: Lang) -> Heard {
    let say = |es: &str, en: &str| Heard::Say(lang.pick(es, en).to_owned());
    let Some(settings) = ctx.voice.as_ref() else {
        return say(
            "🎤 Aún no entiendo notas de voz: configura TRANSCRIBE_BASE_URL (o LLM_BASE_URL) con un servicio de transcripción compatible con OpenAI. Mientras, escríbeme. ✍️",
            "🎤 I can't understand voice notes yet: set TRANSCRIBE_BASE_URL (or LLM_BASE_URL) to an OpenAI-compatible transcription service. Meanwhile, type to me. ✍️",
        );
    };
    if note
        .seconds
        .is_some_and(|s| s > u64::from(settings.max_seconds))
    {
        return Heard::Say(match lang {
            Lang::Es => format!(
                "🎤 La nota dura más de {} segundos; mándala más corta o escríbeme.",
                settings.max_seconds
            ),
            Lang::En => format!(
                "🎤 That note is longer than {} seconds; send a shorter one or type it.",
                settings.max_seconds
            ),
        });
    }
    let too_large = || {
        say(
            "🎤 La nota de voz es demasiado grande; mándala más corta o escríbeme.",
            "🎤 That voice note is too large; send a shorter one or type it.",
        )
    };
    if note.bytes.is_some_and(|b| b > MAX_BYTES) {
        return too_large();
    }
    let Some(sender) = ctx.senders.get(inbound.channel) else {
        return say(
            "🎤 No pude descargar la nota de voz.",
            "🎤 I couldn't download the voice note.",
        );
    };
    let file = match sender
        .download(&note.media_id, &note.mime_type, MAX_BYTES)
        .await
    {
        Ok(file) => file,
        Err(e) => {
            tracing::warn!(error.message = %e, "could not download a voice note");
            if matches!(
                e,
                webhooks::SendError::WhatsApp(webhooks::WhatsAppError::TooLarge(_))
                    | webhooks::SendError::Telegram(webhooks::TelegramError::TooLarge(_))
            ) {
                return too_large();
            }
            return say(
                "🎤 No pude descargar la nota de voz; intenta de nuevo o escríbeme.",
                "🎤 I couldn't download the voice note; try again or type it.",
            );
        }
    };
    match words(settings, file.file_name, file.bytes, lang).await {
        Ok(text) if !text.trim().is_empty() => Heard::Words(text.trim().to_owned()),
        Ok(_) => say(
            "🎤 No escuché palabras en la nota; ¿me la repites o me escribes?",
            "🎤 I heard no words in that note; could you repeat it or type it?",
        ),
        Err(e) => {
            tracing::warn!(error.message = %e, "transcription failed");
            say(
                "🎤 No pude transcribir la nota de voz; intenta de nuevo o escríbeme.",
                "🎤 I couldn't transcribe the voice note; try again or type it.",
            )
        }
    }
}

/// The line an answer to a voice note starts with: what was understood.
pub(crate) fn quote(words: &str) -> crate::render::RichText {
    crate::render::RichText::plain(format!(
        "🎤 «{}»",
        crate::render::fmt::one_line(words, QUOTE_CHARS)
    ))
}

/// Characters of a transcript quoted back.
const QUOTE_CHARS: usize = 300;

/// One `/audio/transcriptions` call.
async fn words(
    settings: &VoiceSettings,
    file_name: String,
    bytes: Vec<u8>,
    lang: Lang,
) -> Result<String, async_openai::error::OpenAIError> {
    let http = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .build()
        .map_err(|e| async_openai::error::OpenAIError::InvalidArgument(e.to_string()))?;
    let config = OpenAIConfig::new()
        .with_api_base(&settings.base_url)
        .with_api_key(settings.api_key.expose_secret());
    let client = Client::with_config(config).with_http_client(http);
    let request = CreateTranscriptionRequest {
        file: AudioInput::from_vec_u8(file_name, bytes),
        model: settings.model.clone(),
        language: Some(lang.as_db_str().to_owned()),
        ..Default::default()
    };
    // Read leniently: local Whisper servers answer `{"text": ...}` alone, which
    // async-openai's typed response (it requires OpenAI's `usage`) refuses.
    let answer: Value = client.audio().transcription().create_byot(request).await?;
    answer
        .get("text")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            async_openai::error::OpenAIError::InvalidArgument("no text in the answer".into())
        })
}
