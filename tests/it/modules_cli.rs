//! The `modules`, `module show` and `depmod` commands, run as the real binary on a temp host
//! tree made of real Debian modules (`XCPNG_MOD_KERNEL_DIR`, see scripts/fetch-kernel.sh),
//! with a faked loaded state (`proc/modules`, `sys/module/<m>/notes/.note.gnu.build-id` cut
//! from the module file by the real `objcopy`). Nothing is loaded into this machine's kernel.

use crate::common::kernel_tree;
use std::path::{Path, PathBuf};
use std::process::Command;

fn bin(root: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xcpng-mod"))
        .arg("--root")
        .arg(root)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

struct Host {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    kver: String,
}

/// kernel/…/virtio_net.ko and (a different real module file) as override/virtio_net.ko, the
/// kernel copy "loaded"; `search override` as on 8.3.
fn host() -> Option<Host> {
    let (src, kver) = kernel_tree()?;
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    let skdir = src.join("lib/modules").join(&kver);
    let kdir = root.join("lib/modules").join(&kver);
    let a = "kernel/drivers/net/virtio_net.ko";
    let b = "kernel/drivers/net/net_failover.ko";
    for (from, to) in [(a, a), (b, b), (b, "override/virtio_net.ko")] {
        std::fs::create_dir_all(kdir.join(to).parent().unwrap()).unwrap();
        std::fs::copy(skdir.join(from), kdir.join(to)).unwrap();
    }
    std::fs::create_dir_all(root.join("etc/depmod.d")).unwrap();
    std::fs::write(
        root.join("etc/depmod.d/00-xcpng-override.conf"),
        "search override\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("proc")).unwrap();
    std::fs::write(
        root.join("proc/modules"),
        "virtio_net 65536 0 - Live 0xffffffffc0000000\n",
    )
    .unwrap();
    let notes = root.join("sys/module/virtio_net/notes");
    std::fs::create_dir_all(&notes).unwrap();
    let st = Command::new("objcopy")
        .args(["-O", "binary", "--only-section=.note.gnu.build-id"])
        .arg(kdir.join(a))
        .arg(notes.join(".note.gnu.build-id"))
        .status()
        .expect("objcopy (binutils) is needed");
    assert!(st.success());
    std::fs::create_dir_all(root.join("sys/module/virtio_net/holders")).unwrap();
    Some(Host {
        _tmp: tmp,
        root,
        kver,
    })
}

#[test]
fn modules_json_shows_pick_loaded_copy_and_pending_change() {
    let Some(h) = host() else { return };
    let (code, out, err) = bin(&h.root, &["--json", "modules", "virtio-net"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["kernel"], h.kver.as_str());
    let m = &v["modules"][0];
    assert_eq!(m["name"], "virtio_net");
    let kd = format!("/lib/modules/{}", h.kver);
    assert_eq!(m["winner"]["path"], format!("{kd}/override/virtio_net.ko"));
    assert_eq!(m["winner"]["dir"], "override");
    assert_eq!(m["copies"].as_array().unwrap().len(), 2);
    assert_eq!(m["copies"][0]["class"], "unpackaged");
    assert_eq!(
        m["loaded"]["path"],
        format!("{kd}/kernel/drivers/net/virtio_net.ko")
    );
    assert_eq!(m["change_pending"], true);
    // No modules.dep yet: stale.
    assert_eq!(v["modules_dep_stale"], true);
}

#[test]
fn depmod_command_writes_what_was_predicted() {
    let Some(h) = host() else { return };
    let (code, out, err) = bin(&h.root, &["--json", "depmod"]);
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["disagreements"].as_array().unwrap().len(), 0);
    let dep = std::fs::read_to_string(h.root.join("lib/modules").join(&h.kver).join("modules.dep"))
        .unwrap();
    assert!(dep.contains("override/virtio_net.ko:"), "{dep}");
    let (_, out, _) = bin(&h.root, &["--json", "modules"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["modules_dep_stale"], false);
}

#[test]
fn module_show_and_unknown_module() {
    let Some(h) = host() else { return };
    let (code, out, err) = bin(&h.root, &["module", "show", "virtio_net"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("depmod picks:  /lib/modules/"), "{out}");
    assert!(
        out.contains("reload or reboot") || out.contains("reload to switch"),
        "{out}"
    );
    assert!(
        out.contains(&format!("vermagic:      {} ", h.kver)),
        "{out}"
    );
    let (code, out, err) = bin(&h.root, &["--json", "module", "show", "no_such_mod"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("no_such_mod") && err.contains("hint:"),
        "{err}"
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["error"]["kind"], "not-found");
}
