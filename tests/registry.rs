//! The versioned model store: atomic commits, distinct numbers under concurrency, listing and
//! resolving complete versions only, removal of dead runs' temporary folders, and bit-exact
//! safetensors round trips.

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Barrier};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use atb_gpu::AtbError;
use atb_gpu::registry::{PendingVersion, Registry, VersionInfo, read_tensors};

fn registry() -> (tempfile::TempDir, Registry) {
    let dir = tempfile::tempdir().unwrap();
    let reg = Registry::open(dir.path().join("models")).unwrap();
    (dir, reg)
}

/// Writes the files a boosting version is loaded from.
fn write_boosting_files(pending: &PendingVersion) {
    pending
        .write_json(
            "config.json",
            &serde_json::json!({"model_type": "lightgbm"}),
        )
        .unwrap();
    pending.write_bytes("model.txt", b"tree\n").unwrap();
}

/// Commits a complete (boosting) version of `symbol`.
fn commit_complete(reg: &Registry, symbol: &str) -> VersionInfo {
    let pending = reg.begin(symbol).unwrap();
    write_boosting_files(&pending);
    pending.commit().unwrap()
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
                write_boosting_files(&pending);
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
        commit_complete(&reg, symbol);
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

#[test]
fn incomplete_versions_are_neither_listed_nor_resolved_as_latest() {
    let (_tmp, reg) = registry();
    let v1 = commit_complete(&reg, "BTCUSDT");
    let v2 = commit_complete(&reg, "BTCUSDT");
    std::fs::remove_file(v2.path.join("model.txt")).unwrap();
    let v3 = commit_complete(&reg, "BTCUSDT");
    std::fs::write(v3.path.join("config.json"), "{\"model_type\": ").unwrap();
    let neural = reg.begin("BTCUSDT").unwrap();
    neural
        .write_json(
            "config.json",
            &serde_json::json!({"model": {"model_type": "tcn"}}),
        )
        .unwrap();
    neural.write_bytes("model.safetensors", b"weights").unwrap();
    assert_eq!(neural.commit().unwrap().number, 4);
    let v5 = commit_complete(&reg, "BTCUSDT");
    std::fs::write(v5.path.join("model.txt"), "").unwrap();

    assert_eq!(reg.list(None).unwrap(), std::slice::from_ref(&v1));
    assert_eq!(reg.resolve("BTCUSDT", "latest").unwrap(), v1);
    let reasons: Vec<(u32, String)> = reg
        .incomplete(Some("BTCUSDT"))
        .unwrap()
        .into_iter()
        .map(|(v, r)| (v.number, r))
        .collect();
    assert_eq!(reasons.len(), 4, "{reasons:?}");
    assert_eq!(reasons[0], (2, "model.txt is missing".to_string()));
    assert!(
        reasons[1].1.contains("config.json does not parse"),
        "{reasons:?}"
    );
    assert_eq!(reasons[2], (4, "scaler.json is missing".to_string()));
    assert_eq!(reasons[3], (5, "model.txt is empty".to_string()));

    // Asking for an incomplete version by name says why, in one line.
    for (asked, reason) in [
        (v2.name.as_str(), "model.txt is missing"),
        ("v4", "scaler.json"),
    ] {
        let msg = reg.resolve("BTCUSDT", asked).unwrap_err().to_string();
        assert!(msg.contains("incomplete") && msg.contains(reason), "{msg}");
        assert!(msg.contains(&v1.name) && !msg.contains('\n'), "{msg}");
    }
    // A symbol whose every version is incomplete has no models, and says which are broken.
    let eth = commit_complete(&reg, "ETHUSDT");
    std::fs::remove_file(eth.path.join("config.json")).unwrap();
    assert_eq!(reg.symbols().unwrap(), ["BTCUSDT"]);
    let msg = reg.resolve("ETHUSDT", "latest").unwrap_err().to_string();
    assert!(
        msg.contains("no models") && msg.contains("config.json is missing"),
        "{msg}"
    );
    // New versions still number above the incomplete ones.
    assert_eq!(commit_complete(&reg, "BTCUSDT").number, 6);
    assert_eq!(reg.resolve("BTCUSDT", "latest").unwrap().number, 6);
}

/// `.tmp-PID-NANOS-0` created `age` ago.
fn pending_name(pid: u32, age: Duration) -> String {
    let created = SystemTime::now() - age;
    let nanos = created.duration_since(UNIX_EPOCH).unwrap().as_nanos();
    format!(".tmp-{pid}-{nanos}-0")
}

#[test]
fn temporary_folders_of_dead_runs_are_removed_and_live_ones_kept() {
    let (_tmp, reg) = registry();
    let price = reg.root().join("BTCUSDT/price");
    std::fs::create_dir_all(&price).unwrap();
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let hour = Duration::from_secs(3600);
    let week = Duration::from_secs(8 * 24 * 3600);
    let dead_old = pending_name(dead, hour);
    let kept = [
        pending_name(dead, Duration::from_secs(30)),
        pending_name(std::process::id(), week),
        ".tmp-not-a-pending-folder".to_string(),
    ];
    let ancient = pending_name(1, week);
    for name in kept.iter().chain([&dead_old, &ancient]) {
        std::fs::create_dir(price.join(name)).unwrap();
        std::fs::write(price.join(name).join("model.txt"), "partial").unwrap();
    }
    let removed = reg.remove_stale("BTCUSDT").unwrap();
    let mut expected = vec![price.join(&ancient)];
    if Path::new("/proc/self").exists() {
        expected.push(price.join(&dead_old));
    }
    expected.sort();
    assert_eq!(removed, expected);
    for name in &kept {
        assert!(price.join(name).is_dir(), "{name} must be kept");
    }
    // A folder of a live process (pid 1) younger than a week is kept.
    let live = pending_name(1, hour);
    std::fs::create_dir(price.join(&live)).unwrap();
    // Starting a version cleans up too, and never touches its own folder.
    let pending = reg.begin("BTCUSDT").unwrap();
    assert!(pending.dir().is_dir() && price.join(&live).is_dir());
    assert!(reg.remove_stale("BTCUSDT").unwrap().is_empty());
    assert!(reg.remove_stale("../x").is_err());
}
