# Two commands do everything: `make test` and `make demo`. Each installs what it needs first.
.PHONY: setup test demo pkg bench emulator clean fuzz

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

# Not part of `make test`: each of the emulator's cargo-fuzz targets (hostile requests, Complete
# XML, ranges, signatures, queries and callbacks) for FUZZ_SECONDS (default 60); needs nightly.
fuzz:
	@emulator/fuzz/run.sh
