//! Export files of a practice system at any size, for the import benchmark
//! (`vetbot-dev import-files --owners N --seed S --out DIR`): clients, pets, visits, a
//! product catalogue and sale lines with the mess real exports have (every phone form,
//! names in capitals, `dd/mm/yyyy`, ISO and Excel-serial dates, `$1,234.50`, `1.299,00` and
//! `89,90` amounts, `;`, tab and `,` delimiters, Windows-1252 and CRLF, a few rows to
//! reject). The same seed always gives the same files. About 1.5 pets, 6 visits and 10 sale
//! lines per client, 300 products.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::{Days, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::synth::generator::{DOG_BREEDS, FIRST_ES, LAST_ES, PET_NAMES};

/// Products in the catalogue.
pub const PRODUCTS: u32 = 300;

/// The files written, with how many data rows each has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub files: Vec<(PathBuf, u64)>,
}

/// File names, in the order `vetbot import` takes them.
pub const CLIENTS: &str = "clientes.csv";
pub const PETS: &str = "pacientes.tsv";
pub const VISITS: &str = "visitas.csv";
pub const CATALOGUE: &str = "productos.csv";
pub const SALES: &str = "ventas.csv";

/// Writes the five export files for `owners` clients into `dir` (created if missing).
pub fn write(dir: &Path, owners: u32, seed: u64) -> std::io::Result<Written> {
    std::fs::create_dir_all(dir)?;
    let owners = owners.max(1);
    let pets = owners + owners / 2;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let at = |name| dir.join(name);
    let files = vec![
        (at(CLIENTS), clients(&at(CLIENTS), &mut rng, owners)?),
        (at(PETS), patients(&at(PETS), &mut rng, owners, pets)?),
        (at(VISITS), visits(&at(VISITS), &mut rng, owners, pets)?),
        (at(CATALOGUE), catalogue(&at(CATALOGUE), &mut rng)?),
        (at(SALES), sales(&at(SALES), &mut rng, owners)?),
    ];
    Ok(Written { files })
}

fn create(path: &Path) -> std::io::Result<BufWriter<std::fs::File>> {
    Ok(BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(path)?,
    ))
}

fn pick<'a>(rng: &mut ChaCha8Rng, from: &[&'a str]) -> &'a str {
    from[rng.random_range(0..from.len())]
}

fn client_key(i: u32) -> String {
    format!("C{i:06}")
}

fn pet_key(i: u32) -> String {
    format!("P{i:07}")
}

/// A client's ten digits, `998` (Cancún) mostly.
fn digits(rng: &mut ChaCha8Rng) -> String {
    let area = if rng.random_bool(0.85) { "998" } else { "984" };
    format!("{area}{:07}", rng.random_range(1_000_000..10_000_000u32))
}

/// The ten digits written as Mexican exports have them.
fn phone(rng: &mut ChaCha8Rng, d: &str) -> String {
    let (a, b, c) = (&d[..3], &d[3..6], &d[6..]);
    match rng.random_range(0..6) {
        0 => format!("{a} {b} {c}"),
        1 => format!("({a}) {b}-{}-{}", &c[..2], &c[2..]),
        2 => format!("+52 1 {a} {b} {c}"),
        3 => format!("044 {a} {b} {c}"),
        4 => d.to_owned(),
        _ => format!("+52 {a}-{b}-{c}"),
    }
}

/// A date in one of the forms exports use: `dd/mm/yyyy` mostly, ISO, or an Excel serial.
fn date(rng: &mut ChaCha8Rng, d: NaiveDate) -> String {
    match rng.random_range(0..10) {
        0 => d.format("%Y-%m-%d").to_string(),
        1 => excel_serial(d).to_string(),
        _ => d.format("%d/%m/%Y").to_string(),
    }
}

fn excel_serial(d: NaiveDate) -> i64 {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid date");
    (d - epoch).num_days()
}

