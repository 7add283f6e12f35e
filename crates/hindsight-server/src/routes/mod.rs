//! The HTTP routes, each module one resource.

pub mod actions;
pub mod audit;
pub mod checks;
pub mod health;
pub mod hooks;
pub mod insight;
pub mod parts;
pub mod postmortems;
pub mod reviews;
pub mod search;
pub mod session;
pub mod setup;
pub mod tokens;
pub mod transfer;
pub mod users;
pub mod workflow;
