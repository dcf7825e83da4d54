//! Secrets and the one way to keep them out of text.
//!
//! - [`Secret`]: a string that never prints. `Debug` and `Display` show `***`; only
//!   [`Secret::expose`] yields the value, and callers pass it straight to the client that
//!   needs it (the Bot API, Postgres, the Oura API).
//! - [`Redactor`]: every secret of a validated [`Config`](super::Config) (the bot token, the
//!   WorkOS database URL, the Oura token), with the forms they take inside other text (a
//!   token URL-encoded in a request URL, a database URL's password alone), replaced by `***`.
//!   Built once with the config ([`Config::redactor`](super::Config::redactor)); every path
//!   that prints, logs, journals, stores or sends an error text passes it through this.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret value. Never log or format the result.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Removes secrets from text. Cheap to clone; `Debug` names only how many it knows.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Redactor {
    /// Every form of every secret, longest first (so a URL goes whole before its password).
    needles: Vec<String>,
}

/// A password shorter than this is not searched for on its own (a one-letter password would
/// turn every such letter into `***`); whole secrets are always searched for.
const MIN_PART_CHARS: usize = 3;

impl Redactor {
    /// A redactor for these secrets and the forms they take inside other text: the value;
    /// the value with `:` URL-encoded (a bot token in a request URL); for a URL with a
    /// password (`scheme://user:password@host`), the password as written and percent-decoded.
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a Secret>) -> Redactor {
        let mut needles: Vec<String> = Vec::new();
        for secret in secrets {
            let value = secret.expose().trim();
            if value.is_empty() {
                continue;
            }
            needles.push(value.to_owned());
            needles.push(value.replace(':', "%3A"));
            needles.push(value.replace(':', "%3a"));
            if let Some(password) = password_of(value) {
                let parts = [password.to_owned(), percent_decode(password)];
                needles.extend(
                    parts
                        .into_iter()
                        .filter(|p| p.chars().count() >= MIN_PART_CHARS),
                );
            }
        }
        needles.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        needles.dedup();
        Redactor { needles }
    }

    /// `text` with every known secret replaced by `***`.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for needle in &self.needles {
            out = out.replace(needle.as_str(), "***");
        }
        out
    }

    /// Whether `text` still holds a secret (for tests and scans of files Operator wrote).
    pub fn finds_secret_in(&self, text: &str) -> bool {
        self.needles.iter().any(|n| text.contains(n.as_str()))
    }
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} forms)", self.needles.len())
    }
}

/// The password part of `scheme://user:password@host/…`, when there is one.
fn password_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let userinfo = authority.rsplit_once('@')?.0;
    let password = userinfo.split_once(':')?.1;
    (!password.is_empty()).then_some(password)
}

/// `%XX` escapes decoded (bytes that do not form UTF-8 are kept as written).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                let value = hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0);
                out.push(value as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints() {
        let s = Secret::new("123:ABC");
        assert_eq!(format!("{s} {s:?}"), "*** Secret(***)");
        let r = Redactor::new([&s]);
        assert_eq!(r.redact("url /bot123:ABC/x"), "url /bot***/x");
        assert_eq!(format!("{r:?}"), "Redactor(3 forms)");
    }

    #[test]
    fn every_form_of_every_secret_is_removed() {
        let token = Secret::new("123456:AAbbCCdd");
        let url =
            Secret::new("postgres://ops:s3cr%40t@db.example.neon.tech/workos?sslmode=require");
        let oura = Secret::new("OURATOKEN42");
        let r = Redactor::new([&token, &url, &oura]);
        let text = format!(
            "GET /bot123456%3AAAbbCCdd/getMe; {} failed; password s3cr%40t or s3cr@t; Bearer OURATOKEN42",
            url.expose()
        );
        let out = r.redact(&text);
        for leaked in ["AAbbCCdd", "s3cr", "neon.tech/workos", "OURATOKEN42"] {
            assert!(!out.contains(leaked), "{leaked} in {out}");
        }
        assert!(!r.finds_secret_in(&out));
        assert!(r.finds_secret_in(&text));
        assert_eq!(
            out,
            "GET /bot***/getMe; *** failed; password *** or ***; Bearer ***"
        );
    }

    #[test]
    fn empty_and_tiny_parts_do_not_mangle_text() {
        let r = Redactor::new([&Secret::new(""), &Secret::new("postgres://u:a@h/db")]);
        assert_eq!(r.redact("a plain sentence"), "a plain sentence");
        assert_eq!(r.redact("see postgres://u:a@h/db"), "see ***");
        assert_eq!(Redactor::default().redact("x"), "x");
    }

    #[test]
    fn passwords_are_found_in_urls_only() {
        assert_eq!(password_of("postgres://u:p%40ss@h:5432/db"), Some("p%40ss"));
        assert_eq!(password_of("postgres://u@h/db"), None);
        assert_eq!(password_of("postgres://h/db?x=a:b@c"), None);
        assert_eq!(password_of("not a url"), None);
        assert_eq!(percent_decode("p%40ss%zz%4"), "p@ss%zz%4");
    }
}
