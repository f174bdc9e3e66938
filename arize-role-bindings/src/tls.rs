//! The TLS backend, chosen with cargo features (see the crate docs):
//! `rustls-ring` (default), `rustls-aws-lc-rs`, `native-tls`.

#[cfg(not(any(
    feature = "rustls-ring",
    feature = "rustls-aws-lc-rs",
    feature = "native-tls"
)))]
compile_error!(
    "arize-role-bindings needs a TLS backend: enable one of the features \
     `rustls-ring` (the default), `rustls-aws-lc-rs` or `native-tls`"
);

/// Makes sure reqwest finds a rustls crypto provider: call it before
/// building a `reqwest::Client` of your own (for
/// [`ClientBuilder::reqwest_client`](crate::ClientBuilder::reqwest_client),
/// or any other use of reqwest in the same program) when this crate's TLS
/// is `rustls-ring` (the default). [`ClientBuilder::build`](crate::ClientBuilder::build)
/// calls it itself.
///
/// With `rustls-aws-lc-rs` reqwest brings its own provider, and with
/// `native-tls` rustls is not used: then this does nothing. With
/// `rustls-ring` alone, reqwest (compiled with `rustls-no-provider`)
/// panics on `build()` unless a process-wide default provider is
/// installed, so ring is installed as that default when the process has
/// none yet (one installed by the application first is kept).
pub fn install_crypto_provider() {
    #[cfg(all(
        feature = "rustls-ring",
        not(feature = "rustls-aws-lc-rs"),
        not(feature = "native-tls")
    ))]
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Err only when another thread installed one meanwhile: fine too.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}
