//! Lists as files (issue 15): «exporta la lista», «mándame en Excel los clientes en riesgo»,
//! "send me the at-risk list as csv" send every row of the list — not only the page shown —
//! as a document: Telegram `sendDocument` (multipart) or a WhatsApp media upload then a
//! `document` message, with a one-line caption; each file is audited with its row count.

use std::io::Read;

use super::*;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Dog owners in the demo clinic (a living dog), counted here in SQL of the test's own.
const DOG_OWNERS: &str = "select count(distinct p.owner_id) from pets p
     where p.species = 'dog' and p.deceased_on is null
       and not exists (select 1 from erased_clients e where e.owner_id = p.owner_id)";

/// The at-risk clients, by the rule the README states: last visit 90–364 days ago, a living
/// pet, nothing booked ahead — as of the clinic's day (the demo clinic's clock is frozen).
const AT_RISK: &str = "with c as (
        select coalesce(frozen_today, (now() at time zone 'America/Cancun')::date) as today
          from clinic where id = 1),
     n as (select (today + (now() at time zone 'America/Cancun')::time)
                  at time zone 'America/Cancun' as now, today from c)
     select count(*) from customer_metrics m, n
     where m.last_visit_date between n.today - 364 and n.today - 90
       and exists (select 1 from pets p where p.owner_id = m.owner_id and p.deceased_on is null)
       and not exists (select 1 from erased_clients e where e.owner_id = m.owner_id)
       and not exists (select 1 from appointments a where a.owner_id = m.owner_id
                          and a.status = 'scheduled' and a.scheduled_at > n.now)";

/// The first sheet of an `.xlsx` file: its rows' cell texts (shared strings resolved,
/// numbers as written), read back from the zip.
fn xlsx_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an xlsx is a zip");
    let mut read = |name: &str| {
        let mut text = String::new();
        zip.by_name(name)
            .unwrap_or_else(|_| panic!("{name} in the workbook"))
            .read_to_string(&mut text)
            .unwrap();
        text
    };
    let sheet = read("xl/worksheets/sheet1.xml");
    let strings: Vec<String> = read("xl/sharedStrings.xml")
        .split("<si>")
        .skip(1)
        .map(|si| inner(si, "t").unwrap_or_default())
        .collect();
    sheet
        .split("<row ")
        .skip(1)
        .map(|row| {
            row.split("<c ")
                .skip(1)
                .map(|cell| {
                    let value = inner(cell, "v").unwrap_or_default();
                    if cell.starts_with("r=") && cell.contains("t=\"s\"") {
                        strings[value.parse::<usize>().unwrap()].clone()
                    } else {
                        value
                    }
                })
                .collect()
        })
        .collect()
}

/// The text of the first `<tag>…</tag>` (or `<tag attr…>…</tag>`) in `xml`, unescaped.
fn inner(xml: &str, tag: &str) -> Option<String> {
    let open = xml.find(&format!("<{tag}"))?;
    let start = open + xml[open..].find('>')? + 1;
    let end = start + xml[start..].find(&format!("</{tag}>"))?;
    Some(
        xml[start..end]
            .replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">"),
    )
}

async fn telegram_documents(app: &ServeApp, n: usize) -> Vec<(i64, String, Vec<u8>)> {
    eventually(&format!("{n} documents on Telegram"), || {
        let sent = app.telegram.sent_documents();
        std::future::ready((sent.len() >= n).then_some(sent))
    })
    .await
}

