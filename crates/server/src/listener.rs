//! The HTTP/1.1 listener: the router on hyper connections, with the limits a public service
//! needs and `axum::serve` does not set. A client must send a whole request head within
//! `HEADER_READ_TIMEOUT` (an idle kept-alive connection counts as a slow head), so slow or
//! silent clients cannot hold connections open; the request deadline in `router.rs` bounds
//! the rest (a body sent a byte at a time). On shutdown, in-flight requests finish first.
//!
//! A connection closes with a lingering close, as nginx and Apache do: when the server
//! answers before reading the whole request (a body past the limit), closing the socket
//! with the rest unread makes the kernel send a reset, which can destroy the answer before
//! the client has read it. Half-closing and reading what is left, briefly, lets the answer
//! arrive.

use std::future::{poll_fn, Future};
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tower::ServiceExt;

/// How long a client may take to send a request head, from when the server starts waiting.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long shutdown waits for in-flight requests.
const DRAIN: Duration = Duration::from_secs(20);
/// How long, and how much, a closing connection reads of what the client still sends.
const LINGER_TIME: Duration = Duration::from_secs(2);
const LINGER_BYTES: usize = 1 << 20;

/// Serves `app` on `listener` until `shutdown` resolves; handlers see the peer address as
/// `ConnectInfo<SocketAddr>`.
pub async fn serve(listener: TcpListener, app: Router, shutdown: impl Future<Output = ()>) {
    let (stop, stopping) = watch::channel(false);
    // Every connection task holds a sender; when all are gone, every connection has ended.
    let (alive, mut all_ended) = mpsc::channel::<()>(1);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors, say: wait rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let (app, stopping, alive) = (app.clone(), stopping.clone(), alive.clone());
        tokio::spawn(async move {
            serve_connection(stream, peer, app, stopping).await;
            drop(alive);
        });
    }
    drop(listener);
    let _ = stop.send(true);
    drop(alive);
    if tokio::time::timeout(DRAIN, all_ended.recv()).await.is_err() {
        tracing::warn!("requests still running after {DRAIN:?}; stopping anyway");
    }
}

/// One connection, from its first request to its lingering close. When `stopping` turns
/// true, the request in flight finishes and the connection closes.
async fn serve_connection(stream: TcpStream, peer: SocketAddr, app: Router, mut stopping: watch::Receiver<bool>) {
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
        // Boxed so the connection can be polled without shutting its socket down.
        Box::pin(app.clone().oneshot(req))
    });
    let mut conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .serve_connection(TokioIo::new(stream), service);
    let mut stop = std::pin::pin!(stopping.wait_for(|s| *s));
    let mut graceful = false;
    let ended = poll_fn(|cx| {
        // A dropped sender (the server gone) also means stop.
        if !graceful && stop.as_mut().poll(cx).is_ready() {
            graceful = true;
            Pin::new(&mut conn).graceful_shutdown();
        }
        conn.poll_without_shutdown(cx)
    })
    .await;
    if let Err(e) = ended {
        tracing::debug!(error = %e, %peer, "connection ended with an error");
    }
    linger(conn.into_parts().io.into_inner()).await;
}

/// Half-closes `stream` and discards what the client still sends, for at most
/// `LINGER_TIME` and `LINGER_BYTES`, so an answer sent before the request was read reaches
/// the client before the socket closes.
async fn linger(mut stream: TcpStream) {
    if stream.shutdown().await.is_err() {
        return;
    }
    let deadline = tokio::time::Instant::now() + LINGER_TIME;
    let mut buf = vec![0u8; 16 * 1024];
    let mut read = 0;
    while read < LINGER_BYTES {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => read += n,
            _ => break,
        }
    }
}
