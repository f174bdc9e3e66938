//! The directory a binding points into: users, roles, spaces and projects,
//! as the generated wire records, each kind in a [`Table`] ordered by
//! creation (`created_at`, then insertion order).

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;

use arize_api::types::{Id, Permission, Project, Role, Space, User};
use chrono::{DateTime, Utc};
use rand::rngs::StdRng;

use crate::ids::{encode_global_id, random_suffix};

/// The listing order of a record: creation time, then insertion sequence.
pub(crate) type Key = (DateTime<Utc>, u64);

/// A record with a global ID and a creation time.
pub(crate) trait Record: Clone {
    fn id(&self) -> &str;
    fn created_at(&self) -> DateTime<Utc>;
}

macro_rules! record {
    ($($ty:ty),*) => {$(
        impl Record for $ty {
            fn id(&self) -> &str {
                &self.id.0
            }
            fn created_at(&self) -> DateTime<Utc> {
                self.created_at
            }
        }
    )*};
}
record!(User, Role, Space, Project);

/// One kind of directory record.
#[derive(Debug)]
pub(crate) struct Table<T> {
    type_name: &'static str,
    rows: BTreeMap<Key, T>,
    by_id: HashMap<String, Key>,
    /// IDs in insertion order.
    order: Vec<String>,
    /// The `n` of the next generated `Type:n:suffix`.
    next_n: u64,
    next_seq: u64,
}

impl<T: Record> Table<T> {
    pub(crate) fn new(type_name: &'static str) -> Self {
        Self {
            type_name,
            rows: BTreeMap::new(),
            by_id: HashMap::new(),
            order: Vec::new(),
            next_n: 1,
            next_seq: 1,
        }
    }

    pub(crate) fn type_name(&self) -> &'static str {
        self.type_name
    }

    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    pub(crate) fn contains(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    pub(crate) fn get(&self, id: &str) -> Option<&T> {
        self.by_id.get(id).and_then(|key| self.rows.get(key))
    }

    /// IDs in insertion order.
    pub(crate) fn ids(&self) -> Vec<String> {
        self.order.clone()
    }

    /// Records in insertion order.
    pub(crate) fn in_insertion_order(&self) -> Vec<T> {
        self.order
            .iter()
            .filter_map(|id| self.get(id))
            .cloned()
            .collect()
    }

    /// The next number and a fresh ID of this type (`Type:n:suffix`) not
    /// yet taken.
    pub(crate) fn fresh_id(&mut self, rng: &mut StdRng) -> (u64, String) {
        loop {
            let n = self.next_n;
            self.next_n += 1;
            let id = encode_global_id(self.type_name, n, &random_suffix(rng));
            if !self.contains(&id) {
                return (n, id);
            }
        }
    }

    /// The number the next entry gets (and consumes) for its default name
    /// when it has an explicit ID.
    pub(crate) fn take_number(&mut self) -> u64 {
        let n = self.next_n;
        self.next_n += 1;
        n
    }

    /// Inserts a record; `Err` with a message when its ID is taken.
    pub(crate) fn insert(&mut self, record: T) -> Result<(), String> {
        if self.contains(record.id()) {
            return Err(format!(
                "{} ID {} is listed twice",
                self.type_name,
                record.id()
            ));
        }
        let key = (record.created_at(), self.next_seq);
        self.next_seq += 1;
        self.by_id.insert(record.id().to_owned(), key);
        self.order.push(record.id().to_owned());
        self.rows.insert(key, record);
        Ok(())
    }

    /// Up to `limit` records after `after` (in listing order) that `keep`
    /// accepts; whether more follow; the key of the last one returned.
    pub(crate) fn page(
        &self,
        after: Option<Key>,
        limit: usize,
        keep: impl Fn(&T) -> bool,
    ) -> (Vec<T>, bool, Option<Key>) {
        page_of(&self.rows, after, limit, keep)
    }
}

