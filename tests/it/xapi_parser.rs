//! A port of xen-api's parser of the driver tool's output, used to check every
//! `driver-tool -l` answer the tests produce: what xapi would make of it, field by field.
//!
//! The original is `ocaml/xapi/xapi_host_driver_tool.ml` (xapi-project/xen-api): the functions
//! `variant`, `variants`, `driver`, `drivers`, `t` and `parse`, written with the `J` wrappers
//! over `Yojson.Basic.Util` (`member`, `to_string`, `to_string_option`, `to_bool`,
//! `to_number`, `to_assoc`), which turn Yojson's `Type_error (msg, json)` into
//! `Error "<msg> in <json>"`. `parse` below follows the same order of checks, so the first error
//! it reports is the one xapi would report:
//!
//! - the document must be an object (`member "drivers"` of anything else is a type error);
//!   only `drivers` is read: `protocol` and `operation` are not required, and neither is any
//!   other key;
//! - `drivers` must be an object; its members are checked in document order and the first
//!   failing one stops the parse;
//! - each driver must be an object with, in this order, `type`, `friendly_name`,
//!   `description`, `info` (strings), `selected`, `active` (string or null) and `variants`
//!   (an object);
//! - each variant must be an object with `version` (string), `hardware_present` (bool),
//!   `priority` (a number: int or float, never a string) and `status` (string).
//!
//! A missing key reads as `null` (Yojson's `member`), so it fails exactly like an explicit
//! `null` of the wrong type ("Expected string, got null in null"), except for `selected` and
//! `active`, where a missing key is as good as `null`. Unknown keys are ignored. With duplicate
//! keys, `member` takes the first (`List.assoc`), while `to_assoc` keeps all of them, so a
//! driver or variant named twice comes back twice.
//!
//! How xapi uses the result (`ocaml/xapi/xapi_host_driver.ml`, `scan`): the key of a driver in
//! `drivers` is ignored; `friendly_name` becomes both the `Host_driver` name and friendly name,
//! and it is that name xapi passes back to `driver-tool -s -n <name> -v <variant>` and
//! `driver-tool -d <name>`. The variant keys are the variant names (the `-v` argument);
//! `selected` and `active` are matched against them, and one naming no variant is silently
//! ignored. `priority` is stored as a float.
//!
//! Object order: serde_json is built here without its `preserve_order` feature (Cargo.toml asks
//! for none, and no crate in Cargo.lock turns it on: serde_json has no `indexmap` dependency),
//! so a `serde_json::Value` would hold objects sorted by key with duplicates merged. The port
//! therefore does not go through `Value`: serde_json deserializes straight into [`Json`], the
//! shape of `Yojson.Basic.t`, whose objects are ordered lists of members as written. Drivers and
//! variants come back in document order, and the tests below check that order.
//!
//! Known differences, all in the lexer and none reachable by well-formed JSON: Yojson also
//! accepts comments and `NaN`/`Infinity`, which serde_json rejects; serde_json limits nesting to
//! 128 levels; an integer beyond 64 bits is an "Int overflow" for Yojson but a float for
//! serde_json (integers outside OCaml's 63-bit `int` that fit in 64 bits are rejected here as
//! Yojson does). The JSON printed in error messages imitates `Yojson.Basic.to_string`
//! (compact) except for the digits of some floats.
//!
//! `legal_name` is the rule xapi's `is_legal_char`/`_is_legal_name` define for driver and
//! variant names: ASCII letters, digits, `_`, `.` and `@`. xapi does not apply it (its comment
//! says "currently unused but needs to be used for names of drivers"); note that it rejects
//! `-`, which every driver name in xapi's own mock contains.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// One variant of a driver, as xapi reads it (`Xapi_host_driver_tool.variant`).
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub version: String,
    /// `hardware_present`: xapi refuses to select a variant without hardware.
    pub hardware_present: bool,
    pub priority: f64,
    /// `status` (xapi's `dev_status`).
    pub status: String,
}

/// One driver, as xapi reads it (`Xapi_host_driver_tool.driver`).
#[derive(Debug, Clone, PartialEq)]
pub struct Driver {
    /// The driver's key in `drivers`; xapi ignores it.
    pub key: String,
    /// `type`.
    pub ty: String,
    /// `friendly_name`: what xapi stores as the driver's name and passes back to `-n`/`-d`.
    pub name: String,
    pub description: String,
    pub info: String,
    pub selected: Option<String>,
    pub active: Option<String>,
    /// The variants in document order, by name (the `-v` argument).
    pub variants: Vec<(String, Variant)>,
}

