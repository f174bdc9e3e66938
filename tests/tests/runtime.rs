//! The runtime the SDK needs, as documented: any Tokio 1 runtime with the
//! IO and time drivers (a `current_thread` one works); outside a runtime a
//! call returns `Error::NoRuntime` and sends nothing; a runtime without the
//! time driver gets Tokio's panic naming `enable_time`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use arize_role_bindings::test_util::fake_server::{FakeServer, Seed};
use arize_role_bindings::test_util::{FakeServerExt as _, client_for};
use arize_role_bindings::{Error, RoleBindingId};

/// A fake server with one binding on a runtime thread of its own.
fn fake_on_its_own_thread() -> (FakeServer, RoleBindingId, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let server = runtime
        .block_on(
            FakeServer::builder()
                .seed(Seed::empty().users(1).roles(1).spaces(1).bindings(1))
                .start(),
        )
        .unwrap();
    let id = server.role_bindings()[0].id.clone();
    (server, id, runtime)
}

#[test]
fn a_current_thread_runtime_with_enable_all_works() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        // Server and client on the same single thread.
        let server = FakeServer::builder()
            .seed(Seed::empty().users(1).roles(1).spaces(1).bindings(1))
            .start()
            .await
            .unwrap();
        let id = server.role_bindings()[0].id.clone();
        let client = client_for(&server).build().unwrap();
        assert_eq!(client.get(&id).await.unwrap().id, id);
    });
}

#[test]
fn a_call_outside_a_tokio_runtime_is_a_clear_error() {
    let (server, id, _server_runtime) = fake_on_its_own_thread();
    // Built and called with no runtime at all.
    let client = client_for(&server).build().unwrap();
    let err = futures::executor::block_on(client.get(&id)).unwrap_err();
    assert!(matches!(err, Error::NoRuntime), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("Tokio") && text.contains("enable_all()"),
        "{text}"
    );
    assert!(
        server.requests().is_empty(),
        "nothing was sent: {:?}",
        server.requests()
    );
}

#[test]
fn a_runtime_without_timers_panics_naming_enable_time() {
    let (server, id, _server_runtime) = fake_on_its_own_thread();
    let client = client_for(&server).build().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .unwrap();
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        runtime.block_on(client.get(&id))
    }))
    .expect_err("tokio panics without the time driver");
    let message = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default();
    assert!(message.contains("enable_time"), "{message}");
}
