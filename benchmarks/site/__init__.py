"""The minimal site the benchmarks serve: plain-Django views beside allow_guest ones."""
