//! The deployment manifest: a JSON file with the chain id, the block, the policy and every
//! address, that `cast` and the bot read.
//!
//! ```json
//! {
//!   "chainId": 31337,
//!   "block": 27,
//!   "policy": "safeguarded",
//!   "contracts": { "stablecoin": "0x…", "vault": "0x…", "pool": "0x…", "rateModel": "0x…",
//!                  "oracle": "0x…", "breaker": "0x…", "market": "0x…" },
//!   "deployer": "0x…",
//!   "roles": { "admin": "0x…", "custodian": "0x…", "navReporter": "0x…",
//!              "navConfirmer": "0x…", "guardian": "0x…" },
//!   "actors": ["0x…"],
//!   "timestamp": 1700086400,
//!   "rpcUrl": "http://127.0.0.1:8545"
//! }
//! ```
//!
//! The first four fields are the ones `script/Deploy.s.sol` writes too, so the loader reads
//! manifests from either path; the rest are optional.
//! With `cast`: `cast call $(jq -r .contracts.market deployments/local.json) "totals()"`.

use std::path::Path;

use alloy::primitives::Address;
use serde_json::{Map, Value};

use crate::{
    BasketDeployment, ConstituentDeployment, Error, Policy, Result, TrancheAddresses, units::Wad,
};

/// A deployed world: where everything is and how it was wired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    /// The chain id.
    pub chain_id: u64,
    /// The block number once deployment and wiring were done (index events from here).
    pub block: u64,
    /// The policy the market is wired for.
    pub policy: Policy,
    /// Every contract.
    pub contracts: Addresses,
    /// The deploying account (admin of every contract).
    pub deployer: Option<Address>,
    /// Holders of the operational roles.
    pub roles: Option<Roles>,
    /// Accounts funded with stablecoin on a development chain.
    pub actors: Vec<Address>,
    /// The block timestamp once deployment was done (after any warm-up).
    pub timestamp: Option<u64>,
    /// The endpoint, recorded for embedded nodes only (a remote URL may hold an API key).
    pub rpc_url: Option<String>,
}

/// Addresses of the deployed contracts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Addresses {
    /// The loan asset (`Stablecoin`).
    pub stablecoin: Address,
    /// The RWA vault share (`RwaVault`), the collateral.
    pub vault: Address,
    /// The AMM (`ConstantProductPool`).
    pub pool: Address,
    /// The market's rate model (`KinkedRateModel`).
    pub rate_model: Address,
    /// The market's oracle (`SpotOracle`, `NavOracle` or `ConservativeOracle`, per policy).
    pub oracle: Address,
    /// The market's breaker (`PermissiveBreaker` or `CircuitBreaker`, per policy).
    pub breaker: Address,
    /// The `LendingMarket`.
    pub market: Address,
}

/// Holders of the operational roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Roles {
    /// `DEFAULT_ADMIN_ROLE` on every contract.
    pub admin: Address,
    /// The vault's custodian.
    pub custodian: Address,
    /// The vault's `NAV_REPORTER_ROLE`.
    pub nav_reporter: Address,
    /// The vault's `NAV_CONFIRMER_ROLE`.
    pub nav_confirmer: Address,
    /// `GUARDIAN_ROLE` on the vault and the circuit breaker.
    pub guardian: Address,
}

/// For a struct of addresses: `named()`, each field's key in the manifest with its address, and
/// `from_named()`, the struct from a function of those keys; one list per struct.
macro_rules! address_fields {
    ($ty:ty, $what:literal, { $($field:ident: $key:literal),* $(,)? }) => {
        impl $ty {
            #[doc = concat!("Each ", $what, ", as its key in the manifest and its address.")]
            pub fn named(&self) -> Vec<(&'static str, Address)> {
                vec![$(($key, self.$field)),*]
            }

            /// The struct with the address `get` returns for each key of `named()`.
            fn from_named(get: impl Fn(&str) -> Result<Address>) -> Result<Self> {
                Ok(Self { $($field: get($key)?),* })
            }
        }
    };
}

address_fields!(Addresses, "contract under `contracts`", {
    stablecoin: "stablecoin", vault: "vault", pool: "pool", rate_model: "rateModel",
    oracle: "oracle", breaker: "breaker", market: "market",
});
address_fields!(Roles, "role holder under `roles`", {
    admin: "admin", custodian: "custodian", nav_reporter: "navReporter",
    nav_confirmer: "navConfirmer", guardian: "guardian",
});
address_fields!(TrancheAddresses, "contract under a basket manifest's `tranche`", {
    vault: "vault", senior: "senior", junior: "junior", pool: "pool", oracle: "oracle",
    breaker: "breaker", rate_model: "rateModel", market: "market",
});

