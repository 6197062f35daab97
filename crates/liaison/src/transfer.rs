//! `liaison export` and `liaison import` (C8): the directory, agreements with their conditions,
//! events and mobility records as CSV or XLSX files;
//! `liaison backup` and `liaison restore`: everything, database and uploaded files.

use std::path::PathBuf;

use clap::Args;
use liaison_storage::{Actor, BackupError, FileStore};
use liaison_transfer::{Entity, Format, ImportError, Progress, Stage};

use crate::{open_migrated, DbArgs, Failure};

#[derive(Args)]
pub struct ExportArgs {
    /// institutions, org-units, people, agreements, agreement-conditions, events or mobilities.
    #[arg(long)]
    entity: String,
    /// xlsx or csv.
    #[arg(long)]
    format: String,
    #[arg(long)]
    output: PathBuf,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Args)]
pub struct ImportArgs {
    /// institutions, org-units, people, agreements, agreement-conditions, events or mobilities.
    #[arg(long)]
    entity: String,
    /// A CSV (UTF-8) or XLSX file, recognised by its content.
    #[arg(long)]
    input: PathBuf,
    /// Check every row and report what would be created or changed; write nothing.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    db: DbArgs,
}

fn entity(name: &str) -> Result<Entity, Failure> {
    Entity::parse(name).ok_or_else(|| {
        let all: Vec<&str> = Entity::ALL.iter().map(|e| e.as_str()).collect();
        Failure::input(format!(
            "unknown entity {name:?}; use one of: {}",
            all.join(", ")
        ))
    })
}

pub async fn export(args: ExportArgs) -> Result<(), Failure> {
    let entity = entity(&args.entity)?;
    let format = Format::parse(&args.format).ok_or_else(|| {
        Failure::input(format!("unknown format {:?}; use xlsx or csv", args.format))
    })?;
    let db = open_migrated(&args.db).await?;
    let result = liaison_transfer::export(&db, entity, format).await;
    db.close().await;
    let bytes = result.map_err(|e| Failure::runtime(e.to_string()))?;
    // Written beside the target and renamed, so a failure never leaves half a file.
    let dir = args
        .output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| Failure::runtime(format!("cannot write {}: {e}", args.output.display())))?;
    std::io::Write::write_all(&mut tmp, &bytes)
        .map_err(|e| Failure::runtime(format!("cannot write {}: {e}", args.output.display())))?;
    tmp.persist(&args.output)
        .map_err(|e| Failure::runtime(format!("cannot write {}: {e}", args.output.display())))?;
    println!("exported {} to {}", entity.as_str(), args.output.display());
    Ok(())
}

pub async fn import(args: ImportArgs) -> Result<(), Failure> {
    let entity = entity(&args.entity)?;
    let bytes = std::fs::read(&args.input)
        .map_err(|e| Failure::input(format!("cannot read {}: {e}", args.input.display())))?;
    let db = open_migrated(&args.db).await?;
    let report = progress_printer(args.dry_run);
    let result = liaison_transfer::import_with_progress(
        &db,
        &Actor::system("cli"),
        entity,
        &bytes,
        args.dry_run,
        &report,
    )
    .await;
    db.close().await;
    match result {
        Ok(outcome) => {
            let verb = if args.dry_run {
                "would import"
            } else {
                "imported"
            };
            println!(
                "{verb} {}: {} created, {} updated, {} unchanged",
                entity.as_str(),
                outcome.created,
                outcome.updated,
                outcome.unchanged
            );
            Ok(())
        }
        Err(ImportError::Problems(problems)) => {
            let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
            Err(Failure::input(format!(
                "{} was not imported; nothing was written:\n{}",
                args.input.display(),
                lines.join("\n")
            )))
        }
        Err(ImportError::Store(e)) => Err(Failure::runtime(e.to_string())),
    }
}

/// How often, at most, a progress line is printed while rows are written.
const PROGRESS_INTERVAL: std::time::Duration = std::time::Duration::from_millis(250);

/// Prints an import's progress on stderr: the rows read and checked, then the rows written at
/// most four times a second, and always the last count.
fn progress_printer(dry_run: bool) -> impl Fn(Progress) + Sync {
    let last = std::sync::Mutex::new(None::<std::time::Instant>);
    move |p: Progress| {
        let line = match p.stage {
            Stage::Read => format!("read {} rows", p.total),
            Stage::Checked => format!("checked {} rows", p.total),
            Stage::Written => {
                let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
                let due = last.is_none_or(|t| t.elapsed() >= PROGRESS_INTERVAL);
                if !due && p.done < p.total {
                    return;
                }
                *last = Some(std::time::Instant::now());
                let verb = if dry_run { "tried" } else { "written" };
                format!("{verb} {} of {} rows", p.done, p.total)
            }
        };
        eprintln!("{line}");
    }
}

#[derive(Args)]
pub struct BackupArgs {
    /// The archive to write (a ZIP file); replaced only when the backup succeeded.
    #[arg(long)]
    output: PathBuf,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// An archive written by `liaison backup`.
    #[arg(long)]
    input: PathBuf,
    #[command(flatten)]
    db: DbArgs,
}

fn backup_failure(e: BackupError) -> Failure {
    match e {
        BackupError::Refused(message) => Failure::input(message),
        other => Failure::runtime(other.to_string()),
    }
}

/// `liaison backup`: the database and the uploaded files in one archive, consistent while the
/// server runs.
pub async fn backup(args: BackupArgs) -> Result<(), Failure> {
    let db = args.db.open().await?;
    let files = FileStore::new(args.db.data_dir.join("files"));
    let result = liaison_transfer::backup::write_backup(&db, &files, &args.output).await;
    db.close().await;
    let summary = result.map_err(backup_failure)?;
    println!(
        "backed up {} rows in {} tables and {} files (schema version {}) to {}",
        summary.rows,
        summary.tables,
        summary.files,
        summary.schema_version,
        args.output.display()
    );
    Ok(())
}

/// `liaison restore`: into an empty database (either engine) and its data folder.
pub async fn restore(args: RestoreArgs) -> Result<(), Failure> {
    if !args.input.is_file() {
        return Err(Failure::input(format!(
            "cannot read {}: no such file",
            args.input.display()
        )));
    }
    let db = args.db.open().await?;
    let files = FileStore::new(args.db.data_dir.join("files"));
    let result = liaison_transfer::backup::read_backup(&db, &files, &args.input).await;
    db.close().await;
    let summary = result.map_err(backup_failure)?;
    println!(
        "restored {} rows in {} tables and {} files (schema version {}) from {}",
        summary.rows,
        summary.tables,
        summary.files,
        summary.schema_version,
        args.input.display()
    );
    Ok(())
}
