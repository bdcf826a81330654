//! Files sent on demand: a client's photo, voice note or document, downloaded from the
//! platform that holds it and sent on to a staff chat.

/// A file in memory, ready to send.
#[derive(Clone, PartialEq, Eq)]
pub struct MediaFile {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// MIME type (`image/jpeg`, `audio/ogg`, `application/pdf`...).
    pub mime_type: String,
    /// A file name to show (`foto.jpg`).
    pub file_name: String,
}

impl std::fmt::Debug for MediaFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaFile")
            .field("bytes", &self.bytes.len())
            .field("mime_type", &self.mime_type)
            .finish_non_exhaustive()
    }
}

impl MediaFile {
    /// How the platforms show it: a photo (JPEG or PNG), else a document (any file, any
    /// player: voice notes, audio, video, PDFs...).
    pub fn is_photo(&self) -> bool {
        matches!(self.mime_type.as_str(), "image/jpeg" | "image/png")
    }
}

/// A file name for a file that came without one: `archivo.<extension of its type>`.
pub fn file_name_for(mime_type: &str) -> String {
    let base = mime_type.split(';').next().unwrap_or_default().trim();
    let extension = match base {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "audio/ogg" => "ogg",
        "audio/mpeg" => "mp3",
        "audio/mp4" | "audio/aac" => "m4a",
        "audio/amr" => "amr",
        "video/mp4" => "mp4",
        "video/3gpp" => "3gp",
        "application/pdf" => "pdf",
        "text/plain" => "txt",
        _ => "bin",
    };
    format!("archivo.{extension}")
}
