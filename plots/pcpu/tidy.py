"""pcpu.tidy - the tidy CSV contract, read once for the writer
(scripts/results-write.py merges each step's CSV) and the readers
(pcpu.read): columns bench, <parameters...>, rep, metric, value, unit,
status. Every column between bench and rep is a parameter, so a new
parameter needs no change here. value is NA when status is na:<reason>.
"""

import csv
import os
import re

from .files import MAX_CSV, read_bounded

TAIL = ("rep", "metric", "value", "unit", "status")
STATUS_RE = re.compile(r"ok|multiplexed|estimated|derived|na:.+|flagged:.+")
# Files of a results directory that end in .csv but hold no benchmark
# rows: the run's TLB calibration (run.sh's PCPU_CALIBRATION, written by
# the tlb step, read by access; its own format, host,date,backing,...).
NOT_BENCH_CSV = ("tlb-calibration.csv",)


def params_of(header):
    """The parameter columns of a header: between bench and the tail."""
    return header[1:-len(TAIL)]


def text_lines(path, problems):
    """The file's lines up to the first undecodable byte; a problem
    (name, reason) for an empty file or invalid UTF-8."""
    name = os.path.basename(path)
    data = read_bounded(path, MAX_CSV)
    if not data.strip():
        problems.append((name, "empty file"))
        return []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        problems.append((name, "invalid UTF-8 at byte %d (line %d); "
                               "rows after it not read" % (e.start, line)))
        text = data[:e.start].decode("utf-8")
        text = text[:text.rfind("\n") + 1]
    return text.splitlines()


def tidy_rows(lines):
    """Walk the lines of a tidy CSV (several headers allowed, '#'
    comments skipped): yields ("row", header, {column: value}),
    ("bad-header", None, row) for a header whose tail is not TAIL (the
    rows after it are malformed until the next good header) and
    ("malformed", header, row) for a row that does not fit its header."""
    header = None
    for row in csv.reader(lines):
        if not row or row[0].startswith("#"):
            continue
        if row[0] == "bench":
            header = row if tuple(row[-len(TAIL):]) == TAIL else None
            if header is None:
                yield "bad-header", None, row
            continue
        if header is None or len(row) != len(header):
            yield "malformed", header, row
            continue
        yield "row", header, dict(zip(header, row))
