# -*- coding: utf-8 -*-
"""A test double of XAPI for xcpng-mod's pool commands: XAPI's JSON-RPC v2.0 wire format
(xen-api doc/content/xen-api/wire-protocol.md) on 127.0.0.1, with the calls the tool makes
and XAPI's semantics and error codes as xen-api's source states them (datamodel_errors.ml,
xapi_session.ml, xapi_plugins.ml, xapi_host.ml, xapi_vm_helpers.ml, xapi_ha.ml). It is NOT
XAPI: a pool of hosts, each backed by its own host tree (a demo host), where host.call_plugin
runs the real plugin (packaging/xapi-plugin/xcpng-mod) with the real binary on that host's
tree as xapi_plugins.ml runs plugins: the XML-RPC methodCall as the only argument, the
methodResponse on stdout.      python3 xapi_double.py CONFIG.json PORTS.json

CONFIG ("hosts" and the first line are required; defaults after ':'):
  "credentials": {"user", "password"}, "plugin_dir", "binary", "python", "stubs", "socket"
  "tls": {"cert", "key"} | null;  "drop_sessions_after": 0 (N: all sessions dropped once)
  "reboot_seconds": 1.0;  "ha_enabled": false;  "ha_configuration": {}
  "shared_srs": ["NFS shared"] (every host has a PBD);  "sr_names": [] (SRs without a PBD)
  "hosts": [{"name", "root", "master": bool, "product_version": "8.3.0",
    "unreachable": false        calls forwarded to it: CANNOT_CONTACT_HOST
    "xapi_version": "25.33.0"   software_version xapi "25.33" (major.minor), xapi_build
    "memory_mib": 16384         memory for guests (dom0's own not counted)
    "srs": ["Local storage NAME", *shared_srs]   its PBDs
    "pifs": [{"device": "eth0", "management": true}]   each with a PIF_metrics
    "vms": [{"name", "memory_mib": 1024, "srs": [], "ha_protected": true}]   running there
    "loaded": []                modules loaded at start and each boot: <root>/proc/modules,
                                <root>/sys/module/M/{notes/.note.gnu.build-id, version,
                                srcversion} of the copy that wins (`binary modules M` says)
    "faults": {}}]              below; POST /fault adds more at run time
  Each host also runs a control domain VM, which never moves.
FAULTS (per host; *_after_reboot and plugin_busy_seconds are used once):
  "never_returns": true         after host.reboot the host stays down
  "boot_keeps_old": true        boots leave the loaded modules as they were (the initrd
                                carries the old driver): the old build-ids stay loaded
  "pif_down_after_reboot": DEV  at the next boot (only) that PIF is unplugged, without carrier
  "pbd_unplugged_after_reboot": true   at the next boot (only) all its PBDs are unplugged
  "plugin_busy_seconds": S      at the next call_plugin to it the double holds the plugin's
                                flock (<root>/var/lib/xcpng-mod/xapi-plugin.lock, naming
                                "update") S seconds: the real plugin answers busy
  "unreachable": bool           sets the host's unreachable flag
PORTS (written once listening): {"master": PORT, "hosts": {name: PORT}}; a member's port
answers every call HOST_IS_SLAVE [master address], as a member's xapi does.
TEST ENDPOINTS (master port and socket): GET /state {"pool": {other_config, ha_enabled,
ha_configuration}, "hosts": {name: {enabled, live, boot_time, agent_start_time, reboots,
rebooting, resident_vms (guests), disabled_auto_enable (of the disable in force, else
null)}}, "vms": {name: host | null (halted)}, "calls": [method...], "max_disabled": N (hosts
disabled at once, at most), "reboot_order": [host names, one per host.reboot]}; POST /fault {"host":
name, "faults": {...}} merges faults into that host.

SEMANTICS, from xen-api's source:
- Evacuation (xapi_host.ml compute_evacuation_plan_no_wlb): targets are the other enabled
  hosts whose platform_version, xapi_build, xen are not lower; each guest must be able to
  run on every target (live, else HOST_NOT_LIVE []; its SRs attached there, else
  VM_REQUIRES_SR [vm, sr]); then biggest-fit-decreasing by memory (binpack.ml), unplaced:
  HOST_NOT_ENOUGH_FREE_MEMORY [vm]. No target: NO_HOSTS_AVAILABLE [vm]; HA on and the guest
  unprotected: HOST_EVACUATE_VM_NOT_HA_PROTECTED [vm]. host.evacuate raises the first error
  and moves nothing.
- host.reboot checks only HOST_NOT_DISABLED []; guests left are moved where the plan allows,
  the rest halted (vm_evacuation.ml ensure_no_vms). Down, host_metrics.live is false and
  calls forwarded to it (call_plugin, disable, enable, reboot) answer HOST_OFFLINE [host]
  (message_forwarding.ml check_live; db_gc.ml marks it dead at its shutdown heartbeat). A
  master down answers nothing and forgets every session. At boot other_config boot_time and
  agent_start_time are the new time as OCaml prints it ("1718000000.", always later than the
  last one) and the host is enabled unless disabled with auto_enable=false.
- host.disable's auto_enable needs xapi >= 25.31.0 on the master, else
  MESSAGE_PARAMETER_COUNT_MISMATCH [method, expected, received]; auto_enable=false is also
  refused by an older target (forwarded; true is not sent, gen_client.ml).
NOT MODELLED: tasks and Async calls, events, networks beyond a record per device, VBDs and
VDIs (a VM names its SRs), memory overhead and dynamic ranges, HA failover planning and
fencing, WLB, host.enable's safety checks, PBD.plug and PIF.plug, a down management PIF
cutting its host off, RBAC, XML-RPC.
"""
from __future__ import print_function

