"""WCAG AA contrast of the shipped HTML digest, in light and in dark mode.

The shipped templates are rendered by `digest preview` with every optional
part on (the "Kies je webmail" prompt, the signed links, a footer line,
items with bullet lists) and once with no items.  Each element that holds
text gets its colours the way a mail client would: the inline `color` and
`background-color` (light mode), inherited from the nearest ancestor that
sets them, and in dark mode the `!important` colours of its `dg-*`
classes from the `prefers-color-scheme: dark` block, else the inline ones.
Every pair must reach 4.5:1 by the WCAG 2 formula.  Every colour the
templates give text must have been measured, so a branch that the renders
did not reach cannot hide a bad colour.  Last, the old
section label (before it had a dark colour, 2.5:1 on the dark card) must
fail, so the check is known to bite."""
import os
import re
import shutil
import sys
import xml.etree.ElementTree as ElementTree

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from digesttest import (SRC, DEMO_NOW, check, demo_config_text, finish, run,
                        tempdir, write)

MINIMUM = 4.5


def luminance(colour):
    """WCAG 2 relative luminance of #rrggbb (or #rgb)."""
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)

    def channel(value):
        value /= 255
        return (value / 12.92 if value <= 0.04045
                else ((value + 0.055) / 1.055) ** 2.4)
    red, green, blue = (int(digits[i:i + 2], 16) for i in (0, 2, 4))
    return (0.2126 * channel(red) + 0.7152 * channel(green) +
            0.0722 * channel(blue))


def ratio(first, second):
    lighter, darker = sorted((luminance(first), luminance(second)),
                             reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def declarations(text):
    """CSS declarations "a:b; c:d !important" as {a: b, c: d}."""
    found = {}
    for part in text.split(";"):
        if ":" in part:
            name, value = part.split(":", 1)
            found[name.strip().lower()] = (
                value.replace("!important", "").strip().lower())
    return found


def dark_rules(html):
    """{class: {property: colour}} of the dark-mode media query."""
    match = re.search(r"@media \(prefers-color-scheme: dark\) \{(.*?)\n\}",
                      html, re.S)
    check(match is not None, "no prefers-color-scheme: dark block")
    rules = {}
    for name, body in re.findall(r"\.(dg-[a-z-]+) \{([^}]*)\}",
                                 match.group(1) if match else ""):
        rules[name] = declarations(body)
    return rules


def local(tag):
    return tag.rsplit("}", 1)[-1]


def measure(html):
    """Every (mode, text, background, where) pair of elements with text."""
    rules = dark_rules(html)
    root = ElementTree.fromstring(html.split("\n", 1)[1] if
                                  html.startswith("<!DOCTYPE") else html)
    pairs = []

    def walk(element, light_fg, light_bg, dark_fg, dark_bg):
        style = declarations(element.get("style", ""))
        if style.get("display") == "none" or local(element.tag) == "head":
            return
        classes = element.get("class", "").split()
        dark = {}
        for name in classes:
            dark.update(rules.get(name, {}))
        light_fg = style.get("color", light_fg)
        light_bg = style.get("background-color", light_bg)
        dark_fg = dark.get("color", style.get("color", dark_fg))
        dark_bg = dark.get("background-color",
                           style.get("background-color", dark_bg))
        has_text = (element.text or "").strip() or any(
            (child.tail or "").strip() for child in element)
        if has_text:
            where = "<%s> %r" % (local(element.tag),
                                 "".join(element.itertext()).strip()[:40])
            pairs.append(("light", light_fg, light_bg, where))
            pairs.append(("dark", dark_fg, dark_bg, where))
        for child in element:
            walk(child, light_fg, light_bg, dark_fg, dark_bg)

    walk(root, None, None, None, None)
    return pairs


def template_colours(directory):
    """Every text colour the HTML templates set."""
    colours = set()
    for name in os.listdir(directory):
        if name.endswith(".html.mustache"):
            with open(os.path.join(directory, name), encoding="utf-8") as f:
                text = f.read()
            colours.update(c.lower() for c in re.findall(
                r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})",
                text))
    return colours


def render(directory, templates, empty=False):
    """The HTML part for an anonymous reader, with [web] links and a
    footer line; empty: from feeds without items."""
    key = os.path.join(directory, "link.key")
    if not os.path.exists(key):
        write(key, "3530-link-key-0123456789abcdef0123456789\n", 0o600)
    text = demo_config_text(directory).replace(
        "templates = %s/templates" % SRC, "templates = %s" % templates)
    if empty:
        feed = write(os.path.join(directory, "empty.xml"),
                     '<?xml version="1.0"?><rss version="2.0"><channel>'
                     "<title>Leeg</title></channel></rss>\n")
        text = re.sub(r"(?m)^url = .*$", "url = file://" + feed, text)
    text = text.replace("list_id", "footer = Voorbeeld B.V., Postbus 1, "
                        "4330 AA Middelburg\nlist_id")
    text += ("\n[web]\nbase_url = https://nieuws.example.nl/digest\n"
             "secret_file = %s\n" % key)
    config = write(os.path.join(directory, "digest.ini"), text)
    code, out, err = run(["preview", "--format", "html", "--now", DEMO_NOW],
                         config=config)
    check(code == 0, "preview: exit %d %r" % (code, err))
    return out


def problems(pairs):
    bad = []
    for mode, text, background, where in pairs:
        if text is None or background is None:
            bad.append("%s %s: no colour for text or background" %
                       (mode, where))
        elif ratio(text, background) < MINIMUM:
            bad.append("%s %s: %s on %s is %.2f:1" % (
                mode, where, text, background, ratio(text, background)))
    return bad


directory = tempdir()
shipped = os.path.join(SRC, "templates")
full = render(directory, shipped)
empty = render(directory, shipped, empty=True)
check("Kies je webmail" in full and "<ul" in full and "Postbus 1" in full
      and "/prefs?t=" in full and "/view?t=" in full,
      "the full render lacks a part it should measure")
check("Geen nieuwe berichten" in empty, "the empty render has items")
pairs = measure(full) + measure(empty)
for problem in problems(pairs):
    check(False, problem)
seen = {}
for mode, text, background, where in pairs:
    if text and background:
        seen[(mode, text, background)] = ratio(text, background)
for (mode, text, background), value in sorted(seen.items()):
    print("%-5s %s on %s: %.2f:1" % (mode, text, background, value))
measured = {c for _, text, background in seen for c in (text, background)}
for colour in sorted(template_colours(shipped) - measured):
    check(False, "colour %s in the templates was never measured" % colour)

# The check bites: the section label as it was, without its dark class.
old = os.path.join(directory, "old-templates")
shutil.copytree(shipped, old)
path = os.path.join(old, "digest.html.mustache")
with open(path, encoding="utf-8") as handle:
    text = handle.read()
check('<p class="dg-accent" ' in text, "the label has no dg-accent class")
write(path, text.replace('<p class="dg-accent" ', "<p "))
bad = problems(measure(render(directory, old)))
check(len(bad) == 1 and "#b3261e on #1e1e1e is 2.5" in bad[0],
      "the old label must fail in dark mode: %r" % bad)

finish()
