//! `export_client_data`: everything vetbot holds about one client, sent as files in the
//! chat (a JSON file and a printable HTML page), for the client's access request. Owner
//! only unless granted (`access::Permission::DataExport`). Each export is logged in
//! `data_requests` (kind `access`), answered when the files are delivered. The model gets
//! counts and file names, never the data. Counted as a write: the model runs it only when
//! the message asks, and never again for an edit of that message.

use serde::Deserialize;
use serde_json::json;

use super::{ToolContext, ToolDefinition, ToolError, ToolOutput};
use crate::crm::export::{self, request, ExportError};
use crate::domain::Lang;
use crate::render::rich::{b, t};
use crate::render::{NotFoundCard, RichText};

pub const NAME: &str = "export_client_data";

pub fn definition() -> ToolDefinition {
    ToolDefinition {
        name: NAME,
        description: "Owner only: send all data held on a client as JSON + HTML files",
        parameters: json!({
            "type": "object",
            "properties": {"user_id": {"type": "integer"}},
            "required": ["user_id"]
        }),
        // It sends a client's data and logs the request: only when the message asks.
        writes: true,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Args {
    pub user_id: i64,
}

impl From<ExportError> for ToolError {
    fn from(e: ExportError) -> Self {
        match e {
            ExportError::NoOwner(id) => ToolError::NotFound(NotFoundCard::OwnerId(id)),
            ExportError::Database(e) => ToolError::Database(e),
        }
    }
}

pub async fn run(ctx: &ToolContext, args: Args) -> Result<ToolOutput, ToolError> {
    let export = export::collect(&ctx.pool, args.user_id).await?;
    let counts = export.counts();
    let mut files = export.files(ctx.lang, ctx.clock.tz());
    let names: Vec<&str> = files.iter().map(|f| f.file_name.as_str()).collect();
    let detail = json!({"files": names, "rows": counts, "format": export::FORMAT});
    let id = request::log(&ctx.pool, args.user_id, ctx.staff_id, &ctx.channel, &detail).await?;
    for file in &mut files {
        file.data_request = Some(id);
    }
    let mut card = summary(&export.name, args.user_id, &counts, ctx.lang);
    for file in files.iter().cloned() {
        card.attach(file);
    }
    let data = json!({"user_id": args.user_id, "request_id": id, "files": names_of(&files),
        "rows": counts, "sent": "the files are sent with this answer"});
    Ok(ToolOutput::new(data, card))
}

fn names_of(files: &[crate::render::Attachment]) -> Vec<String> {
    files.iter().map(|f| f.file_name.clone()).collect()
}

/// What staff read above the files.
fn summary(
    name: &str,
    owner_id: i64,
    counts: &std::collections::BTreeMap<String, usize>,
    lang: Lang,
) -> RichText {
    let n = |s: &str| counts.get(s).copied().unwrap_or_default();
    let mut card = RichText::new();
    card.text(vec![
        t(lang.pick("📦 Datos de ", "📦 Data of ")),
        b(name),
        t(format!(" (#{owner_id})")),
    ]);
    card.text(vec![t(match lang {
        Lang::Es => format!(
            "{} mascotas, {} citas, {} compras, {} notas, {} mensajes, {} consentimientos.",
            n("pets"),
            n("appointments"),
            n("orders"),
            n("notes"),
            n("communications") + n("client_messages"),
            n("consent_events")
        ),
        Lang::En => format!(
            "{} pets, {} appointments, {} orders, {} notes, {} messages, {} consent records.",
            n("pets"),
            n("appointments"),
            n("orders"),
            n("notes"),
            n("communications") + n("client_messages"),
            n("consent_events")
        ),
    })]);
    card.text(vec![t(lang.pick(
        "Te envío dos archivos: JSON (completo, estructurado) y HTML (para leer o imprimir). Contienen datos personales: compártelos solo con el cliente. Solicitud de acceso registrada.",
        "Sending two files: JSON (complete, structured) and HTML (to read or print). They hold personal data: share them only with the client. Access request logged.",
    ))]);
    card
}