import inspect
import json
import os
import ssl
import subprocess
import sys
import threading
import time
import uuid
from collections import OrderedDict

from hosttree import hold_plugin_lock, write_loaded

try:
    from http.server import BaseHTTPRequestHandler, HTTPServer
    from socketserver import ThreadingMixIn, UnixStreamServer
    import xmlrpc.client as xmlrpclib
except ImportError:  # Python 2
    from BaseHTTPServer import BaseHTTPRequestHandler, HTTPServer
    from SocketServer import ThreadingMixIn, UnixStreamServer
    import xmlrpclib

NULL = 'OpaqueRef:NULL'
MIB = 1024 * 1024
DOM0_MIB = 4096
# What a call forwarded to a host that is down answers (message_forwarding.ml check_live).
OFFLINE = 'HOST_OFFLINE'
# Parameters added after a method was published: (index in params, first xapi release).
VERSIONED = {'host.disable': [(2, '25.31.0')],
             'host.evacuate': [(2, '1.297.0'), (3, '23.27.0')]}


class ApiError(Exception):
    def __init__(self, code, params):
        Exception.__init__(self, code)
        self.code = code
        self.params = [str(p) for p in params]


class MasterDown(Exception):
    """The master is rebooting: nobody answers."""


def ref():
    return 'OpaqueRef:' + str(uuid.uuid4())


def version_ints(v):
    """helpers.ml version_numbers_of_string: "25.33.0-1" -> [25, 33, 0, 1]."""
    parts = (v or '0.0.0').split('-')
    nums = parts[0].split('.') + (parts[1].split('.') if len(parts) > 1 else [])
    return [int(n) for n in nums if n.isdigit()]


def versions_not_decreasing(sv_from, sv_to):
    """helpers.ml Checks.Migration.host_versions_not_decreasing."""
    return all(version_ints(sv_to.get(k)) >= version_ints(sv_from.get(k))
               for k in ('platform_version', 'xapi_build', 'xen'))


def xapi_datetime(t):
    return time.strftime('%Y%m%dT%H:%M:%SZ', time.gmtime(t))


def arity(fn):
    """(required, all) parameters of a method, the session included."""
    try:
        spec = inspect.getfullargspec(fn)
        args, defaults = spec.args, spec.defaults
    except AttributeError:  # Python 2
        args, _, _, defaults = inspect.getargspec(fn)
    n = len(args) - 1
    return n - len(defaults or ()), n


