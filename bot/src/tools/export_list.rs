//! `export_list`: a list of clients sent as a file (`.xlsx`, or `.csv` on request) with
//! every row, not only the page shown: the chat's last list (`list: "last"`, a segment or a
//! search) or an insight list named in the request ("mándame en Excel los clientes en
//! riesgo"). Phones are personal data: the list's own role rule is applied again (whoever
//! may see the list may take it), and each file is audited — who, which list, how many rows.
//! The model gets the count and the file's name, never the rows.

use std::time::Instant;

use serde::Deserialize;
use serde_json::{json, Value};

use super::{ToolContext, ToolDefinition, ToolError, ToolOutput};
use crate::crm::insights::InsightKind;
use crate::crm::list_file::{self, FileFormat};
use crate::domain::Lang;
use crate::render::rich::{b, t};
use crate::render::{Attachment, RichText};

pub const NAME: &str = "export_list";

pub fn definition() -> ToolDefinition {
    ToolDefinition {
        name: NAME,
        description: "Send the last list shown, or one named, as a file with every row",
        parameters: json!({
            "type": "object",
            "properties": {
                "list": {"type": "string", "enum": ["last", "at_risk", "lapsed", "top_customers", "new_customers", "high_value"]},
                "format": {"type": "string", "enum": ["xlsx", "csv"]}
            }
        }),
        writes: false,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Args {
    #[serde(default)]
    pub list: Option<String>,
    #[serde(default)]
    pub format: FileFormat,
}

/// Which list, resolved.
struct Source {
    /// The tool and arguments whose list this is (role-checked again).
    tool: String,
    args: Value,
    /// What the list is called, for the caption and the file name.
    kind: String,
    ids: Vec<i64>,
}

pub async fn run(ctx: &ToolContext, args: Args) -> Result<ToolOutput, ToolError> {
    let started = Instant::now();
    let Some(source) = source(ctx, args.list.as_deref().unwrap_or("last")).await? else {
        return Ok(ToolOutput::new(
            json!({"error": "no_list", "message": "no list was shown in this chat yet; show one first"}),
            RichText::plain(ctx.lang.pick(
                "No hay una lista que exportar todavía: pídeme primero una (por ejemplo «clientes en riesgo» o un segmento) y luego «exporta la lista».",
                "There is no list to export yet: ask me for one first (e.g. \"at-risk clients\" or a segment), then \"export the list\".",
            )),
        ));
    };
    // Whoever may see the list may take it: the list's own rule, checked again here.
    crate::access::check(ctx, &source.tool, &source.args).await?;
    let rows = list_file::rows(&ctx.pool, &ctx.clock, &source.ids, ctx.lang).await?;
    let bytes = match crate::render::spreadsheet::write(args.format, &rows, ctx.lang) {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error.message = %e, "a list file could not be written");
            return Err(ToolError::FileNotWritten);
        }
    };
    let stamp = ctx.clock.now().format("%Y%m%d-%H%M");
    let file_name = format!(
        "{}-{stamp}.{}",
        file_stem(&source.kind, ctx.lang),
        args.format.extension()
    );
    let caption = caption(&source.kind, rows.len(), args.format, ctx.lang);
    let detail = json!({
        "list": source.kind, "tool": source.tool, "list_args": source.args,
        "format": args.format, "rows": rows.len(), "file": file_name,
    });
    super::audit::file_sent(ctx, NAME, &detail, started.elapsed()).await;
    let mut card = RichText::new();
    card.text(vec![t("📎 "), b(&caption)]);
    card.attach(Attachment {
        file_name: file_name.clone(),
        mime_type: args.format.mime_type().to_owned(),
        bytes,
        caption: caption.clone(),
        data_request: None,
    });
    Ok(ToolOutput::new(
        json!({"list": source.kind, "rows": rows.len(), "file": file_name,
               "sent": "the file is sent with this answer"}),
        card,
    ))
}

