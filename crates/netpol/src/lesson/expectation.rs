//! One goal line: a connection that must be allowed or must stay denied, in the syntax a
//! lesson file writes it (`ns/a -> ns/b : 8080/TCP`). The syntax is
//! [`crate::expect`]'s, shared with `netpol test`.

pub use crate::expect::Expectation;
