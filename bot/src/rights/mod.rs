//! The client's data rights (LFPDPPP's ARCO rights; the GDPR for foreign clients), the part
//! that changes data: rectification of contact data, erasure (cancellation) by
//! anonymisation, and the request log that shows the clinic met the 20-day deadline.
//! Opposition to marketing is consent withdrawn on every channel
//! ([`crate::tools::record_consent`]), logged here as a request.

pub mod erasure;
pub mod rectification;
pub mod redact;
pub mod requests;
pub mod tombstone;
