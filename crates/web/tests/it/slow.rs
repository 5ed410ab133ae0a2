//! Slow clients (issue 25, finding 8): a connection that sends half a request is closed
//! after the header-read timeout, one that stops sending its body after the body-read
//! timeout, and connections beyond the cap wait for a slot.

use crate::helpers::{Options, TestApp};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn limits(timeout_ms: u64, max_connections: usize) -> Options {
    Options {
        serve_limits: Some(web::ServeLimits {
            header_read_timeout: Duration::from_millis(timeout_ms),
            body_read_timeout: Duration::from_millis(timeout_ms),
            max_connections,
        }),
        ..Options::default()
    }
}

/// Opens a connection and sends the start of a request line, never its end.
async fn half_request(app: &TestApp) -> TcpStream {
    let addr = app.base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /healthz HT").await.unwrap();
    s
}

/// Reads until the server closes the connection; how long that took.
async fn until_closed(mut s: TcpStream, within: Duration) -> Duration {
    let t = Instant::now();
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(within, s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return t.elapsed(),
            Ok(Ok(_)) => continue,
            Err(_) => panic!("the server kept a half-sent request open for {within:?}"),
        }
    }
}

#[tokio::test]
async fn a_client_that_sends_half_a_request_is_closed_after_the_header_timeout() {
    let app = TestApp::spawn_with(limits(1000, 64)).await;
    let s = half_request(&app).await;
    let took = until_closed(s, Duration::from_secs(5)).await;
    assert!(took >= Duration::from_millis(500), "closed after {took:?}");
    // The server still answers whole requests.
    assert_eq!(app.client().get("/healthz").await.status, 200);
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_until_one_closes() {
    let app = TestApp::spawn_with(limits(1500, 2)).await;
    let a = half_request(&app).await;
    let b = half_request(&app).await;
    // Both slots are taken, so this request is served only once the slow ones are closed.
    let t = Instant::now();
    let res = app.client().get("/healthz").await;
    assert_eq!(res.status, 200);
    assert!(
        t.elapsed() >= Duration::from_millis(700),
        "served after {:?} while both slots were held",
        t.elapsed()
    );
    drop((a, b));
}

#[tokio::test]
async fn a_client_that_connects_and_sends_nothing_is_closed_too() {
    let app = TestApp::spawn_with(limits(1000, 64)).await;
    let addr = app.base.trim_start_matches("http://");
    let s = TcpStream::connect(addr).await.unwrap();
    let took = until_closed(s, Duration::from_secs(5)).await;
    assert!(took >= Duration::from_millis(500), "closed after {took:?}");
}

/// Whole headers, then a body that stops halfway: the server gives up on the body after
/// the body-read timeout, refuses the request without a server error and closes.
#[tokio::test]
async fn a_client_that_stops_sending_its_body_is_refused_and_closed() {
    let app = TestApp::spawn_with(limits(1000, 64)).await;
    let addr = app.base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(
        b"POST /tip HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nincident_type=Child",
    )
    .await
    .unwrap();
    let t = Instant::now();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => answer.extend_from_slice(&buf[..n]),
            Err(_) => panic!("the server kept a stalled body open for 5 s"),
        }
    }
    let took = t.elapsed();
    assert!(took >= Duration::from_millis(500), "closed after {took:?}");
    let answer = String::from_utf8_lossy(&answer);
    let status: u16 = answer
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    assert!(
        status == 0 || (400..500).contains(&status),
        "refused without a server error: {answer}"
    );
    assert_eq!(app.client().get("/healthz").await.status, 200);
}
