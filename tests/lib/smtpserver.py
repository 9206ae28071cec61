#!/usr/bin/python3
"""A small real SMTP server for the transport tests, built on aiosmtpd.

It listens on 127.0.0.1 (port 0 by default: the kernel picks a free one)
and prints the port on standard output once it accepts connections.  It
stops on end of file on standard input or on SIGTERM, so a test that dies
takes its server with it.

    smtpserver.py [--port N] [--starttls CERT KEY | --implicit-tls CERT KEY]
                  [--auth USER:PASSWORD [--auth-plaintext]]
                  [--reject RCPT]... [--tempfail {rcpt,data}]
                  [--reply-by-address] [--maildir DIR]

With --maildir every accepted message goes to DIR/N.eml (N counts from 1)
and DIR/log.jsonl gets one JSON line per event: "connect" (connection
number), "mail" (envelope sender, even if later refused) and "message"
(file, sender, recipients, connection number, whether TLS and AUTH were in
use).

With --reply-by-address a recipient whose local part is "rcpt-NNN" or
"data-NNN" (rcpt-503@example.nl) gets reply code NNN to its RCPT TO or at
the end of its DATA, so that one server can answer every code a test wants
to see classified.  The reply carries an enhanced status code of the same
class (5.0.0 or 4.0.0), as real servers send.

The credentials are read from the environment variable named by
--auth-env when --auth is "-", so the tests need not put them in argv.
"""

import argparse
import asyncio
import json
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Log:
    def __init__(self, directory):
        self.directory = directory
        self.message_count = 0
        if directory:
            os.makedirs(directory, exist_ok=True)

    def event(self, **fields):
        if not self.directory:
            return
        with open(os.path.join(self.directory, "log.jsonl"), "a") as f:
            f.write(json.dumps(fields) + "\n")

    def message(self, data):
        self.message_count += 1
        name = "%d.eml" % self.message_count
        if self.directory:
            path = os.path.join(self.directory, name)
            with open(path + ".tmp", "wb") as f:
                f.write(data)
            os.rename(path + ".tmp", path)
        return name


def injected_reply(args, stage, addresses):
    """The reply --reply-by-address asks for at stage, or None."""
    if not args.reply_by_address:
        return None
    for address in addresses:
        local = address.partition("@")[0].lower()
        prefix, _, code = local.partition("-")
        if prefix == stage and len(code) == 3 and code.isdigit():
            return "%s %s.0.0 injected reply to %s (%s)" % (
                code, code[0], stage.upper(), address)
    return None


class Handler:
    def __init__(self, args, log):
        self.args = args
        self.log = log

    async def handle_MAIL(self, server, session, envelope, address,
                          mail_options):
        self.log.event(event="mail", mail_from=address,
                       connection=server.connection_number,
                       tls=server.is_tls())
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        if address.lower() in self.args.reject:
            return "550 5.1.1 <%s>: no such user here" % address
        reply = injected_reply(self.args, "rcpt", [address])
        if reply is not None:
            return reply
        if self.args.tempfail == "rcpt":
            return "451 4.3.0 try again later (rcpt)"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.args.tempfail == "data":
            return "451 4.3.0 try again later (data)"
        reply = injected_reply(self.args, "data", envelope.rcpt_tos)
        if reply is not None:
            return reply
        name = self.log.message(envelope.original_content)
        self.log.event(event="message", file=name,
                       mail_from=envelope.mail_from,
                       rcpt_tos=envelope.rcpt_tos,
                       connection=server.connection_number,
                       tls=server.is_tls(),
                       auth=bool(session.authenticated))
        return "250 2.0.0 OK queued as %s" % name


class CountingSMTP(SMTP):
    """Numbers its connections so tests can see reuse; knows if TLS."""

    counter = 0

    def __init__(self, *args, implicit_tls=False, **kwargs):
        super().__init__(*args, **kwargs)
        CountingSMTP.counter += 1
        self.connection_number = CountingSMTP.counter
        self.implicit_tls = implicit_tls

    def is_tls(self):
        return self.implicit_tls or self._tls_protocol is not None


def make_context(cert, key):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--implicit-tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--auth", metavar="USER:PASSWORD")
    parser.add_argument("--auth-env", default="SMTPSERVER_AUTH")
    parser.add_argument("--auth-plaintext", action="store_true")
    parser.add_argument("--reject", action="append", default=[])
    parser.add_argument("--tempfail", choices=("rcpt", "data"))
    parser.add_argument("--reply-by-address", action="store_true")
    parser.add_argument("--maildir")
    args = parser.parse_args()
    args.reject = [address.lower() for address in args.reject]

    log = Log(args.maildir)
    handler = Handler(args, log)
    kwargs = {"hostname": "smtp.test.invalid", "ident": "digest test SMTP"}
    server_ssl = None
    if args.starttls:
        kwargs["tls_context"] = make_context(*args.starttls)
        kwargs["require_starttls"] = True
    if args.implicit_tls:
        server_ssl = make_context(*args.implicit_tls)
    if args.auth:
        credentials = args.auth
        if credentials == "-":
            credentials = os.environ[args.auth_env]
        user, _, password = credentials.partition(":")

        def authenticator(server, session, envelope, mechanism, data):
            ok = (isinstance(data, LoginPassword) and
                  data.login.decode() == user and
                  data.password.decode() == password)
            # handled=False: aiosmtpd itself answers 535 on failure.
            return AuthResult(success=ok, handled=False)

        kwargs["authenticator"] = authenticator
        kwargs["auth_required"] = True
        # Over implicit TLS the whole connection is encrypted already.
        kwargs["auth_require_tls"] = not (args.auth_plaintext or
                                          args.implicit_tls)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def factory():
        protocol = CountingSMTP(handler, loop=loop,
                                implicit_tls=bool(server_ssl), **kwargs)
        log.event(event="connect", connection=protocol.connection_number)
        return protocol

    server = loop.run_until_complete(loop.create_server(
        factory, host="127.0.0.1", port=args.port, ssl=server_ssl))
    port = server.sockets[0].getsockname()[1]

    loop.add_signal_handler(signal.SIGTERM, loop.stop)

    def wait_for_eof():
        try:
            while sys.stdin.buffer.read(4096):
                pass
        finally:
            loop.call_soon_threadsafe(loop.stop)

    threading.Thread(target=wait_for_eof, daemon=True).start()
    print(port, flush=True)
    try:
        loop.run_forever()
    finally:
        server.close()
        loop.run_until_complete(server.wait_closed())
        loop.close()


if __name__ == "__main__":
    main()