class Pool(object):
    def __init__(self, config):
        self.config = config
        self.lock = threading.RLock()
        self.sessions = {}          # ref -> host ref the session belongs to (None: a client)
        self.calls = 0
        self.log = []
        self.dropped = False
        self.tasks = {}
        self.url = None
        self.objs = dict((c, OrderedDict()) for c in (
            'pool', 'host', 'host_metrics', 'VM', 'PIF', 'PIF_metrics', 'network', 'PBD', 'SR',
            'VDI'))
        self.hosts = self.objs['host']
        self.build()

    # -- building the pool from the config ------------------------------------------------
    def add(self, cls, rec):
        r = ref()
        rec.setdefault('uuid', str(uuid.uuid4()))
        rec.setdefault('other_config', {})
        self.objs[cls][r] = rec
        return r

    def build(self):
        cfg = self.config
        shared = cfg.get('shared_srs', ['NFS shared'])
        for h in cfg['hosts']:
            h.setdefault('srs', ['Local storage ' + h['name']] + shared)
        names = list(shared) + list(cfg.get('sr_names', []))
        for h in cfg['hosts']:
            names += h['srs'] + [s for v in h.get('vms', []) for s in v.get('srs', [])]
        self.srs = OrderedDict()
        for n in names:
            if n not in self.srs:
                self.srs[n] = self.add('SR', {
                    'name_label': n, 'name_description': '', 'shared': n in shared,
                    'type': 'nfs' if n in shared else 'ext', 'content_type': 'user',
                    'PBDs': [], 'VDIs': []})
        self.networks = {}
        now = time.time()
        for h in cfg['hosts']:
            self.build_host(h, now)
        self.master = [r for r, h in self.hosts.items() if h['_master']][0]
        self.host_order = list(self.hosts)
        self.pool_ref = self.add('pool', {
            'name_label': 'test pool', 'name_description': '', 'master': self.master,
            'ha_enabled': False, 'ha_configuration': {}, 'ha_statefiles': []})
        self.pool = self.objs['pool'][self.pool_ref]
        if cfg.get('ha_enabled'):
            self.set_ha(list(self.srs.values())[:1], cfg.get('ha_configuration', {}))
        self.sync()

    def build_host(self, h, now):
        xapi = h.get('xapi_version', '25.33.0')
        mem = h.get('memory_mib', 16384) * MIB
        metrics = self.add('host_metrics', {
            'memory_total': mem + DOM0_MIB * MIB, 'live': True,
            'last_updated': xapi_datetime(now)})
        r = self.add('host', {
            'name_label': h['name'], 'name_description': '', 'hostname': h['name'],
            'address': '', 'enabled': True, 'metrics': metrics, 'resident_VMs': [],
            'PIFs': [], 'PBDs': [], 'API_version_major': 2, 'API_version_minor': 21,
            'software_version': {
                'product_version': h.get('product_version', '8.3.0'),
                'product_brand': 'XCP-ng', 'platform_version': '3.4.0',
                'xapi': '.'.join(xapi.split('.')[:2]), 'xapi_build': xapi},
            'other_config': {'boot_time': '%d.' % now, 'agent_start_time': '%d.' % now},
            '_root': h['root'], '_unreachable': bool(h.get('unreachable')),
            '_master': bool(h.get('master')), '_memory': mem, '_faults': dict(h.get('faults', {})),
            '_loaded': list(h.get('loaded', [])), '_down': False, '_reboots': 0,
            '_auto_enable': None, '_boot': int(now)})
        host = self.hosts[r]
        for p in h.get('pifs', [{'device': 'eth0', 'management': True}]):
            self.build_pif(r, p)
        for name in h['srs']:
            pbd = self.add('PBD', {'host': r, 'SR': self.srs[name], 'device_config': {},
                                   'currently_attached': True})
            host['PBDs'].append(pbd)
            self.objs['SR'][self.srs[name]]['PBDs'].append(pbd)
        self.build_vm(r, 'Control domain on host: ' + h['name'], DOM0_MIB, [], dom0=True)
        for v in h.get('vms', []):
            self.build_vm(r, v['name'], v.get('memory_mib', 1024), v.get('srs', []),
                          protected=v.get('ha_protected', True))

    def build_pif(self, host, p):
        dev = p['device']
        if dev not in self.networks:
            self.networks[dev] = self.add('network', {
                'name_label': 'Pool-wide network associated with ' + dev, 'PIFs': []})
        metrics = self.add('PIF_metrics', {'carrier': True, 'speed': 1000, 'duplex': True,
                                           'last_updated': xapi_datetime(time.time())})
        management = bool(p.get('management'))
        pif = self.add('PIF', {
            'device': dev, 'host': host, 'network': self.networks[dev], 'MAC': '', 'MTU': 1500,
            'VLAN': -1, 'metrics': metrics, 'physical': True, 'currently_attached': True,
            'management': management, 'disallow_unplug': False,
            'ip_configuration_mode': 'DHCP' if management else 'None'})
        self.hosts[host]['PIFs'].append(pif)
        self.objs['network'][self.networks[dev]]['PIFs'].append(pif)

    def build_vm(self, host, name, mib, srs, dom0=False, protected=True):
        mem = mib * MIB
        self.add('VM', {
            'name_label': name, 'name_description': '', 'power_state': 'Running',
            'resident_on': host, 'affinity': host, 'is_control_domain': dom0,
            'is_a_template': False, 'is_a_snapshot': False, 'domain_type': 'pv' if dom0 else 'hvm',
            'memory_static_min': mem, 'memory_static_max': mem, 'memory_dynamic_min': mem,
            'memory_dynamic_max': mem, 'VCPUs_max': 1, 'VBDs': [], 'VIFs': [],
            'ha_always_run': protected and not dom0,
            'ha_restart_priority': 'restart' if protected and not dom0 else '',
            '_srs': [self.srs[s] for s in srs]})

    # -- records ----------------------------------------------------------------------------
    def get(self, cls, r):
        if r not in self.objs[cls]:
            raise ApiError('HANDLE_INVALID', [cls, r])
        return self.objs[cls][r]

    def host(self, r):
        return self.get('host', r)

    def public(self, rec):
        return dict((k, v) for k, v in rec.items() if not k.startswith('_'))

    def sync(self):
        """The fields XAPI keeps in step: resident_VMs, host_metrics.live."""
        for r, h in self.hosts.items():
            h['resident_VMs'] = [v for v, vm in self.objs['VM'].items() if vm['resident_on'] == r]
            self.objs['host_metrics'][h['metrics']]['live'] = not h['_down']

    def generic(self, method, params):
        """CLS.get_all, get_all_records, get_record, get_by_uuid, get_FIELD,
        add_to_other_config, remove_from_other_config."""
        cls, _, op = method.partition('.')
        table, args = self.objs[cls], params[1:]
        if op == 'get_all' and not args:
            return list(table)
        if op == 'get_all_records' and not args:
            return OrderedDict((r, self.public(rec)) for r, rec in table.items())
        if op == 'get_by_uuid' and len(args) == 1:
            for r, rec in table.items():
                if rec['uuid'] == args[0]:
                    return r
            raise ApiError('UUID_INVALID', [cls, args[0]])
        if op == 'add_to_other_config' and len(args) == 3:
            return self.map_add(cls, self.get(cls, args[0]), 'other_config', *args[1:]) or ''
        if op == 'remove_from_other_config' and len(args) == 2:
            self.get(cls, args[0])['other_config'].pop(args[1], None)
            return ''
        if op.startswith('get_') and len(args) == 1:
            rec = self.get(cls, args[0])
            if op == 'get_record':
                return self.public(rec)
            if op[4:] in rec and not op.startswith('get__'):
                return rec[op[4:]]
        raise ApiError('MESSAGE_METHOD_UNKNOWN', [method])

    def map_add(self, table, rec, field, key, value):
        m = rec[field]
        if key in m:
            raise ApiError('MAP_DUPLICATE_KEY', [table, field, rec['uuid'], key])
        m[key] = value

    # -- calls ------------------------------------------------------------------------------
    def call(self, method, params, local=False):
        with self.lock:
            self.calls += 1
            self.log.append(method)
            limit = self.config.get('drop_sessions_after') or 0
            if limit and not self.dropped and self.calls > limit:
                # As after a toolstack restart: every session is gone, once.
                self.dropped = True
                self.sessions = {}
            if self.hosts[self.master]['_down']:
                raise MasterDown()
            if method == 'session.login_with_password':
                return self.login(*params, local=local)
            if not params:
                raise ApiError('MESSAGE_PARAMETER_COUNT_MISMATCH', [method, 1, 0])
            if params[0] not in self.sessions:
                raise ApiError('SESSION_INVALID', [params[0]])
            fn = METHODS.get(method)
            if fn is None:
                if method.partition('.')[0] in self.objs:
                    self.sync()
                    return self.generic(method, params)
                raise ApiError('MESSAGE_METHOD_UNKNOWN', [method])
            self.check_count(method, fn, params)
            if method not in UNLOCKED:
                self.sync()
                return fn(self, *params)
        return fn(self, *params)

    def check_count(self, method, fn, params):
        """gen_server.ml: [method, params without a default, params received] (no session);
        the master's xapi knows only the parameters of its release."""
        low, high = arity(fn)
        xapi = self.hosts[self.master]['software_version']['xapi_build']
        known = [i for i, release in VERSIONED.get(method, [])
                 if version_ints(xapi) < version_ints(release)]
        if known:
            high = min(high, min(known))
        if not low <= len(params) <= high:
            raise ApiError('MESSAGE_PARAMETER_COUNT_MISMATCH',
                           [method, low - 1, len(params) - 1])

    def login(self, user, password, version='1.0', originator='', local=False):
        creds = self.config['credentials']
        # Over the local socket XAPI trusts the caller as root (xapi_session.ml: preauth).
        if not local and (user != creds['user'] or password != creds['password']):
            raise ApiError('SESSION_AUTHENTICATION_FAILED', [user, 'Authentication failure'])
        s = ref()
        self.sessions[s] = None
        return s

    def assert_contactable(self, r):
        """What a call forwarded to host r meets (message_forwarding.ml do_op_on)."""
        h = self.host(r)
        if h['_down']:
            raise ApiError(OFFLINE, [r])
        if h['_unreachable']:
            raise ApiError('CANNOT_CONTACT_HOST', [r])
        return h

    # -- plugins (xapi_plugins.ml) ------------------------------------------------------------
    def call_plugin(self, session, host, plugin, fn, args):
        with self.lock:
            h = self.assert_contactable(host)
            path = os.path.join(self.config['plugin_dir'], plugin)
            if not os.path.isfile(path):
                raise ApiError('XENAPI_MISSING_PLUGIN', [plugin])
            busy = h['_faults'].pop('plugin_busy_seconds', None)
            s = ref()
            self.sessions[s] = host
        if busy:
            hold_plugin_lock(h['_root'], float(busy))
        call = xmlrpclib.dumps((s, dict((k, str(v)) for k, v in args.items())), fn)
        env = dict(os.environ, PYTHONPATH=self.config['stubs'], XCPNG_MOD_BIN=self.config['binary'],
                   XCPNG_MOD_ROOT=h['_root'], XAPI_DOUBLE_SOCKET=self.url)
        p = subprocess.Popen([self.config.get('python') or sys.executable, path, call],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                             close_fds=True)
        out, err = p.communicate()
        out = out.decode('utf-8', 'replace')
        err = err.decode('utf-8', 'replace')
        with self.lock:
            self.sessions.pop(s, None)
        if p.returncode != 0:
            raise ApiError('XENAPI_PLUGIN_FAILURE', ['non-zero exit', out, err])
        try:
            (answer,), _ = xmlrpclib.loads(out)
        except xmlrpclib.Fault as f:
            raise ApiError('XENAPI_PLUGIN_FAILURE', ['fault', f.faultCode, f.faultString])
        except Exception:
            raise ApiError('XENAPI_PLUGIN_FAILURE', ['unexpected XMLRPC result', out])
        if answer.get('Status') == 'Success':
            return answer['Value']
        desc = answer.get('ErrorDescription') or ['XENAPI_PLUGIN_FAILURE']
        raise ApiError(desc[0], desc[1:])

    # -- memory, placement, evacuation (xapi_host.ml, xapi_vm_helpers.ml) ----------------------
    def guests_on(self, r):
        return [v for v, vm in self.objs['VM'].items() if vm['resident_on'] == r
                and vm['power_state'] == 'Running' and not vm['is_control_domain']]

    def memory(self, v):
        return self.objs['VM'][v]['memory_static_max']

    def free_memory(self, r):
        return self.hosts[r]['_memory'] - sum(self.memory(v) for v in self.guests_on(r))

    def attached_srs(self, r):
        pbds = [self.objs['PBD'][p] for p in self.hosts[r]['PBDs']]
        return set(p['SR'] for p in pbds if p['currently_attached'])

    def assert_can_boot_here(self, v, r, memory=True):
        vm, h = self.objs['VM'][v], self.hosts[r]
        if h['_down']:
            raise ApiError('HOST_NOT_LIVE', [])
        if vm['resident_on'] != r and not h['enabled']:
            raise ApiError('HOST_DISABLED', [r])
        missing = [s for s in vm['_srs'] if s not in self.attached_srs(r)]
        if missing:
            raise ApiError('VM_REQUIRES_SR', [v, missing[0]])
        if memory and self.free_memory(r) < vm['memory_static_max']:
            raise ApiError('HOST_NOT_ENOUGH_FREE_MEMORY',
                           [vm['memory_static_max'], self.free_memory(r)])

    def evacuation_plan(self, r):
        """([(vm, target)], [(vm, [code, params...])]) as compute_evacuation_plan_no_wlb."""
        sv = self.hosts[r]['software_version']
        targets = [t for t, h in self.hosts.items() if t != r and h['enabled']
                   and versions_not_decreasing(sv, h['software_version'])]
        vms = self.guests_on(r)
        if not targets:
            return [], [(v, ['NO_HOSTS_AVAILABLE', v]) for v in vms]
        errors = {}
        if self.pool['ha_enabled']:
            for v in vms:
                if self.objs['VM'][v]['ha_restart_priority'] != 'restart':
                    errors[v] = ['HOST_EVACUATE_VM_NOT_HA_PROTECTED', v]
        for v in [v for v in vms if v not in errors]:
            try:
                for t in targets:
                    self.assert_can_boot_here(v, t, memory=False)
            except ApiError as e:
                errors[v] = [e.code] + e.params
        moves = self.binpack([v for v in vms if v not in errors], targets)
        for v in vms:
            if v not in errors and v not in dict(moves):
                errors[v] = ['HOST_NOT_ENOUGH_FREE_MEMORY', v]
        return moves, [(v, errors[v]) for v in vms if v in errors]

    def binpack(self, vms, targets):
        """binpack.ml biggest_fit_decreasing: the biggest VM onto the freest host."""
        bins = [[self.free_memory(t), t] for t in targets]
        moves = []
        for v in sorted(vms, key=self.memory, reverse=True):
            bins.sort(key=lambda b: -b[0])
            if bins[0][0] >= self.memory(v):
                bins[0][0] -= self.memory(v)
                moves.append((v, bins[0][1]))
        return moves

    def move(self, v, r):
        self.objs['VM'][v]['resident_on'] = r
        self.sync()

    def prevent_evacuation(self, s, r):
        self.host(r)
        return dict(self.evacuation_plan(r)[1])

    def assert_can_evacuate(self, s, r):
        self.host(r)
        errors = [','.join(e) for _, e in self.evacuation_plan(r)[1]]
        if errors:
            raise ApiError('CANNOT_EVACUATE_HOST', ['|'.join(errors)])
        return ''

    def evacuate(self, s, r, network=NULL, batch_size=0):
        self.host(r)
        moves, errors = self.evacuation_plan(r)
        if errors:
            raise ApiError(errors[0][1][0], errors[0][1][1:])
        for v, t in moves:
            self.move(v, t)
        return ''

    def pool_migrate(self, s, v, r, options):
        vm = self.get('VM', v)
        self.host(r)
        if vm['power_state'] != 'Running':
            raise ApiError('VM_BAD_POWER_STATE', [v, 'running', vm['power_state'].lower()])
        if vm['is_control_domain']:
            raise ApiError('OPERATION_NOT_ALLOWED', ['the control domain cannot migrate'])
        self.assert_can_boot_here(v, r)
        self.move(v, r)
        return ''

    # -- disable, enable, reboot, boot ----------------------------------------------------------
    def disable(self, s, r, auto_enable=True):
        h = self.assert_contactable(r)
        if not auto_enable and version_ints(h['software_version']['xapi_build']) < \
                version_ints(VERSIONED['host.disable'][0][1]):
            raise ApiError('MESSAGE_PARAMETER_COUNT_MISMATCH', ['host.disable', 1, 2])
        if h['enabled']:
            h['enabled'] = False
            h['_auto_enable'] = bool(auto_enable)
        # For the tests: how many hosts were ever disabled at once (a rollout side by side).
        disabled = len([x for x in self.hosts.values() if not x['enabled']])
        self.max_disabled = max(getattr(self, 'max_disabled', 0), disabled)
        return ''

    def enable(self, s, r):
        h = self.assert_contactable(r)
        h['enabled'] = True
        h['_auto_enable'] = None
        return ''

    def reboot(self, s, r):
        h = self.assert_contactable(r)
        if h['enabled']:
            raise ApiError('HOST_NOT_DISABLED', [])
        moves, errors = self.evacuation_plan(r)
        for v, _ in errors:
            self.objs['VM'][v].update(power_state='Halted', resident_on=NULL)
        for v, t in moves:
            self.move(v, t)
        h['_down'] = True
        h['_reboots'] += 1
        self.reboot_order = getattr(self, 'reboot_order', []) + [h['name_label']]
        self.sync()
        if not h['_faults'].get('never_returns'):
            t = threading.Timer(float(self.config.get('reboot_seconds', 1.0)), self.boot, [r])
            t.daemon = True
            t.start()
        return ''

    def boot(self, r):
        h = self.hosts[r]
        if h['_faults'].get('never_returns'):
            return
        if h['_loaded'] and not h['_faults'].get('boot_keeps_old'):
            try:
                write_loaded(self.config['binary'], h['_root'], h['_loaded'])
            except Exception as e:
                print('xapi_double: boot of {}: {}'.format(h['name_label'], e), file=sys.stderr)
        with self.lock:
            h['_boot'] = max(int(time.time()), h['_boot'] + 1)
            h['other_config'].update(boot_time='%d.' % h['_boot'],
                                     agent_start_time='%d.' % h['_boot'])
            self.boot_faults(h)
            h['enabled'] = h['_auto_enable'] is not False
            if h['enabled']:
                h['_auto_enable'] = None
            h['_down'] = False
            if r == self.master:
                self.sessions = {}
            self.sync()

    def boot_faults(self, h):
        """A boot plugs every PIF and PBD again (xapi's startup does: dbsync_slave, the
        storage plug at start); a fault armed for the next boot leaves one PIF without carrier
        or the PBDs unplugged, for that boot only."""
        dev = h['_faults'].pop('pif_down_after_reboot', None)
        for p in h['PIFs']:
            pif = self.objs['PIF'][p]
            down = pif['device'] == dev
            pif['currently_attached'] = not down
            self.objs['PIF_metrics'][pif['metrics']]['carrier'] = not down
        unplugged = bool(h['_faults'].pop('pbd_unplugged_after_reboot', None))
        for p in h['PBDs']:
            self.objs['PBD'][p]['currently_attached'] = not unplugged

    # -- HA (xapi_ha.ml) ----------------------------------------------------------------------
    def set_ha(self, srs, configuration):
        vdi = self.add('VDI', {'name_label': 'Statefile for HA', 'SR': srs[0],
                               'type': 'ha_statefile', 'virtual_size': 4 * MIB})
        self.objs['SR'][srs[0]]['VDIs'].append(vdi)
        self.pool.update(ha_enabled=True, ha_configuration=dict(configuration),
                         ha_statefiles=[vdi])

    def enable_ha(self, s, heartbeat_srs, configuration):
        master = self.hosts[self.master]['software_version']
        for r, h in self.hosts.items():
            if any(version_ints(h['software_version'].get(k)) != version_ints(master.get(k))
                   for k in ('platform_version', 'xapi')):
                raise ApiError('NOT_SUPPORTED_DURING_UPGRADE', [])
        if self.pool['ha_enabled']:
            raise ApiError('HA_IS_ENABLED', [])
        for r, h in self.hosts.items():
            if h['_down']:
                raise ApiError('HOST_OFFLINE', [r])
        for sr in heartbeat_srs:
            self.get('SR', sr)
        shared = [r for r, sr in self.objs['SR'].items() if sr['shared']]
        self.set_ha(list(heartbeat_srs) or shared[:1] or list(self.objs['SR']), configuration)
        return ''

    def disable_ha(self, s):
        if not self.pool['ha_enabled']:
            raise ApiError('HA_NOT_ENABLED', [])
        self.pool.update(ha_enabled=False, ha_statefiles=[])
        return ''

    # -- test endpoints -------------------------------------------------------------------------
    def state(self):
        with self.lock:
            self.sync()
            vms = self.objs['VM']
            hosts = OrderedDict()
            for r, h in self.hosts.items():
                hosts[h['name_label']] = {
                    'enabled': h['enabled'], 'live': not h['_down'],
                    'boot_time': h['other_config'].get('boot_time'),
                    'agent_start_time': h['other_config'].get('agent_start_time'),
                    'reboots': h['_reboots'], 'rebooting': h['_down'],
                    'resident_vms': [vms[v]['name_label'] for v in self.guests_on(r)],
                    'disabled_auto_enable': None if h['enabled'] else h['_auto_enable']}
            return {'pool': dict((k, self.pool[k]) for k in
                                 ('other_config', 'ha_enabled', 'ha_configuration')),
                    'hosts': hosts,
                    'vms': dict((vm['name_label'], self.hosts.get(vm['resident_on'], {}).get(
                                'name_label'))
                                for vm in vms.values() if not vm['is_control_domain']),
                    'calls': list(self.log),
                    'max_disabled': getattr(self, 'max_disabled', 0),
                    'reboot_order': getattr(self, 'reboot_order', [])}

    def add_faults(self, name, faults):
        with self.lock:
            hs = [h for h in self.hosts.values() if h['name_label'] == name]
            if not hs:
                raise KeyError(name)
            hs[0]['_faults'].update(faults)
            if 'unreachable' in faults:
                hs[0]['_unreachable'] = bool(hs[0]['_faults'].pop('unreachable'))
            return hs[0]['_faults']


