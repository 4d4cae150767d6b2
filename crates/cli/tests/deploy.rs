//! `breakwater deploy` end to end: the binary against embedded and external Anvil nodes.

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Command, Stdio},
};

use anyhow::{Context, Result, ensure};
use breakwater_chain::{AnvilOptions, Chain, Deployment, Policy, check_code};

mod common;
use common::{breakwater, ctrl_c, hex_key, stderr, temp_dir};

#[test]
fn deploys_to_an_embedded_anvil_and_writes_the_manifest() -> Result<()> {
    let dir = temp_dir("embedded")?;
    let out = dir.join("m.json");
    let run = breakwater().args(["deploy", "--policy", "naive-nav", "--out"]).arg(&out).output()?;
    ensure!(run.status.success(), "{}", stderr(&run));
    let manifest = Deployment::load(&out)?;
    ensure!(manifest.policy == Policy::NaiveNav && manifest.chain_id == 31337);
    let printed = Deployment::from_json(&String::from_utf8_lossy(&run.stdout), "stdout")?;
    ensure!(printed == manifest);
    std::fs::remove_dir_all(dir).ok();
    Ok(())
}

#[test]
fn deploys_the_basket_world_and_names_bad_basket_fields() -> Result<()> {
    let dir = temp_dir("basket")?;
    let out = dir.join("basket.json");
    let run = breakwater()
        .args(["deploy", "--basket", "--policy", "safeguarded", "--out"])
        .arg(&out)
        .output()?;
    ensure!(run.status.success(), "{}", stderr(&run));
    let manifest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out)?)?;
    ensure!(manifest["policy"] == "safeguarded", "{manifest}");
    ensure!(manifest["constituents"].as_array().map(Vec::len) == Some(3), "{manifest}");
    ensure!(manifest["tranche"]["senior"].as_str().is_some_and(|a| a.starts_with("0x")));

    let config = dir.join("basket.toml");
    std::fs::write(&config, "[tranche]\nstress = 0.8\n")?;
    let run = breakwater().args(["deploy", "--basket", "--config"]).arg(&config).output()?;
    ensure!(!run.status.success());
    let expected =
        format!("error: {}: tranche.stress = 0.8 must be between 0 and 0.5", config.display());
    ensure!(stderr(&run).contains(&expected), "{}", stderr(&run));
    std::fs::remove_dir_all(dir).ok();
    Ok(())
}

#[test]
fn bad_config_names_file_and_field() -> Result<()> {
    let dir = temp_dir("config")?;
    let config = dir.join("config.toml");
    std::fs::write(&config, "[market]\nmax_ltv = 0.95\nliquidation_ltv = 0.9\n")?;
    let run = breakwater().arg("deploy").arg("--config").arg(&config).output()?;
    ensure!(!run.status.success());
    let expected = format!(
        "error: {}: market.max_ltv = 0.95 must be below market.liquidation_ltv = 0.9",
        config.display()
    );
    ensure!(stderr(&run).contains(&expected), "{}", stderr(&run));
    std::fs::remove_dir_all(dir).ok();
    Ok(())
}

