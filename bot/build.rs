//! `sqlx::migrate!` embeds the migrations when the crate compiles; without this, an
//! incremental build does not notice a new migration file and the binary misses it.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
