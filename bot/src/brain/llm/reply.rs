//! One turn of the LLM brain as it goes ([`Turn`]), and how its reply is framed: the cards
//! of the tools that ran (rendered by code), then the model's own words (cut to a length,
//! links not from the clinic's data removed), then any write that did not happen: a refused
//! write is said last, so "Listo." never passes for done.

use async_openai::types::chat::{
    ChatCompletionMessageToolCall, ChatCompletionMessageToolCalls, FunctionCall,
};
use serde_json::json;

use super::answer::unique_ids;
use super::{links, parse_arguments, writes, BrainReply, ExecutedCall, Limits, LlmError, Outcome};
use crate::brain::bound::bounded;
use crate::brain::memory::ChatTurn;
use crate::brain::pending::{HeldCall, HeldWrite};
use crate::domain::Lang;
use crate::render::{profile_follow_up, Line, RichText};
use crate::tools::{
    add_owner_note, get_owner_profile, record_consent, search_owners, ToolContext, ToolError,
};

/// Characters of the model's own text in a reply; the cards carry the data.
const MODEL_TEXT_MAX_CHARS: usize = 3_000;

/// A card a tool rendered in this turn.
struct Shown {
    tool: String,
    card: RichText,
    /// The owner whose profile this card is.
    profile_of: Option<i64>,
    /// The owners a search found.
    found: Vec<i64>,
}

/// The state of one staff message's turn.
pub(super) struct Turn {
    lang: Lang,
    pub(super) turns: Vec<ChatTurn>,
    executed: Vec<ExecutedCall>,
    shown: Vec<Shown>,
    /// Writes that did not happen, as told to the person.
    refusals: Vec<RichText>,
    /// Owners changed by this turn's writes.
    written: Vec<i64>,
    /// Write calls held for confirmation (not asked for, or too many clients).
    held: Vec<HeldCall>,
    /// The turn was held for changing too many clients.
    bulk: bool,
    /// The tools' data of this turn as text: links found here may be repeated by the model.
    data: String,
    /// Tool-call ids used in the conversation so far (memory and this turn).
    ids: Vec<String>,
    pub(super) llm_calls: u32,
    pub(super) usage: Option<(u32, u32)>,
}

impl Turn {
    pub(super) fn new(lang: Lang, user_text: &str, history: &[ChatTurn]) -> Self {
        let ids = history.iter().flat_map(ChatTurn::tool_call_ids);
        Self {
            ids: ids.map(str::to_owned).collect(),
            lang,
            turns: vec![ChatTurn::user(user_text)],
            executed: Vec::new(),
            shown: Vec::new(),
            refusals: Vec::new(),
            written: Vec::new(),
            held: Vec::new(),
            bulk: false,
            data: String::new(),
            llm_calls: 0,
            usage: None,
        }
    }

    /// Answers every call in memory, and keeps the cards of those that succeeded.
    pub(super) fn record(&mut self, outcomes: Vec<Outcome>) {
        for outcome in outcomes {
            self.turns
                .push(ChatTurn::tool(&outcome.id, outcome.content(self.lang)));
            if outcome.ran {
                self.executed.push(ExecutedCall {
                    name: outcome.name.clone(),
                    arguments: outcome.arguments.clone(),
                    ok: outcome.result.is_ok(),
                });
            }
            let output = match (&outcome.result, outcome.writes()) {
                (Ok(output), _) => output,
                (Err(ToolError::NeedsConfirmation(_)), writes) => {
                    if writes {
                        self.hold(&outcome);
                    }
                    continue;
                }
                (Err(e), true) => {
                    if matches!(e, ToolError::NotRequested) {
                        self.hold(&outcome);
                    }
                    let refusal = refusal(&outcome.name, e, self.lang);
                    if !self.refusals.contains(&refusal) {
                        self.refusals.push(refusal);
                    }
                    continue;
                }
                (Err(_), false) => continue,
            };
            self.data.push_str(&output.data.to_string());
            if let Some(owner) = outcome
                .writes()
                .then(|| owner_of(&outcome.arguments))
                .flatten()
            {
                if !self.written.contains(&owner) {
                    self.written.push(owner);
                }
            }
            let Ok(output) = outcome.result else { continue };
            let found = match outcome.name.as_str() {
                search_owners::NAME => output.data["matches"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|m| m["id"].as_i64())
                    .collect(),
                _ => Vec::new(),
            };
            self.shown.push(Shown {
                profile_of: (outcome.name == get_owner_profile::NAME)
                    .then(|| outcome.arguments["user_id"].as_i64())
                    .flatten(),
                tool: outcome.name,
                card: output.card,
                found,
            });
        }
    }

