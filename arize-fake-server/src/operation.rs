//! The operations the fake answers, declared once.
//!
//! Each operation is one line of the [`operations!`] table below: its
//! variant, `operationId`, method, path template, success status,
//! documented error statuses, the resource it reads or writes, whether it
//! is a cursor-paginated list, its short names on the command line, and
//! after `=>` its handler: for a read, `call.get(Store::get_x)` or
//! `call.list(Store::list_x)` (`server.rs`'s [`Call`] does the rest: the
//! path ID, the query, the JSON answer). The enum, [`Operation::ALL`], the
//! accessors, parsing, the router and the dispatch are all derived from
//! that table, so adding a read is one line here plus its state
//! (`store.rs`). A unit test checks the table against
//! `openapi/openapi.json`.

use std::fmt;
use std::str::FromStr;

use crate::fault::ParseError;
use crate::server::{Call, Handled};
use crate::store::Store;

/// What an operation reads or writes; the sample bodies of body faults are
/// chosen by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Resource {
    RoleBindings,
    Users,
    Roles,
    Spaces,
    Projects,
}

/// One row of the table.
#[derive(Debug)]
pub(crate) struct OperationSpec {
    pub(crate) id: &'static str,
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    pub(crate) success: u16,
    pub(crate) errors: &'static [u16],
    pub(crate) resource: Resource,
    pub(crate) list: bool,
    pub(crate) aliases: &'static [&'static str],
    /// What the server does with a request of this operation.
    pub(crate) handler: for<'a> fn(&Call<'a>) -> Handled,
}

