//! Report cards: figures, changes, periods, top lists, every kind.

use rust_decimal_macros::dec;

use super::super::cards::*;
use super::fixtures::day;
use crate::domain::{AppointmentKind, Lang, ProductCategory};

fn october() -> (Period, Option<Period>) {
    (
        Period {
            start: day(2025, 10, 1),
            end: day(2025, 10, 31),
        },
        Some(Period {
            start: day(2025, 9, 1),
            end: day(2025, 9, 30),
        }),
    )
}

fn revenue() -> ReportCard {
    let (period, previous_period) = october();
    let row = |metric, current, previous| ReportRow {
        metric,
        current,
        previous,
    };
    ReportCard {
        kind: ReportKind::Revenue,
        period,
        previous_period,
        rows: vec![
            row(
                ReportMetric::Revenue,
                Figure::Money(dec!(48200.5)),
                Some(Figure::Money(dec!(42844))),
            ),
            row(
                ReportMetric::Orders,
                Figure::Count(64),
                Some(Figure::Count(0)),
            ),
            row(
                ReportMetric::RetentionRate,
                Figure::Percent(45.0),
                Some(Figure::Percent(40.0)),
            ),
            row(
                ReportMetric::AverageDaysBetweenVisits,
                Figure::Days(62),
                None,
            ),
            row(
                ReportMetric::VisitsPerClient,
                Figure::Number(dec!(2.30)),
                Some(Figure::Count(2)),
            ),
        ],
        top_items: vec![
            TopItem {
                label: ItemLabel::Name("Royal Canin Adult 15 kg".into()),
                figure: Figure::Money(dec!(9800)),
            },
            TopItem {
                label: ItemLabel::Category(ProductCategory::Food),
                figure: Figure::Count(120),
            },
        ],
    }
}

#[test]
fn revenue_report_spanish() {
    assert_eq!(
        revenue().render(Lang::Es).to_markdown(),
        "\
📈 **Reporte de Ingresos**
📆 octubre 2025 · vs. septiembre 2025

• Ingresos: $48,200.50 MXN (+12.5% vs. $42,844.00 MXN)
• Órdenes: 64 (n/d vs. 0)
• Tasa de retención: 45.0% (+5.0 pp vs. 40.0%)
• Días promedio entre visitas: 62 días
• Visitas por cliente: 2.3 (+15.0% vs. 2)

🏆 **Mayores ingresos:**
1. Royal Canin Adult 15 kg — $9,800.00 MXN
2. Alimento — 120"
    );
}

#[test]
fn revenue_report_english() {
    let text = revenue().render(Lang::En).to_markdown();
    assert!(text.starts_with("📈 **Revenue Report**\n📆 October 2025 · vs. September 2025\n\n• Revenue: $48,200.50 MXN (+12.5% vs. $42,844.00 MXN)\n• Orders: 64 (n/a vs. 0)\n"));
    assert!(text.contains("\n• Average days between visits: 62 days\n"));
    assert!(text.ends_with(
        "🏆 **Top earners:**\n1. Royal Canin Adult 15 kg — $9,800.00 MXN\n2. Food — 120"
    ));
}

#[test]
fn every_kind_has_titles() {
    let kinds = [
        (
            ReportKind::Revenue,
            "📈 Reporte de Ingresos",
            "📈 Revenue Report",
            "Mayores ingresos:",
            "Top earners:",
        ),
        (
            ReportKind::Appointments,
            "📅 Reporte de Citas",
            "📅 Appointments Report",
            "Servicios más solicitados:",
            "Most requested:",
        ),
        (
            ReportKind::Products,
            "📦 Reporte de Productos",
            "📦 Products Report",
            "Más vendidos:",
            "Best sellers:",
        ),
        (
            ReportKind::Customers,
            "👥 Reporte de Clientes",
            "👥 Clients Report",
            "Mejores clientes:",
            "Top clients:",
        ),
        (
            ReportKind::Retention,
            "🔁 Reporte de Retención",
            "🔁 Retention Report",
            "Destacados:",
            "Highlights:",
        ),
    ];
    for (kind, es, en, top_es, top_en) in kinds {
        let card = ReportCard {
            kind,
            top_items: vec![TopItem {
                label: ItemLabel::Appointment(AppointmentKind::Vaccination),
                figure: Figure::Count(3),
            }],
            rows: vec![],
            ..revenue()
        };
        let es_text = card.render(Lang::Es).to_plain();
        assert!(es_text.starts_with(&format!("{es}\n📆 ")), "{es_text}");
        assert!(
            es_text.ends_with(&format!("\n\n🏆 {top_es}\n1. Vacunación — 3")),
            "{es_text}"
        );
        let en_text = card.render(Lang::En).to_plain();
        assert!(en_text.starts_with(&format!("{en}\n📆 ")));
        assert!(en_text.ends_with(&format!("🏆 {top_en}\n1. Vaccination — 3")));
    }
}

#[test]
fn empty_report_and_no_comparison() {
    let (period, _) = october();
    let card = ReportCard {
        kind: ReportKind::Appointments,
        period,
        previous_period: None,
        rows: vec![],
        top_items: vec![],
    };
    assert_eq!(
        card.render(Lang::Es).to_plain(),
        "📅 Reporte de Citas\n📆 octubre 2025\n\nSin datos para este periodo."
    );
    assert!(card
        .render(Lang::En)
        .to_plain()
        .ends_with("📆 October 2025\n\nNo data for this period."));
    let rows_only = ReportCard {
        rows: vec![ReportRow {
            metric: ReportMetric::NoShows,
            current: Figure::Count(1),
            previous: None,
        }],
        ..card
    };
    assert_eq!(
        rows_only.render(Lang::Es).to_plain(),
        "📅 Reporte de Citas\n📆 octubre 2025\n\n• Ausencias: 1"
    );
}

#[test]
fn figures_and_changes() {
    assert_eq!(Figure::Days(1).text(Lang::Es), "1 día");
    assert_eq!(Figure::Days(30).text(Lang::En), "30 days");
    assert_eq!(Figure::Number(dec!(1234.567)).text(Lang::Es), "1,234.57");
    assert_eq!(Figure::Percent(12.34).text(Lang::Es), "12.3%");
    assert_eq!(
        Figure::Money(dec!(-5)).change(&Figure::Money(dec!(-10)), Lang::Es),
        "+50.0%"
    );
    assert_eq!(
        Figure::Percent(10.0).change(&Figure::Count(20), Lang::Es),
        "-50.0%"
    );
    assert_eq!(
        Figure::Days(30).change(&Figure::Days(40), Lang::En),
        "-25.0%"
    );
    assert_eq!(
        Figure::Percent(3.0).change(&Figure::Percent(3.0), Lang::En),
        "0.0 pp"
    );
}
