# RAN hub — `make run` serves the demo site, `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app app
PORT   ?= 5000
STAMP  := $(VENV)/.installed

.PHONY: run test install translations extract-messages lint clean

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
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	@test ! -f instance/demo-accounts.txt || cat instance/demo-accounts.txt
	$(FLASK) run --debug --port $(PORT)

test: install
	$(BIN)/python -m pytest

# Developers: refresh the catalogues after changing user-facing strings.
extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 -o translations/messages.pot --no-location --sort-output --ignore-dirs=".venv .git instance tests bench node_modules" .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/python translations/tool.py fill-en
	@$(BIN)/python translations/tool.py missing ja

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache
