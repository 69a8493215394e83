"""A network guard: fail fast, and say who tried, when code reaches beyond localhost.

The course runs offline (CI sets ``HF_HUB_OFFLINE=1`` and has no internet). A
download that slips into a notebook would otherwise hang until a time-out or
fail with an obscure DNS error. :func:`install` patches :mod:`socket` so that any
connection or name lookup for a host other than loopback raises
:class:`NetworkBlockedError`, naming the host and the code that asked.

The test suite installs it in the pytest process (``conftest.py``) and, through
``tools/offline/sitecustomize.py`` on ``PYTHONPATH`` with ``COURSE_OFFLINE=1``,
in every notebook kernel that nbval or the book build starts.

Example:
    >>> import socket
    >>> from course_lib import offline
    >>> offline.install()
    >>> socket.create_connection(("example.org", 80))  # doctest: +SKIP
    Traceback (most recent call last):
    NetworkBlockedError: blocked a network call to example.org:80 ...
    >>> offline.uninstall()

Introduced on Day 1 (set-up); used by every test run.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import traceback

__all__ = ["NetworkBlockedError", "install", "uninstall", "is_installed", "is_local_host"]

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", ""}
_originals: dict[str, object] = {}


class NetworkBlockedError(ConnectionRefusedError):
    """Raised when code tries to reach a host other than localhost while the guard is on."""


def is_local_host(host: object) -> bool:
    """Return True for loopback addresses and this machine's own names.

    Example:
        >>> is_local_host("127.0.0.1"), is_local_host("::1"), is_local_host("huggingface.co")
        (True, True, False)
    """
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    host = host.strip("[]").lower()
    if host in _LOCAL_NAMES or host in {socket.gethostname().lower(), _fqdn()}:
        return True
    try:
        address = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _fqdn() -> str:
    return _originals.get("fqdn", "") or ""  # type: ignore[return-value]


_PLUMBING_FILES = {"socket.py", "ssl.py", "selectors.py"}
_PLUMBING_DIRS = {"http", "urllib", "urllib3", "requests", "httpx", "httpcore", "httpx2", "httpcore2", "aiohttp"}


def _is_plumbing(filename: str) -> bool:
    parts = filename.replace("\\", "/").split("/")
    return parts[-1] in _PLUMBING_FILES or any(part in _PLUMBING_DIRS for part in parts[:-1])


def _caller() -> str:
    """The three innermost frames outside socket/HTTP plumbing, as 'file:line in function'."""
    frames = traceback.extract_stack()[:-3]  # drop _caller, _blocked and the guarded socket call
    outside = [f for f in frames if not _is_plumbing(f.filename)]
    chosen = (outside or frames)[-3:]
    return " <- ".join(f"{os.path.basename(f.filename)}:{f.lineno} in {f.name}" for f in reversed(chosen))


def _blocked(host: object, port: object) -> NetworkBlockedError:
    return NetworkBlockedError(
        f"blocked a network call to {host}:{port} from {_caller()}. "
        "The course runs offline: only localhost may be reached in tests and notebooks. "
        "Use a bundled or locally trained resource instead (see CONTRIBUTING.md, 'Offline')."
    )


def _address_host_port(address: object) -> tuple[object, object]:
    if isinstance(address, tuple) and address:
        return address[0], address[1] if len(address) > 1 else None
    return address, None  # AF_UNIX paths and the like


def _is_inet(sock: socket.socket) -> bool:
    return sock.family in (socket.AF_INET, socket.AF_INET6)


def _guarded_connect(self: socket.socket, address: object):  # noqa: ANN202
    host, port = _address_host_port(address)
    if _is_inet(self) and not is_local_host(host):
        raise _blocked(host, port)
    return _originals["connect"](self, address)  # type: ignore[operator]


def _guarded_connect_ex(self: socket.socket, address: object):  # noqa: ANN202
    host, port = _address_host_port(address)
    if _is_inet(self) and not is_local_host(host):
        raise _blocked(host, port)
    return _originals["connect_ex"](self, address)  # type: ignore[operator]


def _guarded_getaddrinfo(host, port, *args, **kwargs):  # noqa: ANN001, ANN202
    if host is not None and not is_local_host(host):
        raise _blocked(host, port)
    return _originals["getaddrinfo"](host, port, *args, **kwargs)  # type: ignore[operator]


def install() -> None:
    """Turn the guard on in this process (idempotent)."""
    if _originals:
        return
    _originals["fqdn"] = socket.getfqdn().lower()
    _originals["connect"] = socket.socket.connect
    _originals["connect_ex"] = socket.socket.connect_ex
    _originals["getaddrinfo"] = socket.getaddrinfo
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _guarded_getaddrinfo  # type: ignore[assignment]


def uninstall() -> None:
    """Turn the guard off again (used by the guard's own tests)."""
    if not _originals:
        return
    socket.socket.connect = _originals["connect"]  # type: ignore[method-assign]
    socket.socket.connect_ex = _originals["connect_ex"]  # type: ignore[method-assign]
    socket.getaddrinfo = _originals["getaddrinfo"]  # type: ignore[assignment]
    _originals.clear()


def is_installed() -> bool:
    """Whether the guard is on in this process."""
    return bool(_originals)
