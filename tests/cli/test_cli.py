#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""The gotl command line, run as a user runs it (no root, no BPF, no Go).

    test_cli.py [--gotl ./gotl]

numbers   every numeric option of every command, given values that overflow,
          truncate, are negative, out of range, empty or followed by junk:
          exactly one line on stderr that names the option, nothing on stdout,
          status 2; and the values the help promises are accepted. Every
          option of every command whose value the help names as a number
          (N, SIZE, TIME, PID, LEVEL, ...; new commands too) refuses the values
          no number can be.
usage     for every command `gotl --help` lists (new ones included): --help and
          -h on stdout, status 0; an unknown option, a missing value, an
          unknown command: one line on stderr, status 2.
options   the options each command's getopt table and option string accept
          (read from cli/*.c) are the ones its --help lists, with the same
          short forms and values, and gotl takes each one the help lists.
man       gotl(1), made from the help as `make` makes it: groff finds nothing
          to warn about, and the page shows every command, option, exit
          status, environment variable and example of every help.
complete  the bash completion, made the same way and run by bash: commands,
          every option of every command, the a|b|c values, pids, files, and
          the traced program's own command line.

Prints one line per part and "N passed, N failed" at the end; exit 1 on
any failure.
"""
import argparse
import glob
import importlib.util
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_spec = importlib.util.spec_from_file_location("gendoc", os.path.join(ROOT, "scripts",
                                                                      "gendoc.py"))
gendoc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gendoc)


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def run(argv, **kw):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL, timeout=30, **kw)


# What follows the option under test, so that a value gotl wrongly accepts
# ends in a different error (no program, no file) rather than in a recording.
NOPROG = "/nonexistent/gotl-test/prog"
NOLOG = "/nonexistent/gotl-test/x.gotl"
TAIL = {"record": ["--", NOPROG], "convert": [NOLOG], "report": [NOLOG]}

# Ways to write a number wrongly, whatever the option.
JUNK = ["", " 16", "16 ", "+16", "16x", "0x10", "1e3", "١٦"]

# command, option, its long name (for the message), bad values, good values.
NUMBERS = [
    ("record", "--ring-size", "--ring-size",
     ["17179869185G", "18446744073709551616", "18446744073709551617", "4294967296G",
      "-16M", "-0", "0", "3000", "4G", "2049M", "16Q", "16MiBx", "16iB", "16BB", "1.5M",
      "1T"] + JUNK,
     ["4K", "4096", "16M", "16m", "16MiB", "16MB", "16Mi", "2G", "1048576K"]),
    ("record", "--stack-depth", "--stack-depth",
     ["4294967297", "4294967312", "18446744073709551616", "-1", "17", "1.5", "-4294967295"]
     + JUNK, ["0", "1", "16", "016"]),
    ("record", "--alloc-sample", "--alloc-sample",
     ["17179869185G", "18446744073709551616", "0", "1025M", "2G", "-512K", "512KK"] + JUNK,
     ["1", "512K", "1G", "64KiB"]),
    ("record", "--compress=", "--compress",
     ["0", "10", "-1", "4294967297", "18446744073709551617", "1.0"] + JUNK, ["1", "9"]),
    ("convert", "--compress=", "--compress",
     ["0", "10", "-1", "4294967297", "18446744073709551617", "1.0"] + JUNK, ["1", "9"]),
    ("record", "-p", "--pid",
     ["0", "-1", "4294967297", "2147483648", "18446744073709551616", "1.0"] + JUNK,
     ["4194304", "2147483647"]),
    ("record", "-d", "--duration",
     ["0", "-1", "-1s", "0s", "nan", "inf", "infs", "1e400", "1e-12s", "0.0000000001s",
      "1s5", "5ss", "5S", "10d", "1000000000000h", "0x1p3", "1.", ".5.5"] + JUNK,
     ["30", "1.5s", "500ms", "2m", "1h", "100us", "0.5", "100000h"]),
    ("report", "--top", "--top",
     ["4294967306", "4294967297", "2147483648", "18446744073709551616", "0", "-1",
      "-4294967286", "1.5"] + JUNK, ["1", "10", "2147483647"]),
]


# Values that are wrong for any number, whatever its range, for the numeric options of every
# command the help lists (new ones too): the options whose value is named as a number is.
NUMERIC = {"N", "SIZE", "TIME", "DURATION", "LEVEL", "PID", "COUNT", "INTERVAL", "SECONDS",
           "BYTES", "DEPTH", "RATE", "HZ", "NUM", "MS"}
ALWAYS_BAD = ["", "-1", "x", "1x", "18446744073709551616", "99999999999999999999999999"]


def argv_for(gotl, cmd, opt, value):
    o = [opt + value] if opt.endswith("=") else [opt, value]
    if cmd == "record" and opt == "-p":
        return [gotl, cmd, "-o", os.devnull] + o      # -p takes no program
    return [gotl, cmd] + o + TAIL[cmd]


def test_numbers(gotl):
    bad = good = 0
    wrong = []
    for cmd, opt, name, bads, goods in NUMBERS:
        for v in bads:
            r = run(argv_for(gotl, cmd, opt, v))
            err = r.stderr.decode(errors="replace")
            what = "gotl %s %s%s%r" % (cmd, opt, "" if opt.endswith("=") else " ", v)
            if r.returncode != 2:
                wrong.append("%s: exit %d, want 2 (%r)" % (what, r.returncode, err))
            elif err.count("\n") != 1 or not err.endswith("\n") or not err.startswith("gotl: "):
                wrong.append("%s: want one line on stderr, got %r" % (what, err))
            elif ("invalid %s '%s'" % (name, v)) not in err:
                wrong.append("%s: taken, then %r" % (what, err.strip()))
            elif r.stdout:
                wrong.append("%s wrote to stdout: %r" % (what, r.stdout))
            bad += 1
        for v in goods:
            r = run(argv_for(gotl, cmd, opt, v))
            err = r.stderr.decode(errors="replace")
            if "invalid %s" % name in err:
                wrong.append("gotl %s %s %r refused a good value: %r" % (cmd, opt, v, err))
            good += 1
    # The same for every numeric option of every command, the ones above or not.
    for c in commands(gotl):
        h = gendoc.parse_help(gendoc.help_text(gotl, c), "gotl %s --help" % c)
        for o in gendoc.section(h, "options"):
            if o["arg"] not in NUMERIC:
                continue
            opt = "--%s=" % o["long"] if o["long"] else "-%s" % o["short"]
            for v in ALWAYS_BAD:
                if v == "" and not o["long"]:
                    continue
                argv = [gotl, c, opt + v] + TAIL.get(c, [])
                r = run(argv)
                err = r.stderr.decode(errors="replace")
                name = "--" + o["long"] if o["long"] else "-" + o["short"]
                if r.returncode != 2 or err.count("\n") != 1 or name not in err or r.stdout:
                    wrong.append("gotl %s %s%r: want status 2 and one line naming %s (before "
                                 "any other check), got %d, %r"
                                 % (c, opt, v, name, r.returncode, err))
                bad += 1
    check(not wrong, "%d of %d values handled wrongly:\n  %s"
          % (len(wrong), bad + good, "\n  ".join(wrong)))
    return "%d bad values refused, %d good ones taken" % (bad, good)


def one_line_2(r, what, text):
    """r is a usage error: status 2, one 'gotl: ' line on stderr with text, no stdout."""
    err = r.stderr.decode(errors="replace")
    check(r.returncode == 2, "%s: exit %d, want 2 (%r)" % (what, r.returncode, err))
    check(err.count("\n") == 1 and err.startswith("gotl: ") and text in err,
          "%s: want one line with %r on stderr, got %r" % (what, text, err))
    check(not r.stdout, "%s wrote to stdout: %r" % (what, r.stdout[:200]))


def commands(gotl):
    return [c["term"] for c in gendoc.section(gendoc.parse_help(
        gendoc.help_text(gotl), "gotl --help"), "commands")]


def test_usage(gotl):
    r = run([gotl])
    check(r.returncode == 2 and r.stderr.startswith(b"usage: gotl") and not r.stdout,
          "gotl alone: exit %d, want the usage on stderr and 2" % r.returncode)
    for argv in (["--help"], ["-h"], ["help"]):
        r = run([gotl] + argv)
        check(r.returncode == 0 and r.stdout.startswith(b"usage: gotl") and not r.stderr,
              "gotl %s: exit %d, want the usage on stdout and 0" % (argv[0], r.returncode))
    r = run([gotl, "--version"])
    check(r.returncode == 0 and re.fullmatch(rb"gotl \S+\n", r.stdout), "gotl --version: %r"
          % r.stdout)
    one_line_2(run([gotl, "no-such-command"]), "gotl no-such-command",
               "unknown command 'no-such-command'")
    cmds = commands(gotl)
    check(len(cmds) >= 4, "gotl --help lists %s" % cmds)
    n = 0
    for c in cmds:
        long_ = run([gotl, c, "--help"])
        check(long_.returncode == 0 and not long_.stderr and
              long_.stdout.startswith(b"usage: gotl " + c.encode()),
              "gotl %s --help: exit %d, stderr %r" % (c, long_.returncode, long_.stderr))
        short = run([gotl, c, "-h"])
        check(short.returncode == 0 and short.stdout == long_.stdout,
              "gotl %s -h differs from --help" % c)
        one_line_2(run([gotl, c, "--no-such-option"]), "gotl %s --no-such-option" % c,
                   "invalid option '--no-such-option'")
        one_line_2(run([gotl, c, "-\x01"]), "gotl %s -^A" % c, "invalid option")
        h = gendoc.parse_help(long_.stdout.decode(), "gotl %s --help" % c)
        for need in ("options", "exit status", "examples"):
            check(gendoc.section(h, need), "gotl %s --help has no '%s:' section (gotl(1) "
                  "shows what it says)" % (c, need))
        for o in gendoc.section(h, "options"):
            if o["arg"] and not o["optional"] and o["long"]:
                one_line_2(run([gotl, c, "--" + o["long"]]), "gotl %s --%s" % (c, o["long"]),
                           "option '--%s' needs a value" % o["long"])
                n += 1
            if o["arg"] and not o["optional"] and o["short"]:
                one_line_2(run([gotl, c, "-" + o["short"]]), "gotl %s -%s" % (c, o["short"]),
                           "option '-%s' needs a value" % o["short"])
                n += 1
    return "%d commands (%s); %d options without their value" % (len(cmds), " ".join(cmds), n)


# ---------------------------------------------------------------- options vs. the code

def c_functions(text):
    """{name: body} of the top-level functions of a C file."""
    out = {}
    for m in re.finditer(r"^[a-z][^\n;]*?\b(\w+)\([^;{]*\)\n\{\n(.*?)^\}$", text, re.M | re.S):
        out[m.group(1)] = m.group(2)
    return out


def dispatch():
    """{command: C function} from cli/main.c: a table entry { "name", fn, ... } or an
    if (!strcmp(cmd, "name")) return fn(...)."""
    with open(os.path.join(ROOT, "cli", "main.c")) as f:
        text = f.read()
    out = dict(re.findall(r'\{\s*"([a-z][a-z0-9-]*)",\s*(cmd_\w+),', text))
    out.update(re.findall(r'strcmp\(cmd, "([a-z][a-z0-9-]*)"\)\)\s*return (\w+)\(', text))
    return out


def code_options(fn):
    """What the function fn of cli/*.c accepts: {'--long': (short or None, arg)} with arg
    None, 'required' or 'optional', and {'-x': arg} of its getopt option string."""
    bodies = {}
    for path in glob.glob(os.path.join(ROOT, "cli", "*.c")):
        with open(path) as f:
            bodies.update(c_functions(f.read()))
    check(fn in bodies, "no function %s in cli/*.c" % fn)
    body = bodies[fn]
    table = r"struct option \w+\[\] = \{(.*?)\n\t*\};"
    if not re.search(table, body, re.S):
        # Commands may share their parsing: the one function it calls that has it.
        called = [f for f in set(re.findall(r"\b(\w+)\(", body)) if f in bodies and f != fn
                  and re.search(table, bodies[f], re.S)]
        check(len(called) == 1, "%s: no struct option table, and it calls %d functions of "
              "cli/ that have one (%s)" % (fn, len(called), ", ".join(called)))
        fn, body = called[0], bodies[called[0]]
    tables = re.findall(table, body, re.S)
    check(len(tables) == 1, "%s: want one struct option table, found %d" % (fn, len(tables)))
    longs = {}
    for name, kind, val in re.findall(r'\{\s*"([^"]+)",\s*(\w+)_argument,\s*[^,]+,\s*'
                                      r'(\'.\'|\w+)\s*\}', tables[0]):
        longs["--" + name] = (val.strip("'"), {"no": None}.get(kind, kind))
    strings = re.findall(r'getopt_long\(argc, argv, "([^"]*)"', body)
    check(len(strings) == 1, "%s: want one getopt_long call, found %d" % (fn, len(strings)))
    shorts, spec = {}, strings[0].lstrip("+:")
    for m in re.finditer(r"([A-Za-z0-9])(::|:)?", spec):
        shorts["-" + m.group(1)] = {"": None, ":": "required", "::": "optional"}[m.group(2) or ""]
    # A long option's short form is the letter it returns, when the string has it.
    return {k: (v[0] if "-" + v[0] in shorts else None, v[1]) for k, v in longs.items()}, shorts


def test_options(gotl):
    table = dispatch()
    cmds = commands(gotl)
    check(sorted(table) == sorted(cmds), "cli/main.c dispatches %s, gotl --help lists %s"
          % (sorted(table), sorted(cmds)))
    wrong, n = [], 0
    for c in cmds:
        longs, shorts = code_options(table[c])
        h = gendoc.parse_help(gendoc.help_text(gotl, c), "gotl %s --help" % c)
        doc = {}
        for o in gendoc.section(h, "options"):
            arg = None if not o["arg"] else "optional" if o["optional"] else "required"
            if o["long"]:
                doc["--" + o["long"]] = (o["short"], arg)
            elif o["short"]:
                doc.setdefault("-" + o["short"], (o["short"], arg))
        for k in sorted(set(longs) | set(doc)):
            if k not in doc and k.startswith("--"):
                wrong.append("gotl %s accepts %s, its --help does not list it" % (c, k))
            elif k not in longs and k.startswith("--"):
                wrong.append("gotl %s --help lists %s, the code does not accept it" % (c, k))
            elif k.startswith("--") and longs[k] != doc[k]:
                wrong.append("gotl %s %s: in the code its short form and value are %s, in "
                             "the help %s" % (c, k, longs[k], doc[k]))
        doc_shorts = {"-" + v[0]: v[1] for v in doc.values() if v[0]}
        say = {None: "is a flag", "required": "takes a value", "optional": "takes an optional "
               "value", "absent": "is not there"}
        for k in sorted(set(shorts) | set(doc_shorts)):
            if shorts.get(k, "absent") != doc_shorts.get(k, "absent"):
                wrong.append("gotl %s %s: in the option string it %s, in the help it %s"
                             % (c, k, say[shorts.get(k, "absent")],
                                say[doc_shorts.get(k, "absent")]))
        # And gotl takes each listed option (as it is written in the help).
        for k, (short, arg) in doc.items():
            argv = [gotl, c, k + ("=1" if arg == "optional" else "")]
            argv += ["1"] if arg == "required" else []
            err = run(argv).stderr.decode(errors="replace")
            if "invalid option" in err or "needs a value" in err:
                wrong.append("gotl %s %s: %s" % (c, k, err.strip()))
            n += 1
    check(not wrong, "\n  ".join(["the help and the code disagree:"] + wrong))
    return "%d commands, %d options, the same in the code and the help" % (len(cmds), n)


# ---------------------------------------------------------------- gotl(1)

def made(gotl, what):
    with open(os.path.join(ROOT, "doc", "gotl.%s.in" % ("1" if what == "man" else "bash"))) as f:
        return (gendoc.man if what == "man" else gendoc.bash)(gendoc.read_all(gotl), f.read())


def test_man(gotl):
    page = made(gotl, "man")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "gotl.1")
        with open(path, "w") as f:
            f.write(page)
        lint = run(["groff", "-man", "-ww", "-z", path])
        check(lint.returncode == 0 and not lint.stderr, "groff -ww: %r" % lint.stderr[:500])
        r = run(["man", "-l", path], env=dict(os.environ, MANWIDTH="250", MAN_KEEP_FORMATTING="",
                                               LC_ALL="C.UTF-8"))
        check(r.returncode == 0, "man -l: %r" % r.stderr[:300])
    text = re.sub(r"\s+", " ", r.stdout.decode())
    doc = gendoc.read_all(gotl)
    sections = ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "EXIT STATUS",
                "ENVIRONMENT", "EXAMPLES", "SEE ALSO")
    missing = [s for s in sections if "\n%s\n" % s not in r.stdout.decode()]
    n = 0
    for c, h in [(None, doc["top"])] + list(doc["commands"].items()):
        want = [re.sub(r"\s+", " ", u) for u in h["usage"]]
        for title, items in h["sections"]:
            for it in items:
                if title == "options":
                    want.append(("-%s, " % it["short"] if it["short"] and it["long"] else
                                 "-%s" % it["short"] if it["short"] else "") +
                                ("--%s" % it["long"] if it["long"] else ""))
                else:
                    want.append(re.sub(r"\s+", " ", it["term"]))
                if it["text"]:
                    want.append(re.sub(r"\s+", " ", it["text"].replace("`", "")))
        for p in h["description"]:
            want.append(re.sub(r"\s+", " ", p.replace("`", "")))
        for w in want:
            n += 1
            if w not in text:
                missing.append("%s: %r" % ("gotl " + c if c else "gotl", w))
    check(not missing, "gotl(1) lacks:\n  " + "\n  ".join(missing[:20]))
    return "groff -ww clean; %d lines of %d helps all in the page" % (n, 1 + len(doc["commands"]))


# ---------------------------------------------------------------- bash completion

def complete(script, lines, cwd):
    """COMPREPLY for each command line (the cursor at its end), bash running the script."""
    prog = ["source " + shlex_quote(script),
            'c() { COMP_LINE=$1; COMP_POINT=${#1}; COMPREPLY=(); _gotl 2>/dev/null;',
            '  printf "%s\\n" "${COMPREPLY[@]}"; echo "#end"; }']
    prog += ["c %s" % shlex_quote(l) for l in lines]
    r = subprocess.run(["bash", "--norc", "--noprofile", "-c", "\n".join(prog)], cwd=cwd,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    check(r.returncode == 0 and not r.stderr, "bash: %r" % r.stderr[:500])
    out = r.stdout.decode().split("#end\n")
    return [sorted(x for x in o.split("\n") if x) for o in out[:len(lines)]]


def shlex_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def test_complete(gotl):
    script = made(gotl, "bash")
    doc = gendoc.read_all(gotl)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "gotl.bash")
        with open(path, "w") as f:
            f.write(script)
        open(os.path.join(d, "run-42.gotl"), "w").close()
        os.mkdir(os.path.join(d, "bin"))
        cases = [("gotl ", sorted(list(doc["commands"]) + ["-h", "--help", "--version"]))]
        for c, h in doc["commands"].items():
            opts = gendoc.section(h, "options")
            cases.append(("gotl %s --" % c, sorted("--" + o["long"] for o in opts if o["long"])))
            cases.append(("gotl %s -" % c, sorted(["-" + o["short"] for o in opts if o["short"]]
                                                   + ["--" + o["long"] for o in opts
                                                      if o["long"]])))
            for o in opts:
                if not o["arg"] or o["optional"]:
                    continue
                name = "--" + o["long"] if o["long"] else "-" + o["short"]
                if re.fullmatch(r"[a-z0-9-]+(\|[a-z0-9-]+)+", o["arg"]):
                    vals = sorted(o["arg"].split("|"))
                    cases.append(("gotl %s %s " % (c, name), vals))
                    if o["long"]:
                        cases.append(("gotl %s --%s=%s" % (c, o["long"], vals[0][:1]),
                                      [v for v in vals if v.startswith(vals[0][:1])]))
                elif o["arg"] == "PID":
                    cases.append(("gotl %s %s %d" % (c, name, os.getpid()), "pid"))
                elif o["arg"] == "FILE":
                    cases.append(("gotl %s %s run-" % (c, name), ["run-42.gotl"]))
                elif o["arg"] in ("N", "SIZE", "TIME"):
                    cases.append(("gotl %s %s " % (c, name), []))
            ops = gendoc.positionals(h["usage"][0])
            if ops and ops[0] == "PID":
                cases.append(("gotl %s %d" % (c, os.getpid()), "pid"))
            elif ops and ops[0] != "PROG" and ops[0].isupper():
                cases.append(("gotl %s run-" % c, ["run-42.gotl"]))
        cases.append(("gotl record -o x.pftrace bas", "bash"))
        cases.append(("gotl record -- bas", "bash"))
        cases.append(("gotl record --ring-size 16M bas", "bash"))
        # After PROG: PROG's own arguments, not gotl's options.
        cases.append(("gotl record bash --", []))
        cases.append(("gotl no-such-command --", []))
        got = complete(path, [c[0] for c in cases], d)
    wrong = []
    for (line, want), reply in zip(cases, got):
        if want == "pid":
            ok = str(os.getpid()) in reply and all(x.isdigit() for x in reply)
        elif want == "bash":
            ok = "bash" in reply
        else:
            ok = reply == want
        if not ok:
            wrong.append("%r -> %s, want %s" % (line, reply[:12], want))
    check(not wrong, "completion:\n  " + "\n  ".join(wrong))
    return "%d command lines complete as they should" % len(cases)


TESTS = [("numbers", test_numbers), ("usage", test_usage), ("options", test_options),
         ("man", test_man), ("complete", test_complete)]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gotl", default=os.path.join(ROOT, "gotl"))
    a = ap.parse_args()
    gotl = os.path.abspath(a.gotl)
    passed = failed = 0
    for name, fn in TESTS:
        try:
            note = fn(gotl)
            print("ok   %-12s %s" % (name, note), flush=True)
            passed += 1
        except (Failure, gendoc.BadHelp, subprocess.TimeoutExpired) as e:
            print("FAIL %-12s %s" % (name, e), flush=True)
            failed += 1
    print("cli: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
