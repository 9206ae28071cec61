#!/usr/bin/python3
"""A small real SMTP server for the transport tests, built on aiosmtpd.

It listens on 127.0.0.1 (port 0 by default: the kernel picks a free one)
and prints the port on standard output once it accepts connections.  It
stops on end of file on standard input or on SIGTERM, so a test that dies
takes its server with it.

    smtpserver.py [--port N] [--starttls CERT KEY | --implicit-tls CERT KEY]
                  [--auth USER:PASSWORD [--auth-plaintext]]
                  [--reject RCPT]... [--tempfail {rcpt,data}]
                  [--greeting-delay SECONDS | --silent-greeting]
                  [--delay-reply {mail,rcpt,final} SECONDS
                   [--delay-transaction N]...]
                  [--crash-after N] [--silent-quit]
                  [--extra-reply SECONDS] [--pipelining]
                  [--reply-by-address] [--busy N] [--maildir DIR]

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

Faults, for the tests of time limits and broken connections:

--greeting-delay SECONDS   greet each connection only after SECONDS.
--silent-greeting          accept connections but never greet.
--delay-reply STAGE SECONDS
                           hold back a reply for SECONDS: to MAIL (mail),
                           to RCPT (rcpt), or the final one after the
                           message (final; the message is stored first, as
                           a slow server really would have it).  The reply
                           is sent late all the same, if the client is
                           still there to read it.
--delay-transaction N      delay only the Nth transaction (MAIL command,
                           counted from 1 over all connections); may be
                           given more than once.  Default: every one.
--crash-after N            once the Nth message is stored and its 250 sent,
                           exit at once (status 3), closing every
                           connection without a word and refusing new ones.
--silent-quit              never answer QUIT.
--busy N                   answer the first N transactions' MAIL with
                           "421 4.7.0 too many messages" and close the
                           connection, as a provider asking for less does.
--extra-reply SECONDS      SECONDS after the final reply to each message,
                           send one more that answers nothing, as a server
                           out of step would.

--pipelining               offer PIPELINING (RFC 2920) after EHLO, and log
                           an "ahead" event (connection, next: the verb
                           waiting) for each reply sent while the client's
                           next command had already come: a client that
                           pipelines RCPT and DATA shows one per message.
                           aiosmtpd reads commands one after the other, as
                           pipelining needs, but does not offer it itself.
"""

import argparse
import asyncio
import json
import os
import signal
import ssl
import sys
import threading
import time

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
        # When it happened, for the tests of sending limits.
        fields.setdefault("time", time.time())
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
        self.transaction_count = 0
        self.listener = None  # the asyncio server, once it listens

    async def delay(self, stage, server):
        """Sleeps when the options delay this stage of this transaction."""
        if self.args.delay_reply is None:
            return
        wanted, seconds = self.args.delay_reply
        only = self.args.delay_transaction
        if wanted == stage and (not only or server.transaction in only):
            self.log.event(event="delay", stage=stage,
                           connection=server.connection_number,
                           transaction=server.transaction)
            await asyncio.sleep(float(seconds))

    async def handle_EHLO(self, server, session, envelope, hostname,
                          responses):
        session.host_name = hostname
        if self.args.pipelining:
            responses.insert(len(responses) - 1, "250-PIPELINING")
        return responses

    async def handle_MAIL(self, server, session, envelope, address,
                          mail_options):
        self.transaction_count += 1
        server.transaction = self.transaction_count
        self.log.event(event="mail", mail_from=address,
                       connection=server.connection_number,
                       tls=server.is_tls())
        if self.transaction_count <= self.args.busy:
            # As real servers do after a 421: the connection ends, right
            # after the reply is written (a close before it would lose it).
            server.close_after_reply = True
            return "421 4.7.0 too many messages, slow down"
        await self.delay("mail", server)
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
        await self.delay("rcpt", server)
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
        await self.delay("final", server)
        reply = "250 2.0.0 OK queued as %s" % name
        if self.log.message_count == self.args.crash_after:
            # No new connections from here on, so that a client can only
            # find the port closed; the 250 goes out (the message was
            # stored), then the process ends without another word.
            self.listener.close()
            await server.push(reply)
            os._exit(3)
        if self.args.extra_reply is not None:
            asyncio.get_running_loop().create_task(self.extra_reply(server))
        return reply

    async def extra_reply(self, server):
        await asyncio.sleep(self.args.extra_reply)
        self.log.event(event="extra-reply",
                       connection=server.connection_number)
        try:
            await server.push("250 2.0.0 this line answers nothing")
        except (ConnectionError, AttributeError, RuntimeError):
            pass  # the client has gone, as it may


