//! A list sent as a file (issue 15): «exporta la lista», «mándame en Excel los clientes en
//! riesgo», "send me the at-risk list as csv", «la lista en excel»; `/excel [lista]`,
//! `/csv [lista]`.

use serde_json::json;

use super::super::folded::Folded;
use super::Intent;
use crate::tools::export_list;

/// Verbs that ask for a file on their own ("exporta la lista").
const EXPORT: &[&str] = &[
    "exporta",
    "exportame",
    "exportar",
    "exporte",
    "export",
    "descarga",
    "descargame",
    "descargar",
    "download",
];
/// Words that name a spreadsheet; `csv` is the other format.
const EXCEL: &[&str] = &["excel", "xlsx", "hoja de calculo", "spreadsheet"];
/// Insight lists by name, most specific first.
const NAMED: &[(&str, &str)] = &[
    ("en riesgo", "at_risk"),
    ("at risk", "at_risk"),
    ("at-risk", "at_risk"),
    ("inactivos", "lapsed"),
    ("lapsed", "lapsed"),
    ("mejores clientes", "top_customers"),
    ("top clients", "top_customers"),
    ("top customers", "top_customers"),
    ("clientes nuevos", "new_customers"),
    ("nuevos clientes", "new_customers"),
    ("new clients", "new_customers"),
    ("new customers", "new_customers"),
    ("alto valor", "high_value"),
    ("high value", "high_value"),
    ("high-value", "high_value"),
];
/// Words that point at the list the chat shows.
const SHOWN: &[&str] = &[
    "lista",
    "list",
    "segmento",
    "segment",
    "resultados",
    "results",
    "clientes",
    "clients",
    "eso",
    "esto",
    "it",
    "this",
    "that",
];

/// `/excel` and `/csv`: the list on screen, or the insight list named after the command
/// (`/excel riesgo`).
pub(super) fn slash(format: &str, args: &str) -> Intent {
    let named = NAMED
        .iter()
        .chain(&[("riesgo", "at_risk"), ("risk", "at_risk")])
        .find(|(w, _)| args.contains(w))
        .map(|(_, k)| *k);
    Intent::Tool {
        name: export_list::NAME,
        args: json!({"list": named.unwrap_or("last"), "format": format}),
    }
}

fn has_word(text: &str, word: &str) -> bool {
    format!(" {text} ").contains(&format!(" {word} "))
}

/// A request for a list as a file, if the message is one.
pub(super) fn phrase(f: &Folded) -> Option<Intent> {
    let t: String = f
        .text
        .chars()
        .map(|c| if c == ',' || c == '.' { ' ' } else { c })
        .collect();
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    let csv = has_word(&t, "csv");
    let excel = EXCEL.iter().any(|w| has_word(&t, w));
    let verb = EXPORT.iter().any(|v| t.starts_with(&format!("{v} ")));
    // A client's own data ("exporta los datos de María") is the access request, not a list.
    if !csv && !excel && (t.contains("datos") || t.contains("data")) {
        return None;
    }
    let named = NAMED.iter().find(|(w, _)| t.contains(w)).map(|(_, k)| *k);
    let shown = SHOWN.iter().any(|w| has_word(&t, w));
    // The format alone ("en excel", "as csv") is about the list on screen.
    let short = t.split_whitespace().count() <= 3;
    if !(csv || excel || verb) || !(named.is_some() || shown || ((csv || excel) && short)) {
        return None;
    }
    let format = if csv { "csv" } else { "xlsx" };
    Some(Intent::Tool {
        name: export_list::NAME,
        args: json!({"list": named.unwrap_or("last"), "format": format}),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Option<Intent> {
        let folded = Folded::new(text);
        phrase(&folded)
    }

    fn file(list: &str, format: &str) -> Option<Intent> {
        Some(Intent::Tool {
            name: export_list::NAME,
            args: json!({"list": list, "format": format}),
        })
    }

    #[test]
    fn reads_the_issues_phrasings() {
        assert_eq!(parse("exporta la lista"), file("last", "xlsx"));
        assert_eq!(
            parse("mándame en Excel los clientes en riesgo"),
            file("at_risk", "xlsx")
        );
        assert_eq!(
            parse("send me the at-risk list as csv"),
            file("at_risk", "csv")
        );
        assert_eq!(parse("en excel"), file("last", "xlsx"));
        assert_eq!(parse("export the segment"), file("last", "xlsx"));
        assert_eq!(
            parse("pásame la lista de inactivos en csv"),
            file("lapsed", "csv")
        );
    }

    #[test]
    fn slash_commands_name_the_format_and_maybe_the_list() {
        assert_eq!(
            super::super::parse("/excel", chrono::NaiveDate::MIN),
            file("last", "xlsx").unwrap()
        );
        assert_eq!(
            super::super::parse("/csv riesgo", chrono::NaiveDate::MIN),
            file("at_risk", "csv").unwrap()
        );
    }

    #[test]
    fn leaves_other_requests_alone() {
        assert_eq!(parse("exporta los datos de María García"), None);
        assert_eq!(parse("clientes en riesgo"), None);
        assert_eq!(parse("mándales la promo a la lista"), None);
        assert_eq!(parse("export María García's data"), None);
    }
}
