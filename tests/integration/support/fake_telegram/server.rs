//! The HTTP face of the fake: `/bot{token}/{method}` on 127.0.0.1, JSON,
//! form and query parameters, the token check, scripted faults, recording,
//! and connections that can be cut without an answer.
//!
//! Owns the request pipeline. Does not own what a method does (`methods`,
//! `updates`).

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::connect_info::{ConnectInfo, Connected};
use axum::http::{HeaderMap, Uri, header};
use axum::serve::{IncomingStream, Listener};
use serde_json::{Map, Value};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio::time::{Duration, Instant};

use super::multipart;
use super::reply::{ApiFailure, Reply};
use super::state::Shared;
use super::{Fault, methods, updates};

/// Files uploaded with a request, by field name.
pub type Files = std::collections::HashMap<String, Vec<u8>>;

/// Parameters whose value is JSON, which form encoding sends as a string.
const JSON_PARAMS: [&str; 7] = [
    "reply_markup",
    "commands",
    "allowed_updates",
    "scope",
    "entities",
    "link_preview_options",
    "reply_parameters",
];

/// Serves `listener` until `shared.shutdown` is cancelled.
pub fn spawn(listener: std::net::TcpListener, shared: Arc<Shared>) -> io::Result<JoinHandle<()>> {
    listener.set_nonblocking(true)?;
    let listener = CuttableListener {
        inner: TcpListener::from_std(listener)?,
    };
    let shutdown = shared.shutdown.clone();
    // Telegram takes uploads of up to 50 MB (photos up to 10 MB, refused by `validate`).
    let app = Router::new()
        .fallback(handle)
        .layer(axum::extract::DefaultBodyLimit::max(50 * 1024 * 1024))
        .with_state(shared)
        .into_make_service_with_connect_info::<ConnCut>();
    Ok(tokio::spawn(async move {
        // `serve` only returns once shut down; there is no error to act on in a test fake.
        let _served = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown.cancelled_owned())
            .await;
    }))
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(cut): ConnectInfo<ConnCut>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let at = Instant::now();
    let Some((token, method)) = split_path(uri.path()) else {
        return Reply::Fail(ApiFailure::new(404, "Not Found"));
    };
    let method = method.to_ascii_lowercase();
    let (params, files) = match parse_params(&uri, &headers, &body) {
        Ok(parsed) => parsed,
        Err(failure) => return finish(&shared, &method, &Value::Null, at, Reply::Fail(failure)),
    };
    if token != shared.token {
        return finish(
            &shared,
            &method,
            &params,
            at,
            Reply::Fail(ApiFailure::new(401, "Unauthorized")),
        );
    }
    let fault = shared.lock().take_fault(&method);
    let stall = match fault.map(|fault| fault_effect(fault, &cut)) {
        Some(FaultEffect::Answer(reply)) => return finish(&shared, &method, &params, at, reply),
        Some(FaultEffect::Delay(delay)) => Some(delay),
        None => None,
    };
    let reply = dispatch(&shared, &method, &params, &files, at).await;
    if let Some(delay) = stall {
        tokio::time::sleep(delay).await;
    }
    reply
}

/// Records the request (effects are already applied) and passes the reply on.
fn finish(shared: &Shared, method: &str, params: &Value, at: Instant, reply: Reply) -> Reply {
    shared.record(method, params, at, reply.status());
    reply
}

async fn dispatch(
    shared: &Shared,
    method: &str,
    params: &Value,
    files: &Files,
    at: Instant,
) -> Reply {
    if method == "getupdates" {
        return updates::get_updates(shared, params, at).await;
    }
    // Bound first: the state lock must be released before `finish` records the request.
    let admitted = shared.lock().admit(method, params, at);
    if let Err(refused) = admitted {
        return finish(shared, method, params, at, Reply::Fail(refused));
    }
    let result = methods::handle(&mut shared.lock(), shared.bot_id, method, params, files);
    let reply = result.map_or_else(
        || Reply::Fail(ApiFailure::new(404, "Not Found")),
        Reply::from,
    );
    finish(shared, method, params, at, reply)
}

enum FaultEffect {
    /// Answer with this instead of running the method.
    Answer(Reply),
    /// Run the method, then hold the answer back this long.
    Delay(Duration),
}

