# VODCTL_SANITIZE=address,undefined builds everything (library, CLI, tests) with those
# sanitizers, so the whole ctest suite doubles as a memory- and UB-checker run
# (scripts/test-sanitize.sh). Undefined behaviour aborts instead of printing and going on,
# so that a test which triggers it fails. FFmpeg, x264, curl and SQLite stay Debian's
# uninstrumented shared libraries.
set(VODCTL_SANITIZE "" CACHE STRING "Sanitizers to build with, e.g. address,undefined")
if(VODCTL_SANITIZE)
  add_compile_options(-fsanitize=${VODCTL_SANITIZE} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${VODCTL_SANITIZE})
endif()

# VODCTL_FUZZ=ON builds the libFuzzer targets of tests/fuzz (scripts/fuzz.sh). libFuzzer
# comes with clang only; the code under test gets the fuzzer's coverage instrumentation and
# ASan+UBSan, the targets get libFuzzer's main().
option(VODCTL_FUZZ "Build the libFuzzer targets in tests/fuzz (clang only)" OFF)
if(VODCTL_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "VODCTL_FUZZ needs clang (CXX=clang++-16), not ${CMAKE_CXX_COMPILER_ID}")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

# The runtime defaults of src/util/sanitizer_options.cc go into every executable linking
# vodctl_core, as a source of its own: from the archive the linker would never pick them.
function(vodctl_sanitizer_defaults target)
  if(VODCTL_SANITIZE OR VODCTL_FUZZ)
    target_sources(${target} INTERFACE ${PROJECT_SOURCE_DIR}/src/util/sanitizer_options.cc)
  endif()
endfunction()
