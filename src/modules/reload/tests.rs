//! The preflight and the executor against recorded facts and a fake kernel (the real one is
//! in the VM tests).

use super::*;
use crate::modules::inventory::CopyClass;
use crate::modules::modprobe::parse_modprobe_conf;
use crate::modules::xapi::{inventory_cut_short, parse_inventory_value};
use crate::sysroot::Sysroot;

fn copy(path: &str, dir: &str, id: &str, vm: &str) -> CopyRecord {
    CopyRecord {
        path: path.into(),
        dir: dir.into(),
        version: None,
        srcversion: None,
        vermagic: Some(vm.into()),
        build_id: Some(id.into()),
        package: None,
        class: CopyClass::Unpackaged,
        error: None,
        modinfo: None,
    }
}

const VM: &str = "6.1.0-56-cloud-amd64 SMP preempt mod_unload modversions ";
const KP: &str = "/lib/modules/k/kernel/dummy.ko";
const OP: &str = "/lib/modules/k/override/dummy.ko";

fn ld(name: &str, refcnt: i64, users: &[&str], id: &str) -> Loaded {
    Loaded {
        name: name.into(),
        refcnt: Some(refcnt),
        users: users.iter().map(|s| s.to_string()).collect(),
        holders: users.iter().map(|s| s.to_string()).collect(),
        state: "Live".into(),
        build_id: Some(id.into()),
        ..Default::default()
    }
}

/// dummy loaded from kernel/, with an override copy winning.
fn facts(override_vm: &str) -> Facts {
    let entry = ModuleEntry {
        name: "dummy".into(),
        winner: 1,
        copies: vec![
            copy(KP, "kernel", "aa", VM),
            copy(OP, "override", "bb", override_vm),
        ],
        loaded: Some(LoadedState {
            build_id: Some("aa".into()),
            srcversion: None,
            path: Some(KP.into()),
            version: None,
            refcnt: Some(0),
            holders: vec![],
            users: vec![],
        }),
        modules_dep: None,
        hardware: None,
    };
    Facts {
        kernel: "6.1.0-56-cloud-amd64".into(),
        module: "dummy".into(),
        entry: Some(entry),
        modprobe_picks_winner: true,
        loaded: BTreeMap::from([("dummy".to_string(), ld("dummy", 0, &[], "aa"))]),
        kernel_vermagic: Some(VM.into()),
        ..Default::default()
    }
}

#[test]
fn vermagic_like_the_kernel() {
    let k = "6.1.0-56-cloud-amd64";
    assert_eq!(check_vermagic(Some(VM), Some(VM), k), VermagicStatus::Match);
    let other = "6.1.0-55-cloud-amd64 SMP preempt mod_unload modversions ";
    assert_eq!(
        check_vermagic(Some(other), Some(VM), k),
        VermagicStatus::OtherRelease
    );
    let old = "4.19.0+1 SMP mod_unload modversions ";
    assert_eq!(
        check_vermagic(Some(old), Some(VM), k),
        VermagicStatus::Refused
    );
    assert_eq!(check_vermagic(Some(old), None, k), VermagicStatus::Refused);
    assert_eq!(check_vermagic(Some(VM), None, k), VermagicStatus::Match);
    assert_eq!(check_vermagic(None, Some(VM), k), VermagicStatus::Unknown);
}

#[test]
fn unused_module_is_safe_and_planned() {
    let mut f = facts(VM);
    f.options = vec![ModprobeOption {
        module: "dummy".into(),
        options: vec!["numdummies=2".into()],
        file: "/etc/modprobe.d/d.conf".into(),
    }];
    let p = assess(&f);
    assert_eq!(p.verdict, Verdict::Safe, "{:?}", p.reasons);
    assert_eq!(p.plan.unload, vec!["dummy"]);
    assert_eq!(p.plan.load[0].command, vec!["modprobe", "dummy"]);
    assert_eq!(p.plan.options.len(), 1);
    // modules.dep stale: loaded by path with the options.
    f.modprobe_picks_winner = false;
    let p = assess(&f);
    assert_eq!(
        p.plan.load.last().unwrap().command,
        vec!["insmod", OP, "numdummies=2"]
    );
}

