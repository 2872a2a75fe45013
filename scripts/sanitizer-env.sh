# Sourced by scripts/test-sanitize.sh and scripts/fuzz.sh. The sanitizer runtimes use
# llvm-symbolizer only when given its resolved path; without it, reports name no functions
# or lines.
if command -v llvm-symbolizer >/dev/null; then
  export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-$(readlink -f "$(command -v llvm-symbolizer)")}
fi
