//! Where the key and the endpoint come from: flags, `ax` profiles and the
//! SDK's environment variables.
//!
//! Precedence, highest first, decided per setting group — the **key**
//! (`ARIZE_API_KEY`) and the **endpoint** (`ARIZE_REGION`,
//! `ARIZE_BASE_URL`, `ARIZE_SINGLE_HOST`/`_PORT`, `ARIZE_BASE_DOMAIN`,
//! `ARIZE_API_HOST`/`_SCHEME`/`_PORT`): a layer that sets anything in a
//! group replaces the whole group of the layers below it, so an endpoint
//! from a profile never clashes with one from the environment.
//!
//! 1. `--api-key-stdin` (key), `--base-url` (endpoint);
//! 2. `--profile NAME`: `~/.arize/profiles/NAME.toml`;
//! 3. the environment, read by the SDK ([`ClientBuilder::from_env_with`]);
//! 4. the active `ax` profile, named in `~/.arize/.active_profile` (only
//!    when `--profile` is not given).
//!
//! The other SDK variables (proxy, CA bundle, TLS verification) come from
//! the environment only. A profile's `[output] format` is the default
//! output format (the explicit profile's, else the active one's).
//!
//! `ax`'s profile format:
//!
//! ```toml
//! [profile]
//! name = "prod"
//! [auth]
//! auth_method = "api-key"
//! api_key = "..."
//! [routing]
//! single_host = "arize.internal.example.com"
//! single_port = 443
//! api_scheme = "https"
//! [output]
//! format = "table"
//! ```

use std::collections::HashMap;
use std::fmt;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use arize_role_bindings::ClientBuilder;
use serde::Deserialize;

use crate::cli::{GlobalArgs, OutputFormat};
use crate::exit::CliError;

/// The key group.
const KEY_VARS: &[&str] = &["ARIZE_API_KEY"];
/// The endpoint group.
const ENDPOINT_VARS: &[&str] = &[
    "ARIZE_REGION",
    "ARIZE_BASE_URL",
    "ARIZE_SINGLE_HOST",
    "ARIZE_SINGLE_PORT",
    "ARIZE_BASE_DOMAIN",
    "ARIZE_API_HOST",
    "ARIZE_API_SCHEME",
    "ARIZE_API_PORT",
];

/// What the configuration gives a command: the client builder, and the
/// output format a profile asks for.
#[derive(Debug)]
pub struct Settings {
    /// The SDK's builder, with key and endpoint set.
    pub builder: ClientBuilder,
    /// A profile's `[output] format`, when it names a format this tool has.
    pub profile_output: Option<OutputFormat>,
    /// Notes for stderr (e.g. a profile format this tool does not print).
    pub warnings: Vec<String>,
}

/// The process's view of the world, injectable for tests.
pub struct Environment<'a> {
    /// Reads an environment variable.
    pub var: &'a dyn Fn(&str) -> Option<String>,
    /// The home directory (`$HOME`), where `~/.arize` lives.
    pub home: Option<PathBuf>,
    /// Reads the key for `--api-key-stdin`.
    pub stdin: &'a mut dyn BufRead,
}

impl fmt::Debug for Environment<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Environment")
            .field("home", &self.home)
            .finish_non_exhaustive()
    }
}

