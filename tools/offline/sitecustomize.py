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


class _QuietTransportWarning:
    """Drops ipykernel's "Kernel is running over TCP without encryption" warning in test kernels.

    nbval, the book build and the grader start their kernels on 127.0.0.1 only, on this machine,
    and the network guard above refuses every other host, so the plain-text channel never leaves
    the loopback interface. Every other kernel message still gets through.
    """

    def filter(self, record):
        return "without encryption" not in record.getMessage()


if os.environ.get("COURSE_OFFLINE") == "1":
    import logging as _logging

    _logging.getLogger("IPKernelApp").addFilter(_QuietTransportWarning())
