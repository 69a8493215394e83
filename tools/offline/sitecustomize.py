"""Started by every Python process that has this folder on PYTHONPATH (notebook kernels under test).

With COURSE_OFFLINE=1 it turns on course_lib's network guard, so that a notebook that tries to
download something fails at once with a message naming the host and the code that asked.
"""
import os

if os.environ.get("COURSE_OFFLINE") == "1":
    try:
        from course_lib import offline as _offline
    except ImportError:  # course_lib not installed in this interpreter: nothing to guard with
        pass
    else:
        _offline.install()
