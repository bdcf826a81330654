//! The readable copy of an export: one self-contained, printable HTML page (no scripts, no
//! outside resources), in the staff member's language, times in the clinic's zone. Every
//! section of the JSON is shown, each row as a table row with every field, so the two files
//! always say the same.

use std::fmt::Write;

use chrono::DateTime;
use chrono_tz::Tz;
use serde_json::{Map, Value};

use super::{ClientExport, REFERRED, SECTIONS, SINGLE};
use crate::domain::Lang;

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}\
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #999}\
table{border-collapse:collapse;width:100%;font-size:.85em}\
th,td{border:1px solid #bbb;padding:.25em .4em;text-align:left;vertical-align:top}\
th{background:#eee}code{white-space:pre-wrap;word-break:break-all}\
.none{color:#666;font-style:italic}@media print{body{margin:0}h2{break-after:avoid}tr{break-inside:avoid}}";

/// A section's title.
fn title(section: &str, lang: Lang) -> &'static str {
    let (es, en) = match section {
        "client" => ("Cliente", "Client"),
        "profile" => ("Perfil y datos de contacto", "Profile and contact data"),
        "activity" => ("Actividad", "Activity"),
        "metrics" => ("Indicadores calculados", "Computed metrics"),
        "tags" => ("Etiquetas", "Tags"),
        "notes" => ("Notas", "Notes"),
        "pets" => ("Mascotas", "Pets"),
        "vaccinations" => ("Vacunas", "Vaccinations"),
        "appointments" => ("Citas y visitas", "Appointments and visits"),
        "orders" => ("Compras", "Orders"),
        "order_items" => ("Artículos comprados", "Order items"),
        "loyalty_account" => ("Cuenta de lealtad", "Loyalty account"),
        "loyalty_transactions" => ("Movimientos de puntos", "Points transactions"),
        "loyalty_tier_changes" => ("Cambios de nivel", "Tier changes"),
        "consent_events" => ("Historial de consentimientos", "Consent history"),
        "communications" => (
            "Mensajes enviados y recibidos",
            "Messages sent and received",
        ),
        "campaign_recipients" => ("Campañas", "Campaigns"),
        "marketing_daily_sends" => ("Envíos de marketing por día", "Marketing sends per day"),
        "client_messages" => ("Mensajes del cliente", "The client's messages"),
        "client_message_copies" => ("Entregas al personal", "Deliveries to staff"),
        "client_message_replies" => ("Respuestas del personal", "Staff replies"),
        "client_message_reply_modes" => ("Respuestas en curso", "Replies in progress"),
        "inbox_messages" => (
            "Mensajes recibidos (original)",
            "Messages received (original)",
        ),
        "chat_links" => ("Chats vinculados", "Linked chats"),
        "link_tokens" => ("Enlaces de vinculación", "Link invitations"),
        "data_requests" => ("Solicitudes de derechos ARCO", "Data-rights requests"),
        "contact_changes" => (
            "Correcciones de datos de contacto",
            "Contact data corrections",
        ),
        REFERRED => (
            "Clientes referidos (solo número)",
            "Referred clients (id only)",
        ),
        _ => ("", ""),
    };
    lang.pick(es, en)
}

fn escape(text: &str) -> String {
    crate::render::format::escape_html(text).replace('"', "&quot;")
}

/// A value as table text: times in the clinic's zone, nested JSON compact.
fn cell(value: &Value, tz: Tz) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => match DateTime::parse_from_rfc3339(s) {
            Ok(at) => at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
            Err(_) => escape(s),
        },
        Value::Array(_) | Value::Object(_) => {
            format!("<code>{}</code>", escape(&value.to_string()))
        }
        other => escape(&other.to_string()),
    }
}

fn label(key: &str) -> String {
    escape(&key.replace('_', " "))
}