/// The list asked for: an insight list by name, or the chat's last one (None: none yet).
async fn source(ctx: &ToolContext, list: &str) -> Result<Option<Source>, ToolError> {
    let insight = |name: &str| serde_json::from_value::<InsightKind>(json!(name)).ok();
    if let Some(kind) = insight(list) {
        let tool = super::get_customer_insights::NAME.to_owned();
        let args = json!({"insight_type": kind});
        let ids = list_file::insight_ids(&ctx.pool, &ctx.clock, kind).await?;
        return Ok(Some(Source {
            tool,
            args,
            kind: kind.as_str().to_owned(),
            ids,
        }));
    }
    if list != "last" {
        return Err(ToolError::invalid(
            "list must be last, at_risk, lapsed, top_customers, new_customers or high_value",
        ));
    }
    let Some(conversation) = ctx.conversation else {
        return Ok(None);
    };
    let Some(shown) = crate::marketing::lists::last(&ctx.pool, conversation).await? else {
        return Ok(None);
    };
    let ids =
        list_file::all_ids(&ctx.pool, &ctx.clock, &shown.tool, &shown.args, &shown.ids).await?;
    let kind = match shown.tool.as_str() {
        super::get_customer_insights::NAME => shown.args["insight_type"]
            .as_str()
            .unwrap_or("list")
            .to_owned(),
        super::get_segment::NAME => "segment".to_owned(),
        super::search_owners::NAME => "search".to_owned(),
        _ => "list".to_owned(),
    };
    Ok(Some(Source {
        tool: shown.tool,
        args: shown.args,
        kind,
        ids,
    }))
}

/// The list's name in `lang` ("Clientes en riesgo").
fn title(kind: &str, lang: Lang) -> &'static str {
    match kind {
        "at_risk" => lang.pick("Clientes en riesgo", "At-risk clients"),
        "lapsed" => lang.pick("Clientes inactivos", "Lapsed clients"),
        "top_customers" => lang.pick("Mejores clientes", "Top clients"),
        "new_customers" => lang.pick("Clientes nuevos", "New clients"),
        "high_value" => lang.pick("Clientes de alto valor", "High-value clients"),
        "segment" => lang.pick("Segmento", "Segment"),
        "search" => lang.pick("Búsqueda", "Search"),
        _ => lang.pick("Lista de clientes", "Client list"),
    }
}

/// The file's name before the date: no client's name in it (names travel in previews).
fn file_stem(kind: &str, lang: Lang) -> &'static str {
    match kind {
        "at_risk" => lang.pick("clientes-en-riesgo", "at-risk-clients"),
        "lapsed" => lang.pick("clientes-inactivos", "lapsed-clients"),
        "top_customers" => lang.pick("mejores-clientes", "top-clients"),
        "new_customers" => lang.pick("clientes-nuevos", "new-clients"),
        "high_value" => lang.pick("clientes-alto-valor", "high-value-clients"),
        "segment" => lang.pick("segmento", "segment"),
        "search" => lang.pick("busqueda", "search"),
        _ => lang.pick("lista-clientes", "client-list"),
    }
}

/// The one line sent with the file: "Clientes en riesgo: 37 clientes (Excel)".
fn caption(kind: &str, rows: usize, format: FileFormat, lang: Lang) -> String {
    let clients = match (lang, rows) {
        (Lang::Es, 1) => "cliente",
        (Lang::Es, _) => "clientes",
        (Lang::En, 1) => "client",
        (Lang::En, _) => "clients",
    };
    format!(
        "{}: {rows} {clients} ({})",
        title(kind, lang),
        format.label()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_caption_is_one_line_in_the_members_language() {
        let es = caption("at_risk", 37, FileFormat::Xlsx, Lang::Es);
        assert_eq!(es, "Clientes en riesgo: 37 clientes (Excel)");
        let en = caption("segment", 1, FileFormat::Csv, Lang::En);
        assert_eq!(en, "Segment: 1 client (CSV)");
        assert!(!es.contains('\n'));
    }

    #[test]
    fn arguments_default_to_the_last_list_as_excel() {
        let args: Args = serde_json::from_value(json!({})).unwrap();
        assert_eq!(args.list, None);
        assert_eq!(args.format, FileFormat::Xlsx);
        let args: Args =
            serde_json::from_value(json!({"list": "at_risk", "format": "csv"})).unwrap();
        assert_eq!(args.format, FileFormat::Csv);
        assert!(serde_json::from_value::<Args>(json!({"format": "pdf"})).is_err());
    }
}
