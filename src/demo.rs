//! The built-in demo host: an XCP-ng-like tree (yum repos for base, updates and testing, an
//! rpmdb with a kernel and vendor drivers installed, `/lib/modules/4.19.0+1`) made of real
//! RPMs built here with the `rpm` crate (`rpmfile` in this crate), indexed by the real `createrepo_c` and installed by
//! the real `rpm --root`. Tests build their fixture hosts with the same pieces.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The kernel release of the demo host.
pub const KVER: &str = "4.19.0+1";

/// A package to build.
#[derive(Debug, Clone, Default)]
pub struct PkgSpec {
    pub name: String,
    pub epoch: Option<u32>,
    pub version: String,
    pub release: String,
    pub arch: String,
    pub summary: String,
    pub description: String,
    pub provides: Vec<String>,
    pub requires: Vec<String>,
    pub conflicts: Vec<String>,
    pub obsoletes: Vec<String>,
    /// (path on the host, content)
    pub files: Vec<(String, Vec<u8>)>,
    /// (author line, text, unix time)
    pub changelog: Vec<(String, String, u32)>,
    pub post: Option<String>,
    pub pre: Option<String>,
}

impl PkgSpec {
    pub fn new(name: &str, version: &str, release: &str) -> PkgSpec {
        PkgSpec {
            name: name.into(),
            version: version.into(),
            release: release.into(),
            arch: "x86_64".into(),
            summary: format!("{name} package"),
            description: format!("The {name} package."),
            ..Default::default()
        }
    }
    pub fn summary(mut self, s: &str) -> Self {
        self.summary = s.into();
        self
    }
    pub fn arch(mut self, a: &str) -> Self {
        self.arch = a.into();
        self
    }
    pub fn provides(mut self, d: &str) -> Self {
        self.provides.push(d.into());
        self
    }
    pub fn requires(mut self, d: &str) -> Self {
        self.requires.push(d.into());
        self
    }
    pub fn obsoletes(mut self, d: &str) -> Self {
        self.obsoletes.push(d.into());
        self
    }
    pub fn file(mut self, path: &str, content: &[u8]) -> Self {
        self.files.push((path.into(), content.to_vec()));
        self
    }
    /// A `%pre` scriptlet (its failure makes rpm skip the package).
    pub fn pre(mut self, script: &str) -> Self {
        self.pre = Some(script.into());
        self
    }
    pub fn changelog(mut self, author: &str, text: &str, time: u32) -> Self {
        self.changelog.push((author.into(), text.into(), time));
        self
    }

    /// The file name rpm tools give this package.
    pub fn file_name(&self) -> String {
        format!(
            "{}-{}-{}.{}.rpm",
            self.name, self.version, self.release, self.arch
        )
    }
}

fn to_rpm_dep(s: &str) -> Result<rpmfile::Dependency> {
    let d = crate::rpm::Dependency::parse(s)
        .ok_or_else(|| Error::Usage(format!("bad dependency `{s}`")))?;
    let versioned = d.is_versioned();
    let Some(evr) = d.evr.filter(|_| versioned) else {
        return Ok(rpmfile::Dependency::any(d.name));
    };
    let v = evr.to_string();
    Ok(match d.sense.op() {
        "=" => rpmfile::Dependency::eq(d.name, v),
        "<" => rpmfile::Dependency::less(d.name, v),
        "<=" => rpmfile::Dependency::less_eq(d.name, v),
        ">" => rpmfile::Dependency::greater(d.name, v),
        ">=" => rpmfile::Dependency::greater_eq(d.name, v),
        _ => rpmfile::Dependency::any(d.name),
    })
}

fn rpm_err(what: &str) -> impl FnOnce(rpmfile::Error) -> Error + '_ {
    move |e| Error::Failed {
        what: format!("building {what}: {e}"),
        hint: None,
    }
}

