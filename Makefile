# tokentray — every target installs the Debian packages it needs first (sudo when not root).

GO        ?= go
BIN       := tokentray
PKGS      := ./...
# Fyne needs cgo and these headers; libwayland-dev since Fyne 2.8.
BUILD_DEBS := gcc pkg-config libgl1-mesa-dev xorg-dev libxkbcommon-dev libwayland-dev
# The unit tests include one against a real Secret Service (gnome-keyring on a private bus).
TEST_DEBS  := $(BUILD_DEBS) dbus gnome-keyring libsecret-tools
# The end-to-end tests start a real X server, D-Bus, Secret Service, clipboard and browser, and
# xfce4-panel as a real tray host (it pulls in xfconf; the harness starts xfconfd itself).
E2E_DEBS   := xvfb dbus gnome-keyring libsecret-tools xclip xdotool chromium imagemagick xfce4-panel
SUDO      := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
FYNE_CLI    := fyne.io/tools/cmd/fyne@v1.7.4

.PHONY: all build run demo test test-deps e2e bench lint package screenshots deps e2e-deps clean faults
.PHONY: install uninstall windows footprint soak wine

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

bench: test-deps # the MPRIS benchmark starts a dbus-daemon
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

# 10 clients hammer a tray on its socket (token, now, state, watch, cut requests, disconnects);
# the tray's RSS and descriptors must stay flat. SOAK=10m is the documented run.
SOAK ?= 10m
soak:
	$(GO) test -count=1 -timeout 0 -run '^TestSoak$$' -v ./internal/trayapi -args -soak=$(SOAK)

# Lint the files behind build tags too: the e2e harness, the footprint benchmark, the Secret
# Service test, the fault suite and the Wine journey.
LINT_TAGS := e2e,secretservice,footprint,faults,wine

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

# What the tray costs idle beside the smallest Fyne tray app, and the window's start (e2e/footprint_test.go).
footprint: e2e-deps
	$(GO) test -tags e2e,footprint -count=1 -timeout 20m -run 'TestFootprint' -v ./e2e/

screenshots: e2e-deps
	$(GO) test -tags e2e -count=1 -run 'TestScreenshots' -v ./e2e/...

clean:
	rm -f $(BIN) $(BIN).exe *.tar.xz

# make install: the user's own directories, no sudo. BINDIR and DATADIR can be overridden;
# make uninstall removes exactly the files install wrote.
BINDIR  ?= $(HOME)/.local/bin
DATADIR ?= $(HOME)/.local/share
APP_ID  := io.github.tokentray
ICONDIR := $(DATADIR)/icons/hicolor
INSTALLED := $(BINDIR)/$(BIN) $(DATADIR)/applications/$(APP_ID).desktop \
	$(ICONDIR)/256x256/apps/$(APP_ID).png $(ICONDIR)/64x64/apps/$(APP_ID).png

install: build
	install -Dm755 $(BIN) $(BINDIR)/$(BIN)
	install -Dm644 assets/icon.png $(ICONDIR)/256x256/apps/$(APP_ID).png
	install -Dm644 assets/tray-ok.png $(ICONDIR)/64x64/apps/$(APP_ID).png
	mkdir -p $(DATADIR)/applications
	printf '%s\n' '[Desktop Entry]' 'Type=Application' 'Name=tokentray' \
		'GenericName=Spotify token tray' \
		'Comment=Keeps a Spotify Web API token ready in the tray and shows what is playing' \
		'Exec=$(BINDIR)/$(BIN)' 'Icon=$(APP_ID)' 'Terminal=false' 'Categories=Utility;AudioVideo;' \
		> $(DATADIR)/applications/$(APP_ID).desktop
	@echo "Installed: $(INSTALLED)"

uninstall:
	rm -f $(INSTALLED)
	@if [ -e "$${XDG_CONFIG_HOME:-$$HOME/.config}/autostart/$(APP_ID).desktop" ]; then \
		echo "Left alone: the autostart entry $${XDG_CONFIG_HOME:-$$HOME/.config}/autostart/$(APP_ID).desktop (run 'tokentray autostart off' before uninstalling, or delete it)"; \
	fi

# Cross-build tokentray.exe for 64-bit Windows: cgo through mingw, the GUI subsystem (no console
# window), and the icon and manifest linked in from a .syso that go-winres writes next to
# main.go for this build only (a _windows_amd64.syso is linked into that target alone).
WINDOWS_DEBS := gcc-mingw-w64-x86-64
GO_WINRES    := github.com/tc-hib/go-winres@v0.3.3
VERSION      := $(shell sed -n 's/^ *Version = "\(.*\)"/\1/p' FyneApp.toml)

windows:
	$(call apt_install,$(WINDOWS_DEBS))
	trap 'rm -f rsrc_windows_amd64.syso' EXIT; \
	$(GO) run $(GO_WINRES) simply --arch amd64 --out rsrc --icon assets/icon.png --manifest gui \
		--product-name tokentray --file-description "Spotify token tray" \
		--product-version $(VERSION) --file-version $(VERSION) && \
	CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc \
		$(GO) build -trimpath -ldflags "-s -w -H=windowsgui" -o $(BIN).exe .
	@ls -l $(BIN).exe

# tokentray.exe under Wine 8.0 (Debian 12) against the fake Spotify: e2e/wine, in a private
# prefix it makes and removes. Go 1.24 and later need bcryptprimitives.dll's ProcessPrng, which
# Wine 8.0 lacks: e2e/wine/bcryptshim is one, built here into a temporary directory.
WINE_DEBS := wine wine64

wine: windows
	$(call apt_install,$(WINE_DEBS))
	dir=$$(mktemp -d) && trap 'rm -rf "$$dir"' EXIT && \
	x86_64-w64-mingw32-gcc -shared -O2 -s -o "$$dir/bcryptprimitives.dll" e2e/wine/bcryptshim/bcryptprimitives.c -ladvapi32 && \
	WINE_TOKENTRAY_EXE="$(CURDIR)/$(BIN).exe" WINE_BCRYPTPRIMITIVES_DLL="$$dir/bcryptprimitives.dll" \
		$(GO) test -tags wine -count=1 -timeout 10m -v ./e2e/wine/