/// `(key, address)` pairs as a JSON object of EIP-55 checksummed addresses.
pub(crate) fn address_object<'a>(pairs: impl IntoIterator<Item = (&'a str, Address)>) -> Value {
    Value::Object(
        pairs.into_iter().map(|(k, a)| (k.to_string(), a.to_checksum(None).into())).collect(),
    )
}

/// `load` for a manifest type with a `from_json(text, file)`.
macro_rules! manifest_file {
    ($ty:ty, $what:literal) => {
        impl $ty {
            #[doc = concat!("Reads ", $what, "; errors name the file and the field.")]
            pub fn load(path: impl AsRef<Path>) -> Result<Self> {
                let (text, file) = crate::config::read_file(path.as_ref())?;
                Self::from_json(&text, &file)
            }
        }
    };
}

manifest_file!(Deployment, "a manifest");
manifest_file!(BasketDeployment, "a basket manifest (`breakwater deploy --basket`)");

/// Parses manifest JSON named `file` and reads its root object with `read`.
fn parse<T>(
    text: &str,
    file: &str,
    read: impl FnOnce(&Reader<'_>, &Map<String, Value>) -> Result<T>,
) -> Result<T> {
    let r = Reader { file };
    let root = r.json(text)?;
    read(&r, r.object(&root, "")?)
}

impl Deployment {
    /// The manifest as pretty JSON, with EIP-55 checksummed addresses.
    pub fn to_json(&self) -> String {
        let mut root = Map::new();
        root.insert("chainId".into(), self.chain_id.into());
        root.insert("block".into(), self.block.into());
        root.insert("policy".into(), self.policy.name().into());
        root.insert("contracts".into(), address_object(self.contracts.named()));
        if let Some(deployer) = self.deployer {
            root.insert("deployer".into(), deployer.to_checksum(None).into());
        }
        if let Some(r) = &self.roles {
            root.insert("roles".into(), address_object(r.named()));
        }
        if !self.actors.is_empty() {
            let actors = self.actors.iter().map(|a| Value::from(a.to_checksum(None))).collect();
            root.insert("actors".into(), Value::Array(actors));
        }
        if let Some(ts) = self.timestamp {
            root.insert("timestamp".into(), ts.into());
        }
        if let Some(url) = &self.rpc_url {
            root.insert("rpcUrl".into(), url.clone().into());
        }
        serde_json::to_string_pretty(&Value::Object(root)).unwrap_or_default()
    }

    /// Writes the manifest, creating parent directories.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<()> {
        crate::config::write_file(path.as_ref(), &(self.to_json() + "\n"))
    }

    /// Parses manifest JSON; `file` names it in errors.
    pub fn from_json(text: &str, file: &str) -> Result<Self> {
        parse(text, file, Self::read)
    }

    fn read(r: &Reader<'_>, root: &Map<String, Value>) -> Result<Self> {
        let contracts = r.object(r.field(root, "", "contracts")?, "contracts")?;
        let contracts = Addresses::from_named(|name| r.address(contracts, "contracts", name))?;
        let policy = r.policy(root)?;
        let roles = r.optional(root, "roles", |v| r.roles(v))?;
        let actors = r.actors(root)?;
        Ok(Self {
            chain_id: r.u64(root, "", "chainId")?,
            block: r.u64(root, "", "block")?,
            policy,
            contracts,
            deployer: r.optional(root, "deployer", |v| r.parse_address(v, "deployer"))?,
            roles,
            actors,
            timestamp: r.optional(root, "timestamp", |v| r.parse_u64(v, "timestamp"))?,
            rpc_url: r.optional(root, "rpcUrl", |v| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(r.err("rpcUrl", format!("expected a string, got {other}"))),
            })?,
        })
    }
}

impl BasketDeployment {
    /// Parses basket manifest JSON; `file` names it in errors.
    pub fn from_json(text: &str, file: &str) -> Result<Self> {
        parse(text, file, Self::read)
    }

