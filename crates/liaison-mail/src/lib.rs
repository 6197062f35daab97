//! The e-mail worker: claims due messages from the outbox (`liaison-storage`), sends them over
//! SMTP with `lettre`, and records the outcome: sent, or a retry after an exponential back-off
//! (1 minute doubling to 6 hours), or given up after `MAX_ATTEMPTS`.
//!
//! Invariants: the worker holds no message in memory across runs (the database is the queue, so
//! a restart loses nothing); a message is claimed with a lease before it is sent, so several
//! nodes never send the same message at once; nothing here renders text (messages arrive in the
//! outbox already written, in the recipient's language).
//!
//! TLS is deliberately not built in (a lean build): point `--smtp-url` at a relay on the same
//! host or a trusted network (`smtp://127.0.0.1:25`), which forwards the mail onwards.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::watch;

use liaison_storage::{Db, OutboxMessage, StoreError};

/// How the worker reaches the relay and what it says the mail is from.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `smtp://[user:password@]host[:port]` (port 25 by default).
    pub smtp_url: String,
    /// The `From` address, e.g. `Liaison <liaison@university.example>`.
    pub from: String,
    /// How long to wait between looks at the outbox when it is empty.
    pub poll: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid SMTP URL {0:?}: use smtp://[user:password@]host[:port] (TLS is not built in: use a local relay)")]
    Url(String),
    #[error("invalid sender address {0:?}: {1}")]
    From(String, String),
}

/// Host, port and optional credentials of an `smtp://` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpTarget {
    pub host: String,
    pub port: u16,
    pub credentials: Option<(String, String)>,
}

/// Parses `smtp://[user:password@]host[:port]`; user and password may be percent-encoded.
pub fn parse_smtp_url(url: &str) -> Result<SmtpTarget, MailError> {
    let bad = || MailError::Url(url.to_string());
    let rest = url.strip_prefix("smtp://").ok_or_else(bad)?;
    let rest = rest.trim_end_matches('/');
    let (auth, hostport) = match rest.rsplit_once('@') {
        Some((a, h)) => (Some(a), h),
        None => (None, rest),
    };
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (h, after) = v6.split_once(']').ok_or_else(bad)?;
        match after.strip_prefix(':') {
            Some(p) => (h, p.parse::<u16>().map_err(|_| bad())?),
            None if after.is_empty() => (h, 25),
            None => return Err(bad()),
        }
    } else {
        match hostport.split_once(':') {
            Some((h, p)) => (h, p.parse::<u16>().map_err(|_| bad())?),
            None => (hostport, 25),
        }
    };
    if host.is_empty() || host.contains(['/', '?', '#', ' ']) {
        return Err(bad());
    }
    let credentials = match auth {
        None => None,
        Some(a) => {
            let (user, pass) = a.split_once(':').unwrap_or((a, ""));
            Some((percent_decode(user), percent_decode(pass)))
        }
    };
    Ok(SmtpTarget {
        host: host.to_string(),
        port,
        credentials,
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RunReport {
    /// Messages claimed (and attempted).
    pub claimed: usize,
    pub sent: usize,
    pub failed: usize,
}

pub struct Mailer {
    db: Db,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    poll: Duration,
    /// Messages claimed per run.
    batch: i64,
    /// How long a claim lasts; longer than one SMTP exchange can take (its timeout is 60 s).
    lease: time::Duration,
}

impl Mailer {
    pub fn new(db: Db, config: &MailConfig) -> Result<Mailer, MailError> {
        let target = parse_smtp_url(&config.smtp_url)?;
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e| MailError::From(config.from.clone(), format!("{e}")))?;
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(target.host.as_str())
                .port(target.port)
                .timeout(Some(Duration::from_secs(60)));
        if let Some((user, pass)) = target.credentials {
            builder = builder.credentials(Credentials::new(user, pass));
        }
        Ok(Mailer {
            db,
            transport: builder.build(),
            from,
            poll: config.poll,
            batch: 20,
            lease: time::Duration::minutes(5),
        })
    }

    /// Claims the due messages (one batch) and tries to send each; records every outcome.
    /// Tests drive the worker with this instead of waiting for `run`.
    pub async fn run_once(&self) -> Result<RunReport, StoreError> {
        let claimed = self.db.claim_mail(self.batch, self.lease).await?;
        let mut report = RunReport {
            claimed: claimed.len(),
            ..RunReport::default()
        };
        for message in &claimed {
            match self.send(message).await {
                Ok(()) => {
                    if !self.db.mark_mail_sent(message).await? {
                        tracing::warn!(id = message.id, "outbox lease lost after sending");
                    }
                    tracing::info!(id = message.id, to = %message.to_addr, "e-mail sent");
                    report.sent += 1;
                }
                Err((error, permanent)) => {
                    tracing::warn!(id = message.id, to = %message.to_addr, attempt = message.attempts + 1, %error, "e-mail not sent");
                    self.db.mark_mail_failed(message, &error, permanent).await?;
                    report.failed += 1;
                }
            }
        }
        Ok(report)
    }

    /// Sends one message; an error says why and whether retrying is pointless.
    async fn send(&self, message: &OutboxMessage) -> Result<(), (String, bool)> {
        let to: Mailbox = message
            .to_addr
            .parse()
            .map_err(|e| (format!("invalid recipient address: {e}"), true))?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.clone())
            .message_id(None)
            .header(ContentType::TEXT_PLAIN)
            .body(message.body_text.clone())
            .map_err(|e| (format!("cannot build the message: {e}"), true))?;
        self.transport
            .send(email)
            .await
            .map(|_| ())
            .map_err(|e| (e.to_string(), false))
    }

    /// Runs until `stop` turns true: a run whenever messages may be due, otherwise a pause of
    /// `poll`. Database or relay trouble is logged and retried; it never ends the loop.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        tracing::info!(poll_secs = self.poll.as_secs(), "e-mail worker started");
        loop {
            if *stop.borrow() {
                break;
            }
            let busy = match self.run_once().await {
                Ok(report) => report.claimed as i64 == self.batch,
                Err(e) => {
                    tracing::error!(error = %e, "e-mail worker could not read the outbox");
                    false
                }
            };
            if busy {
                continue;
            }
            tokio::select! {
                _ = tokio::time::sleep(self.poll) => {}
                changed = stop.changed() => {
                    if changed.is_err() {
                        break;
                    }
                }
            }
        }
        tracing::info!("e-mail worker stopped");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls() {
        assert_eq!(
            parse_smtp_url("smtp://relay.local").unwrap(),
            SmtpTarget {
                host: "relay.local".into(),
                port: 25,
                credentials: None
            }
        );
        assert_eq!(parse_smtp_url("smtp://127.0.0.1:2525/").unwrap().port, 2525);
        let t = parse_smtp_url("smtp://office%40uni:p%3Ass@mail.uni.example:587").unwrap();
        assert_eq!(t.host, "mail.uni.example");
        assert_eq!(
            t.credentials,
            Some(("office@uni".to_string(), "p:ss".to_string()))
        );
        assert_eq!(parse_smtp_url("smtp://[::1]:25").unwrap().host, "::1");
        for bad in [
            "smtps://relay:465",
            "http://relay",
            "smtp://",
            "smtp://relay:x",
        ] {
            assert!(parse_smtp_url(bad).is_err(), "{bad}");
        }
    }
}
