//! The digest's text: its news in either language, and its size at its fullest.

use super::*;
use crate::render::{Arm, CampaignResultsCard, ComeBack, Markup};

/// The fullest digest there can be: every list at its cap, long names everywhere.
fn fullest() -> Digest {
    let long = |i: usize| format!("{i} {}", "Nombre Muy Largo De Cliente ".repeat(4));
    let campaign = |id: i64| CampaignResultsCard {
        campaign_id: id,
        name: "Reactivación de clientes de otoño con un nombre larguísimo ".repeat(3),
        status: "sent".into(),
        started_on: None,
        targeted: 12_000,
        sent: 11_950,
        delivered: 11_900,
        read: 9_000,
        failed: vec![],
        needs_template: 0,
        skipped: vec![],
        unknown: 0,
        waiting: 0,
        replied: 1_234,
        opted_out: 56,
        holdout: 1_300,
        came_back: vec![ComeBack {
            days: 90,
            complete: true,
            targets: Arm {
                n: 12_000,
                returned: 3_456,
            },
            holdout: Arm {
                n: 1_300,
                returned: 300,
            },
            difference: None,
        }],
    };
    let day = NaiveDate::from_ymd_opt(2025, 11, 19).unwrap();
    Digest {
        day: Some(Day {
            yesterday: day,
            revenue: Pair {
                current: Decimal::new(123_456_789, 2),
                previous: Decimal::new(98_765_432, 2),
            },
            visits: Pair {
                current: 1_234,
                previous: 1_111,
            },
            today_appointments: 321,
        }),
        week: None,
        at_risk: NewAtRisk {
            names: (0..news::MAX_AT_RISK as usize).map(long).collect(),
            total: 4_321,
        },
        greetings: vec![
            Greetings {
                campaign_id: 98_765,
                birthdays: true,
                clients: 321,
            },
            Greetings {
                campaign_id: 98_766,
                birthdays: false,
                clients: 45,
            },
        ],
        campaigns: (0..news::MAX_CAMPAIGNS)
            .map(|i| campaign(90_000 + i))
            .collect(),
        tier_changes: (0..40)
            .map(|i| TierChange {
                id: i,
                name: long(i as usize),
                from: "silver".into(),
                to: "gold".into(),
            })
            .collect(),
    }
}

#[test]
fn the_fullest_digest_fits_a_caption_and_three_messages() {
    for lang in [Lang::Es, Lang::En] {
        for markup in [Markup::TelegramHtml, Markup::WhatsApp, Markup::Plain] {
            let text = fullest().render(lang).render(markup);
            let chars = text.chars().count();
            assert!(chars <= 1024 + 3 * 4096, "{chars} characters: {text}");
            assert!(text.contains("y 4316 más") || text.contains("and 4316 more"));
        }
    }
}

#[test]
fn news_reads_in_either_language() {
    let es = fullest().render(Lang::Es).render(Markup::Plain);
    assert!(es.contains("⚠️ Nuevos en riesgo (4321): 0 Nombre"), "{es}");
    assert!(es.contains("Lista completa: /riesgo"), "{es}");
    assert!(
        es.contains("🎂 Cumpleaños por aprobar hoy: mascotas de 321 clientes (campaña #98765). Para enviar las felicitaciones, responde «enviar campaña 98765»"),
        "{es}"
    );
    assert!(
        es.contains("🎉 Aniversarios por aprobar hoy: 45 clientes"),
        "{es}"
    );
    // The window that closed is the one told.
    assert!(
        es.contains("regresaron en 90 días: 28.8% de los contactados"),
        "{es}"
    );
    let en = fullest().render(Lang::En).render(Markup::Plain);
    assert!(en.contains("⚠️ Newly at risk (4321):"), "{en}");
    assert!(en.contains("reply \"send campaign 98765\""), "{en}");
}
