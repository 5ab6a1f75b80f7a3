# -*- coding: utf-8 -*-
"""Test stand-in for XenAPI's local session (xen-api python3/examples/XenAPI/XenAPI.py):
`xapi_local()` talks to the XAPI test double over its local socket (XAPI_DOUBLE_SOCKET) in
JSON-RPC; `session.xenapi.CLASS.METHOD(args)` sends the session reference first, as XenAPI's
xenapi_request does; an error raises Failure with XAPI's code and parameters."""
import json
import os
import socket


class Failure(Exception):
    def __init__(self, details):
        Exception.__init__(self, details)
        self.details = details


def _post(path, body):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    data = json.dumps(body).encode('utf-8')
    s.sendall(('POST /jsonrpc HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n'
               'Content-Length: %d\r\nConnection: close\r\n\r\n' % len(data)).encode('ascii') + data)
    out = b''
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        out += chunk
    s.close()
    return json.loads(out.split(b'\r\n\r\n', 1)[1].decode('utf-8'))


class _Method(object):
    def __init__(self, session, name):
        self._session = session
        self._name = name

    def __getattr__(self, name):
        return _Method(self._session, self._name + '.' + name)

    def __call__(self, *args):
        answer = _post(os.environ['XAPI_DOUBLE_SOCKET'], {
            'jsonrpc': '2.0', 'method': self._name,
            'params': [self._session._session] + list(args), 'id': 1})
        if 'error' in answer:
            raise Failure([answer['error']['message']] + answer['error'].get('data', []))
        return answer['result']


class _XenAPI(object):
    def __init__(self, session):
        self._session = session

    def __getattr__(self, name):
        return _Method(self._session, name)


class Session(object):
    def __init__(self):
        self._session = None
        self.xenapi = _XenAPI(self)

    @property
    def handle(self):
        return self._session


def xapi_local():
    return Session()
