//! The profile card beyond the story: English, missing data, pets, notes, loyalty.

use rust_decimal_macros::dec;

use super::super::cards::*;
use super::fixtures::{day, maria};
use crate::domain::{ContactPreference, CustomerType, Lang, LoyaltyTier, Species};

fn living(
    name: &str,
    species: Species,
    breed: Option<&str>,
    born: Option<(i32, u32, u32)>,
) -> ProfilePet {
    ProfilePet {
        name: name.into(),
        species,
        breed: breed.map(Into::into),
        birth_date: born.map(|(y, m, d)| day(y, m, d)),
        deceased: false,
    }
}

#[test]
fn english_card_has_the_same_layout() {
    let expected = "\
👤 **María García**
📱 998-123-4567 (Prefers WhatsApp)
📧 maria.garcia@email.com
📍 Calle Coral 45, Puerto Morelos

🐕 **Pets:** Max (Poodle, 5 years)

💰 **Client Value:**
• Total Spent: $12,450 MXN
• 8 orders, average $1,556 MXN
• 15 appointments (0 no-shows)
• Client since: March 2023

📊 **Recent Activity:**
• Last visit: Nov 15, 2025 (Chequeo anual for Max)
• Last purchase: Nov 15, 2025 (Royal Canin)

🏷️ Tags: VIP, Regular, Dueño de Perro";
    assert_eq!(maria().render(Lang::En).to_markdown(), expected);
    let reply = maria().reply(Lang::En).to_markdown();
    assert!(reply.starts_with("Here is María García's profile:\n\n👤 **María García**\n"));
    assert!(reply.ends_with("Dueño de Perro\n\nWould you like more details?"));
}

#[test]
fn missing_contact_lines_are_omitted() {
    let mut card = maria();
    card.email = None;
    card.address = Some("   ".into());
    card.phone = None;
    card.contact_preference = Some(ContactPreference::Phone);
    let text = card.render(Lang::Es).to_plain();
    assert!(text.starts_with("👤 María García\n📱 Sin teléfono (Prefiere llamada)\n\n🐕 Mascotas:"));
    assert!(!text.contains("📧") && !text.contains("📍"));
    card.contact_preference = None;
    card.phone = Some("+14155552671".into());
    assert!(card
        .render(Lang::En)
        .to_plain()
        .contains("\n📱 +14155552671\n\n"));
    card.phone = None;
    assert!(card.render(Lang::En).to_plain().contains("\n📱 No phone\n"));
}

#[test]
fn several_pets_are_bullets_and_the_first_sets_the_emoji() {
    let mut card = maria();
    card.pets = vec![
        living("Luna", Species::Cat, None, Some((2025, 3, 10))),
        living("Max", Species::Dog, Some("Poodle"), None),
        living("Kiwi", Species::Bird, Some(" "), Some((2030, 1, 1))),
    ];
    let text = card.render(Lang::Es).to_markdown();
    assert!(text.contains(
        "\n\n🐈 **Mascotas:**\n• Luna (Gato, 8 meses)\n• Max (Poodle)\n• Kiwi (Ave)\n\n💰"
    ));
    card.pets.rotate_left(2);
    assert!(card
        .render(Lang::En)
        .to_markdown()
        .contains("\n🐾 **Pets:**\n• Kiwi (Bird)\n"));
}

#[test]
fn deceased_pets_are_never_listed_as_living() {
    let mut card = maria();
    let mut rocky = living("Rocky", Species::Dog, Some("Beagle"), Some((2010, 1, 1)));
    rocky.deceased = true;
    card.pets.insert(0, rocky.clone());
    let text = card.render(Lang::Es).to_plain();
    assert!(text.contains("\n🐕 Mascotas: Max (Poodle, 5 años)\n🕊️ En memoria: Rocky (Beagle)\n\n"));
    card.pets = vec![rocky];
    let text = card.render(Lang::En).to_plain();
    assert!(text.contains("\n🐾 Pets: none\n🕊️ In memory: Rocky (Beagle)\n\n"));
    card.pets.clear();
    assert!(card
        .render(Lang::Es)
        .to_plain()
        .contains("\n🐾 Mascotas: ninguna\n\n💰"));
}