    fn read(r: &Reader<'_>, root: &Map<String, Value>) -> Result<Self> {
        let policy = r.policy(root)?;
        let items = match r.field(root, "", "constituents")? {
            Value::Array(items) => items,
            other => {
                return Err(
                    r.err("constituents", format!("expected an array, got {}", kind(other)))
                );
            }
        };
        let stablecoin = r.address(root, "", "stablecoin")?;
        let constituents = items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let path = format!("constituents[{i}]");
                let o = r.object(v, &path)?;
                let unit_shares = r
                    .string(o, &path, "unitShares")?
                    .parse::<Wad>()
                    .map_err(|e| r.err(&format!("{path}.unitShares"), e))?;
                let k_path = format!("{path}.contracts");
                let k = r.object(r.field(o, &path, "contracts")?, &k_path)?;
                // A constituent lends the basket's one stablecoin.
                let contracts = Addresses::from_named(|name| match name {
                    "stablecoin" => Ok(stablecoin),
                    _ => r.address(k, &k_path, name),
                })?;
                let symbol = r.string(o, &path, "symbol")?.to_string();
                Ok(ConstituentDeployment { symbol, unit_shares, contracts })
            })
            .collect::<Result<Vec<_>>>()?;
        let t = r.object(r.field(root, "", "tranche")?, "tranche")?;
        let tranche = TrancheAddresses::from_named(|name| r.address(t, "tranche", name))?;
        let actors = r.actors(root)?;
        Ok(Self {
            chain_id: r.u64(root, "", "chainId")?,
            block: r.u64(root, "", "block")?,
            timestamp: r.u64(root, "", "timestamp")?,
            policy,
            stablecoin,
            constituents,
            tranche,
            roles: r.roles(r.field(root, "", "roles")?)?,
            actors,
        })
    }
}

/// Field access with errors that carry the file and the JSON path.
struct Reader<'a> {
    file: &'a str,
}

