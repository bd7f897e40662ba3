//! The keys requests are signed with, and the page's clock as OSS sees it: one per client,
//! shared by every operation of that client.
//!
//! STS refresh is single-flight: however many requests fail at once with an expired token,
//! one refresh is asked for and every request waits for it (ali-oss #1363 and #1391 describe
//! the race this avoids: parallel parts each refreshing, and some signing with a token already
//! replaced). A request that failed with a token someone else already replaced just retries
//! with the new one.

use super::error::Error;
use crate::protocol::request::Credentials;
use crate::protocol::time;

/// Where the keys come from.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    /// Keys given once (`accessKeyId`/`accessKeySecret`), perhaps with an STS token.
    Fixed,
    /// `refreshSTSToken`: asked for at first use, every `interval_ms`, and when OSS says the
    /// token expired.
    Refreshed { interval_ms: f64 },
    /// A backend `signer` signs each request: no keys in the page at all.
    Backend,
}

/// What a request can sign with now.
#[derive(Debug, PartialEq, Eq)]
pub enum Ready<'a> {
    Keys(&'a Credentials),
    /// The backend signer signs each request.
    Backend,
    /// A refresh is under way: wait for `Event::Keys`.
    Wait,
}

#[derive(Debug)]
pub struct Keys {
    origin: Origin,
    current: Option<Credentials>,
    refreshed_at: f64,
    /// When the client was made: ali-oss's `stsTokenFreshTime` until keys arrive.
    made_at: f64,
    refreshing: bool,
    /// A refresh is wanted and the edge has not yet been asked for it.
    wanted: bool,
    /// Server time minus page time, learnt from RequestTimeTooSkewed.
    clock_offset_ms: f64,
}

impl Keys {
    pub fn new(origin: Origin, current: Option<Credentials>, now_ms: f64) -> Keys {
        Keys {
            origin,
            refreshed_at: if current.is_some() {
                now_ms
            } else {
                f64::NEG_INFINITY
            },
            made_at: now_ms,
            current,
            refreshing: false,
            wanted: false,
            clock_offset_ms: 0.0,
        }
    }

    /// Whether an expired token can be mended: new keys can be had, or a backend signs afresh.
    pub fn can_refresh(&self) -> bool {
        self.origin != Origin::Fixed
    }

    /// Long-term keys in a page, where anyone can read them: worth a warning.
    pub fn is_long_term(&self) -> bool {
        self.origin == Origin::Fixed
            && self
                .current
                .as_ref()
                .is_some_and(|c| c.security_token.is_none())
    }

    /// The keys in hand, if any (for signatureUrl, which cannot wait).
    pub fn current(&self) -> Option<&Credentials> {
        self.current.as_ref()
    }

