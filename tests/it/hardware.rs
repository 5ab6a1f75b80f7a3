//! `hardware` on real modules from Debian's cloud kernel (`XCPNG_MOD_KERNEL_DIR`): PCI
//! devices written into a sysfs tree under `--root`, made from the modules' own aliases as
//! the real `modinfo -F alias` prints them, plus devices nothing drives; for every device, the
//! modules xcpng-mod says could drive it must be the ones the real `modprobe --resolve-alias`
//! resolves its modalias to (on a `modules.alias` written by the real `depmod -b`), and the
//! aliases `module show` reads must be modinfo's. Nothing is loaded on this machine.

use crate::common::{kernel_tree, TestHost};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use xcpng_mod::demo::add_pci_device;

const MODULES: &[&str] = &[
    "kernel/drivers/net/ethernet/intel/ixgbevf/ixgbevf.ko",
    "kernel/drivers/net/ethernet/amazon/ena/ena.ko",
    "kernel/drivers/net/ethernet/google/gve/gve.ko",
    "kernel/drivers/net/ethernet/mellanox/mlx4/mlx4_core.ko",
    "kernel/drivers/net/ethernet/mellanox/mlx5/core/mlx5_core.ko",
    "kernel/drivers/net/vmxnet3/vmxnet3.ko",
    "kernel/drivers/net/virtio_net.ko",
];

