//! How reliable the churn risk is: the models fitted at a cut-off against what the clients
//! did after it (predicted against actual clinic days by decile, the mean error, and how much
//! more often the riskiest tenth stopped coming), with a chart of the deciles.

use super::super::charts::{Chart, Comparison, Unit as ChartUnit};
use super::super::fmt::{count, date, number, percent_whole, Unit};
use super::super::rich::{b, t, RichText};
use crate::domain::Lang;
use crate::intelligence::validation::Validation;

/// The card of a validation; `None` when the history was too short to fit the models.
#[derive(Debug, Clone, PartialEq)]
pub struct ReliabilityCard {
    pub validation: Option<Validation>,
    /// The cut-off asked for (shown when there was too little history before it).
    pub cutoff: chrono::NaiveDate,
}

/// `0.84`: two decimals for per-client figures.
fn two(v: f64) -> String {
    format!("{v:.2}")
}

/// A total rounded to a whole number with thousands commas.
fn whole(v: f64) -> String {
    number(v.round() as i64)
}

impl ReliabilityCard {
    pub fn render(&self, lang: Lang) -> RichText {
        let mut card = RichText::new();
        card.text(vec![b(lang.pick(
            "📏 ¿Qué tan confiable es el riesgo?",
            "📏 How reliable is the churn risk?",
        ))]);
        let Some(v) = &self.validation else {
            card.text(vec![t(match lang {
                Lang::Es => format!(
                    "No hay suficiente historia hasta el {} para ajustar los modelos; prueba con una fecha de corte más reciente.",
                    date(self.cutoff, lang)
                ),
                Lang::En => format!(
                    "There is not enough history up to {} to fit the models; try a more recent cut-off.",
                    date(self.cutoff, lang)
                ),
            })]);
            return card;
        };
        let e = &v.evaluation;
        let weeks = v.holdout_weeks.round() as i64;
        let clients = count(e.clients as i64, Unit::Client, lang);
        card.text(vec![t(match lang {
            Lang::Es => format!(
                "Modelo ({}) ajustado con la historia hasta el {}, comparado con lo que pasó hasta el {} ({}), {clients}.",
                v.model,
                date(v.cutoff, lang),
                date(v.until, lang),
                count(weeks, Unit::Week, lang)
            ),
            Lang::En => format!(
                "Model ({}) fitted on the history up to {}, compared with what happened up to {} ({}), {clients}.",
                v.model,
                date(v.cutoff, lang),
                date(v.until, lang),
                count(weeks, Unit::Week, lang)
            ),
        })]);
        card.bullet(vec![t(match lang {
            Lang::Es => format!(
                "Días con visita o compra: predichos {}, reales {} ({} con visita, {} con compra)",
                whole(e.predicted_total),
                whole(e.actual_total),
                number(v.visit_days),
                number(v.purchase_days)
            ),
            Lang::En => format!(
                "Days with a visit or purchase: predicted {}, actual {} ({} with a visit, {} with a purchase)",
                whole(e.predicted_total),
                whole(e.actual_total),
                number(v.visit_days),
                number(v.purchase_days)
            ),
        })]);
        card.bullet(vec![t(match lang {
            Lang::Es => format!("Error medio por cliente: {} días", two(e.mae)),
            Lang::En => format!("Mean error per client: {} days", two(e.mae)),
        })]);
        let top = percent_whole(e.top_risk_lapsed_share * 100.0);
        let all = percent_whole(e.lapsed_share * 100.0);
        let riskiest = count(e.top_risk_clients as i64, Unit::Client, lang);
        card.bullet(vec![t(match (lang, e.lift) {
            (Lang::Es, Some(lift)) => format!(
                "Los {riskiest} con más riesgo (el 10%): {top} no volvió, contra {all} de todos: {:.1} veces más",
                lift
            ),
            (Lang::En, Some(lift)) => format!(
                "The {riskiest} most at risk (top 10%): {top} did not come back, against {all} of all: {:.1} times as often",
                lift
            ),
            (Lang::Es, None) => format!("Todos volvieron; los {riskiest} con más riesgo también"),
            (Lang::En, None) => format!("Everyone came back, the {riskiest} most at risk too"),
        })]);
        card.blank();
        card.text(vec![b(lang.pick(
            "Por decil de lo predicho (1 = menos, 10 = más), días por cliente:",
            "By decile of the prediction (1 = least, 10 = most), days per client:",
        ))]);
        for d in &e.deciles {
            card.indented(vec![t(match lang {
                Lang::Es => format!(
                    "{}: predicho {}, real {}",
                    d.decile,
                    two(d.predicted_mean()),
                    two(d.actual_mean())
                ),
                Lang::En => format!(
                    "{}: predicted {}, actual {}",
                    d.decile,
                    two(d.predicted_mean()),
                    two(d.actual_mean())
                ),
            })]);
        }
        card.set_chart(self.chart(v, lang));
        card
    }

