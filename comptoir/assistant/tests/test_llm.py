"""The optional language model: a real HTTP endpoint on this machine (OpenAI-compatible shape), and the
guards: facts kept or the original text, down or slow endpoint → original text."""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from comptoir.assistant import llm

ORIGINAL = "Bonjour,\nFacture FA-2026-00012 du 05/01/2026 : 1\u202f234,50 € restent dus.\nCordialement"


class _Model(BaseHTTPRequestHandler):
    answer = ""
    seen: list = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        length = int(self.headers["Content-Length"])
        _Model.seen.append(
            (self.path, self.headers.get("Authorization"), json.loads(self.rfile.read(length)))
        )
        body = json.dumps({"choices": [{"message": {"content": _Model.answer}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def model():
    server = HTTPServer(("127.0.0.1", 0), _Model)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Model.seen = []
    yield llm.Endpoint(f"http://127.0.0.1:{server.server_port}/v1", "secret", "petit-modele")
    server.shutdown()


def test_off_by_default(monkeypatch):
    monkeypatch.delenv("COMPTOIR_LLM_URL", raising=False)
    assert llm.endpoint() is None
    assert llm.rephrase(ORIGINAL) == (ORIGINAL, False)


def test_a_rewording_that_keeps_every_fact_is_used(model):
    _Model.answer = (
        "Madame, Monsieur,\nSauf erreur, la facture FA-2026-00012 du 05/01/2026 présente un solde de "
        "1\u202f234,50 €.\nBien cordialement"
    )
    text, reworded = llm.rephrase(ORIGINAL, target=model)
    assert reworded and text == _Model.answer
    path, auth, request = _Model.seen[0]
    assert path == "/v1/chat/completions" and auth == "Bearer secret" and request["model"] == "petit-modele"
    assert request["messages"][1]["content"] == ORIGINAL


def test_a_rewording_that_changes_an_amount_is_refused(model):
    _Model.answer = "Bonjour, la facture FA-2026-00012 du 05/01/2026 : 1\u202f243,50 € restent dus."
    assert llm.rephrase(ORIGINAL, target=model) == (ORIGINAL, False)


def test_an_endpoint_that_is_down_leaves_the_text_as_it_was():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    down = llm.Endpoint(f"http://127.0.0.1:{port}/v1", "", "m")
    assert llm.rephrase(ORIGINAL, target=down) == (ORIGINAL, False)
