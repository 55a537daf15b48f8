//! Property-based fuzzing of everything that reads user input: the candle CSV loader (and gap
//! filling), the `--set` override parser (and the model sizes it leads to), `config.json` and
//! safetensors loading. Every case must end in a value or an error, never a panic, and what
//! loads must satisfy the loader's promises.
//!
//! `cargo test --test fuzz` runs 256 cases per target (proptest's default); the long run sets
//! `PROPTEST_CASES` (docs/reliability.md, "Fuzzing").

#[path = "fuzz/config_json.rs"]
mod config_json;
#[path = "fuzz/csv.rs"]
mod csv;
#[path = "fuzz/overrides.rs"]
mod overrides;
#[path = "fuzz/safetensors.rs"]
mod safetensors;