#[test]
fn holders_need_force_and_unload_first() {
    let mut f = facts(VM);
    f.loaded
        .insert("dummy".into(), ld("dummy", 1, &["stp"], "aa"));
    f.loaded
        .insert("stp".into(), ld("stp", 1, &["bridge"], "cc"));
    f.loaded.insert("bridge".into(), ld("bridge", 0, &[], "dd"));
    let p = assess(&f);
    assert_eq!(p.verdict, Verdict::NeedsForce);
    assert_eq!(p.plan.unload, vec!["bridge", "stp", "dummy"]);
    let loads: Vec<&str> = p.plan.load.iter().map(|l| l.module.as_str()).collect();
    assert_eq!(loads, vec!["dummy", "stp", "bridge"]);
    assert!(
        p.reasons[0].contains("bridge, stp use dummy"),
        "{:?}",
        p.reasons
    );
    assert!(p.allowed(true) && !p.allowed(false));
}

#[test]
fn refcount_without_holders_is_impossible() {
    let mut f = facts(VM);
    f.loaded.insert("dummy".into(), ld("dummy", 2, &[], "aa"));
    let p = assess(&f);
    assert_eq!(p.verdict, Verdict::Impossible);
    assert!(!p.allowed(true));
    assert!(p.reasons[0].contains("refcount 2"));
    f.loaded
        .insert("dummy".into(), ld("dummy", 0, &["[permanent]"], "aa"));
    assert_eq!(assess(&f).verdict, Verdict::Impossible);
}

#[test]
fn stale_initrd_is_noted() {
    let mut f = facts(VM);
    f.in_initrd = Some(true);
    f.initrd_older = true;
    let p = assess(&f);
    assert_eq!(p.verdict, Verdict::Safe);
    assert!(
        p.notes.iter().any(|n| n.contains("dracut -f")),
        "{:?}",
        p.notes
    );
}

#[test]
fn builtin_is_impossible() {
    let f = Facts {
        kernel: "k".into(),
        module: "ext4".into(),
        builtin: true,
        ..Default::default()
    };
    let p = assess(&f);
    assert_eq!(p.verdict, Verdict::Impossible);
    assert!(p.reasons[0].contains("built into kernel k"));
}

#[test]
fn management_interface_over_the_driver() {
    let mut f = facts(VM);
    f.interfaces = vec![
        NetIf {
            name: "eth0".into(),
            modules: vec!["dummy".into()],
            uppers: vec!["bond0".into(), "xapi1".into()],
            ..Default::default()
        },
        NetIf {
            name: "eth1".into(),
            modules: vec!["dummy".into()],
            ..Default::default()
        },
        NetIf {
            name: "eth2".into(),
            modules: vec!["e1000".into()],
            ..Default::default()
        },
    ];
    f.management_interface = Some("eth1".into());
    let p = assess(&f);
    assert_eq!(p.verdict, Verdict::NeedsForce);
    assert!(p.reasons[0].starts_with("eth1 is the management interface; reloading dummy drops it"));
    assert_eq!(p.interfaces.len(), 2);
    assert!(p.notes.iter().any(|n| n.starts_with("eth0 goes down")));
    f.management_interface = Some("xapi1".into());
    let p = assess(&f);
    assert!(p.reasons[0].starts_with("the management interface xapi1 runs over eth0"));
    f.management_interface = Some("xenbr1".into());
    assert!(assess(&f).reasons[0].contains("xenbr1 runs over eth1"));
    f.management_interface = Some("eth2".into());
    assert_eq!(assess(&f).verdict, Verdict::Safe);
}

