# -*- coding: utf-8 -*-
"""Tests of the xcpng-mod XAPI plugin against the demo host (`xcpng-mod demo DIR`).

Run by tests/it/xapi_plugin.rs under every Python it finds (2.7 and 3.x); only the
`XenAPIPlugin` import is stubbed. Environment:
  XCPNG_MOD_BIN   the binary under test
  XCPNG_MOD_DEMO  a demo host directory built by `xcpng-mod demo DIR` (its tree is DIR/root)
"""

from __future__ import print_function

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import types
import unittest

# Leave no bytecode (xcpng-modc, __pycache__/) next to the plugin.
sys.dont_write_bytecode = True

HERE = os.path.dirname(os.path.abspath(__file__))
PLUGIN_PATH = os.path.join(HERE, 'xcpng-mod')


# --- the only stub: XenAPIPlugin ---------------------------------------------------------------
class Failure(Exception):
    """Like XenAPIPlugin.Failure: a code and a list of string parameters."""

    def __init__(self, code, params):
        Exception.__init__(self, code, params)
        self.code = code
        self.params = params


stub = types.ModuleType('XenAPIPlugin')
stub.Failure = Failure
stub.dispatched = None


def _dispatch(table):
    stub.dispatched = table


stub.dispatch = _dispatch
sys.modules['XenAPIPlugin'] = stub


def load_plugin():
    if sys.version_info[0] >= 3:
        import importlib.machinery
        import importlib.util
        loader = importlib.machinery.SourceFileLoader('xcpng_mod_plugin', PLUGIN_PATH)
        spec = importlib.util.spec_from_loader('xcpng_mod_plugin', loader)
        module = importlib.util.module_from_spec(spec)
        loader.exec_module(module)
        return module
    import imp
    return imp.load_source('xcpng_mod_plugin', PLUGIN_PATH)


plugin = load_plugin()

BIN = os.environ['XCPNG_MOD_BIN']
DEMO = os.environ['XCPNG_MOD_DEMO']
ROOT = os.path.join(DEMO, 'root')
UPDATER_PACKAGE_KEYS = ('name', 'version', 'release', 'description', 'changelog', 'url', 'size',
                        'license')

# The arguments each function takes (all of them: any other name is refused).
TAKES = {
    'check_update': ['repos'],
    'update': ['packages', 'repos'],
    'install': ['packages', 'repos'],
    'plan': ['driver', 'force', 'kernel', 'module', 'operation', 'packages', 'repos',
             'variant'],
    'apply': ['driver', 'force', 'kernel', 'module', 'operation', 'packages', 'repos',
              'variant'],
    'undo': ['transaction'],
    'history': [],
    'query_installed': ['packages'],
    'list_modules': ['kernel', 'modules'],
    'reload_module': ['dry_run', 'force', 'kernel', 'module'],
    'rollback_module': ['kernel', 'module'],
    'host_status': [],
}
# Valid required arguments, for calls that put one bad value next to them.
REQUIRED = {
    'install': {'packages': 'r8125-module'},
    'plan': {'operation': 'install', 'packages': 'r8125-module'},
    'apply': {'operation': 'install', 'packages': 'r8125-module'},
    'undo': {'transaction': '1'},
    'reload_module': {'module': 'igb'},
    'rollback_module': {'module': 'igb'},
}
# Injection attempts per argument: options of the binary, globs, paths, shell and control
# characters. Each must be refused (INVALID_VALUE) before the binary runs.
OPTIONS = ['--nogpgcheck', '--setopt=xcp-ng-base.gpgcheck=0',
           '--setopt=xcp-ng-base.baseurl=file:///tmp/evil', '--root=/', '--installroot=/',
           '--debugsolver=/tmp/x', '--enablerepo=*', '-y', '-C', '--']
INJECTIONS = {
    'packages': OPTIONS + [
        '--nogpgcheck r8125-module', 'r8125-module,--nogpgcheck', 'r8125-module --root=/',
        '/tmp/evil.rpm', '../evil.rpm', 'r8125-module;reboot', 'r8125-module$(id)',
        'r8125\x00module', 'r8125\x07module', 'r8125-[module', u'caf\u00e9', 'x' * 256],
    'repos': OPTIONS + [
        '*', 'xcp-ng-*', 'xcp-ng-base,*', '?cp-ng-testing', '[x]cp-ng-testing', '../x', 'a/b',
        '.hidden', 'xcp-ng-base;id', 'xcp-ng-base --nogpgcheck', 'x' * 101],
    'modules': OPTIONS + [
        '-r', 'igb,-r', 'igb --force', '../igb', 'a/b', 'igb.ko', 'igb;reboot', 'igb\x00',
        'x' * 65],
    'module': OPTIONS + [
        '-r', '--force', 'igb --force', 'igb,bnxt_en', '../igb', 'a/b', 'igb.ko', 'igb;reboot',
        'i\x00gb', 'x' * 65],
    'kernel': OPTIONS + [
        '../..', '..', '.', 'a/b', '/lib', '-x', '4.19 0', 'a\x00b', '4.19.0+1\x01x',
        '4.19.0+1;id', '4.19.*', 'x' * 65],
    'force': OPTIONS + ['--yes', '--force', 'maybe', 'yes --force', 'true,1', '2'],
    'operation': OPTIONS + ['erase', 'install update', 'install,update', 'Install',
                            'install;reboot', 'downgrade', 'x' * 65],
    'driver': OPTIONS + ['.hidden', 'intel igb', 'intel-igb;id', 'a/b', '../x', 'igb\x00',
                         'x' * 101],
    'variant': OPTIONS + ['.', '..', 'alternate --force', 'a/b', 'alt;reboot', 'x' * 101],
    'transaction': OPTIONS + ['-1', '1 2', '1,2', 'last', '1;id', '0x1', '1' * 13],
    'dry_run': OPTIONS + ['--yes', '--dry-run', 'maybe', 'no --force', 'false,0', '2'],
}
# Argument names no function takes, and names of another function's arguments.
UNKNOWN_ARGUMENTS = ['bogus', 'nogpgcheck', 'setopt', 'root', '--root', 'enablerepo']


