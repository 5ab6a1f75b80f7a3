# -*- coding: utf-8 -*-
"""Test stand-in for XenAPIPlugin (xen-api python3/examples/XenAPIPlugin.py), written for the
XAPI test double: the same protocol. argv[1] is the XML-RPC methodCall xapi_plugins.ml builds
(session reference, the args struct); the answer on stdout is an XML-RPC methodResponse of
{"Status": "Success", "Value": result} or {"Status": "Failure", "ErrorDescription": [...]}."""
from __future__ import print_function

import sys

try:
    import xmlrpc.client as xmlrpclib
except ImportError:
    import xmlrpclib

import XenAPI


class Failure(Exception):
    def __init__(self, code, params):
        Exception.__init__(self)
        self.params = [code] + list(params)


def _answer(value):
    print(xmlrpclib.dumps((value,), '', True))


def dispatch(fn_table):
    if len(sys.argv) != 2:
        raise Exception('Incorrect number of commandline arguments')
    params, name = xmlrpclib.loads(sys.argv[1])
    session = XenAPI.xapi_local()
    session._session = params[0]
    if name not in fn_table:
        _answer({'Status': 'Failure', 'ErrorDescription': ['UNKNOWN_XENAPI_PLUGIN_FUNCTION', name]})
        return
    try:
        _answer({'Status': 'Success', 'Value': fn_table[name](session, params[1])})
    except Failure as e:
        _answer({'Status': 'Failure', 'ErrorDescription': e.params})
    except Exception as e:
        _answer({'Status': 'Failure', 'ErrorDescription': [
            'XENAPI_PLUGIN_FAILURE', name, e.__class__.__name__, str(e)]})