/// Up to `limit` values after `after` that `keep` accepts, whether more
/// follow, and the key of the last one returned. The one paging rule of
/// every list, bindings included.
pub(crate) fn page_of<K: Ord + Copy, T: Clone>(
    map: &BTreeMap<K, T>,
    after: Option<K>,
    limit: usize,
    keep: impl Fn(&T) -> bool,
) -> (Vec<T>, bool, Option<K>) {
    let lower = after.map_or(Bound::Unbounded, Bound::Excluded);
    let mut page: Vec<(K, T)> = map
        .range((lower, Bound::Unbounded))
        .filter(|(_, value)| keep(value))
        .take(limit.saturating_add(1))
        .map(|(key, value)| (*key, value.clone()))
        .collect();
    let has_more = page.len() > limit;
    page.truncate(limit);
    let last = page.last().map(|(key, _)| *key);
    (
        page.into_iter().map(|(_, value)| value).collect(),
        has_more,
        last,
    )
}

/// Arize's predefined roles as the fake names them: after the predefined
/// space roles `ADMIN`, `MEMBER`, `READ_ONLY` and `ANNOTATOR` (Arize does
/// not publish the names its `list_roles` shows).
pub(crate) const PREDEFINED_ROLES: [(&str, &str, &str, &[&str]); 4] = [
    (
        "ADMIN",
        "Admin",
        "Predefined: full access, including managing role bindings",
        &[
            "SPACE_READ",
            "PROJECT_READ",
            "DATASET_CREATE",
            "USER_READ",
            "ROLE_BINDING_READ",
            "ROLE_BINDING_CREATE",
            "ROLE_BINDING_DELETE",
        ],
    ),
    (
        "MEMBER",
        "Member",
        "Predefined: read and write access",
        &[
            "SPACE_READ",
            "PROJECT_READ",
            "DATASET_CREATE",
            "USER_READ",
            "ROLE_BINDING_READ",
        ],
    ),
    (
        "READ_ONLY",
        "Read Only",
        "Predefined: read access",
        &["SPACE_READ", "PROJECT_READ", "ROLE_BINDING_READ"],
    ),
    (
        "ANNOTATOR",
        "Annotator",
        "Predefined: annotation access",
        &["SPACE_READ", "PROJECT_READ"],
    ),
];

/// The permissions of a seeded custom role that names none.
pub(crate) const DEFAULT_CUSTOM_PERMISSIONS: &[&str] = &["SPACE_READ", "PROJECT_READ"];

pub(crate) fn permissions(names: &[&str]) -> Vec<Permission> {
    names.iter().map(|p| Permission((*p).to_owned())).collect()
}

pub(crate) fn id(text: &str) -> Id {
    Id(text.to_owned())
}

/// Case-insensitive substring match (`needle` already lower-cased).
pub(crate) fn contains_ci(haystack: &str, needle_lower: &str) -> bool {
    haystack.to_lowercase().contains(needle_lower)
}

/// A snapshot of the fake's directory, each kind in seeding (insertion)
/// order, with the lookups a test needs; from
/// [`FakeServer::directory`](crate::FakeServer::directory).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Directory {
    /// The users.
    pub users: Vec<User>,
    /// The roles: the custom ones, then the predefined ones.
    pub roles: Vec<Role>,
    /// The spaces.
    pub spaces: Vec<Space>,
    /// The projects.
    pub projects: Vec<Project>,
}

impl Directory {
    /// The user with this e-mail address (compared ignoring case).
    #[must_use]
    pub fn user_by_email(&self, email: &str) -> Option<&User> {
        let email = email.to_lowercase();
        self.users.iter().find(|u| u.email.to_lowercase() == email)
    }
    /// The role with exactly this name.
    #[must_use]
    pub fn role_named(&self, name: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.name == name)
    }
    /// The space with exactly this name.
    #[must_use]
    pub fn space_named(&self, name: &str) -> Option<&Space> {
        self.spaces.iter().find(|s| s.name == name)
    }
    /// Every project with exactly this name (in different spaces).
    #[must_use]
    pub fn projects_named(&self, name: &str) -> Vec<&Project> {
        self.projects.iter().filter(|p| p.name == name).collect()
    }
    /// The project with exactly this name in the space with exactly this
    /// name.
    #[must_use]
    pub fn project_named(&self, space: &str, name: &str) -> Option<&Project> {
        let space = self.space_named(space)?;
        self.projects
            .iter()
            .find(|p| p.space_id == space.id && p.name == name)
    }
}
