//! HTTP tests: every route through the router, as a browser or API client would use it, on
//! SQLite by default and on PostgreSQL when `LIAISON_TEST_POSTGRES_URL` is set.

mod agreements;
mod api;
mod audit;
mod checklists;
mod cooperation;
mod enterprise;
mod events;
mod exchange;
mod mobilities;
mod news;
mod nominations;
mod pages;
mod reports;
mod scopes;
mod security;
mod support;
mod transfer;
mod users;
