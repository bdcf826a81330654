//! Files a reply carries (a client's data export; later charts and spreadsheets): sent as
//! documents after the reply's text where the channel can (Telegram, WhatsApp), written to a
//! directory by the terminal.

/// One file.
#[derive(Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The name the recipient sees (`datos-cliente-7-20261206.json`).
    pub file_name: String,
    /// MIME type (`application/json`, `text/html`).
    pub mime_type: String,
    pub bytes: Vec<u8>,
    /// One line sent with the file where the channel shows one (empty: none; the file's
    /// name says what it is).
    pub caption: String,
    /// The data-rights request (`data_requests.id`) this file answers: marked answered
    /// when the file is delivered.
    pub data_request: Option<i64>,
}

// The bytes are often personal data: never printed.
impl std::fmt::Debug for Attachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attachment")
            .field("file_name", &self.file_name)
            .field("mime_type", &self.mime_type)
            .field("bytes", &self.bytes.len())
            .field("caption", &self.caption.len())
            .field("data_request", &self.data_request)
            .finish()
    }
}

impl Attachment {
    /// Writes the file into `dir` (created if needed), readable by its owner only where the
    /// system has permissions: it is often personal data. Returns its path.
    pub fn write_into(&self, dir: &std::path::Path) -> std::io::Result<std::path::PathBuf> {
        use std::io::Write;
        std::fs::create_dir_all(dir)?;
        // The name is ours, but never let it leave `dir`.
        let name = std::path::Path::new(&self.file_name)
            .file_name()
            .ok_or_else(|| std::io::Error::other("a file name is needed"))?;
        let path = dir.join(name);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(&path)?.write_all(&self.bytes)?;
        Ok(path)
    }
}