class XapiFailure(Exception):
    """Like XenAPI.Failure: `details` is [CODE, params...] as XAPI answers an error."""

    def __init__(self, details):
        Exception.__init__(self, details)
        self.details = details


class RecordingSession(object):
    """A stand-in for the session XAPI hands a plugin (`session.xenapi.<class>.<call>` and
    `session.handle`), recording every call. Its host's other_config behaves as XAPI's map
    fields do (xen-api's db_cache_types: add_to_map raises MAP_DUPLICATE_KEY [type, field,
    ref, key] when the key exists; remove_from_map of a missing key does nothing)."""

    HOST = 'OpaqueRef:5f5ea1b5-host'

    def __init__(self):
        self.handle = 'OpaqueRef:session'
        self.calls = []
        self.other_config = {'boot_time': '1740148082.'}
        self.xenapi = self

    def __getattr__(self, cls):
        session = self

        class Calls(object):
            def __getattr__(self, name):
                def call(*args):
                    session.calls.append(('{}.{}'.format(cls, name), args))
                    return session.answer(cls, name, args)
                return call
        return Calls()

    def answer(self, cls, name, args):
        if (cls, name) == ('session', 'get_this_host'):
            return self.HOST
        if cls == 'host':
            if args[0] != self.HOST:
                raise XapiFailure(['HANDLE_INVALID', 'host', args[0]])
            if name == 'get_name_label':
                return 'xcp-ng-demo'
            if name == 'get_uuid':
                return '5f5ea1b5-0000-4000-8000-000000000001'
            if name == 'add_to_other_config':
                key, value = args[1], args[2]
                if key in self.other_config:
                    raise XapiFailure(['MAP_DUPLICATE_KEY', 'host', 'other_config', args[0],
                                       key])
                self.other_config[key] = value
                return ''
            if name == 'remove_from_other_config':
                self.other_config.pop(args[1], None)
                return ''
        if cls == 'task':
            return 'OpaqueRef:task' if name == 'create' else ''
        raise XapiFailure(['MESSAGE_METHOD_UNKNOWN', '{}.{}'.format(cls, name)])


def binary_has(command):
    out = subprocess.Popen([BIN, '--help'], stdout=subprocess.PIPE).communicate()[0]
    out = out.decode('utf-8')
    return any(line.split()[:1] == [command] for line in out.splitlines())


class PluginTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='xcpng-mod-plugin-')
        self.env = dict(os.environ)
        os.environ['XCPNG_MOD_ROOT'] = ROOT
        os.environ['XCPNG_MOD_PLUGIN_LOCK'] = os.path.join(self.tmp, 'plugin.lock')

    def tearDown(self):
        os.environ.clear()
        os.environ.update(self.env)
        shutil.rmtree(self.tmp)

    def failure(self, fn, args):
        try:
            result = fn(None, args)
        except Failure as e:
            self.assertIsInstance(e.code, str)
            self.assertEqual(len(e.params), 3, e.params)
            for p in e.params:
                self.assertIsInstance(p, str if sys.version_info[0] >= 3 else basestring)  # noqa
            return e
        self.fail('expected a XenAPIPlugin.Failure, got {!r}'.format(result))

    def private_root(self):
        """A copy of the demo tree for calls that may change it."""
        root = os.path.join(self.tmp, 'root')
        shutil.copytree(ROOT, root, symlinks=True)
        os.environ['XCPNG_MOD_ROOT'] = root
        return root

    def record_calls(self):
        """Put a wrapper in front of the binary that logs each argv (one JSON line) and then
        runs the binary; return a function that gives the argvs logged so far."""
        log = os.path.join(self.tmp, 'calls.log')
        wrapper = os.path.join(self.tmp, 'xcpng-mod-recorder')
        with open(wrapper, 'w') as f:
            f.write('#!{}\nimport json, os, sys\n'
                    'with open({!r}, "a") as log:\n'
                    '    log.write(json.dumps(sys.argv[1:]) + "\\n")\n'
                    'os.execv({!r}, [{!r}] + sys.argv[1:])\n'.format(sys.executable, log, BIN,
                                                                     BIN))
        os.chmod(wrapper, 0o755)
        os.environ['XCPNG_MOD_BIN'] = wrapper

        def calls():
            if not os.path.exists(log):
                return []
            with open(log) as f:
                return [json.loads(line) for line in f if line.strip()]
        return calls

    def installed(self):
        """The rpmdb of the current root, as `list --installed` says (the binary, unrecorded)."""
        out = subprocess.Popen([BIN, '--root', os.environ['XCPNG_MOD_ROOT'], '--json', 'list',
                                '--installed'], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE).communicate()[0]
        return sorted(plugin.nevra(p) for p in json.loads(out.decode('utf-8'))['packages'])

    def refusal_problem(self, function, args, argument, calls):
        """Call `function` with `args`; describe how it failed to refuse `argument` as
        INVALID_VALUE before running the binary (None when it did)."""
        before = len(calls())
        problem = None
        try:
            answer = plugin.FUNCTIONS[function](None, args)
            problem = 'accepted, answered {}'.format(answer[:120])
        except Failure as e:
            if e.code != 'INVALID_VALUE':
                problem = 'failed with code {} ({})'.format(e.code, e.params[0][:120])
            elif not e.params[0].startswith('argument `{}`'.format(argument)):
                problem = 'the message does not name the argument: {}'.format(e.params[0])
            elif json.loads(e.params[1]).get('argument') != argument:
                problem = 'the details do not name the argument: {}'.format(e.params[1])
            elif not json.loads(e.params[1]).get('expected'):
                problem = 'the details do not say what is expected: {}'.format(e.params[1])
        made = calls()[before:]
        if made:
            problem = (problem or 'refused') + ', but ran the binary: {}'.format(made)
        if problem:
            return '{}({!r}): {}'.format(function, args, problem)
        return None

    def assert_injections_refused(self, function):
        """Every injection attempt, for every argument `function` takes, is refused with
        INVALID_VALUE, the binary never runs, and the host's rpmdb does not change."""
        self.private_root()
        before = self.installed()
        calls = self.record_calls()
        problems = []
        for argument in TAKES[function]:
            for value in INJECTIONS[argument]:
                args = dict(REQUIRED.get(function, {}))
                args[argument] = value
                problems.append(self.refusal_problem(function, args, argument, calls))
        problems = [p for p in problems if p]
        self.assertFalse(problems, '\n'.join(problems))
        self.assertEqual(calls(), [])
        self.assertEqual(self.installed(), before)

    def after_dashdash(self, argv, words, values):
        """`argv` ends with the command `words`, `--` and the positional `values`; every
        argument before the command is an option (or the --root directory)."""
        self.assertEqual(argv[-(len(words) + 1 + len(values)):], words + ['--'] + values, argv)
        self.assertEqual(argv.count('--'), 1, argv)
        options = argv[:-(len(words) + 1 + len(values))]
        self.assertEqual(options[:3], ['--root', os.environ['XCPNG_MOD_ROOT'], '--json'])
        for option in options[3:]:
            self.assertTrue(option.startswith('-'), argv)

    # --- the dispatch table -----------------------------------------------------------------
    def test_functions_are_those_of_updater_plus_drivers(self):
        self.assertEqual(sorted(plugin.FUNCTIONS), sorted([
            'check_update', 'update', 'install', 'plan', 'query_installed',
            'list_modules', 'reload_module', 'rollback_module', 'host_status', 'apply', 'undo',
            'history']))
        for name, fn in plugin.FUNCTIONS.items():
            self.assertEqual(fn.__name__, name)

    # --- check_update -------------------------------------------------------------------------
    def test_check_update_has_updater_shape(self):
        answer = json.loads(plugin.check_update(None, {}))
        self.assertIsInstance(answer, list)
        names = [(p['name'], p['version'], p['release']) for p in answer]
        self.assertEqual(names, [('broadcom-bnxt-en', '1.10.0_216.0.119.1', '2.xcpng8.3')])
        pkg = answer[0]
        for key in UPDATER_PACKAGE_KEYS:
            self.assertIn(key, pkg)
        self.assertEqual(pkg['description'], 'Broadcom NetXtreme-C/E network driver')
        self.assertEqual(pkg['url'], 'https://xcp-ng.org')
        self.assertEqual(pkg['license'], 'GPLv2')
        self.assertTrue(isinstance(pkg['size'], int) and pkg['size'] > 0, pkg)
        self.assertEqual(sorted(pkg['changelog']), ['author', 'date', 'description'])
        self.assertIn('Rebuild', pkg['changelog']['description'])
        self.assertEqual(pkg['fullName'], 'broadcom-bnxt-en-1.10.0_216.0.119.1-2.xcpng8.3.x86_64')
        self.assertEqual(pkg['repo'], 'xcp-ng-updates')
        self.assertEqual(pkg['installed_version'], '1.10.0_216.0.119.1-1.xcpng8.3')

    def test_check_update_repos_argument_adds_testing(self):
        answer = json.loads(plugin.check_update(None, {'repos': 'xcp-ng-testing'}))
        found = dict((p['name'], (p['version'], p['repo'])) for p in answer)
        self.assertEqual(found.get('intel-igb'), ('5.12.3', 'xcp-ng-testing'))
        self.assertIn('broadcom-bnxt-en', found)

    def test_check_update_unknown_repo_is_invalid(self):
        calls = self.record_calls()
        e = self.failure(plugin.check_update, {'repos': 'xcp-ng-base,no-such-repo'})
        self.assertEqual(e.code, 'INVALID_VALUE')
        self.assertEqual(e.params[0], 'argument `repos`: `no-such-repo` is not a configured repo '
                                      '(configured: xcp-ng-base, xcp-ng-testing, xcp-ng-updates)')
        self.assertEqual(json.loads(e.params[1]), {
            'argument': 'repos', 'value': 'no-such-repo',
            'expected': 'one of the configured repos: xcp-ng-base, xcp-ng-testing, '
                        'xcp-ng-updates'})
        # Only the look-up of the configured repos ran.
        self.assertEqual([c[3:] for c in calls()], [['repolist', '--all']])

    # --- query_installed ----------------------------------------------------------------------
    def test_query_installed(self):
        answer = json.loads(plugin.query_installed(
            None, {'packages': 'intel-igb,broadcom-bnxt-en-alt  nosuch intel-igb-5.11.4'}))
        self.assertEqual(answer, {
            'intel-igb': 'intel-igb-5.11.4-1.xcpng8.3.x86_64',
            'intel-igb-5.11.4': 'intel-igb-5.11.4-1.xcpng8.3.x86_64',
            'broadcom-bnxt-en-alt': '',
            'nosuch': '',
        })
        self.assertEqual(plugin.query_installed(None, {}), '{}')
        self.assertEqual(plugin.query_installed(None, {'packages': ' , '}), '{}')

    # --- install / update ---------------------------------------------------------------------
    def test_install_needs_packages(self):
        e = self.failure(plugin.install, {})
        self.assertEqual(e.code, '-1')
        self.assertEqual(e.params[0], 'Missing or empty argument `packages`')

    def test_install_candidate(self):
        self.private_root()
        try:
            answer = json.loads(plugin.install(None, {'packages': 'broadcom-bnxt-en-alt'}))
        except Failure as e:
            # The binary cannot run transactions yet: a clean NOT_IMPLEMENTED with its words.
            self.assertEqual(e.code, 'NOT_IMPLEMENTED', e.params)
            self.assertIn('not available', e.params[0])
            details = json.loads(e.params[1])
            self.assertEqual(details['kind'], 'unsupported')
            return
        self.assertEqual(sorted(answer)[:5], ['command', 'guidance', 'result', 'returncode',
                                              'stderr'])
        self.assertEqual(answer['returncode'], 0)
        self.assertIn('-y', answer['command'])
        self.assertEqual(json.loads(answer['stdout']), answer['result'])
        installed = [p['name'] for p in answer['result']['plan']['install']]
        self.assertIn('broadcom-bnxt-en-alt', installed)
        after = json.loads(plugin.query_installed(None, {'packages': 'broadcom-bnxt-en-alt'}))
        self.assertTrue(after['broadcom-bnxt-en-alt'].startswith('broadcom-bnxt-en-alt-'))

    # --- plan, guidance, other_config ------------------------------------------------------
    def test_plan_says_modules_and_guidance_and_changes_nothing(self):
        self.private_root()
        before = self.installed()
        doc = json.loads(plugin.plan(None, {'operation': 'install',
                                            'packages': 'broadcom-bnxt-en-alt'}))
        self.assertEqual([p['name'] for p in doc['plan']['install']], ['broadcom-bnxt-en-alt'])
        bnxt = [m for m in doc['modules'] if m['module'] == 'bnxt_en']
        self.assertEqual(len(bnxt), 1, doc['modules'])
        self.assertTrue(bnxt[0]['after']['path'].endswith('/override/bnxt_en.ko'), bnxt)
        self.assertEqual(bnxt[0]['after']['class'], 'alternate')
        self.assertIsInstance(doc['guidance'], list)
        self.assertEqual(self.installed(), before)
        doc = json.loads(plugin.plan(None, {'operation': 'update', 'packages': ''}))
        self.assertIn('guidance', doc)
        self.assertEqual(self.installed(), before)

    def test_plan_of_an_install_needs_packages(self):
        e = self.failure(plugin.plan, {'operation': 'install'})
        self.assertEqual(e.code, '-1')
        self.assertIn('packages', e.params[0])

    def test_a_change_through_xapi_sets_the_keys_xen_orchestra_reads(self):
        self.private_root()
        session = RecordingSession()
        started = time.time()
        answer = json.loads(plugin.install(session, {'packages': 'broadcom-bnxt-en-alt'}))
        self.assertEqual(answer['returncode'], 0)
        self.assertEqual(answer['guidance'], answer['result']['guidance'])
        oc = session.other_config
        # Xen Orchestra's format: seconds since the epoch as a string, compared with
        # boot_time (`toTimestamp(boot_time) < +rpm_patch_installation_time`).
        stamp = float(oc['rpm_patch_installation_time'])
        self.assertTrue(started - 1 <= stamp <= time.time() + 1, oc)
        self.assertLess(float(oc['boot_time']), stamp)
        self.assertEqual(json.loads(oc['xcpng-mod:guidance']), answer['guidance'])
        # Each key removed, then added, on this host.
        sets = [(n, a[1]) for n, a in session.calls if n.endswith('_other_config')]
        self.assertEqual(sets, [
            ('host.remove_from_other_config', 'rpm_patch_installation_time'),
            ('host.add_to_other_config', 'rpm_patch_installation_time'),
            ('host.remove_from_other_config', 'xcpng-mod:guidance'),
            ('host.add_to_other_config', 'xcpng-mod:guidance')])
        # A second change finds the keys there: no MAP_DUPLICATE_KEY, newer stamp.
        time.sleep(0.01)
        plugin.install(session, {'packages': 'r8125-module'})
        self.assertGreater(float(session.other_config['rpm_patch_installation_time']), stamp)

    def test_a_change_that_did_nothing_leaves_other_config_alone(self):
        self.private_root()
        session = RecordingSession()
        plugin.update(session, {'packages': 'intel-igb', 'repos': ''})
        self.assertNotIn('rpm_patch_installation_time', session.other_config)
        self.assertNotIn('xcpng-mod:guidance', session.other_config)

    def test_update_named_package(self):
        self.private_root()
        try:
            answer = json.loads(plugin.update(None, {'packages': 'broadcom-bnxt-en',
                                                     'repos': ''}))
        except Failure as e:
            self.assertEqual(e.code, 'NOT_IMPLEMENTED', e.params)
            return
        self.assertEqual(answer['returncode'], 0)
        upgraded = [(u['from']['release'], u['to']['release'])
                    for u in answer['result']['plan']['upgrade']]
        self.assertEqual(upgraded, [('1.xcpng8.3', '2.xcpng8.3')])
        after = json.loads(plugin.query_installed(None, {'packages': 'broadcom-bnxt-en'}))
        self.assertEqual(after['broadcom-bnxt-en'],
                         'broadcom-bnxt-en-1.10.0_216.0.119.1-2.xcpng8.3.x86_64')
        self.assertEqual(json.loads(plugin.check_update(None, {})), [])

    def test_a_command_the_binary_lacks_is_not_implemented(self):
        # Whatever commands this binary has: one it does not know is a clean NOT_IMPLEMENTED.
        wrapped = plugin.error_wrapped(
            lambda session, args: plugin.call(['frobnicate-driver', 'igb'],
                                              what='frobnicate-driver'))
        e = self.failure(wrapped, {})
        self.assertEqual(e.code, 'NOT_IMPLEMENTED')
        self.assertEqual(e.params[0], 'this xcpng-mod has no `frobnicate-driver` command: '
                                      'frobnicate-driver is not available yet')
        self.assertIn('unrecognized subcommand', json.loads(e.params[1])['stderr'])

    def test_update_of_a_package_not_installed_fails_with_the_binarys_error(self):
        e = self.failure(plugin.update, {'packages': 'nosuch'})
        self.assertEqual(e.code, '1')
        self.assertEqual(e.params[0], '`nosuch` is not installed')
        details = json.loads(e.params[1])
        self.assertEqual(details['kind'], 'not-found')
        self.assertIn('hint', details)

    # --- modules ------------------------------------------------------------------------------
    def test_list_modules(self):
        doc = json.loads(plugin.list_modules(None, {}))
        self.assertEqual(doc['version'], 1)
        self.assertEqual(doc['kernel'], '4.19.0+1')
        names = [m['name'] for m in doc['modules']]
        self.assertIn('bnxt_en', names)
        self.assertIn('igb', names)
        only = json.loads(plugin.list_modules(None, {'modules': 'igb'}))
        self.assertEqual([m['name'] for m in only['modules']], ['igb'])
        self.assertEqual(only['modules'][0]['winner']['dir'], 'updates')

    def test_list_modules_unknown_kernel_fails_cleanly(self):
        e = self.failure(plugin.list_modules, {'kernel': '9.9.9-nope'})
        self.assertNotEqual(e.code, '-1')
        self.assertTrue(e.params[0])

    def test_reload_module(self):
        self.assertEqual(self.failure(plugin.reload_module, {}).params[0],
                         'Missing or empty argument `module`')
        e = self.failure(plugin.reload_module, {'module': '--force'})
        self.assertEqual(e.code, 'INVALID_VALUE')
        self.assertEqual(e.params[0], "argument `module`: `--force` is not a kernel module name "
                                      "(it may not start with '-')")
        self.private_root()
        if not binary_has('reload'):
            e = self.failure(plugin.reload_module, {'module': 'igb', 'dry_run': 'true'})
            self.assertEqual(e.code, 'NOT_IMPLEMENTED')
            self.assertIn('no `reload` command', e.params[0])
            return
        try:
            answer = json.loads(plugin.reload_module(None, {'module': 'igb', 'dry_run': 'true'}))
        except Failure as e:
            # The demo has no running kernel: a failure is fine, but it is the binary's own.
            self.assertNotEqual(e.code, 'NOT_IMPLEMENTED')
            self.assertNotEqual(e.code, '-1')
            return
        self.assertIn('--dry-run', answer['command'])
        self.assertEqual(answer['result']['version'], 1)

    def test_rollback_module(self):
        self.assertEqual(self.failure(plugin.rollback_module, {'module': ' '}).params[0],
                         'Missing or empty argument `module`')
        self.private_root()
        if not binary_has('rollback'):
            e = self.failure(plugin.rollback_module, {'module': 'bnxt_en'})
            self.assertEqual(e.code, 'NOT_IMPLEMENTED')
            self.assertIn('no `rollback` command', e.params[0])
            return
        # Install an alternate driver through the plugin, then roll the module back: the
        # alternate goes and the supported driver in updates/ wins again.
        json.loads(plugin.install(None, {'packages': 'intel-igb-alt'}))
        winner = json.loads(plugin.list_modules(None, {'modules': 'igb'}))['modules'][0]['winner']
        self.assertEqual(winner['dir'], 'override')
        answer = json.loads(plugin.rollback_module(None, {'module': 'igb'}))
        self.assertEqual(answer['returncode'], 0)
        self.assertEqual(answer['result']['version'], 1)
        self.assertIn('rollback', answer['command'])
        self.assertEqual(
            json.loads(plugin.query_installed(None, {'packages': 'intel-igb-alt,intel-igb'})),
            {'intel-igb-alt': '', 'intel-igb': 'intel-igb-5.11.4-1.xcpng8.3.x86_64'})
        winner = json.loads(plugin.list_modules(None, {'modules': 'igb'}))['modules'][0]['winner']
        self.assertEqual(winner['dir'], 'updates')

    # --- busy-lock ----------------------------------------------------------------------------
    def hold_lock(self, operation):
        f = open(os.environ['XCPNG_MOD_PLUGIN_LOCK'], 'a+')
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        f.seek(0)
        f.truncate()
        f.write(operation + '\n')
        f.flush()
        return f

    def test_busy_lock(self):
        held = self.hold_lock('update')
        try:
            e = self.failure(plugin.check_update, {})
            self.assertEqual(e.code, '-1')
            self.assertEqual(e.params[0],
                             'The xcpng-mod plugin is busy (current operation: update)')
            e = self.failure(plugin.update, {})
            self.assertEqual(e.params[0], 'Update already in progress')
            # Read-only functions do not take the lock.
            json.loads(plugin.list_modules(None, {'modules': 'igb'}))
            json.loads(plugin.query_installed(None, {'packages': 'intel-igb'}))
        finally:
            fcntl.flock(held.fileno(), fcntl.LOCK_UN)
            held.close()
        json.loads(plugin.check_update(None, {}))
        with open(os.environ['XCPNG_MOD_PLUGIN_LOCK']) as f:
            self.assertEqual(f.read(), '', 'the lock file names no operation once released')

    def test_lock_file_names_the_running_operation(self):
        seen = []
        real = plugin.run_command

        def spy(command):
            with open(os.environ['XCPNG_MOD_PLUGIN_LOCK']) as f:
                seen.append(f.read())
            return real(command)

        plugin.run_command = spy
        try:
            plugin.check_update(None, {})
        finally:
            plugin.run_command = real
        self.assertTrue(seen and all(s == 'check_update\n' for s in seen), seen)

    def test_default_lock_path_follows_the_root(self):
        del os.environ['XCPNG_MOD_PLUGIN_LOCK']
        self.assertEqual(plugin.lock_path(),
                         os.path.join(ROOT, 'var/lib/xcpng-mod/xapi-plugin.lock'))
        del os.environ['XCPNG_MOD_ROOT']
        self.assertEqual(plugin.lock_path(), '/var/lib/xcpng-mod/xapi-plugin.lock')

    # --- failures of the environment ----------------------------------------------------------
    def test_missing_binary_is_an_errno_failure(self):
        os.environ['XCPNG_MOD_BIN'] = os.path.join(self.tmp, 'no-such-binary')
        e = self.failure(plugin.list_modules, {})
        self.assertEqual(e.code, '2')
        self.assertIn('No such file', e.params[0])

    def test_bad_boolean_argument(self):
        e = self.failure(plugin.reload_module, {'module': 'igb', 'force': 'maybe'})
        self.assertEqual(e.code, 'INVALID_VALUE')
        self.assertEqual(e.params[0], 'argument `force`: `maybe` is not a truth value (it must be '
                                      'one of y/yes/t/true/on/1 or n/no/f/false/off/0)')

    # --- arguments: injection attempts ---------------------------------------------------------
    def test_every_function_declares_the_arguments_it_takes(self):
        self.assertEqual(sorted(TAKES), sorted(plugin.FUNCTIONS))
        for name, fn in plugin.FUNCTIONS.items():
            self.assertEqual(sorted(fn.arguments), TAKES[name], name)
        for arguments in TAKES.values():
            for argument in arguments:
                self.assertTrue(INJECTIONS.get(argument), argument)

    def test_install_refuses_nogpgcheck_and_installs_nothing(self):
        self.private_root()
        calls = self.record_calls()
        e = self.failure(plugin.install, {'packages': '--nogpgcheck r8125-module'})
        self.assertEqual(e.code, 'INVALID_VALUE')
        self.assertEqual(e.params[0], "argument `packages`: `--nogpgcheck` is not a package name "
                                      "or glob (it may not start with '-')")
        details = json.loads(e.params[1])
        self.assertEqual(sorted(details), ['argument', 'expected', 'value'])
        self.assertEqual((details['argument'], details['value']), ('packages', '--nogpgcheck'))
        self.assertIn("not starting with '-'", details['expected'])
        self.assertEqual(e.params[2], '')
        self.assertEqual(calls(), [])
        self.assertEqual(json.loads(plugin.query_installed(None, {'packages': 'r8125-module'})),
                         {'r8125-module': ''})

    def test_repo_globs_are_refused(self):
        calls = self.record_calls()
        for value in ('*', 'xcp-ng-*'):
            e = self.failure(plugin.check_update, {'repos': value})
            self.assertEqual(e.code, 'INVALID_VALUE')
            self.assertEqual(e.params[0], 'argument `repos`: `{}` is not a repo id (globs are not '
                                          'allowed: name each repo exactly)'.format(value))
        self.assertEqual(calls(), [])

    def test_control_characters_are_shown_escaped(self):
        e = self.failure(plugin.list_modules, {'kernel': 'a\x00b'})
        self.assertEqual(e.params[0], 'argument `kernel`: `a\\x00b` is not a kernel release (it '
                                      'may not contain control characters (U+0000))')
        self.assertEqual(json.loads(e.params[1])['value'], 'a\x00b')

    def test_check_update_refuses_injections(self):
        self.assert_injections_refused('check_update')

    def test_update_refuses_injections(self):
        self.assert_injections_refused('update')

    def test_install_refuses_injections(self):
        self.assert_injections_refused('install')

    def test_query_installed_refuses_injections(self):
        self.assert_injections_refused('query_installed')

    def test_list_modules_refuses_injections(self):
        self.assert_injections_refused('list_modules')

    def test_reload_module_refuses_injections(self):
        self.assert_injections_refused('reload_module')

    def test_rollback_module_refuses_injections(self):
        self.assert_injections_refused('rollback_module')

    def test_plan_refuses_injections(self):
        self.assert_injections_refused('plan')

    def test_apply_refuses_injections(self):
        self.assert_injections_refused('apply')

    def test_undo_refuses_injections(self):
        self.assert_injections_refused('undo')

    def test_apply_records_its_transaction_and_undo_takes_it_back(self):
        self.private_root()
        before = self.installed()
        session = RecordingSession()
        args = {'operation': 'select', 'driver': 'intel-igb', 'variant': 'alternate'}
        plan = json.loads(plugin.plan(None, args))
        self.assertEqual([p['name'] for p in plan['result']['plan']['install']],
                         ['intel-igb-alt'])
        self.assertEqual(self.installed(), before)
        answer = json.loads(plugin.apply(session, args))
        self.assertEqual(answer['returncode'], 0)
        transaction = answer['transaction_id']
        self.assertIsInstance(transaction, int)
        self.assertIn('intel-igb-alt-5.3.5.39-1.xcpng8.3.x86_64', self.installed())
        self.assertIn('rpm_patch_installation_time', session.other_config)
        history = json.loads(plugin.history(None, {}))
        ids = [t['id'] for t in history['transactions']]
        self.assertEqual(max(ids), transaction)
        doc = json.loads(plugin.plan(None, {'operation': 'remove', 'packages': 'intel-igb-alt'}))
        self.assertEqual([m['module'] for m in doc['modules']], ['igb'])
        self.assertTrue(doc['modules'][0]['after']['path'].endswith('/updates/igb.ko'), doc)
        answer = json.loads(plugin.undo(session, {'transaction': str(transaction)}))
        self.assertEqual(answer['returncode'], 0)
        self.assertGreater(answer['transaction_id'], transaction)
        self.assertEqual(self.installed(), before)
        # Each operation names what it needs.
        e = self.failure(plugin.plan, {'operation': 'select', 'driver': 'intel-igb'})
        self.assertIn('variant', e.params[0])
        e = self.failure(plugin.apply, {'operation': 'rollback'})
        self.assertIn('module', e.params[0])
        e = self.failure(plugin.plan, {'operation': 'remove'})
        self.assertIn('packages', e.params[0])

    def test_host_status_reads_drivers_and_pending_guidance(self):
        doc = json.loads(plugin.host_status(None, {}))
        self.assertEqual(doc['version'], 1)
        igb = doc['drivers']['drivers']['intel-igb']
        self.assertEqual(igb['selected'], 'supported')
        self.assertTrue(igb['variants']['alternate']['hardware_present'])
        self.assertIn('guidance', doc['needs_reboot'])
        e = self.failure(plugin.host_status, {'packages': 'x'})
        self.assertEqual(e.code, 'INVALID_VALUE')

    def test_unknown_arguments_are_refused(self):
        self.private_root()
        calls = self.record_calls()
        problems = []
        for function in sorted(TAKES):
            others = sorted(set(a for f in TAKES for a in TAKES[f]) - set(TAKES[function]))
            for argument in UNKNOWN_ARGUMENTS + others:
                args = dict(REQUIRED.get(function, {}))
                args[argument] = '1'
                problems.append(self.refusal_problem(function, args, argument, calls))
        problems = [p for p in problems if p]
        self.assertFalse(problems, '\n'.join(problems))
        e = self.failure(plugin.install, {'packages': 'r8125-module', 'nogpgcheck': '1'})
        self.assertEqual(e.params[0], 'argument `nogpgcheck` is not an argument of `install` (it '
                                      'takes: packages, repos)')
        self.assertEqual(json.loads(e.params[1]), {'argument': 'nogpgcheck', 'value': '1',
                                                   'expected': 'one of: packages, repos'})

    def test_valid_values_are_accepted(self):
        queries = ('intel-igb 0:intel-igb-5.11.4-1.xcpng8.3.x86_64,intel-igb.x86_64 '
                   'intel-igb-5.11.4-1.xcpng8.3 intel-ig? intel-ig[a-z] intel-igb* '
                   'kmod-zfs-4.19.0+1 foo-1.0^git1~rc2 python2.7_x')
        answer = json.loads(plugin.query_installed(None, {'packages': queries}))
        self.assertEqual(sorted(answer), sorted(queries.replace(',', ' ').split()))
        self.assertEqual(answer['intel-igb-5.11.4-1.xcpng8.3'], 'intel-igb-5.11.4-1.xcpng8.3.x86_64')
        doc = json.loads(plugin.list_modules(None, {'modules': 'igb, bnxt_en',
                                                    'kernel': ' 4.19.0+1 '}))
        self.assertEqual(sorted(m['name'] for m in doc['modules']), ['bnxt_en', 'igb'])
        answer = json.loads(plugin.check_update(None, {'repos': 'xcp-ng-testing xcp-ng-base'}))
        self.assertIn('intel-igb', [p['name'] for p in answer])
        calls = self.record_calls()
        for value in ('TRUE', 'Yes', 'on', '1', 'n', 'OFF', ''):
            try:
                plugin.reload_module(None, {'module': 'igb', 'dry_run': 'yes', 'force': value})
            except Failure as e:
                self.assertNotEqual(e.code, 'INVALID_VALUE', e.params)
        self.assertEqual(len(calls()), 7)

    def test_values_reach_the_binary_after_dashdash(self):
        self.private_root()
        calls = self.record_calls()

        def last_call(fn, args):
            before = len(calls())
            try:
                fn(None, args)
            except Failure as e:
                # The binary may refuse (no history to roll back, no reload command yet):
                # what matters here is how it was called.
                self.assertNotEqual(e.code, 'INVALID_VALUE', e.params)
            made = calls()[before:]
            self.assertTrue(made, 'the binary was not called')
            return made

        made = last_call(plugin.install, {'packages': 'intel-igb-alt', 'repos': 'xcp-ng-base'})
        self.assertEqual(made[0][3:], ['repolist', '--all'])
        self.after_dashdash(made[-1], ['install'], ['intel-igb-alt'])
        self.assertIn('-y', made[-1])
        self.assertIn('--disablerepo=*', made[-1])
        self.assertIn('--enablerepo=xcp-ng-base', made[-1])
        made = last_call(plugin.update, {'packages': 'broadcom-bnxt-en,intel-igb'})
        self.after_dashdash(made[-1], ['update'], ['broadcom-bnxt-en', 'intel-igb'])
        made = last_call(plugin.check_update, {'repos': 'xcp-ng-testing'})
        self.assertIn('--enablerepo=xcp-ng-testing', made[1])
        self.after_dashdash(made[-1], ['info'], ['intel-igb'])
        made = last_call(plugin.list_modules, {'modules': 'igb,bnxt_en', 'kernel': '4.19.0+1'})
        self.after_dashdash(made[-1], ['modules'], ['igb', 'bnxt_en'])
        self.assertIn('--kernel=4.19.0+1', made[-1])
        made = last_call(plugin.reload_module, {'module': 'igb', 'dry_run': 'yes',
                                                'force': 'yes', 'kernel': '4.19.0+1'})
        self.after_dashdash(made[-1], ['reload', '--dry-run', '--force'], ['igb'])
        made = last_call(plugin.rollback_module, {'module': 'igb'})
        self.after_dashdash(made[-1], ['rollback'], ['igb'])
        made = last_call(plugin.query_installed, {'packages': 'intel-igb'})
        self.assertEqual(made[-1][3:], ['list', '--installed'])


if __name__ == '__main__':
    print('python', sys.version.split()[0], file=sys.stderr)
    unittest.main(verbosity=2)
