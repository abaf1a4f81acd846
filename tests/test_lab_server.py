"""`make lab` starts JupyterLab on 127.0.0.1 with token authentication (the exact command, on a free port)."""

import psutil
import pytest

from tests.support import http_status, running_lab


@pytest.fixture
def lab_server():
    with running_lab() as server:
        yield server


def test_lab_requires_its_token_and_listens_on_loopback_only(lab_server):
    assert http_status(lab_server.url("/api/status")) == 200
    assert http_status(lab_server.url("/api/status", with_token=False)) == 403
    assert http_status(f"{lab_server.base_url}/api/status?token=wrong-{lab_server.token}") == 403
    port = int(lab_server.base_url.rsplit(":", 1)[1])
    listening = {
        connection.laddr.ip
        for connection in psutil.net_connections(kind="tcp")
        if connection.status == "LISTEN" and connection.laddr.port == port
    }
    assert listening == {"127.0.0.1"}
