#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests when it is missing and apt can be used.
# Never fails: without chromium the browser tests are skipped, the rest of the suite still runs.
set -u

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
    exit 0
fi

warn() {
    printf 'AVERTISSEMENT / WARNING: %s\n' "$*" >&2
    printf '  Les tests navigateur seront ignorés. / Browser tests will be skipped.\n' >&2
}

if [ "$(id -u)" -ne 0 ]; then
    warn "chromium absent ($CHROMIUM) et pas root : installez-le avec « sudo apt-get install chromium » / chromium missing and not root: install it with 'sudo apt-get install chromium'."
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    warn "chromium absent ($CHROMIUM) et apt-get indisponible / chromium missing and apt-get unavailable."
    exit 0
fi

echo "Installation de chromium (apt) / Installing chromium (apt)…"
if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; then
    echo "chromium installé / chromium installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
else
    warn "l'installation de chromium par apt a échoué / installing chromium with apt failed."
fi
exit 0
