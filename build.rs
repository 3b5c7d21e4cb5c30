//! The specs are built into the binary (`src/spec/source.rs`, `include_dir!`). The compiler
//! tracks the files it embedded, not the folder: without this, a spec folder added to
//! `specs/` would be missing from the binary until something else changed.

fn main() {
    // A folder here is scanned whole: any file added, removed or changed under it reruns this,
    // and so rebuilds the crate with the specs as they are.
    println!("cargo:rerun-if-changed=specs");
    println!("cargo:rerun-if-changed=build.rs");
}
