//! Hand-written addition to the generated httpmock helpers: a 429 answer
//! with a `Retry-After` header, which the spec declares but progenitor's
//! generated `too_many_requests` cannot set.

use std::time::Duration;

use super::operations::{
    CreateRoleBindingThen, DeleteRoleBindingThen, GetRoleBindingThen, ListRoleBindingsThen,
    UpdateRoleBindingThen,
};
use crate::types::Problem;

/// `then.too_many_requests_after(&problem, Duration::from_secs(2))`: a 429
/// with its problem details and `Retry-After` in whole seconds (rounded
/// up, as the header has no fractions).
///
/// ```
/// use std::time::Duration;
///
/// use arize_api::mock::{MockServerExt as _, RetryAfterExt as _};
/// use arize_api::types::Problem;
/// use httpmock::MockServer;
///
/// let server = MockServer::start();
/// let problem = Problem {
///     type_: None,
///     title: "Rate Limit Exceeded".into(),
///     status: 429,
///     detail: None,
///     instance: None,
/// };
/// let mock = server.get_role_binding(|when, then| {
///     when.binding_id(&arize_api::types::Id("Um9sZUJpbmRpbmc6MTphQmNE".into()));
///     then.too_many_requests_after(&problem, Duration::from_secs(7));
/// });
/// # let _ = mock;
/// ```
pub trait RetryAfterExt: Sized {
    /// Answers 429 with `value` as the body and `Retry-After: <seconds>`.
    fn too_many_requests_after(self, value: &Problem, retry_after: Duration) -> Self;
}

/// Whole seconds, rounded up: `Retry-After` takes delta-seconds only.
fn seconds(delay: Duration) -> u64 {
    delay
        .as_secs()
        .saturating_add(u64::from(delay.subsec_nanos() > 0))
}

macro_rules! retry_after_ext {
    ($($then:ident),+ $(,)?) => {$(
        impl RetryAfterExt for $then {
            fn too_many_requests_after(self, value: &Problem, retry_after: Duration) -> Self {
                Self::new(
                    self.into_inner()
                        .status(429u16)
                        .header("content-type", "application/json")
                        .header("retry-after", seconds(retry_after).to_string())
                        .json_body_obj(value),
                )
            }
        }
    )+};
}

retry_after_ext!(
    ListRoleBindingsThen,
    CreateRoleBindingThen,
    GetRoleBindingThen,
    DeleteRoleBindingThen,
    UpdateRoleBindingThen,
);

#[cfg(test)]
mod tests {
    use super::seconds;
    use std::time::Duration;

    #[test]
    fn rounds_up_to_whole_seconds() {
        assert_eq!(seconds(Duration::ZERO), 0);
        assert_eq!(seconds(Duration::from_secs(3)), 3);
        assert_eq!(seconds(Duration::from_millis(1500)), 2);
        assert_eq!(seconds(Duration::MAX), u64::MAX);
    }
}
