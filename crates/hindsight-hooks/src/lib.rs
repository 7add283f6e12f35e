//! Evidence in, without IO: what Hindsight makes of the webhooks that alerting,
//! paging and deploy tools send, and what it does about them.
//!
//! - [`parse()`](fn@parse): one parser per sender (Alertmanager, PagerDuty, GitHub, Argo
//!   Rollouts, Flagger, the generic event), each giving the delivery id to
//!   deduplicate on and the normalised [`Event`]s of one delivery;
//! - [`signature`]: HMAC-SHA256 checks of the signed senders (GitHub, PagerDuty),
//!   in constant time, with several secrets accepted while one is rotated;
//! - [`policy`]: the trigger policy, pure decision functions from a new event,
//!   the stored events around it and the postmortems already opened to an
//!   [`policy::Decision`]: open a postmortem, append to one, or nothing, with why.

mod error;
mod event;
pub mod parse;
pub mod policy;
pub mod signature;

pub use error::{ParseError, SignatureError};
pub use event::{Deploy, Event, EventType, Source};
pub use parse::{Parsed, parse};
