//! Compiles the contracts with forge and generates one `alloy::sol!` binding per contract.
//!
//! forge runs at the repository root (so `foundry.toml`, its remappings and `tools/solc` apply)
//! but writes its artifacts and cache under `OUT_DIR`: the bindings never depend on whatever a
//! developer's own `forge build` left in `out/`, and a concurrent `forge test` cannot race us.
//! Only `contracts/` is compiled (tests and scripts are not needed here), which keeps this step at
//! ~10 s with solcjs; cargo reruns it only when `contracts/`, `script/Defaults.sol` (imported by
//! the test probe `contracts/test/DefaultsProbe.sol`), `foundry.toml` or the npm lock file change.

use std::{
    env,
    fmt::Write as _,
    fs,
    path::{Path, PathBuf},
    process::Command,
};

/// Contracts whose bindings come first when a revert is decoded: concrete contracts before the
/// interfaces they implement, so an error is attributed to the most specific enum.
/// `RedeemToRepayMarket` comes before `LendingMarket`: its ABI holds every market error (it
/// inherits them), so one enum decodes a revert from either kind of market.
const PRIORITY: &[&str] = &[
    "RedeemToRepayMarket",
    "LendingMarket",
    "CircuitBreaker",
    "ConservativeOracle",
    "RwaVault",
    "ConstantProductPool",
    "KinkedRateModel",
    "Stablecoin",
];

fn main() {
    if let Err(message) = run() {
        // A panic is how a build script fails; the message is what the developer sees.
        panic!("\n\nbreakwater-bindings: {message}\n");
    }
}

fn run() -> Result<(), String> {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?);
    let root = manifest_dir
        .join("../..")
        .canonicalize()
        .map_err(|e| format!("cannot resolve the repository root: {e}"))?;
    let out_dir = PathBuf::from(env::var("OUT_DIR").map_err(|e| e.to_string())?);

    // `contracts/test/DefaultsProbe.sol` imports the deploy script's defaults.
    for path in
        ["contracts", "script/Defaults.sol", "foundry.toml", "package-lock.json", "tools/solc"]
    {
        println!("cargo:rerun-if-changed={}", root.join(path).display());
    }
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=FORGE");

    let forge = forge_binary(&root)?;
    let artifacts = out_dir.join("forge-out");
    forge_build(&root, &forge, &artifacts, &out_dir.join("forge-cache"))?;

    let contracts = discover(&root.join("contracts"), &artifacts, &out_dir.join("abi"))?;
    let code = generate(&contracts)?;
    fs::write(out_dir.join("contracts.rs"), code)
        .map_err(|e| format!("cannot write the generated bindings: {e}"))?;
    Ok(())
}

/// `$FORGE`, else `node_modules/.bin/forge`. A missing forge is an error naming the setup
/// command: the build never installs it itself, which would need the network inside `cargo build`.
fn forge_binary(root: &Path) -> Result<PathBuf, String> {
    if let Some(forge) = env::var_os("FORGE") {
        return Ok(PathBuf::from(forge));
    }
    let forge = root.join("node_modules/.bin/forge");
    if forge.exists() {
        return Ok(forge);
    }
    Err(format!(
        "{} is missing: the contracts are compiled with the repository's forge, which npm \
         installs. Run `npm ci` (or `make setup`) in {} first (Node.js >= 20), or set FORGE to a \
         forge binary.",
        forge.display(),
        root.display()
    ))
}

