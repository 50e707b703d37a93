# The two commands: `make run` and `make test`. Everything else they need
# (Python 3.10 venv, pinned packages, Redis, the trained model) is made here,
# and only when its inputs changed.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa

export PYTHONPATH := $(CURDIR)
export ACTION_PORT ?= 5055
export RASA_PORT ?= 5005
export CASE_SERVICE_PORT ?= 8090
export CASE_SERVICE_URL ?= http://127.0.0.1:$(CASE_SERVICE_PORT)
export DESK_PORT ?= 8080
export RASA_URL ?= http://127.0.0.1:$(RASA_PORT)
export REDIS_HOST ?= localhost
export REDIS_PORT ?= 6379
export REDIS_DB ?= 0
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONWARNINGS := ignore::DeprecationWarning

.PHONY: help setup lookups train redis run shell test validate bench-nlu choose-threshold clean
.PHONY: profile-db bench-profile postgres chromium

help:
	@echo "make run        set up, train if needed, start the assistant (Ctrl-C stops it)"
	@echo "make test       set up, train if needed, run every test"
	@echo "make shell      chat in the terminal"
	@echo "make train      train if the data, config, domain, kb/ or NLU code changed"
	@echo "make bench-nlu  compare our NLU with the stock Rasa pipeline and TF-IDF+SVM"
	@echo "make choose-threshold  choose the intent blend weight and fallback threshold from a validation split"
	@echo "make profile-db migrate the profile store and seed the demo bank (var/profile.db)"
	@echo "make bench-profile  p50/p95 of each profile-store query on the demo bank"

$(VENV)/.installed: requirements.in constraints.txt scripts/setup-venv.sh
	scripts/setup-venv.sh
	touch $@

setup: $(VENV)/.installed

# lookup tables generated from kb/
data/nlu/lookups.yml: $(wildcard kb/*.yml) bot/tools/lookups.py | setup
	$(PY) -m bot kb-sync

lookups: data/nlu/lookups.yml

train: setup lookups
	$(PY) -m bot train

redis:
	scripts/redis.sh start

# a throwaway PostgreSQL (Debian's, installed when absent) in var/pg on port 5433:
# the profile store's tests run on it as well as on SQLite
postgres:
	scripts/postgres.sh start

# the profile store: migrated to head, demo bank seeded when empty or stale (fast otherwise)
profile-db: setup
	$(PY) -m bot profile-init

bench-profile: profile-db
	$(PY) scripts/bench_profile.py

run: train redis profile-db
	scripts/run.sh

shell: train redis profile-db
	scripts/run.sh --shell

validate: setup lookups
	$(RASA) data validate --config config.yml --domain domain --data data

# Debian's chromium (and a Chinese font) for the browser tests, installed when absent
chromium:
	scripts/chromium.sh >/dev/null

test: train redis postgres profile-db chromium
	PROFILE_TEST_POSTGRES_URL=$${PROFILE_TEST_POSTGRES_URL:-$$(scripts/postgres.sh url)} scripts/test.sh

bench-nlu: setup lookups
	$(PY) scripts/bench_nlu.py

# the FallbackClassifier threshold, from a validation split of data/nlu
choose-threshold: setup lookups
	$(PY) scripts/choose_fallback_threshold.py

clean:
	rm -rf models/*.tar.gz var/log results .pytest_cache
