//! Replays every input the fuzzer kept (`fuzz/corpus/<target>/`) and every crash it found
//! (`fuzz/regressions/<target>/`, kept after the fix) through its target: none may panic.

use std::path::Path;

#[test]
fn every_kept_input_runs_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut replayed = 0;
    for (target, run) in fuzz_targets::TARGETS {
        for kind in ["corpus", "regressions"] {
            let dir = root.join(kind).join(target);
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut files: Vec<_> = entries.map(|e| e.expect("entry").path()).collect();
            files.sort();
            for file in files {
                let input = std::fs::read(&file).expect("read a kept input");
                eprintln!("{}", file.display());
                run(&input);
                replayed += 1;
            }
        }
        assert!(
            root.join("corpus").join(target).is_dir(),
            "{target} has no corpus in fuzz/corpus"
        );
    }
    println!("fuzz corpus: {replayed} inputs replayed");
}