#[test]
fn value_section_edges() {
    let mut card = maria();
    card.order_count = 0;
    card.appointments = 0;
    card.total_spent = dec!(0);
    let text = card.render(Lang::Es).to_plain();
    assert!(text.contains("• Total Gastado: $0 MXN\n• Sin órdenes\n• Sin citas\n"));
    assert!(card
        .render(Lang::En)
        .to_plain()
        .contains("• No orders\n• No appointments\n"));
    card.order_count = 1;
    card.average_order = dec!(850.5);
    card.appointments = 1;
    card.no_shows = 1;
    let text = card.render(Lang::Es).to_plain();
    assert!(text.contains("• 1 orden, promedio $851 MXN\n• 1 cita (1 ausencia)\n"));
}

#[test]
fn activity_variants() {
    let mut card = maria();
    let visit = card.last_visit.clone().expect("visit");
    card.last_visit = Some(LastVisit {
        reason: None,
        ..visit.clone()
    });
    assert!(card
        .render(Lang::Es)
        .to_plain()
        .contains("Última visita: 15 Nov 2025 (Chequeo de Max)"));
    card.last_visit = Some(LastVisit {
        reason: None,
        kind: None,
        ..visit.clone()
    });
    assert!(card
        .render(Lang::Es)
        .to_plain()
        .contains("Última visita: 15 Nov 2025 (Max)\n"));
    card.last_visit = Some(LastVisit {
        pet: None,
        ..visit.clone()
    });
    assert!(card
        .render(Lang::En)
        .to_plain()
        .contains("Last visit: Nov 15, 2025 (Chequeo anual)\n"));
    card.last_visit = Some(LastVisit {
        pet: None,
        reason: None,
        kind: None,
        ..visit
    });
    card.last_purchase = Some(LastPurchase {
        date: day(2025, 1, 2),
        product: " ".into(),
    });
    let text = card.render(Lang::Es).to_plain();
    assert!(text.contains("• Última visita: 15 Nov 2025\n• Última compra: 2 Ene 2025\n"));
    card.last_visit = None;
    card.last_purchase = None;
    let text = card.render(Lang::Es).to_plain();
    assert!(text.contains("📊 Actividad Reciente:\n• Sin actividad registrada\n\n🏷️"));
    assert!(card
        .render(Lang::En)
        .to_plain()
        .contains("• No recorded activity\n"));
}

#[test]
fn optional_sections_follow_the_tags() {
    let mut card = maria();
    card.customer_type = Some(CustomerType::Vip);
    card.loyalty = Some(Loyalty {
        tier: LoyaltyTier::Gold,
        points: 1250,
    });
    card.notes = vec![
        ProfileNote {
            date: day(2025, 11, 12),
            author: Some("Dra. Ana".into()),
            text: "Prefiere citas\npor la mañana".into(),
            internal: true,
        },
        ProfileNote {
            date: day(2025, 10, 1),
            author: None,
            text: "x".repeat(250),
            internal: false,
        },
    ];
    let text = card.render(Lang::Es).to_markdown();
    let tail = &text[text.find("🏷️").expect("tags")..];
    let long = format!("{}…", "x".repeat(199));
    assert_eq!(
        tail,
        format!(
            "🏷️ Etiquetas: VIP, Regular, Dueño de Perro\n⭐ Tipo de cliente: VIP\n🎁 Lealtad: Oro (1,250 puntos)\n\n📝 **Notas recientes:**\n• 12 Nov 2025 · Dra. Ana: Prefiere citas por la mañana 🔒\n• 1 Oct 2025: {long}"
        )
    );
    let en = card.render(Lang::En).to_markdown();
    assert!(en.contains("⭐ Client type: VIP\n🎁 Loyalty: Gold (1,250 points)\n\n📝 **Recent notes:**\n• Nov 12, 2025 · Dra. Ana:"));
    card.tags.clear();
    card.customer_type = None;
    let text = card.render(Lang::Es).to_plain();
    assert!(!text.contains("🏷️") && text.contains("• Cliente desde: Marzo 2023\n\n📊"));
    assert!(text.contains("Royal Canin)\n\n🎁 Lealtad: Oro (1,250 puntos)\n\n📝 Notas"));
}

#[test]
fn names_are_escaped_for_telegram() {
    let mut card = maria();
    card.name = "Ana <script> & Co".into();
    let html = card.reply(Lang::Es).to_telegram_html();
    assert!(html.starts_with("Aquí está el perfil de Ana &lt;script&gt; &amp; Co:\n\n👤 <b>Ana &lt;script&gt; &amp; Co</b>\n"));
    assert!(card
        .render(Lang::Es)
        .to_whatsapp()
        .starts_with("👤 *Ana <script> & Co*\n"));
}
