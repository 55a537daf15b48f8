//! The versioned model store: atomic commits, distinct numbers under concurrency, listing,
//! resolving and bit-exact safetensors round trips.

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Barrier};

use atb_gpu::AtbError;
use atb_gpu::registry::{Registry, read_tensors};

fn registry() -> (tempfile::TempDir, Registry) {
    let dir = tempfile::tempdir().unwrap();
    let reg = Registry::open(dir.path().join("models")).unwrap();
    (dir, reg)
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

fn is_version_name(name: &str, n: u32) -> bool {
    let b = name.as_bytes();
    name.len() > 14
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'_'
        && name[13..] == format!("h_v{n}")
}

#[test]
fn commit_renames_into_the_first_version_with_all_files() {
    let (_tmp, reg) = registry();
    let pending = reg.begin("BTCUSDT").unwrap();
    let temp = pending.dir().to_path_buf();
    assert!(
        temp.file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with(".tmp-")
    );
    pending
        .write_bytes("history.csv", b"epoch,loss\n1,0.5\n")
        .unwrap();
    pending
        .write_json(
            "config.json",
            &serde_json::json!({"type": "tcn", "seed": 7}),
        )
        .unwrap();
    let info = pending.commit().unwrap();

    assert_eq!(info.symbol, "BTCUSDT");
    assert_eq!(info.number, 1);
    assert!(is_version_name(&info.name, 1), "{}", info.name);
    assert_eq!(info.path, reg.root().join("BTCUSDT/price").join(&info.name));
    assert!(!temp.exists());
    assert_eq!(entries(&info.path), ["config.json", "history.csv"]);
    let json = std::fs::read_to_string(info.path.join("config.json")).unwrap();
    assert!(
        json.contains("\n  \"seed\": 7"),
        "pretty JSON expected:\n{json}"
    );
    // Only the version folder is left in price/: no temporary folder, no claim marker.
    assert_eq!(
        entries(&reg.root().join("BTCUSDT/price")),
        std::slice::from_ref(&info.name)
    );

    let second = reg.begin("BTCUSDT").unwrap().commit().unwrap();
    assert_eq!(second.number, 2);
}

#[test]
fn dropping_or_crashing_before_commit_lists_nothing() {
    let (_tmp, reg) = registry();
    let dropped = reg.begin("ETHUSDT").unwrap();
    dropped
        .write_bytes("model.safetensors", b"partial")
        .unwrap();
    let dropped_dir = dropped.dir().to_path_buf();
    drop(dropped);
    assert!(!dropped_dir.exists());

    // A crash between writing and renaming: the process dies, Drop never runs.
    let crashed = reg.begin("ETHUSDT").unwrap();
    crashed
        .write_bytes("model.safetensors", b"partial")
        .unwrap();
    let crashed_dir = crashed.dir().to_path_buf();
    std::mem::forget(crashed);
    assert!(crashed_dir.exists());

    assert!(reg.list(None).unwrap().is_empty());
    assert!(reg.list(Some("ETHUSDT")).unwrap().is_empty());
    assert!(reg.symbols().unwrap().is_empty());
    let err = reg.resolve("ETHUSDT", "latest").unwrap_err();
    assert!(err.to_string().contains("no models for symbol"), "{err}");

    // The leftover never disturbs numbering.
    assert_eq!(reg.begin("ETHUSDT").unwrap().commit().unwrap().number, 1);
}

#[test]
fn concurrent_commits_get_distinct_numbers() {
    let (_tmp, reg) = registry();
    const THREADS: usize = 8;
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|i| {
            let reg = reg.clone();
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                let pending = reg.begin("SOLUSDT").unwrap();
                pending
                    .write_bytes("id.txt", i.to_string().as_bytes())
                    .unwrap();
                barrier.wait();
                pending.commit().unwrap()
            })
        })
        .collect();
    let infos: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let numbers: HashSet<u32> = infos.iter().map(|i| i.number).collect();
    assert_eq!(numbers, (1..=THREADS as u32).collect());
    // Each version holds the files of the run that committed it.
    let ids: HashSet<String> = infos
        .iter()
        .map(|i| std::fs::read_to_string(i.path.join("id.txt")).unwrap())
        .collect();
    assert_eq!(ids.len(), THREADS);
    assert_eq!(reg.list(Some("SOLUSDT")).unwrap().len(), THREADS);
}

