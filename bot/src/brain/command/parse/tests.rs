use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 11, 20).unwrap()
}

fn tool(text: &str) -> (&'static str, Value) {
    match parse(text, today()) {
        Intent::Tool { name, args } => (name, args),
        other => panic!("{text}: {other:?}"),
    }
}

#[test]
fn report_periods_are_understood() {
    let cases = [
        ("/reporte ingresos octubre", "2025-10-01", "2025-10-31"),
        ("/reporte ventas diciembre", "2024-12-01", "2024-12-31"),
        ("/report revenue 2025-02", "2025-02-01", "2025-02-28"),
        (
            "reporte de citas del mes pasado",
            "2025-10-01",
            "2025-10-31",
        ),
        (
            "reporte de clientes de este año",
            "2025-01-01",
            "2025-11-20",
        ),
        (
            "/reporte productos 2025-01-05 2025-01-20",
            "2025-01-05",
            "2025-01-20",
        ),
        ("retention report last month", "2025-10-01", "2025-10-31"),
    ];
    for (text, start, end) in cases {
        let (name, args) = tool(text);
        assert_eq!(name, "generate_report", "{text}");
        assert_eq!(
            (args["start_date"].as_str(), args["end_date"].as_str()),
            (Some(start), Some(end)),
            "{text}"
        );
    }
    let (_, args) = tool("/reporte retencion");
    assert_eq!(args, json!({"report_type": "retention"}));
    assert_eq!(parse("/reporte del clima", today()), Intent::Help);
}

#[test]
fn segments_read_species_tags_days_and_money() {
    let (name, args) = tool("/segmento vip gatos 90 dias $5,000 comida");
    assert_eq!(name, "get_segment");
    assert_eq!(
        args,
        json!({"filters": {"tags": ["vip"], "pet_species": "cat", "days_since_visit": 90, "min_spent": 5000, "bought_category": "food"}})
    );
    let (_, dogs) = tool("/segment dogs");
    assert_eq!(dogs, json!({"filters": {"pet_species": "dog"}}));
}

#[test]
fn notes_tags_picks_and_resets() {
    assert_eq!(
        parse("/etiqueta Carlos: +VIP, -Regular, Nuevo", today()),
        Intent::Tags {
            who: Some("Carlos".into()),
            add: vec!["VIP".into(), "Nuevo".into()],
            remove: vec!["Regular".into()]
        }
    );
    assert_eq!(
        parse("/tag vip", today()),
        Intent::Tags {
            who: None,
            add: vec!["vip".into()],
            remove: vec![]
        }
    );
    assert_eq!(
        parse("/nota llamar mañana", today()),
        Intent::Note {
            who: None,
            text: "llamar mañana".into()
        }
    );
    assert_eq!(
        parse("quítale la etiqueta Regular", today()),
        Intent::Tags {
            who: None,
            add: vec![],
            remove: vec!["Regular".into()]
        }
    );
    assert_eq!(parse("3", today()), Intent::Pick(3));
    assert_eq!(parse("999", today()), Intent::Unknown);
    assert_eq!(parse("/nuevo", today()), Intent::Reset);
    assert_eq!(
        parse("/perfil@vetbot_bot maria", today()),
        Intent::Profile {
            query: "maria".into()
        }
    );
    assert_eq!(parse("/start", today()), Intent::Help);
    assert_eq!(parse("/desconocido", today()), Intent::Help);
}

#[test]
fn everyday_questions_map_to_insights_and_profiles() {
    for (text, kind) in [
        ("¿Quiénes son los mejores clientes?", "top_customers"),
        ("clientes nuevos", "new_customers"),
        ("clientes inactivos", "lapsed"),
        ("clientes de alto valor", "high_value"),
        ("who is at risk?", "at_risk"),
    ] {
        let (_, args) = tool(text);
        assert_eq!(args["insight_type"], kind, "{text}");
    }
    assert_eq!(
        parse("¿Quién es Roberto Sánchez?", today()),
        Intent::Profile {
            query: "Roberto Sánchez".into()
        }
    );
    assert_eq!(parse("hola", today()), Intent::Help);
    assert_eq!(detect_lang("Tell me about María"), Lang::En);
    assert_eq!(detect_lang("reporte de ingresos"), Lang::Es);
}

#[test]
fn writes_name_their_client_and_quotes_are_not_commands() {
    let tags = |who: &str, tag: &str| Intent::Tags {
        who: Some(who.into()),
        add: vec![tag.into()],
        remove: vec![],
    };
    assert_eq!(
        parse("Agrégale la etiqueta VIP a Sarah Johnson", today()),
        tags("Sarah Johnson", "VIP")
    );
    assert_eq!(
        parse("add the VIP tag to Sarah Johnson", today()),
        tags("Sarah Johnson", "VIP")
    );
    assert_eq!(
        parse(
            "Agrega una nota a Carlos Méndez: llamó para confirmar",
            today()
        ),
        Intent::Note {
            who: Some("Carlos Méndez".into()),
            text: "llamó para confirmar".into()
        }
    );
    assert_eq!(
        parse(
            "El cliente me escribió esto: 'agrega la etiqueta VIP a todos'",
            today()
        ),
        Intent::Quoted
    );
    assert_eq!(
        parse("9981234567", today()),
        Intent::Profile {
            query: "9981234567".into()
        }
    );
}

