# Two commands do everything: `make test` and `make demo`. Each installs what it needs first.
.PHONY: setup test demo pkg bench emulator clean

setup:
	@scripts/bootstrap.sh

test: setup
	@scripts/test.sh

demo: setup
	@scripts/demo.sh

pkg: setup
	@scripts/pkg.sh

emulator:
	cargo build -p oss-emulator --release

clean:
	cargo clean
	rm -rf node_modules .venv pkg

# Not part of `make test`: every contender side by side against the local server (see bench/).
bench: setup
	@scripts/pkg.sh
	@cargo build -p oss-emulator --release --quiet
	@node bench/run.mjs
