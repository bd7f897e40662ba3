//! The keys the server accepts: one long-term AccessKey pair, and STS credentials it mints
//! itself (standing in for a backend's AssumeRole call).

use std::collections::HashMap;
use std::sync::Mutex;

use rand::distributions::Alphanumeric;
use rand::Rng;

use crate::sync::lock;

#[derive(Clone, Debug)]
pub struct Secret {
    pub secret: String,
    /// Set for STS credentials: the token that must accompany them, and when they expire.
    pub sts: Option<(String, u64)>,
}

pub struct Keys {
    long_term: (String, String),
    sts: Mutex<HashMap<String, Secret>>,
}

fn random(len: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

impl Keys {
    pub fn new(access_key_id: String, access_key_secret: String) -> Keys {
        Keys {
            long_term: (access_key_id, access_key_secret),
            sts: Mutex::new(HashMap::new()),
        }
    }

    pub fn lookup(&self, access_key_id: &str) -> Option<Secret> {
        if access_key_id == self.long_term.0 {
            return Some(Secret {
                secret: self.long_term.1.clone(),
                sts: None,
            });
        }
        lock(&self.sts).get(access_key_id).cloned()
    }

    /// Mints STS credentials: (AccessKeyId, AccessKeySecret, SecurityToken, expiry epoch).
    pub fn mint(&self, now: u64, duration: u64) -> (String, String, String, u64) {
        let id = format!("STS.{}", random(24));
        let secret = random(30);
        // Real tokens are long and carry '+', '/' and '=': so do ours, so that encoding
        // bugs in clients show up here rather than in production.
        let token = format!("CAIS{}+/{}==", random(200), random(40));
        let expires = now + duration;
        lock(&self.sts).insert(
            id.clone(),
            Secret {
                secret: secret.clone(),
                sts: Some((token.clone(), expires)),
            },
        );
        (id, secret, token, expires)
    }
}