    /// What to sign with now; asks for a refresh when the keys are missing or due.
    pub fn ready(&mut self, now_ms: f64) -> Ready<'_> {
        if self.origin == Origin::Backend {
            return Ready::Backend;
        }
        let due = match self.origin {
            Origin::Refreshed { interval_ms } => now_ms - self.refreshed_at >= interval_ms,
            _ => false,
        };
        if self.refreshing || self.current.is_none() || due {
            self.start_refresh();
            return Ready::Wait;
        }
        match &self.current {
            Some(c) => Ready::Keys(c),
            None => Ready::Wait,
        }
    }

    /// A request signed with `stale` (its token) was told the token expired. False if the
    /// keys cannot be renewed; otherwise the request waits for `Event::Keys`, or retries at
    /// once when the token was already replaced (true either way).
    pub fn expired(&mut self, stale: Option<&str>) -> bool {
        match self.origin {
            Origin::Fixed => false,
            Origin::Backend => true,
            Origin::Refreshed { .. } => {
                let replaced = self
                    .current
                    .as_ref()
                    .is_some_and(|c| c.security_token.as_deref() != stale);
                if !replaced {
                    self.start_refresh();
                }
                true
            }
        }
    }

    fn start_refresh(&mut self) {
        if self.origin == Origin::Fixed {
            return;
        }
        if !self.refreshing {
            self.refreshing = true;
            self.wanted = true;
        }
    }

    /// Whether the edge should call `refreshSTSToken` now (true once per refresh), or fail
    /// the waiting requests when no refresh is possible.
    pub fn take_refresh(&mut self) -> bool {
        std::mem::take(&mut self.wanted)
    }

    /// Whether a refresh is under way (requests are waiting for it).
    pub fn refreshing(&self) -> bool {
        self.refreshing
    }

    /// When the keys in hand were had (ali-oss's `stsTokenFreshTime`): their refresh, or the
    /// client's making.
    pub fn fresh_at(&self) -> f64 {
        if self.refreshed_at.is_finite() {
            self.refreshed_at
        } else {
            self.made_at
        }
    }

    /// The refresh's outcome; every waiting request is then told (`Event::Keys`).
    pub fn refreshed(&mut self, outcome: Result<Credentials, Error>, now_ms: f64) {
        self.refreshing = false;
        if let Ok(creds) = outcome {
            self.current = Some(creds);
            self.refreshed_at = now_ms;
        }
    }

    /// Seconds since the epoch by the server's clock, as far as we know it.
    pub fn now_secs(&self, now_ms: f64) -> u64 {
        ((now_ms + self.clock_offset_ms) / 1000.0).max(0.0) as u64
    }

    /// Learns the server's clock from a RequestTimeTooSkewed answer; false if unreadable.
    pub fn correct_clock(&mut self, server_time: Option<&str>, now_ms: f64) -> bool {
        match server_time.and_then(time::parse_iso8601) {
            Some(secs) => {
                self.clock_offset_ms = secs as f64 * 1000.0 - now_ms;
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(token: &str) -> Credentials {
        Credentials {
            access_key_id: "id".into(),
            access_key_secret: "secret".into(),
            security_token: Some(token.into()),
        }
    }

    #[test]
    fn one_refresh_for_many_expired_requests() {
        let mut k = Keys::new(
            Origin::Refreshed { interval_ms: 1e9 },
            Some(creds("t1")),
            0.0,
        );
        for _ in 0..5 {
            assert!(k.expired(Some("t1")));
        }
        assert!(k.take_refresh());
        assert!(!k.take_refresh(), "asked once");
        assert_eq!(k.ready(1.0), Ready::Wait);
        k.refreshed(Ok(creds("t2")), 2.0);
        assert!(
            matches!(k.ready(3.0), Ready::Keys(c) if c.security_token.as_deref() == Some("t2"))
        );
        // A late failure signed with the old token retries with the new one, no refresh.
        assert!(k.expired(Some("t1")));
        assert!(!k.take_refresh());
    }

    #[test]
    fn refreshed_when_due_and_not_for_fixed_keys() {
        let mut k = Keys::new(Origin::Refreshed { interval_ms: 100.0 }, None, 0.0);
        assert_eq!(k.ready(0.0), Ready::Wait);
        assert!(k.take_refresh());
        k.refreshed(Ok(creds("a")), 10.0);
        assert!(matches!(k.ready(50.0), Ready::Keys(_)));
        assert_eq!(k.ready(110.0), Ready::Wait, "due again");
        let mut fixed = Keys::new(Origin::Fixed, Some(creds("x")), 0.0);
        assert!(!fixed.expired(Some("x")));
        assert!(!fixed.take_refresh());
    }

    #[test]
    fn clock_correction() {
        let mut k = Keys::new(Origin::Fixed, None, 0.0);
        assert!(!k.correct_clock(Some("not a time"), 0.0));
        assert!(k.correct_clock(Some("2024-01-01T00:00:00.000Z"), 1_000_000.0));
        assert_eq!(k.now_secs(1_000_000.0), 1_704_067_200);
    }
}
