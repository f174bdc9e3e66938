//! The API's operations, each described once.
//!
//! An [`Operation`] is a `static` declared next to the code that sends it
//! (`ops/role_bindings.rs` for the role bindings; the directory's reads in
//! their facade modules, `directory/users.rs` ...): its operation ID, whether it is pre-release,
//! and its own "warned once" flag. The HTTP method is not written by hand:
//! [`Operation::declare`] looks the ID up in the generated client's table
//! of the API document ([`arize_api::OPERATIONS`]) at **compile time**, so
//! an ID that is not in the spec does not compile, and nothing is indexed
//! by position (a new operation cannot make an array too short).
//!
//! The executor takes the method to the retry decision
//! ([`retry::decide`](crate::retry::decide): a POST is not repeated after
//! an attempt that may have been applied); the rule for "may have been
//! applied" itself is
//! [`Outcome::may_have_been_applied`](crate::retry::Outcome::may_have_been_applied).

use std::sync::atomic::{AtomicBool, Ordering};

use http::Method;

pub(crate) mod role_bindings;

/// One operation of the API, as the executor runs it.
#[derive(Debug)]
pub(crate) struct Operation {
    /// The `operationId` in the API document, e.g. `get_role_binding`.
    id: &'static str,
    /// The HTTP method, from the API document.
    method: Method,
    /// Pre-release: log a warning the first time it is used.
    beta: bool,
    /// Whether the pre-release warning has been logged in this process.
    warned: AtomicBool,
}

impl Operation {
    /// The operation `id` of the API document, pre-release or not. The
    /// method comes from the document; an `id` it does not have is a
    /// compile-time error (the `static` holding the declaration cannot be
    /// evaluated).
    #[allow(clippy::panic)] // Evaluated at compile time only (in a `static`).
    pub(crate) const fn declare(id: &'static str, beta: bool) -> Self {
        let mut i = 0;
        while i < arize_api::OPERATIONS.len() {
            let spec = &arize_api::OPERATIONS[i];
            if str_eq(spec.id, id) {
                return Self {
                    id,
                    method: method(spec.method),
                    beta,
                    warned: AtomicBool::new(false),
                };
            }
            i += 1;
        }
        panic!("no operation with this operationId in openapi/openapi.json")
    }

    /// The operation ID, as in logs and errors.
    pub(crate) fn id(&self) -> &'static str {
        self.id
    }

    /// The HTTP method.
    pub(crate) fn method(&self) -> &Method {
        &self.method
    }

    /// `true` the first time a pre-release operation asks, in this process.
    pub(crate) fn first_beta_use(&self) -> bool {
        self.beta
            && !self.warned.load(Ordering::Relaxed)
            && !self.warned.swap(true, Ordering::Relaxed)
    }
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The method named by the API document (upper case). A method this API
/// does not use counts as POST: never repeated after it may have applied.
const fn method(name: &str) -> Method {
    if str_eq(name, "GET") {
        Method::GET
    } else if str_eq(name, "PATCH") {
        Method::PATCH
    } else if str_eq(name, "DELETE") {
        Method::DELETE
    } else if str_eq(name, "PUT") {
        Method::PUT
    } else if str_eq(name, "HEAD") {
        Method::HEAD
    } else {
        Method::POST
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::role_bindings::{CREATE, DELETE, GET, LIST, UPDATE};
    use super::*;

    #[test]
    fn declarations_match_the_api_document() {
        for op in [&LIST, &CREATE, &GET, &UPDATE, &DELETE] {
            let spec = arize_api::OPERATIONS
                .iter()
                .find(|s| s.id == op.id())
                .unwrap_or_else(|| unreachable!("checked at compile time"));
            assert_eq!(op.method().as_str(), spec.method, "{}", op.id());
        }
        assert_eq!(CREATE.method(), Method::POST);
        assert_eq!(UPDATE.method(), Method::PATCH);
    }

    #[test]
    fn the_beta_flag_is_per_operation_and_fires_once() {
        static A: Operation = Operation::declare("get_role_binding", true);
        static B: Operation = Operation::declare("get_role_binding", false);
        assert!(A.first_beta_use());
        assert!(!A.first_beta_use());
        assert!(!B.first_beta_use());
    }
}