#[test]
fn list_sorts_by_symbol_then_number_and_resolve_finds_versions() {
    let (_tmp, reg) = registry();
    for symbol in ["ETHUSDT", "BTCUSDT", "ETHUSDT", "BTCUSDT", "BTCUSDT"] {
        reg.begin(symbol).unwrap().commit().unwrap();
    }
    // Stray entries are ignored.
    std::fs::write(reg.root().join("BTCUSDT/price/notes.txt"), "x").unwrap();
    std::fs::create_dir(reg.root().join("BTCUSDT/price/2020-01-01_00h_vX")).unwrap();

    let all = reg.list(None).unwrap();
    let keys: Vec<(&str, u32)> = all.iter().map(|v| (v.symbol.as_str(), v.number)).collect();
    assert_eq!(
        keys,
        [
            ("BTCUSDT", 1),
            ("BTCUSDT", 2),
            ("BTCUSDT", 3),
            ("ETHUSDT", 1),
            ("ETHUSDT", 2)
        ]
    );
    assert_eq!(reg.symbols().unwrap(), ["BTCUSDT", "ETHUSDT"]);

    assert_eq!(reg.resolve("BTCUSDT", "latest").unwrap().number, 3);
    let second = &all[1];
    assert_eq!(&reg.resolve("BTCUSDT", &second.name).unwrap(), second);
    assert_eq!(&reg.resolve("BTCUSDT", "v2").unwrap(), second);

    let err = reg.resolve("DOGEUSDT", "latest").unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, AtbError::Registry(_)));
    assert!(
        msg.contains("DOGEUSDT") && msg.contains("BTCUSDT, ETHUSDT"),
        "{msg}"
    );

    let msg = reg.resolve("ETHUSDT", "v9").unwrap_err().to_string();
    assert!(msg.contains("\"v9\""), "{msg}");
    for v in reg.list(Some("ETHUSDT")).unwrap() {
        assert!(msg.contains(&v.name), "{msg}");
    }
}

#[test]
fn bad_symbols_and_file_names_are_refused() {
    let (_tmp, reg) = registry();
    for bad in ["", "../etc", "BTC/USDT", ".hidden", "a b"] {
        assert!(
            matches!(reg.begin(bad), Err(AtbError::Registry(_))),
            "{bad:?}"
        );
    }
    let pending = reg.begin("BTCUSDT").unwrap();
    for bad in ["", "../x", "a/b", ".claim-v1", ".."] {
        assert!(pending.write_bytes(bad, b"x").is_err(), "{bad:?}");
    }
    // A file where the root should be.
    let file = _tmp.path().join("plain-file");
    std::fs::write(&file, "x").unwrap();
    assert!(Registry::open(&file).is_err());
}

#[test]
fn tensors_round_trip_bit_exactly_in_standard_safetensors() {
    let (_tmp, reg) = registry();
    let weights: Vec<f32> = (0..35).map(|i| (i as f32 - 17.0) * 0.123_456_7).collect();
    let specials = [
        f32::MIN_POSITIVE,
        -0.0,
        f32::MAX,
        1e-45,
        f32::INFINITY,
        f32::NAN,
    ];
    let bias = [0.5f32];
    let pending = reg.begin("BTCUSDT").unwrap();
    pending
        .write_tensors(
            "model.safetensors",
            &[
                ("lstm.weight", &[5, 7], &weights),
                ("special", &[6], &specials),
                ("head.bias", &[1], &bias),
            ],
        )
        .unwrap();
    let info = pending.commit().unwrap();
    let path = info.path.join("model.safetensors");

    let read = read_tensors(&path).unwrap();
    let names: Vec<&str> = read.iter().map(|t| t.0.as_str()).collect();
    assert_eq!(names, ["head.bias", "lstm.weight", "special"]);
    assert_eq!(read[1].1, [5, 7]);
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&read[0].2), bits(&bias));
    assert_eq!(bits(&read[1].2), bits(&weights));
    assert_eq!(bits(&read[2].2), bits(&specials));

    // The standard layout: u64 little-endian header length, JSON header, raw F32 data.
    let bytes = std::fs::read(&path).unwrap();
    let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + header_len]).unwrap();
    assert_eq!(header["lstm.weight"]["dtype"], "F32");
    assert_eq!(header["lstm.weight"]["shape"], serde_json::json!([5, 7]));
    let offsets = &header["lstm.weight"]["data_offsets"];
    let start = 8 + header_len + offsets[0].as_u64().unwrap() as usize;
    let first = f32::from_le_bytes(bytes[start..start + 4].try_into().unwrap());
    assert_eq!(first.to_bits(), weights[0].to_bits());
    assert_eq!(bytes.len(), 8 + header_len + 4 * (35 + 6 + 1));
}

#[test]
fn bad_tensors_and_files_are_errors_with_context() {
    let (_tmp, reg) = registry();
    let pending = reg.begin("BTCUSDT").unwrap();
    let err = pending
        .write_tensors("model.safetensors", &[("w", &[2, 3], &[1.0; 5])])
        .unwrap_err();
    assert!(err.to_string().contains("holds 6 values but 5"), "{err}");
    let err = pending
        .write_tensors(
            "model.safetensors",
            &[("w", &[1], &[1.0]), ("w", &[1], &[2.0])],
        )
        .unwrap_err();
    assert!(err.to_string().contains("unique"), "{err}");

    let garbage = pending
        .write_bytes("garbage.safetensors", b"not a tensor file")
        .unwrap();
    let err = read_tensors(&garbage).unwrap_err();
    assert!(err.to_string().contains("garbage.safetensors"), "{err}");
    let missing = pending.dir().join("missing.safetensors");
    match read_tensors(&missing) {
        Err(AtbError::Io { path, .. }) => assert_eq!(path, missing),
        other => panic!("expected an Io error, got {other:?}"),
    }
}