    /// Keeps a held write call, to run if the person confirms it.
    fn hold(&mut self, outcome: &Outcome) {
        if outcome.arguments.is_object() {
            self.held.push(HeldCall {
                name: outcome.name.clone(),
                arguments: outcome.arguments.clone(),
            });
        }
    }

    /// The reply to a look-up, without asking the model again: a search that found one
    /// owner is followed by that owner's profile (run here, and remembered as a call).
    pub(super) async fn look_up(mut self, ctx: &ToolContext) -> BrainReply {
        let single: Vec<i64> = self
            .shown
            .iter()
            .filter(|s| s.found.len() == 1 && !self.shows_profile(s.found[0]))
            .map(|s| s.found[0])
            .collect();
        if !single.is_empty() {
            let mut calls: Vec<ChatCompletionMessageToolCalls> = single
                .iter()
                .map(|id| {
                    ChatCompletionMessageToolCalls::Function(ChatCompletionMessageToolCall {
                        id: format!("auto_profile_{id}"),
                        function: FunctionCall {
                            name: get_owner_profile::NAME.to_owned(),
                            arguments: json!({ "user_id": id }).to_string(),
                        },
                    })
                })
                .collect();
            self.unique_ids(&mut calls);
            let limits = Limits {
                max_calls: calls.len(),
                writes_asked: false,
            };
            let outcomes = super::run_calls(ctx, &calls, limits).await;
            self.turns.push(ChatTurn::assistant_tool_calls(None, calls));
            self.record(outcomes);
        }
        let (cards, profiles) = self.cards();
        let follow_up = (profiles > 0).then(|| profile_follow_up(self.lang));
        let mut names: Vec<&str> = self.shown.iter().map(|s| s.tool.as_str()).collect();
        names.dedup();
        let mut memo = self
            .lang
            .pick(
                "(Tarjetas mostradas al usuario: ",
                "(Cards shown to the user: ",
            )
            .to_owned();
        memo.push_str(&format!("{}.)", names.join(", ")));
        if let Some(f) = &follow_up {
            memo.push(' ');
            memo.push_str(&f.to_plain());
        }
        let reply = RichText::join(cards.into_iter().chain(follow_up));
        self.into_reply(reply, memo)
    }

    /// The reply once the model answers in words: the turn's cards, its text, the refusals.
    pub(super) fn finish(self, text: String) -> Result<BrainReply, LlmError> {
        let (cards, _) = self.cards();
        let text = self.model_text(&text);
        let refusals = self.refusals.clone();
        let parts = cards.into_iter().chain([plain_text(&text)]).chain(refusals);
        let reply = RichText::join(parts);
        if reply.is_empty() {
            return Err(LlmError::BadResponse("the model answered nothing".into()));
        }
        Ok(self.into_reply(reply, text))
    }

    /// Gives `calls` ids used nowhere else in the conversation (see [`unique_ids`]).
    pub(super) fn unique_ids(&mut self, calls: &mut [ChatCompletionMessageToolCalls]) {
        unique_ids(calls, &mut self.ids);
    }

    /// The model wrote a tool call as text that cannot run: never shown. The turn's cards
    /// and refusals, if it has any by now; else no answer, and the command brain answers.
    pub(super) fn unusable(self, why: &str) -> Result<BrainReply, LlmError> {
        if self.shown.is_empty() && self.refusals.is_empty() {
            return Err(LlmError::BadResponse(format!(
                "the model wrote a tool call as text ({why})"
            )));
        }
        self.finish(String::new())
    }

    /// The model declined to answer: shown as its refusal, after any cards of the turn.
    pub(super) fn refused(self, refusal: &str) -> BrainReply {
        let (cards, _) = self.cards();
        let said = format!(
            "{}{}",
            self.lang.pick(
                "El asistente de IA no quiso responder: ",
                "The AI assistant declined to answer: "
            ),
            self.model_text(refusal)
        );
        let reply = RichText::join(cards.into_iter().chain([plain_text(&said)]));
        self.into_reply(reply, said)
    }