/// Loads the settings for `global` from `env`.
///
/// # Errors
///
/// [`CliError::Config`] for an unreadable or malformed profile, an empty
/// `--api-key-stdin`; [`CliError::Usage`] for a profile name that is not a
/// file name; the SDK's configuration errors.
pub fn load(global: &GlobalArgs, env: &mut Environment<'_>) -> Result<Settings, CliError> {
    let mut warnings = Vec::new();
    let mut vars: HashMap<&'static str, String> = HashMap::new();
    let mut profile_output = None;

    let explicit = match &global.profile {
        Some(name) => Some(read_profile(env.home.as_deref(), name, Source::Flag)?),
        None => None,
    };
    let active = match (&explicit, active_profile_name(env.home.as_deref())?) {
        (None, Some(name)) => Some(read_profile(env.home.as_deref(), &name, Source::Active)?),
        _ => None,
    };

    // Lowest layer first.
    if let Some(profile) = &active {
        overlay(&mut vars, profile.vars());
    }
    let from_env: Vec<(&'static str, String)> = KEY_VARS
        .iter()
        .chain(ENDPOINT_VARS)
        .filter_map(|name| (env.var)(name).map(|v| (*name, v)))
        .filter(|(_, v)| !v.trim().is_empty())
        .collect();
    overlay(&mut vars, from_env);
    if let Some(profile) = &explicit {
        overlay(&mut vars, profile.vars());
    }
    if global.base_url.is_some() {
        for name in ENDPOINT_VARS {
            vars.remove(name);
        }
    }
    if global.api_key_stdin {
        vars.insert("ARIZE_API_KEY", read_key(env.stdin)?);
    }

    for profile in [&explicit, &active].into_iter().flatten() {
        if let Some(format) = &profile.output_format {
            match OutputFormat::from_profile(format) {
                Some(f) => profile_output = Some(f),
                None => warnings.push(format!(
                    "profile `{}` asks for output format `{format}`, which arize-access does \
                     not print; using the default (pass --output table|json|ndjson|csv)",
                    profile.name
                )),
            }
            break;
        }
    }

    let lookup = |name: &str| {
        if KEY_VARS.contains(&name) || ENDPOINT_VARS.contains(&name) {
            vars.get(name).cloned()
        } else {
            (env.var)(name)
        }
    };
    let mut builder = ClientBuilder::from_env_with(lookup)?;
    if let Some(url) = &global.base_url {
        builder = builder.base_url(url);
    }
    Ok(Settings {
        builder,
        profile_output,
        warnings,
    })
}

/// Replaces each group that `layer` sets anything in.
fn overlay(vars: &mut HashMap<&'static str, String>, layer: Vec<(&'static str, String)>) {
    for group in [KEY_VARS, ENDPOINT_VARS] {
        if layer.iter().any(|(name, _)| group.contains(name)) {
            for name in group {
                vars.remove(name);
            }
            for (name, value) in layer.iter().filter(|(name, _)| group.contains(name)) {
                vars.insert(name, value.clone());
            }
        }
    }
}

/// Reads the first line of standard input as the key.
fn read_key(stdin: &mut dyn BufRead) -> Result<String, CliError> {
    let mut line = String::new();
    stdin
        .read_line(&mut line)
        .map_err(|e| CliError::Config(format!("--api-key-stdin: cannot read stdin: {e}")))?;
    let key = line.trim_end_matches(['\r', '\n']).trim();
    if key.is_empty() {
        return Err(CliError::Config(
            "--api-key-stdin: standard input is empty; pipe the key in, e.g. \
             `pass show arize | arize-access --api-key-stdin ...`"
                .into(),
        ));
    }
    Ok(key.to_owned())
}

/// How a profile was chosen, for the messages.
#[derive(Clone, Copy, Debug)]
enum Source {
    Flag,
    Active,
}

/// An `ax` profile, as far as this tool reads it.
#[derive(Debug)]
struct Profile {
    name: String,
    api_key: Option<Secret>,
    single_host: Option<String>,
    single_port: Option<String>,
    api_scheme: Option<String>,
    output_format: Option<String>,
}

impl Profile {
    /// The profile's settings as the SDK's variable names.
    fn vars(&self) -> Vec<(&'static str, String)> {
        let mut vars = Vec::new();
        if let Some(key) = &self.api_key {
            vars.push(("ARIZE_API_KEY", key.0.clone()));
        }
        if let Some(host) = &self.single_host {
            vars.push(("ARIZE_SINGLE_HOST", host.clone()));
        }
        if let Some(port) = &self.single_port {
            vars.push(("ARIZE_SINGLE_PORT", port.clone()));
        }
        if let Some(scheme) = &self.api_scheme {
            vars.push(("ARIZE_API_SCHEME", scheme.clone()));
        }
        vars
    }
}

