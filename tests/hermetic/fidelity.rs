//! A reply changes only the user's ATTENDEE line (plus the COMMENT it adds),
//! on copies captured from the servers and on an awkward invitation. The same
//! check on invitations the servers deliver live is in tests/live/fidelity.rs.

use convene::ical::reply::apply;

use crate::support::fidelity::{awkward, only_my_line_changed, reply};

#[test]
fn captured_server_copies_round_trip() {
    for server in ["xandikos", "cyrus", "davical"] {
        let path = format!("{}/tests/fixtures/{server}/get-attendee-copy.ics", env!("CARGO_MANIFEST_DIR"));
        let copy = std::fs::read_to_string(path).unwrap();
        let out = apply(&copy, &reply(Some("Will join remotely, ünd so"))).unwrap();
        only_my_line_changed(&copy, &out, Some("Will join remotely\\, ünd so"));
    }
}

#[test]
fn the_awkward_invitation_round_trips_offline() {
    let data = awkward("offline@convene.test");
    only_my_line_changed(&data, &apply(&data, &reply(None)).unwrap(), None);
}
