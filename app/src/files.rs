//! Files the learner takes away or brings in: downloads, a tar archive for a directory, and
//! reading a chosen or dropped file.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// Offers `bytes` as a file download named `name`.
pub fn download(name: &str, bytes: &[u8], mime: &str) {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes).into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let document = web_sys::window().and_then(|w| w.document());
    if let Some(a) = document
        .and_then(|d| d.create_element("a").ok())
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// A POSIX tar archive (ustar) of `files`, for downloading a directory as one file.
pub fn tar(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, bytes) in files {
        let mut header = [0u8; 512];
        let name = name.as_bytes();
        let len = name.len().min(99);
        header[..len].copy_from_slice(&name[..len]);
        write_octal(&mut header[100..108], 0o644);
        write_octal(&mut header[108..116], 0);
        write_octal(&mut header[116..124], 0);
        write_octal(&mut header[124..136], bytes.len() as u64);
        write_octal(&mut header[136..148], 0);
        header[156] = b'0';
        header[257..263].copy_from_slice(b"ustar\0");
        header[263..265].copy_from_slice(b"00");
        // The checksum is computed with its own field as spaces.
        header[148..156].fill(b' ');
        let sum: u64 = header.iter().map(|&b| u64::from(b)).sum();
        write_octal(&mut header[148..155], sum);
        header[155] = b' ';
        out.extend_from_slice(&header);
        out.extend_from_slice(bytes);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    // Two empty blocks end the archive.
    out.resize(out.len() + 1024, 0);
    out
}

/// Writes `value` in octal, zero-padded, NUL-terminated, into `field`.
fn write_octal(field: &mut [u8], value: u64) {
    let digits = field.len() - 1;
    let text = format!("{value:0digits$o}");
    let text = &text.as_bytes()[text.len().saturating_sub(digits)..];
    field[..digits].copy_from_slice(text);
    field[digits] = 0;
}

/// Reads a file the learner chose or dropped, then calls `done` with its name and bytes.
pub fn read_bytes(file: web_sys::File, done: impl FnOnce(String, Vec<u8>) + 'static) {
    let Ok(reader) = web_sys::FileReader::new() else {
        return;
    };
    let name = file.name();
    let loaded = {
        let reader = reader.clone();
        Closure::once(move || {
            let bytes = reader
                .result()
                .map(|buffer| js_sys::Uint8Array::new(&buffer).to_vec())
                .unwrap_or_default();
            done(name, bytes);
        })
    };
    reader.set_onload(Some(loaded.as_ref().unchecked_ref()));
    loaded.forget();
    let _ = reader.read_as_array_buffer(&file);
}
