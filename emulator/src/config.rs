//! Command-line flags; every default is documented in the README.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

/// The origins whose pages may call the server when `--allow-origin` is not given: pages
/// served from loopback, on any port.
pub const DEFAULT_ORIGINS: [&str; 3] =
    ["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"];

#[derive(Clone, Debug, Parser)]
#[command(
    name = "oss-emulator",
    about = "A local Alibaba Cloud OSS-compatible server"
)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:9000")]
    pub listen: SocketAddr,
    /// A bucket to serve (repeat for more). Default: demo-bucket.
    #[arg(long = "bucket")]
    pub buckets: Vec<String>,
    /// Keep objects and multipart uploads in this directory, across restarts.
    #[arg(long, conflicts_with = "memory")]
    pub data_dir: Option<PathBuf>,
    /// Keep everything in memory (the default when --data-dir is not given).
    #[arg(long)]
    pub memory: bool,
    /// The long-term AccessKeyId the server accepts.
    #[arg(long, default_value = "LTAI5tEmulatorAccessKey")]
    pub access_key_id: String,
    /// The long-term AccessKeySecret that goes with it.
    #[arg(long, default_value = "EmulatorSecret0123456789abcdef")]
    pub access_key_secret: String,
    /// The region V4 signatures are scoped to.
    #[arg(long, default_value = "cn-hangzhou")]
    pub region: String,
    /// Map a host name to a bucket, HOST=BUCKET (repeat for more).
    #[arg(long = "cname", value_parser = parse_cname)]
    pub cnames: Vec<(String, String)>,
    /// A JSON file of CORS rules replacing the permissive default (see README).
    #[arg(long)]
    pub cors_rules: Option<PathBuf>,
    /// An origin whose pages may call the server (repeat for more; `*` for any, `HOST:*` for
    /// any port). Default: http://localhost:*, http://127.0.0.1:*, http://[::1]:*.
    #[arg(long = "allow-origin")]
    pub allow_origins: Vec<String>,
    /// Print one line per request to stderr.
    #[arg(long)]
    pub verbose: bool,
}

fn parse_cname(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(h, b)| (h.to_ascii_lowercase(), b.to_string()))
        .ok_or_else(|| format!("--cname wants HOST=BUCKET, got {s:?}"))
}

impl Config {
    /// A config for tests: in memory, one bucket, a free port.
    pub fn for_tests(buckets: &[&str]) -> Config {
        Config::parse_from(
            std::iter::once("oss-emulator")
                .chain(["--listen", "127.0.0.1:0"])
                .chain(buckets.iter().flat_map(|b| ["--bucket", *b])),
        )
    }

    /// The origins whose pages may call the server: `--allow-origin`, or loopback pages.
    pub fn origins(&self) -> Vec<String> {
        if self.allow_origins.is_empty() {
            DEFAULT_ORIGINS.map(String::from).to_vec()
        } else {
            self.allow_origins.clone()
        }
    }

    pub fn bucket_names(&self) -> Vec<String> {
        if self.buckets.is_empty() {
            vec!["demo-bucket".to_string()]
        } else {
            self.buckets.clone()
        }
    }
}
