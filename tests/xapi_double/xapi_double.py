# -*- coding: utf-8 -*-
"""A test double of XAPI for xcpng-mod's pool commands: XAPI's JSON-RPC v2.0 wire format
(xen-api doc/content/xen-api/wire-protocol.md) on 127.0.0.1, with the calls the tool makes
and XAPI's semantics and error codes as xen-api's datamodel states them (datamodel_errors.ml,
xapi_session.ml, xapi_plugins.ml). It is NOT XAPI: a pool of hosts, each backed by its own
host tree (a demo host), where host.call_plugin runs the real plugin
(packaging/xapi-plugin/xcpng-mod) with the real binary on that host's tree, exactly as
xapi_plugins.ml runs plugins: the XML-RPC methodCall as the only argument, the XML-RPC
methodResponse on stdout.

    python3 xapi_double.py CONFIG.json PORTS.json

CONFIG: {"credentials": {"user", "password"}, "plugin_dir", "binary", "python", "stubs",
         "socket" (the local socket: plugins and local clients, no password, as XAPI's),
         "tls": {"cert", "key"} | null,
         "hosts": [{"name", "root", "master": bool, "product_version", "unreachable": bool}],
         "drop_sessions_after": N (0: never)}
PORTS (written once listening): {"master": PORT, "hosts": {name: PORT}}; each member listens
too and answers every call with HOST_IS_SLAVE [master address], as a member's xapi does.
"""
from __future__ import print_function

import json
import os
import ssl
import subprocess
import sys
import threading
import uuid

try:
    from http.server import BaseHTTPRequestHandler, HTTPServer
    from socketserver import ThreadingMixIn
    import xmlrpc.client as xmlrpclib
except ImportError:  # Python 2
    from BaseHTTPServer import BaseHTTPRequestHandler, HTTPServer
    from SocketServer import ThreadingMixIn
    import xmlrpclib


class ApiError(Exception):
    def __init__(self, code, params):
        Exception.__init__(self, code)
        self.code = code
        self.params = [str(p) for p in params]


def ref():
    return 'OpaqueRef:' + str(uuid.uuid4())