    /// The model's answer would change more than `max` clients: nothing ran; the count is
    /// stated and confirmation asked for (the engine keeps the held calls). An `owner` is
    /// asked here; anyone else is told only an owner confirms (the engine asks the owners).
    pub(super) fn confirm_bulk(mut self, clients: usize, max: usize, owner: bool) -> BrainReply {
        self.bulk = true;
        let (cards, _) = self.cards();
        let said = match (self.lang, owner) {
            (Lang::Es, true) => format!(
                "⚠️ No hice ningún cambio todavía: esto cambiaría a {clients} clientes, y sin confirmación cambio como máximo {max} por mensaje. Un cambio masivo solo lo puede confirmar el dueño de la clínica. ¿Confirmas? Responde «sí» para hacerlo o «no» para cancelar."
            ),
            (Lang::En, true) => format!(
                "⚠️ I made no change yet: this would change {clients} clients, and without confirmation I change at most {max} per message. Only the clinic's owner can confirm a bulk change. Do you confirm? Reply \"yes\" to do it or \"no\" to cancel."
            ),
            (Lang::Es, false) => format!(
                "⚠️ No hice ningún cambio: esto cambiaría a {clients} clientes, y sin confirmación cambio como máximo {max} por mensaje. Un cambio a tantos clientes solo lo puede confirmar el dueño de la clínica."
            ),
            (Lang::En, false) => format!(
                "⚠️ I made no change: this would change {clients} clients, and without confirmation I change at most {max} per message. A change to that many clients can only be confirmed by the clinic's owner."
            ),
        };
        let reply = RichText::join(cards.into_iter().chain([RichText::plain(&said)]));
        self.into_reply(reply, said)
    }

    /// How many distinct owners this turn would have changed after `calls` ran.
    pub(super) fn clients_after(&self, calls: &[ChatCompletionMessageToolCalls]) -> usize {
        let mut owners = self.written.clone();
        for call in calls {
            let ChatCompletionMessageToolCalls::Function(f) = call else {
                continue;
            };
            if writes(&f.function.name) != Some(true) {
                continue;
            }
            let owner = parse_arguments(&f.function.arguments)
                .as_ref()
                .and_then(owner_of);
            if let Some(owner) = owner.filter(|o| !owners.contains(o)) {
                owners.push(owner);
            }
        }
        owners.len()
    }

    /// The model's words as they may go out: cut to a length, foreign links removed.
    fn model_text(&self, text: &str) -> String {
        let mut text = links::without_foreign_links(text, &self.data, self.lang);
        if text.chars().count() > MODEL_TEXT_MAX_CHARS {
            text = text.chars().take(MODEL_TEXT_MAX_CHARS).collect();
            text.push_str(
                self.lang
                    .pick("… (respuesta recortada)", "… (answer cut short)"),
            );
        }
        text
    }

    /// The model was still calling tools after `max_steps` calls: the cards it got, if any.
    pub(super) fn give_up(self, max_steps: usize) -> Result<BrainReply, LlmError> {
        let (cards, _) = self.cards();
        if cards.is_empty() {
            return Err(LlmError::TooManySteps(max_steps));
        }
        tracing::warn!(
            max_steps,
            "The model was still calling tools; answering with its cards"
        );
        let note = self.lang.pick(
            "Me detuve aquí: la consulta necesitaba demasiados pasos.",
            "I stopped here: the question needed too many steps.",
        );
        let refusals = self.refusals.clone();
        let parts = cards
            .into_iter()
            .chain([RichText::plain(note)])
            .chain(refusals);
        Ok(self.into_reply(RichText::join(parts), note.to_owned()))
    }

    /// The reply when a call was refused for the member's role: the cards it got, then
    /// the refusal (rendered by code, never reworded by the model).
    pub(super) fn forbidden(self, refusal: RichText) -> BrainReply {
        let (cards, _) = self.cards();
        let memo = refusal.to_plain();
        let reply = RichText::join(cards.into_iter().chain([refusal]));
        self.into_reply(reply, memo)
    }

    fn shows_profile(&self, owner: i64) -> bool {
        self.shown.iter().any(|s| s.profile_of == Some(owner))
    }

