//! `driver-tool` (XAPI's calling conventions, its JSON always) and `hardware` (text and
//! `--json`): the arguments read as XAPI gives them, and what `ops::driver_tool` returns
//! formatted.

use super::render::Width;
use super::{Env, View};
use crate::error::{Error, Result};
use crate::ops::driver_tool::{self, Hardware, Selection};
use crate::ops::Context;
use crate::wire;
use serde::Serialize;

/// What XAPI asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Call {
    List,
    Select { driver: String, variant: String },
    Deselect { driver: String },
}

/// Both of XAPI's conventions: `-l`, `-s -n D -v V`, `-d D` (xapi ≥ 25.15) and `list`,
/// `select D V`, `deselect D` (before), with `--force` anywhere.
fn parse_call(args: &[String]) -> Result<(Call, bool)> {
    let usage = |what: &str| {
        Error::Usage(format!(
            "driver-tool: {what}; use -l | -s -n DRIVER -v VARIANT | -d DRIVER (or list | select DRIVER VARIANT | deselect DRIVER)"
        ))
    };
    let force = args.iter().any(|a| a == "--force");
    let a: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| *a != "--force" && *a != "--")
        .collect();
    let call = match a.as_slice() {
        ["-l"] | ["list"] => Call::List,
        ["select", d, v] => Call::Select {
            driver: d.to_string(),
            variant: v.to_string(),
        },
        ["deselect", d] | ["-d", d] => Call::Deselect {
            driver: d.to_string(),
        },
        [] => return Err(usage("no operation given")),
        rest if rest.first() == Some(&"-s") => {
            let (mut n, mut v) = (None, None);
            let mut it = rest[1..].iter();
            while let Some(flag) = it.next() {
                let slot = match *flag {
                    "-n" => &mut n,
                    "-v" => &mut v,
                    other => return Err(usage(&format!("unexpected `{other}`"))),
                };
                *slot = Some(
                    it.next()
                        .ok_or_else(|| usage(&format!("{flag} needs a value")))?
                        .to_string(),
                );
            }
            match (n, v) {
                (Some(driver), Some(variant)) => Call::Select { driver, variant },
                _ => return Err(usage("-s needs -n DRIVER and -v VARIANT")),
            }
        }
        _ => return Err(usage(&format!("cannot read `{}`", a.join(" ")))),
    };
    Ok((call, force))
}

pub(super) fn driver_tool(env: &Env<'_>, args: &[String]) -> Result<Box<dyn View>> {
    let (call, force) = parse_call(args)?;
    let ctx = env.context()?;
    Ok(match call {
        Call::List => Box::new(List(driver_tool::list(&ctx)?.drivers)),
        Call::Select { driver, variant } => Box::new(Selected(driver_tool::select(
            &ctx, &driver, &variant, force,
        )?)),
        Call::Deselect { driver } => Box::new(Selected(driver_tool::deselect(&ctx, &driver)?)),
    })
}

/// `-l`: XAPI's format, also as text (XAPI passes no `--json`).
struct List(Vec<crate::modules::variants::Driver>);

impl View for List {
    fn text(&self, _: Width) -> String {
        self.json()
    }
    fn json(&self) -> String {
        wire::document(wire::driver_tool::list(&self.0))
    }
}

struct Selected(Selection);

impl View for Selected {
    fn text(&self, _: Width) -> String {
        self.json()
    }
    fn json(&self) -> String {
        let s = &self.0;
        let out = wire::driver_tool::Selected {
            driver: &s.driver,
            variant: &s.variant,
            exit: 0,
            transaction: s
                .result
                .as_ref()
                .and_then(|r| r.transaction.as_ref())
                .and_then(|t| t.id),
            guidance: s
                .result
                .as_ref()
                .map(|r| r.impact.guidance().iter().map(|g| g.as_str()).collect())
                .unwrap_or_default(),
            result: s
                .result
                .as_ref()
                .map(|r| serde_json::to_value(r).expect("a result serializes")),
        };
        wire::document(out)
    }
}

// ---------------------------------------------------------------- hardware

pub(super) struct HardwareView(Hardware);

pub(super) fn hardware(ctx: &Context<'_>, fetch: bool) -> Result<HardwareView> {
    Ok(HardwareView(driver_tool::hardware(ctx, fetch)?))
}

impl View for HardwareView {
    fn text(&self, _: Width) -> String {
        hardware_text(&self.0)
    }
    fn json(&self) -> String {
        wire::document(hardware_doc(&self.0))
    }
}

fn short<'a>(kernel: &str, path: &'a str) -> &'a str {
    path.strip_prefix(&format!("/lib/modules/{kernel}/"))
        .unwrap_or(path)
}

