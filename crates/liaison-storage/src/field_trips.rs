//! Field trips as group placements: the office places a group of students on a field-trip
//! position at once (one transaction, all or nothing), and an event's page lists the field-trip
//! positions linked to it with their groups.

use sqlx::Row;

use crate::enterprise::{
    placement_args, placement_from_row, position_from_row, PLACEMENTS, PLACEMENT_COLUMNS,
    POSITION_COLUMNS,
};
use crate::{Actor, Db, StoreError, StoreResult};
use liaison_domain::{FieldErrors, Id, Placement, PlacementDraft, Position};

impl Db {
    /// Places every student of `drafts` (all on one position) in one transaction. A student who
    /// does not exist, is listed twice or already has an active placement on the position is
    /// `Invalid` on `person_ids.N`, and nothing is stored.
    pub async fn create_group_placements(
        &self,
        actor: &Actor,
        drafts: &[PlacementDraft],
    ) -> StoreResult<Vec<Placement>> {
        let mut tx = self.write().await?;
        let mut errors = FieldErrors::default();
        let mut seen = Vec::new();
        for (i, d) in drafts.iter().enumerate() {
            let field = format!("person_ids.{i}");
            if seen.contains(&d.person_id) {
                errors.push(field, "duplicate");
                continue;
            }
            seen.push(d.person_id);
            let exists = sqlx::query("SELECT id FROM people WHERE id = $1")
                .bind(d.person_id)
                .fetch_optional(&mut *tx)
                .await?
                .is_some();
            if !exists {
                errors.push(field, "not-found");
                continue;
            }
            let n: i64 = sqlx::query(
                "SELECT COUNT(*) FROM placements WHERE position_id = $1 AND person_id = $2 \
                 AND status NOT IN ('declined', 'withdrawn', 'cancelled')",
            )
            .bind(d.position_id)
            .bind(d.person_id)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
            if n > 0 {
                errors.push(field, "already-placed");
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let mut created = Vec::with_capacity(drafts.len());
        for d in drafts {
            created.push(PLACEMENTS.insert(&mut tx, actor, placement_args(d)).await?);
        }
        tx.commit().await?;
        Ok(created)
    }

    /// The field-trip positions linked to an event, each with its placements (oldest first).
    pub async fn field_trips_of_event(
        &self,
        event_id: Id,
    ) -> StoreResult<Vec<(Position, Vec<Placement>)>> {
        let rows = sqlx::query(&format!(
            "SELECT {POSITION_COLUMNS} FROM positions WHERE event_id = $1 ORDER BY id"
        ))
        .bind(event_id)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let position = position_from_row(row)?;
            let placements = sqlx::query(&format!(
                "SELECT {PLACEMENT_COLUMNS} FROM placements WHERE position_id = $1 ORDER BY id"
            ))
            .bind(position.id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(placement_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
            out.push((position, placements));
        }
        Ok(out)
    }
}
