//! `multipart/form-data` bodies (RFC 7578), as teloxide sends `sendPhoto`: text parts become
//! parameters, parts with a `filename` become uploaded files.
//!
//! Owns splitting a body into parts. Strict: a body that does not follow the boundary rules
//! is refused, as Telegram refuses it.

use std::collections::HashMap;

/// The parts of one body: text fields, and files by field name.
#[derive(Debug, Default)]
pub struct Parts {
    pub fields: Vec<(String, String)>,
    pub files: HashMap<String, Vec<u8>>,
}

/// The `boundary` parameter of a `multipart/form-data` content type.
pub fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// Splits `body` at `boundary`; `Err` says what is malformed.
pub fn parse(body: &[u8], boundary: &str) -> Result<Parts, String> {
    if boundary.is_empty() || boundary.len() > 70 {
        return Err("bad multipart boundary".to_owned());
    }
    let delimiter = format!("--{boundary}").into_bytes();
    let mut at = find(body, &delimiter, 0).ok_or("no multipart boundary in the body")?;
    let mut parts = Parts::default();
    loop {
        at += delimiter.len();
        if body.get(at..at + 2) == Some(b"--") {
            return Ok(parts);
        }
        if body.get(at..at + 2) != Some(b"\r\n") {
            return Err("a multipart boundary not followed by CRLF".to_owned());
        }
        at += 2;
        let head_end = find(body, b"\r\n\r\n", at).ok_or("a multipart part without headers")?;
        let head = String::from_utf8_lossy(&body[at..head_end]).into_owned();
        let content = head_end + 4;
        let mut closing = b"\r\n".to_vec();
        closing.extend_from_slice(&delimiter);
        let end = find(body, &closing, content).ok_or("a multipart part that never ends")?;
        let data = &body[content..end];
        let (name, filename) = disposition(&head)?;
        match filename {
            Some(_) => {
                parts.files.insert(name, data.to_vec());
            }
            None => parts
                .fields
                .push((name, String::from_utf8_lossy(data).into_owned())),
        }
        at = end + 2;
    }
}

/// `name` and `filename` from a part's `Content-Disposition: form-data; …` header.
fn disposition(head: &str) -> Result<(String, Option<String>), String> {
    let line = head
        .lines()
        .find(|l| {
            l.split(':')
                .next()
                .is_some_and(|h| h.trim().eq_ignore_ascii_case("content-disposition"))
        })
        .ok_or("a multipart part without Content-Disposition")?;
    let value = line.split_once(':').map_or("", |(_, v)| v);
    let mut name = None;
    let mut filename = None;
    for param in value.split(';').skip(1) {
        if let Some((k, v)) = param.trim().split_once('=') {
            let v = v.trim().trim_matches('"').to_owned();
            match k.trim() {
                "name" => name = Some(v),
                "filename" => filename = Some(v),
                _ => {}
            }
        }
    }
    Ok((name.ok_or("a multipart part without a name")?, filename))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_files_come_apart() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n42\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"chart.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n\r\n--XyZ--\r\n";
        let parts = parse(body, "XyZ").unwrap();
        assert_eq!(parts.fields, [("chat_id".to_owned(), "42".to_owned())]);
        assert_eq!(parts.files["photo"], b"\x89PNG\r\n\x1a\n");
        assert!(parse(b"--XyZ\r\nno headers", "XyZ").is_err());
        assert_eq!(
            boundary("multipart/form-data; boundary=\"XyZ\"").as_deref(),
            Some("XyZ")
        );
    }
}