/// The audit records of files sent: (staff id, detail).
async fn files_audited(app: &ServeApp) -> Vec<(Option<i64>, Value)> {
    sqlx::query_as(
        "select staff_id, arguments from audit_log where tool = 'export_list:file' order by id",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn staff_get_every_row_of_the_segment_shown_as_an_xlsx_document() {
    // Arrange: a staff member (not an owner) sees the first page of a segment.
    let app = ServeApp::start().await;
    let member = app.link_telegram_staff().await;
    let dogs = app.scalar_i64(DOG_OWNERS).await;
    assert!(
        dogs > 10,
        "the demo has more dog owners ({dogs}) than a page"
    );
    let ask = p::telegram_text_update(2, TG_STAFF, "clientes con perro");
    assert_eq!(app.post_telegram(&ask).await, 200);
    app.telegram_message(&format!("{dogs}")).await;
    // Act
    let ask = p::telegram_text_update(3, TG_STAFF, "exporta la lista");
    assert_eq!(app.post_telegram(&ask).await, 200);
    // Assert: one document, multipart, an xlsx holding a header and every dog owner.
    let docs = telegram_documents(&app, 1).await;
    let (chat, name, bytes) = &docs[0];
    assert_eq!(*chat, TG_STAFF);
    assert!(
        name.starts_with("segmento-") && name.ends_with(".xlsx"),
        "{name}"
    );
    assert_eq!(&bytes[..2], b"PK", "a zip container");
    let upload = &app.telegram.requests_for("sendDocument")[0];
    let part = upload.file("document").expect("the file part");
    assert_eq!(part.bytes, *bytes);
    let caption = upload.body["caption"].as_str().unwrap_or_default();
    assert_eq!(caption, format!("Segmento: {dogs} clientes (Excel)"));
    let rows = xlsx_rows(bytes);
    assert_eq!(rows.len() as i64, dogs + 1, "a header and every owner");
    assert_eq!(
        rows[0],
        [
            "Nombre",
            "Teléfono",
            "Mascotas",
            "Gasto total (MXN)",
            "Última visita",
            "Riesgo",
            "Motivos",
            "Etiquetas"
        ]
    );
    // The richest dog owner comes first, as the segment orders; their pets are listed.
    let (first, pets): (String, String) = sqlx::query_as(
        "select o.full_name, string_agg(p.name, ', ' order by p.id) from owners o
           join owner_activity a on a.owner_id = o.id join pets p on p.owner_id = o.id
          where p.deceased_on is null and o.id in (select owner_id from pets where species = 'dog' and deceased_on is null)
          group by o.id, a.total_spent order by a.total_spent desc, o.id limit 1",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(rows[1][0], first);
    assert_eq!(rows[1][2], pets);
    // Audited: who, which list, how many rows.
    let audited = files_audited(&app).await;
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0].0, Some(member));
    assert_eq!(audited[0].1["list"], "segment");
    assert_eq!(audited[0].1["rows"], dogs);
    assert_eq!(audited[0].1["format"], "xlsx");
}

#[tokio::test]
async fn the_at_risk_list_goes_whole_as_excel_when_named_in_the_request() {
    let app = ServeApp::start().await;
    app.link_telegram_staff().await;
    let at_risk = app.scalar_i64(AT_RISK).await;
    assert!(at_risk > 0, "the demo has clients at risk");
    let ask = p::telegram_text_update(2, TG_STAFF, "mándame en Excel los clientes en riesgo");
    assert_eq!(app.post_telegram(&ask).await, 200);
    app.telegram_message("📎").await;
    let docs = telegram_documents(&app, 1).await;
    assert!(
        docs[0].1.starts_with("clientes-en-riesgo-"),
        "{}",
        docs[0].1
    );
    let rows = xlsx_rows(&docs[0].2);
    assert_eq!(rows.len() as i64, at_risk + 1);
    // Every at-risk client has a last visit and at least one reason.
    assert!(rows[1..].iter().all(|r| r.len() >= 7));
    let with_reasons = rows[1..].iter().filter(|r| !r[6].is_empty()).count();
    assert!(with_reasons > 0, "reasons are written");
}

#[tokio::test]
async fn on_whatsapp_the_csv_is_uploaded_then_sent_by_media_id_with_english_headers() {
    // Arrange
    let app = ServeApp::start().await;
    app.link_whatsapp_staff().await;
    let at_risk = app.scalar_i64(AT_RISK).await;
    // Act
    let ask = p::whatsapp_text(
        "wamid.LISTCSV",
        WA_STAFF,
        "Lucía",
        "send me the at-risk list as csv",
    );
    assert_eq!(app.post_whatsapp(&ask).await, 200);
    // Assert: uploaded to the media endpoint, then a document message with the caption.
    let docs = eventually("a document on WhatsApp", || {
        let sent = app.whatsapp.sent_documents();
        std::future::ready((!sent.is_empty()).then_some(sent))
    })
    .await;
    let (to, name, mime, bytes) = &docs[0];
    assert_eq!(to, WA_STAFF);
    assert_eq!(mime, "text/csv");
    assert!(
        name.starts_with("at-risk-clients-") && name.ends_with(".csv"),
        "{name}"
    );
    let uploads = app.whatsapp.uploads();
    assert_eq!(uploads.len(), 1);
    assert!(uploads[0].path.ends_with(&format!("/{WA_PHONE_ID}/media")));
    assert_eq!(uploads[0].file("file").unwrap().bytes, *bytes);
    let text = String::from_utf8(bytes.clone()).unwrap();
    let mut reader = csv_lines(&text);
    assert_eq!(
        reader.remove(0),
        "Name,Phone,Pets,Total spend (MXN),Last visit,Risk,Reasons,Tags"
    );
    assert_eq!(reader.len() as i64, at_risk);
    let message = app
        .whatsapp
        .requests()
        .into_iter()
        .find(|r| r.body["type"] == "document")
        .expect("a document message");
    assert_eq!(
        message.body["document"]["caption"],
        format!("At-risk clients: {at_risk} clients (CSV)")
    );
    // And as Excel: uploaded with the spreadsheet's MIME type, the same rows.
    let ask = p::whatsapp_text(
        "wamid.LISTXLSX",
        WA_STAFF,
        "Lucía",
        "mándame en Excel los clientes en riesgo",
    );
    assert_eq!(app.post_whatsapp(&ask).await, 200);
    let docs = eventually("a second document on WhatsApp", || {
        let sent = app.whatsapp.sent_documents();
        std::future::ready((sent.len() >= 2).then_some(sent))
    })
    .await;
    let (_, name, mime, bytes) = &docs[1];
    assert_eq!(mime, XLSX);
    assert!(name.ends_with(".xlsx"), "{name}");
    assert_eq!(xlsx_rows(bytes).len() as i64, at_risk + 1);
    assert_eq!(
        app.whatsapp.uploads()[1]
            .file("file")
            .unwrap()
            .content_type
            .as_deref(),
        Some(XLSX)
    );
}

/// The records of a CSV file (a quoted field may hold commas, never a line break here).
fn csv_lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_owned).collect()
}