class Pool(object):
    def __init__(self, config):
        self.config = config
        self.lock = threading.Lock()
        self.sessions = {}          # ref -> host ref the session belongs to (None: a client)
        self.calls = 0
        self.dropped = False
        self.hosts = {}
        self.host_order = []
        for h in config['hosts']:
            r = ref()
            self.host_order.append(r)
            self.hosts[r] = {
                'uuid': str(uuid.uuid4()),
                'name_label': h['name'],
                'address': '',
                'enabled': True,
                'software_version': {'product_version': h.get('product_version', '8.3.0'),
                                     'product_brand': 'XCP-ng', 'platform_version': '3.4.0'},
                'other_config': {},
                '_root': h['root'],
                '_unreachable': bool(h.get('unreachable')),
                '_master': bool(h.get('master')),
            }
        self.master = [r for r in self.host_order if self.hosts[r]['_master']][0]
        self.pool_ref = ref()
        self.pool = {'uuid': str(uuid.uuid4()), 'name_label': 'test pool', 'master': self.master,
                     'other_config': {}, 'ha_enabled': False}
        self.tasks = {}
        self.url = None

    # -- sessions ---------------------------------------------------------------------------
    def check_session(self, s):
        if s not in self.sessions:
            raise ApiError('SESSION_INVALID', [s])

    def call(self, method, params, local=False):
        with self.lock:
            self.calls += 1
            limit = self.config.get('drop_sessions_after') or 0
            if limit and not self.dropped and self.calls > limit:
                # As after a toolstack restart: every session is gone, once.
                self.dropped = True
                self.sessions = {}
        if method == 'session.login_with_password':
            return self.login(*params, local=local)
        if not params:
            raise ApiError('MESSAGE_PARAMETER_COUNT_MISMATCH', [method, 1, 0])
        self.check_session(params[0])
        fn = METHODS.get(method)
        if fn is None:
            raise ApiError('MESSAGE_METHOD_UNKNOWN', [method])
        return fn(self, *params)

    def login(self, user, password, version='1.0', originator='', local=False):
        creds = self.config['credentials']
        # Over the local socket XAPI trusts the caller as root (xapi_session.ml: preauth).
        if not local and (user != creds['user'] or password != creds['password']):
            raise ApiError('SESSION_AUTHENTICATION_FAILED', [user, 'Authentication failure'])
        s = ref()
        self.sessions[s] = None
        return s

    # -- records ----------------------------------------------------------------------------
    def host(self, r):
        if r not in self.hosts:
            raise ApiError('HANDLE_INVALID', ['host', r])
        return self.hosts[r]

    def public(self, rec):
        return dict((k, v) for k, v in rec.items() if not k.startswith('_'))

    # -- plugins (xapi_plugins.ml) ------------------------------------------------------------
    def call_plugin(self, session, host, plugin, fn, args):
        h = self.host(host)
        if h['_unreachable']:
            raise ApiError('CANNOT_CONTACT_HOST', [host])
        path = os.path.join(self.config['plugin_dir'], plugin)
        if not os.path.isfile(path):
            raise ApiError('XENAPI_MISSING_PLUGIN', [plugin])
        s = ref()
        self.sessions[s] = host
        call = xmlrpclib.dumps((s, dict((k, str(v)) for k, v in args.items())), fn)
        env = dict(os.environ)
        env.update({
            'PYTHONPATH': self.config['stubs'],
            'XCPNG_MOD_BIN': self.config['binary'],
            'XCPNG_MOD_ROOT': h['_root'],
            'XAPI_DOUBLE_SOCKET': self.url,
        })
        p = subprocess.Popen([self.config.get('python') or sys.executable, path, call],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        out, err = p.communicate()
        out = out.decode('utf-8', 'replace')
        err = err.decode('utf-8', 'replace')
        del self.sessions[s]
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

    def map_add(self, table, rec, field, key, value):
        m = rec[field]
        if key in m:
            raise ApiError('MAP_DUPLICATE_KEY', [table, field, rec['uuid'], key])
        m[key] = value


def this_host(pool, s, _self):
    return pool.sessions.get(s) or pool.master


def task_create(pool, s, label, descr):
    r = ref()
    pool.tasks[r] = {'name_label': label, 'status': 'pending'}
    return r


METHODS = {
    'session.logout': lambda pool, s: pool.sessions.pop(s, None) and '',
    'session.get_this_host': this_host,
    'pool.get_all': lambda pool, s: [pool.pool_ref],
    'pool.get_all_records': lambda pool, s: {pool.pool_ref: pool.pool},
    'pool.get_master': lambda pool, s, p: pool.master,
    'host.get_all': lambda pool, s: list(pool.host_order),
    'host.get_all_records': lambda pool, s: dict(
        (r, pool.public(pool.hosts[r])) for r in pool.host_order),
    'host.get_record': lambda pool, s, r: pool.public(pool.host(r)),
    'host.get_name_label': lambda pool, s, r: pool.host(r)['name_label'],
    'host.get_uuid': lambda pool, s, r: pool.host(r)['uuid'],
    'host.get_other_config': lambda pool, s, r: pool.host(r)['other_config'],
    'host.remove_from_other_config':
        lambda pool, s, r, k: pool.host(r)['other_config'].pop(k, None) and '',
    'host.add_to_other_config':
        lambda pool, s, r, k, v: pool.map_add('host', pool.host(r), 'other_config', k, v) or '',
    'host.call_plugin': lambda pool, s, h, plugin, fn, args:
        pool.call_plugin(s, h, plugin, fn, args),
    'task.create': task_create,
    'task.set_status': lambda pool, s, t, st: pool.tasks.get(t, {}).update(status=st) or '',
    'task.destroy': lambda pool, s, t: pool.tasks.pop(t, None) and '',
}


class Server(ThreadingMixIn, HTTPServer):
    daemon_threads = True


def handler_for(pool, member_of=None, local=False):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            if self.path != '/jsonrpc':
                self.send_error(404)
                return
            body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
            try:
                req = json.loads(body.decode('utf-8'))
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
            except ApiError as e:
                answer = {'jsonrpc': '2.0', 'id': rid,
                          'error': {'code': 1, 'message': e.code, 'data': e.params}}
            data = json.dumps(answer).encode('utf-8')
            self.send_response(200)
            self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            self.wfile.write(data)
    return Handler


try:
    from socketserver import UnixStreamServer
except ImportError:  # Python 2
    from SocketServer import UnixStreamServer


class UnixServer(ThreadingMixIn, UnixStreamServer):
    daemon_threads = True


def serve_socket(pool, handler, path):
    """XAPI's local socket (/var/lib/xcp/xapi): what plugins and `xe` on the master use."""
    if os.path.exists(path):
        os.unlink(path)
    srv = UnixServer(path, handler)
    t = threading.Thread(target=srv.serve_forever)
    t.daemon = True
    t.start()


def serve(pool, handler, tls):
    srv = Server(('127.0.0.1', 0), handler)
    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(tls['cert'], tls['key'])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    t = threading.Thread(target=srv.serve_forever)
    t.daemon = True
    t.start()
    return srv.server_address[1]


def main():
    config = json.load(open(sys.argv[1]))
    pool = Pool(config)
    tls = config.get('tls')
    scheme = 'https' if tls else 'http'
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
