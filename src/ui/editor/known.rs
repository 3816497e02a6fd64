//! The addresses the editor completes attendees from: those of the
//! organizers and attendees of the person's cached events, most used
//! first, then anyone else in the invitations; each once (as typed, in
//! lower case), never one of the person's own.

use std::collections::HashMap;

/// `people`: each account's addresses with the number of events each is
/// in; `invited`: the invitations' addresses; `own`: the person's own (a
/// `mailto:` or not).
pub fn addresses<'a>(
    people: impl IntoIterator<Item = &'a (String, usize)>,
    invited: impl IntoIterator<Item = &'a str>,
    own: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    let own: Vec<String> = own.into_iter().map(bare).collect();
    let mut counts: HashMap<String, usize> = HashMap::new();
    for (address, n) in people {
        *counts.entry(bare(address)).or_default() += n;
    }
    for address in invited {
        counts.entry(bare(address)).or_default();
    }
    let mut all: Vec<(String, usize)> = counts.into_iter().filter(|(a, _)| !own.contains(a)).collect();
    all.sort_by(|(a, n), (b, m)| m.cmp(n).then_with(|| a.cmp(b)));
    all.into_iter().map(|(a, _)| a).collect()
}

/// Lower case, without `mailto:`.
fn bare(address: &str) -> String {
    let a = address.trim().to_lowercase();
    a.strip_prefix("mailto:").map(str::to_owned).unwrap_or(a)
}

#[cfg(test)]
mod tests {
    use super::addresses;

    #[test]
    fn most_used_first_each_once_and_never_the_persons_own() {
        let work = [
            ("me@example.com".to_owned(), 9),
            ("ann@example.com".to_owned(), 1),
            ("bob@example.com".to_owned(), 2),
        ];
        // Ann again in another account: her events add up, and she goes first.
        let home = vec![("ann@example.com".to_owned(), 2)];
        let invited = ["Carol@Example.com", "ann@example.com", "me@example.com"];
        let own = ["MAILTO:Me@example.com", "/principals/me/"];
        let got = addresses(work.iter().chain(&home), invited, own);
        // Carol only in an invitation: after those in events.
        assert_eq!(got, ["ann@example.com", "bob@example.com", "carol@example.com"]);
    }
}
