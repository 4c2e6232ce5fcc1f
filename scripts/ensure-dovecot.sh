#!/usr/bin/env bash
# Installs Debian's dovecot-imapd for the mailbox tests when it is missing and apt can be used.
# The tests start their own dovecot as the current user, on a free port, with a throwaway configuration:
# the system service is never used (it is stopped and disabled right after the install when it started).
# Never fails: without dovecot the IMAP tests are skipped, the rest of the suite still runs.
set -u

DOVECOT=/usr/sbin/dovecot

if [ -x "$DOVECOT" ] && [ -x /usr/lib/dovecot/imap ]; then
    exit 0
fi

warn() {
    printf 'AVERTISSEMENT / WARNING: %s\n' "$*" >&2
    printf '  Les tests de la boîte aux lettres (IMAP) seront ignorés. / IMAP mailbox tests will be skipped.\n' >&2
}

if [ "$(id -u)" -ne 0 ]; then
    warn "dovecot absent ($DOVECOT) et pas root : installez-le avec « sudo apt-get install dovecot-imapd » / dovecot missing and not root: install it with 'sudo apt-get install dovecot-imapd'."
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    warn "dovecot absent ($DOVECOT) et apt-get indisponible / dovecot missing and apt-get unavailable."
    exit 0
fi

echo "Installation de dovecot-imapd (apt) / Installing dovecot-imapd (apt)…"
# policy-rc.d answering 101 keeps the package from starting the system service during the install.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && own_policy=1
fi
if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dovecot-imapd >/dev/null; then
    echo "dovecot installé / dovecot installed: $("$DOVECOT" --version 2>/dev/null || echo "$DOVECOT")"
else
    warn "l'installation de dovecot-imapd par apt a échoué / installing dovecot-imapd with apt failed."
fi
if [ "$own_policy" -eq 1 ]; then
    rm -f "$policy"
fi
exit 0
