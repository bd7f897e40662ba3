//! The engine's one-request `Call` (head, get, copy, the lists…) and its ListParts paging, as
//! conversations: the test plays the server and answers what the call asks to send.

use oss_browser_upload::engine::call::Call;
use oss_browser_upload::engine::error::Error;
use oss_browser_upload::engine::exchange::{Answer, Env, Outcome, Outgoing, Request, Signing};
use oss_browser_upload::engine::io::{Command, Event, Operation};
use oss_browser_upload::engine::keys::{Keys, Origin};
use oss_browser_upload::engine::link::Link;
use oss_browser_upload::engine::retry::Policy;
use oss_browser_upload::protocol::messages::ListedPart;
use oss_browser_upload::protocol::request::Credentials;

const NOW: f64 = 1_700_000_000_000.0;

/// A call, the client's keys, and what the call asked for.
struct Talk {
    call: Call,
    keys: Keys,
    link: Link,
    signing: Signing,
    sent: Vec<Outgoing>,
    sleeps: Vec<u32>,
}

impl Talk {
    fn new(call: Call) -> Talk {
        let creds = Credentials {
            access_key_id: "id".into(),
            access_key_secret: "secret".into(),
            security_token: None,
        };
        let mut t = Talk {
            call,
            keys: Keys::new(Origin::Fixed, Some(creds), 0.0),
            link: Link::default(),
            signing: Signing {
                bucket: "bucket".into(),
                v4: None,
            },
            sent: vec![],
            sleeps: vec![],
        };
        t.pump();
        t
    }

    fn pump(&mut self) {
        loop {
            let mut env = Env {
                keys: &mut self.keys,
                signing: &self.signing,
                link: &mut self.link,
                now_ms: NOW,
            };
            let Some(c) = self.call.poll(&mut env) else {
                return;
            };
            match c {
                Command::Send(o) => self.sent.push(o),
                Command::Sleep { id, .. } => self.sleeps.push(id),
                other => panic!("a call asked for {other:?}"),
            }
        }
    }

    fn event(&mut self, e: Event) {
        let mut env = Env {
            keys: &mut self.keys,
            signing: &self.signing,
            link: &mut self.link,
            now_ms: NOW,
        };
        self.call.handle(e, &mut env);
        self.pump();
    }

    /// Answers the one request in flight.
    fn answer(&mut self, outcome: Outcome) -> Outgoing {
        assert_eq!(self.sent.len(), 1, "one request in flight");
        let o = self.sent.remove(0);
        self.event(Event::Answer(o.id, outcome));
        o
    }

    fn result(&mut self) -> (Result<Answer, Error>, Vec<ListedPart>) {
        assert!(self.call.is_over(), "the call is over");
        self.call.take_result().expect("a result")
    }
}

fn ok(body: &str) -> Outcome {
    Outcome::Answer(Answer {
        status: 200,
        body: body.into(),
        ..Answer::default()
    })
}

fn page(numbers: &[u32], truncated: bool, next: u32) -> String {
    let parts: String = (numbers.iter())
        .map(|n| {
            format!("<Part><PartNumber>{n}</PartNumber><ETag>\"e{n}\"</ETag><Size>5</Size></Part>")
        })
        .collect();
    format!("<ListPartsResult><IsTruncated>{truncated}</IsTruncated><NextPartNumberMarker>{next}</NextPartNumberMarker>{parts}</ListPartsResult>")
}

fn marker(o: &Outgoing) -> &str {
    o.parts.query_param("part-number-marker").unwrap_or("")
}

fn all_parts() -> Talk {
    Talk::new(Call::all_parts("k", "up1", Policy::default(), 60_000, 7))
}

#[test]
fn a_call_is_one_request_and_its_answer() {
    let mut t = Talk::new(Call::new(
        Request::new("HEAD", "k", &[]),
        Policy::default(),
        60_000,
        7,
    ));
    let o = t.answer(ok(""));
    assert_eq!(
        (o.parts.method.as_str(), o.parts.key.as_deref()),
        ("HEAD", Some("k"))
    );
    let (answer, parts) = t.result();
    assert_eq!(answer.map(|a| a.status), Ok(200));
    assert!(parts.is_empty());
}

