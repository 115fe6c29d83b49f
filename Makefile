# RAN hub — `make run` serves the demo site, `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app app
PORT   ?= 5000
STAMP  := $(VENV)/.installed
#: Debian's Chromium, driven by Playwright in the browser tests (Playwright never downloads a browser)
CHROMIUM ?= /usr/bin/chromium
#: axe-core vendored under tests/browser/vendor/ (refresh with `make vendor-axe`)
AXE_VERSION := 4.14.1
#: the Nu Html Checker (npm vnu-jar, run with Debian's Java) that `make test` checks the pages and stylesheet with
VNU_VERSION := 26.9.27
VNU_JAR := .cache/vnu/package/build/dist/vnu.jar
export VNU_JAR
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
#: pytest-xdist workers for `make test` (one database per worker and engine); 0 runs in this process
TEST_WORKERS ?= auto
export CHROMIUM

# Install Debian packages that are missing: apt-get update only when the first try fails.
define apt_install
	command -v apt-get >/dev/null || { echo "Please install: $(1) (Debian package names)" >&2; exit 1; }; \
	export DEBIAN_FRONTEND=noninteractive; \
	$(SUDO) apt-get install -y --no-install-recommends $(1) \
	  || { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends $(1); }
endef

.PHONY: run test install system-deps translations extract-messages lint bench vendor-axe clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is required"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# Install the project and compile the message catalogues (.mo files are not committed).
install: $(STAMP)
	$(BIN)/pybabel compile -d translations

run: install
	@# The demo accounts of an earlier run (a first run's seeding prints them itself).
	@if [ -s instance/ranhub.sqlite3 ] && [ -s instance/demo-accounts.txt ]; then cat instance/demo-accounts.txt; fi
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	$(FLASK) run --debug --port $(PORT)

# The whole suite: lint and security scan, then pytest (unit, API fuzzing, browser, accessibility).
test: install system-deps lint $(VNU_JAR)
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

# Chromium for the browser tests and Japanese fonts so screenshots show Japanese text;
# nginx (with Brotli) and openssl for the reverse-proxy tests of deploy/nginx/.
SYSTEM_PACKAGES := chromium fonts-noto-cjk nginx libnginx-mod-http-brotli-filter openssl default-jre-headless
system-deps:
	@if [ ! -x "$(CHROMIUM)" ] || [ ! -x /usr/sbin/nginx ] || ! command -v openssl >/dev/null || ! command -v java >/dev/null \
	    || { command -v dpkg >/dev/null && ! dpkg -s fonts-noto-cjk libnginx-mod-http-brotli-filter >/dev/null 2>&1; }; then \
	  $(call apt_install,$(SYSTEM_PACKAGES)); \
	fi

# Developers: refresh the catalogues after changing user-facing strings.
extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 -o translations/messages.pot --no-location --sort-output --ignore-dirs=".venv .git instance tests bench node_modules" .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/python translations/tool.py fill-en
	@$(BIN)/python translations/tool.py missing ja

lint: install
	$(BIN)/ruff check .
	$(BIN)/bandit --quiet --configfile pyproject.toml --recursive .

# Load test (not part of `make test`): seeds a large data set, serves it with gunicorn,
# drives it with wrk on 127.0.0.1 and writes bench/RESULTS.md. SCALE and DURATION override.
bench: install
	@command -v wrk >/dev/null || { $(call apt_install,wrk); }
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The Nu Html Checker from the npm registry (30 MB: fetched once into .cache, not committed).
$(VNU_JAR):
	mkdir -p .cache/vnu
	cd .cache/vnu && npm pack --silent vnu-jar@$(VNU_VERSION) && tar -xzf vnu-jar-$(VNU_VERSION).tgz package/build/dist/vnu.jar \
	  && rm vnu-jar-$(VNU_VERSION).tgz

# Refresh the vendored axe-core from the npm registry (the file is committed: tests run offline).
vendor-axe:
	mkdir -p .cache/npm
	cd .cache/npm && npm pack --silent axe-core@$(AXE_VERSION) && tar -xzf axe-core-$(AXE_VERSION).tgz package/axe.min.js package/LICENSE
	cp .cache/npm/package/axe.min.js tests/browser/vendor/axe.min.js
	cp .cache/npm/package/LICENSE tests/browser/vendor/axe-LICENSE.txt

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts .cache
