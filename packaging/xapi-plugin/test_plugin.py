# -*- coding: utf-8 -*-
"""Tests of the xcpng-mod XAPI plugin against the demo host (`xcpng-mod demo DIR`).

Run by tests/xapi_plugin.rs under every Python it finds (2.7 and 3.x); only the `XenAPIPlugin`
import is stubbed. Environment:
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

    # --- the dispatch table -----------------------------------------------------------------
    def test_functions_are_those_of_updater_plus_drivers(self):
        self.assertEqual(sorted(plugin.FUNCTIONS), sorted([
            'check_update', 'update', 'install', 'query_installed',
            'list_modules', 'reload_module', 'rollback_module']))
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

    def test_check_update_unknown_repo_is_a_failure(self):
        e = self.failure(plugin.check_update, {'repos': 'no-such-repo'})
        self.assertEqual(e.code, '-1')
        self.assertIn('unknown repo `no-such-repo`', e.params[0])

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
        self.assertEqual(sorted(answer)[:4], ['command', 'result', 'returncode', 'stderr'])
        self.assertEqual(answer['returncode'], 0)
        self.assertIn('-y', answer['command'])
        self.assertEqual(json.loads(answer['stdout']), answer['result'])
        installed = [p['name'] for p in answer['result']['plan']['install']]
        self.assertIn('broadcom-bnxt-en-alt', installed)
        after = json.loads(plugin.query_installed(None, {'packages': 'broadcom-bnxt-en-alt'}))
        self.assertTrue(after['broadcom-bnxt-en-alt'].startswith('broadcom-bnxt-en-alt-'))

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
        self.assertIn('Invalid module name',
                      self.failure(plugin.reload_module, {'module': '--force'}).params[0])
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
        self.assertEqual(e.code, '-1')
        self.assertIn("invalid truth value 'maybe'", e.params[0])


if __name__ == '__main__':
    print('python', sys.version.split()[0], file=sys.stderr)
    unittest.main(verbosity=2)
