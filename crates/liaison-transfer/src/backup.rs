//! The backup archive of `liaison backup` and `liaison restore`: one ZIP file holding
//!
//! - `manifest.json`: format and schema version, when and from which engine, the tables with
//!   their row counts and the files with their sizes;
//! - `tables/NNN-name.jsonl`: per table, its column names as a JSON array on the first line, then
//!   one JSON array per row (in the order a restore inserts them);
//! - `files/SHA256`: every uploaded document, photo and thumbnail the database refers to.
//!
//! A backup reads the database in one read transaction (consistent while the server runs) and is
//! written beside the target and renamed, so a failed backup leaves no file. A restore checks
//! every file against its SHA-256 before anything is written, then inserts all rows in one
//! transaction; if that fails, the files it added are removed again.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use liaison_storage::{Backend, BackupError, Db, FileStore, TableDump};

pub const FORMAT: &str = "liaison-backup";
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: String,
    format_version: u32,
    schema_version: i64,
    created_at: String,
    engine: String,
    tables: Vec<TableEntry>,
    files: Vec<FileEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct TableEntry {
    name: String,
    path: String,
    rows: u64,
}

#[derive(Debug, Serialize, Deserialize)]
struct FileEntry {
    sha256: String,
    size: u64,
}

/// What a backup or a restore covered.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveSummary {
    pub schema_version: i64,
    pub tables: u64,
    pub rows: u64,
    pub files: u64,
}

fn io(context: &str, e: impl std::fmt::Display) -> BackupError {
    BackupError::Io(format!("{context}: {e}"))
}

/// The content addresses a `documents` table refers to.
fn referenced_files(dump: &TableDump, into: &mut BTreeSet<String>) {
    let columns: Vec<usize> = dump
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| *c == "sha256" || *c == "thumbnail_sha256")
        .map(|(i, _)| i)
        .collect();
    for row in &dump.rows {
        for &c in &columns {
            if let Some(sha) = row[c].as_str() {
                into.insert(sha.to_string());
            }
        }
    }
}

/// Writes a backup of `db` and the files in `files` to `output` (replacing it only when the
/// whole backup succeeded).
pub async fn write_backup(
    db: &Db,
    files: &FileStore,
    output: &Path,
) -> Result<ArchiveSummary, BackupError> {
    let dir = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let temp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| io(&format!("cannot write in {}", dir.display()), e))?;
    let mut zip = ZipWriter::new(
        temp.reopen()
            .map_err(|e| io("cannot open the temporary file", e))?,
    );
    let deflated = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(true);
    // Uploads are PDFs and images: already compressed.
    let stored = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .large_file(true);
    let mut tables = Vec::new();
    let mut shas = BTreeSet::new();
    let mut file_entries = Vec::new();
    let mut rows = 0u64;
    let schema_version = db
        .snapshot(|dump| {
            let path = format!("tables/{:03}-{}.jsonl", tables.len() + 1, dump.name);
            zip.start_file(path.as_str(), deflated)
                .map_err(|e| io("cannot write the backup", e))?;
            let mut out = std::io::BufWriter::new(&mut zip);
            let write = |out: &mut dyn Write, v: &dyn erased::Line| -> Result<(), BackupError> {
                v.write_line(out).map_err(|e| io("cannot write the backup", e))
            };
            write(&mut out, &dump.columns)?;
            for row in &dump.rows {
                write(&mut out, row)?;
            }
            out.flush().map_err(|e| io("cannot write the backup", e))?;
            drop(out);
            if dump.name == "documents" {
                referenced_files(&dump, &mut shas);
                // Copied while the snapshot is open: a file goes only after its row is gone.
                for sha in &shas {
                    let path = files.path_of(sha).ok_or_else(|| {
                        BackupError::Io(format!("a document refers to {sha:?}, not a SHA-256"))
                    })?;
                    let bytes = std::fs::read(&path).map_err(|e| {
                        io(
                            &format!(
                                "stored file {} is missing (deleted during the backup? run it again)",
                                path.display()
                            ),
                            e,
                        )
                    })?;
                    zip.start_file(format!("files/{sha}"), stored)
                        .map_err(|e| io("cannot write the backup", e))?;
                    zip.write_all(&bytes)
                        .map_err(|e| io("cannot write the backup", e))?;
                    file_entries.push(FileEntry {
                        sha256: sha.clone(),
                        size: bytes.len() as u64,
                    });
                }
            }
            rows += dump.rows.len() as u64;
            tables.push(TableEntry {
                name: dump.name,
                path,
                rows: dump.rows.len() as u64,
            });
            Ok(())
        })
        .await?;
    let manifest = Manifest {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        schema_version,
        created_at: liaison_storage::now(),
        engine: match db.backend() {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
        .into(),
        tables,
        files: file_entries,
    };
    zip.start_file("manifest.json", deflated)
        .map_err(|e| io("cannot write the backup", e))?;
    serde_json::to_writer_pretty(&mut zip, &manifest)
        .map_err(|e| io("cannot write the backup", e))?;
    let file = zip.finish().map_err(|e| io("cannot write the backup", e))?;
    file.sync_all()
        .map_err(|e| io("cannot write the backup", e))?;
    temp.persist(output)
        .map_err(|e| io(&format!("cannot write {}", output.display()), e))?;
    Ok(ArchiveSummary {
        schema_version,
        tables: manifest.tables.len() as u64,
        rows,
        files: manifest.files.len() as u64,
    })
}

