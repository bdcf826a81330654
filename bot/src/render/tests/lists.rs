//! Owner lists: search results and the customer insights.

use rust_decimal_macros::dec;

use super::super::cards::*;
use super::fixtures::{day, pet};
use crate::domain::{Lang, Species};

fn entry(id: i64, name: &str) -> OwnerListEntry {
    OwnerListEntry {
        owner_id: id,
        name: name.into(),
        phone: Some("+529981234567".into()),
        pets: vec![pet("Max", Species::Dog, Some("Poodle"))],
        lifetime_spent: dec!(12450),
        last_visit: Some(day(2025, 11, 15)),
        figure: None,
    }
}

fn list(kind: ListKind, entries: Vec<OwnerListEntry>, total: Option<i64>) -> OwnerListCard {
    OwnerListCard {
        kind,
        entries,
        total,
        today: day(2025, 11, 20),
    }
}

#[test]
fn search_results_with_hint() {
    let mut second = entry(7, "Mario García");
    second.phone = None;
    second.pets.clear();
    second.last_visit = None;
    let card = list(
        ListKind::Search {
            query: "garcia".into(),
        },
        vec![entry(3, "María García"), second],
        Some(5),
    );
    assert_eq!(
        card.render(Lang::Es).to_markdown(),
        "\
🔎 **Resultados para \"garcia\"**

1. **María García** · 998-123-4567
   Mascotas: Max (Poodle)
   Gastado: $12,450 MXN · Última visita: 15 Nov 2025 (hace 5 días)

2. **Mario García**
   Gastado: $12,450 MXN · Última visita: sin visitas

y 3 más

Para ver un perfil, responde con el número o el nombre."
    );
    let en = card.render(Lang::En).to_markdown();
    assert!(en.starts_with("🔎 **Results for \"garcia\"**\n\n1. **María García** · 998-123-4567\n   Pets: Max (Poodle)\n   Spent: $12,450 MXN · Last visit: Nov 15, 2025 (5 days ago)\n"));
    assert!(en.contains(
        "Last visit: none\n\nand 3 more\n\nTo see a profile, reply with the number or the name."
    ));
}

#[test]
fn empty_lists() {
    let search = list(
        ListKind::Search {
            query: "zzz".into(),
        },
        vec![],
        None,
    );
    assert_eq!(
        search.render(Lang::Es).to_plain(),
        "🔎 Resultados para \"zzz\"\nNo encontré propietarios. Prueba con el teléfono, el nombre de la mascota o menos palabras."
    );
    assert!(search
        .render(Lang::En)
        .to_plain()
        .ends_with("\nNo owners found. Try the phone number, the pet's name or fewer words."));
    let top = list(ListKind::TopCustomers, vec![], Some(0));
    assert_eq!(
        top.render(Lang::Es).to_plain(),
        "🏆 Mejores Clientes\nSin resultados por ahora."
    );
    assert_eq!(
        top.render(Lang::En).to_plain(),
        "🏆 Top Clients\nNo results yet."
    );
}

#[test]
fn insight_titles_and_figures() {
    let titles = [
        (
            ListKind::TopCustomers,
            "🏆 Mejores Clientes",
            "🏆 Top Clients",
        ),
        (
            ListKind::NewCustomers,
            "🆕 Clientes Nuevos",
            "🆕 New Clients",
        ),
        (
            ListKind::Lapsed,
            "💤 Clientes Inactivos",
            "💤 Lapsed Clients",
        ),
        (
            ListKind::HighValue,
            "💎 Clientes de Alto Valor",
            "💎 High-Value Clients",
        ),
    ];
    for (kind, es, en) in titles {
        let card = list(kind, vec![entry(1, "A")], None);
        assert!(card
            .render(Lang::Es)
            .to_plain()
            .starts_with(&format!("{es}\n\n1. A · ")));
        assert!(card
            .render(Lang::En)
            .to_plain()
            .starts_with(&format!("{en}\n\n1. A · ")));
        assert!(!card
            .render(Lang::Es)
            .to_plain()
            .contains("responde con el número"));
    }
    let figures = [
        (
            ListFigure::ChurnRisk { pct: 78.25 },
            "Riesgo de abandono: 78.3%",
            "Churn risk: 78.3%",
        ),
        (
            ListFigure::LifetimeValue {
                amount: dec!(20500.5),
            },
            "Valor de vida estimado: $20,501 MXN",
            "Estimated lifetime value: $20,501 MXN",
        ),
        (
            ListFigure::ClientSince {
                date: day(2025, 11, 2),
            },
            "Cliente desde: 2 Nov 2025",
            "Client since: Nov 2, 2025",
        ),
    ];
    for (figure, es, en) in figures {
        let mut e = entry(1, "A");
        e.figure = Some(figure);
        e.last_visit = Some(day(2025, 11, 22));
        let card = list(ListKind::HighValue, vec![e], Some(1));
        let text = card.render(Lang::Es).to_plain();
        assert!(
            text.ends_with(&format!("Última visita: 22 Nov 2025 (hoy)\n   {es}")),
            "{text}"
        );
        assert!(card
            .render(Lang::En)
            .to_plain()
            .ends_with(&format!("(today)\n   {en}")));
    }
}
