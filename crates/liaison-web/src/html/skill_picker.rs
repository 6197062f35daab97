//! Picking skills from the shipped bilingual vocabulary without typing codes: a few rows of
//! (skill, level[, preferred]) selects on the position and skill-profile forms, added to what the
//! one-skill-a-line box holds (which stays for free tags and longer lists). No script needed.

use maud::{html, Markup};

use super::FormData;
use crate::auth::Ctx;
use liaison_domain::enterprise::{HeldSkill, WantedSkill, LEVEL_MAX, SKILLS};
use liaison_domain::FieldErrors;

/// How many picker rows a form offers.
pub const ROWS: usize = 5;

/// The rows; `wanted` adds the "preferred, not required" box (positions).
pub fn rows(ctx: &Ctx, values: &FormData, wanted: bool) -> Markup {
    let zh = ctx.lang.is_chinese();
    let mut skills: Vec<(&str, &str)> = SKILLS
        .iter()
        .map(|(c, en, z)| (*c, if zh { *z } else { *en }))
        .collect();
    skills.sort_by(|a, b| a.1.cmp(b.1));
    html! {
        fieldset.skill-picker {
            legend { (ctx.t("skill-picker-legend")) }
            @for i in 0..ROWS {
                @let skill = values.get(&format!("pick_skill_{i}"));
                @let level = values.get(&format!("pick_level_{i}"));
                div.skill-row {
                    label for=(format!("pick_skill_{i}")) { (ctx.t("skill-picker-skill")) " " (i + 1) }
                    select id=(format!("pick_skill_{i}")) name=(format!("pick_skill_{i}")) {
                        option value="" { (ctx.t("skill-picker-none")) }
                        @for (code, name) in &skills { option value=(code) selected[*code == skill] { (name) } }
                    }
                    label for=(format!("pick_level_{i}")) { (ctx.t("skill-picker-level")) }
                    select id=(format!("pick_level_{i}")) name=(format!("pick_level_{i}")) {
                        @for l in 1..=LEVEL_MAX {
                            option value=(l) selected[level == l.to_string() || (level.is_empty() && l == 2)] { (l) " · " (ctx.t(&format!("skill-level-{l}"))) }
                        }
                    }
                    @if wanted {
                        label.check { input type="checkbox" name=(format!("pick_preferred_{i}")) value="1" checked[!values.get(&format!("pick_preferred_{i}")).is_empty()]; " " (ctx.t("skill-picker-preferred")) }
                    }
                }
            }
        }
    }
}

/// The picked rows (those with a skill), level checked by the domain's validation.
fn picked(values: &FormData, errors: &mut FieldErrors) -> Vec<(String, u8, bool)> {
    let mut out = Vec::new();
    for i in 0..ROWS {
        let Some(skill) = values.opt(&format!("pick_skill_{i}")) else {
            continue;
        };
        let level = match values.get(&format!("pick_level_{i}")).parse::<u8>() {
            Ok(l) => l,
            Err(_) => {
                errors.push("skills", "invalid-skill-line");
                continue;
            }
        };
        let preferred = !values.get(&format!("pick_preferred_{i}")).is_empty();
        out.push((skill, level, !preferred));
    }
    out
}

pub fn wanted(values: &FormData, errors: &mut FieldErrors) -> Vec<WantedSkill> {
    picked(values, errors)
        .into_iter()
        .map(|(skill, level, required)| WantedSkill {
            skill,
            level,
            required,
            free_tag: false,
        })
        .collect()
}

pub fn held(values: &FormData, errors: &mut FieldErrors) -> Vec<HeldSkill> {
    picked(values, errors)
        .into_iter()
        .map(|(skill, level, _)| HeldSkill {
            skill,
            level,
            free_tag: false,
        })
        .collect()
}
