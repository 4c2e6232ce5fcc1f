"""Comptoir behind a TLS reverse proxy, through the production server (issue 18, points 1 to 3 and 6).

`comptoir serve` (gunicorn) is started as a deployment would start it: only the environment of
deploy/comptoir.env.example, with the database and the folders pointed at this test's own. Requests
carry what Caddy or nginx sends after terminating TLS (Host, X-Forwarded-Proto: https, X-Forwarded-For).
A user signs in, submits a form, and every cookie is Secure and HttpOnly; plain HTTP is sent to HTTPS,
a foreign origin cannot post, the probes answer whatever the Host. The same file, with the development
key instead, is refused at start, and `comptoir check --deploy` finds nothing to say about it.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path

import psycopg
import pytest
import requests
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = ROOT / "deploy" / "comptoir.env.example"
HOST = "erp.example.fr"
ORIGIN = f"https://{HOST}"
PROXY = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
PASSWORD = "motdepasse-prod-1234"

pytestmark = pytest.mark.django_db


def documented_environment() -> dict[str, str]:
    """The KEY=VALUE lines of deploy/comptoir.env.example."""
    env = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def comptoir(env: dict, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", "from comptoir.cli import main; main()", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT)


@pytest.fixture(scope="module")
def database_url(tmp_path_factory):
    """An empty database apart from the test database: a SQLite file, or a PostgreSQL database made here."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        yield f"sqlite:///{tmp_path_factory.mktemp('prod') / 'comptoir.sqlite3'}"
        return
    name = f"{db['NAME']}_serve_{uuid.uuid4().hex[:8]}"
    conninfo = dict(host=db["HOST"] or "", port=db["PORT"] or "", user=db["USER"] or "", dbname="postgres")
    with psycopg.connect(**conninfo, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{name}"
    finally:
        with psycopg.connect(**conninfo, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def production_env(database_url, tmp_path_factory):
    var = tmp_path_factory.mktemp("var")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("COMPTOIR_", "DJANGO_"))}
    env.update(documented_environment())
    env.update(
        {
            "DATABASE_URL": database_url,
            "COMPTOIR_VAR_DIR": str(var),
            "COMPTOIR_BACKUP_DIR": str(var / "backups"),
            "COMPTOIR_BIND": f"127.0.0.1:{free_port()}",
            "COMPTOIR_WORKERS": "1",
            "COMPTOIR_THREADS": "2",
            "COMPTOIR_SECRET_KEY": "t" * 20 + uuid.uuid4().hex + uuid.uuid4().hex,
            # Mail stays on this machine: files, not the example's SMTP server.
            "COMPTOIR_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        }
    )
    return env


@pytest.fixture(scope="module")
def server(production_env):
    """`comptoir serve` on a migrated database with one user; yields its base URL and its log file."""
    migrated = comptoir(production_env, "migrate", "--noinput", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr
    made = comptoir(production_env, "create-user", "claire", "--role", "direction", "--password", PASSWORD)
    assert made.returncode == 0, made.stderr
    # Without a company every page leads to the first run: the company is set up as an IT provider would.
    plan = Path(production_env["COMPTOIR_VAR_DIR"]) / "societe.toml"
    plan.write_text(
        '[societe]\nraison_sociale = "Outillage Durand SAS"\nsiren = "732829320"\n'
        f'[[utilisateurs]]\nidentifiant = "patron"\nmot_de_passe = "{PASSWORD}"\n',
        encoding="utf-8",
    )
    set_up = comptoir(production_env, "setup-company", "--file", str(plan))
    assert set_up.returncode == 0, set_up.stderr
    log = Path(production_env["COMPTOIR_VAR_DIR"]) / "serve.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-c", "from comptoir.cli import main; main()", "serve"],
            env=production_env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    base = f"http://{production_env['COMPTOIR_BIND']}"
    deadline = time.monotonic() + 60
    while True:  # until the server answers its liveness probe (or is seen dead)
        assert process.poll() is None, log.read_text()
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                break
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"comptoir serve did not answer in 60 s:\n{log.read_text()}")
            time.sleep(0.2)
    yield base, log
    process.terminate()
    process.wait(timeout=30)