class CountingSMTP(SMTP):
    """Numbers its connections so tests can see reuse; knows if TLS."""

    counter = 0
    open_now = 0  # connections open at this moment

    def __init__(self, *args, implicit_tls=False, faults=None, **kwargs):
        super().__init__(*args, **kwargs)
        CountingSMTP.counter += 1
        CountingSMTP.open_now += 1
        self.connection_number = CountingSMTP.counter
        self.implicit_tls = implicit_tls
        self.faults = faults
        self.greeted = False
        self.transaction = 0
        self.close_after_reply = False

    def connection_lost(self, error):
        CountingSMTP.open_now -= 1
        super().connection_lost(error)

    def is_tls(self):
        return self.implicit_tls or self._tls_protocol is not None

    async def push(self, status):
        # The first line a connection gets is its greeting.
        if not self.greeted:
            self.greeted = True
            if self.faults.silent_greeting:
                await asyncio.sleep(24 * 3600)
            if self.faults.greeting_delay:
                await asyncio.sleep(self.faults.greeting_delay)
        elif self.faults.pipelining:
            self.note_ahead()
        await super().push(status)
        if self.close_after_reply:
            self.transport.close()

    def note_ahead(self):
        """Logs a reply sent while the next command has come already."""
        waiting = bytes(getattr(self._reader, "_buffer", b""))
        if waiting:
            verb = waiting.split(b" ", 1)[0].split(b"\r", 1)[0]
            self.event_handler.log.event(
                event="ahead", connection=self.connection_number,
                next=verb[:12].decode("ascii", "replace"))

    async def smtp_QUIT(self, arg):
        if self.faults.silent_quit:
            await asyncio.sleep(24 * 3600)
        await super().smtp_QUIT(arg)


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
    parser.add_argument("--greeting-delay", type=float)
    parser.add_argument("--silent-greeting", action="store_true")
    parser.add_argument("--delay-reply", nargs=2,
                        metavar=("STAGE", "SECONDS"))
    parser.add_argument("--delay-transaction", type=int, action="append",
                        default=[])
    parser.add_argument("--crash-after", type=int)
    parser.add_argument("--silent-quit", action="store_true")
    parser.add_argument("--extra-reply", type=float)
    parser.add_argument("--reply-by-address", action="store_true")
    parser.add_argument("--busy", type=int, default=0)
    parser.add_argument("--pipelining", action="store_true")
    parser.add_argument("--maildir")
    args = parser.parse_args()
    if args.delay_reply and args.delay_reply[0] not in ("mail", "rcpt",
                                                        "final"):
        parser.error("--delay-reply: STAGE is mail, rcpt or final")
    if args.delay_reply:
        try:
            float(args.delay_reply[1])
        except ValueError:
            parser.error("--delay-reply: SECONDS is a number")
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
                                implicit_tls=bool(server_ssl), faults=args,
                                **kwargs)
        log.event(event="connect", connection=protocol.connection_number,
                  open=CountingSMTP.open_now)
        return protocol

    server = loop.run_until_complete(loop.create_server(
        factory, host="127.0.0.1", port=args.port, ssl=server_ssl))
    port = server.sockets[0].getsockname()[1]
    handler.listener = server

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
        # Replies still held back (the faults above) end with the server.
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending,
                                               return_exceptions=True))
        loop.close()


if __name__ == "__main__":
    main()
