//! Liaison's allocation engine: assigns exchange places by **student-proposing deferred
//! acceptance** (Gale–Shapley, in its college-admissions / hospitals–residents form).
//!
//! Students rank the programmes they want, in strict order; programmes have a number of places and
//! rank, in strict order, the students they accept. A student and a programme are *acceptable* to
//! each other only if each lists the other. The engine returns the **student-optimal stable
//! matching**:
//!
//! - *stable*: no student and programme would both rather be matched to each other than keep what
//!   they got (the programme has a free place, or admitted someone it ranks lower);
//! - *student-optimal*: every student gets the best programme they can get in any stable matching;
//!   it is therefore unique;
//! - *strategy-proof for students*: listing anything but one's true preferences never helps;
//! - deterministic: the same input gives the same result, whatever order students propose in.
//!
//! Beside the matching it gives each programme's **cut-off** (the rank of the last student it
//! admitted, when it is full) and, for each student, an **explanation** of every programme they
//! preferred to the one they got (not ranked by it / it is full and admitted only students it
//! ranks higher / it has no places).
//!
//! The crate does no I/O. [`InputBuilder`] takes the ids as strings (the CLI streams them out of
//! the JSON file), checks them (duplicates, unknown ids, negative capacities) and interns them to
//! dense integer indexes; [`Instance`] holds the problem as flat arrays; [`allocate`] runs the
//! algorithm in `O(total length of all lists)` time: a first pass over the rankings gives every
//! preference entry its rank (on two threads for large problems), then students propose.
//! [`verify::check_stable`] is an independent stability checker, and [`synthetic`] generates
//! deterministic random instances for tests and the benchmark.

mod engine;
mod first_pass;
mod hash;
mod input;
mod instance;
mod lists;
mod prefetch;
pub mod synthetic;
pub mod verify;

pub use engine::{allocate, Allocation, Explanation, Reason};
#[doc(hidden)]
pub use engine::{allocate_with_phases, Phases};
pub use input::{Id, InputBuilder, InputError, InputErrors, Problem};
pub use instance::{Instance, InstanceError};

/// Marks "none" in the engine's flat `u32` arrays (no programme, no rank).
pub(crate) const NONE: u32 = u32::MAX;