fn day_between(rng: &mut ChaCha8Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(1) as u64;
    from + Days::new(rng.random_range(0..span))
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// Money as the exports write it: `$1,234.50`, `$ 350`, `1.299,00` or `89,90`.
fn amount(rng: &mut ChaCha8Rng, cents: u64) -> String {
    let (units, cents) = (cents / 100, cents % 100);
    let grouped = |sep: char| {
        let text = units.to_string();
        let mut out = String::new();
        for (i, c) in text.chars().enumerate() {
            if i > 0 && (text.len() - i) % 3 == 0 {
                out.push(sep);
            }
            out.push(c);
        }
        out
    };
    match rng.random_range(0..4) {
        0 => format!("\"${}.{cents:02}\"", grouped(',')),
        1 if cents == 0 => format!("$ {units}"),
        2 => format!("{},{cents:02}", grouped('.')),
        _ => format!("{units}.{cents:02}"),
    }
}

fn capitals(rng: &mut ChaCha8Rng, name: &str) -> String {
    if rng.random_bool(0.6) {
        name.to_uppercase()
    } else {
        name.to_owned()
    }
}

/// Windows-1252 bytes of `text` (its letters are all in Latin-1).
fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect()
}

fn clients(path: &Path, rng: &mut ChaCha8Rng, owners: u32) -> std::io::Result<u64> {
    let mut out = create(path)?;
    // UTF-8 with a BOM, `;`.
    out.write_all("\u{feff}Clave de cliente;Nombre;Apellido paterno;Apellido materno;Celular;Tel. casa;Correo;Dirección;Colonia;CP;Fecha de alta;Acepta WhatsApp\n".as_bytes())?;
    let mut family_phone = digits(rng);
    for i in 1..=owners {
        let first = pick(rng, FIRST_ES);
        let last = pick(rng, LAST_ES);
        let second = if rng.random_bool(0.8) {
            pick(rng, LAST_ES)
        } else {
            ""
        };
        // One in a thousand has no name: rejected.
        let (first, last, second) = if rng.random_bool(0.001) {
            (String::new(), String::new(), String::new())
        } else {
            (
                capitals(rng, first),
                capitals(rng, last),
                capitals(rng, second),
            )
        };
        // Families share a phone now and then (possible duplicates, listed).
        if !rng.random_bool(0.02) {
            family_phone = digits(rng);
        }
        let mobile = phone(rng, &family_phone);
        let home = if rng.random_bool(0.2) {
            let d = digits(rng);
            let mut p = phone(rng, &d);
            if rng.random_bool(0.3) {
                p.push_str(&format!(" ext. {}", rng.random_range(1..100)));
            }
            p
        } else {
            String::new()
        };
        let email = match rng.random_range(0..10) {
            0..=2 => String::new(),
            3 => format!("{}.{}{i}@GMAIL.COM", fold_ascii(&first), fold_ascii(&last)),
            4 if rng.random_bool(0.05) => format!("{}@", fold_ascii(&first)),
            _ => format!(
                "{}.{}{i}@hotmail.com",
                fold_ascii(&first),
                fold_ascii(&last)
            )
            .to_lowercase(),
        };
        let street = format!(
            "Calle {} #{}",
            rng.random_range(1..120),
            rng.random_range(1..500)
        );
        let colonia = pick(
            rng,
            &[
                "Centro",
                "Supermanzana 23",
                "Puerto Morelos",
                "Región 94",
                "Alfredo V. Bonfil",
            ],
        );
        let cp = format!("77{:03}", rng.random_range(500..600));
        let since = day_between(rng, ymd(2012, 1, 1), ymd(2025, 10, 1));
        let since = if rng.random_bool(0.05) {
            String::new()
        } else {
            date(rng, since)
        };
        let consent = match rng.random_range(0..6) {
            0 | 1 => "Sí",
            2 => "no",
            _ => "",
        };
        writeln!(
            out,
            "{};{first};{last};{second};{mobile};{home};{email};{street};{colonia};{cp};{since};{consent}",
            client_key(i)
        )?;
    }
    out.flush()?;
    Ok(u64::from(owners))
}

