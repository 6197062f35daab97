//! Running the real `liaison` binary: a database per test (SQLite in a temp dir, or a fresh
//! PostgreSQL schema when `LIAISON_TEST_POSTGRES_URL` is set), a server on a free port, and a tiny
//! HTTP/1.1 client.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_liaison");

pub struct TestDb {
    pub url: String,
    pub dir: tempfile::TempDir,
}

impl TestDb {
    pub fn new() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = match std::env::var("LIAISON_TEST_POSTGRES_URL") {
            Ok(admin) => {
                let schema = format!(
                    "cli_{}",
                    dir.path()
                        .file_name()
                        .unwrap()
                        .to_string_lossy()
                        .to_lowercase()
                        .replace(['.', '-'], "_")
                );
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async {
                    let db = liaison_storage::Db::connect(&admin)
                        .await
                        .expect("connect to test PostgreSQL");
                    db.execute_raw(&format!("CREATE SCHEMA {schema}"))
                        .await
                        .expect("create schema");
                    db.close().await;
                });
                let sep = if admin.contains('?') { '&' } else { '?' };
                format!("{admin}{sep}options=-c%20search_path%3D{schema}")
            }
            Err(_) => format!("sqlite://{}", dir.path().join("liaison.db").display()),
        };
        TestDb { url, dir }
    }

    /// `liaison ARGS…` with this database, `stdin` piped in.
    pub fn run(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = Command::new(BIN)
            .args(args)
            .env("LIAISON_DATABASE_URL", &self.url)
            .env("LIAISON_DATA_DIR", self.dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("liaison starts");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().expect("liaison runs")
    }

    pub fn add_user(&self, email: &str, role: &str, password: &str) -> Output {
        self.run(
            &[
                "user",
                "add",
                "--email",
                email,
                "--role",
                role,
                "--password-stdin",
            ],
            &format!("{password}\n"),
        )
    }

    /// Starts `liaison serve` on a free port and waits until it says it is listening.
    pub fn serve(&self, extra: &[&str]) -> Server {
        let mut child = Command::new(BIN)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(extra)
            .env("LIAISON_DATABASE_URL", &self.url)
            .env("LIAISON_DATA_DIR", self.dir.path())
            .env("LIAISON_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("liaison serve starts");
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut log = String::new();
        let addr = loop {
            let mut line = String::new();
            if stderr.read_line(&mut line).expect("read log") == 0 {
                panic!("server exited before listening:\n{log}");
            }
            log.push_str(&line);
            if let Some(rest) = line.split("listening on http://").nth(1) {
                break rest
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_string();
            }
        };
        Server {
            child,
            addr,
            stderr,
            log,
        }
    }
}

pub struct Server {
    pub child: Child,
    pub addr: String,
    stderr: BufReader<std::process::ChildStderr>,
    pub log: String,
}

impl Server {
    /// Sends SIGTERM and returns the exit status and the rest of the log.
    pub fn stop(mut self) -> (std::process::ExitStatus, String) {
        let pid = self.child.id().to_string();
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        let mut rest = String::new();
        self.stderr.read_to_string(&mut rest).unwrap();
        let status = self.child.wait().unwrap();
        (status, format!("{}{rest}", self.log))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

pub struct HttpReply {
    pub status: u16,
    pub headers: String,
    pub body: String,
}

/// One HTTP/1.1 request over a fresh connection.
pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> HttpReply {
    let mut stream = TcpStream::connect(addr).expect("connect");
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    // A peer that never answers must fail the test, not hang it.
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(90)))
        .unwrap();
    stream.write_all(req.as_bytes()).unwrap();
    // Read the head, then exactly Content-Length bytes when given (some peers keep the
    // connection open despite `Connection: close`), else to end of stream.
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let (head_len, content_length) = loop {
        let n = stream.read(&mut buf).expect("read reply head");
        assert!(n > 0, "{method} {path}: connection closed before a reply");
        raw.extend_from_slice(&buf[..n]);
        if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
            break (end + 4, len);
        }
    };
    match content_length {
        Some(len) => {
            while raw.len() < head_len + len {
                let n = stream.read(&mut buf).expect("read reply body");
                if n == 0 {
                    break;
                }
                raw.extend_from_slice(&buf[..n]);
            }
        }
        None => {
            stream.read_to_end(&mut raw).expect("read reply body");
        }
    }
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    HttpReply {
        status,
        headers: head.to_string(),
        body: body.to_string(),
    }
}