def this_host(pool, s, _self):
    return pool.sessions.get(s) or pool.master


def task_create(pool, s, label, descr):
    r = ref()
    pool.tasks[r] = {'name_label': label, 'status': 'pending'}
    return r


# Calls other than the generic getters (Pool.generic); each runs under the pool's lock but
# those in UNLOCKED (they call back into the double).
METHODS = {
    'session.logout': lambda pool, s: pool.sessions.pop(s, None) and '',
    'session.get_this_host': this_host,
    'host.call_plugin': Pool.call_plugin,
    'host.compute_free_memory': lambda pool, s, h: pool.host(h) and pool.free_memory(h),
    'host.assert_can_evacuate': Pool.assert_can_evacuate,
    'host.get_vms_which_prevent_evacuation': Pool.prevent_evacuation,
    'host.evacuate': Pool.evacuate,
    'host.disable': Pool.disable,
    'host.enable': Pool.enable,
    'host.reboot': Pool.reboot,
    'VM.pool_migrate': Pool.pool_migrate,
    'pool.enable_ha': Pool.enable_ha,
    'pool.disable_ha': Pool.disable_ha,
    'task.create': task_create,
    'task.set_status': lambda pool, s, t, st: pool.tasks.get(t, {}).update(status=st) or '',
    'task.destroy': lambda pool, s, t: pool.tasks.pop(t, None) and '',
}
UNLOCKED = ('host.call_plugin',)