    /// The cards to show, in order, and how many are profiles. A search list gives way to
    /// the profile of one of its owners; each profile shows once, without its closing
    /// question (asked once, at the end, or left to the model).
    fn cards(&self) -> (Vec<RichText>, usize) {
        let mut seen = Vec::new();
        let mut cards = Vec::new();
        for s in &self.shown {
            if let Some(owner) = s.profile_of {
                if !seen.contains(&owner) {
                    seen.push(owner);
                    cards.push(without_follow_up(&s.card, self.lang));
                }
            } else if !s.found.iter().any(|&id| self.shows_profile(id)) {
                cards.push(s.card.clone());
            }
        }
        (cards, seen.len())
    }

    fn into_reply(mut self, reply: RichText, final_text: String) -> BrainReply {
        self.turns.push(ChatTurn::assistant(final_text));
        let (prompt_tokens, completion_tokens) = self.usage.unwrap_or_default();
        tracing::info!(
            llm_calls = self.llm_calls,
            prompt_tokens,
            completion_tokens,
            tool_calls = self.executed.len(),
            "LLM turn answered"
        );
        let held = (!self.held.is_empty()).then(|| {
            let mut owners: Vec<i64> = self
                .held
                .iter()
                .filter_map(|c| owner_of(&c.arguments))
                .collect();
            owners.sort_unstable();
            owners.dedup();
            HeldWrite {
                clients: owners.len(),
                calls: std::mem::take(&mut self.held),
                bulk: self.bulk,
            }
        });
        BrainReply {
            held,
            reply: bounded(reply, self.lang),
            tool_calls: self.executed,
            llm_calls: self.llm_calls,
            usage: self.usage,
            turns: self.turns,
        }
    }
}

/// The owner a write call names.
fn owner_of(arguments: &serde_json::Value) -> Option<i64> {
    arguments["user_id"].as_i64()
}

/// What the person is told about a write that did not happen, on one line.
fn refusal(tool: &str, error: &ToolError, lang: Lang) -> RichText {
    if error.is_held() {
        return error.card(lang);
    }
    let head = match tool {
        add_owner_note::NAME => lang.pick("⚠️ No se guardó la nota:", "⚠️ The note was not saved:"),
        record_consent::NAME => lang.pick(
            "⚠️ No se registró el permiso:",
            "⚠️ The consent was not recorded:",
        ),
        _ => lang.pick(
            "⚠️ No se cambiaron las etiquetas:",
            "⚠️ The tags were not changed:",
        ),
    };
    let why = error.card(lang).to_plain();
    RichText::plain(format!("{head} {}", why.trim_start_matches("⚠️").trim()))
}

/// `card` without the profile's closing question, if it ends with it.
fn without_follow_up(card: &RichText, lang: Lang) -> RichText {
    let question = profile_follow_up(lang);
    let lines = card.lines();
    let Some(rest) = lines.strip_suffix(question.lines()) else {
        return card.clone();
    };
    let rest = rest.strip_suffix(&[Line::Blank]).unwrap_or(rest);
    let mut out = RichText::new();
    for line in rest {
        out.push(line.clone());
    }
    // The card's buttons (notes, tags, history, a message) stay under it.
    if let Some(kind) = card.keyboard_kind() {
        out.set_keyboard(kind, card.keyboard().to_vec());
    }
    out
}

/// The model's text as plain lines (it is asked for plain text; markup is not trusted).
fn plain_text(text: &str) -> RichText {
    let mut doc = RichText::new();
    for line in text.trim().lines().map(str::trim_end) {
        if !line.trim().is_empty() {
            doc.append(RichText::plain(line));
        } else if doc.lines().last().is_some_and(|l| *l != Line::Blank) {
            doc.blank();
        }
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::rich::{b, t};

    #[test]
    fn model_text_becomes_plain_lines_with_single_blank_lines() {
        let doc = plain_text("Listo.\n\n\n  Etiqueta agregada.  \n");
        assert_eq!(
            doc.lines(),
            [
                Line::Text(vec![t("Listo.")]),
                Line::Blank,
                Line::Text(vec![t("  Etiqueta agregada.")]),
            ]
        );
        assert!(plain_text("  \n").is_empty());
    }

    #[test]
    fn a_profile_card_loses_only_its_closing_question() {
        let mut card = RichText::new();
        card.text(vec![b("María García")]);
        let with = RichText::join([card.clone(), profile_follow_up(Lang::Es)]);
        assert_eq!(without_follow_up(&with, Lang::Es), card);
        assert_eq!(without_follow_up(&card, Lang::Es), card);
    }
}
