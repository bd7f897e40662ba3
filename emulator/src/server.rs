//! The server: accept connections, and answer each request by what it is for. A page from an
//! origin the server does not serve is refused outright (see `cors.rs`); a preflight is
//! answered by CORS rules; `/_emulator/` paths by the emulator's own endpoints (`control.rs`);
//! everything else is an OSS request (`route.rs`). Every answer then gets OSS's common headers,
//! its CORS headers and, for an error, OSS's error format (`http.rs`).

use std::net::SocketAddr;
use std::sync::Arc;

use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::clock::epoch_ms;
use crate::config::Config;
use crate::control;
use crate::cors;
use crate::failure::Failure;
use crate::faults::Action;
use crate::http::{self, read_body, Head, Reset};
use crate::log::Logged;
use crate::reply::Reply;
use crate::route::{self, Outcome};
use crate::state::State;

/// A server bound to its port, running on the current Tokio runtime.
pub struct Running {
    pub addr: SocketAddr,
    pub state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn stop(self) {
        self.task.abort();
    }
}

pub async fn start(config: Config) -> Result<Running, String> {
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let state = Arc::new(State::new(config)?);
    let task = tokio::spawn(serve(listener, state.clone()));
    Ok(Running { addr, state, task })
}

async fn serve(listener: TcpListener, state: Arc<State>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| handle(state.clone(), req));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn request_id() -> String {
    format!("{:024X}", rand::random::<u128>() >> 32)
}

/// The largest body an `/_emulator/` endpoint reads (fault rules, signing requests).
const MAX_CONTROL_BODY: u64 = 1024 * 1024;

async fn handle(
    state: Arc<State>,
    req: Request<Incoming>,
) -> Result<Response<http::AnswerBody>, Reset> {
    let (parts, body) = req.into_parts();
    let head = Head::of(&parts);
    // Seconds: what OSS dates requests, objects and credentials in.
    let now = epoch_ms() / 1000;
    let mut log = Logged::new(state.clone(), &head);
    let origin = head.header("origin").map(String::from);
    let control_path = head.path.strip_prefix("/_emulator/");
    // The emulator's own endpoints answer any allowed page; OSS requests, the bucket's rules.
    let rules = if control_path.is_some() {
        cors::permissive()
    } else {
        state.cors.clone()
    };
    let outcome = match (&origin, control_path) {
        (Some(o), _) if !cors::origin_allowed(&state.origins, o) => {
            log.set_op("Refused");
            // No CORS headers either: the page may not even read the refusal.
            return Ok(answer(
                &head,
                &[],
                Err(cors::forbidden_origin(o)),
                false,
                now,
                log,
            ));
        }
        _ if head.method == "OPTIONS" => {
            log.set_op("Preflight");
            Outcome::Answer {
                result: cors::preflight(&rules, &head),
                wrong_crc: false,
                cut: false,
                no_cors: false,
            }
        }
        (_, Some(path)) => {
            log.set_op("Emulator");
            Outcome::Answer {
                result: control_call(&state, &head, path, body, &log, now).await,
                wrong_crc: false,
                cut: false,
                no_cors: false,
            }
        }
        (_, None) => route::serve(&state, &head, body, &mut log, now).await,
    };
    match outcome {
        // The log records it as reset when `log` is dropped.
        Outcome::Drop => Err(Reset),
        Outcome::Answer {
            result,
            wrong_crc,
            cut,
            no_cors,
        } => {
            // An answer with no body has nothing to break off: it is lost whole instead.
            let bodiless = head.method == "HEAD" || matches!(&result, Ok(r) if r.body.is_empty());
            if cut && bodiless {
                return Err(Reset);
            }
            let cors = if head.method == "OPTIONS" || no_cors {
                vec![]
            } else {
                cors::response_headers(&rules, origin.as_deref(), &head.method)
            };
            let mut response = answer(&head, &cors, result, wrong_crc, now, log);
            if cut {
                response.body_mut().cut_off();
            }
            Ok(response)
        }
    }
}

/// Calls an `/_emulator/` endpoint with its body.
async fn control_call(
    state: &State,
    head: &Head,
    path: &str,
    body: Incoming,
    log: &Logged,
    now: u64,
) -> Result<Reply, Failure> {
    match read_body(body, &Action::default(), &log.received, MAX_CONTROL_BODY).await {
        Ok(body) => control::handle(state, &head.method, path, &head.headers, &body, now),
        Err(http::Cut::TooLarge) => Err(http::too_large(MAX_CONTROL_BODY)),
        Err(http::Cut::Reset) => Err(Failure::invalid_argument("The request body was cut off.")),
    }
}

/// The response to a request that is answered: OSS's error format for a failure, a fault's
/// wrong CRC64, the CORS headers and the common headers; and the log line completed.
fn answer(
    head: &Head,
    cors: &[(String, String)],
    result: Result<Reply, Failure>,
    wrong_crc: bool,
    now: u64,
    log: Logged,
) -> Response<http::AnswerBody> {
    let rid = request_id();
    let host = head.header("host").unwrap_or("");
    let mut reply =
        result.unwrap_or_else(|f| http::error_reply(f, head.method == "HEAD", &rid, host));
    if wrong_crc {
        http::corrupt_crc(&mut reply);
    }
    reply.headers.splice(0..0, cors.iter().cloned());
    log.answered(reply.status);
    http::response(reply, &rid, now)
}
