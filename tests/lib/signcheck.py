"""Checks the signed links of a digest the way `digest serve` will, but
written anew from the token format that digest/sign.c documents, so that a
test finds a link that only digest itself would accept.

A token is "1.SUBJECT.ACTION.ISSUED.MAC": SUBJECT the address and MAC the
HMAC-SHA256 in unpadded base64url, ISSUED the issue time in hexadecimal;
the MAC covers "digest-link-1", the address, the action and ISSUED, each
ended by a NUL byte."""
import base64
import hashlib
import hmac
import re

LABEL = b"digest-link-1"


def _unbase64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def check_token(key, token, action):
    """Returns the address the token was made for when key signed it for
    action, else None.  key is the bytes of the key file's first line."""
    parts = token.split(".")
    if len(parts) != 5 or parts[0] != "1" or parts[2] != action:
        return None
    try:
        subject = _unbase64url(parts[1])
        mac = _unbase64url(parts[4])
        int(parts[3], 16)
    except ValueError:
        return None
    message = b"\0".join([LABEL, subject, action.encode(),
                          parts[3].encode()]) + b"\0"
    expected = hmac.new(key, message, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, mac):
        return None
    return subject.decode("utf-8")


def token_of(url, base, action):
    """The token of a link BASE/ACTION?t=TOKEN, or None for another shape."""
    match = re.fullmatch(re.escape(base.rstrip("/")) + "/" + action +
                         r"\?t=([A-Za-z0-9_.-]+)", url)
    return match.group(1) if match else None


def check_link(key, url, base, action, email):
    """Whether url is BASE/ACTION with a token key signed for email."""
    token = token_of(url, base, action)
    return token is not None and check_token(key, token, action) == email


def links_in(text, base):
    """Every link under base in text (a decoded part), in order."""
    return re.findall(re.escape(base.rstrip("/")) +
                      r"/[a-z]+\?t=[A-Za-z0-9_.-]+", text)
