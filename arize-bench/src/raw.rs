//! The baseline: the same HTTP work done by hand with reqwest + serde_json,
//! decoding into plain structs with the same field types as the API's
//! (strings, an enum, RFC 3339 timestamps into `chrono`).

use anyhow::{Context as _, bail};
use chrono::{DateTime, Utc};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use reqwest::header::{ACCEPT, HeaderName, HeaderValue};
use serde::Deserialize;

/// Characters escaped in a path segment (base64 IDs may hold `/`).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// A binding as the API sends it.
#[derive(Debug, Clone, Deserialize)]
pub struct RawBinding {
    /// Binding ID.
    pub id: String,
    /// Role ID.
    pub role_id: String,
    /// User ID.
    pub user_id: String,
    /// `SPACE` or `PROJECT`.
    pub resource_type: RawResourceType,
    /// Resource ID.
    pub resource_id: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last update time.
    pub updated_at: DateTime<Utc>,
}

/// `resource_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RawResourceType {
    /// A space.
    Space,
    /// A project.
    Project,
}

/// One page of `GET /v2/role-bindings`.
#[derive(Debug, Clone, Deserialize)]
pub struct RawPage {
    /// The bindings.
    pub role_bindings: Vec<RawBinding>,
    /// Pagination metadata.
    pub pagination: RawPagination,
}

/// `pagination`.
#[derive(Debug, Clone, Deserialize)]
pub struct RawPagination {
    /// More pages follow.
    pub has_more: bool,
    /// The next page's cursor.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// A raw client: a `reqwest::Client` and the base URL.
#[derive(Debug, Clone)]
pub struct Raw {
    http: reqwest::Client,
    base_url: String,
}

/// The two headers the generated client adds to every request; sent here
/// too so that all three clients put the same bytes on the wire.
fn request_headers(builder: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    builder
        .header(ACCEPT, HeaderValue::from_static("application/json"))
        .header(
            HeaderName::from_static("api-version"),
            HeaderValue::from_static("2.0.0"),
        )
}

impl Raw {
    /// A raw client on `http` (which carries the auth and identity headers).
    pub fn new(http: reqwest::Client, base_url: &str) -> Self {
        Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
        }
    }

    /// `GET /v2/role-bindings/{id}`.
    ///
    /// # Errors
    ///
    /// Transport errors, a status other than 200, a body that does not
    /// decode.
    pub async fn get(&self, id: &str) -> anyhow::Result<RawBinding> {
        let url = format!(
            "{}/v2/role-bindings/{}",
            self.base_url,
            utf8_percent_encode(id, SEGMENT)
        );
        let response = request_headers(self.http.get(url)).send().await?;
        let status = response.status();
        let body = response.bytes().await?;
        if status != reqwest::StatusCode::OK {
            bail!(
                "get {id}: HTTP {status}: {}",
                String::from_utf8_lossy(&body)
            );
        }
        serde_json::from_slice(&body).with_context(|| format!("get {id}: decoding the binding"))
    }

    /// `GET /v2/role-bindings?resource_type=SPACE&limit=..&cursor=..`.
    ///
    /// # Errors
    ///
    /// Transport errors, a status other than 200, a body that does not
    /// decode.
    pub async fn list_page(&self, limit: usize, cursor: Option<&str>) -> anyhow::Result<RawPage> {
        let url = format!("{}/v2/role-bindings", self.base_url);
        let mut request = request_headers(self.http.get(url));
        if let Some(cursor) = cursor {
            request = request.query(&[("cursor", cursor)]);
        }
        let response = request
            .query(&[("limit", limit)])
            .query(&[("resource_type", "SPACE")])
            .send()
            .await?;
        let status = response.status();
        let body = response.bytes().await?;
        if status != reqwest::StatusCode::OK {
            bail!("list: HTTP {status}: {}", String::from_utf8_lossy(&body));
        }
        serde_json::from_slice(&body).context("list: decoding the page")
    }

    /// Walks every page (a plain loop, one page in memory at a time),
    /// calling `each` on every binding; returns the number of pages.
    ///
    /// # Errors
    ///
    /// The first failing page; a page with `has_more` and no cursor.
    pub async fn walk(
        &self,
        limit: usize,
        mut each: impl FnMut(&RawBinding),
    ) -> anyhow::Result<usize> {
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let page = self.list_page(limit, cursor.as_deref()).await?;
            pages += 1;
            page.role_bindings.iter().for_each(&mut each);
            if !page.pagination.has_more {
                return Ok(pages);
            }
            cursor = Some(
                page.pagination
                    .next_cursor
                    .context("a page with has_more but no next_cursor")?,
            );
        }
    }
}
