//! What `--dry-run` shows: each file's mapping (column → field, and the columns nothing
//! maps) and its first rows as they would be stored.

use std::io::{self, Write};

use super::columns::Columns;
use super::read::SourceFile;
use super::record::{OwnerRecord, PetRecord, ProductRecord, RowOutcome, SaleRecord, VisitRecord};

/// Rows shown per file.
pub const ROWS: usize = 5;

/// The file's encoding, delimiter and mapping.
pub fn mapping(out: &mut impl Write, file: &SourceFile, columns: &Columns) -> io::Result<()> {
    let holds = match (columns.holds_owners(), columns.holds_pets()) {
        _ if columns.holds_visits() => "visitas",
        _ if columns.holds_products() => "productos",
        _ if columns.holds_sales() => "ventas",
        _ if columns.holds_vaccinations() => "vacunas",
        (true, true) => "clientes y mascotas",
        (true, false) => "clientes",
        _ => "mascotas",
    };
    let format = if file.encoding == "xlsx" {
        "hoja de Excel".to_owned()
    } else {
        format!("{}, separado por {}", file.encoding, file.delimiter_name())
    };
    writeln!(
        out,
        "== {} ({format}, {} filas): {holds}",
        file.name,
        file.rows.len()
    )?;
    writeln!(out, "  Columnas:")?;
    for (header, field) in columns.headers.iter().zip(&columns.fields) {
        let to = field.map_or("(sin asignar)", |f| f.code());
        writeln!(out, "    {header} → {to}")?;
    }
    let unmapped = columns.unmapped();
    if !unmapped.is_empty() {
        writeln!(
            out,
            "  Sin asignar (no se importan): {}. Asígnalas en un archivo --mapping.",
            unmapped.join(", ")
        )?;
    }
    Ok(())
}

/// The first rows as they would be stored.
pub fn rows(out: &mut impl Write, rows: &[(u64, RowOutcome)]) -> io::Result<()> {
    writeln!(out, "  Primeras filas como se guardarían:")?;
    for (line, row) in rows.iter().take(ROWS) {
        let mut parts = Vec::new();
        if let Some(owner) = &row.owner {
            parts.push(owner_line(owner));
        }
        if let Some(pet) = &row.pet {
            parts.push(pet_line(pet));
        }
        if let Some(visit) = &row.visit {
            parts.push(visit_line(visit));
        }
        if let Some(product) = &row.product {
            parts.push(product_line(product));
        }
        if let Some(sale) = &row.sale {
            parts.push(sale_line(sale));
        }
        if let Some(v) = &row.vaccination {
            let due = v
                .due_on
                .map(|d| format!(" · próxima dosis {d}"))
                .unwrap_or_default();
            parts.push(format!(
                "vacuna [{}] {} de mascota [{}] aplicada {}{due}",
                v.key, v.vaccine, v.pet_key, v.applied_on
            ));
        }
        parts.extend(row.rejects.iter().map(|r| format!("rechazada: {r}")));
        parts.extend(row.warnings.iter().map(|w| format!("aviso: {w}")));
        writeln!(out, "    línea {line}: {}", parts.join("\n             "))?;
    }
    Ok(())
}

fn owner_line(o: &OwnerRecord) -> String {
    let name = format!("{} {}", o.first_name, o.last_name);
    let mut fields = vec![format!("cliente {} [{}]", name.trim(), o.key)];
    fields.extend(o.phone_primary.clone());
    fields.extend(o.phone_secondary.clone());
    fields.extend(o.email.clone());
    if !o.address.is_empty() {
        fields.push(o.address.clone());
    }
    if let Some(since) = o.client_since {
        fields.push(format!("cliente desde {since}"));
    }
    for (channel, said) in ["WhatsApp", "SMS", "correo"].iter().zip(o.consent) {
        if let Some(said) = said {
            fields.push(format!(
                "promociones por {channel}: {}",
                if said { "sí" } else { "no" }
            ));
        }
    }
    fields.join(" · ")
}

fn pet_line(p: &PetRecord) -> String {
    let mut fields = vec![
        format!("mascota {} [{}] de [{}]", p.name, p.key, p.owner_key),
        p.species.to_owned(),
    ];
    fields.extend(p.breed.clone());
    if p.sex != "unknown" {
        fields.push(p.sex.to_owned());
    }
    if let Some(born) = p.birth_date {
        fields.push(format!("nació {born}"));
    }
    match (p.deceased, p.deceased_on) {
        (_, Some(died)) => fields.push(format!("falleció {died}")),
        (true, None) => fields.push("fallecida (sin fecha)".into()),
        _ => {}
    }
    fields.join(" · ")
}

fn visit_line(v: &VisitRecord) -> String {
    let whose = [
        v.owner_key.as_ref().map(|k| format!("cliente [{k}]")),
        v.pet_key.as_ref().map(|k| format!("mascota [{k}]")),
    ];
    let mut fields = vec![format!(
        "visita [{}] {} {} de {}",
        v.key,
        v.date,
        v.time.format("%H:%M"),
        whose.into_iter().flatten().collect::<Vec<_>>().join(" y ")
    )];
    fields.push(v.kind.to_owned());
    fields.push(v.status.to_owned());
    if !v.reason.is_empty() {
        fields.push(v.reason.clone());
    }
    fields.join(" · ")
}

fn product_line(p: &ProductRecord) -> String {
    let mut fields = vec![
        format!("producto {} [{}]", p.name, p.sku),
        p.category.to_owned(),
    ];
    if !p.brand.is_empty() {
        fields.push(p.brand.clone());
    }
    fields.push(format!("${}", p.price));
    fields.join(" · ")
}

fn sale_line(s: &SaleRecord) -> String {
    format!(
        "venta [{}] {} de cliente [{}] · {} × [{}] a ${} = ${} · {}",
        s.folio,
        s.date,
        s.owner_key,
        s.quantity,
        s.product_key,
        s.unit_price,
        s.amount(),
        s.status
    )
}