#[test]
fn an_unknown_management_interface_never_fails_open() {
    let mut f = facts(VM);
    let iface = |name: &str, up, addr, route| NetIf {
        name: name.into(),
        modules: vec!["dummy".into()],
        up,
        has_address: addr,
        default_route: route,
        ..Default::default()
    };
    f.interfaces = vec![
        iface("eth0", true, Some(true), false),
        iface("eth1", true, Some(false), false),
        iface("eth2", false, Some(false), true),
        iface("eth3", false, Some(false), false),
    ];
    f.management_interface = None;
    f.inventory_problem = Some("/r/etc/xensource-inventory is missing".into());
    let p = assess(&f);
    assert_eq!(p.verdict, Verdict::NeedsForce);
    let mine: Vec<&String> = p
        .reasons
        .iter()
        .filter(|r| r.starts_with("the management interface cannot be known"))
        .collect();
    assert_eq!(mine.len(), 2, "{:?}", p.reasons);
    assert!(mine[0].contains("/r/etc/xensource-inventory is missing"));
    assert!(mine[0].contains("eth0 is up with an address"));
    assert!(mine[1].contains("eth2 carries the default route"));
    assert!(p
        .ways_forward
        .iter()
        .any(|w| w.contains("restore /etc/xensource-inventory")));
    // Under --root the addresses are unknown: up is enough.
    f.interfaces = vec![iface("eth1", true, None, false)];
    assert_eq!(assess(&f).verdict, Verdict::NeedsForce);
    // Nothing up, no route: nothing at risk.
    f.interfaces = vec![iface("eth3", false, Some(false), false)];
    assert_eq!(assess(&f).verdict, Verdict::Safe);
    // XAPI's database was read: it tells (its management PIF), the inventory is not needed.
    f.interfaces = vec![iface("eth0", true, Some(true), false)];
    f.xapi_db_used = true;
    assert_eq!(assess(&f).verdict, Verdict::Safe);
}

#[test]
fn truncated_inventories_are_seen() {
    assert!(!inventory_cut_short("MANAGEMENT_INTERFACE='xenbr0'\n"));
    assert!(!inventory_cut_short(
        "A='b'\nMANAGEMENT_INTERFACE=''\nC='d'"
    ));
    assert!(inventory_cut_short(
        "INSTALLATION_UUID='a'\nMANAGEMENT_INTERF"
    ));
    assert!(inventory_cut_short("MANAGEMENT_INTERFACE='xenb"));
    assert!(inventory_cut_short("MANAGEMENT_INTERFACE='xenb\n"));
    assert!(inventory_cut_short(""));
}

#[test]
fn pifs_in_use_need_force_and_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let root = Sysroot::new(dir.path());
    std::fs::create_dir_all(root.join("/var/lib/xcp")).unwrap();
    std::fs::write(
        root.join(crate::modules::xapi::STATE_DB),
        crate::modules::xapi::tests::pool_db(),
    )
    .unwrap();
    let iface = |n: &str| NetIf {
        name: n.into(),
        modules: vec!["dummy".into()],
        ..Default::default()
    };
    let mut f = facts(VM);
    f.interfaces = ["eth1", "eth2", "eth3", "eth5"].map(iface).to_vec();
    // Which host is this one: the inventory does not say, and the pool has two.
    (f.xapi_problem, f.xapi_age) = read_pifs(&root, "", &mut f.interfaces);
    assert!(f.interfaces.iter().all(|i| i.pifs.is_empty()));
    let p = assess(&f);
    assert!(
        p.notes.iter().any(|n| n.contains("lists 2 hosts")),
        "{:?}",
        p.notes
    );
    assert_eq!(p.verdict, Verdict::Safe);
    let inventory =
        "INSTALLATION_UUID='aaaaaaaa-1111-2222-3333-444444444444'\nMANAGEMENT_INTERFACE='xenbr0'\n";
    (f.xapi_problem, f.xapi_age) = read_pifs(&root, inventory, &mut f.interfaces);
    let p = assess(&f);
    assert_eq!(p.verdict, Verdict::NeedsForce);
    let said = p.reasons.join("\n");
    assert!(said.contains("eth1 carries XAPI network 'VM traffic' (xenbr1), with running VM web-01 (prod) & co plugged in: their network drops while dummy reloads"), "{said}");
    assert!(
        said.contains(
            "eth2 carries XAPI network 'Storage' (xenbr2), with address 10.0.0.5 (Static)"
        ),
        "{said}"
    );
    assert!(said.contains("eth3 carries XAPI network 'DB VLAN' (xenbrvlan20) through slave of bond0, VLAN 20 on bond0, with running VM db-01"), "{said}");
    assert!(!said.contains("eth5"), "{said}");
    assert!(
        p.notes
            .iter()
            .any(|n| n.starts_with("eth5 carries XAPI network 'Spare'")),
        "{:?}",
        p.notes
    );
    assert!(p
        .ways_forward
        .iter()
        .any(|w| w.starts_with("migrate the VMs")));
    assert!(!p.notes.iter().any(|n| n.contains("last wrote")));
    // A database XAPI wrote ten minutes ago: what it may miss is said.
    let ten_min_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(600);
    std::fs::File::options()
        .append(true)
        .open(root.join(crate::modules::xapi::STATE_DB))
        .unwrap()
        .set_modified(ten_min_ago)
        .unwrap();
    (f.xapi_problem, f.xapi_age) = read_pifs(&root, inventory, &mut f.interfaces);
    let notes = assess(&f).notes;
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("XAPI last wrote its database 10 min ago")),
        "{notes:?}"
    );
    // Only the interfaces of the plan count: an e1000 NIC with VMs on it does not.
    for i in &mut f.interfaces {
        i.modules = vec!["e1000".into()];
    }
    assert_eq!(assess(&f).verdict, Verdict::Safe);
    // A damaged database is said, not trusted.
    std::fs::write(
        root.join(crate::modules::xapi::STATE_DB),
        "<database><table name=\"PIF\">",
    )
    .unwrap();
    let (problem, _) = read_pifs(&root, inventory, &mut f.interfaces);
    assert!(problem.unwrap().contains("was not used"));
}