/// A key that never shows in `Debug`.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
struct Secret(String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[derive(Debug, Deserialize)]
struct ProfileFile {
    profile: Option<ProfileSection>,
    auth: Option<AuthSection>,
    routing: Option<RoutingSection>,
    output: Option<OutputSection>,
}

#[derive(Debug, Deserialize)]
struct ProfileSection {
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct AuthSection {
    auth_method: Option<String>,
    api_key: Option<Secret>,
}

#[derive(Debug, Deserialize)]
struct RoutingSection {
    single_host: Option<String>,
    single_port: Option<Port>,
    api_scheme: Option<String>,
}

/// A port as a TOML integer or string.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Port {
    Number(i64),
    Text(String),
}

#[derive(Debug, Deserialize)]
struct OutputSection {
    format: Option<String>,
}

fn arize_dir(home: Option<&Path>) -> Option<PathBuf> {
    home.map(|h| h.join(".arize"))
}

/// The profile named in `~/.arize/.active_profile`, if that file exists.
fn active_profile_name(home: Option<&Path>) -> Result<Option<String>, CliError> {
    let Some(path) = arize_dir(home).map(|d| d.join(".active_profile")) else {
        return Ok(None);
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let name = text.trim();
            Ok((!name.is_empty()).then(|| name.to_owned()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(CliError::Config(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
    }
}

/// Reads `~/.arize/profiles/NAME.toml`.
fn read_profile(home: Option<&Path>, name: &str, source: Source) -> Result<Profile, CliError> {
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !name.starts_with('.');
    if !valid {
        let message = format!(
            "`{name}` is not a profile name (letters, digits, `-`, `_` and `.`, as the file \
             name in ~/.arize/profiles/)"
        );
        return Err(match source {
            Source::Flag => CliError::Usage(format!("--profile: {message}")),
            Source::Active => CliError::Config(format!("~/.arize/.active_profile: {message}")),
        });
    }
    let Some(dir) = arize_dir(home) else {
        return Err(CliError::Config(format!(
            "profile `{name}`: no home directory to find ~/.arize/profiles/{name}.toml in (HOME \
             is not set)"
        )));
    };
    let path = dir.join("profiles").join(format!("{name}.toml"));
    let text = std::fs::read_to_string(&path).map_err(|e| {
        let why = match source {
            Source::Flag => format!("--profile {name}"),
            Source::Active => format!("~/.arize/.active_profile names profile `{name}`, but"),
        };
        CliError::Config(format!(
            "{why}: cannot read {}: {e} (create it with `ax profiles create`, or pick another \
             profile)",
            path.display()
        ))
    })?;
    let file: ProfileFile = toml::from_str(&text).map_err(|e| {
        CliError::Config(format!(
            "profile `{name}` ({}) is not valid: {}",
            path.display(),
            e.message()
        ))
    })?;
    if let Some(method) = file.auth.as_ref().and_then(|a| a.auth_method.as_deref())
        && method != "api-key"
    {
        return Err(CliError::Config(format!(
            "profile `{name}` uses auth_method `{method}`; arize-access supports `api-key`"
        )));
    }
    let routing = file.routing;
    Ok(Profile {
        name: file
            .profile
            .and_then(|p| p.name)
            .unwrap_or_else(|| name.to_owned()),
        api_key: file.auth.and_then(|a| a.api_key),
        single_host: routing.as_ref().and_then(|r| r.single_host.clone()),
        single_port: routing
            .as_ref()
            .and_then(|r| r.single_port.as_ref())
            .map(|p| match p {
                Port::Number(n) => n.to_string(),
                Port::Text(t) => t.clone(),
            }),
        api_scheme: routing.and_then(|r| r.api_scheme),
        output_format: file.output.and_then(|o| o.format),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_layer_replaces_whole_groups() {
        let mut vars = HashMap::new();
        overlay(
            &mut vars,
            vec![
                ("ARIZE_API_KEY", "profile".into()),
                ("ARIZE_SINGLE_HOST", "h".into()),
            ],
        );
        overlay(&mut vars, vec![("ARIZE_BASE_URL", "http://x".into())]);
        assert_eq!(
            vars.get("ARIZE_API_KEY").map(String::as_str),
            Some("profile")
        );
        assert_eq!(vars.get("ARIZE_SINGLE_HOST"), None);
        assert_eq!(
            vars.get("ARIZE_BASE_URL").map(String::as_str),
            Some("http://x")
        );
    }

    #[test]
    fn a_profile_key_never_shows_in_debug() {
        let profile = Profile {
            name: "p".into(),
            api_key: Some(Secret("s3cr3t-key".into())),
            single_host: None,
            single_port: None,
            api_scheme: None,
            output_format: None,
        };
        assert!(!format!("{profile:?}").contains("s3cr3t-key"));
    }
}