#[tokio::test]
async fn with_no_list_shown_nothing_is_sent_and_the_member_is_told_what_to_do() {
    let app = ServeApp::start().await;
    app.link_telegram_staff().await;
    let ask = p::telegram_text_update(2, TG_STAFF, "exporta la lista");
    assert_eq!(app.post_telegram(&ask).await, 200);
    app.telegram_message("No hay una lista que exportar todavía")
        .await;
    app.all_processed().await;
    assert!(app.telegram.sent_documents().is_empty());
    assert!(files_audited(&app).await.is_empty());
}

/// Buttons under lists (issue 15, item 3, Telegram): one per client shown (at most 8) that
/// opens the client's card, one for the whole list as Excel, and «Ver más» (the list is
/// longer than its page); a tap is answered (answerCallbackQuery), its keyboard kept (the
/// list is still the newest), and handled like the typed command. More in `buttons.rs`.
#[tokio::test]
async fn a_list_on_telegram_carries_client_buttons_and_a_tap_opens_the_card() {
    // Arrange
    let app = ServeApp::start().await;
    app.link_telegram_staff().await;
    let dogs = app.scalar_i64(DOG_OWNERS).await;
    let ask = p::telegram_text_update(2, TG_STAFF, "clientes con perro");
    assert_eq!(app.post_telegram(&ask).await, 200);
    // Assert: the keyboard under the list.
    let list = app.telegram_message(&format!("{dogs}")).await;
    let rows = list.body["reply_markup"]["inline_keyboard"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let keys: Vec<(String, String)> = rows
        .iter()
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .map(|k| {
            let text = k["text"].as_str().unwrap_or_default().to_owned();
            (
                text,
                k["callback_data"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(keys.len(), 10, "8 clients, the file and more: {keys:?}");
    assert!(keys.iter().all(|(_, data)| data.len() <= 64));
    assert_eq!(keys[8].1, "/excel");
    assert_eq!(keys[9].1, "/mas");
    let (label, data) = &keys[0];
    let id: i64 = data.strip_prefix("/perfil #").unwrap().parse().unwrap();
    let name: String = sqlx::query_scalar("select full_name from owners where id = $1")
        .bind(id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert!(label.starts_with("1. "), "{label}");
    assert!(list.body["text"].as_str().unwrap().contains(&name));
    // Act: tap the first client.
    let tap = p::telegram_callback_update(3, TG_STAFF, "cbq-1", data);
    assert_eq!(app.post_telegram(&tap).await, 200);
    // Assert: answered, the client's card sent, the list's keyboard kept.
    eventually("the callback answered", || {
        let answered = app.telegram.requests_for("answerCallbackQuery");
        std::future::ready(
            answered
                .into_iter()
                .find(|r| r.body["callback_query_id"] == "cbq-1"),
        )
    })
    .await;
    let card = eventually("the client's card", || {
        let sent = app.telegram.requests_for("sendMessage").into_iter();
        let mut after = sent.filter(|r| r.at > list.at);
        std::future::ready(
            after.find(|r| r.body["text"].as_str().unwrap_or_default().contains(&name)),
        )
    })
    .await;
    assert_eq!(card.body["chat_id"], TG_STAFF);
    assert!(app
        .telegram
        .requests_for("editMessageReplyMarkup")
        .is_empty());
    // And the file button is the typed /excel: the whole list as a document.
    let tap = p::telegram_callback_update(4, TG_STAFF, "cbq-2", "/excel");
    assert_eq!(app.post_telegram(&tap).await, 200);
    let docs = telegram_documents(&app, 1).await;
    assert!(docs[0].1.ends_with(".xlsx"), "{}", docs[0].1);
}