#[test]
fn unreachable_rpc_and_bad_policy_are_clear() -> Result<()> {
    let run = breakwater().args(["deploy", "--rpc", "http://127.0.0.1:9"]).output()?;
    ensure!(!run.status.success());
    ensure!(
        stderr(&run).contains("RPC endpoint http://127.0.0.1:9 is unreachable"),
        "{}",
        stderr(&run)
    );

    let run = breakwater().args(["deploy", "--policy", "yolo"]).output()?;
    ensure!(!run.status.success());
    // Every policy name is listed.
    let err = stderr(&run);
    ensure!(err.contains("invalid value 'yolo'") && err.contains("no-slow-path"), "{err}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploys_to_any_rpc_with_a_key_from_the_environment() -> Result<()> {
    let node = Chain::anvil(AnvilOptions::default()).await?;
    let dir = temp_dir("rpc")?;
    let out = dir.join("m.json");

    let run = breakwater()
        .args(["deploy", "--policy", "safeguarded", "--rpc", node.url(), "--key-env", "BW_KEY"])
        .arg("--out")
        .arg(&out)
        .env("BW_KEY", hex_key(&node, 4)?)
        .output()?;
    ensure!(run.status.success(), "{}", stderr(&run));
    let manifest = Deployment::load(&out)?;
    ensure!(manifest.deployer == Some(node.accounts()[4]), "deployed from the key's account");
    ensure!(manifest.rpc_url.is_none());
    check_code(&node, &manifest).await?;

    let run = breakwater()
        .args(["deploy", "--rpc", node.url(), "--key-env", "BW_KEY"])
        .env("BW_KEY", "0xnot-a-key")
        .output()?;
    ensure!(!run.status.success());
    let err = stderr(&run);
    ensure!(
        err.contains(
            "bad signing key from environment variable BW_KEY: not a 32-byte hex private key"
        ),
        "{err}"
    );
    ensure!(!err.contains("0xnot-a-key"), "the key is never echoed");
    std::fs::remove_dir_all(dir).ok();
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alive_serves_the_world_until_interrupted() -> Result<()> {
    let dir = temp_dir("keep-alive")?;
    let out = dir.join("m.json");
    let mut child = breakwater()
        .args(["deploy", "--policy", "no-slow-path", "--keep-alive", "--out"])
        .arg(&out)
        .stdout(Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().context("stdout")?;
    let mut url = None;
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        if let Some(rest) = line.strip_prefix("RPC ") {
            url = rest.split_whitespace().next().map(str::to_string);
            break;
        }
    }
    let url = url.context("the RPC line")?;
    let chain = Chain::connect(&url, None).await?;
    let manifest = Deployment::load(&out)?;
    ensure!(manifest.rpc_url.as_deref() == Some(url.as_str()));
    check_code(&chain, &manifest).await?;

    let exit = ctrl_c(&mut child)?;
    ensure!(exit.success(), "Ctrl-C is a clean exit: {exit}");
    std::fs::remove_dir_all(dir).ok();
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploys_with_an_encrypted_keystore() -> Result<()> {
    use alloy::providers::ext::AnvilApi as _;

    let node = Chain::anvil(AnvilOptions::default()).await?;
    let dir = temp_dir("keystore")?;
    // A fresh key in a keystore, made by Foundry's own cast, funded with ETH on the node.
    let cast = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../node_modules/.bin/cast");
    let made = Command::new(cast)
        .args(["wallet", "new"])
        .arg(&dir)
        .args(["--unsafe-password", "correct horse"])
        .output()?;
    ensure!(made.status.success(), "{}", stderr(&made));
    let printed = String::from_utf8_lossy(&made.stdout).into_owned();
    let address: alloy::primitives::Address = printed
        .lines()
        .find_map(|l| l.strip_prefix("Address:"))
        .context("cast printed the address")?
        .trim()
        .parse()?;
    let keystore = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.is_file())
        .context("the keystore file")?;
    node.provider()
        .anvil_set_balance(address, alloy::primitives::U256::from(10u128.pow(21)))
        .await?;

    let out = dir.join("m.json");
    let run = breakwater()
        .args(["deploy", "--policy", "oracle-only", "--rpc", node.url(), "--keystore"])
        .arg(&keystore)
        .arg("--out")
        .arg(&out)
        .env("KEYSTORE_PASSWORD", "correct horse")
        .output()?;
    ensure!(run.status.success(), "{}", stderr(&run));
    ensure!(Deployment::load(&out)?.deployer == Some(address));

    let run = breakwater()
        .args(["deploy", "--rpc", node.url(), "--keystore"])
        .arg(&keystore)
        .env("KEYSTORE_PASSWORD", "wrong")
        .output()?;
    ensure!(!run.status.success());
    let expected = format!("bad signing key from keystore {}: cannot decrypt", keystore.display());
    ensure!(stderr(&run).contains(&expected), "{}", stderr(&run));
    std::fs::remove_dir_all(dir).ok();
    Ok(())
}
