//! Segments: filters in words, first page, "y N más".

use rust_decimal_macros::dec;

use super::super::cards::*;
use crate::domain::{Lang, LoyaltyTier, ProductCategory, Species};

#[test]
fn segment_filters_in_words() {
    let all = SegmentFilters {
        min_spent: Some(dec!(5000)),
        min_days_since_visit: Some(90),
        max_days_since_visit: Some(180),
        tags: vec!["VIP".into(), "Regular".into()],
        species: Some(Species::Dog),
        bought_category: Some(ProductCategory::Food),
        bought_brand: Some("Royal Canin".into()),
        loyalty_tier: Some(LoyaltyTier::Gold),
        opted_in_only: true,
    };
    assert_eq!(
        all.describe(Lang::Es),
        [
            "Gasto total ≥ $5,000 MXN",
            "Última visita hace 90–180 días",
            "Etiquetas: VIP, Regular",
            "Especie: Perro",
            "Compró: alimento",
            "Compró la marca: Royal Canin",
            "Nivel de lealtad: Oro",
            "Solo quienes aceptan marketing",
        ]
    );
    assert_eq!(
        all.describe(Lang::En),
        [
            "Total spend ≥ $5,000 MXN",
            "Last visit 90–180 days ago",
            "Tags: VIP, Regular",
            "Species: Dog",
            "Bought: food",
            "Bought the brand: Royal Canin",
            "Loyalty tier: Gold",
            "Only clients who accept marketing",
        ]
    );
    let min = SegmentFilters {
        min_days_since_visit: Some(90),
        ..Default::default()
    };
    assert_eq!(min.describe(Lang::Es), ["Sin visita en 90+ días"]);
    assert_eq!(min.describe(Lang::En), ["No visit in 90+ days"]);
    let max = SegmentFilters {
        max_days_since_visit: Some(30),
        ..Default::default()
    };
    assert_eq!(
        max.describe(Lang::Es),
        ["Con visita en los últimos 30 días"]
    );
    assert_eq!(max.describe(Lang::En), ["Visited in the last 30 days"]);
    assert_eq!(
        SegmentFilters::default().describe(Lang::Es),
        ["Todos los clientes"]
    );
    assert_eq!(
        SegmentFilters::default().describe(Lang::En),
        ["All clients"]
    );
}

#[test]
fn segment_card() {
    let owner = |id, name: &str, days| SegmentEntry {
        owner_id: id,
        name: name.into(),
        phone: Some("+529981234567".into()),
        total_spent: dec!(8200.49),
        days_since_visit: days,
    };
    let card = SegmentCard {
        filters: SegmentFilters {
            min_spent: Some(dec!(5000)),
            ..Default::default()
        },
        total: 23,
        owners: vec![
            owner(1, "Carlos Méndez", Some(120)),
            owner(2, "Lucía Pérez", None),
        ],
    };
    assert_eq!(
        card.render(Lang::Es).to_markdown(),
        "\
🎯 **Segmento:** 23 clientes
• Gasto total ≥ $5,000 MXN

1. **Carlos Méndez** · 998-123-4567
   $8,200 MXN · última visita hace 120 días
2. **Lucía Pérez** · 998-123-4567
   $8,200 MXN · sin visitas

y 21 más"
    );
    let en = card.render(Lang::En).to_markdown();
    assert!(en.starts_with(
        "🎯 **Segment:** 23 clients\n• Total spend ≥ $5,000 MXN\n\n1. **Carlos Méndez**"
    ));
    assert!(
        en.contains("   $8,200 MXN · last visit 120 days ago\n")
            && en.contains(" · no visits\n\nand 21 more")
    );
    let one = SegmentCard {
        total: 1,
        owners: card.owners[..1].to_vec(),
        ..card.clone()
    };
    assert!(one
        .render(Lang::Es)
        .to_plain()
        .starts_with("🎯 Segmento: 1 cliente\n"));
    assert!(!one.render(Lang::Es).to_plain().contains("más"));
}

#[test]
fn empty_segment() {
    let none = SegmentCard {
        filters: SegmentFilters::default(),
        total: 0,
        owners: vec![],
    };
    assert_eq!(
        none.render(Lang::Es).to_plain(),
        "🎯 Segmento: 0 clientes\n• Todos los clientes\n\nNingún cliente cumple estos filtros."
    );
    assert!(none
        .render(Lang::En)
        .to_plain()
        .ends_with("\n\nNo clients match these filters."));
    let unpaged = SegmentCard { total: 4, ..none };
    assert_eq!(
        unpaged.render(Lang::Es).to_plain(),
        "🎯 Segmento: 4 clientes\n• Todos los clientes"
    );
}
