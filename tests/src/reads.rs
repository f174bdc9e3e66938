//! The directory's read operations, each declared once for the checks.
//!
//! [`READS`] says, for every read (`get_user`, `list_users`, ...): its
//! fake-server [`Operation`], which of the fake's records it reads, and how
//! to call it through the generated client and through the facade. The
//! Prism conformance run (`src/bin/conformance.rs`: both drivers' default
//! calls and their generic rows) and the fault matrix
//! (`tests/reliability/matrix.rs`: one column per read) are built from it,
//! so a new read of the API is one entry here; only its unusual statuses
//! (say the 404 of `list_projects` for an unknown `space_id`) and its
//! filters need their own conformance rows.
//!
//! Whether a read is a get or a list comes from the fake's operation
//! table ([`Operation::is_list`]). A get's [`Arg`] is the ID to read; a
//! list's is the cursor to start from (`None`: the first page, at the
//! server's default page size).

use arize_api::types::Problem;
use arize_api::{Client as Api, ResponseValue};
use arize_fake_server::{FakeServer, Operation};
use arize_role_bindings::directory::{ProjectQuery, Record, RoleQuery, SpaceQuery, UserQuery};
use arize_role_bindings::{Client, Cursor, Error, ProjectId, RoleId, SpaceId, UserId};
use futures::future::BoxFuture;

/// For a get, the ID to read; for a list, the cursor to start from.
pub type Arg<'a> = Option<&'a str>;

/// A generated-client call; its value is the IDs of the records answered.
pub type GeneratedRead =
    for<'a> fn(
        &'a Api,
        Arg<'a>,
    ) -> BoxFuture<'a, Result<ResponseValue<Vec<String>>, arize_api::Error<Problem>>>;

/// A facade call (`client.users().get(..)`, `list_page(..)`); the IDs of
/// the records it returned.
pub type FacadeRead = for<'a> fn(&'a Client, Arg<'a>) -> BoxFuture<'a, Result<Vec<String>, Error>>;

/// One read operation, as the checks call it.
#[derive(Debug, Clone, Copy)]
pub struct Read {
    /// The operation, as the fake server names it.
    pub op: Operation,
    /// The type in the IDs of its records (`User`): an ID of this type
    /// that the fake does not hold is a get's 404.
    pub type_name: &'static str,
    /// The IDs of the fake's records of this kind, in list order.
    pub records: fn(&FakeServer) -> Vec<String>,
    /// The call through the generated client.
    pub generated: GeneratedRead,
    /// The call through the facade.
    pub facade: FacadeRead,
}

impl Read {
    /// The read of `op`, if it is one.
    #[must_use]
    pub fn of(op: Operation) -> Option<&'static Read> {
        READS.iter().find(|r| r.op == op)
    }

    /// Whether it is a list (else a get).
    #[must_use]
    pub fn is_list(&self) -> bool {
        self.op.is_list()
    }

    /// The resource's name in the path: `users` for `/v2/users/{user_id}`.
    #[must_use]
    pub fn resource(&self) -> &'static str {
        let path = self.op.path().trim_start_matches("/v2/");
        path.split('/').next().unwrap_or(path)
    }
}

fn ids<T: Record>(records: Vec<T>) -> Vec<String> {
    records.iter().map(|r| r.id_str().to_owned()).collect()
}

/// The page size of a list without `limit` (the API's default).
pub const DEFAULT_PAGE_SIZE: usize = 50;

