// Built into every executable of a sanitizer build (VODCTL_SANITIZE, VODCTL_FUZZ), never into
// a normal one: the runtimes read these defaults before main(), so the CLI, the unit tests
// and the fuzz targets all fail on the first report without anyone setting ASAN_OPTIONS.
// Options given in the environment still override them.

extern "C" const char* __asan_default_options() {
  // Leak checking is on by default on Linux; saying so documents that leaks fail a run.
  return "halt_on_error=1:detect_leaks=1";
}

extern "C" const char* __ubsan_default_options() {
  return "halt_on_error=1:print_stacktrace=1";
}
