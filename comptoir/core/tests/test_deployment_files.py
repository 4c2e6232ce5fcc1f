"""The deployment files (deploy/, Dockerfile, compose.yaml) stay true to the app (issue 18, point 7).

No container can be built here (no registry), so what the files ask of Comptoir is checked against
Comptoir itself: every variable they set is one the settings read, every command they run exists, the
ports and the upload size agree, the probes they call answer. The entry-point script is run for real,
outside a container, in tests/flows/test_production_server.py."""

import re
from pathlib import Path

import pytest
from django.core.management import get_commands

from comptoir.cli import command_name

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
SETTINGS = (ROOT / "comptoir" / "settings.py").read_text(encoding="utf-8")
FILES = {
    "env": DEPLOY / "comptoir.env.example",
    "entrypoint": DEPLOY / "entrypoint.sh",
    "web unit": DEPLOY / "systemd" / "comptoir.service",
    "worker unit": DEPLOY / "systemd" / "comptoir-worker.service",
    "scheduler unit": DEPLOY / "systemd" / "comptoir-scheduler.service",
    "caddy": DEPLOY / "Caddyfile",
    "nginx": DEPLOY / "nginx.conf",
    "dockerfile": ROOT / "Dockerfile",
    "compose": ROOT / "compose.yaml",
}


def text(name: str) -> str:
    return FILES[name].read_text(encoding="utf-8")


def variables_read_by_settings() -> set[str]:
    read = set(re.findall(r'"(COMPTOIR_[A-Z0-9_]+|DATABASE_URL)"', SETTINGS))
    # _env_secret(NAME) also reads NAME_FILE.
    read |= {f"{name}_FILE" for name in re.findall(r'_env_secret\("(COMPTOIR_[A-Z0-9_]+)"', SETTINGS)}
    return read


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_variable_the_files_set_is_read_by_the_settings(name):
    written = set(re.findall(r"\b(COMPTOIR_[A-Z0-9_]+|DATABASE_URL)\b", text(name)))
    assert written - variables_read_by_settings() == set()


def test_the_example_environment_sets_what_a_deployment_needs():
    env = dict(
        line.split("=", 1) for line in text("env").splitlines() if line.strip() and not line.startswith("#")
    )
    for needed in (
        "COMPTOIR_SECRET_KEY",
        "DATABASE_URL",
        "COMPTOIR_ALLOWED_HOSTS",
        "COMPTOIR_CSRF_TRUSTED_ORIGINS",
        "COMPTOIR_BEHIND_TLS_PROXY",
        "COMPTOIR_HTTPS",
        "COMPTOIR_VAR_DIR",
    ):
        assert env.get(needed), needed
    host = env["COMPTOIR_ALLOWED_HOSTS"].split(",")[0]
    assert f"https://{host}" in env["COMPTOIR_CSRF_TRUSTED_ORIGINS"].split(",")
    # The proxies are configured for the name the environment allows.
    assert host in text("caddy") and f"server_name {host};" in text("nginx")


@pytest.mark.parametrize("name", ["entrypoint", "web unit", "worker unit", "scheduler unit"])
def test_every_command_the_files_run_exists(name):
    commands = set(get_commands())
    run = re.findall(r"\bcomptoir (?!\"\$role\")([a-z][a-z-]*)", text(name))
    assert run, f"{name} runs no comptoir command"
    assert {command_name(command) for command in run} - commands == set()


def test_the_compose_file_runs_app_worker_scheduler_and_postgresql():
    compose = text("compose")
    for service, command in (("web", "web"), ("worker", "worker"), ("scheduler", "scheduler")):
        assert re.search(rf"\n  {service}:\n(    .*\n)*?    command: \[\"{command}\"\]", compose), service
    assert "image: postgres:" in compose
    for role in ("web", "worker", "scheduler"):
        assert re.search(rf"^\s+{role}\)$", text("entrypoint"), re.M), f"entrypoint has no {role} role"


def test_ports_agree_from_the_proxy_to_the_server():
    env_bind = re.search(r"^COMPTOIR_BIND=(.+)$", text("env"), re.M).group(1)
    assert f"reverse_proxy {env_bind}" in text("caddy")
    assert f"proxy_pass http://{env_bind};" in text("nginx")
    exposed = re.search(r"^EXPOSE (\d+)$", text("dockerfile"), re.M).group(1)
    assert f"COMPTOIR_BIND=0.0.0.0:{exposed}" in text("dockerfile")
    assert f':{exposed}"' in text("compose") and f"COMPTOIR_BIND: 0.0.0.0:{exposed}" in text("compose")


def test_the_proxies_let_the_largest_upload_through_and_probe_the_right_path():
    from django.conf import settings

    limit_mb = settings.COMPTOIR_MAX_UPLOAD_SIZE / (1024 * 1024)
    caddy = int(re.search(r"max_size (\d+)MB", text("caddy")).group(1))
    nginx = int(re.search(r"client_max_body_size (\d+)m;", text("nginx")).group(1))
    assert caddy >= limit_mb and nginx >= limit_mb
    assert "health_uri /healthz" in text("caddy") and "/healthz" in text("dockerfile")


def test_the_proxies_set_the_headers_comptoir_trusts():
    nginx = text("nginx")
    assert "proxy_set_header X-Forwarded-Proto https;" in nginx
    assert "proxy_set_header Host $host;" in nginx
    # Appending ($proxy_add_x_forwarded_for) would let a client choose the address the throttling counts.
    assert "$proxy_add_x_forwarded_for" not in nginx
