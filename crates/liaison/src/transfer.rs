//! `liaison export` and `liaison import` (C8): the directory, agreements with their conditions,
//! events and mobility records as CSV or XLSX files;
//! `liaison backup` and `liaison restore`: everything, database and uploaded files.

use std::path::PathBuf;

use clap::Args;
use liaison_storage::{Actor, BackupError, FileStore};
use liaison_transfer::{Entity, Format, ImportError};

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
    let result =
        liaison_transfer::import(&db, &Actor::system("cli"), entity, &bytes, args.dry_run).await;
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
