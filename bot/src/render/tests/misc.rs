//! Write confirmations, errors and serialization.

use rust_decimal_macros::dec;

use super::super::cards::*;
use super::fixtures::{maria, story_at_risk};
use crate::domain::*;

#[test]
fn note_added() {
    let note = NoteAddedCard {
        owner_name: "María García".into(),
        text: "Prefiere citas\npor la mañana".into(),
        internal: true,
    };
    assert_eq!(
        note.render(Lang::Es).to_markdown(),
        "📝 Nota agregada a **María García** (interna):\n“Prefiere citas por la mañana”"
    );
    assert_eq!(
        note.render(Lang::En).to_whatsapp(),
        "📝 Note added to *María García* (internal):\n“Prefiere citas por la mañana”"
    );
    let public = NoteAddedCard {
        internal: false,
        text: "y".repeat(400),
        ..note
    };
    let text = public.render(Lang::Es).to_plain();
    assert!(text.starts_with("📝 Nota agregada a María García (visible para el cliente):\n“yyy"));
    assert!(text.ends_with("y…”") && text.chars().count() < 380);
    assert!(public
        .render(Lang::En)
        .to_plain()
        .contains("(visible to the client):"));
}

#[test]
fn tags_changed() {
    let card = TagsChangedCard {
        owner_name: "María García".into(),
        added: vec!["VIP".into()],
        removed: vec!["Nuevo".into(), "Prueba".into()],
        now: vec!["VIP".into(), "Regular".into()],
    };
    assert_eq!(
        card.render(Lang::Es).to_markdown(),
        "🏷️ Etiquetas de **María García** actualizadas\n• Agregadas: VIP\n• Quitadas: Nuevo, Prueba\n• Ahora: VIP, Regular"
    );
    assert_eq!(
        card.render(Lang::En).to_plain(),
        "🏷️ Tags of María García updated\n• Added: VIP\n• Removed: Nuevo, Prueba\n• Now: VIP, Regular"
    );
    let same = TagsChangedCard {
        added: vec![],
        removed: vec![],
        now: vec![],
        ..card
    };
    assert_eq!(
        same.render(Lang::Es).to_plain(),
        "🏷️ Sin cambios en las etiquetas de María García\n• Ahora: ninguna"
    );
    assert_eq!(
        same.render(Lang::En).to_plain(),
        "🏷️ No changes to the tags of María García\n• Now: none"
    );
}

#[test]
fn not_found_texts() {
    let cases = [
        (
            NotFoundCard::OwnerId(999),
            "No existe un propietario con el id 999.",
            "There is no owner with id 999.",
        ),
        (
            NotFoundCard::OwnerQuery("pepe".into()),
            "No encontré ningún propietario que coincida con \"pepe\".",
            "I couldn't find any owner matching \"pepe\".",
        ),
        (
            NotFoundCard::Tag("Gold".into()),
            "No existe la etiqueta \"Gold\".",
            "There is no tag \"Gold\".",
        ),
        (
            NotFoundCard::Campaign(7),
            "No existe una campaña con el id 7.",
            "There is no campaign with id 7.",
        ),
    ];
    for (card, es, en) in cases {
        assert_eq!(card.render(Lang::Es).to_plain(), es);
        assert_eq!(card.render(Lang::En).to_plain(), en);
    }
}

#[test]
fn error_texts() {
    let cases = [
        (ErrorCard::InvalidArgument("falta user_id".into()), "⚠️ No pude procesar la solicitud: falta user_id", "⚠️ I couldn't process the request: falta user_id"),
        (ErrorCard::InvalidDate("2025-13-01".into()), "⚠️ La fecha \"2025-13-01\" no es válida; usa el formato AAAA-MM-DD.", "⚠️ The date \"2025-13-01\" is not valid; use YYYY-MM-DD."),
        (ErrorCard::InvalidPeriod, "⚠️ La fecha de inicio es posterior a la fecha final.", "⚠️ The start date is after the end date."),
        (ErrorCard::Forbidden, "⛔ Solo el dueño de la clínica puede hacer esto.", "⛔ Only the clinic owner can do this."),
        (ErrorCard::Unavailable, "⚠️ La base de datos no está disponible en este momento. Intenta de nuevo en unos minutos.", "⚠️ The database is not available right now. Please try again in a few minutes."),
        (ErrorCard::Internal, "⚠️ Algo salió mal. Intenta de nuevo en un momento.", "⚠️ Something went wrong. Please try again in a moment."),
    ];
    for (card, es, en) in cases {
        assert_eq!(card.render(Lang::Es).to_plain(), es);
        assert_eq!(card.render(Lang::En).to_plain(), en);
    }
    let html = ErrorCard::InvalidArgument("<b>".into())
        .render(Lang::Es)
        .to_telegram_html();
    assert!(html.ends_with("&lt;b&gt;"));
}

#[test]
fn cards_serialize_to_json() {
    let json = |v: serde_json::Result<String>| v.expect("serializable");
    let profile = json(serde_json::to_string(&maria()));
    assert!(
        profile.contains(r#""total_spent":"12450.00""#)
            && profile.contains(r#""contact_preference":"whatsapp""#)
    );
    assert!(profile.contains(r#""client_since":"2023-03-08""#));
    let risk = json(serde_json::to_string(&story_at_risk()));
    assert!(risk.contains(r#"{"type":"vaccination_due","pet":"Buddy","days":14}"#));
    assert!(risk.contains(r#"{"type":"vip_follow_up"}"#));
    let figure = json(serde_json::to_string(&Figure::Money(dec!(1.5))));
    assert_eq!(figure, r#"{"kind":"money","value":"1.5"}"#);
    let kind = json(serde_json::to_string(&ListKind::Search {
        query: "x".into(),
    }));
    assert_eq!(kind, r#"{"kind":"search","query":"x"}"#);
    let lf = json(serde_json::to_string(&ListFigure::ChurnRisk { pct: 50.0 }));
    assert_eq!(lf, r#"{"kind":"churn_risk","pct":50.0}"#);
    assert_eq!(
        json(serde_json::to_string(&NotFoundCard::OwnerId(9))),
        r#"{"kind":"owner_id","value":9}"#
    );
    assert_eq!(
        json(serde_json::to_string(&ErrorCard::Internal)),
        r#"{"kind":"internal"}"#
    );
    assert_eq!(
        json(serde_json::to_string(&ItemLabel::Species(Species::Dog))),
        r#"{"kind":"species","value":"dog"}"#
    );
    assert_eq!(
        json(serde_json::to_string(&ReportKind::Retention)),
        r#""retention""#
    );
    let parsed: ContactPreference = serde_json::from_str(r#""email""#).expect("parse");
    assert_eq!(parsed, ContactPreference::Email);
}
