"""The network guard: non-loopback connections fail fast and name the caller; localhost works."""

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from course_lib import offline

ROOT = Path(__file__).resolve().parents[1]


def test_guard_is_on_in_the_test_process():
    assert offline.is_installed()


@pytest.mark.parametrize("address", [("93.184.216.34", 80), ("example.org", 443), ("10.0.0.1", 22), ("2001:db8::1", 80)])
def test_connection_beyond_localhost_is_blocked_with_host_and_caller(address):
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock, pytest.raises(offline.NetworkBlockedError) as info:
        sock.connect(address)
    message = str(info.value)
    assert f"{address[0]}:{address[1]}" in message
    assert "test_offline.py" in message and "localhost" in message


def test_name_lookup_and_create_connection_are_blocked():
    with pytest.raises(offline.NetworkBlockedError, match="huggingface.co:443"):
        socket.getaddrinfo("huggingface.co", 443)
    with pytest.raises(offline.NetworkBlockedError, match="pypi.org:443"):
        socket.create_connection(("pypi.org", 443), timeout=1)


def test_urllib_download_fails_at_once_with_the_guard_message():
    import urllib.request

    with pytest.raises(Exception, match="blocked a network call to huggingface.co"):
        urllib.request.urlopen("https://huggingface.co/api/models", timeout=5)


def test_loopback_still_works():
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(server.accept()))
    thread.start()
    with socket.create_connection(("localhost", port), timeout=5) as client:
        client.sendall(b"hi")
    thread.join(timeout=5)
    connection, _ = accepted[0]
    assert connection.recv(2) == b"hi"
    connection.close()
    server.close()


@pytest.mark.parametrize("host, local", [("127.0.0.1", True), ("127.8.9.1", True), ("::1", True), ("localhost", True),
                                         ("0.0.0.0", True), ("8.8.8.8", False), ("huggingface.co", False), (None, False)])
def test_is_local_host(host, local):
    assert offline.is_local_host(host) is local


def test_uninstall_and_install_round_trip():
    offline.uninstall()
    try:
        assert socket.socket.connect is not offline._guarded_connect
    finally:
        offline.install()
    assert socket.socket.connect is offline._guarded_connect


def test_kernels_and_subprocesses_get_the_guard_through_sitecustomize():
    code = ("import socket\n"
            "try:\n    socket.create_connection(('example.org', 80), timeout=1)\n"
            "except ConnectionRefusedError as e:\n    print('BLOCKED', e)\n")
    env = {**os.environ, "COURSE_OFFLINE": "1", "PYTHONPATH": str(ROOT / "tools" / "offline")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert "BLOCKED blocked a network call to example.org:80" in out.stdout, out.stderr


def test_notebook_kernel_under_test_is_guarded(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("from course_lib import offline\nprint(offline.is_installed())")]
    NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    assert nb.cells[0].outputs[0]["text"].strip() == "True"
