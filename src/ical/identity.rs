//! "Which ATTENDEE is me": the principal's calendar-user-address-set plus
//! the aliases the person configured, compared case-insensitively on the
//! scheme and host (RFC 6638 §2.4.1, RFC 3986 §6.2.2.1).

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    addresses: Vec<String>,
}

/// Canonical form: scheme and host lower-cased; a `mailto:` local part and
/// any URL path kept as written.
pub fn normalize(address: &str) -> String {
    let address = address.trim();
    let Some((scheme, rest)) = address.split_once(':') else { return address.to_owned() };
    let scheme = scheme.to_ascii_lowercase();
    if scheme == "mailto" {
        return match rest.rsplit_once('@') {
            Some((local, host)) => format!("mailto:{local}@{}", host.to_ascii_lowercase()),
            None => format!("mailto:{rest}"),
        };
    }
    if let Some(after) = rest.strip_prefix("//") {
        let (authority, path) = after.split_at(after.find('/').unwrap_or(after.len()));
        return format!("{scheme}://{}{path}", authority.to_ascii_lowercase());
    }
    format!("{scheme}:{rest}")
}

impl Identity {
    pub fn new<I, S>(addresses: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut out: Vec<String> = Vec::new();
        for a in addresses {
            let n = normalize(a.as_ref());
            if !n.is_empty() && !out.contains(&n) {
                out.push(n);
            }
        }
        Identity { addresses: out }
    }

    pub fn is_me(&self, address: &str) -> bool {
        let n = normalize(address);
        self.addresses.contains(&n)
    }

    pub fn is_empty(&self) -> bool {
        self.addresses.is_empty()
    }

    pub fn addresses(&self) -> &[String] {
        &self.addresses
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_and_host_compare_case_insensitively() {
        let me = Identity::new(["mailto:Ann@Example.COM", "/principals/ann/"]);
        assert!(me.is_me("MAILTO:Ann@example.com"));
        assert!(!me.is_me("mailto:ann@example.com"), "the local part is case-sensitive");
        assert!(me.is_me("/principals/ann/"));
        let url = Identity::new(["HTTPS://Cal.Example.com/p/Ann"]);
        assert!(url.is_me("https://cal.example.com/p/Ann"));
        assert!(!url.is_me("https://cal.example.com/p/ann"));
    }

    #[test]
    fn empty_address_sets_match_nobody() {
        let none = Identity::new(Vec::<String>::new());
        assert!(none.is_empty());
        assert!(!none.is_me("mailto:a@b"));
    }
}
