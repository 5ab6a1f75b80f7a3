//! The command-line definitions. The doc comments are the `--help` text; the man pages and
//! completions are generated from these definitions.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// The text after the options of `xcpng-mod --help`: the exit statuses, generated from
/// [`super::exit::ExitStatus`] like the man page's.
fn after_help() -> String {
    format!(
        "{}\nTry the built-in demo host: xcpng-mod demo",
        super::exit::help_table()
    )
}

/// Repositories, packages and kernel-module drivers for XCP-ng hosts.
///
/// xcpng-mod reads the host's yum repositories, lists and explains driver packages
/// (supported, alternate `-alt`, additional `-module`/`kmod-*`), and does what admins
/// otherwise do by hand with yum, grep and modinfo.
#[derive(Debug, Parser)]
#[command(name = "xcpng-mod", version, after_help = after_help(), max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options valid before or after any command; `--help` lists them under their own heading,
/// after the command's own.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Operate on the host tree at DIR: configuration, rpmdb, caches and /lib/modules are all
    /// read under it
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        visible_alias = "installroot",
        default_value = "/"
    )]
    pub root: PathBuf,
    /// Enable repos for this run (globs allowed: 'xcp-ng-test*'); repeatable
    #[arg(long, global = true, value_name = "ID")]
    pub enablerepo: Vec<String>,
    /// Disable repos for this run (globs allowed); repeatable
    #[arg(long, global = true, value_name = "ID")]
    pub disablerepo: Vec<String>,
    /// Use only these repos (globs allowed); repeatable
    #[arg(
        long = "repo",
        global = true,
        value_name = "ID",
        visible_alias = "repoid"
    )]
    pub repo: Vec<String>,
    /// Add a repo for this run: ID,URL with URL file://, http:// or https:// (or a path)
    #[arg(long, global = true, value_name = "ID,URL")]
    pub repofrompath: Vec<String>,
    /// Value of $releasever in repo files
    #[arg(long, global = true, value_name = "V")]
    pub releasever: Option<String>,
    /// Override a configuration option: KEY=VALUE for [main], REPO.KEY=VALUE for repos
    /// (e.g. --setopt=xcp-ng-testing.enabled=1, --setopt=reposdir=DIR)
    #[arg(long, global = true, value_name = "KEY=VALUE")]
    pub setopt: Vec<String>,
    /// Skip signature checks (checksums are still verified); prints a warning
    #[arg(long, global = true)]
    pub nogpgcheck: bool,
    /// Use only cached metadata; never touch the network
    #[arg(short = 'C', long, global = true, conflicts_with = "refresh")]
    pub cacheonly: bool,
    /// Consider cached metadata expired and fetch it again
    #[arg(long, global = true)]
    pub refresh: bool,
    /// Target kernel release for module work (default: the running kernel; under --root, the
    /// newest in ROOT/lib/modules)
    #[arg(long, global = true, value_name = "KVER", value_parser = crate::names::parse_kernel_release)]
    pub kernel: Option<String>,
    /// Answer yes to questions
    #[arg(short = 'y', long, global = true, conflicts_with = "assumeno")]
    pub assumeyes: bool,
    /// Show what would be done and change nothing
    #[arg(long, global = true)]
    pub assumeno: bool,
    /// Also write the solver problem (installed system, repos, request) as a libsolv testcase,
    /// DIR/testcase.t (default ./debugdata), for bug reports; `xcpng-mod debug-solver` and
    /// libsolv's `testsolv` read it
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "debugdata"
    )]
    pub debugsolver: Option<PathBuf>,
    /// Download and verify the packages of the plan into the cache; change nothing else
    #[arg(long, global = true)]
    pub downloadonly: bool,
    /// Machine output on stdout: one JSON document with "version": 1
    #[arg(long, global = true)]
    pub json: bool,
    /// Less talk on stderr
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// More talk on stderr
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List repos with id, name, status, base URLs and cached package count (no network)
    Repolist {
        /// Include disabled repos
        #[arg(long)]
        all: bool,
    },
    /// Fetch and check the metadata of the enabled repos
    Makecache,
    /// List packages; the class flags keep only kernel-driver packages of that class
    List(ListArgs),
    /// Show package details, the repo they come from and the head of their changelog
    Info {
        /// Package names, globs or name-version[-release][.arch]
        #[arg(required = true, value_name = "PKG")]
        packages: Vec<String>,
    },
    /// Find packages whose name or summary contains every term
    Search {
        #[arg(required = true, value_name = "TERM")]
        terms: Vec<String>,
    },
    /// Exit 100 when updates are available (listing them), 0 when none
    CheckUpdate {
        /// Only these packages (names or globs)
        #[arg(value_name = "PKG")]
        packages: Vec<String>,
    },
    /// Compare two [epoch:]version[-release] strings like rpm: exit 0 equal, 11 first newer,
    /// 12 second newer
    Vercmp { evr1: String, evr2: String },
    /// Module inventory for the target kernel: every copy (dir, version, package, class), the
    /// one depmod picks and the one loaded
    Modules {
        /// Only these modules (names as in lsmod)
        #[arg(value_name = "MODULE", value_parser = crate::names::parse_module)]
        modules: Vec<String>,
    },
    /// One kernel module in depth
    #[command(subcommand)]
    Module(ModuleCommand),
    /// Unload a module and load the copy depmod picks, safely: a preflight first, the previous
    /// copy put back when the load or a check fails
    ///
    /// Preflight: the modules holding it (unloaded first, loaded again after), refcounts,
    /// network interfaces and block devices whose device hangs from it, whether the XAPI
    /// management interface (MANAGEMENT_INTERFACE of /etc/xensource-inventory) or a bond or
    /// bridge over it would drop, whether they carry a PIF in use (XAPI's database
    /// /var/lib/xcp/state.db: running VMs on its network, an address XAPI configured for
    /// storage or migration, through bonds, VLANs and tunnels too), and whether the kernel
    /// accepts the copy (vermagic). Verdict:
    /// safe, needs --force (the reasons are printed), or impossible (built in, or held by
    /// something that is not a module: reboot).
    ///
    /// After the load: the loaded build-id must equal the winning file's, the interfaces that
    /// existed must be back, and the kernel log must hold no error from the module; otherwise
    /// the previously loaded file is loaded back by path. Acts only on the running kernel
    /// (the real /); under --root, only --dry-run.
    ///
    /// Exit status: 0 reloaded (or --dry-run of a reload that would go ahead), 1 refused,
    /// failed, or rolled back to the previous copy.
    Reload {
        #[arg(value_name = "MODULE", value_parser = crate::names::parse_module)]
        module: String,
        /// Show the preflight and the plan (unload order, load order, modprobe.d options);
        /// change nothing
        #[arg(long)]
        dry_run: bool,
        /// Go ahead although something is at risk (holders, the management interface,
        /// storage, a vermagic mismatch); never overrides "impossible"
        #[arg(long)]
        force: bool,
    },
    /// Regenerate module dependency data (modules.dep) for the target kernel with the host's
    /// depmod, then check it against xcpng-mod's prediction
    Depmod,
    /// Check RPM files' digests and signatures like `rpmkeys --checksig`, with the keys imported
    /// into the root's rpmdb: one line per file; exit 1 if any fails (unsigned fails too)
    Verify {
        #[arg(required = true, value_name = "FILE.rpm")]
        files: Vec<PathBuf>,
    },
    /// Trusted OpenPGP keys (the gpgkey= of the enabled repos, and the root's rpmdb) by full
    /// fingerprint, with user ids, creation and expiry
    ///
    /// A gpgkey= fetched over the network (https://, http://) is pinned by full fingerprint on
    /// first use under /var/lib/xcpng-mod/keys/REPO; a different key at that URL is refused
    /// from then on, and -C uses the pinned copy.
    Keys {
        /// Forget the pinned keys of REPO and pin what its gpgkey= URLs serve now (after you
        /// checked the new fingerprint with the repo's owner); repeatable
        #[arg(long, value_name = "REPO")]
        accept: Vec<String>,
    },
    /// Find broken module and depmod states of the target kernel, each with what is wrong,
    /// why it matters and the fix; --fix applies the safe fixes
    ///
    /// Checks: an alternate in override/ that depmod ignores (no `search override`), a stale
    /// or missing modules.dep, a winning copy built for another kernel (vermagic), an
    /// alternate older than the supported driver, module files no package owns in
    /// updates/, extra/ or override/, 7.x per-module depmod.d files whose alternate is gone,
    /// an initrd older than a module it contains.
    ///
    /// --fix only writes /etc/depmod.d/00-xcpng-override.conf (`search override`), removes
    /// orphaned 7.x per-module files and runs depmod for the target kernel; it never removes
    /// a module file or a package, nor rebuilds the initrd.
    ///
    /// Exit status: 0 when no problem remains (findings marked info do not count), 1 when
    /// errors or warnings remain.
    Doctor {
        /// Apply the safe fixes, say what was done, then check again
        #[arg(long)]
        fix: bool,
    },
    /// Install packages (names, globs, name-version[-release][.arch] or provides) and what
    /// they need.
    ///
    /// Prints the plan like yum, asks for confirmation on a terminal (-y answers yes; with no
    /// terminal and no -y the command refuses), downloads and verifies every package
    /// (checksums, and signatures where gpgcheck=1) before any is installed, then runs the
    /// root's own rpm. --assumeno prints the plan and changes nothing; --downloadonly stops
    /// after downloading and verifying. Each run is recorded in `history`. Runs hold
    /// /run/xcpng-mod.lock and refuse while yum runs.
    Install(TransactionArgs),
    /// Update all installed packages, or the named ones, to the best available version
    /// (see `install` about --assumeno)
    #[command(visible_alias = "upgrade")]
    Update(UpdateArgs),
    /// Replace installed packages by an older available version (see `install` about
    /// --assumeno)
    Downgrade(TransactionArgs),
    /// Remove packages and the installed packages that depend on them (shown in the plan);
    /// protected packages (xcp-ng-deps, vendor-drivers, the running kernel, xcpng-mod) are
    /// never removed (see `install` about --assumeno)
    #[command(visible_alias = "erase")]
    Remove(TransactionArgs),
    /// Install installed packages again, from the repos, at the same version (see `install`
    /// about --assumeno)
    Reinstall(TransactionArgs),
    /// Past transactions (newest first), one in detail, and taking them back
    ///
    /// `history undo N` takes back the changes of transaction N; `history rollback N`
    /// returns every package changed after N to its state after N (yum's meanings). Package
    /// files of kernel drivers (and old versions found in the cache) are kept under
    /// /var/cache/xcpng-mod/keep so both work when the repos are gone.
    ///
    /// When a run died midway (kill -9, power loss), the next transaction refuses to start and
    /// shows which steps the rpmdb holds; `history recover` then finishes half-done upgrades
    /// (erases the old version rpm had not erased yet), records the transaction as
    /// interrupted and clears the journal.
    History {
        #[command(subcommand)]
        command: Option<HistoryCommand>,
    },
    /// Put the last good driver back: take back the transaction that last changed the package
    /// of a module's winning copy (or the package named), regenerate depmod data, check that
    /// the expected copy wins, then reload it safely or say a reboot is needed and why
    ///
    /// MODULE is resolved to the package owning the copy depmod picks. The change taken back
    /// is found in `history` (and checked against the rpmdb): an alternate (`-alt`) install
    /// is taken back by removing the `-alt` package, so the supported driver wins again; an
    /// upgrade by downgrading to the previous version, from a repo or from the kept package
    /// files when the repos are unreachable. With no history, an `-alt` package is removed
    /// and any other package goes down to the newest older version found. A package holding a
    /// supported driver is never removed.
    ///
    /// The change runs as a transaction (confirmation as for `install`, recorded in
    /// `history`). On the real / each module whose loaded copy is not the winning one is
    /// reloaded when its preflight says safe (see `reload`); otherwise the reasons for a
    /// reboot are printed. Under --root the reload is only previewed.
    ///
    /// Exit status: 0 done (or --dry-run), 1 refused, failed, the expected copy does not win,
    /// or a reload failed.
    Rollback {
        /// A module name (as in lsmod) or a package name
        #[arg(value_name = "MODULE|PACKAGE", value_parser = crate::names::parse_module)]
        target: String,
        /// Show the change, the copy expected to win and the reload preflight; change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Update candidates: packages in xcp-ng-testing (or the repos of --repo/--enablerepo)
    /// newer than what is installed, with the changelog entries since the installed version
    /// and whether a reboot would be needed; the module impact and restart guidance of
    /// installing them all
    Candidates {
        /// Print the announcement XCP-ng posts for update candidates: why (the changelog
        /// entries since the installed version), the updated RPMs, the commands to install
        /// and to downgrade, what to test, whether a reboot is required; ready to paste
        #[arg(long)]
        announce: bool,
    },
    /// Exit 1 with the reasons when a reboot is needed, 0 when not: markers in
    /// /run/reboot-required.d/, a kernel newer than the running one, Xen or microcode
    /// installed since boot, an initrd older than a driver package installed for it, a loaded
    /// module whose file on disk changed (the copy depmod picks has another build-id, or
    /// srcversion, than the loaded one: `reload` it where safe, or reboot). Also the
    /// packages of the guidance table (see RESTART GUIDANCE in xcpng-mod(1)) installed since
    /// boot; `--json` gives the guidance still pending, in XAPI's names (a toolstack or
    /// device-model restart alone exits 0)
    NeedsReboot,
    /// The driver-tool of XAPI's multi-version driver API (`xe hostdriver-list`,
    /// `hostdriver-select`, `hostdriver-deselect`), for XCP-ng's drivers; XAPI runs it
    ///
    /// `-l` (or `list`): every driver family (named after its supported package, else its
    /// module) with its variants: `supported`, `alternate` (the `-alt` packages, installed or
    /// in enabled repos; `alternate.2`… in package-name order), `additional`, `builtin` (the
    /// kernel's copy); for each its module version, whether a PCI device of this host matches
    /// its module aliases, its depmod priority (higher wins), XCP-ng's status; the variant
    /// whose copy wins (selected) and the one loaded (active, by build-id). JSON in XAPI's
    /// format, always; with the repos unreachable, the installed variants (a note on stderr).
    ///
    /// `-s -n DRIVER -v VARIANT` (or `select DRIVER VARIANT`): make that variant's copy win:
    /// install its package or remove the packages of the family that outrank it, as one
    /// transaction (signatures and checksums checked as for `install`), refused before any
    /// change unless the plan makes that copy win, checked against the real modules.dep after
    /// and taken back if it does not; the kernel's own copy (`builtin`) through an `override`
    /// line in /etc/depmod.d/xcpng-mod-MODULE.conf, no package removed. A variant that drives
    /// no device here is refused unless --force (XAPI refuses it too). `-d DRIVER` (or
    /// `deselect DRIVER`): back to the supported variant, else the kernel's. The loaded driver changes at the next load or
    /// boot (`operation.reboot` in `-l`).
    ///
    /// Exit status: 0 done, 1 refused or failed (nothing changed), 2 bad arguments.
    #[command(name = "driver-tool")]
    DriverTool {
        /// `-l` | `-s -n DRIVER -v VARIANT` | `-d DRIVER` | `list` | `select DRIVER VARIANT` |
        /// `deselect DRIVER`, and `--force`
        #[arg(
            value_name = "ARGS",
            trailing_var_arg = true,
            allow_hyphen_values = true,
            num_args = 0..
        )]
        args: Vec<String>,
    },
    /// The PCI devices of the host (sysfs), the driver bound to each and the module copies
    /// that could drive it (by module alias, as modprobe matches them): which wins, which is
    /// loaded, and the driver packages of the enabled repos that carry a module for it
    ///
    /// Names come from pci.ids where the host has it (/usr/share/hwdata/pci.ids). A repo
    /// package that is not installed is matched by the aliases of its module's copies on
    /// disk; `--fetch` reads the aliases from the package itself (downloaded and verified
    /// like any download, then cached).
    Hardware {
        /// Download the driver packages of the enabled repos that are not installed and read
        /// their modules' aliases (cached)
        #[arg(long)]
        fetch: bool,
    },
    /// The pool, through XAPI on its master: every host's drivers and how they compare
    #[command(subcommand)]
    Pool(PoolCommand),
    /// Solve a libsolv testcase (testsolv format) with xcpng-mod's solver and print the result
    /// in the testcase's syntax: exit 0 when it matches the expected result, 1 when not
    DebugSolver {
        #[arg(value_name = "FILE.t")]
        file: PathBuf,
    },
    /// Build the built-in demo host (an XCP-ng-like tree with repos and an rpmdb) and show
    /// its alternate drivers
    Demo {
        /// Where to build it (default: a directory under the system temp dir)
        #[arg(value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Installed packages only
    #[arg(long, group = "scope")]
    pub installed: bool,
    /// Available packages only (newest of each, not installed at that version)
    #[arg(long, group = "scope")]
    pub available: bool,
    /// Updates for installed packages
    #[arg(long, group = "scope")]
    pub updates: bool,
    /// Installed and available (the default)
    #[arg(long, group = "scope")]
    pub all: bool,
    /// Only alternate drivers (`-alt` packages, installed into override/)
    #[arg(long, group = "class")]
    pub alternate: bool,
    /// Only additional drivers (`-module` and `kmod-*` packages)
    #[arg(long, group = "class")]
    pub additional: bool,
    /// Only supported vendor drivers
    #[arg(long, group = "class")]
    pub supported: bool,
    /// Show every available version, not only the newest
    #[arg(long)]
    pub showduplicates: bool,
    /// Package names or globs ('bnxt*')
    #[arg(value_name = "GLOB")]
    pub patterns: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum PoolCommand {
    /// Every host, master first: XCP-ng release, driver packages and versions, per driver the
    /// variant that wins and the one loaded, hardware present, the guidance pending since
    /// boot, reachable or not; with --baseline, each host compliant, non-compliant (and what
    /// differs), incompatible (the variant does not exist there, or its hardware is absent)
    /// or unknown (unreachable); without, what differs between the hosts
    ///
    /// Each host is read through its xcpng-mod plugin (`host.call_plugin`, fn=host_status),
    /// changing nothing. A baseline is `{"drivers": {DRIVER: VARIANT}, "packages": {NAME:
    /// VERSION-RELEASE}}`, or the `--json` output of `pool status` on a good pool (its
    /// `baseline`: the master's state).
    ///
    /// Exit status: 0 every host compliant (with --baseline) or read (without), 1 otherwise.
    Status {
        /// Compare every host with this baseline (JSON)
        #[arg(long, value_name = "FILE")]
        baseline: Option<PathBuf>,
        #[command(flatten)]
        connect: XapiArgs,
    },
    /// Carry one change to every host, one host at a time, verified, stopped and rolled back
    /// at the first failure
    ///
    /// First the plan on every host through its plugin (packages, module impact, guidance;
    /// nothing changes), shown; with -y it runs. The canary goes first (--canary; default:
    /// the master when toolstack packages change, else the member with the fewest running
    /// VMs), then the master, then the members (--parallel N at a time). Per host: the plan
    /// again; when its guidance
    /// needs a reboot or an evacuation, host.assert_can_evacuate, host.disable
    /// (auto_enable=false on XAPI 25.31 and later) and host.evacuate; the change through
    /// the plugin; the reboot and the wait (a new agent start time, metrics live;
    /// --host-timeout), or the reloads the plan names; the verification (the predicted copy
    /// wins and is the one loaded, by build-id; every PIF that was up is up with carrier;
    /// every PBD that was attached is attached); host.enable. The first failure stops the
    /// rollout: that host is rolled back (its transaction undone, its own reboot), verified
    /// again, and left disabled if it does not verify. At the end the VMs go back to the
    /// hosts they lived on. HA is disabled for the rollout and put back as it was.
    ///
    /// The state is kept in pool.other_config:xcpng-mod:rollout (also the lock: one rollout
    /// per pool); `pool resume` carries on after a kill or a failure, `pool abort` takes back
    /// the hosts done.
    ///
    /// `--enablerepo ID` (exact ids, no globs) enables that repo on every host for the
    /// change, as the plugin's `repos` argument.
    ///
    /// Exit status: 0 done (or only planned, without -y), 1 failed (the report says where
    /// and what to do next).
    Rollout {
        #[command(subcommand)]
        operation: RolloutOperation,
        /// The host to go first (name-label or uuid)
        #[arg(long, value_name = "HOST", global = true)]
        canary: Option<String>,
        /// How long a host may take to come back from its reboot, in seconds
        #[arg(long, value_name = "SECONDS", default_value_t = 1200, global = true)]
        host_timeout: u64,
        /// Once the canary and the master are done, run N members side by side (each on
        /// its own XAPI session; a failure stops after its batch)
        #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64), global = true)]
        parallel: u16,
        #[command(flatten)]
        connect: XapiArgs,
    },
    /// Carry on the rollout saved in the pool: after the tool was killed (at any step), or
    /// after a failure (the failed host is tried again)
    Resume {
        #[command(flatten)]
        connect: XapiArgs,
    },
    /// Take back the hosts a rollout has done, newest first (a host a kill left mid-way
    /// too), move the VMs home, put HA back, and drop the rollout
    Abort {
        #[command(flatten)]
        connect: XapiArgs,
    },
}

/// What `pool rollout` does on every host: the single-host command and its arguments.
#[derive(Debug, Subcommand, Clone)]
pub enum RolloutOperation {
    /// `install PACKAGE…` on every host
    Install {
        #[arg(required = true, value_name = "PACKAGE")]
        packages: Vec<String>,
    },
    /// `update [PACKAGE…]` on every host
    Update {
        #[arg(value_name = "PACKAGE")]
        packages: Vec<String>,
    },
    /// `remove PACKAGE…` on every host
    Remove {
        #[arg(required = true, value_name = "PACKAGE")]
        packages: Vec<String>,
    },
    /// `driver-tool -s -n DRIVER -v VARIANT` on every host
    Select {
        driver: String,
        variant: String,
        /// Select it even where no device of the host matches it
        #[arg(long)]
        force: bool,
    },
    /// `rollback MODULE` on every host
    Rollback { module: String },
}

/// How to reach the pool's XAPI.
#[derive(Debug, Args, Clone)]
pub struct XapiArgs {
    /// The pool master's XAPI, https://MASTER[:PORT] (a member answers HOST_IS_SLAVE and
    /// the master it names is used), or a socket path; default: XAPI's local socket
    /// /var/lib/xcp/xapi, when run on the master (no password needed there)
    #[arg(long, value_name = "URL", global = true)]
    pub xapi: Option<String>,
    /// For https://: accept exactly this certificate (PEM: the pool's own, self-signed);
    /// default: the system's trusted roots and the host name
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "xapi_fingerprint",
        global = true
    )]
    pub xapi_cert: Option<PathBuf>,
    /// For https://: accept exactly the certificate with this SHA-256 fingerprint (as
    /// `openssl x509 -noout -fingerprint -sha256` prints it)
    #[arg(long, value_name = "SHA256", global = true)]
    pub xapi_fingerprint: Option<String>,
    /// Read the XAPI credentials from FILE (`user=NAME` and `password=SECRET` lines); without
    /// it, XCPNG_MOD_XAPI_USER (default root) and XCPNG_MOD_XAPI_PASSWORD. Never on the
    /// command line
    #[arg(long, value_name = "FILE", global = true)]
    pub credentials: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ModuleCommand {
    /// Every copy of a module, the one depmod picks, the one loaded, vermagic, signature,
    /// holders and aliases
    Show {
        #[arg(value_name = "MODULE", value_parser = crate::names::parse_module)]
        module: String,
    },
}

/// Packages of a transaction command.
#[derive(Debug, Args)]
pub struct TransactionArgs {
    /// Package names, globs, name-version[-release][.arch] or provides
    #[arg(required = true, value_name = "PKG")]
    pub packages: Vec<String>,
}

/// Packages of `update` (none: everything).
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Only these packages (names, globs or name-version[-release][.arch])
    #[arg(value_name = "PKG")]
    pub packages: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// Every transaction, newest first (the default)
    List,
    /// One transaction: command line, user, time, each package before → after, result, advice
    Info {
        #[arg(value_name = "ID")]
        id: u64,
    },
    /// Take back the changes of transaction ID
    Undo {
        #[arg(value_name = "ID")]
        id: u64,
    },
    /// Return every package changed after transaction ID to its state after ID
    Rollback {
        #[arg(value_name = "ID")]
        id: u64,
    },
    /// After a run died midway: finish its half-done upgrades, record it, clear the journal
    Recover,
}
