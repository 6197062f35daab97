//! The `liaison` binary: wires the crates together behind a few subcommands (C1, C2).
//! It holds no business logic of its own.

mod allocate;
mod transfer;

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use tracing::{error, info, warn};

use liaison_domain::Role;
use liaison_storage::{Actor, Db, NewUser};
use liaison_web::{AppState, WebConfig};

#[derive(Parser)]
#[command(
    name = "liaison",
    version,
    about = "Liaison: international and industry cooperation office system"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (HTML pages, JSON API); applies pending migrations first.
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate(DbArgs),
    /// Load the bilingual demo data set into an empty database.
    Demo(DbArgs),
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Allocate exchange places: the student-optimal stable assignment (C4).
    Allocate(allocate::AllocateArgs),
    /// Write a whole table to a CSV or XLSX file (C8).
    Export(transfer::ExportArgs),
    /// Read a CSV or XLSX file into a table, all or nothing (C8).
    Import(transfer::ImportArgs),
    /// Write the database and every uploaded file to one archive (safe while the server runs).
    Backup(transfer::BackupArgs),
    /// Restore an archive from `liaison backup` into an empty database and data folder.
    Restore(transfer::RestoreArgs),
}

/// Where the database is: a data directory holding `liaison.db`, or an explicit URL.
#[derive(Args, Clone)]
pub(crate) struct DbArgs {
    /// Folder for the SQLite database and uploaded files.
    #[arg(long, env = "LIAISON_DATA_DIR", default_value = "./liaison-data")]
    data_dir: PathBuf,
    /// `sqlite://PATH` or `postgres://USER:PASS@HOST/DB`; overrides --data-dir for the database.
    #[arg(long, env = "LIAISON_DATABASE_URL")]
    database_url: Option<String>,
}

impl DbArgs {
    fn url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("liaison.db").display()),
        }
    }

    async fn open(&self) -> Result<Db, Failure> {
        let db = Db::connect(&self.url())
            .await
            .map_err(|e| Failure::runtime(format!("{e}")))?;
        Ok(db)
    }
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "LIAISON_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    #[command(flatten)]
    db: DbArgs,
    /// Load the demo data set if the database is empty (and create the demo accounts).
    #[arg(long, env = "LIAISON_DEMO")]
    demo: bool,
    /// The URL people reach the server at; https:// marks cookies Secure.
    #[arg(long, env = "LIAISON_PUBLIC_URL")]
    public_url: Option<String>,
    /// SMTP relay for outgoing e-mail, `smtp://[user:password@]host[:port]` (no TLS: use a relay
    /// on this host or a trusted network). Without it, e-mail waits in the outbox (`/outbox`).
    #[arg(long, env = "LIAISON_SMTP_URL")]
    smtp_url: Option<String>,
    /// The sender of outgoing e-mail.
    #[arg(
        long,
        env = "LIAISON_MAIL_FROM",
        default_value = "Liaison <liaison@localhost>"
    )]
    mail_from: String,
    /// The largest document or photo a user may upload, in MiB (beyond it: 413).
    #[arg(long, env = "LIAISON_MAX_UPLOAD_MIB", default_value_t = 20)]
    max_upload_mib: u64,
    /// Owners of agreements in force are reminded by e-mail this many days before the end.
    #[arg(long, env = "LIAISON_AGREEMENT_REMINDER_DAYS", default_value_t = 180)]
    agreement_reminder_days: i64,
    /// Read every list page from the database, even when it has not changed since the last time
    /// (SQLite keeps unchanged pages in memory by default; PostgreSQL never does).
    #[arg(long, env = "LIAISON_NO_PAGE_CACHE")]
    no_page_cache: bool,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; the password is read from standard input.
    Add(UserAddArgs),
}

#[derive(Args)]
struct UserAddArgs {
    #[arg(long)]
    email: String,
    /// admin, staff, coordinator, editor, student, partner or enterprise.
    #[arg(long)]
    role: String,
    /// Read the password from standard input (required: passwords never go on the command line).
    #[arg(long, required = true)]
    password_stdin: bool,
    /// The institution a partner or enterprise contact speaks for.
    #[arg(long)]
    institution: Option<i64>,
    /// An org unit a coordinator looks after (repeatable).
    #[arg(long = "unit")]
    units: Vec<i64>,
    /// The person record a student account belongs to.
    #[arg(long)]
    person: Option<i64>,
    /// Name shown in the interface.
    #[arg(long)]
    name: Option<String>,
    #[command(flatten)]
    db: DbArgs,
}

