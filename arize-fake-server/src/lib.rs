//! Fake Arize role-bindings server (skeleton).
#![deny(missing_docs)]
