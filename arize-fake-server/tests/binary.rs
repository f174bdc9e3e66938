//! The `arize-fake-server` binary: flags, the JSON line on stdout, faults.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

struct Running {
    child: Child,
    info: Value,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(args: &[&str]) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_arize-fake-server"))
        .args(args)
        .env_remove("ARIZE_FAKE_API_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let info: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    Running { child, info }
}

#[tokio::test]
async fn prints_base_url_and_seeded_ids_then_serves() {
    let running = start(&[
        "--api-key",
        "bin-key",
        "--users",
        "4",
        "--roles",
        "2",
        "--spaces",
        "1",
        "--projects",
        "1",
        "--models",
        "0",
        "--bindings",
        "3",
    ]);
    let info = &running.info;
    let base = info["base_url"].as_str().unwrap();
    assert!(base.starts_with("http://127.0.0.1:"));
    assert_eq!(info["users"].as_array().unwrap().len(), 4);
    // The two custom roles, then Arize's four predefined ones.
    assert_eq!(info["roles"].as_array().unwrap().len(), 6);
    assert_eq!(info["spaces"].as_array().unwrap().len(), 1);
    assert_eq!(info["models"].as_array().unwrap().len(), 0);
    assert_eq!(info["bindings"].as_array().unwrap().len(), 3);
    assert!(
        !info.to_string().contains("bin-key"),
        "the key is not printed"
    );
    // The records, names with IDs.
    assert_eq!(info["users"][0]["name"], "User 1");
    assert_eq!(info["users"][3]["email"], "user4@example.com");
    assert!(info["users"][0]["id"].as_str().is_some());
    assert_eq!(info["roles"][0]["name"], "Custom Role 1");
    assert_eq!(info["roles"][2]["name"], "Admin");
    assert_eq!(info["spaces"][0]["name"], "space-1");
    assert_eq!(info["projects"][0]["name"], "project-1");
    assert_eq!(info["projects"][0]["space_id"], info["spaces"][0]["id"]);

    let http = reqwest::Client::new();
    let page: Value = http
        .get(format!("{base}/v2/role-bindings?resource_type=SPACE"))
        .bearer_auth("bin-key")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["role_bindings"].as_array().unwrap().len(), 3);
    let unauthorized = http
        .get(format!("{base}/v2/role-bindings?resource_type=SPACE"))
        .bearer_auth("fake-api-key")
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), 401);
}

#[tokio::test]
async fn fault_flags() {
    let running = start(&["--fault", "503", "--fault-op", "list", "--fail-every", "2"]);
    let base = running.info["base_url"].as_str().unwrap().to_owned();
    let http = reqwest::Client::new();
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let response = http
            .get(format!("{base}/v2/role-bindings?resource_type=PROJECT"))
            .bearer_auth("fake-api-key")
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, [200, 503, 200, 503]);

    let running = start(&[
        "--fault",
        "429",
        "--retry-after",
        "soon",
        "--fail-next",
        "1",
    ]);
    let base = running.info["base_url"].as_str().unwrap().to_owned();
    let response = http
        .get(format!("{base}/v2/role-bindings?resource_type=PROJECT"))
        .bearer_auth("fake-api-key")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers().get("retry-after").unwrap(), "soon");
}

#[tokio::test]
async fn directory_reads_and_their_faults_from_the_command_line() {
    let running = start(&[
        "--api-key",
        "bin-key",
        "--no-predefined-roles",
        "--roles",
        "1",
        "--fault",
        "403",
        "--fault-op",
        "list-users",
        "--fail-next",
        "1",
    ]);
    let base = running.info["base_url"].as_str().unwrap().to_owned();
    assert_eq!(running.info["roles"].as_array().unwrap().len(), 1);
    let http = reqwest::Client::new();
    let get = |path: &str| {
        http.get(format!("{base}{path}"))
            .bearer_auth("bin-key")
            .send()
    };
    assert_eq!(get("/v2/users").await.unwrap().status(), 403);
    let page: Value = get("/v2/users?email=USER2")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["users"][0]["email"], "user2@example.com");
    let page: Value = get("/v2/roles").await.unwrap().json().await.unwrap();
    assert_eq!(page["roles"][0]["name"], "Custom Role 1");
}

#[tokio::test]
async fn seed_file_and_rng_seed() {
    let dir = std::env::temp_dir().join(format!("arize-fake-seed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("seed.json");
    std::fs::write(
        &path,
        r#"{"users": ["VXNlcjo0MjphQmNE"], "roles": 1, "spaces": ["U3BhY2U6MTpWNEth"]}"#,
    )
    .unwrap();
    let a = start(&["--seed-file", path.to_str().unwrap(), "--rng-seed", "5"]);
    let b = start(&["--seed-file", path.to_str().unwrap(), "--rng-seed", "5"]);
    let ids = |records: &Value| -> Vec<String> {
        records
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(&a.info["users"]), ["VXNlcjo0MjphQmNE"]);
    assert_eq!(ids(&a.info["roles"]), ids(&b.info["roles"]));
    assert_eq!(a.info["projects"], serde_json::json!([]));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_flags_fail() {
    let status = Command::new(env!("CARGO_BIN_EXE_arize-fake-server"))
        .args(["--fault", "nonsense"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success());
    let status = Command::new(env!("CARGO_BIN_EXE_arize-fake-server"))
        .args(["--seed-file", "/nonexistent/seed.json"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success());
}

#[tokio::test]
async fn limit_flags() {
    use tokio::io::AsyncReadExt as _;

    let running = start(&[
        "--idle-timeout",
        "0.3",
        "--header-timeout",
        "5",
        "--body-timeout",
        "5",
        "--max-connections",
        "4",
        "--request-log",
        "5",
    ]);
    let base = running.info["base_url"].as_str().unwrap();
    // An idle connection is closed after 0.3 s (the wait is bounded).
    let mut idle = tokio::net::TcpStream::connect(base.strip_prefix("http://").unwrap())
        .await
        .unwrap();
    let mut buf = [0u8; 16];
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), idle.read(&mut buf))
        .await
        .expect("the idle connection is closed by --idle-timeout");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");

    let help = Command::new(env!("CARGO_BIN_EXE_arize-fake-server"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    for flag in [
        "--request-log <N>",
        "--header-timeout <SECS>",
        "--body-timeout <SECS>",
        "--idle-timeout <SECS>",
        "--max-connections <N>",
    ] {
        assert!(help.contains(flag), "{flag} in --help");
    }
    for bad in [["--idle-timeout", "soon"], ["--body-timeout", "-1"]] {
        let status = Command::new(env!("CARGO_BIN_EXE_arize-fake-server"))
            .args(bad)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(!status.success(), "{bad:?}");
    }
}