fn fault_effect(fault: Fault, cut: &ConnCut) -> FaultEffect {
    let reply = match fault {
        Fault::Stall(delay) => return FaultEffect::Delay(delay),
        Fault::RetryAfter(seconds) => Reply::Fail(ApiFailure::retry_after(seconds)),
        Fault::ServerError(status) => Reply::server_error(status),
        Fault::Blocked => Reply::Fail(ApiFailure::blocked()),
        Fault::ChatNotFound => Reply::Fail(ApiFailure::chat_not_found()),
        Fault::Conflict => Reply::Fail(ApiFailure::conflict()),
        Fault::Drop => {
            cut.cut();
            Reply::Cut
        }
    };
    FaultEffect::Answer(reply)
}

/// `/bot{token}/{method}` → `(token, method)`.
fn split_path(path: &str) -> Option<(&str, &str)> {
    let (token, method) = path.strip_prefix("/bot")?.split_once('/')?;
    let valid = !method.is_empty() && method.bytes().all(|b| b.is_ascii_alphanumeric());
    valid.then_some((token, method))
}

/// Query parameters, then the body (JSON, form or multipart), the body winning; with the
/// files a multipart body uploads.
fn parse_params(
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(Value, Files), ApiFailure> {
    let mut params = Map::new();
    let mut files = Files::new();
    if let Some(query) = uri.query() {
        form_into(query, &mut params);
    }
    if !body.is_empty() {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let content_type = content_type.to_ascii_lowercase();
        if content_type.starts_with("application/json") {
            let Ok(Value::Object(object)) = serde_json::from_slice(body) else {
                return Err(ApiFailure::bad_request("can't parse JSON encoded request"));
            };
            params.extend(object);
        } else if content_type.starts_with("application/x-www-form-urlencoded") {
            form_into(&String::from_utf8_lossy(body), &mut params);
        } else if content_type.starts_with("multipart/form-data") {
            let parts = multipart::boundary(&content_type)
                .ok_or_else(|| "no boundary in the content type".to_owned())
                .and_then(|b| multipart::parse(body, &b))
                .map_err(|e| {
                    ApiFailure::bad_request(format!("can't parse multipart request: {e}"))
                })?;
            for (key, value) in parts.fields {
                insert_param(&mut params, key, value);
            }
            files = parts.files;
        } else {
            return Err(ApiFailure::bad_request(format!(
                "the fake does not accept content type \"{content_type}\""
            )));
        }
    }
    Ok((Value::Object(params), files))
}

/// A text parameter, parsed as JSON when the parameter holds JSON.
fn insert_param(params: &mut Map<String, Value>, key: String, value: String) {
    let json = JSON_PARAMS
        .contains(&key.as_str())
        .then(|| serde_json::from_str(&value).ok())
        .flatten();
    params.insert(key, json.unwrap_or(Value::String(value)));
}

fn form_into(encoded: &str, params: &mut Map<String, Value>) {
    for pair in encoded.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        insert_param(params, percent_decode(key), percent_decode(value));
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = || {
            std::str::from_utf8(bytes.get(i + 1..i + 3)?)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        };
        match (bytes[i], hex()) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
                continue;
            }
            (b'+', _) => out.push(b' '),
            (byte, _) => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A switch that kills one connection: once cut, its socket fails every read
/// and write, so hyper drops it without writing the pending response.
#[derive(Clone, Default)]
pub struct ConnCut(Arc<AtomicBool>);

impl ConnCut {
    fn cut(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn is_cut(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl Connected<IncomingStream<'_, CuttableListener>> for ConnCut {
    fn connect_info(stream: IncomingStream<'_, CuttableListener>) -> Self {
        stream.io().cut.clone()
    }
}

pub struct CuttableListener {
    inner: TcpListener,
}

impl Listener for CuttableListener {
    type Io = CuttableStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, addr)) => {
                    return (
                        CuttableStream {
                            inner: stream,
                            cut: ConnCut::default(),
                        },
                        addr,
                    );
                }
                // Out of file descriptors and the like: back off briefly, as axum does.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

pub struct CuttableStream {
    inner: TcpStream,
    cut: ConnCut,
}

fn aborted() -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionAborted,
        "connection cut by a scripted fault",
    )
}

impl AsyncRead for CuttableStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.cut.is_cut() {
            return Poll::Ready(Err(aborted()));
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for CuttableStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.cut.is_cut() {
            return Poll::Ready(Err(aborted()));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.cut.is_cut() {
            return Poll::Ready(Err(aborted()));
        }
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.cut.is_cut() {
            return Poll::Ready(Err(aborted()));
        }
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
