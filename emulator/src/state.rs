//! Everything a request handler may read or change.

use crate::config::Config;
use crate::cors;
use crate::faults::Faults;
use crate::keys::Keys;
use crate::store::Store;

pub struct State {
    pub config: Config,
    pub store: Store,
    pub keys: Keys,
    pub faults: Faults,
    pub cors: Vec<cors::Rule>,
    /// The origins whose pages may call the server at all (`--allow-origin`).
    pub origins: Vec<String>,
    /// What the example callback server (`/_emulator/callback`) received, oldest first.
    pub callbacks: std::sync::Mutex<Vec<serde_json::Value>>,
}

impl State {
    pub fn new(config: Config) -> Result<State, String> {
        let cors = match &config.cors_rules {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("--cors-rules {}: {e}", path.display()))?;
                serde_json::from_str(&text)
                    .map_err(|e| format!("--cors-rules {}: {e}", path.display()))?
            }
            None => cors::permissive(),
        };
        let store = Store::open(config.data_dir.clone(), &config.bucket_names())?;
        Ok(State {
            keys: Keys::new(
                config.access_key_id.clone(),
                config.access_key_secret.clone(),
            ),
            store,
            faults: Faults::default(),
            callbacks: Default::default(),
            cors,
            origins: config.origins(),
            config,
        })
    }
}
