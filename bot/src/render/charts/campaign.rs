//! The chart sent with a campaign's results: who came back, messaged clients against the
//! random holdout, at 30/60/90 days (the windows begun so far) when the campaign kept one;
//! else the sends' funnel (targeted, sent, delivered, read, replied).

use super::{Chart, Comparison, Ranking, Unit};
use crate::domain::Lang;
use crate::render::cards::CampaignResultsCard;

/// The chart for `card`; `None` when the campaign has sent nothing yet.
pub fn for_campaign(card: &CampaignResultsCard, lang: Lang) -> Option<Chart> {
    let rate = |returned: i64, n: i64| match n {
        0 => 0.0,
        n => returned as f64 * 100.0 / n as f64,
    };
    let compared: Vec<_> = card.came_back.iter().filter(|c| c.holdout.n > 0).collect();
    if !compared.is_empty() {
        return Some(Chart::Comparison(Comparison {
            title: lang
                .pick("Volvieron a la clínica", "Came back to the clinic")
                .to_owned(),
            unit: Unit::Percent,
            labels: compared
                .iter()
                .map(|c| format!("{} {}", c.days, lang.pick("días", "days")))
                .collect(),
            current: compared
                .iter()
                .map(|c| rate(c.targets.returned, c.targets.n))
                .collect(),
            previous: compared
                .iter()
                .map(|c| rate(c.holdout.returned, c.holdout.n))
                .collect(),
            current_name: lang.pick("Campaña", "Campaign").to_owned(),
            previous_name: lang.pick("Grupo de control", "Holdout").to_owned(),
        }));
    }
    if card.sent == 0 {
        return None;
    }
    let rows = [
        (lang.pick("Destinatarios", "Targeted"), card.targeted),
        (lang.pick("Enviados", "Sent"), card.sent),
        (lang.pick("Entregados", "Delivered"), card.delivered),
        (lang.pick("Leídos", "Read"), card.read),
        (lang.pick("Respondieron", "Replied"), card.replied),
    ];
    Some(Chart::Ranking(Ranking {
        title: lang
            .pick("Envíos de la campaña", "Campaign sends")
            .to_owned(),
        unit: Unit::Count,
        rows: rows
            .into_iter()
            .map(|(label, n)| (label.to_owned(), n as f64))
            .collect(),
    }))
}