/// Build one RPM into `dir`; returns its path.
pub fn build_rpm(spec: &PkgSpec, dir: &Path) -> Result<PathBuf> {
    let mut b = rpmfile::PackageBuilder::new(
        &spec.name,
        &spec.version,
        "GPLv2",
        &spec.arch,
        &spec.summary,
    );
    b.release(&spec.release)
        .description(&spec.description)
        .url("https://xcp-ng.org")
        .vendor("XCP-ng")
        .build_host("demo.xcp-ng.org")
        .using_config(rpmfile::BuildConfig::v4().compression(rpmfile::CompressionType::Gzip));
    if let Some(e) = spec.epoch {
        b.epoch(e);
    }
    for (path, content) in &spec.files {
        b.with_file_contents(
            content.clone(),
            rpmfile::FileOptions::new(path.as_str()).permissions(0o644),
        )
        .map_err(rpm_err(&spec.name))?;
    }
    for d in &spec.provides {
        b.provides(to_rpm_dep(d)?);
    }
    for d in &spec.requires {
        b.requires(to_rpm_dep(d)?);
    }
    for d in &spec.conflicts {
        b.conflicts(to_rpm_dep(d)?);
    }
    for d in &spec.obsoletes {
        b.obsoletes(to_rpm_dep(d)?);
    }
    for (who, text, when) in &spec.changelog {
        b.add_changelog_entry(who, text, *when);
    }
    if let Some(pre) = &spec.pre {
        b.pre_install_script(pre.as_str());
    }
    if let Some(post) = &spec.post {
        b.post_install_script(post.as_str());
    }
    let pkg = b.build().map_err(rpm_err(&spec.name))?;
    std::fs::create_dir_all(dir).map_err(Error::io(dir))?;
    let out = dir.join(spec.file_name());
    pkg.write_file(&out).map_err(rpm_err(&spec.name))?;
    Ok(out)
}

fn tool(name: &str) -> Command {
    let mut c = Command::new(name);
    c.env("LC_ALL", "C");
    c
}

