//! Nominations (issue 7): the office nominates an allocated student to the partner (the
//! application moves to `nominated` and the stay is recorded, in one transaction), and the
//! partner's answer moves both the stay and its application.

use std::collections::HashMap;

use sqlx::Row;

use crate::query::{self, Arg, Conditions};

use crate::mobilities::{change_status_in, insert_in};
use crate::{Actor, Db, StoreError, StoreResult};
use liaison_domain::exchange::ApplicationStatus;
use liaison_domain::mobility::MobilityStatus;
use liaison_domain::nomination::{self, IncomingInput, NominationInput};
use liaison_domain::{
    CooperationCondition, FieldError, FieldErrors, Id, LocalizedText, Mobility, MobilityDraft,
    PersonDraft,
};

fn invalid(field: &str, code: &'static str) -> StoreError {
    StoreError::Invalid(FieldErrors::from(FieldError::new(field, code)))
}

impl Db {
    /// The stays nominated from these applications, by application id.
    pub async fn stays_of_applications(&self, ids: &[Id]) -> StoreResult<HashMap<Id, Mobility>> {
        let mut c = Conditions::default();
        c.add_in("application_id", ids);
        let sql = format!("SELECT id FROM mobilities{}", c.where_sql());
        let found: Vec<Id> = query::bind_all(sqlx::query(&sql), &c.args)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
        let stays = crate::mobilities::by_ids(&self.pool, &found).await?;
        Ok(stays
            .into_values()
            .filter_map(|m| m.application_id.map(|a| (a, m)))
            .collect())
    }

