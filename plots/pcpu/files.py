"""pcpu.files - the one way the reading side reads a file the user names
(bounded, regular files only), writes one (atomic_write: a temporary
file beside it, renamed over it), and turns a script's failure into one
line and an exit status (run_main).
"""

import errno
import json
import os
import stat
import sys
import tempfile

# Limits of what a reader takes from a results directory (bytes).
MAX_CSV = 256 << 20
MAX_JSON = 64 << 20


def read_bounded(path, limit):
    """The bytes of a regular file of at most @limit bytes: one way to
    read a file the user names. A FIFO, device or socket is refused
    before any read (opened non-blocking, checked with fstat), a larger
    file too: OSError with the reason."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, "not a regular file (%s); refused "
                          "unread" % ("a FIFO" if stat.S_ISFIFO(st.st_mode)
                                      else "a device" if
                                      stat.S_ISCHR(st.st_mode) or
                                      stat.S_ISBLK(st.st_mode) else
                                      "a directory" if
                                      stat.S_ISDIR(st.st_mode) else
                                      "a socket"), path)
        if st.st_size > limit:
            raise OSError(errno.EFBIG, "larger than %d bytes; refused "
                          "unread" % limit, path)
        chunks, n = [], 0
        while True:
            b = os.read(fd, min(1 << 20, limit + 1 - n))
            if not b:
                break
            chunks.append(b)
            n += len(b)
            if n > limit:
                raise OSError(errno.EFBIG, "larger than %d bytes" % limit,
                              path)
        return b"".join(chunks)
    finally:
        os.close(fd)


def load_json(path, limit=MAX_JSON):
    """JSON from a regular file of bounded size; ValueError for anything
    that is not JSON, too deeply nested included (never a traceback)."""
    data = read_bounded(path, limit)
    try:
        return json.loads(data.decode("utf-8"))
    except RecursionError:
        raise ValueError("nested too deeply")
    except UnicodeDecodeError as e:
        raise ValueError("not UTF-8: %s" % e)


def atomic_write(path, text):
    """The one way the reading and writing scripts (report, compare,
    results-write) write a file: a new name or a
    regular file (a symlink: its target), through a temporary file
    created with O_EXCL beside it (mkstemp: a symlink planted at a
    predictable name is never followed), flushed to disk and renamed
    over it; an existing file keeps its mode. A device node, FIFO or
    directory is refused (OSError), never replaced."""
    real = os.path.realpath(path)
    mode = 0o644
    try:
        st = os.stat(real)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EEXIST, "exists and is not a regular file; "
                          "refusing to replace it", path)
        mode = stat.S_IMODE(st.st_mode)
    except FileNotFoundError:
        pass
    d, base = os.path.split(real)
    fd, tmp = tempfile.mkstemp(prefix=base + ".tmp.", dir=d or ".")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fchmod(f.fileno(), mode)
            os.fsync(f.fileno())
        os.replace(tmp, real)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def run_main(main, name):
    """Exit status of main(sys.argv), every failure one line on stderr,
    never a traceback: standard output closed (>&-) or full (/dev/full)
    is exit 3 (output not written), a broken pipe ends quietly, an
    unexpected error is exit 1 naming it."""
    def say(msg):
        if sys.stderr is not None:
            try:
                print("%s: %s" % (name, msg), file=sys.stderr)
            except (OSError, ValueError):
                pass
    if sys.stdout is None:
        say("standard output is closed; nothing written")
        return 3
    try:
        rc = main(sys.argv)
        sys.stdout.flush()
        return rc
    except BrokenPipeError:
        try:
            sys.stdout = None
        except Exception:
            pass
        return 1
    except OSError as e:
        say("writing standard output: %s (output not written)"
            % (e.strerror or e))
        try:
            sys.stdout = None
        except Exception:
            pass
        return 3
    except KeyboardInterrupt:
        return 130
    except (RecursionError, MemoryError) as e:
        say("cannot read the results: %s" % type(e).__name__)
        return 1
    except Exception as e:  # one line, never a traceback
        say("internal error: %s: %s" % (type(e).__name__, e))
        return 1