fn run(mut cmd: Command, what: &str) -> Result<()> {
    let out = cmd.output().map_err(|e| Error::Failed {
        what: format!("cannot run {what}: {e}"),
        hint: Some(
            "install rpm and createrepo-c (Debian/Ubuntu: apt-get install rpm createrepo-c)".into(),
        ),
    })?;
    if !out.status.success() {
        return Err(Error::Failed {
            what: format!(
                "{what} failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
            hint: None,
        });
    }
    Ok(())
}

/// Index a directory of RPMs with the real `createrepo_c`.
pub fn createrepo(dir: &Path) -> Result<()> {
    let mut c = tool("createrepo_c");
    c.arg("--quiet").arg("--no-database").arg(dir);
    run(c, "createrepo_c")
}

/// Install RPM files into `root` with the real `rpm` (no dependency checks, no scripts: the
/// demo root has no shell to run them).
pub fn rpm_install(root: &Path, files: &[PathBuf]) -> Result<()> {
    let root = crate::sysroot::Sysroot::new(root);
    let mut init = crate::rpm::command(&root);
    init.arg("--initdb");
    run(init, "rpm --initdb")?;
    if files.is_empty() {
        return Ok(());
    }
    let mut c = crate::rpm::command(&root);
    c.args([
        "-i",
        "--nodeps",
        "--noscripts",
        "--nosignature",
        "--ignorearch",
    ])
    .args(files);
    run(c, "rpm -i")
}

/// A minimal but valid module file (ELF `.modinfo` and build-id) standing in for a driver.
pub fn module_bytes(name: &str, version: &str) -> Vec<u8> {
    let aliases = DEMO_ALIASES
        .iter()
        .find(|(m, _)| *m == name)
        .map(|(_, a)| *a)
        .unwrap_or(&[]);
    module_bytes_with(name, version, aliases)
}

/// The PCI aliases the demo's modules carry (real ids: Intel I210/I350, Broadcom BCM57414,
/// Realtek RTL8125), so that the demo's devices have drivers to match.
const DEMO_ALIASES: &[(&str, &[&str])] = &[
    (
        "igb",
        &[
            "pci:v00008086d00001533sv*sd*bc*sc*i*",
            "pci:v00008086d00001521sv*sd*bc*sc*i*",
        ],
    ),
    ("bnxt_en", &["pci:v000014E4d000016D7sv*sd*bc*sc*i*"]),
    ("r8125", &["pci:v000010ECd00008125sv*sd*bc*sc*i*"]),
];

/// [`module_bytes`] with these `alias=` entries.
pub fn module_bytes_with(name: &str, version: &str, aliases: &[&str]) -> Vec<u8> {
    use sha1::Digest;
    let id = sha1::Sha1::digest(format!("{name}-{version}").as_bytes());
    let src = hex::encode_upper(&id[..12]);
    let mut fields: Vec<(&str, &str)> = vec![
        ("version", version),
        ("license", "GPL"),
        ("srcversion", &src),
        ("depends", ""),
        ("name", name),
        ("vermagic", "4.19.0+1 SMP mod_unload modversions "),
    ];
    fields.extend(aliases.iter().map(|a| ("alias", *a)));
    crate::modules::modinfo::minimal_module(&fields, &id)
}

/// A PCI function in a host tree's sysfs, `<root>/sys/bus/pci/devices/ADDR` (vendor, device,
/// subsystem ids, class and modalias as the kernel writes them), bound to `driver` (provided
/// by `module`, or built in) when given.
pub fn add_pci_device(
    root: &Path,
    addr: &str,
    ids: [u16; 4],
    class: u32,
    driver: Option<(&str, Option<&str>)>,
) -> Result<()> {
    let dev = root.join("sys/bus/pci/devices").join(addr);
    std::fs::create_dir_all(&dev).map_err(Error::io(&dev))?;
    let [v, d, sv, sd] = ids;
    for (f, val) in [
        ("vendor", format!("0x{v:04x}")),
        ("device", format!("0x{d:04x}")),
        ("subsystem_vendor", format!("0x{sv:04x}")),
        ("subsystem_device", format!("0x{sd:04x}")),
        ("class", format!("0x{class:06x}")),
        (
            "modalias",
            crate::modules::pci::modalias(v, d, sv, sd, class),
        ),
    ] {
        std::fs::write(dev.join(f), format!("{val}\n")).map_err(Error::io(&dev))?;
    }
    if let Some((drv, module)) = driver {
        let ddir = root.join("sys/bus/pci/drivers").join(drv);
        std::fs::create_dir_all(&ddir).map_err(Error::io(&ddir))?;
        std::os::unix::fs::symlink(format!("../../drivers/{drv}"), dev.join("driver"))
            .map_err(Error::io(&dev))?;
        if let Some(m) = module {
            let mdir = root.join("sys/module").join(m);
            std::fs::create_dir_all(&mdir).map_err(Error::io(&mdir))?;
            let link = ddir.join("module");
            if !link.exists() {
                std::os::unix::fs::symlink(format!("../../../../module/{m}"), &link)
                    .map_err(Error::io(&ddir))?;
            }
        }
    }
    Ok(())
}

/// The few `pci.ids` lines that name the demo's devices.
const DEMO_PCI_IDS: &str = "8086  Intel Corporation\n\t1533  I210 Gigabit Network Connection\n\
14e4  Broadcom Inc. and subsidiaries\n\t16d7  BCM57414 NetXtreme-E 10Gb/25Gb RDMA Ethernet Controller\n\
C 02  Network controller\n\t00  Ethernet controller\n";

const REL: &str = "xcpng8.3";

fn driver(pkg: &str, module: &str, version: &str, rel: &str, dir: &str) -> PkgSpec {
    PkgSpec::new(pkg, version, &format!("{rel}.{REL}"))
        .summary(&format!("{module} driver ({dir})"))
        .provides("vendor-driver")
        .requires(&format!("kernel-uname-r = {KVER}"))
        .file(
            &format!("/lib/modules/{KVER}/{dir}/{module}.ko"),
            &module_bytes(module, version),
        )
}

/// The demo's repos: (repo id, enabled, packages).
pub fn demo_repos() -> Vec<(&'static str, bool, Vec<PkgSpec>)> {
    let kernel = PkgSpec::new("kernel", "4.19.19", &format!("8.0.38.1.{REL}"))
        .summary("The Linux kernel")
        .provides(&format!("kernel-uname-r = {KVER}"))
        .file(&format!("/boot/vmlinuz-{KVER}"), b"demo kernel image\n")
        .file(
            &format!("/lib/modules/{KVER}/kernel/drivers/net/ethernet/broadcom/bnxt/bnxt_en.ko"),
            &module_bytes("bnxt_en", "1.9.2"),
        )
        .file(
            &format!("/lib/modules/{KVER}/kernel/drivers/net/ethernet/intel/igb/igb.ko"),
            &module_bytes("igb", "5.4.0-k"),
        );
    let base = vec![
        kernel.clone(),
        PkgSpec::new("xcp-ng-release", "8.3.0", &format!("29.{REL}"))
            .summary("XCP-ng release file")
            .provides("system-release(releasever) = 8.3")
            .file("/etc/xcp-ng-release", b"XCP-ng release 8.3.0\n"),
        PkgSpec::new("vendor-drivers", "1.0.2", &format!("1.3.{REL}"))
            .summary("Meta package pulling in the supported vendor drivers")
            .requires("broadcom-bnxt-en")
            .requires("intel-igb"),
        driver(
            "broadcom-bnxt-en",
            "bnxt_en",
            "1.10.0_216.0.119.1",
            "1",
            "updates",
        )
        .summary("Broadcom NetXtreme-C/E network driver"),
        driver(
            "broadcom-bnxt-en-alt",
            "bnxt_en",
            "1.10.3_232.0.155.5",
            "1",
            "override",
        )
        .summary("Alternate Broadcom NetXtreme-C/E network driver"),
        driver("intel-igb", "igb", "5.11.4", "1", "updates")
            .summary("Intel Gigabit Ethernet driver"),
        driver("intel-igb-alt", "igb", "5.3.5.39", "1", "override")
            .summary("Alternate Intel Gigabit Ethernet driver (older than the supported one)"),
        driver(
            &format!("kmod-zfs-{KVER}"),
            "zfs",
            "2.1.7",
            "1",
            "extra/zfs",
        )
        .summary("ZFS kernel modules")
        .provides("zfs-kmod = 2.1.7"),
        driver("r8125-module", "r8125", "9.011.00", "1", "extra")
            .summary("Realtek RTL8125 2.5GbE driver"),
    ];
    let updates = vec![driver(
        "broadcom-bnxt-en",
        "bnxt_en",
        "1.10.0_216.0.119.1",
        "2",
        "updates",
    )
    .summary("Broadcom NetXtreme-C/E network driver")
    .changelog(
        "Samuel Verschelde <stormi-xcp@ylix.fr> - 1.10.0_216.0.119.1-2",
        "- Rebuild for XCP-ng 8.3 updates",
        1_730_000_000,
    )
    .changelog(
        "Samuel Verschelde <stormi-xcp@ylix.fr> - 1.10.0_216.0.119.1-1",
        "- Initial package",
        1_700_000_000,
    )];
    let testing = vec![
        driver("intel-igb", "igb", "5.12.3", "1", "updates")
            .summary("Intel Gigabit Ethernet driver")
            .changelog(
                "Thierry Escande <thierry.escande@vates.tech> - 5.12.3-1",
                "- Update to 5.12.3\n- Fixes link flaps on I350",
                1_735_000_000,
            ),
        driver("r8125-module-alt", "r8125", "9.013.02", "1", "override")
            .summary("Alternate Realtek RTL8125 2.5GbE driver"),
    ];
    vec![
        ("xcp-ng-base", true, base),
        ("xcp-ng-updates", true, updates),
        ("xcp-ng-testing", false, testing),
    ]
}

/// What `build` made.
pub struct DemoHost {
    pub root: PathBuf,
}

/// Where the demo's public key is, as on a host (`gpgkey=file://…`).
pub const DEMO_KEY: &str = "/etc/pki/rpm-gpg/RPM-GPG-KEY-xcpng-demo";

/// The demo's signing key, made when the demo is built: RSA-2048, one primary key for
/// certifying and signing, its user id bound without critical subpackets that rpm's own
/// OpenPGP parser does not know (so `rpm --import` takes it).
pub fn signing_key(uid: &str) -> Result<sequoia_openpgp::Cert> {
    use openpgp::packet::key::{Key4, PrimaryRole, SecretParts};
    use openpgp::packet::signature::subpacket::{Subpacket, SubpacketValue};
    use openpgp::packet::signature::SignatureBuilder;
    use openpgp::packet::{Key, UserID};
    use openpgp::types::{KeyFlags, SignatureType};
    use openpgp::{Cert, Packet};
    use sequoia_openpgp as openpgp;
    let fail = |e: openpgp::anyhow::Error| Error::Failed {
        what: format!("making the demo's signing key: {e}"),
        hint: None,
    };
    let key: Key<SecretParts, PrimaryRole> = Key4::generate_rsa(2048).map_err(fail)?.into();
    let mut signer = key.clone().into_keypair().map_err(fail)?;
    let cert = Cert::try_from(vec![Packet::from(key)]).map_err(fail)?;
    let uid = UserID::from(uid);
    let flags = KeyFlags::empty().set_certification().set_signing();
    let sb = SignatureBuilder::new(SignatureType::PositiveCertification)
        .modify_hashed_area(|mut a| {
            a.add(Subpacket::new(SubpacketValue::KeyFlags(flags), false)?)?;
            Ok(a)
        })
        .map_err(fail)?;
    let binding = uid.bind(&mut signer, &cert, sb).map_err(fail)?;
    Ok(cert
        .insert_packets(vec![Packet::from(uid), binding.into()])
        .map_err(fail)?
        .0)
}

/// An armored detached signature of `data` (SHA-256), as `repomd.xml.asc` is.
pub fn sign_detached(cert: &sequoia_openpgp::Cert, data: &[u8]) -> Result<Vec<u8>> {
    use openpgp::serialize::stream::{Armorer, Message, Signer};
    use sequoia_openpgp as openpgp;
    use std::io::Write;
    let fail = |e: openpgp::anyhow::Error| Error::Failed {
        what: format!("signing the demo's metadata: {e}"),
        hint: None,
    };
    let policy = crate::trust::openpgp::policy();
    let key = cert
        .keys()
        .with_policy(&policy, None)
        .secret()
        .for_signing()
        .next()
        .ok_or_else(|| fail(openpgp::anyhow::anyhow!("no signing key")))?
        .key()
        .clone()
        .into_keypair()
        .map_err(fail)?;
    let mut out = Vec::new();
    let m = Message::new(&mut out);
    let m = Armorer::new(m)
        .kind(openpgp::armor::Kind::Signature)
        .build()
        .map_err(fail)?;
    let mut s = Signer::new(m, key)
        .map_err(fail)?
        .hash_algo(openpgp::types::HashAlgorithm::SHA256)
        .map_err(fail)?
        .detached()
        .build()
        .map_err(fail)?;
    s.write_all(data).map_err(Error::io("<signature>"))?;
    s.finalize().map_err(fail)?;
    Ok(out)
}

/// Sign a built package file in place with `cert` (an RPM v4 header signature).
pub fn sign_rpm(cert: &sequoia_openpgp::Cert, path: &Path) -> Result<()> {
    use sequoia_openpgp::serialize::SerializeInto;
    let secret = cert
        .as_tsk()
        .armored()
        .to_vec()
        .map_err(|e| Error::Failed {
            what: format!("the demo's signing key: {e}"),
            hint: None,
        })?;
    let name = path.display().to_string();
    let mut p = rpmfile::Package::open(path).map_err(rpm_err(&name))?;
    let signer =
        rpmfile::signature::sequoia::Signer::from_asc_bytes(&secret).map_err(rpm_err(&name))?;
    p.sign(signer).map_err(rpm_err(&name))?;
    p.write_file(path).map_err(rpm_err(&name))
}

/// Build (or rebuild) the demo host under `dir`: `dir/root` is the host tree, `dir/repos` the
/// repositories it points to with `file://` URLs.
pub fn build(dir: &Path) -> Result<DemoHost> {
    let dir = std::path::absolute(dir).map_err(Error::io(dir))?;
    let root = dir.join("root");
    let repos = dir.join("repos");
    for d in [&root, &repos] {
        if d.exists() {
            std::fs::remove_dir_all(d).map_err(Error::io(d))?;
        }
    }
    let mut repo_file = String::from("# Demo host repos (xcpng-mod demo).\n");
    let mut installed = Vec::new();
    // Signed as a real host's repos are: packages and repomd.xml, with a key made now.
    let key = signing_key("XCP-ng demo <demo@xcpng-mod.invalid>")?;
    for (id, enabled, pkgs) in demo_repos() {
        let rdir = repos.join(id).join("x86_64");
        let pdir = rdir.join("Packages");
        for p in &pkgs {
            let path = build_rpm(p, &pdir)?;
            sign_rpm(&key, &path)?;
            let install = id == "xcp-ng-base"
                && matches!(
                    p.name.as_str(),
                    "kernel"
                        | "xcp-ng-release"
                        | "vendor-drivers"
                        | "broadcom-bnxt-en"
                        | "intel-igb"
                );
            if install {
                installed.push(path);
            }
        }
        createrepo(&rdir)?;
        let repomd = rdir.join("repodata/repomd.xml");
        let md = std::fs::read(&repomd).map_err(Error::io(&repomd))?;
        let asc = rdir.join("repodata/repomd.xml.asc");
        std::fs::write(&asc, sign_detached(&key, &md)?).map_err(Error::io(&asc))?;
        repo_file.push_str(&format!(
            "\n[{id}]\nname=XCP-ng {} Repository (demo)\nbaseurl=file://{}/\nenabled={}\ngpgcheck=1\nrepo_gpgcheck=1\ngpgkey=file://{DEMO_KEY}\n",
            id.trim_start_matches("xcp-ng-"),
            rdir.display(),
            u8::from(enabled)
        ));
    }
    let etc = root.join("etc/yum.repos.d");
    std::fs::create_dir_all(&etc).map_err(Error::io(&etc))?;
    std::fs::write(etc.join("xcp-ng.repo"), repo_file).map_err(Error::io(&etc))?;
    std::fs::write(
        root.join("etc/yum.conf"),
        "[main]\nmetadata_expire=6h\ngpgcheck=1\n",
    )
    .map_err(Error::io(&root))?;
    std::fs::create_dir_all(root.join("etc/depmod.d")).map_err(Error::io(&root))?;
    std::fs::write(
        root.join("etc/depmod.d/00-xcpng-override.conf"),
        "search override\n",
    )
    .map_err(Error::io(&root))?;
    // As on a real 8.3 host: CentOS's dist.conf ranks updates/ and extra/ above the kernel's
    // own modules, and XCP-ng's 00-xcpng-override.conf puts override/ above everything.
    std::fs::write(
        root.join("etc/depmod.d/dist.conf"),
        "#\n# depmod.conf\n#\n\n# override default search ordering for kmod packaging\nsearch updates extra built-in weak-updates\n",
    )
    .map_err(Error::io(&root))?;
    {
        use sequoia_openpgp::serialize::SerializeInto;
        let public = key.armored().to_vec().map_err(|e| Error::Failed {
            what: format!("the demo's public key: {e}"),
            hint: None,
        })?;
        let path = root.join(DEMO_KEY.trim_start_matches('/'));
        let dir = path.parent().expect("a parent");
        std::fs::create_dir_all(dir).map_err(Error::io(dir))?;
        std::fs::write(&path, public).map_err(Error::io(&path))?;
    }
    // Its network cards, as sysfs shows them, with no driver bound (no kernel runs the demo).
    add_pci_device(
        &root,
        "0000:01:00.0",
        [0x8086, 0x1533, 0x8086, 0x0001],
        0x020000,
        None,
    )?;
    add_pci_device(
        &root,
        "0000:02:00.0",
        [0x14e4, 0x16d7, 0x14e4, 0x1402],
        0x020000,
        None,
    )?;
    let ids = root.join("usr/share/hwdata/pci.ids");
    std::fs::create_dir_all(ids.parent().expect("a parent")).map_err(Error::io(&root))?;
    std::fs::write(&ids, DEMO_PCI_IDS).map_err(Error::io(&ids))?;
    rpm_install(&root, &installed)?;
    // Trusted as on a real host: the key is in the rpmdb (`rpm --import`).
    let mut import = crate::rpm::command(&crate::sysroot::Sysroot::new(&root));
    import
        .arg("--import")
        .arg(root.join(DEMO_KEY.trim_start_matches('/')));
    run(import, "rpm --import")?;
    // The packages' %post would run depmod on a real host; do it here when kmod is present.
    let depmod = ["/sbin/depmod", "/usr/sbin/depmod"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    if let Some(depmod) = depmod {
        let mut c = tool(depmod);
        c.arg("-b")
            .arg(&root)
            .arg("-C")
            .arg(root.join("etc/depmod.d"))
            .arg(KVER);
        run(c, "depmod")?;
    }
    Ok(DemoHost { root })
}
