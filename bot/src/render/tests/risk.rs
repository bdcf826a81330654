//! The at-risk card beyond the story, and every `Reason`.

use rust_decimal_macros::dec;

use super::super::cards::*;
use super::fixtures::{pet, story_at_risk};
use crate::domain::{Lang, ProductCategory, Reason, Species};

fn text(reason: Reason, lang: Lang, name_pet: bool) -> String {
    reason.text(lang, name_pet)
}

#[test]
fn vaccination_reasons() {
    let due = |days| Reason::VaccinationDue {
        pet: "Buddy".into(),
        days,
    };
    let overdue = |days| Reason::VaccinationOverdue {
        pet: "Buddy".into(),
        days,
    };
    assert_eq!(
        text(due(14), Lang::Es, false),
        "Vacunación vence en 2 semanas"
    );
    assert_eq!(
        text(due(14), Lang::Es, true),
        "Vacunación de Buddy vence en 2 semanas"
    );
    assert_eq!(text(due(14), Lang::En, false), "Vaccination due in 2 weeks");
    assert_eq!(
        text(due(3), Lang::En, true),
        "Buddy's vaccination due in 3 days"
    );
    assert_eq!(text(due(0), Lang::Es, false), "Vacunación vence hoy");
    assert_eq!(text(due(0), Lang::En, false), "Vaccination due today");
    assert_eq!(
        text(due(-7), Lang::Es, false),
        "Vacunación vencida hace 7 días"
    );
    assert_eq!(
        text(overdue(21), Lang::Es, true),
        "Vacunación de Buddy vencida hace 3 semanas"
    );
    assert_eq!(
        text(overdue(1), Lang::En, false),
        "Vaccination overdue by 1 day"
    );
    assert_eq!(
        text(overdue(0), Lang::Es, true),
        "Vacunación de Buddy vence hoy"
    );
    let blank = Reason::VaccinationDue {
        pet: " ".into(),
        days: 2,
    };
    assert_eq!(text(blank, Lang::Es, true), "Vacunación vence en 2 días");
}

#[test]
fn purchase_cadence_reasons() {
    let broken = |category, cadence_days| Reason::PurchaseCadenceBroken {
        category,
        cadence_days,
        days_since: 45,
    };
    let food = ProductCategory::Food;
    assert_eq!(
        text(broken(food, 30), Lang::Es, false),
        "Usualmente compra alimento mensualmente, sin orden en 45 días"
    );
    assert_eq!(
        text(broken(food, 30), Lang::En, false),
        "Usually buys food monthly, no order in 45 days"
    );
    let cadence = |days, lang| text(broken(ProductCategory::Medicine, days), lang, false);
    assert!(cadence(7, Lang::Es).contains("medicamento semanalmente,"));
    assert!(cadence(14, Lang::Es).contains(" cada 2 semanas,"));
    assert!(cadence(14, Lang::En).contains("medicine every 2 weeks,"));
    assert!(cadence(1, Lang::Es).contains(" diariamente,"));
    assert!(cadence(0, Lang::En).contains(" daily,"));
    assert!(cadence(7, Lang::En).contains(" weekly,"));
    assert!(cadence(45, Lang::Es).contains(" cada 45 días,"));
    assert!(cadence(60, Lang::En).contains(" every 60 days,"));
}