class Server(ThreadingMixIn, HTTPServer):
    daemon_threads = True


def handler_for(pool, member_of=None, local=False):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def send_json(self, status, doc):
            data = json.dumps(doc).encode('utf-8')
            self.send_response(status)
            self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if member_of is None and self.path == '/state':
                self.send_json(200, pool.state())
            else:
                self.send_error(404)

        def body(self):
            return self.rfile.read(int(self.headers.get('Content-Length') or 0))

        def do_POST(self):
            if member_of is None and self.path == '/fault':
                try:
                    req = json.loads(self.body().decode('utf-8'))
                    self.send_json(200, pool.add_faults(req['host'], req['faults']))
                except (KeyError, ValueError) as e:
                    self.send_json(400, {'error': str(e)})
                return
            if self.path != '/jsonrpc':
                self.send_error(404)
                return
            try:
                req = json.loads(self.body().decode('utf-8'))
                method, params, rid = req['method'], req.get('params') or [], req['id']
            except Exception:
                self.send_response(500)
                self.end_headers()
                self.wfile.write(b'<html><body>HTTP 500 internal server error</body></html>')
                return
            try:
                if member_of is not None:
                    raise ApiError('HOST_IS_SLAVE', [member_of])
                answer = {'jsonrpc': '2.0', 'result': pool.call(method, params, local), 'id': rid}
            except MasterDown:
                self.close_connection = True
                return
            except ApiError as e:
                answer = {'jsonrpc': '2.0', 'id': rid,
                          'error': {'code': 1, 'message': e.code, 'data': e.params}}
            self.send_json(200, answer)
    return Handler