#[test]
fn wrong_vermagic_needs_force() {
    let p = assess(&facts("4.19.0+1 SMP mod_unload modversions "));
    assert_eq!(p.verdict, Verdict::NeedsForce);
    assert_eq!(p.vermagic.status, VermagicStatus::Refused);
    assert!(
        p.reasons[0].contains("the kernel will refuse to load it"),
        "{:?}",
        p.reasons
    );
}

#[test]
fn inventory_and_modprobe_files() {
    let inv = "PRIMARY_DISK='/dev/sda'\nMANAGEMENT_INTERFACE='xenbr0'\n";
    assert_eq!(
        parse_inventory_value(inv, "MANAGEMENT_INTERFACE").as_deref(),
        Some("xenbr0")
    );
    assert_eq!(
        parse_inventory_value("MANAGEMENT_INTERFACE=''", "MANAGEMENT_INTERFACE"),
        None
    );
    let (o, c) = parse_modprobe_conf(
        "# c\noptions bnxt-en a=1 \\\n  b=2\ninstall foo /bin/true\nblacklist x\n",
        "/etc/modprobe.d/x.conf",
    );
    assert_eq!(o[0].module, "bnxt_en");
    assert_eq!(o[0].options, vec!["a=1", "b=2"]);
    assert_eq!(c[0].command, "/bin/true");
    assert_eq!(
        parse_kmsg_error("3,120,5,-;dummy: version magic 'x'\n").as_deref(),
        Some("dummy: version magic 'x'")
    );
    assert_eq!(parse_kmsg_error("6,121,5,-;hello"), None);
}

/// A kernel that refuses files whose build-id is in `refuse`.
struct Fake {
    loaded: BTreeMap<String, Loaded>,
    files: BTreeMap<String, (String, String)>, // path → (module, build-id)
    picks: BTreeMap<String, String>,           // module → path modprobe picks
    refuse: Vec<String>,
    ifaces: Vec<String>,
    log: Vec<String>,
}

impl KernelOps for Fake {
    fn run(&mut self, c: &[String]) -> Result<(), String> {
        let load = |s: &mut Fake, path: &str| {
            let (m, id) = s.files[path].clone();
            if s.refuse.contains(&id) {
                s.log.push(format!("{m}: version magic 'x' should be 'y'"));
                return Err(format!("could not insert '{m}': Exec format error"));
            }
            s.loaded.insert(m.clone(), ld(&m, 0, &[], &id));
            if m == "dummy" {
                s.ifaces.push("dummy0".into());
            }
            Ok(())
        };
        match c[0].as_str() {
            "rmmod" => {
                self.loaded.remove(&c[1]).ok_or("not loaded")?;
                self.ifaces.retain(|i| i != "dummy0");
                Ok(())
            }
            "modprobe" => {
                let p = self.picks[&c[1]].clone();
                load(self, &p)
            }
            "insmod" => load(self, &c[1]),
            _ => Err("?".into()),
        }
    }
    fn loaded(&mut self) -> BTreeMap<String, Loaded> {
        self.loaded.clone()
    }
    fn interfaces(&mut self) -> Vec<String> {
        self.ifaces.clone()
    }
    fn log_mark(&mut self) {
        self.log.clear();
    }
    fn log_errors(&mut self) -> Vec<String> {
        std::mem::take(&mut self.log)
    }
}

