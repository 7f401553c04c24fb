# Two commands matter: `make run` (the demo) and `make test` (the whole suite). Each installs what it needs.
SWIFT      ?= swift
# The executables as shipped: the Swift runtime and Foundation linked in (--static-swift-stdlib: one file to map, no
# symbols bound at run time), in their own build folder, since objects built for that link cannot link dynamically
# and the test bundles are dynamic. CONFIG=release for `make build CONFIG=release`.
CONFIG     ?= debug
SHIP_AS     = $(SWIFT) build --static-swift-stdlib --scratch-path .build/static -c
SHIP        = $(SHIP_AS) $(CONFIG)
BIN_DIR     = $(shell $(SHIP) --show-bin-path 2>/dev/null)
PRODUCTS    = linepay-fcgi linepay linepay-sandbox
DEB_BUILD   = pkg-config libfcgi-dev libsqlite3-dev libssl-dev libcurl4-openssl-dev libpq-dev
DEB_RUNTIME = nginx-light libfcgi-bin spawn-fcgi apache2 libapache2-mod-fcgid php-cli php-cgi postgresql
DEB_BROWSER = chromium chromium-driver python3-selenium python3-pytest python3-pytest-timeout python3-pil fonts-noto-cjk fonts-thai-tlwg openssl
# The demo's port: make run PORT=8081
PORT       ?= 8080
# The demo's store: make run DB=postgresql (a local PostgreSQL in .run/pg); SQLite by default.
DB         ?= sqlite

.PHONY: all deps build test bench screenshots run sandbox stop clean

all: build

# Installs the Debian packages that are missing (only when root; otherwise says what to install).
deps:
	@missing=""; for p in $(DEB_BUILD) $(DEB_RUNTIME) $(DEB_BROWSER); do \
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
	@# The test PostgreSQL servers run as this unprivileged user when we are root (PostgreSQL refuses root).
	@if [ "$$(id -u)" = 0 ] && ! id linepaytest >/dev/null 2>&1; then \
	  useradd --system --no-create-home --shell /usr/sbin/nologin linepaytest; \
	fi

build: deps
	@for p in $(PRODUCTS); do $(SHIP) --product $$p || exit 1; done

# Never hangs, never green when cut short (docs/testing.md): every step has a deadline (Tests/bounded.sh) and the
# Swift run must print its closing summary with as many tests as the suites declare (Tests/run-swift-tests.sh).
test: build
	$(SWIFT) build --build-tests
	LINEPAY_BIN_DIR="$(BIN_DIR)" SWIFT="$(SWIFT)" Tests/with-postgres.sh Tests/run-swift-tests.sh; status=$$?; Tests/postgres-cleanup.sh; exit $$status
	Tests/bounded.sh 120 php www/examples/test-vectors.php ../shared/test-vectors/handoff.json
	Tests/bounded.sh 120 php www/examples/test-vectors.php Tests/vectors/handoff-shipping.json
	PYTHONDONTWRITEBYTECODE=1 LINEPAY_BIN_DIR="$(BIN_DIR)" Tests/bounded.sh 900 /usr/bin/python3 -m pytest Tests/browser -q
	Tests/bounded.sh 120 php www/examples/test-messages.php Tests/vectors/messages.json

# Every page in en, ja, zh_TW and th at desktop and phone size into screenshots/ (docs/browser-tests.md).
screenshots: build
	rm -rf screenshots && mkdir -p screenshots
	PYTHONDONTWRITEBYTECODE=1 LINEPAY_BIN_DIR="$(BIN_DIR)" SCREENSHOT_DIR="$(CURDIR)/screenshots" /usr/bin/python3 -m pytest Tests/browser -q -m "screenshots or not screenshots"

# Speed, not a test: release binaries behind nginx, measured with wrk beside nginx serving a static file and
# beside the PHP anchors (php-fpm with 8 workers, pdo_sqlite) behind the same nginx (Tests/Bench/php).
DEB_BENCH   = wrk php-fpm php-sqlite3
bench: deps
	@missing=""; for p in $(DEB_BENCH); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing >/dev/null; \
	  else echo "missing Debian packages for make bench:$$missing"; exit 1; fi; \
	fi
	@$(MAKE) --no-print-directory build CONFIG=release
	LINEPAY_BIN_DIR="$$($(SHIP_AS) release --show-bin-path)" python3 Tests/Bench/bench.py

# The demo shop, linepay-fcgi and the LINE Pay sandbox behind nginx on 127.0.0.1:$(PORT), until Ctrl-C (nginx/demo.sh);
# DB=postgresql stores the orders in a local PostgreSQL instead of .run/linepay.sqlite.
run: build
	BIN_DIR="$(BIN_DIR)" PORT="$(PORT)" DB="$(DB)" nginx/demo.sh run

# Only the LINE Pay sandbox behind nginx on 127.0.0.1:$(PORT); prints its URL and the demo channel.
sandbox: build
	BIN_DIR="$(BIN_DIR)" PORT="$(PORT)" nginx/demo.sh sandbox

# Stops what an earlier make run or make sandbox left running (by the pid files in .run/).
stop:
	nginx/demo.sh stop

clean:
	rm -rf .build
