//! What a failed request means, and how long to wait before the next try: exponential backoff
//! with full jitter (the AWS architecture blog's "Exponential Backoff and Jitter"), the random
//! draw passed in so tests are deterministic.

/// A failed attempt, as far as retrying cares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failed {
    /// fetch rejected: the connection failed or was reset.
    Network,
    /// No answer within the timeout.
    Timeout,
    /// The server answered with an error.
    Http { status: u16, code: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Try again after this many milliseconds.
    RetryAfter(u64),
    /// Get fresh STS credentials, then try again at once.
    RefreshCredentials,
    /// Correct the clock from the server's `ServerTime`, then sign and try again at once.
    CorrectClock,
    GiveUp,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Policy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    pub base_ms: u64,
    pub cap_ms: u64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max_retries: 3,
            base_ms: 300,
            cap_ms: 10_000,
        }
    }
}

impl Policy {
    /// What to do after a failed attempt; `retries` is how many backoff retries were already
    /// spent, `random` is uniform in [0, 1), `can_refresh` says whether new credentials can be
    /// had at all. Refreshing and clock correction are not counted against `max_retries` (the
    /// caller bounds them), so `retryMax: 0` still survives an expired token.
    pub fn decide(
        &self,
        failed: &Failed,
        retries: u32,
        random: f64,
        can_refresh: bool,
    ) -> Decision {
        match failed {
            Failed::Http { code, .. } if code == "RequestTimeTooSkewed" => Decision::CorrectClock,
            Failed::Http { code, .. }
                if can_refresh
                    && (code == "SecurityTokenExpired" || code == "InvalidSecurityToken") =>
            {
                Decision::RefreshCredentials
            }
            Failed::Http { status, .. } if *status < 500 && *status != 429 => Decision::GiveUp,
            _ if retries >= self.max_retries => Decision::GiveUp,
            _ => {
                let ceiling = self
                    .base_ms
                    .saturating_mul(1 << retries.min(20))
                    .min(self.cap_ms);
                Decision::RetryAfter((ceiling as f64 * random.clamp(0.0, 1.0)) as u64)
            }
        }
    }
}

/// The random draws backoff jitter takes: xorshift64*, seeded by the edge (from
/// `Math.random`) so tests can fix it.
#[derive(Clone, Debug)]
pub struct Jitter(u64);

impl Jitter {
    pub fn new(seed: u64) -> Jitter {
        Jitter(seed | 1)
    }

    /// Uniform in [0, 1).
    pub fn draw(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16, code: &str) -> Failed {
        Failed::Http {
            status,
            code: code.into(),
        }
    }

    #[test]
    fn retries_what_may_pass_and_not_what_cannot() {
        let p = Policy::default();
        assert_eq!(
            p.decide(&Failed::Network, 0, 0.5, false),
            Decision::RetryAfter(150)
        );
        assert_eq!(
            p.decide(&Failed::Timeout, 2, 0.999, false),
            Decision::RetryAfter(1198)
        );
        assert_eq!(
            p.decide(&http(503, "SlowDown"), 1, 1.0, false),
            Decision::RetryAfter(600)
        );
        assert_eq!(
            p.decide(&http(429, "TooManyRequests"), 0, 0.0, false),
            Decision::RetryAfter(0)
        );
        assert_eq!(
            p.decide(&http(403, "SignatureDoesNotMatch"), 0, 0.5, true),
            Decision::GiveUp
        );
        assert_eq!(
            p.decide(&http(404, "NoSuchUpload"), 0, 0.5, true),
            Decision::GiveUp
        );
        assert_eq!(
            p.decide(&http(403, "SecurityTokenExpired"), 0, 0.5, true),
            Decision::RefreshCredentials
        );
        assert_eq!(
            p.decide(&http(403, "SecurityTokenExpired"), 0, 0.5, false),
            Decision::GiveUp
        );
        assert_eq!(
            p.decide(&http(403, "RequestTimeTooSkewed"), 0, 0.5, false),
            Decision::CorrectClock
        );
        assert_eq!(p.decide(&Failed::Network, 3, 0.5, false), Decision::GiveUp);
        let none = Policy {
            max_retries: 0,
            ..p
        };
        assert_eq!(
            none.decide(&http(503, "SlowDown"), 0, 0.5, false),
            Decision::GiveUp
        );
        assert_eq!(
            none.decide(&http(403, "SecurityTokenExpired"), 0, 0.5, true),
            Decision::RefreshCredentials
        );
    }

    #[test]
    fn backoff_is_capped() {
        let p = Policy {
            max_retries: 100,
            ..Policy::default()
        };
        assert_eq!(
            p.decide(&Failed::Network, 60, 1.0, false),
            Decision::RetryAfter(10_000)
        );
    }
}