/// The page.
pub fn render(export: &ClientExport, lang: Lang, tz: Tz) -> String {
    let doc = &export.document;
    let heading = lang.pick("Datos personales de", "Personal data of");
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <title>{heading} {name}</title><style>{STYLE}</style></head><body>\n\
         <h1>{heading} {name}</h1>\n<p>{client} #{id} · {generated} {at} ({zone}) · {format}</p>\n\
         <p>{intro}</p>\n",
        lang.pick("es-MX", "en"),
        name = escape(&export.name),
        client = lang.pick("Cliente", "Client"),
        id = export.owner_id,
        generated = lang.pick("Generado el", "Generated on"),
        at = export.generated_at.with_timezone(&tz).format("%Y-%m-%d %H:%M"),
        zone = tz.name(),
        format = super::FORMAT,
        intro = lang.pick(
            "Todo lo que la clínica guarda sobre este cliente. El archivo JSON adjunto contiene los mismos datos en formato estructurado.",
            "Everything the clinic holds about this client. The attached JSON file holds the same data in a structured format."
        ),
    );
    for section in SECTIONS.iter().chain([&REFERRED]) {
        let _ = writeln!(out, "<h2>{}</h2>", title(section, lang));
        let value = &doc[*section];
        let rows: Vec<&Map<String, Value>> = match value {
            Value::Array(rows) => rows.iter().filter_map(Value::as_object).collect(),
            Value::Object(row) => vec![row],
            _ => Vec::new(),
        };
        if rows.is_empty() {
            let none = lang.pick("Sin datos.", "No data.");
            let _ = writeln!(out, "<p class=\"none\">{none}</p>");
        } else if SINGLE.contains(section) {
            out.push_str("<table>\n");
            for (key, value) in rows[0] {
                let _ = writeln!(
                    out,
                    "<tr><th>{}</th><td>{}</td></tr>",
                    label(key),
                    cell(value, tz)
                );
            }
            out.push_str("</table>\n");
        } else {
            let mut columns: Vec<&str> = Vec::new();
            for row in &rows {
                for key in row.keys() {
                    if !columns.contains(&key.as_str()) {
                        columns.push(key);
                    }
                }
            }
            out.push_str("<table>\n<tr>");
            for column in &columns {
                let _ = write!(out, "<th>{}</th>", label(column));
            }
            out.push_str("</tr>\n");
            for row in &rows {
                out.push_str("<tr>");
                for column in &columns {
                    let value = row.get(*column).unwrap_or(&Value::Null);
                    let _ = write!(out, "<td>{}</td>", cell(value, tz));
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</table>\n");
        }
    }
    out.push_str("</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn export(document: Value) -> ClientExport {
        ClientExport {
            owner_id: 7,
            name: "Ana <b>López</b>".into(),
            generated_at: "2026-12-06T18:30:00Z".parse().unwrap(),
            document,
        }
    }

    #[test]
    fn every_section_is_shown_escaped_with_times_in_the_clinic_zone() {
        let doc = json!({
            "client": {"id": 7, "full_name": "Ana <b>López</b>"},
            "pets": [{"id": 1, "name": "Max & Co"}, {"id": 2, "name": "Luna", "breed": "mestiza"}],
            "notes": [{"id": 3, "content": "<script>x</script>", "created_at": "2026-12-06T18:30:00+00:00"}],
            "inbox_messages": [{"id": 9, "payload": {"text": "hola"}}],
        });
        let tz = chrono_tz::America::Cancun;
        let page = render(&export(doc), Lang::Es, tz);
        for section in SECTIONS.iter().chain([&REFERRED]) {
            assert!(page.contains(title(section, Lang::Es)), "{section}");
        }
        assert!(page.contains("Ana &lt;b&gt;López&lt;/b&gt;"));
        assert!(page.contains("Max &amp; Co"));
        assert!(!page.contains("<script>"));
        // 18:30 UTC is 13:30 in Cancún (UTC-5).
        assert!(page.contains("2026-12-06 13:30"));
        // A column only the second row has is still a column.
        assert!(page.contains("<th>breed</th>"));
        assert!(page.contains("Sin datos."));
        let english = render(&export(json!({})), Lang::En, tz);
        assert!(english.contains("Personal data of"));
        assert!(english.contains("Consent history"));
    }
}
