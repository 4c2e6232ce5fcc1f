"""A real IMAP server for the tests: Debian's dovecot (installed by scripts/ensure-dovecot.sh, as `make test`
does), started once per test session (per xdist worker) on free local ports, with a throwaway
configuration, password file and maildirs in a temporary folder. No system configuration is read or
changed and no root service runs: it runs as the current user (as root, under dovecot's own unprivileged
`dovenull` account, since dovecot refuses to serve mail as root). Plain IMAP, STARTTLS on the same port and
implicit TLS on a second one, with a self-signed certificate made by openssl for 127.0.0.1.

Each test takes its own mailbox account (`new_account`), so tests share the server but never a mailbox.
Messages are delivered by IMAP APPEND, as any mail client would put them there.
"""

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
INSTALL_HINT = "installez-le avec scripts/ensure-dovecot.sh (apt-get install dovecot-imapd)"


class Unavailable(Exception):
    pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_as() -> pwd.struct_passwd:
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid())
    for name in ("dovenull", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise Unavailable("aucun compte non privilégié (dovenull, nobody) pour faire tourner dovecot")


CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = 1
first_valid_gid = 1
auth_mechanisms = plain login
disable_plaintext_auth = no
passdb {{
  driver = static
  args = password=secret
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = {tls_port}
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    user = {user}
  }}
  unix_listener stats-writer {{
    user = {user}
  }}
}}
"""


class Dovecot:
    def __init__(self):
        if not (os.path.exists(DOVECOT) and os.path.exists("/usr/lib/dovecot/imap")):
            raise Unavailable(f"dovecot absent ({DOVECOT}) : {INSTALL_HINT}")
        if not shutil.which("openssl"):
            raise Unavailable("openssl absent : pas de certificat pour le serveur IMAP de test")
        self.account = _run_as()
        self.root = Path(tempfile.mkdtemp(prefix="comptoir-dovecot-"))
        self.port = _free_port()
        self.tls_port = _free_port()
        self.cafile = str(self.root / "cert.pem")
        for folder in ("run", "state", "home"):
            (self.root / folder).mkdir()
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout",
                str(self.root / "key.pem"),
                "-out",
                self.cafile,
            ],
            check=True,
            capture_output=True,
        )
        (self.root / "dovecot.conf").write_text(
            CONFIG.format(
                root=self.root,
                user=self.account.pw_name,
                group=_group_name(self.account.pw_gid),
                uid=self.account.pw_uid,
                gid=self.account.pw_gid,
                port=self.port,
                tls_port=self.tls_port,
            )
        )
        if os.geteuid() == 0:
            for path in [self.root, *self.root.rglob("*")]:
                os.chown(path, self.account.pw_uid, self.account.pw_gid)
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            **(
                {"user": self.account.pw_uid, "group": self.account.pw_gid, "extra_groups": []}
                if os.geteuid() == 0
                else {}
            ),
        )
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode(errors="replace")
                self.stop()
                raise Unavailable(f"dovecot n'a pas démarré : {error.strip()[:500]}")
            try:
                client = imaplib.IMAP4("127.0.0.1", self.port, timeout=2)
                client.logout()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise Unavailable("dovecot ne répond pas après 15 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    # --- accounts and messages ---

    def new_account(self) -> str:
        """A mailbox of its own for a test. Every account's password is "secret" (a static passdb): a
        passwd file would be re-read by dovecot at most once a second, so an account added within the
        second of the previous login would be refused."""
        return "boite-" + uuid.uuid4().hex[:10]

    def config(self, user: str, password: str = "secret", **overrides) -> dict:
        """The COMPTOIR_INTAKE_IMAP setting for this server and account (plain IMAP unless overridden)."""
        return {
            "host": "127.0.0.1",
            "port": self.port,
            "security": "none",
            "user": user,
            "password": password,
            "folder": "INBOX",
            "processed_folder": "Comptoir-traites",
            "error_folder": "Comptoir-erreurs",
            "ca_file": self.cafile,
            "timeout": 10,
        } | overrides

    def client(self, user: str, password: str = "secret") -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(user, password)
        return client

    def deliver(self, user: str, raw: bytes, folder: str = "INBOX") -> None:
        client = self.client(user)
        try:
            if folder != "INBOX":
                client.create(f'"{folder}"')
            status, data = client.append(f'"{folder}"', None, None, raw)
            assert status == "OK", data
        finally:
            client.logout()

    def messages(self, user: str, folder: str = "INBOX") -> list[bytes]:
        """The messages of a folder (read without marking them seen); [] for a folder that does not exist."""
        client = self.client(user)
        try:
            status, _data = client.select(f'"{folder}"', readonly=True)
            if status != "OK":
                return []
            _status, data = client.uid("SEARCH", None, "ALL")
            found = []
            for uid in (data[0] or b"").split():
                _status, fetched = client.uid("FETCH", uid, "(BODY.PEEK[])")
                found.append(next(item[1] for item in fetched if isinstance(item, tuple)))
            return found
        finally:
            client.logout()


def _group_name(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name