/// Parses the standard output of `driver-tool -l` as xapi does (`Xapi_host_driver_tool.parse`).
///
/// The error is the message xapi's `J` wrappers produce, "<Yojson message> in <json>", e.g.
/// "Expected string, got null in null"; xapi raises it as INTERNAL_ERROR
/// "Xapi_host_driver_tool.parse parsing failed: <message>". A document that is not JSON gives
/// "Json_error: <serde_json's message>" (xapi lets Yojson's exception through).
pub fn parse(stdout: &str) -> Result<Vec<Driver>, String> {
    let json: Json = serde_json::from_str(stdout).map_err(|e| format!("Json_error: {e}"))?;
    t(&json)
}

/// Whether `s` is a legal driver or variant name by xapi's `is_legal_char` (applied to every
/// byte, as `String.for_all` does; so the empty name is legal).
pub fn legal_name(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'@')
}

// ---- the parser: Xapi_host_driver_tool.{variant, variants, driver, drivers, t} ----

fn variant(json: &Json) -> Result<Variant, String> {
    let version = to_string(member("version", json)?)?;
    let hardware_present = to_bool(member("hardware_present", json)?)?;
    let priority = to_number(member("priority", json)?)?;
    let status = to_string(member("status", json)?)?;
    Ok(Variant {
        version,
        hardware_present,
        priority,
        status,
    })
}

/// `to_assoc`, then every member through `variant`; `combine_assoc` returns the first error in
/// list order, and as the checks have no side effects, stopping there is the same.
fn variants(json: &Json) -> Result<Vec<(String, Variant)>, String> {
    to_assoc(json)?
        .iter()
        .map(|(name, json)| Ok::<_, String>((name.clone(), variant(json)?)))
        .collect()
}

fn driver(key: &str, json: &Json) -> Result<Driver, String> {
    let ty = to_string(member("type", json)?)?;
    let name = to_string(member("friendly_name", json)?)?;
    let description = to_string(member("description", json)?)?;
    let info = to_string(member("info", json)?)?;
    let selected = to_string_option(member("selected", json)?)?;
    let active = to_string_option(member("active", json)?)?;
    let variants = variants(member("variants", json)?)?;
    Ok(Driver {
        key: key.to_owned(),
        ty,
        name,
        description,
        info,
        selected,
        active,
        variants,
    })
}

fn drivers(json: &Json) -> Result<Vec<Driver>, String> {
    to_assoc(json)?
        .iter()
        .map(|(key, json)| driver(key, json))
        .collect()
}

fn t(json: &Json) -> Result<Vec<Driver>, String> {
    drivers(member("drivers", json)?)
}

// ---- Yojson.Basic.t and the J wrappers over Yojson.Basic.Util ----

/// `Yojson.Basic.t`: objects are member lists in document order, duplicates kept.
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    List(Vec<Json>),
    Assoc(Vec<(String, Json)>),
}

/// What `member` returns for a missing key.
static NULL: Json = Json::Null;

/// OCaml's `max_int`/`min_int` (63-bit): Yojson.Basic has no `Intlit`, so an integer literal
/// outside them is a lexer error, "Int overflow".
const OCAML_MAX_INT: i64 = (1 << 62) - 1;
const OCAML_MIN_INT: i64 = -(1 << 62);

/// `Yojson.Basic.Util.typeof`.
fn typeof_(json: &Json) -> &'static str {
    match json {
        Json::Assoc(_) => "object",
        Json::Bool(_) => "bool",
        Json::Float(_) => "float",
        Json::Int(_) => "int",
        Json::List(_) => "array",
        Json::Null => "null",
        Json::String(_) => "string",
    }
}

/// `U.typerr msg json` caught by `J.wrap`: `error "%s in %s" (msg ^ typeof json) (to_string json)`.
fn type_error<T>(msg: &str, json: &Json) -> Result<T, String> {
    Err(format!(
        "{msg}{} in {}",
        typeof_(json),
        to_json_string(json)
    ))
}

/// `J.member`: the first member named `key` of an object, `null` when there is none, a type
/// error when `json` is not an object.
fn member<'a>(key: &str, json: &'a Json) -> Result<&'a Json, String> {
    match json {
        Json::Assoc(members) => Ok(members
            .iter()
            .find(|(k, _)| k == key)
            .map_or(&NULL, |(_, v)| v)),
        _ => type_error(
            &format!("Can't get member '{key}' of non-object type "),
            json,
        ),
    }
}