fn hardware_text(h: &Hardware) -> String {
    if h.devices.is_empty() {
        return "no PCI devices (no /sys/bus/pci/devices under this root)\n".into();
    }
    let mut s = format!("kernel {}\n", h.kernel);
    for d in &h.devices {
        let dev = &d.device;
        let what = d
            .name
            .clone()
            .or_else(|| d.class_name.clone())
            .unwrap_or_else(|| format!("class {:06x}", dev.class));
        s.push_str(&format!(
            "\n{} {} [{}] (subsystem {}, class {:06x})\n",
            dev.address,
            what,
            dev.ids(),
            dev.subsystem(),
            dev.class
        ));
        match (&dev.driver, &dev.driver_module) {
            (Some(drv), Some(m)) => s.push_str(&format!("  bound to {drv} (module {m})\n")),
            (Some(drv), None) => s.push_str(&format!("  bound to {drv} (built into the kernel)\n")),
            (None, _) => {
                let would: Vec<String> = d
                    .packages
                    .iter()
                    .map(|p| {
                        format!(
                            "{} {} in {} carries {} for it",
                            p.package, p.version, p.repo, p.module
                        )
                    })
                    .chain(d.copies.iter().filter(|c| c.wins).map(|c| {
                        format!(
                            "{} on disk ({}) could drive it",
                            c.module,
                            short(&h.kernel, &c.path)
                        )
                    }))
                    .collect();
                if would.is_empty() {
                    s.push_str(
                        "  no driver bound; nothing on disk or in the enabled repos drives it\n",
                    );
                } else {
                    s.push_str(&format!("  no driver bound; {}\n", would.join("; ")));
                }
            }
        }
        for c in &d.copies {
            let mut marks = vec![c.class];
            if c.wins {
                marks.push("wins");
            }
            if c.loaded {
                marks.push("loaded");
            }
            s.push_str(&format!(
                "  {:<16} {} {} ({})\n",
                c.module,
                short(&h.kernel, &c.path),
                c.version.as_deref().unwrap_or("-"),
                marks.join(", ")
            ));
        }
        if dev.driver.is_some() {
            for p in &d.packages {
                s.push_str(&format!(
                    "  {:<16} {} {} in {} (not installed)\n",
                    p.module, p.package, p.version, p.repo
                ));
            }
        }
    }
    if h.unread > 0 {
        s.push_str(&format!(
            "\n{} driver package(s) of the enabled repos, not installed, matched by module name only: `hardware --fetch` reads their own aliases\n",
            h.unread
        ));
    }
    s
}

#[derive(Serialize)]
struct DeviceOut<'a> {
    address: &'a str,
    vendor_device: String,
    subsystem: String,
    class: String,
    modalias: &'a str,
    name: Option<&'a str>,
    class_name: Option<&'a str>,
    driver: Option<&'a str>,
    driver_module: Option<&'a str>,
    copies: Vec<CopyOut<'a>>,
    packages: Vec<PackageOut<'a>>,
}

#[derive(Serialize)]
struct CopyOut<'a> {
    module: &'a str,
    path: &'a str,
    version: Option<&'a str>,
    package: Option<&'a str>,
    class: &'a str,
    wins: bool,
    loaded: bool,
}

#[derive(Serialize)]
struct PackageOut<'a> {
    package: &'a str,
    version: &'a str,
    repo: &'a str,
    module: &'a str,
    by: &'a str,
}

#[derive(Serialize)]
struct HardwareDoc<'a> {
    kernel: &'a str,
    devices: Vec<DeviceOut<'a>>,
    packages_not_read: usize,
}

fn hardware_doc(h: &Hardware) -> HardwareDoc<'_> {
    HardwareDoc {
        kernel: &h.kernel,
        packages_not_read: h.unread,
        devices: h
            .devices
            .iter()
            .map(|d| DeviceOut {
                address: &d.device.address,
                vendor_device: d.device.ids(),
                subsystem: d.device.subsystem(),
                class: format!("{:06x}", d.device.class),
                modalias: &d.device.modalias,
                name: d.name.as_deref(),
                class_name: d.class_name.as_deref(),
                driver: d.device.driver.as_deref(),
                driver_module: d.device.driver_module.as_deref(),
                copies: d
                    .copies
                    .iter()
                    .map(|c| CopyOut {
                        module: &c.module,
                        path: &c.path,
                        version: c.version.as_deref(),
                        package: c.package.as_deref(),
                        class: c.class,
                        wins: c.wins,
                        loaded: c.loaded,
                    })
                    .collect(),
                packages: d
                    .packages
                    .iter()
                    .map(|p| PackageOut {
                        package: &p.package,
                        version: &p.version,
                        repo: &p.repo,
                        module: &p.module,
                        by: p.by,
                    })
                    .collect(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_call, Call};

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn both_of_xapis_conventions_are_read() {
        let sel = Call::Select {
            driver: "intel-igb".into(),
            variant: "alternate".into(),
        };
        assert_eq!(parse_call(&args(&["-l"])).unwrap().0, Call::List);
        assert_eq!(parse_call(&args(&["list"])).unwrap().0, Call::List);
        for a in [
            &["-s", "-n", "intel-igb", "-v", "alternate"][..],
            &["-s", "-v", "alternate", "-n", "intel-igb"],
            &["select", "intel-igb", "alternate"],
        ] {
            assert_eq!(parse_call(&args(a)).unwrap(), (sel.clone(), false), "{a:?}");
        }
        let (c, force) = parse_call(&args(&["--force", "-d", "intel-igb"])).unwrap();
        assert_eq!(
            c,
            Call::Deselect {
                driver: "intel-igb".into()
            }
        );
        assert!(force);
        assert_eq!(
            parse_call(&args(&["deselect", "intel-igb"])).unwrap().0,
            Call::Deselect {
                driver: "intel-igb".into()
            }
        );
        for bad in [
            &[][..],
            &["-s", "-n", "x"],
            &["-s", "-n"],
            &["-x"],
            &["select", "a"],
        ] {
            assert!(parse_call(&args(bad)).is_err(), "{bad:?}");
        }
    }
}
