//! Connecting: unreachable endpoints, bad URLs, missing binaries and bad keys give errors that
//! name what is wrong; an Anvil's own accounts work without a key.

use std::path::PathBuf;

use anyhow::{Result, ensure};
use breakwater_chain::{
    AnvilOptions, Chain, DeployConfig, Error, Policy, SignerSource, check_code, deploy,
};

fn message<T>(r: breakwater_chain::Result<T>) -> String {
    r.err().map(|e| e.to_string()).unwrap_or_else(|| "no error".into())
}

#[tokio::test]
async fn unreachable_rpc_names_the_url() {
    // Port 9 (discard) on loopback: nothing listens there.
    let url = "http://127.0.0.1:9";
    let r = Chain::connect(url, Some(SignerSource::NodeAccounts)).await;
    assert!(matches!(r, Err(Error::Unreachable { .. })), "{r:?}");
    let m = message(r);
    assert!(m.starts_with("RPC endpoint http://127.0.0.1:9 is unreachable"), "{m}");

    let m = message(Chain::connect("ws://127.0.0.1:9", None).await);
    assert!(m.contains("ws://127.0.0.1:9 is unreachable"), "{m}");
}

#[tokio::test]
async fn malformed_url_is_rejected_before_connecting() {
    let m = message(Chain::connect("localhost:8545", None).await);
    assert!(m.starts_with("invalid RPC URL `localhost:8545`"), "{m}");
}

#[tokio::test]
async fn missing_anvil_binary_names_where_it_looked() {
    let options = AnvilOptions {
        binary: Some(PathBuf::from("/nonexistent/bin/anvil")),
        ..AnvilOptions::default()
    };
    let m = message(Chain::anvil(options).await);
    assert!(m.starts_with("anvil binary not found; looked at: /nonexistent/bin/anvil"), "{m}");
}

#[tokio::test]
async fn bad_keys_name_their_origin_without_echoing_them() {
    let url = "http://127.0.0.1:9"; // keys are checked before connecting
    let var = "BREAKWATER_TEST_KEY_THAT_IS_NEVER_SET";
    let m = message(Chain::connect(url, Some(SignerSource::PrivateKeyEnv(var.into()))).await);
    assert_eq!(m, format!("bad signing key from environment variable {var}: not set"));

    // PATH is set but is no key.
    let path = std::env::var("PATH").unwrap_or_default();
    let m = message(Chain::connect(url, Some(SignerSource::PrivateKeyEnv("PATH".into()))).await);
    assert_eq!(m, "bad signing key from environment variable PATH: not a 32-byte hex private key");
    assert!(path.is_empty() || !m.contains(&path));

    let keystore =
        SignerSource::Keystore { path: "/nonexistent/key.json".into(), password_env: "PW".into() };
    let m = message(Chain::connect(url, Some(keystore)).await);
    assert_eq!(m, "bad signing key from keystore /nonexistent/key.json: no such file");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_anvil_rpc_works_with_its_unlocked_accounts() -> Result<()> {
    let node = Chain::anvil(AnvilOptions::default()).await?;
    let remote = Chain::connect(node.url(), None).await?;
    ensure!(remote.is_dev() && remote.embedded().is_none());
    ensure!(remote.sender() == node.sender() && remote.accounts().len() == 10);
    // The manifest of a non-embedded node carries no URL (it could hold an API key).
    let d = deploy(&remote, &DeployConfig::default(), Policy::NaiveSpot).await?;
    ensure!(d.rpc_url.is_none());
    check_code(&node, &d).await?;
    Ok(())
}
