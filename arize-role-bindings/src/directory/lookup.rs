//! Lookups by name: their errors and the "did you mean" list.

use std::fmt;

/// How many near matches a [`LookupError::NotFound`] carries at most.
const MAX_NEAR: usize = 3;
/// The least similarity (Jaro-Winkler, ignoring case) of a near match.
const MIN_SIMILARITY: f64 = 0.7;

/// What kind of record a lookup looked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// A user, looked up by e-mail.
    User,
    /// A role, looked up by name.
    Role,
    /// A space, looked up by name.
    Space,
    /// A project, looked up by name (within a space).
    Project,
}

impl Kind {
    fn key(self) -> &'static str {
        match self {
            Self::User => "e-mail",
            _ => "name",
        }
    }

    fn hint(self) -> &'static str {
        match self {
            Self::User => {
                "e-mail addresses are compared ignoring case; list users with \
                 client.users().list(UserQuery::new()) (a user with another status needs \
                 UserQuery::status)"
            }
            Self::Role => {
                "role names are compared exactly, case included; list them with \
                 client.roles().list(RoleQuery::new())"
            }
            Self::Space => {
                "space names are compared exactly, case included; list them with \
                 client.spaces().list(SpaceQuery::new())"
            }
            Self::Project => {
                "project names are compared exactly, case included, within the space given; \
                 list them with client.projects().list(ProjectQuery::new().space(..))"
            }
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::User => "user",
            Self::Role => "role",
            Self::Space => "space",
            Self::Project => "project",
        })
    }
}

/// One of the records an ambiguous name could mean.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Candidate {
    /// Its ID.
    pub id: String,
    /// Where it is, when that tells the candidates apart (for a project:
    /// `space <id>`).
    pub context: Option<String>,
}

impl fmt::Display for Candidate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.context {
            Some(context) => write!(f, "{} ({context})", self.id),
            None => f.write_str(&self.id),
        }
    }
}

/// A name that did not resolve to exactly one record.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LookupError {
    /// No record has this name (e-mail for users).
    NotFound {
        /// What was looked for.
        kind: Kind,
        /// The name as given.
        name: String,
        /// The closest names the lookup saw, best first (at most three;
        /// possibly none).
        near: Vec<String>,
    },
    /// More than one record has this name: for example a project name that
    /// exists in two spaces, given without its space.
    Ambiguous {
        /// What was looked for.
        kind: Kind,
        /// The name as given.
        name: String,
        /// The records it could mean.
        candidates: Vec<Candidate>,
    },
}

impl LookupError {
    /// What was looked for.
    pub fn kind(&self) -> Kind {
        match self {
            Self::NotFound { kind, .. } | Self::Ambiguous { kind, .. } => *kind,
        }
    }

    /// The name as given.
    pub fn name(&self) -> &str {
        match self {
            Self::NotFound { name, .. } | Self::Ambiguous { name, .. } => name,
        }
    }

    /// A not-found error whose near matches are the closest of `seen`.
    pub(crate) fn not_found<'a>(
        kind: Kind,
        name: &str,
        seen: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        Self::NotFound {
            kind,
            name: name.to_owned(),
            near: nearest(name, seen),
        }
    }
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound { kind, name, near } => {
                write!(f, "no {kind} with the {} `{name}`", kind.key())?;
                if !near.is_empty() {
                    let near: Vec<String> = near.iter().map(|n| format!("`{n}`")).collect();
                    write!(f, "; did you mean {}?", near.join(" or "))?;
                }
                write!(f, " — {}", kind.hint())
            }
            Self::Ambiguous {
                kind,
                name,
                candidates,
            } => {
                let list: Vec<String> = candidates.iter().map(ToString::to_string).collect();
                write!(
                    f,
                    "the {kind} {} `{name}` is ambiguous: {} {kind}s have it ({}) — ",
                    kind.key(),
                    candidates.len(),
                    list.join(", ")
                )?;
                match kind {
                    Kind::Project => f.write_str(
                        "name the space too (ResourceRef::project_named(name, space)), or use \
                         the project's ID",
                    ),
                    _ => write!(f, "use the {kind}'s ID instead"),
                }
            }
        }
    }
}

impl std::error::Error for LookupError {}

/// The names of `seen` closest to `name` (Jaro-Winkler ignoring case, at
/// least [`MIN_SIMILARITY`]), best first, at most [`MAX_NEAR`], without
/// repeats.
pub(crate) fn nearest<'a>(name: &str, seen: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let wanted = name.to_lowercase();
    let mut scored: Vec<(f64, &str)> = seen
        .into_iter()
        .map(|candidate| {
            (
                strsim::jaro_winkler(&wanted, &candidate.to_lowercase()),
                candidate,
            )
        })
        .filter(|(score, _)| *score >= MIN_SIMILARITY)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    let mut near: Vec<String> = Vec::new();
    for (_, candidate) in scored {
        if near.len() == MAX_NEAR {
            break;
        }
        if !near.iter().any(|n| n == candidate) {
            near.push(candidate.to_owned());
        }
    }
    near
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_matches_are_the_closest_seen_names() {
        let seen = ["Member", "Admin", "Read Only", "Annotator", "Members-Plus"];
        assert_eq!(nearest("Membr", seen), ["Member", "Members-Plus"]);
        assert_eq!(nearest("member", seen)[0], "Member");
        assert!(nearest("zzzz", seen).is_empty());
    }

    #[test]
    fn display_says_what_to_do() {
        let e = LookupError::not_found(Kind::Role, "Membr", ["Member", "Admin"]);
        let text = e.to_string();
        assert!(text.contains("no role with the name `Membr`"), "{text}");
        assert!(text.contains("did you mean `Member`?"), "{text}");
        let e = LookupError::Ambiguous {
            kind: Kind::Project,
            name: "churn".into(),
            candidates: vec![
                Candidate {
                    id: "p1".into(),
                    context: Some("space s1".into()),
                },
                Candidate {
                    id: "p2".into(),
                    context: Some("space s2".into()),
                },
            ],
        };
        let text = e.to_string();
        assert!(
            text.contains("2 projects have it (p1 (space s1), p2 (space s2))"),
            "{text}"
        );
        assert!(text.contains("project_named(name, space)"), "{text}");
    }
}