    /// A label per place (cooperation condition): its agreement's title.
    pub async fn condition_labels(&self, ids: &[Id]) -> StoreResult<HashMap<Id, LocalizedText>> {
        let mut c = Conditions::default();
        c.add_in("c.id", ids);
        let sql = format!(
            "SELECT c.id, a.title_en, a.title_zh, a.title_local FROM cooperation_conditions c \
             JOIN agreements a ON a.id = c.agreement_id{}",
            c.where_sql()
        );
        let rows = query::bind_all(sqlx::query(&sql), &c.args)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((query::int(r, "id")?, query::localized(r, "title")?)))
            .collect()
    }

    /// Nominates the student of an allocated application (seen at `expected_version`) to the
    /// place they were given: returns the stay, in status `nominated`, with its checklist.
    pub async fn nominate(
        &self,
        actor: &Actor,
        application_id: Id,
        expected_version: i64,
        input: &NominationInput,
    ) -> StoreResult<Mobility> {
        let application = self.application(application_id).await?;
        if application.version != expected_version {
            return Err(StoreError::Conflict {
                current: application.version,
            });
        }
        let condition_id = application
            .allocated_condition_id
            .ok_or_else(|| invalid("status", "not-allocated"))?;
        let call = self.call(application.draft.call_id).await?;
        let person = self.person(application.draft.person_id).await?;
        let agreement_id: i64 =
            sqlx::query("SELECT agreement_id FROM cooperation_conditions WHERE id = $1")
                .bind(condition_id)
                .fetch_optional(&self.pool)
                .await?
                .ok_or_else(|| invalid("condition_id", "not-found"))?
                .try_get(0)?;
        let condition = self.agreement_condition(agreement_id, condition_id).await?;
        let agreement = self.agreement(agreement_id).await?;
        let draft =
            nomination::nominated_stay(&application, &call, &person, &condition, &agreement, input)
                .map_err(StoreError::Invalid)?;
        let mut tx = self.write().await?;
        // The version check again, under the row lock: two nominations at once, one stay.
        let moved = crate::exchange::set_status_in(
            &mut tx,
            self,
            actor,
            application_id,
            ApplicationStatus::Nominated,
            true,
        )
        .await?;
        if moved.version != expected_version + 1 {
            return Err(StoreError::Conflict {
                current: moved.version,
            });
        }
        let stay = insert_in(
            &mut tx,
            actor,
            &draft,
            MobilityStatus::Nominated,
            Some(application_id),
        )
        .await?;
        tx.commit().await?;
        Ok(stay)
    }

    /// The places (cooperation conditions with a sending institution) under which someone can be
    /// nominated to come to us, with their agreement's title; `from` narrows them to one
    /// sending partner (a partner contact's own institution).
    pub async fn incoming_places(
        &self,
        from: Option<Id>,
    ) -> StoreResult<Vec<(CooperationCondition, LocalizedText)>> {
        let mut c = Conditions::default();
        c.raw("c.sending_institution_id IS NOT NULL");
        if let Some(i) = from {
            c.add("c.sending_institution_id = ?", Arg::Int(i));
        }
        let sql = format!(
            "SELECT c.id, c.agreement_id FROM cooperation_conditions c{} ORDER BY c.id",
            c.where_sql()
        );
        let rows = query::bind_all(sqlx::query(&sql), &c.args)
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let (id, agreement): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
            let condition = self.agreement_condition(agreement, id).await?;
            let title = self.agreement(agreement).await?.draft.title;
            out.push((condition, title));
        }
        Ok(out)
    }

    /// Records someone a partner nominates to come to us: their person record (at the sending
    /// institution) and the incoming stay, in status `nominated`, in one transaction. `from`
    /// (a partner contact's institution) must be the place's sending partner, else `NotFound`.
    pub async fn nominate_incoming(
        &self,
        actor: &Actor,
        condition_id: Id,
        person: &PersonDraft,
        input: &IncomingInput,
        from: Option<Id>,
    ) -> StoreResult<Mobility> {
        let agreement_id: i64 =
            sqlx::query("SELECT agreement_id FROM cooperation_conditions WHERE id = $1")
                .bind(condition_id)
                .fetch_optional(&self.pool)
                .await?
                .ok_or_else(|| invalid("condition_id", "not-found"))?
                .try_get(0)?;
        let condition = self.agreement_condition(agreement_id, condition_id).await?;
        let sender = nomination::sending_partner(&condition);
        if from.is_some() && sender != from {
            return Err(invalid("condition_id", "not-found"));
        }
        let agreement = self.agreement(agreement_id).await?;
        let mut person = person.clone();
        person.institution_id = sender;
        person.org_unit_id = None;
        let person = person.validate().map_err(StoreError::Invalid)?;
        // Checked before anything is written: the person is only stored with their stay.
        let draft = nomination::incoming_stay(0, &condition, &agreement, input)
            .map_err(StoreError::Invalid)?;
        let mut tx = self.write().await?;
        let created = crate::people::TABLE
            .insert(&mut tx, actor, crate::people::write_args(&person))
            .await?;
        let draft = MobilityDraft {
            person_id: created.id,
            ..draft
        };
        let stay = insert_in(&mut tx, actor, &draft, MobilityStatus::Nominated, None).await?;
        tx.commit().await?;
        Ok(stay)
    }

    /// The partner's answer to a nomination (a stay in status `nominated` seen at
    /// `expected_version`): accepted moves the stay and its application to `accepted`; rejected
    /// cancels the stay and rejects the application.
    pub async fn answer_nomination(
        &self,
        actor: &Actor,
        mobility_id: Id,
        expected_version: i64,
        accepted: bool,
    ) -> StoreResult<Mobility> {
        let mut tx = self.write().await?;
        let before = crate::mobilities::TABLE
            .lock_version(self, &mut tx, mobility_id, expected_version)
            .await?;
        if before.status != MobilityStatus::Nominated {
            return Err(invalid("status", "status-not-allowed"));
        }
        let (stay_to, application_to) = nomination::partner_answer(accepted);
        if let Some(application) = before.application_id {
            crate::exchange::set_status_in(&mut tx, self, actor, application, application_to, true)
                .await?;
        }
        let after =
            change_status_in(&mut tx, actor, &before, stay_to, None, crate::today()).await?;
        tx.commit().await?;
        Ok(after)
    }
}