macro_rules! operations {
    ($(
        $(#[$doc:meta])*
        $variant:ident = $id:literal, $method:literal $path:literal,
        $success:literal, [$($error:literal),*], $resource:ident, list: $list:literal,
        aliases: [$($alias:literal),*]
        => $handler:expr;
    )*) => {
        /// One of the operations of `openapi/openapi.json` the fake
        /// answers: the five role-binding operations and the eight reads
        /// of the directory (users, roles, spaces, projects).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Operation {
            $($(#[$doc])* $variant,)*
        }

        impl Operation {
            /// How many operations there are.
            pub const COUNT: usize = [$(Operation::$variant),*].len();

            /// Every operation: the role-binding ones in the order of the
            /// facts table, then the directory reads.
            pub const ALL: [Operation; Operation::COUNT] = [$(Operation::$variant),*];

            pub(crate) fn spec(self) -> &'static OperationSpec {
                match self {
                    $(Operation::$variant => &OperationSpec {
                        id: $id,
                        method: $method,
                        path: $path,
                        success: $success,
                        errors: &[$($error),*],
                        resource: Resource::$resource,
                        list: $list,
                        aliases: &[$($alias),*],
                        handler: $handler,
                    },)*
                }
            }
        }
    };
}

operations! {
    /// `GET /v2/role-bindings` (`list_role_bindings`).
    List = "list_role_bindings", "GET" "/v2/role-bindings",
        200, [400, 401, 404, 429], RoleBindings, list: true, aliases: ["list"]
        => |call| call.list(Store::list);
    /// `POST /v2/role-bindings` (`create_role_binding`).
    Create = "create_role_binding", "POST" "/v2/role-bindings",
        201, [400, 401, 403, 404, 409, 422, 429], RoleBindings, list: false, aliases: ["create"]
        => |call| call.create();
    /// `GET /v2/role-bindings/{binding_id}` (`get_role_binding`).
    Get = "get_role_binding", "GET" "/v2/role-bindings/{binding_id}",
        200, [400, 401, 404, 429], RoleBindings, list: false, aliases: ["get"]
        => |call| call.get(Store::get);
    /// `PATCH /v2/role-bindings/{binding_id}` (`update_role_binding`).
    Update = "update_role_binding", "PATCH" "/v2/role-bindings/{binding_id}",
        200, [400, 401, 404, 409, 422, 429], RoleBindings, list: false, aliases: ["update"]
        => |call| call.update();
    /// `DELETE /v2/role-bindings/{binding_id}` (`delete_role_binding`).
    Delete = "delete_role_binding", "DELETE" "/v2/role-bindings/{binding_id}",
        204, [400, 401, 404, 429], RoleBindings, list: false, aliases: ["delete"]
        => |call| call.delete();
    /// `GET /v2/users` (`list_users`).
    ListUsers = "list_users", "GET" "/v2/users",
        200, [400, 401, 403, 429], Users, list: true, aliases: ["list-users"]
        => |call| call.list(Store::list_users);
    /// `GET /v2/users/{user_id}` (`get_user`).
    GetUser = "get_user", "GET" "/v2/users/{user_id}",
        200, [400, 401, 404, 429], Users, list: false, aliases: ["get-user"]
        => |call| call.get(Store::get_user);
    /// `GET /v2/roles` (`list_roles`).
    ListRoles = "list_roles", "GET" "/v2/roles",
        200, [400, 401, 403, 429], Roles, list: true, aliases: ["list-roles"]
        => |call| call.list(Store::list_roles);
    /// `GET /v2/roles/{role_id}` (`get_role`).
    GetRole = "get_role", "GET" "/v2/roles/{role_id}",
        200, [400, 401, 404, 429], Roles, list: false, aliases: ["get-role"]
        => |call| call.get(Store::get_role);
    /// `GET /v2/spaces` (`list_spaces`).
    ListSpaces = "list_spaces", "GET" "/v2/spaces",
        200, [400, 401, 403, 429], Spaces, list: true, aliases: ["list-spaces"]
        => |call| call.list(Store::list_spaces);
    /// `GET /v2/spaces/{space_id}` (`get_space`).
    GetSpace = "get_space", "GET" "/v2/spaces/{space_id}",
        200, [400, 401, 403, 404, 429], Spaces, list: false, aliases: ["get-space"]
        => |call| call.get(Store::get_space);
    /// `GET /v2/projects` (`list_projects`).
    ListProjects = "list_projects", "GET" "/v2/projects",
        200, [400, 401, 403, 404, 429], Projects, list: true, aliases: ["list-projects"]
        => |call| call.list(Store::list_projects);
    /// `GET /v2/projects/{project_id}` (`get_project`).
    GetProject = "get_project", "GET" "/v2/projects/{project_id}",
        200, [400, 401, 403, 404, 429], Projects, list: false, aliases: ["get-project"]
        => |call| call.get(Store::get_project);
}

impl Operation {
    /// The spec's `operationId`, e.g. `create_role_binding`.
    #[must_use]
    pub fn operation_id(self) -> &'static str {
        self.spec().id
    }

    /// The HTTP method, e.g. `GET`.
    #[must_use]
    pub fn method(self) -> &'static str {
        self.spec().method
    }

    /// The spec's path template, e.g. `/v2/users/{user_id}`.
    #[must_use]
    pub fn path(self) -> &'static str {
        self.spec().path
    }

    /// The status of a successful answer (200, 201 or 204).
    #[must_use]
    pub fn success_status(self) -> u16 {
        self.spec().success
    }

    /// The error statuses the spec documents for this operation.
    #[must_use]
    pub fn documented_errors(self) -> &'static [u16] {
        self.spec().errors
    }

    /// Whether this is a cursor-paginated list (the pagination faults
    /// apply to these only).
    #[must_use]
    pub fn is_list(self) -> bool {
        self.spec().list
    }

    /// Whether this is one of the five role-binding operations (the others
    /// read the directory).
    #[must_use]
    pub fn is_role_binding(self) -> bool {
        self.spec().resource == Resource::RoleBindings
    }

    /// The names [`FromStr`] accepts: the `operationId` and the short
    /// names (`list`, `create`, ... for role bindings, `list-users`,
    /// `get-user`, ... for the directory).
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        std::iter::once(self.operation_id()).chain(self.spec().aliases.iter().copied())
    }

    /// The literal prefix of the path and whether a `{...}` ID segment
    /// follows it.
    fn path_shape(self) -> (&'static str, bool) {
        let path = self.path();
        match path.find("/{") {
            Some(at) => (&path[..at], true),
            None => (path, false),
        }
    }

    /// Routes a request: the operation, or every method the path allows
    /// (empty: no such path). The second value is the raw `{...}` segment.
    pub(crate) fn route(method: &str, path: &str) -> Routed {
        let (prefix, segment) = split_path(path);
        let mut allowed = Vec::new();
        for op in Operation::ALL {
            let (op_prefix, has_id) = op.path_shape();
            let shape_matches = op_prefix == prefix && has_id == segment.is_some();
            if !shape_matches {
                continue;
            }
            if op.method() == method {
                return Routed::Op(op, segment.map(str::to_owned));
            }
            allowed.push(op.method());
        }
        if allowed.is_empty() {
            Routed::NotFound
        } else {
            Routed::MethodNotAllowed(allowed.join(", "))
        }
    }
}