    /// Predicted against actual clinic days per decile (totals, so the bars are counts).
    fn chart(&self, v: &Validation, lang: Lang) -> Chart {
        let deciles = &v.evaluation.deciles;
        Chart::Comparison(Comparison {
            title: lang
                .pick(
                    "Días con visita o compra por decil",
                    "Days with a visit or purchase by decile",
                )
                .to_owned(),
            unit: ChartUnit::Count,
            labels: deciles.iter().map(|d| d.decile.to_string()).collect(),
            current: deciles.iter().map(|d| d.predicted).collect(),
            previous: deciles.iter().map(|d| d.actual).collect(),
            current_name: lang.pick("Predicho", "Predicted").to_owned(),
            previous_name: lang.pick("Real", "Actual").to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intelligence::validation::{evaluate, Outcome};
    use chrono::NaiveDate;

    fn validation() -> Validation {
        // 20 clients: predicted 0.0..1.9, actual 0 for the first 6, else 1; the riskiest 2 lapsed.
        let outcomes: Vec<Outcome> = (0..20)
            .map(|i| Outcome {
                predicted: i as f64 / 10.0,
                actual: if i < 6 { 0.0 } else { 1.0 },
                churn_risk: 1.0 - i as f64 / 20.0,
            })
            .collect();
        Validation {
            cutoff: NaiveDate::from_ymd_opt(2026, 6, 6).unwrap(),
            until: NaiveDate::from_ymd_opt(2026, 12, 6).unwrap(),
            holdout_weeks: 26.1,
            activity: crate::intelligence::scoring::Activity::ClinicDays,
            model: "BG/NBD",
            visit_days: 10,
            purchase_days: 5,
            evaluation: evaluate(&outcomes).unwrap(),
        }
    }

    #[test]
    fn the_card_shows_the_computed_figures_and_charts_the_deciles() {
        let v = validation();
        let card = ReliabilityCard {
            cutoff: v.cutoff,
            validation: Some(v.clone()),
        }
        .render(Lang::Es);
        let text = card.to_plain();
        assert!(text.contains("hasta el 6 Jun 2026"), "{text}");
        assert!(text.contains("20 clientes"), "{text}");
        // Totals: predicted 19.0, actual 14.
        assert!(
            text.contains("predichos 19, reales 14 (10 con visita, 5 con compra)"),
            "{text}"
        );
        let mae = (0..20)
            .map(|i| (i as f64 / 10.0 - if i < 6 { 0.0 } else { 1.0 }).abs())
            .sum::<f64>()
            / 20.0;
        assert!(
            text.contains(&format!("Error medio por cliente: {mae:.2} días")),
            "{text}"
        );
        // Top 2 by risk lapsed (100%) against 6 of 20 (30%): 3.3 times.
        assert!(text.contains("Los 2 clientes con más riesgo (el 10%): 100% no volvió, contra 30% de todos: 3.3 veces más"), "{text}");
        assert!(text.contains("1: predicho 0.05, real 0.00"), "{text}");
        assert!(text.contains("10: predicho 1.85, real 1.00"), "{text}");
        let Some(Chart::Comparison(chart)) = card.chart() else {
            panic!("no chart");
        };
        assert_eq!(chart.labels.len(), 10);
        assert_eq!(
            chart.current,
            v.evaluation
                .deciles
                .iter()
                .map(|d| d.predicted)
                .collect::<Vec<_>>()
        );
        assert_eq!(chart.previous[0], 0.0);
        assert_eq!(chart.previous[9], 2.0);
        assert!(chart.render().is_ok());

        let en = ReliabilityCard {
            cutoff: v.cutoff,
            validation: Some(v),
        }
        .render(Lang::En)
        .to_plain();
        assert!(en.contains("3.3 times as often"), "{en}");
    }

    #[test]
    fn too_little_history_says_so_without_figures() {
        let card = ReliabilityCard {
            cutoff: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
            validation: None,
        }
        .render(Lang::En);
        assert!(card.chart().is_none());
        assert!(card
            .to_plain()
            .contains("not enough history up to Jan 1, 2020"));
    }
}