class FormFields(HTMLParser):
    """The fields a browser would send from the page's form that posts to `action`."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.fields = action, False, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("method", "").lower() == "post" and attrs.get("action") in (
                self.action,
                None,
            )
        elif self.inside and tag == "input" and attrs.get("name") and attrs.get("type") != "checkbox":
            self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def form_fields(html: str, action: str) -> dict:
    parser = FormFields(action)
    parser.feed(html)
    return parser.fields


class ProxiedBrowser:
    """A browser as the server sees it through the proxy: the proxy's headers on every request, and the
    cookies the server set sent back. (requests' own jar would keep Secure cookies to itself on this
    plain-HTTP hop between proxy and server, as a real browser does on plain HTTP.)"""

    def __init__(self, base: str):
        self.base, self.cookies = base, {}

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = PROXY | kwargs.pop("headers", {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        response = requests.request(
            method, f"{self.base}{path}", headers=headers, allow_redirects=False, **kwargs
        )
        for name, line in cookie_flags(response).items():
            self.cookies[name] = line.split("=", 1)[1].split(";", 1)[0]
        return response

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post_form(self, path: str, fields: dict, origin: str = ORIGIN) -> requests.Response:
        return self.request(
            "POST", path, data=fields, headers={"Origin": origin, "Referer": f"{origin}{path}"}
        )


def cookie_flags(response: requests.Response) -> dict[str, str]:
    """The Set-Cookie line of each cookie, by name (requests folds them into one header)."""
    return {line.split("=", 1)[0]: line for line in response.raw.headers.getlist("Set-Cookie")}


def signed_in(base: str) -> ProxiedBrowser:
    browser = ProxiedBrowser(base)
    page = browser.get("/connexion/")
    answer = browser.post_form(
        "/connexion/", form_fields(page.text, "/connexion/") | {"username": "claire", "password": PASSWORD}
    )
    assert answer.status_code == 302 and answer.headers["Location"] == "/", answer.text[:500]
    return browser


def test_a_user_signs_in_and_submits_a_form_through_the_tls_proxy(server):
    base, _ = server
    browser = ProxiedBrowser(base)
    login_page = browser.get("/connexion/")
    assert login_page.status_code == 200
    assert "max-age=31536000" in login_page.headers["Strict-Transport-Security"]
    assert "script-src 'self'" in login_page.headers["Content-Security-Policy"]
    assert login_page.headers["X-Frame-Options"] == "DENY"
    csrf_cookie = cookie_flags(login_page)["csrftoken"]
    assert "Secure" in csrf_cookie and "HttpOnly" in csrf_cookie

    answer = browser.post_form(
        "/connexion/",
        form_fields(login_page.text, "/connexion/") | {"username": "claire", "password": PASSWORD},
    )
    assert answer.status_code == 302, re.sub(r"<[^>]+>|\s+", " ", answer.text)[-1500:]
    session_cookie = cookie_flags(answer)["sessionid"]
    assert "Secure" in session_cookie and "HttpOnly" in session_cookie
    home = browser.get("/")
    assert home.status_code == 200 and "claire" in home.text

    # A business form: a new customer, posted as the browser would.
    form = browser.get("/clients/nouveau/")
    created = browser.post_form(
        "/clients/nouveau/",
        form_fields(form.text, "/clients/nouveau/")
        | {"name": "Menuiserie Martin SARL", "siren": "542107651"},
    )
    assert created.status_code == 302, created.text[:800]
    assert re.fullmatch(r"/clients/\d+/", created.headers["Location"])
    assert "Menuiserie Martin SARL" in browser.get(created.headers["Location"]).text


def test_a_form_posted_from_another_origin_is_refused(server):
    base, _ = server
    browser = signed_in(base)
    form = browser.get("/clients/nouveau/")
    forged = browser.post_form(
        "/clients/nouveau/",
        form_fields(form.text, "/clients/nouveau/") | {"name": "Usurpateur SA"},
        origin="https://attacker.example",
    )
    assert forged.status_code == 403
    assert "Usurpateur" not in browser.get("/clients/").text


def test_plain_http_is_sent_to_https_but_the_probes_answer_any_host(server):
    base, _ = server
    plain = requests.get(f"{base}/clients/", headers={"Host": HOST}, allow_redirects=False)
    assert plain.status_code == 301 and plain.headers["Location"] == f"{ORIGIN}/clients/"

    # An orchestrator probes by the container's address, over HTTP.
    alive = requests.get(f"{base}/healthz", headers={"Host": "10.1.2.3:8000"})
    assert alive.status_code == 200 and alive.text == "ok\n"
    ready = requests.get(f"{base}/readyz", headers={"Host": "10.1.2.3:8000"})
    # The database answers and is migrated; no task worker runs in this test, and that is said.
    assert ready.status_code == 503
    assert ready.json() | {"worker_seen_seconds_ago": None} == {
        "ready": False,
        "database": "ok",
        "migrations": "ok",
        "worker": "never seen",
        "worker_seen_seconds_ago": None,
    }


def test_each_request_has_an_id_in_the_response_and_in_the_json_log(server):
    base, log = server
    mine = f"proxy-{uuid.uuid4().hex}"
    answer = requests.get(f"{base}/connexion/", headers=PROXY | {"X-Request-ID": mine})
    assert answer.headers["X-Request-ID"] == mine
    generated = requests.get(f"{base}/connexion/", headers=PROXY).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)

    deadline = time.monotonic() + 10
    while mine not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)  # the access line is written once the response is sent
    lines = [json.loads(line) for line in log.read_text().splitlines() if mine in line]
    assert lines, log.read_text()[-2000:]
    assert lines[0]["logger"] == "gunicorn.access" and lines[0]["level"] == "INFO"
    assert "GET /connexion/" in lines[0]["message"] and " 200 " in lines[0]["message"]


def test_the_production_server_refuses_the_development_key(production_env):
    env = {key: value for key, value in production_env.items() if key != "COMPTOIR_SECRET_KEY"}
    refused = comptoir(env, "serve", timeout=60)
    assert refused.returncode != 0
    assert "COMPTOIR_SECRET_KEY" in refused.stderr and "Démarrage refusé" in refused.stderr

    debug = comptoir(production_env | {"COMPTOIR_DEBUG": "1"}, "serve", timeout=60)
    assert debug.returncode != 0 and "COMPTOIR_DEBUG" in debug.stderr


def test_django_deployment_checks_are_clean_under_the_documented_environment(production_env):
    checked = comptoir(production_env, "check", "--deploy", "--fail-level", "WARNING", timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "no issues" in checked.stdout

    # The same check does complain about what the file's settings guard against.
    naked = {key: value for key, value in production_env.items() if key not in ("COMPTOIR_HTTPS",)}
    complaint = comptoir(naked, "check", "--deploy", "--fail-level", "WARNING", timeout=120)
    assert complaint.returncode != 0 and "SESSION_COOKIE_SECURE" in complaint.stdout + complaint.stderr


def test_serve_takes_workers_and_threads_from_the_environment(production_env):
    env = production_env | {"COMPTOIR_WORKERS": "3", "COMPTOIR_THREADS": "5", "COMPTOIR_BIND": "0.0.0.0:9000"}
    checked = comptoir(env, "serve", "--check", timeout=60)
    assert checked.returncode == 0, checked.stderr
    assert "3 processus × 5 fils sur 0.0.0.0:9000" in checked.stdout


def test_the_entry_point_script_starts_each_role_outside_a_container(production_env):
    """deploy/entrypoint.sh, the container's and the units' entry point, run here as-is."""
    env = production_env | {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    script = str(ROOT / "deploy" / "entrypoint.sh")

    def run(*args):
        return subprocess.run([script, *args], env=env, capture_output=True, text=True, timeout=300, cwd=ROOT)

    web = run("web", "--check")  # migrations applied, then the server's configuration checked
    assert web.returncode == 0, web.stderr
    assert "1 processus × 2 fils" in web.stdout
    scheduler = run("scheduler", "--once")
    assert scheduler.returncode == 0, scheduler.stderr
    worker = run("worker", "--batch", "--no-startup-delay")  # runs what the scheduler queued, then stops
    assert worker.returncode == 0, worker.stderr
    ready = run("shell", "-c", "from comptoir.web.health import readiness; print(readiness()[0])")
    # The worker beat while it ran the scheduler's ping: /readyz would now say ready.
    assert ready.stdout.strip().splitlines()[-1] == "True", ready.stdout + ready.stderr
