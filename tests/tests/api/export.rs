//! `vetbot export` (issue 14): the clinic's data as CSV in the import template's layout;
//! importing the exported files into an empty clinic gives the same data (the round trip),
//! and a client erased here leaves no personal data in any file.

use std::path::PathBuf;

use bot::import::{self, ImportOptions, NoneErased};
use clap::Parser;
use tests::TestDb;

fn fixture(name: &str) -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/import")
        .join(name)
}

fn options(files: Vec<PathBuf>, tag: &str) -> ImportOptions {
    ImportOptions {
        files,
        dry_run: false,
        mapping: None,
        source: None,
        report: std::env::temp_dir()
            .join(format!("vetbot-export-{}-{tag}.txt", std::process::id())),
    }
}

/// Everything a clinic holds that the export carries, by names and values (not ids; an
/// order's lines as a set): an erased client's visit reasons are not exported, so they are
/// left out here too.
async fn snapshot(db: &TestDb) -> Vec<String> {
    sqlx::query_scalar(
        r#"
        with latest as (
            select distinct on (owner_id, channel) owner_id, channel, granted
              from consent_events where purpose = 'marketing'
             order by owner_id, channel, recorded_at desc, id desc
        )
        select format('client|%s|%s|%s|%s|%s|%s|%s', o.full_name, o.email, p.phone_primary,
                      p.phone_secondary, p.address,
                      (o.created_at at time zone 'America/Cancun')::date,
                      (select string_agg(channel || '=' || granted, ',' order by channel)
                         from latest where owner_id = o.id))
          from owners o join owner_profiles p on p.owner_id = o.id
        union all
        select format('pet|%s|%s|%s|%s|%s|%s|%s', o.full_name, p.name, p.species, p.breed,
                      p.birth_date, p.sex, p.deceased_on)
          from pets p join owners o on o.id = p.owner_id
        union all
        select format('visit|%s|%s|%s|%s|%s|%s', o.full_name, p.name,
                      to_char(a.scheduled_at at time zone 'America/Cancun', 'YYYY-MM-DD HH24:MI'),
                      a.kind, a.status,
                      case when o.first_name = 'Cliente borrado' then '' else a.reason end)
          from appointments a join owners o on o.id = a.owner_id
          left join pets p on p.id = a.pet_id
        union all
        select format('product|%s|%s|%s|%s|%s', sku, name, category, brand, price) from products
        union all
        select format('order|%s|%s|%s|%s|%s', o2.full_name,
                      to_char(r.ordered_at at time zone 'America/Cancun', 'YYYY-MM-DD HH24:MI'),
                      r.status, r.total,
                      (select string_agg(pr.sku || 'x' || i.quantity || '@' || i.unit_price, ','
                                         order by pr.sku, i.quantity, i.unit_price)
                         from order_items i join products pr on pr.id = i.product_id
                        where i.order_id = r.id))
          from orders r join owners o2 on o2.id = r.owner_id
        union all
        select format('vaccination|%s|%s|%s|%s|%s', o.full_name, p.name, v.vaccine,
                      v.applied_on, v.due_on)
          from vaccinations v join pets p on p.id = v.pet_id join owners o on o.id = p.owner_id
        order by 1
        "#,
    )
    .fetch_all(&db.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn an_export_imported_into_an_empty_clinic_gives_the_same_data_without_erased_clients_identity(
) {
    // Arrange: a clinic from its practice system's messy exports; then Roberto Sánchez asks
    // to be erased (an owner asks and confirms, as in the chat).
    let source = TestDb::migrated().await;
    let mut out = Vec::new();
    import::run(
        &source.pool,
        &options(
            crate::import::EVERY_ENTITY
                .iter()
                .map(|f| fixture(f))
                .collect(),
            "source",
        ),
        &NoneErased,
        &mut out,
    )
    .await
    .expect("the clinic imports");
    sqlx::query("insert into staff (id, name, role) values (1, 'Dra. Ana', 'owner')")
        .execute(&source.pool)
        .await
        .unwrap();
    let roberto: i64 = sqlx::query_scalar(
        "select target_id from import_keys where entity = 'owner' and source_key = 'C006'",
    )
    .fetch_one(&source.pool)
    .await
    .unwrap();
    let now = chrono::Utc::now();
    bot::rights::erasure::ask(&source.pool, roberto, 1, "test", now)
        .await
        .unwrap();
    let erased = bot::rights::erasure::confirm(&source.pool, 1, "Roberto Sánchez", now)
        .await
        .unwrap();
    assert!(
        matches!(erased, bot::rights::erasure::Confirmed::Erased { .. }),
        "{erased:?}"
    );
    let dir = std::env::temp_dir().join(format!("vetbot-export-{}", std::process::id()));
    let mut args: Vec<String> = vec!["vetbot".into()];
    args.extend(source.cli_args());
    args.extend(["export".into(), "--out".into(), dir.display().to_string()]);

    // Act: export, then import the files into an empty clinic.
    bot::cli::run(bot::cli::Cli::try_parse_from(&args).expect("arguments parse"))
        .await
        .expect("vetbot export runs");
    let exported: Vec<PathBuf> = [
        "productos.csv",
        "clientes.csv",
        "mascotas.csv",
        "visitas.csv",
        "vacunas.csv",
        "ventas.csv",
    ]
    .iter()
    .map(|f| dir.join(f))
    .collect();
    let target = TestDb::migrated().await;
    let mut printed = Vec::new();
    let summary = import::run(
        &target.pool,
        &options(exported.clone(), "target"),
        &NoneErased,
        &mut printed,
    )
    .await
    .expect("the export imports");
    let printed = String::from_utf8(printed).unwrap();

    // Assert: nothing rejected or dropped, and the same data.
    let problems: Vec<String> = summary
        .issues
        .iter()
        .filter(|i| i.kind != bot::import::report::IssueKind::Duplicate)
        .map(|i| i.to_string())
        .collect();
    assert!(problems.is_empty(), "{problems:#?}\n{printed}");
    assert!(
        summary.vaccinations.added > 0 && summary.sales.added > 0,
        "{printed}"
    );
    let (before, after) = (snapshot(&source).await, snapshot(&target).await);
    assert_eq!(before.len(), after.len());
    assert_eq!(before, after);
    assert!(
        before.iter().any(|r| r.starts_with("client|María García López|maria.garcia@gmail.com|+529981234567||Av. Tulum 123, Col. Centro, CP 77500|2019-03-15|whatsapp=true")),
        "{before:#?}"
    );
    // Each file in the template's layout; none holds anything of Roberto's.
    for (path, template) in exported.iter().zip([
        "productos.csv",
        "clientes.csv",
        "mascotas.csv",
        "visitas.csv",
        "vacunas.csv",
        "ventas.csv",
    ]) {
        let text = std::fs::read_to_string(path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{template}: personal data, owner only");
        }
        let t = bot::import::template::TEMPLATES
            .iter()
            .find(|t| t.file == template)
            .unwrap();
        let header = text.trim_start_matches('\u{feff}').lines().next().unwrap();
        assert_eq!(header, t.headers.join(","), "{template}");
        for personal in [
            "Roberto",
            "Sánchez",
            "9986789012",
            "9981112222",
            "Bolita",
            "Revisión",
        ] {
            assert!(
                !text.contains(personal),
                "{personal} in {template}:\n{text}"
            );
        }
    }
    let clients = std::fs::read_to_string(&exported[1]).unwrap();
    assert!(
        clients.contains(&format!("{roberto},Cliente borrado,#{roberto},")),
        "{clients}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
