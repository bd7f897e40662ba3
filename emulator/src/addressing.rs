//! Which bucket and key a request names: cname, virtual-hosted (`bucket.anything`, which
//! covers `bucket.localhost:PORT` in browsers) or path-style (`/bucket/key`).

use oss_browser_upload::protocol::encode::uri_decode;

#[derive(Debug, PartialEq, Eq)]
pub struct Target {
    pub bucket: Option<String>,
    /// Empty for bucket-level requests.
    pub key: String,
}

fn is_ip(host: &str) -> bool {
    host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[')
}

/// Resolves a request. `None` if the path is not valid percent-encoded UTF-8.
pub fn resolve(
    host: &str,
    raw_path: &str,
    buckets: &[String],
    cnames: &[(String, String)],
) -> Option<Target> {
    let host = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    let host = host.to_ascii_lowercase();
    let path = uri_decode(raw_path.strip_prefix('/').unwrap_or(raw_path))?;
    let hosted = cnames
        .iter()
        .find(|(h, _)| *h == host)
        .map(|(_, b)| b.clone())
        .or_else(|| {
            let (label, rest) = host.split_once('.')?;
            (!is_ip(&host) && !rest.is_empty() && buckets.iter().any(|b| b == label))
                .then(|| label.to_string())
        });
    Some(match hosted {
        Some(bucket) => Target {
            bucket: Some(bucket),
            key: path,
        },
        None if path.is_empty() => Target {
            bucket: None,
            key: String::new(),
        },
        None => {
            let (bucket, key) = path.split_once('/').unwrap_or((&path, ""));
            Target {
                bucket: Some(bucket.to_string()),
                key: key.to_string(),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(host: &str, path: &str) -> Target {
        let buckets = vec!["demo".to_string()];
        let cnames = vec![("cdn.example.com".to_string(), "demo".to_string())];
        resolve(host, path, &buckets, &cnames).unwrap()
    }

    #[test]
    fn all_three_styles() {
        let t = |b: &str, k: &str| Target {
            bucket: Some(b.into()),
            key: k.into(),
        };
        assert_eq!(r("127.0.0.1:9000", "/demo/a%20b/c"), t("demo", "a b/c"));
        assert_eq!(r("localhost:9000", "/demo/"), t("demo", ""));
        assert_eq!(r("localhost:9000", "/demo"), t("demo", ""));
        assert_eq!(r("demo.localhost:9000", "/a+b"), t("demo", "a+b"));
        assert_eq!(r("cdn.example.com", "/x"), t("demo", "x"));
        assert_eq!(r("localhost:9000", "/").bucket, None);
        assert!(resolve("h", "/%FF", &[], &[]).is_none());
    }
}
