//! Reading content/ for the integration tests.

#[allow(dead_code)]
pub mod redis_server;

use std::path::Path;

use curriculum::Course;

/// Every file under content/, as (path relative to content/, text).
pub fn read_content() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
    let mut files = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("content folder is readable") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let relative = path
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                files.push((
                    relative,
                    std::fs::read_to_string(&path).expect("content is UTF-8"),
                ));
            }
        }
    }
    files
}

/// The course built from content/ (the content test reports its errors in detail).
#[allow(dead_code)]
pub fn course() -> Course {
    let files = read_content();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    Course::from_files(&refs).expect("content parses")
}
