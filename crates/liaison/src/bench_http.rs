//! What the HTTP benchmarks share: start the release server on a database, talk HTTP/1.1 over
//! keep-alive connections, and sign in the bench user both ways (bearer token, session cookie).
//! Each bench binary includes this file as a module.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::Request;
use hyper_util::rt::TokioIo;

use liaison_storage::{Actor, Db, NewUser};

pub const CONNECTIONS: usize = 16;
pub const PASSWORD: &str = "bench-password";

pub struct Server {
    pub child: Child,
    pub addr: String,
    /// From spawning the process to the first 200 from `/healthz` (only `liaison-bench` reports it).
    #[allow(dead_code)]
    pub cold_start: Duration,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `liaison serve` on `url` with `extra` flags after the usual ones.
pub fn start_server(url: &str, extra: &[&str]) -> Server {
    let exe = std::env::current_exe().unwrap().with_file_name("liaison");
    let started = Instant::now();
    let mut child = Command::new(&exe)
        .args(["serve", "--addr", "127.0.0.1:0", "--database-url", url])
        .args(extra)
        .env("LIAISON_LOG", "warn,liaison=info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start {} ({e}); run `cargo build --release -p liaison --bins` first",
                exe.display()
            )
        });
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let addr = loop {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "server exited");
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string();
        }
    };
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in stderr.lines() {});
    loop {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{addr}/healthz did not answer 200 within 30 s"
        );
        if let Ok(mut s) = std::net::TcpStream::connect(&addr) {
            use std::io::{Read, Write};
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut buf = String::new();
            let _ = s.read_to_string(&mut buf);
            if buf.starts_with("HTTP/1.1 200") {
                break;
            }
        }
    }
    Server {
        child,
        addr,
        cold_start: started.elapsed(),
    }
}

pub type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

pub async fn connect(addr: &str) -> Sender {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    sender
}

pub async fn send(
    sender: &mut Sender,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    body: &str,
) -> (u16, Vec<(String, String)>, Bytes) {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "bench");
    for (k, v) in headers {
        req = req.header(k.as_str(), v.as_str());
    }
    let req = req.body(Full::new(Bytes::from(body.to_string()))).unwrap();
    sender.ready().await.unwrap();
    let res = sender.send_request(req).await.unwrap();
    let status = res.status().as_u16();
    let hs = res
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, hs, body)
}

pub async fn credentials(addr: &str) -> (String, String) {
    let mut s = connect(addr).await;
    let json = [("content-type".to_string(), "application/json".to_string())];
    let (status, _, body) = send(
        &mut s,
        "POST",
        "/api/v1/auth/token",
        &json,
        &format!(r#"{{"email":"bench@liaison.example","password":"{PASSWORD}"}}"#),
    )
    .await;
    assert_eq!(status, 200);
    let token = serde_json::from_slice::<serde_json::Value>(&body).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, headers, _) = send(&mut s, "GET", "/login", &[], "").await;
    let csrf = headers
        .iter()
        .find_map(|(k, v)| {
            (k == "set-cookie" && v.starts_with("liaison_csrf="))
                .then(|| v[13..].split(';').next().unwrap().to_string())
        })
        .unwrap();
    let form = format!("_csrf={csrf}&email=bench%40liaison.example&password={PASSWORD}&next=%2F");
    let hs = [
        (
            "content-type".to_string(),
            "application/x-www-form-urlencoded".to_string(),
        ),
        ("cookie".to_string(), format!("liaison_csrf={csrf}")),
    ];
    let (status, headers, _) = send(&mut s, "POST", "/login", &hs, &form).await;
    assert_eq!(status, 303);
    let session = headers
        .iter()
        .find_map(|(k, v)| {
            (k == "set-cookie" && v.starts_with("liaison_session="))
                .then(|| v.split(';').next().unwrap().to_string())
        })
        .unwrap();
    (token, session)
}

pub async fn add_bench_user(db: &Db) {
    let user = NewUser {
        email: "bench@liaison.example".into(),
        password_hash: liaison_web::auth::hash_password(PASSWORD),
        role: liaison_domain::Role::Staff,
        display_name: None,
        person_id: None,
        institution_id: None,
        unit_ids: Vec::new(),
    };
    db.create_user(&Actor::system("bench"), user)
        .await
        .expect("bench user");
}
