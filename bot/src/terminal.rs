//! The terminal channel: one question per line on stdin, answers on stdout, as the staff
//! member linked to the terminal identity (Dr. Pablo in the demo clinic). Files a reply
//! carries (a client's data export) are written to a directory and their paths said.

use std::path::Path;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};

use crate::brain::engine::{Engine, Incoming};
use crate::crm::export::request;
use crate::demo::TERMINAL_STAFF_ID;
use crate::render::Markup;

/// Runs the chat until end of input or "salir"/"exit"; files go to `files_dir`.
pub async fn chat(
    engine: &Engine,
    input: impl AsyncRead + Unpin,
    mut output: impl AsyncWrite + Unpin,
    files_dir: &Path,
) -> anyhow::Result<()> {
    let mut lines = BufReader::new(input).lines();
    output
        .write_all(
            "vetbot — pregunta lo que quieras («cuéntame sobre María García», «/ayuda»); «salir» termina.\n> "
                .as_bytes(),
        )
        .await?;
    output.flush().await?;
    while let Some(line) = lines.next_line().await? {
        let line = line.trim();
        if matches!(line.to_lowercase().as_str(), "salir" | "exit" | "quit") {
            break;
        }
        if !line.is_empty() {
            let msg = Incoming {
                channel: "terminal".into(),
                chat_id: TERMINAL_STAFF_ID.into(),
                sender_id: TERMINAL_STAFF_ID.into(),
                text: line.into(),
            };
            let mut reply = engine.handle(&msg).await?;
            let mut files = reply.reply.take_files();
            // A report's chart is saved next to the other files and its path printed.
            if let Some(chart) = reply.reply.take_chart() {
                let member =
                    crate::staff::identify(engine.pool(), "terminal", TERMINAL_STAFF_ID).await?;
                let lang = crate::domain::Lang::from_code(
                    member.as_ref().map_or("es", |m| m.language.as_str()),
                );
                files.extend(chart.attachment(lang));
            }
            output
                .write_all(reply.reply.render(Markup::Markdown).as_bytes())
                .await?;
            output.write_all(b"\n").await?;
            for file in files {
                let line = match file.write_into(files_dir) {
                    Ok(path) => {
                        if let Some(id) = file.data_request {
                            request::answered(engine.pool(), id).await?;
                        }
                        format!("📎 {}\n", path.display())
                    }
                    Err(e) => {
                        tracing::warn!(error.message = %e, "could not write a reply's file");
                        format!("⚠️ {}: {e}\n", file.file_name)
                    }
                };
                output.write_all(line.as_bytes()).await?;
            }
        }
        output.write_all(b"> ").await?;
        output.flush().await?;
    }
    output.write_all("¡Hasta luego!\n".as_bytes()).await?;
    output.flush().await?;
    Ok(())
}