fn forge_build(root: &Path, forge: &Path, out: &Path, cache: &Path) -> Result<(), String> {
    let output = Command::new(forge)
        .arg("build")
        .arg("contracts")
        .arg("--out")
        .arg(out)
        .arg("--cache-path")
        .arg(cache)
        .current_dir(root)
        // foundry.toml's relative solc path resolves against the current directory; make it
        // absolute anyway so an inherited FOUNDRY_SOLC cannot point elsewhere.
        .env("FOUNDRY_SOLC", root.join("tools/solc"))
        .output()
        .map_err(|e| format!("cannot run {}: {e}", forge.display()))?;
    if !output.status.success() {
        return Err(format!(
            "`forge build contracts` failed ({}):\n{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(())
}

/// One bindable contract: a `contracts/**/Name.sol` file (outside `libraries/`) whose artifact
/// `Name.sol/Name.json` exists.
struct Contract {
    name: String,
    artifact: PathBuf,
    /// The ABI alone (`abi/Name.json` under `OUT_DIR`), embedded for tools such as `cast`.
    abi: PathBuf,
    /// Custom errors as (name, [(field, solidity type)]).
    errors: Vec<(String, Vec<(String, String)>)>,
    interface: bool,
}

fn discover(
    contracts_dir: &Path,
    artifacts: &Path,
    abi_dir: &Path,
) -> Result<Vec<Contract>, String> {
    let mut files = Vec::new();
    walk(contracts_dir, &mut files)?;
    fs::create_dir_all(abi_dir).map_err(|e| format!("cannot create {}: {e}", abi_dir.display()))?;
    let mut out = Vec::new();
    for file in files {
        let Some(stem) = file.file_stem().and_then(|s| s.to_str()) else { continue };
        let artifact = artifacts.join(format!("{stem}.sol")).join(format!("{stem}.json"));
        if !artifact.exists() {
            continue;
        }
        let json: serde_json::Value = serde_json::from_str(
            &fs::read_to_string(&artifact)
                .map_err(|e| format!("cannot read {}: {e}", artifact.display()))?,
        )
        .map_err(|e| format!("{} is not JSON: {e}", artifact.display()))?;
        let abi = json["abi"].as_array().cloned().unwrap_or_default();
        if abi.is_empty() {
            continue; // libraries and constant-only files: nothing to call
        }
        let abi_file = abi_dir.join(format!("{stem}.json"));
        let abi_json = serde_json::to_string_pretty(&abi).map_err(|e| e.to_string())? + "\n";
        fs::write(&abi_file, abi_json)
            .map_err(|e| format!("cannot write {}: {e}", abi_file.display()))?;
        let bytecode = json["bytecode"]["object"].as_str().unwrap_or("0x");
        let mut errors = Vec::new();
        for item in abi.iter().filter(|i| i["type"] == "error") {
            let name = item["name"].as_str().unwrap_or_default().to_string();
            let fields = item["inputs"]
                .as_array()
                .map(|inputs| {
                    inputs
                        .iter()
                        .enumerate()
                        .map(|(i, input)| {
                            let field = match input["name"].as_str() {
                                Some(n) if !n.is_empty() => n.to_string(),
                                _ => format!("_{i}"),
                            };
                            (field, input["type"].as_str().unwrap_or_default().to_string())
                        })
                        .collect()
                })
                .unwrap_or_default();
            errors.push((name, fields));
        }
        out.push(Contract {
            name: stem.to_string(),
            artifact,
            abi: abi_file,
            errors,
            interface: bytecode.len() <= 2,
        });
    }
    // Deterministic output: priority contracts, then other deployables, then interfaces.
    out.sort_by_key(|c| {
        let rank = PRIORITY.iter().position(|p| *p == c.name).unwrap_or(PRIORITY.len());
        (c.interface, rank, c.name.clone())
    });
    Ok(out)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "libraries") {
                continue;
            }
            walk(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "sol") {
            files.push(path);
        }
    }
    files.sort();
    Ok(())
}

fn generate(contracts: &[Contract]) -> Result<String, String> {
    let mut code =
        String::from("// @generated by breakwater-bindings/build.rs from forge artifacts.\n\n");
    let mut names = Vec::new();
    for c in contracts {
        let path = c.artifact.to_str().ok_or("artifact path is not UTF-8")?;
        let kind = if c.interface { "Interface" } else { "Contract" };
        writeln!(
            code,
            "// {kind} `{name}`.\nalloy::sol!(\n    #[sol(rpc)]\n    #[derive(Debug)]\n    {name},\n    {path:?}\n);\n",
            name = c.name
        )
        .map_err(|e| e.to_string())?;
        names.push(format!("{:?}", c.name));
    }
    writeln!(code, "/// Every contract and interface with generated bindings, in decoding order.")
        .map_err(|e| e.to_string())?;
    writeln!(code, "pub const CONTRACTS: &[&str] = &[{}];\n", names.join(", "))
        .map_err(|e| e.to_string())?;
    code.push_str(
        "/// Every contract's and interface's ABI (the JSON array forge writes), by name, in \
         decoding order.\npub const ABIS: &[(&str, &str)] = &[\n",
    );
    for c in contracts {
        let abi = c.abi.to_str().ok_or("ABI path is not UTF-8")?;
        writeln!(code, "    ({:?}, include_str!({abi:?})),", c.name).map_err(|e| e.to_string())?;
    }
    code.push_str("];\n\n");

    // The typed revert: one variant per contract with custom errors.
    let with_errors: Vec<&Contract> = contracts.iter().filter(|c| !c.errors.is_empty()).collect();
    code.push_str(
        "/// A revert decoded into the generated error enum of the first contract (concrete \
         contracts before interfaces) that declares it.\n#[derive(Debug, Clone)]\n#[non_exhaustive]\n\
         pub enum ContractRevert {\n",
    );
    for c in &with_errors {
        writeln!(code, "    /// A custom error declared by `{0}` (or inherited by it).\n    {0}({0}::{0}Errors),", c.name)
            .map_err(|e| e.to_string())?;
    }
    code.push_str("}\n\n");

    code.push_str(
        "impl ContractRevert {\n    /// Decodes revert data into the first matching error enum.\n    \
         pub fn decode(data: &[u8]) -> Option<Self> {\n        use alloy::sol_types::SolInterface as _;\n",
    );
    for c in &with_errors {
        writeln!(
            code,
            "        if let Ok(e) = {0}::{0}Errors::abi_decode(data) {{\n            return Some(Self::{0}(e));\n        }}",
            c.name
        )
        .map_err(|e| e.to_string())?;
    }
    code.push_str("        None\n    }\n\n");

    code.push_str(
        "    /// The contract whose error enum decoded the revert.\n    pub fn contract(&self) -> &'static str {\n        match self {\n",
    );
    for c in &with_errors {
        writeln!(code, "            Self::{0}(_) => {0:?},", c.name).map_err(|e| e.to_string())?;
    }
    code.push_str("        }\n    }\n}\n\n");

    code.push_str(
        "impl core::fmt::Display for ContractRevert {\n    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {\n        match self {\n",
    );
    for c in &with_errors {
        writeln!(code, "            Self::{0}(e) => match e {{", c.name)
            .map_err(|e| e.to_string())?;
        let mut seen = std::collections::HashSet::new();
        for (error, fields) in &c.errors {
            if !seen.insert(error) {
                continue; // overloaded error names get numbered variants; keep the first form
            }
            let args: Vec<String> = fields
                .iter()
                .map(|(field, ty)| {
                    // Checksummed addresses and decimal numbers; names in bytes32 as text.
                    let display = ty == "address"
                        || ty == "bool"
                        || (ty.starts_with("uint") || ty.starts_with("int")) && !ty.contains('[');
                    let value = if ty == "bytes32" {
                        format!("crate::fmt_bytes32(&e.{field})")
                    } else if display {
                        format!("e.{field}.to_string()")
                    } else {
                        format!("format!(\"{{:?}}\", e.{field})")
                    };
                    format!("format!(\"{field}: {{}}\", {value})")
                })
                .collect();
            if args.is_empty() {
                writeln!(code, "                {0}::{0}Errors::{error}(_) => f.write_str(\"{error}\"),", c.name)
            } else {
                writeln!(
                    code,
                    "                {0}::{0}Errors::{error}(e) => write!(f, \"{error}({{}})\", [{args}].join(\", \")),",
                    c.name,
                    args = args.join(", ")
                )
            }
            .map_err(|e| e.to_string())?;
        }
        if seen.len() < c.errors.len() {
            code.push_str("                #[allow(unreachable_patterns)]\n                other => write!(f, \"{other:?}\"),\n");
        }
        code.push_str("            },\n");
    }
    code.push_str("        }\n    }\n}\n");
    Ok(code)
}