/// Every read of the directory.
pub const READS: &[Read] = &[
    Read {
        op: Operation::GetUser,
        type_name: "User",
        records: FakeServer::users,
        generated: |c, id| {
            Box::pin(async move {
                let id = arize_api::types::Id(id.unwrap_or_default().to_owned());
                c.get_user(&id).await?.map(|u| vec![u.id.0])
            })
        },
        facade: |c, id| {
            Box::pin(async move {
                let id = UserId::new(id.unwrap_or_default());
                Ok(vec![c.users().get(&id).await?.id.as_str().to_owned()])
            })
        },
    },
    Read {
        op: Operation::ListUsers,
        type_name: "User",
        records: FakeServer::users,
        generated: |c, cursor| {
            Box::pin(async move {
                let page = c.list_users(cursor, None, None, None).await?;
                page.map(|p| p.users.into_iter().map(|u| u.id.0).collect())
            })
        },
        facade: |c, cursor| {
            Box::pin(async move {
                let mut query = UserQuery::new();
                if let Some(cursor) = cursor {
                    query = query.cursor(Cursor::new(cursor));
                }
                Ok(ids(c.users().list_page(&query).await?.items))
            })
        },
    },
    Read {
        op: Operation::GetRole,
        type_name: "Role",
        records: FakeServer::roles,
        generated: |c, id| {
            Box::pin(async move {
                let id = arize_api::types::Id(id.unwrap_or_default().to_owned());
                c.get_role(&id).await?.map(|r| vec![r.id.0])
            })
        },
        facade: |c, id| {
            Box::pin(async move {
                let id = RoleId::new(id.unwrap_or_default());
                Ok(vec![c.roles().get(&id).await?.id.as_str().to_owned()])
            })
        },
    },
    Read {
        op: Operation::ListRoles,
        type_name: "Role",
        records: FakeServer::roles,
        generated: |c, cursor| {
            Box::pin(async move {
                let page = c.list_roles(cursor, None, None).await?;
                page.map(|p| p.roles.into_iter().map(|r| r.id.0).collect())
            })
        },
        facade: |c, cursor| {
            Box::pin(async move {
                let mut query = RoleQuery::new();
                if let Some(cursor) = cursor {
                    query = query.cursor(Cursor::new(cursor));
                }
                Ok(ids(c.roles().list_page(&query).await?.items))
            })
        },
    },
    Read {
        op: Operation::GetSpace,
        type_name: "Space",
        records: FakeServer::spaces,
        generated: |c, id| {
            Box::pin(async move {
                let id = arize_api::types::Id(id.unwrap_or_default().to_owned());
                c.get_space(&id).await?.map(|s| vec![s.id.0])
            })
        },
        facade: |c, id| {
            Box::pin(async move {
                let id = SpaceId::new(id.unwrap_or_default());
                Ok(vec![c.spaces().get(&id).await?.id.as_str().to_owned()])
            })
        },
    },
    Read {
        op: Operation::ListSpaces,
        type_name: "Space",
        records: FakeServer::spaces,
        generated: |c, cursor| {
            Box::pin(async move {
                let page = c.list_spaces(cursor, None, None, None).await?;
                page.map(|p| p.spaces.into_iter().map(|s| s.id.0).collect())
            })
        },
        facade: |c, cursor| {
            Box::pin(async move {
                let mut query = SpaceQuery::new();
                if let Some(cursor) = cursor {
                    query = query.cursor(Cursor::new(cursor));
                }
                Ok(ids(c.spaces().list_page(&query).await?.items))
            })
        },
    },
    Read {
        op: Operation::GetProject,
        type_name: "Project",
        records: FakeServer::projects,
        generated: |c, id| {
            Box::pin(async move {
                let id = arize_api::types::Id(id.unwrap_or_default().to_owned());
                c.get_project(&id).await?.map(|p| vec![p.id.0])
            })
        },
        facade: |c, id| {
            Box::pin(async move {
                let id = ProjectId::new(id.unwrap_or_default());
                Ok(vec![c.projects().get(&id).await?.id.as_str().to_owned()])
            })
        },
    },
    Read {
        op: Operation::ListProjects,
        type_name: "Project",
        records: FakeServer::projects,
        generated: |c, cursor| {
            Box::pin(async move {
                let page = c.list_projects(cursor, None, None, None, None).await?;
                page.map(|p| p.projects.into_iter().map(|p| p.id.0).collect())
            })
        },
        facade: |c, cursor| {
            Box::pin(async move {
                let mut query = ProjectQuery::new();
                if let Some(cursor) = cursor {
                    query = query.cursor(Cursor::new(cursor));
                }
                Ok(ids(c.projects().list_page(&query).await?.items))
            })
        },
    },
];