mod erased {
    /// One JSON line.
    pub trait Line {
        fn write_line(&self, out: &mut dyn std::io::Write) -> std::io::Result<()>;
    }
    impl<T: serde::Serialize> Line for T {
        fn write_line(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
            serde_json::to_writer(&mut *out, self)?;
            out.write_all(b"\n")
        }
    }
}

/// Restores a backup into `db` (which must hold no data) and `files`.
pub async fn read_backup(
    db: &Db,
    files: &FileStore,
    input: &Path,
) -> Result<ArchiveSummary, BackupError> {
    let file = std::fs::File::open(input)
        .map_err(|e| io(&format!("cannot read {}", input.display()), e))?;
    let mut zip = ZipArchive::new(file).map_err(|e| {
        BackupError::Refused(format!(
            "{} is not a Liaison backup (not a ZIP archive: {e})",
            input.display()
        ))
    })?;
    let manifest: Manifest = {
        let entry = zip.by_name("manifest.json").map_err(|_| {
            BackupError::Refused(format!(
                "{} is not a Liaison backup (no manifest.json)",
                input.display()
            ))
        })?;
        serde_json::from_reader(entry)
            .map_err(|e| BackupError::Refused(format!("manifest.json is damaged: {e}")))?
    };
    if manifest.format != FORMAT || manifest.format_version != FORMAT_VERSION {
        return Err(BackupError::Refused(format!(
            "{} is a {} version {} archive; this Liaison reads {FORMAT} version {FORMAT_VERSION}",
            input.display(),
            manifest.format,
            manifest.format_version
        )));
    }
    // Every file is checked against its address before the database is touched.
    let mut created = Vec::new();
    let result = restore_files(&mut zip, &manifest, files, &mut created).await;
    let result = match result {
        Ok(()) => restore_tables(db, &mut zip, &manifest).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(rows) => Ok(ArchiveSummary {
            schema_version: manifest.schema_version,
            tables: manifest.tables.len() as u64,
            rows,
            files: manifest.files.len() as u64,
        }),
        Err(e) => {
            for sha in created {
                files.remove(&sha).await;
            }
            Err(e)
        }
    }
}

async fn restore_files(
    zip: &mut ZipArchive<std::fs::File>,
    manifest: &Manifest,
    files: &FileStore,
    created: &mut Vec<String>,
) -> Result<(), BackupError> {
    for f in &manifest.files {
        let mut bytes = Vec::with_capacity(f.size as usize);
        zip.by_name(&format!("files/{}", f.sha256))
            .map_err(|e| BackupError::Refused(format!("file {} is missing: {e}", f.sha256)))?
            .read_to_end(&mut bytes)
            .map_err(|e| io(&format!("file {}", f.sha256), e))?;
        let digest: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if digest != f.sha256 {
            return Err(BackupError::Refused(format!(
                "file {} is damaged (its content hashes to {digest})",
                f.sha256
            )));
        }
        let (sha, was_created) = files
            .put(&bytes)
            .await
            .map_err(|e| io("cannot store a file", e))?;
        if was_created {
            created.push(sha);
        }
    }
    Ok(())
}

async fn restore_tables(
    db: &Db,
    zip: &mut ZipArchive<std::fs::File>,
    manifest: &Manifest,
) -> Result<u64, BackupError> {
    let mut next = manifest.tables.iter();
    let summary = db
        .restore(manifest.schema_version, || {
            let Some(entry) = next.next() else {
                return Ok(None);
            };
            let reader = zip
                .by_name(&entry.path)
                .map_err(|e| BackupError::Refused(format!("{} is missing: {e}", entry.path)))?;
            let mut lines = BufReader::new(reader).lines();
            let damaged = |line: usize, e: &dyn std::fmt::Display| {
                BackupError::Refused(format!("{}, line {line}: {e}", entry.path))
            };
            let header = lines
                .next()
                .ok_or_else(|| damaged(1, &"no column names"))?
                .map_err(|e| damaged(1, &e))?;
            let columns: Vec<String> = serde_json::from_str(&header).map_err(|e| damaged(1, &e))?;
            let mut rows = Vec::with_capacity(entry.rows as usize);
            for (i, line) in lines.enumerate() {
                let line = line.map_err(|e| damaged(i + 2, &e))?;
                let row: Vec<Value> =
                    serde_json::from_str(&line).map_err(|e| damaged(i + 2, &e))?;
                rows.push(row);
            }
            if rows.len() as u64 != entry.rows {
                return Err(BackupError::Refused(format!(
                    "{} holds {} rows, the manifest says {}",
                    entry.path,
                    rows.len(),
                    entry.rows
                )));
            }
            Ok(Some(TableDump {
                name: entry.name.clone(),
                columns,
                rows,
            }))
        })
        .await?;
    Ok(summary.rows)
}