fn modinfo_aliases(file: &Path) -> Vec<String> {
    let out = Command::new("modinfo")
        .args(["-F", "alias"])
        .arg(file)
        .output()
        .expect("run modinfo");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// (vendor, device, subvendor, subdevice, class).
type Ids = (u16, u16, u16, u16, u32);

/// A device a PCI alias matches: its wildcards filled in.
fn device_for(alias: &str) -> Option<Ids> {
    let mut rest = alias.strip_prefix("pci:")?;
    let mut vals = Vec::new();
    for (key, width, default) in [
        ("v", 8, 0x1234u32),
        ("d", 8, 0x0001),
        ("sv", 8, 0x1af4),
        ("sd", 8, 0x0042),
        ("bc", 2, 0x02),
        ("sc", 2, 0x00),
        ("i", 2, 0x00),
    ] {
        rest = rest.strip_prefix(key)?;
        if let Some(r) = rest.strip_prefix('*') {
            vals.push(default);
            rest = r;
        } else {
            let (hex, r) = rest.split_at(width.min(rest.len()));
            vals.push(u32::from_str_radix(hex, 16).ok()?);
            rest = r;
        }
    }
    let class = (vals[4] << 16) | (vals[5] << 8) | vals[6];
    Some((
        vals[0] as u16,
        vals[1] as u16,
        vals[2] as u16,
        vals[3] as u16,
        class,
    ))
}

fn resolve(root: &Path, kver: &str, modalias: &str) -> BTreeSet<String> {
    let out = Command::new("modprobe")
        .arg("-d")
        .arg(root)
        .args(["-S", kver, "-C", "/dev/null", "--resolve-alias", modalias])
        .output()
        .expect("run modprobe --resolve-alias (it only reads modules.alias)");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn devices_are_matched_to_modules_as_modprobe_matches_them() {
    let Some((src, kver)) = kernel_tree() else {
        return;
    };
    let h = TestHost::new();
    let kdir = h.root().join("lib/modules").join(&kver);
    for m in MODULES {
        let to = kdir.join(m);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(src.join("lib/modules").join(&kver).join(m), &to).unwrap();
    }
    let st = Command::new("depmod")
        .arg("-b")
        .arg(h.root())
        .arg(&kver)
        .output()
        .unwrap();
    assert!(st.status.success(), "{st:?}");
    // Two devices from each module's own aliases, and three nothing here drives.
    let mut devices: Vec<(String, Ids)> = Vec::new();
    for (i, m) in MODULES.iter().enumerate() {
        let aliases = modinfo_aliases(&kdir.join(m));
        for (j, a) in aliases
            .iter()
            .filter(|a| a.starts_with("pci:"))
            .take(2)
            .enumerate()
        {
            let dev = device_for(a).unwrap_or_else(|| panic!("cannot read alias {a}"));
            devices.push((format!("0000:{:02x}:00.{j}", i + 1), dev));
        }
    }
    devices.push(("0000:40:00.0".into(), (0x1234, 0x5678, 0, 0, 0x020000)));
    devices.push(("0000:41:00.0".into(), (0x8086, 0x10fb, 0x8086, 6, 0x020000)));
    devices.push(("0000:42:00.0".into(), (0x1af4, 0x1041, 0x1af4, 1, 0x020000)));
    for (addr, (v, d, sv, sd, class)) in &devices {
        add_pci_device(h.root(), addr, [*v, *d, *sv, *sd], *class, None).unwrap();
    }
    let doc = h.run(&["--json", "hardware"]).ok().json();
    let listed = doc["devices"].as_array().unwrap();
    assert_eq!(listed.len(), devices.len(), "{doc}");
    let mut matched = 0;
    for dev in listed {
        let modalias = dev["modalias"].as_str().unwrap();
        let ours: BTreeSet<String> = dev["copies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["module"].as_str().unwrap().to_string())
            .collect();
        let theirs = resolve(h.root(), &kver, modalias);
        assert_eq!(ours, theirs, "{}: {modalias}", dev["address"]);
        matched += usize::from(!ours.is_empty());
    }
    assert_eq!(
        matched,
        devices.len() - 3,
        "every alias-made device is driven"
    );
    // The aliases read natively are modinfo's, module by module.
    for m in MODULES {
        let name = m.rsplit('/').next().unwrap().trim_end_matches(".ko");
        let text = h.run(&["module", "show", name]).ok().stdout.clone();
        let mut ours = Vec::new();
        let mut inside = false;
        for l in text.lines() {
            if let Some(a) = l.strip_prefix("aliases:") {
                inside = true;
                ours.push(a.trim().to_string());
            } else if inside && l.starts_with("               ") {
                ours.push(l.trim().to_string());
            } else {
                inside = false;
            }
        }
        assert_eq!(ours, modinfo_aliases(&kdir.join(m)), "{name}");
    }
}

/// A device bound to a driver: said with its module; an unbound one: what would drive it.
#[test]
fn bound_and_unbound_devices_are_said_plainly() {
    let Some((src, kver)) = kernel_tree() else {
        return;
    };
    let h = TestHost::new();
    let kdir = h.root().join("lib/modules").join(&kver);
    let m = "kernel/drivers/net/vmxnet3/vmxnet3.ko";
    std::fs::create_dir_all(kdir.join(m).parent().unwrap()).unwrap();
    std::fs::copy(src.join("lib/modules").join(&kver).join(m), kdir.join(m)).unwrap();
    h.write(
        "/usr/share/hwdata/pci.ids",
        "15ad  VMware\n\t07b0  VMXNET3 Ethernet Controller\nC 02  Network controller\n\t00  Ethernet controller\n",
    );
    add_pci_device(
        h.root(),
        "0000:0b:00.0",
        [0x15ad, 0x07b0, 0x15ad, 0x07b0],
        0x020000,
        Some(("vmxnet3", Some("vmxnet3"))),
    )
    .unwrap();
    add_pci_device(
        h.root(),
        "0000:0c:00.0",
        [0x15ad, 0x07b0, 0x15ad, 0x07b0],
        0x020000,
        None,
    )
    .unwrap();
    add_pci_device(
        h.root(),
        "0000:0d:00.0",
        [0x1234, 0x1111, 0, 0],
        0x020000,
        None,
    )
    .unwrap();
    h.run(&["hardware"])
        .ok()
        .stdout_has("0000:0b:00.0 VMware VMXNET3 Ethernet Controller [15ad:07b0]")
        .stdout_has("bound to vmxnet3 (module vmxnet3)")
        .stdout_has("no driver bound; vmxnet3 on disk (kernel/drivers/net/vmxnet3/vmxnet3.ko) could drive it")
        .stdout_has("no driver bound; nothing on disk or in the enabled repos drives it");
    let doc = h.run(&["--json", "hardware"]).ok().json();
    assert_eq!(doc["devices"][0]["driver_module"], "vmxnet3");
    assert_eq!(doc["devices"][0]["class_name"], "Ethernet controller");
    assert_eq!(doc["devices"][0]["copies"][0]["wins"], true);
    assert_eq!(doc["devices"][2]["copies"], serde_json::json!([]));
}