class UnixServer(ThreadingMixIn, UnixStreamServer):
    daemon_threads = True


def run(srv):
    t = threading.Thread(target=srv.serve_forever)
    t.daemon = True
    t.start()


def serve_socket(pool, handler, path):
    """XAPI's local socket (/var/lib/xcp/xapi): what plugins and `xe` on the master use."""
    if os.path.exists(path):
        os.unlink(path)
    run(UnixServer(path, handler))


def serve(pool, handler, tls):
    srv = Server(('127.0.0.1', 0), handler)
    if tls:
        ctx = ssl.SSLContext(getattr(ssl, 'PROTOCOL_TLS_SERVER', ssl.PROTOCOL_SSLv23))
        ctx.load_cert_chain(tls['cert'], tls['key'])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    run(srv)
    return srv.server_address[1]


def main():
    config = json.load(open(sys.argv[1]))
    pool = Pool(config)
    for h in pool.hosts.values():
        if h['_loaded']:
            write_loaded(config['binary'], h['_root'], h['_loaded'])
    tls = config.get('tls')
    master_port = serve(pool, handler_for(pool), tls)
    pool.url = config['socket']
    serve_socket(pool, handler_for(pool, local=True), config['socket'])
    master_address = '127.0.0.1:{}'.format(master_port)
    ports = {}
    for r in pool.host_order:
        h = pool.hosts[r]
        if r == pool.master:
            port = master_port
        else:
            port = serve(pool, handler_for(pool, member_of=master_address), tls)
        h['address'] = '127.0.0.1:{}'.format(port)
        ports[h['name_label']] = port
    tmp = sys.argv[2] + '.tmp'
    with open(tmp, 'w') as f:
        json.dump({'master': master_port, 'hosts': ports}, f)
    os.rename(tmp, sys.argv[2])
    threading.Event().wait()


if __name__ == '__main__':
    main()
