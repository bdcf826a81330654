//! Whatever a staff member types gets one reply, and look-ups read through the ways phones
//! and keyboards dress text up (issue 11, items 2 and 20).

use bot::brain::engine::Engine;
use bot::render::Markup;
use serde_json::json;
use tests::tools::call;
use tests::TestDb;

use crate::engine::{ask, from};

#[tokio::test]
async fn slash_commands_with_multibyte_letters_get_a_reply() {
    let db = TestDb::demo().await;
    let engine = Engine::new(db.pool.clone(), None);
    for text in [
        "/¿a",
        "/aÍ",
        "/Ⱥ",
        "/ÍÍ maría",
        "/perfil¿ María",
        "/¿perfil? María",
    ] {
        let reply = ask(&engine, text).await;
        assert!(!reply.trim().is_empty(), "{text}");
    }
}

/// A small fixed-seed generator (xorshift), so a failure names a text that reproduces.
struct Texts(u64);

impl Texts {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Up to 24 characters drawn from ASCII, Latin, combining marks, zero-width and
    /// fullwidth forms, emoji and the whole scalar range, often after a `/` or a phrase.
    fn text(&mut self) -> String {
        const PREFIXES: &[&str] = &[
            "",
            "/",
            "/nota ",
            "/etiqueta ",
            "agrégale la etiqueta ",
            "agrega una nota a ",
            "cuéntame sobre ",
            "'",
            "«",
        ];
        let mut text = PREFIXES[self.next() as usize % PREFIXES.len()].to_owned();
        for _ in 0..self.next() % 25 {
            let n = self.next();
            let c = match n % 8 {
                0 => Some(char::from(b' ' + (n >> 8) as u8 % 95)),
                1 => char::from_u32(0xC0 + (n >> 8) as u32 % 0x180),
                2 => char::from_u32(0x300 + (n >> 8) as u32 % 0x70),
                3 => Some(
                    [
                        '\u{200B}', '\u{200D}', '\u{FEFF}', '\u{2060}', '¿', '¡', ':',
                    ][(n >> 8) as usize % 7],
                ),
                4 => char::from_u32(0xFF01 + (n >> 8) as u32 % 0x5E),
                5 => char::from_u32(0x1F600 + (n >> 8) as u32 % 0x50),
                6 => char::from_u32(0x2C00 + (n >> 8) as u32 % 0x80),
                _ => char::from_u32((n >> 8) as u32 % 0x11_0000),
            };
            text.extend(c);
        }
        text
    }
}

#[tokio::test]
async fn any_text_gets_exactly_one_reply() {
    let db = TestDb::demo().await;
    let engine = Engine::new(db.pool.clone(), None);
    let mut texts = Texts(0x5EED_CAFE_F00D);
    for _ in 0..300 {
        let text = texts.text();
        let out = engine
            .handle(&from("terminal", "local", &text))
            .await
            .unwrap_or_else(|e| panic!("{text:?}: {e:#}"));
        assert!(
            !out.reply.render(Markup::Plain).trim().is_empty(),
            "{text:?}"
        );
    }
}

#[tokio::test]
async fn fullwidth_digits_and_zero_width_characters_find_the_owner() {
    let db = TestDb::demo().await;
    let engine = Engine::new(db.pool.clone(), None);
    for query in [
        "９９８ １２３ ４５６７",
        "９９８１２３４５６７",
        "Mar\u{200B}ía Gar\u{200D}cía",
        "\u{FEFF}maria\u{2060} garcia",
        "ＭＡＲＩＡ ＧＡＲＣＩＡ",
    ] {
        let out = call(&db.pool, "search_owners", json!({"query": query}))
            .await
            .unwrap();
        assert_eq!(
            out.data["matches"][0]["name"], "María García",
            "{query:?}: {}",
            out.data
        );
        let reply = ask(&engine, &format!("/perfil {query}")).await;
        assert!(reply.contains("👤 **María García**"), "{query:?}: {reply}");
    }
    let reply = ask(&engine, "Cuéntame sobre Mar\u{200B}ía Gar\u{200C}cía").await;
    assert!(reply.contains("👤 **María García**"), "{reply}");
}

#[tokio::test]
async fn a_bare_ten_digit_number_is_a_phone_not_an_owner_id() {
    let db = TestDb::demo().await;
    let engine = Engine::new(db.pool.clone(), None);
    for text in ["9981234567", "/perfil 9981234567", "/buscar 9981234567"] {
        let reply = ask(&engine, text).await;
        assert!(reply.contains("María García"), "{text}: {reply}");
    }
    // Writes too: the note goes to the owner of that phone.
    ask(&engine, "/nota 9982345678: llamó").await;
    let owner: i64 = sqlx::query_scalar("select owner_id from owner_notes where content = 'llamó'")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(owner, 2);
    // Short numbers still pick from a list or name an id.
    let reply = ask(&engine, "/perfil #4").await;
    assert!(reply.contains("Roberto Sánchez"), "{reply}");
}
