# Comptoir — `make run` starts the demo, `make test` runs the checks (see README.md).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.comptoir-installed
ADDR ?= 127.0.0.1:8000
PYTEST_ARGS ?= -n 2
# Only the folders that exist, so ruff does not stop on a missing one.
LINT_PATHS := $(wildcard comptoir bench tests)

.PHONY: run setup test lint fmt messages bench clean distclean

run: setup
	@mkdir -p "$${COMPTOIR_VAR_DIR:-var}"
	$(BIN)/comptoir migrate --noinput
	$(BIN)/comptoir seed-demo
	@echo ""
	@echo "  Comptoir : http://$(ADDR)/"
	@echo "  FR  Connectez-vous avec l'utilisateur « demo » et le mot de passe « demo1234 »."
	@echo "  EN  Log in with user 'demo' and password 'demo1234'."
	@echo ""
	$(BIN)/comptoir runserver $(ADDR)

setup: $(STAMP)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Comptoir demande Python 3.11 ou plus / Comptoir needs Python 3.11+ (try: make PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the pinned dependencies or the package metadata change.
$(STAMP): requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

test: setup
	scripts/ensure-chromium.sh
	scripts/ensure-dovecot.sh
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

fmt: setup
	$(BIN)/ruff format $(LINT_PATHS)
	$(BIN)/ruff check --fix $(LINT_PATHS)

# Translations (needs gettext): refresh the .po catalogs from the code and templates, fill the French one
# with the source strings, compile the .mo files. The .mo files are committed, so running Comptoir needs no
# gettext; new English strings arrive empty in comptoir/locale/en and the i18n test lists them.
messages: setup
	cd comptoir && ../$(BIN)/comptoir makemessages --locale fr --locale en --ignore tests --no-obsolete
	msgen --output-file comptoir/locale/fr/LC_MESSAGES/django.po comptoir/locale/fr/LC_MESSAGES/django.po
	cd comptoir && ../$(BIN)/comptoir compilemessages

bench: setup
	$(BIN)/python bench/o2c.py -n 200

# Build and tool caches; keeps .venv and the demo database (var/).
clean:
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache .hypothesis build dist *.egg-info test-artifacts

# Everything `make run` created, including the virtualenv and the demo database.
distclean: clean
	rm -rf $(VENV) var
