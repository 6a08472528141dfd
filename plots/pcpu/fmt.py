"""pcpu.fmt - numbers and lines for a 72-column mailing-list text: a
number in a few characters (fmt, f3), a signed difference, a percent
change, a wrapped line, a wrapped shell command.
"""

import textwrap

WIDTH = 72


def fmt(v, width=0):
    """A number in at most ~7 characters: 4 significant digits, k/M/G."""
    if v is None:
        s = "NA"
    elif v == 0:
        s = "0"
    else:
        a = abs(v)
        if a >= 1e10:
            s = "%.3gG" % (v / 1e9)
        elif a >= 1e7:
            s = "%.4gM" % (v / 1e6)
        elif a >= 1e5:
            s = "%.4gk" % (v / 1e3)
        elif a >= 1000:
            s = "%.0f" % v
        elif a >= 0.001:
            s = "%.4g" % v
        else:
            s = "%.2e" % v
    return s.rjust(width) if width else s


def fmt_n(v, n):
    """fmt(v) in at most n characters (fewer digits, then exponent)."""
    s = fmt(v)
    if len(s) <= n or v is None:
        return s
    for prec in (3, 2, 1):
        s = "%.*g" % (prec, v)
        if len(s) <= n:
            return s
    return "%.0e" % v


def fmt_diff(d, n=8):
    """A signed absolute difference in at most n characters."""
    if d is None:
        return "-"
    if d == 0:
        return "+0"
    s = fmt_n(d, n - 1)
    return s if s.startswith("-") else "+" + s


def fmt_pct(p):
    if p is None:
        return "-"
    if abs(p) >= 1000:
        return "%+.0f%%" % p
    return "%+.1f%%" % p


def f3(v):
    """v in 3 significant digits, k from 10^4, M, G ('NA' for None)."""
    if v is None:
        return "NA"
    a = abs(v)
    for lim, div, suf in ((1e9, 1e9, "G"), (1e6, 1e6, "M"),
                          (1e4, 1e3, "k")):
        if a >= lim:
            return "%.3g%s" % (v / div, suf)
    if a >= 100:
        return "%.0f" % v
    return "%.3g" % v


def wrap(text, indent="", width=WIDTH):
    return textwrap.wrap(text, width=width, initial_indent=indent,
                         subsequent_indent=indent + "  ",
                         break_on_hyphens=False) or [indent.rstrip()]


def shell_wrap(words, first="  ", cont="      ", width=WIDTH):
    """Wrap a command at spaces with ' \\' continuations."""
    lines, cur = [], first
    for w in words:
        cand = (cur + " " + w) if cur.strip() else cur + w
        if len(cand) + 2 > width and cur.strip():
            lines.append(cur + " \\")
            cur = cont + w
        else:
            cur = cand
    lines.append(cur)
    return lines


def short_status(st):
    return {"multiplexed": "m", "estimated": "e", "derived": "d"}.get(
        st, "f" if st.startswith("flagged") else "?")


