//! Sections of the man page that clap cannot derive: exit status (generated from the
//! exit-status table), files and examples (written here). `tests/it/docs.rs` assembles them
//! with the sections clap_mangen generates into `man/xcpng-mod.1` and fails when the committed
//! page differs.

/// The man page's sections after the generated ones: EXIT STATUS (from
/// [`super::exit::ExitStatus`], like `--help`'s table), FILES and EXAMPLES.
pub fn man_extra() -> String {
    format!(
        "{}{}{FILES_AND_EXAMPLES}",
        super::exit::man_section(),
        guidance_section()
    )
}

/// roff of the RESTART GUIDANCE section, from the one table of rules
/// ([`crate::transaction::guidance::RULES`]).
fn guidance_section() -> String {
    let mut s = String::from(
        ".SH RESTART GUIDANCE\n\
         The plans and results of install, update, downgrade, reinstall, remove and local \
         package files say, before anything changes, what the change will take, \
         in XAPI's names (\\fBguidance\\fR in \\fB\\-\\-json\\fR): \\fBRebootHost\\fR, \
         \\fBRestartToolstack\\fR, \\fBRestartDeviceModel\\fR, \\fBEvacuateHost\\fR, \
         \\fBRestartVM\\fR; none is []. Where a repo's \\fIupdateinfo.xml\\fR has a notice for \
         a package with a \\fB<guidance>\\fR (mandatory or recommended), the notice decides for \
         that package (a value xen\\-api does not know counts as \\fBRebootHost\\fR, as in \
         xen\\-api). Otherwise the first rule whose package glob matches a package of \
         the plan decides; a package no rule matches that ships files under \\fI/boot\\fR needs \
         \\fBRebootHost\\fR. A module package is judged by its module impact (the \
         \\fBKernel modules\\fR section): a loaded module whose copy changes needs a reload when \
         its reload preflight says safe, else \\fBRebootHost\\fR. Guidances merge as XAPI merges \
         them: \\fBRebootHost\\fR takes in \\fBRestartToolstack\\fR, \\fBEvacuateHost\\fR and \
         \\fBRestartDeviceModel\\fR; \\fBEvacuateHost\\fR and \\fBRestartVM\\fR take in \
         \\fBRestartDeviceModel\\fR.\n",
    );
    for r in crate::transaction::guidance::RULES {
        s.push_str(&format!(
            ".TP\n\\fI{}\\fR\n\\fB{}\\fR: {}.\n",
            r.package.replace('-', "\\-"),
            r.guidance.as_str(),
            r.why
        ));
    }
    s
}

/// roff source of the FILES and EXAMPLES sections.
const FILES_AND_EXAMPLES: &str = r#".SH FILES
All paths are read under \fB\-\-root\fR when it is given.
.TP
\fI/etc/yum.conf\fR, \fI/etc/yum.repos.d/*.repo\fR, \fI/etc/yum/vars/*\fR
Repository configuration, read as yum reads it.
.TP
\fI/etc/yum/pluginconf.d/versionlock.list\fR, \fI/etc/dnf/plugins/versionlock.list\fR
Version locks: \fI[E:]N\-V\-R.A\fR globs are the only versions plans take of their name; \fB!\fR entries are never taken.
.TP
\fI/var/cache/xcpng\-mod/<repo>/repodata/\fR
Checked metadata and its parsed binary forms (\fIprimary.listing\fR for listings, \fIprimary.solver\fR for the solver); replaced whole, never half\-written.
.TP
\fI/var/lib/rpm\fR
The rpm database: read natively (SQLite, or rpm 4.11's Berkeley DB), written only by the
host's \fBrpm\fR.
.TP
\fI/var/cache/xcpng\-mod/rpmdb.cache\fR, \fI/var/cache/xcpng\-mod/<repo>/packages/\fR, \fI/var/cache/xcpng\-mod/keep/\fR
The parsed installed set; downloaded packages; driver packages kept for offline undo and rollback.
.TP
\fI/var/lib/xcpng\-mod/history\fR, \fI/var/lib/xcpng\-mod/journal\fR
Transaction history (append\-only) and the transaction in flight (for recovery after a crash).
.TP
\fI/var/lib/xcpng\-mod/metadata\-seen/\fR, \fI/var/lib/xcpng\-mod/fallback/\fR
The newest signed metadata seen per repository (refuses rollback attacks); copies of loaded
modules, so a failed reload can load the previous copy back.
.TP
\fI/var/lib/xcpng\-mod/keys/<repo>/\fR, \fI/var/lib/xcpng\-mod/derived/<repo>\fR, \fI/var/lib/xcpng\-mod/commandline/\fR
Network \fBgpgkey=\fR keys pinned by fingerprint on first use (\fBkeys \-\-accept\fR takes a
changed one); the digests of the parsed caches derived from signed metadata; private copies of
package files named on the command line (verified and installed from there).
.TP
\fI/var/log/xcpng\-mod.log\fR
One line per package action.
.TP
\fI/run/xcpng\-mod.lock\fR, \fI/var/run/yum.pid\fR
The exclusive lock; xcpng\-mod refuses to run while yum holds its pid file.
.TP
\fI/etc/xensource\-inventory\fR, \fI/etc/modprobe.d/\fR
The XAPI management interface (protected by \fBreload\fR) and this host's uuid; module options
used when loading.
.TP
\fI/var/lib/xcp/state.db\fR
XAPI's database, read only: the PIFs, networks and running VMs over an interface that
\fBreload\fR would take down.
.TP
\fI/lib/modules/<kver>/\fR
Kernel modules: \fIkernel/\fR, \fIupdates/\fR (supported drivers), \fIextra/\fR (additional),
\fIoverride/\fR (alternates), \fImodules.dep\fR.
.TP
\fI/etc/depmod.d/*.conf\fR, \fI/run/depmod.d\fR, \fI/usr/lib/depmod.d\fR, \fI/lib/depmod.d\fR
depmod configuration: search order and overrides.
.TP
\fI/proc/modules\fR, \fI/sys/module/<module>/\fR
Loaded modules.
.SH EXAMPLES
.TP
Install an update candidate from testing, then take it back:
\fBxcpng\-mod \-\-enablerepo xcp\-ng\-testing update intel\-igb\fR, then \fBxcpng\-mod history undo N\fR
.TP
Roll back a faulty driver (removes an alternate, or downgrades), then reload or reboot:
\fBxcpng\-mod rollback bnxt_en\fR
.TP
Which alternate drivers exist, and which is installed:
\fBxcpng\-mod list \-\-alternate\fR
.TP
Which copy of a driver the kernel would load, and which one is loaded:
\fBxcpng\-mod module show bnxt_en\fR
.TP
Update candidates waiting in the testing repository:
\fBxcpng\-mod \-\-enablerepo xcp\-ng\-testing check\-update\fR
.TP
The same for a script or Xen Orchestra:
\fBxcpng\-mod \-\-json \-\-enablerepo xcp\-ng\-testing check\-update\fR
"#;
