# Two commands matter: `make run` (the demo) and `make test` (the whole suite). Each installs what it needs.
SWIFT      ?= swift
BIN_DIR     = $(shell $(SWIFT) build --show-bin-path 2>/dev/null)
DEB_BUILD   = pkg-config libfcgi-dev libsqlite3-dev libssl-dev libcurl4-openssl-dev
DEB_RUNTIME = nginx-light libfcgi-bin spawn-fcgi

.PHONY: all deps build test run sandbox clean

all: build

# Installs the Debian packages that are missing (only when root; otherwise says what to install).
deps:
	@missing=""; for p in $(DEB_BUILD) $(DEB_RUNTIME); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "missing Debian packages:$$missing (run as root, or: sudo apt-get install$$missing)"; exit 1; \
	  fi; \
	fi

build: deps
	$(SWIFT) build

test: deps
	$(SWIFT) build --build-tests
	LINEPAY_BIN_DIR="$(BIN_DIR)" $(SWIFT) test --skip-build

clean:
	rm -rf .build