/// `J.to_assoc`: objects only.
fn to_assoc(json: &Json) -> Result<&[(String, Json)], String> {
    match json {
        Json::Assoc(members) => Ok(members),
        _ => type_error("Expected object, got ", json),
    }
}

/// `J.to_string`: strings only.
fn to_string(json: &Json) -> Result<String, String> {
    match json {
        Json::String(s) => Ok(s.clone()),
        _ => type_error("Expected string, got ", json),
    }
}

/// `J.to_string_option`: a string, or `null` as None.
fn to_string_option(json: &Json) -> Result<Option<String>, String> {
    match json {
        Json::String(s) => Ok(Some(s.clone())),
        Json::Null => Ok(None),
        _ => type_error("Expected string or null, got ", json),
    }
}

/// `J.to_bool`: bools only.
fn to_bool(json: &Json) -> Result<bool, String> {
    match json {
        Json::Bool(b) => Ok(*b),
        _ => type_error("Expected bool, got ", json),
    }
}

/// `J.to_number`: an int (as a float) or a float; not a string.
fn to_number(json: &Json) -> Result<f64, String> {
    match json {
        Json::Int(i) => Ok(*i as f64),
        Json::Float(f) => Ok(*f),
        _ => type_error("Expected number, got ", json),
    }
}

/// `Yojson.Basic.to_string` (compact), for error messages.
fn to_json_string(json: &Json) -> String {
    let mut out = String::new();
    write_json(&mut out, json);
    out
}

fn write_json(out: &mut String, json: &Json) {
    match json {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Int(i) => out.push_str(&i.to_string()),
        Json::Float(f) => {
            if f.is_nan() {
                out.push_str("NaN");
            } else if f.is_infinite() {
                out.push_str(if *f > 0.0 { "Infinity" } else { "-Infinity" });
            } else {
                // Rust's shortest round-trip form, always with a `.` or an exponent, as
                // Yojson's is ("100.0"); Yojson writes exponents as `e+16`, Rust as `e16`.
                out.push_str(&format!("{f:?}"));
            }
        }
        Json::String(s) => write_string(out, s),
        Json::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(out, item);
            }
            out.push(']');
        }
        Json::Assoc(members) => {
            out.push('{');
            for (i, (key, value)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                write_json(out, value);
            }
            out.push('}');
        }
    }
}