fn fake() -> Fake {
    Fake {
        loaded: BTreeMap::from([("dummy".to_string(), ld("dummy", 0, &[], "aa"))]),
        files: BTreeMap::from([
            (KP.to_string(), ("dummy".to_string(), "aa".to_string())),
            (OP.to_string(), ("dummy".to_string(), "bb".to_string())),
        ]),
        picks: BTreeMap::from([("dummy".to_string(), OP.to_string())]),
        refuse: vec![],
        ifaces: vec!["dummy0".into()],
        log: vec![],
    }
}

fn with_iface(mut f: Facts) -> Preflight {
    f.interfaces = vec![NetIf {
        name: "dummy0".into(),
        modules: vec!["dummy".into()],
        ..Default::default()
    }];
    assess(&f)
}

#[test]
fn reload_loads_the_winner_and_checks_it() {
    let pre = with_iface(facts(VM));
    let mut k = fake();
    let r = execute(&pre, &mut k);
    assert_eq!(r.result, ReloadOutcome::Reloaded, "{r:#?}");
    assert_eq!(k.loaded["dummy"].build_id.as_deref(), Some("bb"));
    assert!(r.checks.iter().all(|c| c.ok));
    assert_eq!(r.steps.len(), 2);
}

#[test]
fn a_refused_copy_is_rolled_back_by_path() {
    let pre = with_iface(facts(VM));
    let mut k = fake();
    k.refuse.push("bb".into());
    let r = execute(&pre, &mut k);
    assert_eq!(r.result, ReloadOutcome::FellBack, "{r:#?}");
    assert_eq!(k.loaded["dummy"].build_id.as_deref(), Some("aa"));
    let last = r.steps.last().unwrap();
    assert_eq!(last.command, vec!["insmod", KP]);
    assert!(last.fallback);
    assert!(r.steps[1]
        .message
        .as_ref()
        .unwrap()
        .contains("kernel: dummy: version magic"));
    assert!(!r.success());
}

#[test]
fn a_module_loaded_after_the_preflight_stops_the_reload() {
    let pre = with_iface(facts(VM));
    // Between the preflight and the unload, another process starts using dummy.
    let mut k = fake();
    k.loaded.insert("user".into(), ld("user", 0, &[], "cc"));
    k.loaded.get_mut("dummy").unwrap().holders = vec!["user".into()];
    let r = execute(&pre, &mut k);
    assert_eq!(r.result, ReloadOutcome::Refused, "{r:#?}");
    assert!(r.steps.is_empty(), "nothing may be run: {:?}", r.steps);
    assert!(
        r.summary.contains("the users of dummy changed"),
        "{}",
        r.summary
    );
    assert_eq!(k.loaded["dummy"].build_id.as_deref(), Some("aa"));
    // Replaced by another build meanwhile: also stopped.
    let mut k = fake();
    k.loaded.insert("dummy".into(), ld("dummy", 0, &[], "zz"));
    let r = execute(&pre, &mut k);
    assert_eq!(r.result, ReloadOutcome::Refused);
    assert!(r.summary.contains("dummy was replaced by another build"));
}

#[test]
fn the_fallback_unloads_only_what_this_run_loaded() {
    let pre = with_iface(facts(VM));
    let mut k = fake();
    k.refuse.push("bb".into());
    let r = execute(&pre, &mut k);
    assert_eq!(r.result, ReloadOutcome::FellBack, "{r:#?}");
    // The failed load loaded nothing: the fallback runs no rmmod, only the insmod back.
    let fallback: Vec<&Vec<String>> = r
        .steps
        .iter()
        .filter(|s| s.fallback)
        .map(|s| &s.command)
        .collect();
    assert_eq!(fallback, vec![&vec!["insmod".to_string(), KP.to_string()]]);
}

#[test]
fn a_wrong_build_id_after_load_rolls_back() {
    let pre = with_iface(facts(VM));
    let mut k = fake();
    // modprobe picks the old file: the loaded module is not the winner.
    k.picks.insert("dummy".into(), KP.into());
    let r = execute(&pre, &mut k);
    assert_eq!(r.result, ReloadOutcome::FellBack);
    assert!(r.checks.iter().any(|c| c.name == "build-id" && !c.ok));
}
