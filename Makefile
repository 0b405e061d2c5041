# tokentray — every target installs the Debian packages it needs first (sudo when not root).

GO        ?= go
BIN       := tokentray
PKGS      := ./...
# Fyne needs cgo and these headers; libwayland-dev since Fyne 2.8.
BUILD_DEBS := gcc pkg-config libgl1-mesa-dev xorg-dev libxkbcommon-dev libwayland-dev
# The unit tests include one against a real Secret Service (gnome-keyring on a private bus).
TEST_DEBS  := $(BUILD_DEBS) dbus gnome-keyring libsecret-tools
# The end-to-end tests start a real X server, D-Bus, Secret Service, clipboard and browser.
E2E_DEBS   := xvfb dbus gnome-keyring libsecret-tools xclip xdotool chromium imagemagick
SUDO      := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
FYNE_CLI    := fyne.io/tools/cmd/fyne@v1.7.4

.PHONY: all build run demo test test-deps e2e bench lint package screenshots deps e2e-deps clean faults

all: build

# apt-get only when something is missing, so repeated runs stay fast and need no sudo.
define apt_install
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:" $$missing; \
		$(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call apt_install,$(BUILD_DEBS))

e2e-deps: deps
	$(call apt_install,$(E2E_DEBS))

build: deps
	$(GO) build -trimpath -ldflags "-s -w" -o $(BIN) .

run: build
	./$(BIN)

demo: build
	./$(BIN) --demo

test-deps: deps
	$(call apt_install,$(TEST_DEBS))

test: test-deps
	$(GO) vet $(PKGS)
	$(GO) test -race -count=1 -tags secretservice $(PKGS)

# The fault suite: the real binary against the fake with injected faults, a real gnome-keyring;
# it rewrites docs/RELIABILITY.md with what it measured.
faults: test-deps
	$(GO) test -tags faults -count=1 -timeout 10m ./faults/

e2e: e2e-deps
	$(GO) test -tags e2e -race -count=1 -timeout 20m ./e2e/...

bench: deps
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

# Lint the files behind build tags too: the e2e harness, the Secret Service test and the fault suite.
LINT_TAGS := e2e,secretservice,faults

lint: deps
	test -z "$$(gofmt -l .)" || { gofmt -l .; exit 1; }
	$(GO) vet -tags $(LINT_TAGS) $(PKGS)
	$(GO) run $(STATICCHECK) -tags $(LINT_TAGS) $(PKGS)

# fyne package bumps Build in FyneApp.toml on every run, even with --app-build (fyne-io/fyne#4365):
# keep the committed file as it is.
package: deps
	cp FyneApp.toml .FyneApp.toml.keep; \
	$(GO) run $(FYNE_CLI) package --target linux --release; status=$$?; \
	mv .FyneApp.toml.keep FyneApp.toml; exit $$status
	@ls -l *.tar.xz

screenshots: e2e-deps
	$(GO) test -tags e2e -count=1 -run 'TestScreenshots' -v ./e2e/...

clean:
	rm -f $(BIN) *.tar.xz
