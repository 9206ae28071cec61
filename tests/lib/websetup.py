#!/usr/bin/python3
"""Sets up what a browser test of digest serve needs (webtest.Site: two
SMTP servers with TLS, a configuration, digest serve on a free port) and
prints it as one JSON line: base, config, directory, port, and each
server's maildir.  Everything stops when standard input closes, so a test
that dies takes it all with it.

    websetup.py NAME [EXTRA-SOURCE-FILE]

With EXTRA-SOURCE-FILE, the configuration has one more feed read from
that file, so a test can give the next day news of its own."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import webtest  # noqa: E402

extra = ""
if len(sys.argv) > 2:
    extra = "[source dag2]\nurl = file://%s\n" % os.path.abspath(sys.argv[2])
site = webtest.Site(sys.argv[1], extra_sources=extra)
try:
    print(json.dumps({"base": site.base, "config": site.config,
                      "directory": site.directory, "port": site.port,
                      "zeeland": site.zeeland.maildir,
                      "delta": site.delta.maildir}), flush=True)
    sys.stdin.read()
finally:
    code = site.close()
