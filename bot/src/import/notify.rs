//! When an import finishes, its summary card also goes to the owners' chats, each in the
//! owner's language: queued in the outbox (like the morning digest), so a running
//! `vetbot serve` sends it (its senders look for new rows every half second) and one that
//! starts later sends it then.

use sqlx::PgPool;

use super::run::{Counts, Summary};
use crate::domain::Lang;
use crate::render::rich::{b, t};
use crate::render::RichText;
use crate::serve::context;
use crate::serve::outbox::{self, Reply};

/// The summary card in `lang`: clients, pets, visits, sales and vaccinations added,
/// updated and unchanged, then the rows rejected and the possible duplicates.
pub fn card(summary: &Summary, lang: Lang) -> RichText {
    let mut doc = RichText::new();
    doc.text(vec![b(match lang {
        Lang::Es => format!("📥 Importación terminada ({} archivo(s))", summary.files),
        Lang::En => format!("📥 Import finished ({} file(s))", summary.files),
    })]);
    let line = |es: &str, en: &str, c: Counts| match lang {
        Lang::Es => format!(
            "{es}: {} nuevos, {} actualizados, {} sin cambios",
            c.added, c.updated, c.unchanged
        ),
        Lang::En => format!(
            "{en}: {} added, {} updated, {} unchanged",
            c.added, c.updated, c.unchanged
        ),
    };
    for (es, en, counts) in [
        ("Clientes", "Clients", summary.owners),
        ("Mascotas", "Pets", summary.pets),
        ("Visitas", "Visits", summary.visits),
        ("Ventas", "Sales", summary.sales),
        ("Vacunas", "Vaccinations", summary.vaccinations),
    ] {
        doc.bullet(vec![t(line(es, en, counts))]);
    }
    if summary.products != Counts::default() {
        doc.bullet(vec![t(line("Productos", "Products", summary.products))]);
    }
    doc.bullet(vec![t(match lang {
        Lang::Es => format!(
            "Rechazadas: {} · posibles duplicados: {} · avisos: {}",
            summary.rejected, summary.duplicates, summary.warnings
        ),
        Lang::En => format!(
            "Rejected: {} · possible duplicates: {} · warnings: {}",
            summary.rejected, summary.duplicates, summary.warnings
        ),
    })]);
    if summary.rejected + summary.duplicates > 0 {
        doc.text(vec![t(lang.pick(
            "El detalle (archivo:línea: motivo) está en el reporte de la importación.",
            "The details (file:line: reason) are in the import's report.",
        ))]);
    }
    doc
}

/// Queues [`card`] to every active owner's Telegram and WhatsApp chats, in one transaction;
/// returns how many messages were queued.
#[tracing::instrument(name = "import_notify_owners", skip_all)]
pub async fn owners(pool: &PgPool, summary: &Summary) -> sqlx::Result<usize> {
    let notices = crate::marketing::converse::tell_owners(pool, |lang| card(summary, lang)).await?;
    let mut tx = pool.begin().await?;
    let mut queued = 0;
    for notice in notices {
        let Some(channel) = context::channel(&notice.channel) else {
            continue;
        };
        let reply = Reply::text(notice.text.render(context::markup(channel)));
        outbox::enqueue(&mut tx, None, channel, &notice.chat_id, &reply).await?;
        queued += 1;
    }
    tx.commit().await?;
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_card_counts_each_entity_in_spanish_and_english() {
        let summary = Summary {
            files: 2,
            owners: Counts {
                added: 7,
                updated: 1,
                unchanged: 3,
            },
            vaccinations: Counts {
                added: 4,
                updated: 0,
                unchanged: 0,
            },
            rejected: 2,
            ..Summary::default()
        };
        let es = card(&summary, Lang::Es).to_plain();
        assert!(es.contains("Importación terminada (2 archivo(s))"), "{es}");
        assert!(
            es.contains("Clientes: 7 nuevos, 1 actualizados, 3 sin cambios"),
            "{es}"
        );
        assert!(es.contains("Vacunas: 4 nuevos"), "{es}");
        assert!(es.contains("Rechazadas: 2"), "{es}");
        assert!(!es.contains("Productos"), "{es}");
        let en = card(&summary, Lang::En).to_plain();
        assert!(
            en.contains("Clients: 7 added, 1 updated, 3 unchanged"),
            "{en}"
        );
        assert!(en.contains("Rejected: 2"), "{en}");
    }
}