#[test]
fn other_reasons() {
    assert_eq!(
        text(Reason::VipFollowUp, Lang::Es, false),
        "Cliente VIP, debe hacerse seguimiento"
    );
    assert_eq!(
        text(Reason::VipFollowUp, Lang::En, false),
        "VIP client, worth a follow-up"
    );
    let spend = Reason::SpendDeclining { pct: -35.4 };
    assert_eq!(
        text(spend.clone(), Lang::Es, false),
        "Su gasto bajó 35% respecto al periodo anterior"
    );
    assert_eq!(
        text(spend, Lang::En, false),
        "Spending down 35% from the previous period"
    );
    assert_eq!(
        text(Reason::NoRepeatVisit, Lang::Es, false),
        "Vino una sola vez y no ha regresado"
    );
    assert_eq!(
        text(Reason::NoRepeatVisit, Lang::En, false),
        "Visited once and never came back"
    );
    // The model's inputs in plain words: the usual interval and the time since.
    let churn = Reason::HighChurnRisk {
        pct: 78.2,
        usual_days: Some(35),
        days_since: Some(98),
    };
    assert_eq!(
        text(churn.clone(), Lang::Es, false),
        "Riesgo de abandono alto (78%): suele venir cada 5 semanas; van 14 semanas sin venir"
    );
    assert_eq!(
        text(churn, Lang::En, false),
        "High churn risk (78%): usually comes every 5 weeks; 14 weeks since the last time"
    );
    let short = Reason::HighChurnRisk {
        pct: 71.0,
        usual_days: Some(9),
        days_since: Some(40),
    };
    assert_eq!(
        text(short, Lang::Es, false),
        "Riesgo de abandono alto (71%): suele venir cada 9 días; van 6 semanas sin venir"
    );
    let once = Reason::HighChurnRisk {
        pct: 90.0,
        usual_days: None,
        days_since: Some(1),
    };
    assert_eq!(
        text(once.clone(), Lang::Es, false),
        "Riesgo de abandono alto (90%): vino una sola vez, hace 1 día"
    );
    assert_eq!(
        text(once, Lang::En, false),
        "High churn risk (90%): came only once, 1 day ago"
    );
    let never = Reason::HighChurnRisk {
        pct: 90.0,
        usual_days: None,
        days_since: None,
    };
    assert_eq!(text(never, Lang::En, false), "High churn risk (90%)");
}

#[test]
fn english_at_risk_card() {
    let expected = "\
Here are the clients at risk of leaving:

⚠️ **At-Risk Clients** (no visit in 90+ days)

1. **Carlos Méndez** - Last visit 120 days ago
   Pets: Buddy (Labrador)
   Spent: $8,200 MXN lifetime
   → Vaccination due in 2 weeks

2. **Sarah Johnson** - Last visit 95 days ago
   Pets: Mittens (Cat), Whiskers (Cat)
   Spent: $5,400 MXN lifetime
   → Usually buys food monthly, no order in 45 days

3. **Roberto Sánchez** - Last visit 92 days ago
   Pets: Thor (Pastor Alemán)
   Spent: $15,800 MXN lifetime
   → VIP client, worth a follow-up

Would you like me to send reactivation messages to any of them?";
    assert_eq!(story_at_risk().reply(Lang::En).to_markdown(), expected);
}

#[test]
fn empty_at_risk_card_is_friendly() {
    let card = AtRiskCard {
        threshold_days: 90,
        entries: vec![],
    };
    assert_eq!(
        card.reply(Lang::Es).to_markdown(),
        "✅ **Sin clientes en riesgo**\nTodos los clientes nos han visitado en los últimos 90 días."
    );
    assert_eq!(
        card.render(Lang::En).to_whatsapp(),
        "✅ *No clients at risk*\nEvery client has visited in the last 90 days."
    );
}

#[test]
fn single_entry_edges() {
    let entry = AtRiskEntry {
        name: "Ana <script> & Co".into(),
        days_since_visit: None,
        pets: vec![],
        lifetime_spent: dec!(0),
        reasons: vec![],
    };
    let card = AtRiskCard {
        threshold_days: 120,
        entries: vec![entry],
    };
    assert_eq!(
        card.render(Lang::Es).to_telegram_html(),
        "⚠️ <b>Clientes en Riesgo</b> (sin visita en 120+ días)\n\n1. <b>Ana &lt;script&gt; &amp; Co</b> - Sin visitas registradas\n   Gastado: $0 MXN de por vida\n\n¿Te gustaría que le enviara un mensaje de reactivación?"
    );
    let en = card.render(Lang::En).to_plain();
    assert!(en.contains("- No visits on record\n   Spent: $0 MXN lifetime\n\nWould you like me to send them a reactivation message?"));
}

#[test]
fn several_pets_name_the_pet_and_reasons_stack() {
    let mut card = story_at_risk();
    card.entries.truncate(1);
    let entry = &mut card.entries[0];
    entry.pets.push(pet("Luna", Species::Cat, None));
    entry.reasons.push(Reason::HighChurnRisk {
        pct: 81.0,
        usual_days: Some(28),
        days_since: Some(126),
    });
    entry.days_since_visit = Some(1);
    let text = card.render(Lang::Es).to_markdown();
    assert!(text.contains(
        "1. **Carlos Méndez** - Última visita ayer\n   Mascotas: Buddy (Labrador), Luna (Gato)\n   Gastado: $8,200 MXN de por vida\n   → Vacunación de Buddy vence en 2 semanas\n   → Riesgo de abandono alto (81%): suele venir cada 4 semanas; van 18 semanas sin venir\n"
    ));
}
