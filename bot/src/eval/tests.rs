use super::*;

/// At least this share of the corpus is understood by the command brain, with no wrong write.
const FLOOR_PERCENT: f64 = 95.0;

/// Runs the whole corpus through the command brain, writes the score table where
/// `scripts/test` prints it (`target/understanding.txt`), and holds the floor.
#[test]
fn the_command_brain_understands_the_corpus() {
    let corpus = Corpus::load(&Corpus::bundled_dir()).expect("corpus loads");
    let score = Score::command_brain(&corpus);
    let table = score.table();
    // Always the workspace's target/ (coverage runs build elsewhere), where scripts/test reads it.
    let target = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target");
    if std::fs::create_dir_all(&target).is_ok() {
        let _ = std::fs::write(target.join("understanding.txt"), &table);
    }
    println!("{table}");
    assert_eq!(score.wrong_writes(), 0, "{table}");
    assert!(score.percent() >= FLOOR_PERCENT, "{table}");
}

#[test]
fn a_corpus_line_that_does_not_parse_names_its_file_and_line() {
    let dir = std::env::temp_dir().join(format!("vetbot-corpus-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("x.jsonl"),
        "// comment\n{\"say\": \"hola\", \"expect\": {\"help\": true}}\n{\"say\": 1}\n",
    )
    .unwrap();
    let err = Corpus::load(&dir).unwrap_err().to_string();
    assert!(err.starts_with("x.jsonl:3:"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