/// Yojson's `write_string`: `"` `\` and control characters escaped, the rest as is.
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{0}'..='\u{1f}' | '\u{7f}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Json, E> {
        Ok(Json::Bool(b))
    }

    fn visit_i64<E: de::Error>(self, i: i64) -> Result<Json, E> {
        if (OCAML_MIN_INT..=OCAML_MAX_INT).contains(&i) {
            Ok(Json::Int(i))
        } else {
            Err(E::custom(format!("Int overflow `{i}'")))
        }
    }

    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Json, E> {
        match i64::try_from(u) {
            Ok(i) if i <= OCAML_MAX_INT => Ok(Json::Int(i)),
            _ => Err(E::custom(format!("Int overflow `{u}'"))),
        }
    }

    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Json, E> {
        Ok(Json::Float(f))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Json, E> {
        Ok(Json::String(s.to_owned()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Json, E> {
        Ok(Json::String(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut members = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Json>()? {
            members.push((key, value));
        }
        Ok(Json::Assoc(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What xapi's mock driver tool (`Xapi_host_driver_tool.Mock.drivertool_sh`, function
    /// `list`, installed by `scan` when there is no real tool) prints for `-l`, verbatim,
    /// including the blank first line of its here-document.
    const MOCK_LIST: &str = r#"
{
    "protocol": {
        "version": 0.1
    },
    "operation": {
        "reboot": false
    },
    "drivers": {
        "avago-megaraid-sas": {
            "type": "storage",
            "friendly_name": "avago-megaraid-sas",
            "description": "avago-megaraid-sas",
            "info": "avago-megaraid-sas",
            "selected": null,
            "active": null,
            "variants": {
                "generic": {
                    "version": "1.2",
                    "hardware_present": false,
                    "priority": 100,
                    "status": "beta"
                }
            }
        },
        "avago-mpt3sas": {
            "type": "storage",
            "friendly_name": "avago-mpt3sas",
            "description": "avago-mpt3sas",
            "info": "avago-mpt3sas",
            "selected": null,
            "active": null,
            "variants": {
                "generic": {
                    "version": "1.2",
                    "hardware_present": false,
                    "priority": 100,
                    "status": "beta"
                }
            }
        },
        "broadcom-bnxt-en": {
            "type": "network",
            "friendly_name": "broadcom-bnxt-en",
            "description": "broadcom-bnxt-en",
            "info": "broadcom-bnxt-en",
            "selected": "generic",
            "active": "generic",
            "variants": {
                "generic": {
                    "version": "1.2",
                    "hardware_present": true,
                    "priority": 100,
                    "status": "beta"
                }
            }
        },
        "broadcom-mpi3mr": {
            "type": "storage",
            "friendly_name": "broadcom-mpi3mr",
            "description": "broadcom-mpi3mr",
            "info": "broadcom-mpi3mr",
            "selected": null,
            "active": null,
            "variants": {
                "generic": {
                    "version": "1.2",
                    "hardware_present": false,
                    "priority": 100,
                    "status": "beta"
                }
            }
        },
        "chelsio-cxgb4": {
            "type": "network",
            "friendly_name": "chelsio-cxgb4",
            "description": "chelsio-cxgb4",
            "info": "chelsio-cxgb4",
            "selected": "oem",
            "active": "oem",
            "variants": {
                "generic": {
                    "version": "1.2",
                    "hardware_present": true,
                    "priority": 100,
                    "status": "beta"
                },
                "oem": {
                    "version": "1.3",
                    "hardware_present": true,
                    "priority": 80,
                    "status": "beta"
                }
            }
        },
        "cisco-enic": {
            "type": "network",
            "friendly_name": "cisco-enic",
            "description": "cisco-enic",
            "info": "cisco-enic",
            "selected": "generic",
            "active": "dell",
            "variants": {
                "generic": {
                    "version": "1.2",
                    "hardware_present": true,
                    "priority": 100,
                    "status": "beta"
                },
                "dell": {
                    "version": "1.5",
                    "hardware_present": true,
                    "priority": 90,
                    "status": "beta"
                }
            }
        },
        "cisco-fnic": {
            "type": "network",
            "friendly_name": "cisco-fnic",
            "description": "cisco-fnic",
            "info": "cisco-fnic",
            "selected": null,
            "active": null,
            "variants": {
                "generic": {
                    "version": "1.2",
                    "hardware_present": false,
                    "priority": 100,
                    "status": "beta"
                }
            }
        },
        "emulex-lpfc": {
            "type": "network",
            "friendly_name": "emulex-lpfc",
            "description": "emulex-lpfc",
            "info": "emulex-lpfc",
            "selected": null,
            "active": null,
            "variants": {
                "generic": {
                    "version": "1.2",
                    "hardware_present": false,
                    "priority": 100,
                    "status": "beta"
                }
            }
        },
        "intel-e1000e": {
            "type": "network",
            "friendly_name": "intel-e1000e",
            "description": "intel-e1000e",
            "info": "intel-e1000e",
            "selected": null,
            "active": null,
            "variants": {
                "generic": {
                    "version": "1.2",
                    "hardware_present": false,
                    "priority": 100,
                    "status": "beta"
                }
            }
        },
        "intel-fm10k": {
            "type": "network",
            "friendly_name": "intel-fm10k",
            "description": "intel-fm10k",
            "info": "intel-fm10k",
            "selected": null,
            "active": null,
            "variants": {
                "generic": {
                    "version": "1.2",
                    "hardware_present": false,
                    "priority": 100,
                    "status": "beta"
                }
            }
        },
        "intel-i40e": {
            "type": "network",
            "friendly_name": "intel-i40e",
            "description": "intel-i40e",
            "info": "intel-i40e",
            "selected": null,
            "active": null,
            "variants": {
                "generic": {
                    "version": "1.2",
                    "hardware_present": false,
                    "priority": 100,
                    "status": "beta"
                }
            }
        },
        "intel-ice": {
            "type": "network",
            "friendly_name": "intel-ice",
            "description": "intel-ice",
            "info": "intel-ice",
            "selected": null,
            "active": null,
            "variants": {
                "generic": {
                    "version": "1.2",
                    "hardware_present": false,
                    "priority": 100,
                    "status": "beta"
                }
            }
        },
        "intel-igb": {
            "type": "network",
            "friendly_name": "intel-igb",
            "description": "intel-igb",
            "info": "intel-igb",
            "selected": null,
            "active": null,
            "variants": {
                "generic": {
                    "version": "1.2",
                    "hardware_present": false,
                    "priority": 100,
                    "status": "beta"
                }
            }
        },
        "intel-igc": {
            "type": "network",
            "friendly_name": "intel-igc",
            "description": "",
            "info": "",
            "selected": null,
            "active": null,
            "variants": {
                "generic": {
                    "version": "1.2",
                    "hardware_present": false,
                    "priority": 100,
                    "status": "beta"
                }
            }
        },
        "intel-ixgbe": {
            "type": "network",
            "friendly_name": "intel-ixgbe",
            "description": "intel-ixgbe",
            "info": "intel-ixgbe",
            "selected": null,
            "active": null,
            "variants": {
                "generic": {
                    "version": "1.2",
                    "hardware_present": false,
                    "priority": 100,
                    "status": "beta"
                }
            }
        },
        "mellanox-mlnxen": {
            "type": "network",
            "friendly_name": "mellanox-mlnxen",
            "description": "mellanox-mlnxen",
            "info": "mellanox-mlnxen",
            "selected": null,
            "active": null,
            "variants": {
                "generic": {
                    "version": "1.2",
                    "hardware_present": false,
                    "priority": 100,
                    "status": "beta"
                }
            }
        },
        "microsemi-aacraid": {
            "type": "storage",
            "friendly_name": "microsemi-aacrai",
            "description": "microsemi-aacrai",
            "info": "microsemi-aacrai",
            "selected": null,
            "active": null,
            "variants": {
                "generic": {
                    "version": "1.2",
                    "hardware_present": false,
                    "priority": 100,
                    "status": "beta"
                }
            }
        },
        "microsemi-smartpqi": {
            "type": "storage",
            "friendly_name": "microsemi-smartpqi",
            "description": "microsemi-smartpqi",
            "info": "microsemi-smartpqi",
            "selected": null,
            "active": null,
            "variants": {
                "generic": {
                    "version": "1.2",
                    "hardware_present": false,
                    "priority": 100,
                    "status": "beta"
                }
            }
        },
        "qlogic-fastlinq": {
            "type": "network",
            "friendly_name": "qlogic-fastlinq",
            "description": "qlogic-fastlinq",
            "info": "qlogic-fastlinq",
            "selected": null,
            "active": null,
            "variants": {
                "generic": {
                    "version": "1.2",
                    "hardware_present": false,
                    "priority": 100,
                    "status": "beta"
                }
            }
        },
        "qlogic-netxtreme2": {
            "type": "network",
            "friendly_name": "qlogic-netxtreme2",
            "description": "qlogic-netxtreme2",
            "info": "qlogic-netxtreme2",
            "selected": null,
            "active": null,
            "variants": {
                "generic": {
                    "version": "1.2",
                    "hardware_present": false,
                    "priority": 100,
                    "status": "beta"
                }
            }
        }
    }
}
"#;

    /// A valid answer with one driver, `d`, of one variant, `generic`; the cases below change
    /// one thing in it with [`with`].
    const GOOD: &str = r#"{
        "protocol": {"version": 0.1},
        "operation": {"reboot": false},
        "drivers": {
            "d": {
                "type": "network",
                "friendly_name": "d-name",
                "description": "desc",
                "info": "info",
                "selected": "generic",
                "active": null,
                "variants": {
                    "generic": {
                        "version": "1.0",
                        "hardware_present": true,
                        "priority": 100,
                        "status": "production"
                    }
                }
            }
        }
    }"#;

    /// GOOD with `from` replaced by `to` (which must occur, once).
    fn with(from: &str, to: &str) -> String {
        assert_eq!(GOOD.matches(from).count(), 1, "{from:?} in GOOD");
        GOOD.replace(from, to)
    }

    fn err(doc: &str) -> String {
        match parse(doc) {
            Ok(drivers) => panic!("parsed, expected an error: {drivers:?}\n{doc}"),
            Err(e) => e,
        }
    }

    fn ok(doc: &str) -> Vec<Driver> {
        parse(doc).unwrap_or_else(|e| panic!("{e}\n{doc}"))
    }

    #[test]
    fn xapi_mock_list() {
        let drivers = ok(MOCK_LIST);
        assert_eq!(drivers.len(), 20);
        // Document order (which is alphabetical in the mock).
        let keys: Vec<&str> = drivers.iter().map(|d| d.key.as_str()).collect();
        assert_eq!(keys[0], "avago-megaraid-sas");
        assert_eq!(keys[19], "qlogic-netxtreme2");

        let enic = drivers.iter().find(|d| d.key == "cisco-enic").unwrap();
        assert_eq!(
            *enic,
            Driver {
                key: "cisco-enic".into(),
                ty: "network".into(),
                name: "cisco-enic".into(),
                description: "cisco-enic".into(),
                info: "cisco-enic".into(),
                selected: Some("generic".into()),
                active: Some("dell".into()),
                variants: vec![
                    (
                        "generic".into(),
                        Variant {
                            version: "1.2".into(),
                            hardware_present: true,
                            priority: 100.0,
                            status: "beta".into(),
                        }
                    ),
                    (
                        "dell".into(),
                        Variant {
                            version: "1.5".into(),
                            hardware_present: true,
                            priority: 90.0,
                            status: "beta".into(),
                        }
                    ),
                ],
            }
        );

        // The key is not the name: xapi would call this one "microsemi-aacrai".
        let aacraid = drivers
            .iter()
            .find(|d| d.key == "microsemi-aacraid")
            .unwrap();
        assert_eq!(aacraid.name, "microsemi-aacrai");
        assert_eq!(aacraid.ty, "storage");
        assert_eq!(
            (aacraid.selected.as_deref(), aacraid.active.as_deref()),
            (None, None)
        );

        let igc = drivers.iter().find(|d| d.key == "intel-igc").unwrap();
        assert_eq!((igc.description.as_str(), igc.info.as_str()), ("", ""));

        let cxgb4 = drivers.iter().find(|d| d.key == "chelsio-cxgb4").unwrap();
        let oem = &cxgb4.variants.iter().find(|(n, _)| n == "oem").unwrap().1;
        assert_eq!((oem.version.as_str(), oem.priority), ("1.3", 80.0));

        let with_hw = drivers
            .iter()
            .filter(|d| d.variants.iter().any(|(_, v)| v.hardware_present))
            .count();
        assert_eq!(with_hw, 3);
        assert!(drivers
            .iter()
            .all(|d| d.variants.iter().all(|(_, v)| v.status == "beta")));
    }

    #[test]
    fn good_parses() {
        let drivers = ok(GOOD);
        assert_eq!(drivers.len(), 1);
        let d = &drivers[0];
        assert_eq!(
            (d.key.as_str(), d.name.as_str(), d.ty.as_str()),
            ("d", "d-name", "network")
        );
        assert_eq!(d.selected.as_deref(), Some("generic"));
        assert_eq!(d.active, None);
        assert_eq!(d.variants.len(), 1);
        assert_eq!(d.variants[0].0, "generic");
        assert_eq!(d.variants[0].1.priority, 100.0);
    }

    // ---- must fail ----

    #[test]
    fn missing_drivers() {
        assert_eq!(
            err(r#"{"protocol": {"version": 0.1}, "operation": {"reboot": false}}"#),
            "Expected object, got null in null"
        );
    }

    #[test]
    fn drivers_not_an_object() {
        assert_eq!(
            err(r#"{"drivers": ["d"]}"#),
            r#"Expected object, got array in ["d"]"#
        );
    }

    #[test]
    fn document_not_an_object() {
        assert_eq!(
            err("[]"),
            "Can't get member 'drivers' of non-object type array in []"
        );
        assert_eq!(
            err("null"),
            "Can't get member 'drivers' of non-object type null in null"
        );
    }

    #[test]
    fn driver_not_an_object() {
        assert_eq!(
            err(r#"{"drivers": {"d": "x"}}"#),
            r#"Can't get member 'type' of non-object type string in "x""#
        );
    }

    #[test]
    fn info_a_list() {
        assert_eq!(
            err(&with(r#""info": "info""#, r#""info": ["a", 1]"#)),
            r#"Expected string, got array in ["a",1]"#
        );
    }

    #[test]
    fn priority_a_string() {
        assert_eq!(
            err(&with(r#""priority": 100"#, r#""priority": "100""#)),
            r#"Expected number, got string in "100""#
        );
    }

    #[test]
    fn hardware_present_a_string() {
        assert_eq!(
            err(&with(
                r#""hardware_present": true"#,
                r#""hardware_present": "true""#
            )),
            r#"Expected bool, got string in "true""#
        );
    }

    #[test]
    fn selected_a_number() {
        assert_eq!(
            err(&with(r#""selected": "generic""#, r#""selected": 1"#)),
            "Expected string or null, got int in 1"
        );
    }

    #[test]
    fn variants_not_an_object() {
        let variants = r#""variants": {
                    "generic": {
                        "version": "1.0",
                        "hardware_present": true,
                        "priority": 100,
                        "status": "production"
                    }
                }"#;
        assert_eq!(
            err(&with(variants, r#""variants": ["generic"]"#)),
            r#"Expected object, got array in ["generic"]"#
        );
        assert_eq!(
            err(&with(variants, r#""variants": null"#)),
            "Expected object, got null in null"
        );
        assert_eq!(
            err(&with(variants, r#""variants": {"generic": 1}"#)),
            "Can't get member 'version' of non-object type int in 1"
        );
    }

    #[test]
    fn missing_required_keys() {
        // A missing key is `null` to `member`.
        assert_eq!(
            err(&with(r#""type": "network","#, "")),
            "Expected string, got null in null"
        );
        assert_eq!(
            err(&with(
                r#""friendly_name": "d-name","#,
                r#""name": "d-name","#
            )),
            "Expected string, got null in null"
        );
        assert_eq!(
            err(&with(
                r#",
                        "status": "production""#,
                ""
            )),
            "Expected string, got null in null"
        );
        assert_eq!(
            err(&with(r#""version": "1.0","#, r#""version": 1.0,"#)),
            "Expected string, got float in 1.0"
        );
    }

    #[test]
    fn checks_in_xapis_order() {
        // Within a driver: `type` before `info`.
        let doc = with(r#""type": "network""#, r#""type": false"#)
            .replace(r#""info": "info""#, r#""info": []"#);
        assert_eq!(err(&doc), "Expected string, got bool in false");
        // Within a variant: `hardware_present` before `priority`.
        let doc = with(r#""hardware_present": true"#, r#""hardware_present": 1"#)
            .replace(r#""priority": 100"#, r#""priority": "x""#);
        assert_eq!(err(&doc), "Expected bool, got int in 1");
        // Between drivers: the first in document order, not alphabetical order.
        let doc = r#"{"drivers": {
            "z": {"type": "network", "friendly_name": "z", "description": "", "info": 1,
                  "selected": null, "active": null, "variants": {}},
            "a": {"type": 2}
        }}"#;
        assert_eq!(err(doc), "Expected string, got int in 1");
    }

    #[test]
    fn not_json() {
        assert!(err("").starts_with("Json_error: "));
        assert!(err(r#"{"drivers": {}"#).starts_with("Json_error: "));
        assert!(err(r#"{"drivers": {}} x"#).starts_with("Json_error: "));
        assert!(err(r#"{"drivers": {},}"#).starts_with("Json_error: "));
    }

    #[test]
    fn int_overflow_like_yojson_basic() {
        // OCaml's max_int is 2^62 - 1.
        assert_eq!(
            ok(&with(
                r#""priority": 100"#,
                r#""priority": 4611686018427387903"#
            ))[0]
                .variants[0]
                .1
                .priority,
            4611686018427387903_i64 as f64
        );
        let e = err(&with(
            r#""priority": 100"#,
            r#""priority": 4611686018427387904"#,
        ));
        assert!(e.contains("Int overflow"), "{e}");
        let e = err(&with(
            r#""priority": 100"#,
            r#""priority": -4611686018427387905"#,
        ));
        assert!(e.contains("Int overflow"), "{e}");
    }

    // ---- must pass ----

    #[test]
    fn selected_and_active_null_or_missing() {
        let d = &ok(&with(r#""selected": "generic""#, r#""selected": null"#))[0];
        assert_eq!((d.selected.as_deref(), d.active.as_deref()), (None, None));
        let doc = with(r#""selected": "generic","#, "").replace(r#""active": null,"#, "");
        let d = &ok(&doc)[0];
        assert_eq!((d.selected.as_deref(), d.active.as_deref()), (None, None));
        // Naming no variant is not an error (xapi's scan just does not set it).
        let d = &ok(&with(r#""selected": "generic""#, r#""selected": "nope""#))[0];
        assert_eq!(d.selected.as_deref(), Some("nope"));
    }

    #[test]
    fn extra_keys_ignored() {
        let doc = with(
            r#""type": "network","#,
            r#""type": "network", "x-extra": [1, {"a": null}],"#,
        )
        .replace(
            r#""status": "production""#,
            r#""status": "production", "more": true"#,
        )
        .replace(
            r#""operation": {"reboot": false},"#,
            r#""operation": {"reboot": false}, "extra": 1,"#,
        );
        assert_eq!(ok(&doc), ok(GOOD));
    }

    #[test]
    fn integer_priority() {
        let d = &ok(&with(r#""priority": 100"#, r#""priority": -3"#))[0];
        assert_eq!(d.variants[0].1.priority, -3.0);
    }

    #[test]
    fn float_priority() {
        let d = &ok(&with(r#""priority": 100"#, r#""priority": 12.5"#))[0];
        assert_eq!(d.variants[0].1.priority, 12.5);
        let d = &ok(&with(r#""priority": 100"#, r#""priority": 1e2"#))[0];
        assert_eq!(d.variants[0].1.priority, 100.0);
    }

    #[test]
    fn protocol_and_operation_not_required() {
        let doc = with(r#""protocol": {"version": 0.1},"#, "")
            .replace(r#""operation": {"reboot": false},"#, "");
        assert_eq!(ok(&doc), ok(GOOD));
        // Nor checked: xapi reads neither.
        let doc = with(r#""protocol": {"version": 0.1}"#, r#""protocol": 7"#)
            .replace(r#""operation": {"reboot": false}"#, r#""operation": "x""#);
        assert_eq!(ok(&doc), ok(GOOD));
    }

    #[test]
    fn empty_drivers_and_variants() {
        assert!(ok(r#"{"drivers": {}}"#).is_empty());
        let d = &ok(
            r#"{"drivers": {"d": {"type": "", "friendly_name": "", "description": "",
            "info": "", "selected": null, "active": null, "variants": {}}}}"#,
        )[0];
        assert!(d.variants.is_empty());
    }

    #[test]
    fn document_order_and_duplicate_keys() {
        let v = r#"{"version": "1", "hardware_present": false, "priority": 1, "status": "s"}"#;
        let drv = |name: &str| {
            format!(
                r#"{{"type": "t", "friendly_name": "{name}", "description": "", "info": "",
                    "selected": null, "active": null,
                    "variants": {{"zz": {v}, "aa": {v}, "zz": {v}}}}}"#
            )
        };
        let doc = format!(
            r#"{{"drivers": {{"zeta": {}, "alpha": {}, "zeta": {}}}}}"#,
            drv("z1"),
            drv("a"),
            drv("z2")
        );
        let drivers = ok(&doc);
        let keys: Vec<(&str, &str)> = drivers
            .iter()
            .map(|d| (d.key.as_str(), d.name.as_str()))
            .collect();
        assert_eq!(keys, [("zeta", "z1"), ("alpha", "a"), ("zeta", "z2")]);
        let names: Vec<&str> = drivers[0]
            .variants
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        assert_eq!(names, ["zz", "aa", "zz"]);

        // A duplicate member: the first one counts.
        let d = &ok(&with(
            r#""type": "network","#,
            r#""type": "network", "type": 5,"#,
        ))[0];
        assert_eq!(d.ty, "network");
        assert_eq!(
            err(&with(
                r#""type": "network","#,
                r#""type": 5, "type": "network","#
            )),
            "Expected string, got int in 5"
        );
    }

    #[test]
    fn error_json_printing() {
        assert_eq!(
            err(&with(
                r#""info": "info""#,
                r#""info": {"a\"b\n": [true, null, -1, 0.5, "\u0001"]}"#
            )),
            r#"Expected string, got object in {"a\"b\n":[true,null,-1,0.5,"\u0001"]}"#
        );
    }

    #[test]
    fn legal_names() {
        for name in ["generic", "oem", "Dell_1.2", "v@2", "A.b_C@9", ""] {
            assert!(legal_name(name), "{name:?}");
        }
        for name in ["intel-e1000e", "a b", "a/b", "x\n", "é", "a+b", "-"] {
            assert!(!legal_name(name), "{name:?}");
        }
        // Every driver key and name in xapi's own mock has a `-`; every variant name is legal.
        let drivers = ok(MOCK_LIST);
        assert!(drivers
            .iter()
            .all(|d| !legal_name(&d.key) && !legal_name(&d.name)));
        assert!(drivers
            .iter()
            .all(|d| d.variants.iter().all(|(n, _)| legal_name(n))));
    }
}