/// A failure with its exit code: 2 for bad input, 1 for everything else.
pub(crate) struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    fn input(message: impl Into<String>) -> Failure {
        Failure {
            code: 2,
            message: message.into(),
        }
    }

    fn runtime(message: impl Into<String>) -> Failure {
        Failure {
            code: 1,
            message: message.into(),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime starts");
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => serve(args).await,
            Command::Migrate(args) => migrate(args).await,
            Command::Demo(args) => demo(args).await,
            Command::User {
                command: UserCommand::Add(args),
            } => user_add(args).await,
            Command::Allocate(args) => allocate::run(args),
            Command::Export(args) => transfer::export(args).await,
            Command::Import(args) => transfer::import(args).await,
            Command::Backup(args) => transfer::backup(args).await,
            Command::Restore(args) => transfer::restore(args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

/// Logs go to stderr; `LIAISON_LOG` sets the filter (default `info`), `LIAISON_LOG_FORMAT=json`
/// switches to one JSON object per line for log collectors.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("LIAISON_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("LIAISON_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

pub(crate) async fn open_migrated(args: &DbArgs) -> Result<Db, Failure> {
    let db = args.open().await?;
    db.migrate()
        .await
        .map_err(|e| Failure::runtime(format!("migration failed: {e}")))?;
    Ok(db)
}

async fn serve(args: ServeArgs) -> Result<(), Failure> {
    let mut db = open_migrated(&args.db).await?;
    if args.no_page_cache {
        db = db.without_page_cache();
    }
    if args.demo {
        load_demo(&db, false).await?;
    }
    let config = WebConfig {
        secure_cookies: args
            .public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://")),
        public_url: args.public_url.clone(),
        files_dir: args.db.data_dir.join("files"),
        upload_limit: args.max_upload_mib.saturating_mul(1024 * 1024),
    };
    let (stop_mail, mail_stopped) = tokio::sync::watch::channel(false);
    let mail_worker = match &args.smtp_url {
        Some(url) => {
            let mail_config = liaison_mail::MailConfig {
                smtp_url: url.clone(),
                from: args.mail_from.clone(),
                poll: std::time::Duration::from_secs(10),
            };
            let mailer = liaison_mail::Mailer::new(db.clone(), &mail_config)
                .map_err(|e| Failure::input(e.to_string()))?;
            Some(tokio::spawn(mailer.run(mail_stopped)))
        }
        None => {
            info!("no --smtp-url: e-mail stays in the outbox (see /outbox)");
            None
        }
    };
    let reminders = tokio::spawn(liaison_web::mail::agreement_reminder_loop(
        db.clone(),
        args.public_url.clone(),
        args.agreement_reminder_days,
        stop_mail.subscribe(),
    ));
    let app = liaison_web::app(AppState::new(db.clone(), config));
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|e| Failure::runtime(format!("cannot listen on {}: {e}", args.addr)))?;
    let local = listener
        .local_addr()
        .map_err(|e| Failure::runtime(e.to_string()))?;
    info!(addr = %local, backend = ?db.backend(), "listening on http://{local}");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(|e| Failure::runtime(format!("server failed: {e}")))?;
    let _ = stop_mail.send(true);
    let _ = reminders.await;
    if let Some(worker) = mail_worker {
        let _ = worker.await;
    }
    info!("in-flight requests finished; closing the database");
    db.close().await;
    info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => info!("Ctrl-C received; shutting down"),
        _ = terminate => info!("SIGTERM received; shutting down"),
    }
}

async fn migrate(args: DbArgs) -> Result<(), Failure> {
    let db = args.open().await?;
    let applied = db
        .migrate()
        .await
        .map_err(|e| Failure::runtime(format!("migration failed: {e}")))?;
    let version = db
        .schema_version()
        .await
        .map_err(|e| Failure::runtime(e.to_string()))?;
    if applied.is_empty() {
        println!("database is up to date (schema version {version})");
    } else {
        println!(
            "applied {} migration(s); schema version {version}",
            applied.len()
        );
    }
    db.close().await;
    Ok(())
}

async fn demo(args: DbArgs) -> Result<(), Failure> {
    let db = open_migrated(&args).await?;
    let result = load_demo(&db, true).await;
    db.close().await;
    result
}

/// The demo sign-in, printed in the log and in README.
pub const DEMO_ADMIN: (&str, &str) = ("admin@demo.liaison.example", "liaison-demo");

/// Loads the demo data into an empty database. `strict`: a non-empty database is an error
/// (for `liaison demo`); otherwise it is logged and skipped (for `serve --demo`).
async fn load_demo(db: &Db, strict: bool) -> Result<(), Failure> {
    match liaison_demo::load(db).await {
        Ok(summary) => {
            info!(
                institutions = summary.institutions,
                countries = summary.countries,
                org_units = summary.org_units,
                people = summary.people,
                "loaded the demo data set"
            );
            let users = db
                .count_users()
                .await
                .map_err(|e| Failure::runtime(e.to_string()))?;
            if users == 0 {
                let (email, password) = DEMO_ADMIN;
                let new = NewUser {
                    email: email.into(),
                    password_hash: liaison_web::auth::hash_password(password),
                    role: Role::Admin,
                    display_name: Some("Demo Admin".into()),
                    person_id: None,
                    institution_id: None,
                    unit_ids: Vec::new(),
                };
                let admin = db
                    .create_user(&Actor::system("demo"), new)
                    .await
                    .map_err(|e| Failure::runtime(e.to_string()))?;
                let owned = liaison_demo::assign_agreement_owners(db, admin.id)
                    .await
                    .map_err(|e| Failure::runtime(e.to_string()))?;
                info!(agreements = owned, "demo sign-in: {email} / {password}");
            }
            Ok(())
        }
        Err(liaison_demo::DemoError::NotEmpty) if !strict => {
            warn!("the database already holds data; demo data not loaded");
            Ok(())
        }
        Err(liaison_demo::DemoError::NotEmpty) => Err(Failure::input(
            "the database already holds data; demo data loads only into an empty database",
        )),
        Err(e) => Err(Failure::runtime(format!("loading demo data failed: {e}"))),
    }
}

async fn user_add(args: UserAddArgs) -> Result<(), Failure> {
    let role = Role::parse(&args.role).ok_or_else(|| {
        let all: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        Failure::input(format!(
            "unknown role {:?}; use one of: {}",
            args.role,
            all.join(", ")
        ))
    })?;
    if !liaison_domain::validation::is_email(args.email.trim()) {
        return Err(Failure::input(format!(
            "--email {:?} is not a valid e-mail address",
            args.email
        )));
    }
    // The same scope rules as the admin pages and /api/v1/users.
    let scope = liaison_domain::account::AccountScope {
        institution_id: args.institution,
        unit_ids: args.units.clone(),
        person_id: args.person,
    };
    if let Err(errors) = liaison_domain::account::check_scope(role, &scope) {
        let e = &errors.0[0];
        let flag = match e.field.as_str() {
            "institution_id" => "--institution",
            "unit_ids" => "--unit",
            _ => "--person",
        };
        return Err(Failure::input(match (e.code, flag) {
            ("required", "--institution") => {
                format!("a {role} account needs --institution ID (the institution it speaks for)")
            }
            ("required", _) => "a coordinator account needs at least one --unit ID".to_string(),
            _ => format!("{flag} does not apply to a {role} account"),
        }));
    }
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .map_err(|e| Failure::input(format!("cannot read the password: {e}")))?;
    let password = password.lines().next().unwrap_or("").to_string();
    if let Err(e) = liaison_domain::password::check("password", &password) {
        let why = match e.code {
            "password-too-short" => format!(
                "the password must be at least {} characters long",
                liaison_domain::password::MIN_CHARS
            ),
            "password-too-long" => format!(
                "the password must be at most {} characters long",
                liaison_domain::password::MAX_CHARS
            ),
            _ => "the password is too common; choose another".to_string(),
        };
        return Err(Failure::input(why));
    }
    let db = open_migrated(&args.db).await?;
    let new = NewUser {
        email: args.email.clone(),
        password_hash: liaison_web::auth::hash_password(&password),
        role,
        display_name: args.name,
        person_id: args.person,
        institution_id: args.institution,
        unit_ids: args.units,
    };
    let result = db.create_user(&Actor::system("cli"), new).await;
    db.close().await;
    match result {
        Ok(user) => {
            println!(
                "created {} account {} (id {})",
                user.role, user.email, user.id
            );
            Ok(())
        }
        Err(liaison_storage::StoreError::Invalid(errors)) => {
            Err(Failure::input(errors.to_string()))
        }
        Err(e) => Err(Failure::runtime(e.to_string())),
    }
}
