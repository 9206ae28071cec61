"""digest serve refuses every token it did not make for that page and
address, with the right status and a plain page, and changes nothing: a
missing token (400), every cut of a good one (400), every character of
it changed (400 or 403), another key, another page's token and another
address's (403), an expired one (410), one from the future (403).  A
form POST without its token is refused the same way."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from digesttest import check, finish  # noqa: E402
import webtest  # noqa: E402

ANNA = "anna@example.nl"
BOB = "bob@example.nl"
ALPHABET = ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
            "0123456789-_")
MAX_AGE = 400 * 86400  # link_max_age's default
CONFIRM_MAX_AGE = 2 * 86400

# Each page that takes a token: method, path, the action its token is
# for, and how long such a token lives.
PAGES = [("GET", "/prefs", "prefs", MAX_AGE),
         ("POST", "/prefs", "prefs", MAX_AGE),
         ("POST", "/export", "prefs", MAX_AGE),
         ("GET", "/erase", "prefs", MAX_AGE),
         ("POST", "/erase", "prefs", MAX_AGE),
         ("GET", "/unsubscribe", "unsubscribe", MAX_AGE),
         ("POST", "/unsubscribe", "unsubscribe", MAX_AGE),
         ("POST", "/resubscribe", "resubscribe", MAX_AGE),
         ("GET", "/view", "view", MAX_AGE),
         ("GET", "/confirm", "confirm", CONFIRM_MAX_AGE),
         ("POST", "/confirm", "confirm", CONFIRM_MAX_AGE)]

site = webtest.Site("tokens")
other = webtest.Site("other-key", start=False)
try:
    with open(other.key_file, "w") as handle:
        handle.write("quite another key, and also at least 32 bytes\n")
    site.digest("subscribers", "add", ANNA, "--provider", "delta")
    site.digest("subscribers", "add", BOB)
    before = site.dump()

    def ask(method, path, token, **kwargs):
        """The page with token in the query (GET) or the form (POST)."""
        if method == "GET":
            return site.get(path + ("?t=" + token if token is not None
                                    else ""), **kwargs)
        data = {"t": token} if token is not None else {}
        data.update({"provider": "zeelandnet", "language": "en"})
        return site.post(path, data, **kwargs)

    def refused(method, path, token, statuses, what):
        answer = ask(method, path, token)
        check(answer.status in statuses,
              "%s %s, %s: %d, want %r" % (method, path, what,
                                         answer.status, statuses))
        check(ANNA not in answer.text and BOB not in answer.text,
              "%s %s, %s: the page names nobody" % (method, path, what))
        return answer

    now = int(time.time())
    for method, path, action, max_age in PAGES:
        good = site.token(action, ANNA)
        bob = site.token(action, BOB)
        refused(method, path, None, (400,), "no token")
        refused(method, path, "", (400,), "an empty token")
        # Every cut of the token: nothing short of it is a token.
        for length in range(0, len(good), 7 if method == "GET" else 13):
            refused(method, path, good[:length], (400,),
                    "cut at %d" % length)
        # Change characters of every field: subject, action, time, MAC.
        for index in range(2, len(good), 5):
            if good[index] == ".":
                continue
            changed = good[:index] + \
                ALPHABET[(ALPHABET.index(good[index]) + 1) % 64] \
                if good[index] in ALPHABET else good[:index] + "A"
            changed += good[index + 1:]
            refused(method, path, changed, (400, 403),
                    "changed at %d" % index)
        parts, bob_parts = good.split("."), bob.split(".")
        refused(method, path, ".".join(bob_parts[:1] + parts[1:2] +
                                       bob_parts[2:]), (403,),
                "bob's MAC with anna's address")
        refused(method, path, ".".join(parts[:1] + bob_parts[1:2] +
                                       parts[2:]), (403,),
                "anna's MAC with bob's address")
        wrong = "view" if action != "view" else "prefs"
        refused(method, path, site.token(wrong, ANNA), (403,),
                "a %s token" % wrong)
        refused(method, path, other.token(action, ANNA), (403,),
                "another key")
        refused(method, path, site.token(action, ANNA, now - max_age - 60),
                (410,), "expired")
        refused(method, path, site.token(action, ANNA, now + 3600), (403,),
                "from the future")
        refused(method, path, good + "x", (400,), "a byte added")
        refused(method, path, good.replace(".", ".."), (400,), "a dot added")
    check(site.dump() == before, "no refused request changed anything")

    # The good tokens still work after all that, and each for its page.
    page = site.get("/prefs?t=" + site.token("prefs", ANNA))
    check(page.status == 200 and ANNA in page.text, "a good token works")
    # A token in the query of a POST counts as the form's would.
    check(site.post("/unsubscribe?t=" + site.token("unsubscribe", BOB),
                    {}).status == 200 and
          site.rows("SELECT active FROM subscribers WHERE email = ?", BOB)
          == [(0,)], "the query's token for a POST")
    # An address that is gone: its links answer 410 (unsubscribe: 200).
    gone = "carla@example.nl"
    check(site.get("/prefs?t=" + site.token("prefs", gone)).status == 410,
          "prefs of nobody: 410")
    check(site.get("/view?t=" + site.token("view", gone)).status == 410,
          "view of nobody: 410")
    check(site.post("/unsubscribe", {"t": site.token("unsubscribe", gone)})
          .status == 200, "unsubscribing nobody: 200, nothing to do")
    check(site.post("/confirm", {"t": site.token("confirm", gone)})
          .status == 410, "confirming nothing: 410")
finally:
    site.close()
    other.close()
finish()
