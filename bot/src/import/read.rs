//! Reading an export file: its encoding (UTF-8 or Windows-1252/Latin-1, BOM or not), its
//! delimiter (`,`, `;` or tab, sniffed) and its rows with their line numbers.

use std::path::Path;

use super::ImportError;

/// A file's header and rows, as text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The file's name as given on the command line (for `file:line` in the report).
    pub name: String,
    pub encoding: &'static str,
    pub delimiter: u8,
    pub headers: Vec<String>,
    /// (line where the row starts, cells)
    pub rows: Vec<(u64, Vec<String>)>,
}

impl SourceFile {
    /// Reads and decodes `path`.
    pub fn read(path: &Path) -> Result<Self, ImportError> {
        let bytes = std::fs::read(path).map_err(|source| ImportError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&path.display().to_string(), &bytes)
    }

    /// Decodes and splits `bytes`, the contents of the file `name`.
    pub fn parse(name: &str, bytes: &[u8]) -> Result<Self, ImportError> {
        let (text, encoding) = decode(bytes);
        let delimiter = sniff_delimiter(&text);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let csv_error = |source| ImportError::Csv {
            path: name.to_owned(),
            source,
        };
        let headers = reader
            .headers()
            .map_err(csv_error)?
            .iter()
            .map(str::to_owned)
            .collect();
        let mut rows = Vec::new();
        // Lines counted from the record's first byte: the csv crate's own line count and
        // position are one line early after CRLF line ends.
        let (mut counted_to, mut line) = (0usize, 1u64);
        for record in reader.records() {
            let record = record.map_err(csv_error)?;
            let start = record.position().map_or(counted_to, |p| p.byte() as usize);
            let mut start = start.clamp(counted_to, text.len());
            // After a CRLF the position may point at the line end before the record.
            while matches!(text.as_bytes().get(start), Some(b'\r' | b'\n')) {
                start += 1;
            }
            line += text.as_bytes()[counted_to..start]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64;
            counted_to = start;
            if record.iter().all(|cell| cell.trim().is_empty()) {
                continue;
            }
            rows.push((line, record.iter().map(str::to_owned).collect()));
        }
        Ok(Self {
            name: name.to_owned(),
            encoding,
            delimiter,
            headers,
            rows,
        })
    }

    /// The delimiter's name, for people.
    pub fn delimiter_name(&self) -> &'static str {
        match self.delimiter {
            b';' => "punto y coma",
            b'\t' => "tabulador",
            _ => "coma",
        }
    }
}

/// The text of `bytes` and the encoding it was in: by its BOM; else UTF-8 when it is valid
/// UTF-8; else Windows-1252 (a superset of Latin-1's printable characters, what Excel and
/// older practice systems write on Spanish Windows).
pub fn decode(bytes: &[u8]) -> (String, &'static str) {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return (text.into_owned(), encoding.name());
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_owned(), "UTF-8"),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (text.into_owned(), "windows-1252")
        }
    }
}

/// The delimiter of a delimited text: of `,`, `;` and tab, the one found the same number of
/// times (outside quotes) on most of the first lines, preferring the one found most often
/// in the header.
pub fn sniff_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .collect();
    let Some(header) = lines.first() else {
        return b',';
    };
    [b',', b';', b'\t']
        .into_iter()
        .map(|d| {
            let in_header = count_outside_quotes(header, d);
            let agreeing = lines
                .iter()
                .filter(|l| count_outside_quotes(l, d) == in_header)
                .count();
            (d, (in_header > 0, agreeing, in_header))
        })
        .max_by_key(|(_, score)| *score)
        .map_or(b',', |(d, _)| d)
}

fn count_outside_quotes(line: &str, delimiter: u8) -> usize {
    let mut quoted = false;
    line.bytes()
        .filter(|b| {
            if *b == b'"' {
                quoted = !quoted;
            }
            !quoted && *b == delimiter
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_or_without_bom_and_windows_1252_decode_to_the_same_text() {
        let plain = "Nombre,Teléfono\nMaría,998\n";
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(plain.as_bytes());
        let (latin, _, _) = encoding_rs::WINDOWS_1252.encode(plain);
        for (bytes, encoding) in [
            (plain.as_bytes().to_vec(), "UTF-8"),
            (bom, "UTF-8"),
            (latin.into_owned(), "windows-1252"),
        ] {
            assert_eq!(decode(&bytes), (plain.to_owned(), encoding));
        }
    }

    #[test]
    fn the_delimiter_is_sniffed_ignoring_quoted_text() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter("a;b;c\n\"1,5\";2;3\n"), b';');
        assert_eq!(sniff_delimiter("a\tb\tc\n1, 2\t2\t3\n"), b'\t');
        assert_eq!(
            sniff_delimiter("Nombre;Dirección\nAna;\"Calle 5, Col. Centro\"\n"),
            b';'
        );
        assert_eq!(sniff_delimiter(""), b',');
    }

    #[test]
    fn rows_keep_their_line_numbers_and_blank_rows_are_skipped() {
        let file = SourceFile::parse(
            "x.csv",
            b"Nombre;Tel\n Ana ;998\n;\n\"Luis\nJr\";999\nEva;1\n",
        )
        .unwrap();
        assert_eq!(file.headers, ["Nombre", "Tel"]);
        let lines: Vec<u64> = file.rows.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [2, 4, 6]);
        let crlf = SourceFile::parse("y.csv", b"Nombre;Tel\r\nAna;1\r\n\r\nEva;2\r\n").unwrap();
        let lines: Vec<u64> = crlf.rows.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [2, 4]);
        assert_eq!(file.rows[0].1, ["Ana", "998"]);
        assert_eq!(file.delimiter_name(), "punto y coma");
    }
}
