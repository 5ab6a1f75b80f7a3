#!/usr/bin/env python3
"""A file server on 127.0.0.1 for the benchmark scripts: serves DIR, prints its port.

  serve.py DIR [--delay SECONDS] [--endless PREFIX] [--silent] [--drip SECONDS]

--delay waits before every answer (a slow mirror); --endless answers every `.gz` under
PREFIX with an endless body (at most 1 GiB, no Content-Length); --silent accepts and never
answers (for at most 10 minutes); --drip sends each file one byte every SECONDS.
"""
import argparse, http.server, os, time

p = argparse.ArgumentParser()
p.add_argument("dir")
p.add_argument("--delay", type=float, default=0.0)
p.add_argument("--endless", default=None)
p.add_argument("--silent", action="store_true")
p.add_argument("--drip", type=float, default=None)
a = p.parse_args()


class H(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        time.sleep(a.delay)
        if a.silent:
            time.sleep(600)
            return
        if a.drip is not None:
            path = self.translate_path(self.path)
            if not os.path.isfile(path):
                return super().do_GET()
            data = open(path, "rb").read()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            try:
                for i in range(len(data)):
                    self.wfile.write(data[i:i + 1])
                    self.wfile.flush()
                    time.sleep(a.drip)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if a.endless and self.path.startswith(a.endless) and self.path.endswith(".gz"):
            self.send_response(200)
            self.end_headers()
            chunk = b"x" * 65536
            try:
                for _ in range(16384):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        return super().do_GET()

    def log_message(self, *args):
        pass


os.chdir(a.dir)
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
