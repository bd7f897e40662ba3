"""Starts the emulator binary for the official SDKs to talk to."""
import json
import os
import subprocess
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KEY_ID = "LTAI5tConformanceKey"
SECRET = "ConformanceSecret0123456789xyz"
REGION = "cn-hangzhou"


class Server:
    def __init__(self, url, proc):
        self.url = url
        self.proc = proc
        self.key_id = KEY_ID
        self.secret = SECRET
        self.region = REGION

    def post(self, path, body=None, method="POST"):
        data = json.dumps(body).encode() if body is not None else b""
        req = urllib.request.Request(self.url + "/_emulator/" + path, data=data, method=method)
        with urllib.request.urlopen(req) as resp:
            text = resp.read()
            return json.loads(text) if text else None

    def sts(self, seconds=3600):
        return self.post("sts", {"durationSeconds": seconds})

    def get(self, path):
        with urllib.request.urlopen(urllib.request.Request(self.url + "/_emulator/" + path)) as resp:
            return json.loads(resp.read())

    def requests(self):
        return self.get("requests")

    def callbacks(self):
        """What the emulator's example callback server received, oldest first."""
        return self.get("callbacks")


def start_emulator(*extra):
    binary = os.environ.get("OSS_EMULATOR_BIN", os.path.join(ROOT, "target", "debug", "oss-emulator"))
    proc = subprocess.Popen(
        [binary, "--listen", "127.0.0.1:0", "--bucket", "demo-bucket", "--bucket", "other-bucket",
         "--access-key-id", KEY_ID, "--access-key-secret", SECRET, "--region", REGION, *extra],
        stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    assert line.startswith("listening on "), f"emulator said {line!r}"
    return Server(line[len("listening on "):], proc)


@pytest.fixture(scope="session")
def server():
    s = start_emulator()
    yield s
    s.proc.terminate()
    s.proc.wait(timeout=10)
