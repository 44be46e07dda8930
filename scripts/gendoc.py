#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""gendoc: gotl(1) and gotl's bash completion, made from gotl's own --help.

    gendoc.py [--gotl ./gotl] man  doc/gotl.1.in    > gotl.1
    gendoc.py [--gotl ./gotl] bash doc/gotl.bash.in > gotl.bash
    gendoc.py [--gotl ./gotl] json                  > help.json  (what was read)

`gotl --help` lists the commands; `gotl CMD --help` gives each one's usage
lines, description and sections, in the layout cli/cli.h describes. The
template's placeholders (@SYNOPSIS@ ...) are replaced by what is made from them, so
a command or option added to the C code is in the page and the completion
the next time `make` runs, and the help that does not keep to the layout
stops the build with the line at fault. Writes to stdout only.
"""
import argparse
import json
import re
import shlex
import subprocess
import sys

SECTION = re.compile(r"^([a-z][a-z ]*):$")
ITEM = re.compile(r"^  (\S.*?)(?: {2,}(\S.*))?$")
# An option without a short form is indented to where the long ones start.
OPTION_ITEM = re.compile(r"^(?:  |      )(-\S.*?)(?: {2,}(\S.*))?$")
OPTION = re.compile(r"^(?:-(?P<short>[A-Za-z0-9])(?:, |$))?(?:--(?P<long>[a-z0-9][a-z0-9-]*))?"
                    r"(?:\[=(?P<oarg>[^\]\s]+)\]| (?P<arg>\S+))?$")


class BadHelp(Exception):
    pass


def help_text(gotl, cmd=None):
    argv = [gotl] + ([cmd] if cmd else []) + ["--help"]
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0 or r.stderr:
        raise BadHelp("%s: exit %d, stderr %r" % (" ".join(argv[1:]), r.returncode, r.stderr))
    return r.stdout.decode()


def parse_option(term, where):
    m = OPTION.match(term)
    if not m or not (m.group("short") or m.group("long")):
        raise BadHelp("%s: %r is not an option (-x, --long ARG, --long[=ARG])" % (where, term))
    return {"short": m.group("short"), "long": m.group("long"),
            "arg": m.group("arg") or m.group("oarg"), "optional": bool(m.group("oarg"))}


def parse_help(text, where):
    """{usage: [...], description: [paragraphs], sections: [[title, [items]]]}; an item is
    {term, text} (an option's term parsed into short, long, arg, optional)."""
    lines = text.rstrip("\n").split("\n")
    for n, l in enumerate(lines, 1):
        if len(l) > 80 or "\t" in l:
            raise BadHelp("%s, line %d: longer than 80 columns or a tab: %r" % (where, n, l))
    if not lines[0].startswith("usage: gotl"):
        raise BadHelp("%s: the help does not start with 'usage: gotl'" % where)
    usage, i = [lines[0][len("usage: "):]], 1
    while i < len(lines) and lines[i].startswith("       gotl"):
        usage.append(lines[i].strip())
        i += 1
    desc, para = [], []
    while i < len(lines) and not SECTION.match(lines[i]):
        if lines[i].strip():
            para.append(lines[i].strip())
        elif para:
            desc.append(" ".join(para))
            para = []
        i += 1
    if para:
        desc.append(" ".join(para))
    sections = []
    while i < len(lines):
        title = SECTION.match(lines[i]).group(1)
        items, i = [], i + 1
        while i < len(lines) and lines[i].strip():
            l = lines[i]
            m = (OPTION_ITEM if title == "options" else ITEM).match(l)
            if title == "examples" and l.startswith("  "):
                items.append({"term": l[2:], "text": ""})
            elif m:
                items.append({"term": m.group(1), "text": m.group(2) or ""})
            elif l.startswith("   ") and items:
                items[-1]["text"] = (items[-1]["text"] + " " + l.strip()).strip()
            else:
                raise BadHelp("%s, line %d: not an item of '%s:' (two spaces, then the "
                              "item; more to continue it): %r" % (where, i + 1, title, l))
            i += 1
        if not items:
            raise BadHelp("%s: section '%s:' is empty" % (where, title))
        if title == "options":
            for it in items:
                it.update(parse_option(it["term"], where))
        sections.append([title, items])
        while i < len(lines) and not lines[i].strip():
            i += 1
        if i < len(lines) and not SECTION.match(lines[i]):
            raise BadHelp("%s, line %d: text after the sections, outside any: %r"
                          % (where, i + 1, lines[i]))
    return {"usage": usage, "description": desc, "sections": sections}


def section(h, title):
    return next((items for t, items in h["sections"] if t == title), [])


def read_all(gotl):
    """The top-level help and every command's, parsed."""
    top = parse_help(help_text(gotl), "gotl --help")
    cmds = section(top, "commands")
    if not cmds:
        raise BadHelp("gotl --help: no 'commands:' section")
    out = {"version": subprocess.run([gotl, "--version"], stdout=subprocess.PIPE,
                                     check=True).stdout.decode().split()[-1],
           "top": top, "commands": {}}
    for c in cmds:
        name = c["term"]
        h = parse_help(help_text(gotl, name), "gotl %s --help" % name)
        if not h["usage"][0].startswith("gotl %s" % name):
            raise BadHelp("gotl %s --help: usage is not 'gotl %s ...'" % (name, name))
        h["what"] = c["text"]
        out["commands"][name] = h
    return out


# ---------------------------------------------------------------- gotl(1)

def esc(s):
    """Text for roff: backslashes and hyphens escaped, `code` in bold."""
    s = s.replace("\\", "\\e").replace("-", "\\-")
    return re.sub(r"`([^`]+)`", r"\\fB\1\\fR", s)


def line(s):
    """A text line that does not start like a request."""
    return "\\&" + s if s[:1] in (".", "'") else s


def esc_usage(u):
    """A usage line: the command in bold, metavariables in italics."""
    words = u.split(" ")
    n = 2 if len(words) > 1 and not words[1].startswith(("-", "[", "<")) else 1
    head = "\\fB%s\\fR" % esc(" ".join(words[:n]))
    rest = re.sub(r"\b([A-Z][A-Z0-9_]+)\b", "\x01\\1\x02", " ".join(words[n:]))
    rest = esc(rest).replace("\x01", "\\fI").replace("\x02", "\\fR")
    return line((head + " " + rest).strip())


def esc_option(o):
    names = []
    if o["short"]:
        names.append("\\fB\\-%s\\fR" % o["short"])
    if o["long"]:
        names.append("\\fB\\-\\-%s\\fR" % esc(o["long"]))
    s = ", ".join(names)
    if o["arg"]:
        if re.fullmatch(r"[a-z0-9-]+(\|[a-z0-9-]+)+", o["arg"]):
            arg = "|".join("\\fB%s\\fR" % esc(v) for v in o["arg"].split("|"))
        else:
            arg = "\\fI%s\\fR" % esc(o["arg"])
        s += "[=%s]" % arg if o["optional"] else " " + arg
    return s


def tp(term, text):
    return [".TP", line(term), line(esc(text))] if text else [".TP", line(term), "\\&"]


def man(doc, template):
    top, cmds = doc["top"], doc["commands"]
    synopsis = [".nf", esc_usage(top["usage"][0])]
    for name, h in cmds.items():
        synopsis += [esc_usage(u) for u in h["usage"]]
    synopsis.append(".fi")
    description = []
    for p in top["description"]:
        description += [".PP", line(esc(p))]
    description += [".PP", "The commands:", ".RS 4"]
    for c in section(top, "commands"):
        description += tp("\\fBgotl %s\\fR" % esc(c["term"]), c["text"])
    description.append(".RE")
    commands = []
    done = ("options", "exit status", "environment", "examples")
    for name, h in cmds.items():
        commands += [".SS gotl %s" % name, ".nf"] + [esc_usage(u) for u in h["usage"]]
        commands.append(".fi")
        for p in h["description"]:
            commands += [".PP", line(esc(p))]
        commands += [".PP", "Options:", ".RS 4"]
        for o in section(h, "options"):
            commands += tp(esc_option(o), o["text"])
        commands.append(".RE")
        for title, items in h["sections"]:
            if title in done:
                continue
            commands += [".PP", line(esc(title[0].upper() + title[1:])) + ":", ".RS 4"]
            for it in items:
                commands += tp("\\fB%s\\fR" % esc(it["term"]), it["text"])
            commands.append(".RE")
    options = []
    for o in section(top, "options"):
        options += tp(esc_option(o), o["text"])
    status = []
    for name, h in cmds.items():
        status += [".SS gotl %s" % name]
        for it in section(h, "exit status"):
            status += tp("\\fB%s\\fR" % esc(it["term"]), it["text"])
    environment = []
    for name, h in cmds.items():
        for it in section(h, "environment"):
            environment += tp("\\fB%s\\fR" % esc(it["term"]),
                              "(gotl %s) %s" % (name, it["text"]))
    examples = []
    for h in [top] + list(cmds.values()):
        ex = [it["term"] for it in section(h, "examples")]
        if ex:
            examples += [".PP", ".nf", ".RS 4"] + [line(esc(e)) for e in ex] + [".RE", ".fi"]
    fill = {"VERSION": esc(doc["version"]), "SYNOPSIS": synopsis, "DESCRIPTION": description,
            "COMMANDS": commands, "OPTIONS": options, "EXIT_STATUS": status,
            "ENVIRONMENT": environment, "EXAMPLES": examples}
    return substitute(template, fill)


def substitute(template, fill):
    def one(m):
        v = fill.get(m.group(1))
        if v is None:
            raise BadHelp("the template names @%s@, which gendoc does not make" % m.group(1))
        return v if isinstance(v, str) else "\n".join(v)
    return re.sub(r"@([A-Z_]+)@", one, template)


# ---------------------------------------------------------------- bash completion

def positionals(usage):
    """The operands of a usage line: 'gotl record [options] [--] PROG [ARGS...]' ->
    ['PROG', 'ARGS...'] (an option's own value, as PID in '-p PID', is not one)."""
    out, after_option = [], False
    for w in usage.split(" ")[2:]:
        whole = w.startswith("[") and w.endswith("]")     # [-v]: a flag, no value
        w = w.strip("[]")
        if w.startswith("-") and w != "--":
            after_option = not whole
            continue
        if re.fullmatch(r"[A-Z][A-Z0-9_|]*(\.\.\.)?", w) and not after_option:
            out.append(w)
        after_option = False
    return out


def bash(doc, template):
    spec = []
    for name, h in doc["commands"].items():
        words = []
        for o in section(h, "options"):
            for n in (["-" + o["short"]] if o["short"] else []) + \
                     (["--" + o["long"]] if o["long"] else []):
                if not o["arg"]:
                    words.append(n)
                elif o["optional"]:
                    words.append("%s[=%s]" % (n, o["arg"]))
                elif n.startswith("--"):
                    words.append("%s=%s" % (n, o["arg"]))
                else:
                    words.append("%s %s" % (n, o["arg"]))
        spec.append("\t%s)" % name)
        spec.append("\t\t_gotl_o=(%s)" % " ".join(shlex.quote(w) for w in words))
        spec.append("\t\t_gotl_a=(%s) ;;" % " ".join(
            shlex.quote(w) for w in positionals(h["usage"][0])))
    top = []
    for o in section(doc["top"], "options"):
        top += ["-" + o["short"]] if o["short"] else []
        top += ["--" + o["long"]] if o["long"] else []
    fill = {"VERSION": doc["version"], "COMMANDS": " ".join(doc["commands"]),
            "TOP_OPTIONS": " ".join(top), "SPEC": spec}
    return substitute(template, fill)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gotl", default="./gotl")
    ap.add_argument("what", choices=("man", "bash", "json"))
    ap.add_argument("template", nargs="?")
    a = ap.parse_args()
    try:
        doc = read_all(a.gotl)
        if a.what == "json":
            out = json.dumps(doc, indent=1) + "\n"
        else:
            if not a.template:
                ap.error("%s needs its template" % a.what)
            with open(a.template) as f:
                out = (man if a.what == "man" else bash)(doc, f.read())
    except BadHelp as e:
        print("gendoc: %s" % e, file=sys.stderr)
        return 1
    sys.stdout.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