impl Reader<'_> {
    fn err(&self, field: &str, problem: impl Into<String>) -> Error {
        Error::Manifest {
            file: self.file.to_string(),
            field: if field.is_empty() { "(root)".into() } else { field.to_string() },
            problem: problem.into(),
        }
    }

    fn path(parent: &str, name: &str) -> String {
        if parent.is_empty() { name.to_string() } else { format!("{parent}.{name}") }
    }

    fn object<'v>(&self, v: &'v Value, path: &str) -> Result<&'v Map<String, Value>> {
        v.as_object().ok_or_else(|| self.err(path, format!("expected an object, got {}", kind(v))))
    }

    fn field<'v>(&self, o: &'v Map<String, Value>, parent: &str, name: &str) -> Result<&'v Value> {
        o.get(name).ok_or_else(|| self.err(&Self::path(parent, name), "missing"))
    }

    fn optional<T>(
        &self,
        o: &Map<String, Value>,
        name: &str,
        parse: impl FnOnce(&Value) -> Result<T>,
    ) -> Result<Option<T>> {
        match o.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => parse(v).map(Some),
        }
    }

    fn string<'v>(&self, o: &'v Map<String, Value>, parent: &str, name: &str) -> Result<&'v str> {
        let v = self.field(o, parent, name)?;
        v.as_str().ok_or_else(|| {
            self.err(&Self::path(parent, name), format!("expected a string, got {}", kind(v)))
        })
    }

    fn u64(&self, o: &Map<String, Value>, parent: &str, name: &str) -> Result<u64> {
        self.parse_u64(self.field(o, parent, name)?, &Self::path(parent, name))
    }

    fn parse_u64(&self, v: &Value, path: &str) -> Result<u64> {
        match v {
            Value::Number(n) => n.as_u64(),
            // forge's serializeUint writes numbers, but accept decimal and 0x strings too.
            Value::String(s) => match s.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16).ok(),
                None => s.parse().ok(),
            },
            _ => None,
        }
        .ok_or_else(|| self.err(path, format!("expected a non-negative integer, got {v}")))
    }

    fn json(&self, text: &str) -> Result<Value> {
        serde_json::from_str(text).map_err(|e| self.err("", format!("not JSON: {e}")))
    }

    fn policy(&self, root: &Map<String, Value>) -> Result<Policy> {
        self.string(root, "", "policy")?.parse::<Policy>().map_err(|e| self.err("policy", e))
    }

    fn roles(&self, v: &Value) -> Result<Roles> {
        let o = self.object(v, "roles")?;
        Roles::from_named(|name| self.address(o, "roles", name))
    }

    /// The optional `actors` array of addresses.
    fn actors(&self, root: &Map<String, Value>) -> Result<Vec<Address>> {
        match root.get("actors") {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| self.parse_address(v, &format!("actors[{i}]")))
                .collect(),
            Some(other) => Err(self.err("actors", format!("expected an array, got {other}"))),
        }
    }

    fn address(&self, o: &Map<String, Value>, parent: &str, name: &str) -> Result<Address> {
        self.parse_address(self.field(o, parent, name)?, &Self::path(parent, name))
    }

    fn parse_address(&self, v: &Value, path: &str) -> Result<Address> {
        let s = v.as_str().ok_or_else(|| {
            self.err(path, format!("expected an address string, got {}", kind(v)))
        })?;
        s.parse::<Address>().map_err(|_| {
            self.err(path, format!("`{s}` is not an address (0x followed by 40 hex digits)"))
        })
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use alloy::primitives::address;

    use super::*;

    fn sample() -> Deployment {
        let a = address!("0x5FbDB2315678afecb367f032d93F642f64180aa3");
        Deployment {
            chain_id: 31337,
            block: 42,
            policy: Policy::BreakerOnly,
            contracts: Addresses {
                stablecoin: a,
                vault: a,
                pool: a,
                rate_model: a,
                oracle: a,
                breaker: a,
                market: address!("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"),
            },
            deployer: Some(a),
            roles: Some(Roles {
                admin: a,
                custodian: a,
                nav_reporter: a,
                nav_confirmer: a,
                guardian: a,
            }),
            actors: vec![a, a],
            timestamp: Some(1_700_000_000),
            rpc_url: Some("http://127.0.0.1:8545".into()),
        }
    }

    #[test]
    fn round_trips_through_json() -> anyhow::Result<()> {
        let d = sample();
        assert_eq!(Deployment::from_json(&d.to_json(), "m.json")?, d);
        let minimal = Deployment {
            deployer: None,
            roles: None,
            actors: vec![],
            timestamp: None,
            rpc_url: None,
            ..d
        };
        assert_eq!(Deployment::from_json(&minimal.to_json(), "m.json")?, minimal);
        Ok(())
    }

    #[test]
    fn reads_the_forge_script_manifest() -> anyhow::Result<()> {
        // As script/Deploy.s.sol writes it.
        let json = r#"{"block":12,"chainId":31337,"contracts":{"breaker":"0x5FbDB2315678afecb367f032d93F642f64180aa3","market":"0x5FbDB2315678afecb367f032d93F642f64180aa3","oracle":"0x5FbDB2315678afecb367f032d93F642f64180aa3","pool":"0x5FbDB2315678afecb367f032d93F642f64180aa3","rateModel":"0x5FbDB2315678afecb367f032d93F642f64180aa3","stablecoin":"0x5FbDB2315678afecb367f032d93F642f64180aa3","vault":"0x5FbDB2315678afecb367f032d93F642f64180aa3"},"policy":"naive-nav"}"#;
        let d = Deployment::from_json(json, "local.json")?;
        assert_eq!((d.chain_id, d.block, d.policy), (31337, 12, Policy::NaiveNav));
        Ok(())
    }

    #[test]
    fn malformed_manifests_name_file_and_field() {
        let err = |text: &str| {
            Deployment::from_json(text, "deployments/x.json")
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        let good = sample().to_json();
        assert_eq!(err("{"), err("{")); // deterministic
        assert!(err("{").starts_with("deployments/x.json: (root): not JSON"), "{}", err("{"));
        let e = err(&good.replace("\"market\"", "\"markt\""));
        assert_eq!(e, "deployments/x.json: contracts.market: missing");
        let market = sample().contracts.market.to_string();
        assert!(good.contains(&market), "{good}");
        let e = err(&good.replace(&market, "0x1234"));
        assert!(
            e.starts_with("deployments/x.json: contracts.market: `0x1234` is not an address"),
            "{e}"
        );
        let e = err(&good.replace("\"breaker-only\"", "\"reckless\""));
        assert!(e.starts_with("deployments/x.json: policy: unknown policy `reckless`"), "{e}");
        let e = err(&good.replace("\"chainId\": 31337", "\"chainId\": -1"));
        assert!(
            e.starts_with("deployments/x.json: chainId: expected a non-negative integer"),
            "{e}"
        );
        let e = err("[]");
        assert!(
            e.starts_with("deployments/x.json: (root): expected an object, got an array"),
            "{e}"
        );
    }
}
