# The two commands: `make run` (set up and serve the demo) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
STAMP := $(VENV)/.installed

.PHONY: install vendor run serve test bench lint format lock admin clean chromium pdf-libs wrk redis messages gettext

# Browser tests drive Debian's Chromium (browsers cannot be downloaded by Playwright here).
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Installs the exact versions in requirements.lock; re-runs when the lock changes.
$(STAMP): requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $(STAMP)

install: $(STAMP)

# The map's browser libraries and basemap (docs/maps.md), from npm at the exact versions in
# package-lock.json: only the files pages load, with each package's licence, copied into
# static/vendor/ (not committed). Re-runs when the lock changes; nothing is loaded from a CDN.
VENDOR := static/vendor
VENDOR_STAMP := $(VENDOR)/.installed

$(VENDOR_STAMP): package-lock.json
	@command -v npm >/dev/null || { echo "Installing Node.js and npm (for the map's libraries)"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nodejs npm; }
	npm ci --ignore-scripts --no-audit --no-fund
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/leaflet $(VENDOR)/leaflet.markercluster $(VENDOR)/topojson-client $(VENDOR)/world-atlas
	cp -R node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.js.map \
		node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images node_modules/leaflet/LICENSE $(VENDOR)/leaflet/
	cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js \
		node_modules/leaflet.markercluster/dist/leaflet.markercluster.js.map \
		node_modules/leaflet.markercluster/dist/MarkerCluster.css \
		node_modules/leaflet.markercluster/MIT-LICENCE.txt $(VENDOR)/leaflet.markercluster/
	cp node_modules/topojson-client/dist/topojson-client.min.js node_modules/topojson-client/LICENSE \
		$(VENDOR)/topojson-client/
	cp node_modules/world-atlas/countries-110m.json node_modules/world-atlas/countries-50m.json \
		node_modules/world-atlas/LICENSE $(VENDOR)/world-atlas/
	touch $@

vendor: $(VENDOR_STAMP)

# The demo's home zone is Edinburgh's (README: "Whose time"); set DIRECTORY_TIME_ZONE to change it.
DEMO_TIME_ZONE := $(or $(DIRECTORY_TIME_ZONE),Europe/London)

run: $(STAMP) vendor pdf-libs
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	DIRECTORY_TIME_ZONE=$(DEMO_TIME_ZONE) $(MANAGE) runserver 127.0.0.1:8000

# Production serving: gunicorn with gunicorn.conf.py, static files through whitenoise. Settings
# come from the environment (.env.example); with none, the demo database on SQLite.
serve: $(STAMP) vendor pdf-libs
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput --verbosity 0
	$(BIN)/gunicorn -c gunicorn.conf.py recovery_directory.wsgi

# The load benchmark (issue 7): 1,000 and 100,000 meetings on PostgreSQL, gunicorn, wrk.
bench: $(STAMP) vendor pdf-libs wrk
	$(BIN)/python bench/load.py $(BENCH_ARGS)

# Issue 17's benchmarks: the distinct searches in one process with the page cache off
# (bench/search.py, 1,000 and 100,000 meetings), the list itself checked (every search answers
# 200 on the 1,000 database), and the time to the first result row in Chromium.
.PHONY: bench-search bench-searches bench-firstrow
bench-search: $(STAMP) vendor
	$(BIN)/python bench/search.py $(BENCH_ARGS)

bench-searches: $(STAMP) vendor
	$(BIN)/python bench/searches.py --check $(BENCH_ARGS)

bench-firstrow: $(STAMP) vendor chromium
	CHROMIUM=$(CHROMIUM) $(BIN)/python bench/firstrow.py $(BENCH_ARGS)

wrk:
	@command -v wrk >/dev/null || { echo "Installing wrk (the load generator)"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk; }

test: $(STAMP) vendor chromium pdf-libs redis gettext
	CHROMIUM=$(CHROMIUM) $(BIN)/pytest

# GNU gettext: the catalogue test (tests/test_catalogues.py) gathers the strings with xgettext.
gettext:
	@command -v xgettext >/dev/null && command -v msgfmt >/dev/null || { \
		echo "Installing GNU gettext for the catalogue checks"; $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq gettext; }

# The cache tests talk to a real Redis on 127.0.0.1:6379 (tests/test_faults.py): started if none answers.
redis:
	@$(PYTHON) -c "import socket; socket.create_connection(('127.0.0.1', 6379), 1)" 2>/dev/null || \
		{ echo "Starting Redis for the cache tests"; \
		command -v redis-server >/dev/null || { $(SUDO) apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq redis-server; }; \
		redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no; \
		sleep 1; }

# WeasyPrint (referral sheet PDFs) draws text with the system's Pango and fonts.
pdf-libs:
	@ldconfig -p | grep -q libpangoft2-1.0 || { echo "Installing Pango and fonts for PDFs"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; }

chromium:
	@test -x $(CHROMIUM) || { echo "Installing Debian's chromium for the browser tests"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

# The interface's catalogues (locale/<code>/LC_MESSAGES/django.po): gather every translatable
# string of the code and templates into each, then compile them. A new language: make messages
# LANG_CODE=pt, translate locale/pt/LC_MESSAGES/django.po, make messages again. tests/test_catalogues.py
# fails while any string is untranslated or fuzzy, or a compiled catalogue is out of date.
MESSAGES_OPTIONS := --extension html,txt,py --add-location file --no-obsolete \
	--ignore node_modules --ignore static --ignore staticfiles --ignore tests --ignore bench \
	--ignore docs --ignore fixtures
messages: $(STAMP) gettext
	$(MANAGE) makemessages $(MESSAGES_OPTIONS) $(if $(LANG_CODE),--locale $(LANG_CODE),--all)
	$(MANAGE) compilemessages --ignore node_modules --ignore .venv

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Regenerates requirements.lock from the ranges in pyproject.toml.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet ".[dev]"
	.venv-lock/bin/python -m pip freeze --exclude recovery-directory > requirements.lock
	rm -rf .venv-lock build *.egg-info

# An administrator account for the demo (asks for a user name and password).
admin: $(STAMP)
	$(MANAGE) migrate --noinput
	$(MANAGE) createsuperuser

clean:
	rm -rf $(VENV) db.sqlite3 .test-db.sqlite3 staticfiles .pytest_cache .ruff_cache node_modules $(VENDOR)