/// Where a request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Routed {
    /// This operation, with the raw ID segment of the path if it has one.
    Op(Operation, Option<String>),
    /// The path exists; these methods are allowed on it.
    MethodNotAllowed(String),
    /// No such path.
    NotFound,
}

/// `/v2/users` → (`/v2/users`, None); `/v2/users/abc` → (`/v2/users`,
/// Some("abc")). A trailing empty segment or more segments match nothing.
fn split_path(path: &str) -> (&str, Option<&str>) {
    for op in Operation::ALL {
        let (prefix, _) = op.path_shape();
        if path == prefix {
            return (path, None);
        }
        if let Some(rest) = path.strip_prefix(prefix).and_then(|r| r.strip_prefix('/')) {
            if !rest.is_empty() && !rest.contains('/') {
                return (prefix, Some(rest));
            }
            return ("", None);
        }
    }
    ("", None)
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.operation_id())
    }
}

impl FromStr for Operation {
    type Err = ParseError;
    /// The `operationId` (`list_users`) or a short name (`list`, `create`,
    /// `get`, `update`, `delete`, `list-users`, `get-user`, ...).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Operation::ALL
            .into_iter()
            .find(|op| op.names().any(|name| name == s))
            .ok_or_else(|| {
                let names: Vec<&str> = Operation::ALL
                    .into_iter()
                    .flat_map(|op| op.spec().aliases.iter().copied())
                    .collect();
                ParseError::new(format!(
                    "unknown operation {s:?} (expected an operationId or one of {})",
                    names.join(", ")
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(
            Operation::route("GET", "/v2/users"),
            Routed::Op(Operation::ListUsers, None)
        );
        assert_eq!(
            Operation::route("GET", "/v2/projects/UHJvamVjdDox"),
            Routed::Op(Operation::GetProject, Some("UHJvamVjdDox".into()))
        );
        assert_eq!(
            Operation::route("PATCH", "/v2/role-bindings/x"),
            Routed::Op(Operation::Update, Some("x".into()))
        );
        assert_eq!(
            Operation::route("PUT", "/v2/role-bindings"),
            Routed::MethodNotAllowed("GET, POST".into())
        );
        assert_eq!(
            Operation::route("POST", "/v2/roles/x"),
            Routed::MethodNotAllowed("GET".into())
        );
        assert_eq!(
            Operation::route("GET", "/v2/role-bindings/a/b"),
            Routed::NotFound
        );
        assert_eq!(Operation::route("GET", "/v2/users/"), Routed::NotFound);
        assert_eq!(Operation::route("GET", "/v2/usersx"), Routed::NotFound);
        assert_eq!(Operation::route("GET", "/v2/models"), Routed::NotFound);
    }

    #[test]
    fn names_parse() {
        for op in Operation::ALL {
            for name in op.names() {
                assert_eq!(name.parse::<Operation>(), Ok(op), "{name}");
            }
        }
        assert!("patch".parse::<Operation>().is_err());
    }

    /// The table agrees with `openapi/openapi.json`: every operation of the
    /// spec is here with its method, path, success status and documented
    /// errors, and nothing else is.
    #[test]
    fn table_matches_the_spec() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let spec: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let mut in_spec = Vec::new();
        for (path, item) in spec["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                let Some(id) = op["operationId"].as_str() else {
                    continue;
                };
                let mut statuses: Vec<u16> = op["responses"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter_map(|(s, _)| s.parse().ok())
                    .collect();
                statuses.sort_unstable();
                in_spec.push((id.to_owned(), method.to_uppercase(), path.clone(), statuses));
            }
        }
        assert_eq!(in_spec.len(), Operation::COUNT, "{in_spec:?}");
        for op in Operation::ALL {
            let mut statuses: Vec<u16> = std::iter::once(op.success_status())
                .chain(op.documented_errors().iter().copied())
                .collect();
            statuses.sort_unstable();
            let row = (
                op.operation_id().to_owned(),
                op.method().to_owned(),
                op.path().to_owned(),
                statuses,
            );
            assert!(in_spec.contains(&row), "{row:?} is not in the spec");
        }
    }
}