/// The ASCII letters of `name` for an e-mail address.
fn fold_ascii(name: &str) -> String {
    bot::domain::fold(name)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

fn patients(path: &Path, rng: &mut ChaCha8Rng, owners: u32, pets: u32) -> std::io::Result<u64> {
    let mut out = create(path)?;
    // Windows-1252, tabs, CRLF.
    out.write_all(&latin1("Folio\tNombre\tEspecie\tRaza\tSexo\tFecha de nacimiento\tFallecido\tFecha de defunción\tClave de cliente\r\n"))?;
    for i in 1..=pets {
        // Every client has a pet; the rest go to random clients. One in a thousand names a
        // client the export does not have: rejected.
        let owner = if i <= owners {
            client_key(i)
        } else if rng.random_bool(0.001) {
            "C999999X".to_owned()
        } else {
            client_key(rng.random_range(1..=owners))
        };
        let dog = rng.random_bool(0.6);
        let species = if dog {
            pick(rng, &["Perro", "CANINO", "canino", "Dog"])
        } else if rng.random_bool(0.9) {
            pick(rng, &["Gato", "FELINO", "Felino", "cat"])
        } else {
            pick(rng, &["Conejo", "Ave", "Hurón"])
        };
        let breed = if dog {
            {
                let breed = pick(rng, DOG_BREEDS);
                capitals(rng, breed)
            }
        } else if rng.random_bool(0.3) {
            capitals(rng, "Siamés")
        } else {
            String::new()
        };
        let sex = pick(
            rng,
            &[
                "Macho",
                "Hembra",
                "MACHO CASTRADO",
                "H",
                "M",
                "hembra esterilizada",
                "",
            ],
        );
        let birth = day_between(rng, ymd(2008, 1, 1), ymd(2025, 6, 1));
        let birth = if rng.random_bool(0.1) {
            String::new()
        } else {
            date(rng, birth)
        };
        let (dead, died) = if rng.random_bool(0.05) {
            let d = day_between(rng, ymd(2022, 1, 1), ymd(2025, 10, 1));
            ("Sí", d.format("%d/%m/%Y").to_string())
        } else {
            ("", String::new())
        };
        let name = pick(rng, PET_NAMES);
        let name = capitals(rng, name);
        out.write_all(&latin1(&format!(
            "{}\t{name}\t{species}\t{breed}\t{sex}\t{birth}\t{dead}\t{died}\t{owner}\r\n",
            pet_key(i)
        )))?;
    }
    out.flush()?;
    Ok(u64::from(pets))
}

fn visits(path: &Path, rng: &mut ChaCha8Rng, owners: u32, pets: u32) -> std::io::Result<u64> {
    let mut out = create(path)?;
    out.write_all(b"Folio,Fecha,Hora,Paciente,Cliente,Motivo,Estado\n")?;
    let count = u64::from(owners) * 6;
    for i in 1..=count {
        let pet = rng.random_range(1..=pets);
        // The pet's client is in the file only sometimes (the importer finds it by the pet).
        let owner = if pet <= owners && rng.random_bool(0.5) {
            client_key(pet)
        } else {
            String::new()
        };
        let day = day_between(rng, ymd(2019, 1, 1), ymd(2025, 11, 1));
        let (h, m) = (rng.random_range(9..19u32), 15 * rng.random_range(0..4u32));
        let hour = if rng.random_bool(0.7) {
            format!("{h}:{m:02}")
        } else if h >= 12 {
            format!("{}:{m:02} p. m.", if h == 12 { 12 } else { h - 12 })
        } else {
            format!("{h}:{m:02} a. m.")
        };
        let reason = pick(
            rng,
            &[
                "Consulta general",
                "\"Vacuna triple, refuerzo\"",
                "Desparasitación",
                "Baño y corte",
                "Urgencia: vómito",
                "Limpieza dental",
                "Revisión post-operatoria",
            ],
        );
        let status = match rng.random_range(0..20) {
            0 => "Cancelada",
            1 => "No asistió",
            2 => "REALIZADA",
            _ => "Atendida",
        };
        writeln!(
            out,
            "V{i:07},{},{hour},{},{owner},{reason},{status}",
            date(rng, day),
            pet_key(pet)
        )?;
    }
    out.flush()?;
    Ok(count)
}

/// Product `i`'s code and price in cents.
fn product(i: u32) -> (String, u64) {
    (
        format!("A-{i:03}"),
        5_000 + u64::from(i * 7919 % 200) * 1_250,
    )
}

fn catalogue(path: &Path, rng: &mut ChaCha8Rng) -> std::io::Result<u64> {
    let mut out = create(path)?;
    out.write_all("Código;Producto;Categoría;Marca;Precio\n".as_bytes())?;
    let kinds = [
        ("Alimento", "CROQUETAS", "Royal Canin"),
        ("Antiparasitario", "Pipeta", "Frontline"),
        ("Accesorios", "Collar", ""),
        ("Higiene", "Shampoo", "Petco"),
        ("Juguetes", "Pelota", "Kong"),
    ];
    for i in 1..=PRODUCTS {
        let (code, cents) = product(i);
        let (category, what, brand) = kinds[i as usize % kinds.len()];
        let price = amount(rng, cents);
        writeln!(out, "{code};{what} {i};{category};{brand};{price}")?;
    }
    out.flush()?;
    Ok(u64::from(PRODUCTS))
}

fn sales(path: &Path, rng: &mut ChaCha8Rng, owners: u32) -> std::io::Result<u64> {
    let mut out = create(path)?;
    // Windows-1252 (its header has «Código»), `;`.
    out.write_all(&latin1(
        "Folio;Fecha;Cliente;Código;Cantidad;Precio unitario;Importe;Total;Estado\n",
    ))?;
    let total = u64::from(owners) * 10;
    let (mut written, mut folio) = (0u64, 0u64);
    while written < total {
        folio += 1;
        let lines = rng.random_range(1..=4u64).min(total - written);
        // One sale in two thousand names a client the export does not have: rejected.
        let client = if rng.random_bool(0.0005) {
            "C999999X".to_owned()
        } else {
            client_key(rng.random_range(1..=owners))
        };
        let day = day_between(rng, ymd(2019, 1, 1), ymd(2025, 11, 1));
        let day = date(rng, day);
        let status = match rng.random_range(0..10) {
            0 => "Cancelado",
            1 => "Devuelto",
            _ => pick(rng, &["Pagado", "pagado", "PAGADO"]),
        };
        let items: Vec<(String, u64, u64)> = (0..lines)
            .map(|_| {
                let (code, cents) = product(rng.random_range(1..=PRODUCTS));
                (code, rng.random_range(1..=3), cents)
            })
            .collect();
        let sum: u64 = items.iter().map(|(_, q, c)| q * c).sum();
        for (code, quantity, cents) in items {
            let row = format!(
                "F-{folio:07};{day};{client};{code};{quantity};{};{};{};{status}\n",
                amount(rng, cents),
                amount(rng, quantity * cents),
                amount(rng, sum)
            );
            out.write_all(&latin1(&row))?;
        }
        written += lines;
    }
    out.flush()?;
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(dir: &Path) -> Vec<Vec<u8>> {
        [CLIENTS, PETS, VISITS, CATALOGUE, SALES]
            .iter()
            .map(|name| std::fs::read(dir.join(name)).unwrap())
            .collect()
    }

    #[test]
    fn the_same_seed_writes_the_same_files_which_the_importer_reads_row_for_row() {
        let base = std::env::temp_dir().join(format!("vetbot-import-files-{}", std::process::id()));
        let (a, b, c) = (base.join("a"), base.join("b"), base.join("c"));
        let written = write(&a, 50, 7).unwrap();
        write(&b, 50, 7).unwrap();
        write(&c, 50, 8).unwrap();
        assert_eq!(bytes(&a), bytes(&b));
        assert_ne!(bytes(&a), bytes(&c));
        let rows: Vec<u64> = written.files.iter().map(|(_, rows)| *rows).collect();
        assert_eq!(rows, [50, 75, 300, u64::from(PRODUCTS), 500]);
        for (path, rows) in &written.files {
            let file = bot::import::read::SourceFile::read(path).unwrap();
            assert_eq!(file.rows.len() as u64, *rows, "{}", path.display());
        }
        // The mess: Windows-1252 pets with tabs, `;` clients with a BOM, every phone form.
        let pets = bot::import::read::SourceFile::read(&a.join(PETS)).unwrap();
        assert_eq!((pets.encoding, pets.delimiter), ("windows-1252", b'\t'));
        let clients = std::fs::read_to_string(a.join(CLIENTS)).unwrap();
        assert!(clients.starts_with('\u{feff}'));
        assert!(clients.contains("(998) ") || clients.contains("(984) "));
        assert!(clients.contains("+52 1 ") && clients.contains(";044 "));
        std::fs::remove_dir_all(&base).unwrap();
    }
}
