//! The story's two example conversations, asserted line for line.
//!
//! The expected texts are copied verbatim from `seed/S-007-crm-propietarios.md` (the "IA:"
//! turn of each example, with the story's code-block indentation), then un-indented.

use super::super::cards::*;
use super::super::rich::RichText;
use super::fixtures::{maria, story_at_risk, unindent};
use crate::domain::Lang;

/// "Búsqueda de Cliente", the bot's turn as printed in the story.
const PROFILE_TURN: &str = include_str!("../../../../testdata/story/profile_es.txt");

/// "Clientes en Riesgo", the bot's turn as printed in the story.
const AT_RISK_TURN: &str = include_str!("../../../../testdata/story/at_risk_es.txt");

/// The card alone: from `👤 **María García**` to the tags line.
fn story_profile_card() -> String {
    let turn = unindent(PROFILE_TURN);
    let start = turn.find("👤").expect("card start");
    let end = turn.find("\n\n¿Te gustaría").expect("card end");
    turn[start..end].to_owned()
}

#[test]
fn profile_card_matches_story_line_for_line() {
    let expected = story_profile_card();
    let got = maria().render(Lang::Es).to_markdown();
    for (i, (want, have)) in expected.lines().zip(got.lines()).enumerate() {
        assert_eq!(have, want, "line {}", i + 1);
    }
    assert_eq!(got, expected);
}

#[test]
fn profile_reply_matches_story_turn() {
    assert_eq!(
        maria().reply(Lang::Es).to_markdown(),
        unindent(PROFILE_TURN)
    );
    let framed = RichText::join([
        profile_intro("María García", Lang::Es),
        maria().render(Lang::Es),
        profile_follow_up(Lang::Es),
    ]);
    assert_eq!(framed.to_markdown(), unindent(PROFILE_TURN));
}

#[test]
fn at_risk_card_matches_story_line_for_line() {
    let turn = unindent(AT_RISK_TURN);
    let expected = &turn[turn.find("⚠️").expect("card start")..];
    let got = story_at_risk().render(Lang::Es).to_markdown();
    for (i, (want, have)) in expected.lines().zip(got.lines()).enumerate() {
        assert_eq!(have, want, "line {}", i + 1);
    }
    assert_eq!(got, expected);
}

#[test]
fn at_risk_reply_matches_story_turn() {
    assert_eq!(
        story_at_risk().reply(Lang::Es).to_markdown(),
        unindent(AT_RISK_TURN)
    );
    let framed = RichText::join([at_risk_intro(Lang::Es), story_at_risk().render(Lang::Es)]);
    assert_eq!(framed.to_markdown(), unindent(AT_RISK_TURN));
}

#[test]
fn story_cards_in_other_markups() {
    let html = maria().render(Lang::Es).to_telegram_html();
    assert!(html.starts_with("👤 <b>María García</b>\n📱 998-123-4567 (Prefiere WhatsApp)"));
    assert!(html.contains("\n\n🐕 <b>Mascotas:</b> Max (Poodle, 5 años)\n"));
    let wa = story_at_risk().render(Lang::Es).to_whatsapp();
    assert!(
        wa.starts_with("⚠️ *Clientes en Riesgo* (sin visita en 90+ días)\n\n1. *Carlos Méndez*")
    );
    let plain = story_at_risk().render(Lang::Es).to_plain();
    assert!(plain.contains("\n2. Sarah Johnson - Última visita hace 95 días\n"));
    assert!(!plain.contains('*'));
}