#[test]
fn list_parts_follows_every_page_from_its_marker() {
    let mut t = all_parts();
    let first = t.answer(ok(&page(&[1, 2], true, 2)));
    assert_eq!(marker(&first), "0");
    assert_eq!(first.parts.query_param("uploadId"), Some("up1"));
    let second = t.answer(ok(&page(&[3, 4], true, 4)));
    assert_eq!(marker(&second), "2");
    let third = t.answer(ok(&page(&[5], false, 5)));
    assert_eq!(marker(&third), "4");
    let (answer, parts) = t.result();
    assert!(answer.is_ok());
    let numbers: Vec<u32> = parts.iter().map(|p| p.number).collect();
    assert_eq!(numbers, [1, 2, 3, 4, 5]);
}

#[test]
fn a_page_whose_marker_does_not_advance_ends_the_listing() {
    let mut t = all_parts();
    t.answer(ok(&page(&[1, 2], true, 2)));
    // A server that says "more after 2" again would be asked for ever.
    t.answer(ok(&page(&[], true, 2)));
    assert!(t.sent.is_empty(), "no third page asked for");
    let (answer, parts) = t.result();
    assert!(answer.is_ok());
    assert_eq!(parts.len(), 2);
}

#[test]
fn a_lost_answer_is_sent_again_after_a_backoff() {
    let mut t = all_parts();
    t.answer(ok(&page(&[1], true, 1)));
    t.answer(Outcome::Timeout);
    assert!(t.sent.is_empty() && t.sleeps.len() == 1, "backs off first");
    let id = t.sleeps.remove(0);
    t.event(Event::Woke(id));
    let again = t.answer(ok(&page(&[2], false, 2)));
    assert_eq!(marker(&again), "1", "the same page again");
    let (answer, parts) = t.result();
    assert!(answer.is_ok());
    assert_eq!(parts.iter().map(|p| p.number).collect::<Vec<_>>(), [1, 2]);
}

#[test]
fn a_cancel_ends_the_call_with_the_cancel_error() {
    let mut t = all_parts();
    t.event(Event::Cancel);
    let (answer, _) = t.result();
    assert_eq!(answer.map_err(|e| e.name), Err(Error::cancelled().name));
}

#[test]
fn a_page_that_is_not_xml_fails_the_call() {
    let mut t = all_parts();
    t.answer(ok("<html>gateway</html>"));
    let (answer, _) = t.result();
    assert!(answer.is_err());
}

fn got(size: u64, headers: &[(&str, &str)]) -> Outcome {
    Outcome::Answer(Answer {
        status: 200,
        size,
        headers: (headers.iter())
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..Answer::default()
    })
}

fn get() -> Talk {
    let r = oss_browser_upload::engine::requests::get("k", false, vec![], vec![]);
    Talk::new(Call::new(r, Policy::default(), 60_000, 7))
}

#[test]
fn a_read_cut_short_of_its_content_length_is_read_again() {
    let mut t = get();
    t.answer(got(400, &[("content-length", "1000")]));
    assert_eq!(
        t.sleeps.len(),
        1,
        "a lost answer: backs off and reads again"
    );
    let id = t.sleeps.remove(0);
    t.event(Event::Woke(id));
    t.answer(got(1000, &[("content-length", "1000")]));
    let (answer, _) = t.result();
    assert_eq!(answer.map(|a| a.size), Ok(1000));
}

#[test]
fn a_read_the_browser_decoded_is_whole_whatever_its_length() {
    // gzip: the bytes are decoded, their length is not the Content-Length's.
    let mut t = get();
    t.answer(got(
        400,
        &[("content-length", "1000"), ("content-encoding", "gzip")],
    ));
    assert!(t.result().0.is_ok());
    let mut t = get();
    t.answer(got(5000, &[("content-length", "1000")]));
    assert!(
        t.result().0.is_ok(),
        "longer: decoded, its encoding hidden by CORS"
    );
}