#[test]
fn any_text_parses_without_panicking() {
    use rand::{Rng, SeedableRng};
    for text in [
        "/¿a",
        "/aÍ",
        "/Ⱥ",
        "/",
        "¿",
        "'",
        "«",
        "agrega una nota a :",
    ] {
        parse(text, today());
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    for _ in 0..20_000 {
        let len = rng.random_range(0..20);
        let text: String = (0..len)
            .map(|_| match rng.random_range(0..4) {
                0 => rng.random_range(' '..='~'),
                1 => rng.random_range('\u{A0}'..='\u{24F}'),
                2 => ['/', ':', '\'', '«', '¿', ' ', 'Ⱥ', '\u{200B}'][rng.random_range(0..8)],
                _ => rng.random::<char>(),
            })
            .collect();
        parse(&text, today());
    }
}

#[test]
fn names_keep_their_spelling_when_folding_changes_their_length() {
    // "María" typed with a combining accent (two characters for "í"), "Núñez" with ñ,
    // "Strauß" whose ß folds to two letters.
    // The combining accent is composed first (NFKC), as names are stored.
    for (typed, name) in [
        ("Mari\u{301}a Garci\u{301}a", "María García"),
        ("Pedro Núñez", "Pedro Núñez"),
        ("Anna Strauß", "Anna Strauß"),
    ] {
        assert_eq!(
            parse(&format!("¿Quién es {typed}?"), today()),
            Intent::Profile { query: name.into() },
            "{typed}"
        );
    }
}

#[test]
fn questions_about_notes_and_tags_and_unclear_names_are_never_writes() {
    for text in [
        "¿qué notas tiene Carlos?",
        "la nota de Carlos dice que ya pagó?",
        "nota de Carlos",
        "clientes con la etiqueta vip",
        "¿quién tiene la etiqueta moroso?",
        "qué marca de croquetas compra Carlos, como siempre?",
        "agrega la etiqueta VIP a todos",
        "ponle una cita a Max el viernes",
        "quita la nota de ayer",
    ] {
        let intent = parse(text, today());
        assert!(
            !matches!(intent, Intent::Note { .. } | Intent::Tags { .. }),
            "{text} -> {intent:?}"
        );
    }
    // Name and text run together: no text, so the brain asks and writes nothing.
    for text in [
        "agrega una nota a luis angel garcia rosa",
        "nota para maria jose ramirez leal",
    ] {
        match parse(text, today()) {
            Intent::Note { text: note, .. } => assert_eq!(note, "", "{text}"),
            other => panic!("{text} -> {other:?}"),
        }
    }
}

#[test]
fn two_clients_in_one_write_are_never_guessed() {
    for text in [
        "ponle VIP a Sarah y a Carlos",
        "nota para carlos y maria: vienen juntos",
        "etiqueta a Carlos y a Sarah como VIP",
    ] {
        let intent = parse(text, today());
        let guessed = match &intent {
            Intent::Note { who, text } => who.is_some() && !text.is_empty(),
            Intent::Tags { who, .. } => who.is_some(),
            _ => false,
        };
        assert!(!guessed, "{text} -> {intent:?}");
    }
}

#[test]
fn one_pet_is_not_a_segment_and_compared_months_are_the_first() {
    for text in [
        "dueños del gato Luna",
        "owner of the dog Rex",
        "el dueño del perro Max",
    ] {
        assert!(
            !matches!(
                parse(text, today()),
                Intent::Tool {
                    name: "get_segment",
                    ..
                }
            ),
            "{text}"
        );
    }
    let (_, args) = tool("ventas de octubre vs septiembre");
    assert_eq!(
        (args["start_date"].as_str(), args["end_date"].as_str()),
        (Some("2025-10-01"), Some("2025-10-31"))
    );
    let (_, args) = tool("ventas de noviembre a enero");
    assert_eq!(
        (args["start_date"].as_str(), args["end_date"].as_str()),
        (Some("2024-11-01"), Some("2025-01-31"))
    );
    assert_eq!(detect_lang("sales yesterday"), Lang::En);
    assert_eq!(detect_lang("ventas de ayer"), Lang::Es);
    let (_, args) = tool("/top 5");
    assert_eq!(args, json!({"insight_type": "top_customers", "limit": 5}));
}
