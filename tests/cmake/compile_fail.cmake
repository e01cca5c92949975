# compile_fail.cmake - the compile-fail test driver (see tests/compile_fail/README.md).
#
# Two uses:
#  * include()d by tests/CMakeLists.txt, for typegrad_read_expectation() at configure time;
#  * run by CTest as a script:
#      cmake -DTYPEGRAD_CF_FLAGS_FILE=<flags.cmake> -DTYPEGRAD_CF_SOURCE=<file.cpp>
#            -DTYPEGRAD_CF_MODE=<fail|twin> -P compile_fail.cmake
#    fail: the compiler must exit nonzero AND one of its error lines must match the file's
#          `// expect: <regex>`;
#    twin: the same file with -DTYPEGRAD_MUST_COMPILE must compile cleanly.
#    The compiler's output is always printed. Every failure prints "typegrad-compile-fail: FAILED",
#    which the tests use as FAIL_REGULAR_EXPRESSION.

# typegrad_read_expectation(<file> <out-var>): the CMake regular expression written after
# `// expect:` in <file>. Exactly one such line is required. The result may contain ';':
# expand it quoted.
function(typegrad_read_expectation file out_var)
  file(STRINGS "${file}" _lines REGEX "^[ \t]*//[ \t]*expect:")
  list(LENGTH _lines _n)  # file(STRINGS) keeps a ';' inside a line as "\;": still one item
  if(_n EQUAL 0)
    message(FATAL_ERROR "compile-fail test ${file} has no `// expect: <regular expression>` line "
                        "(see tests/compile_fail/README.md)")
  elseif(_n GREATER 1)
    message(FATAL_ERROR "compile-fail test ${file} must have exactly one `// expect:` line "
                        "(found: ${_lines})")
  endif()
  string(REGEX REPLACE "^[ \t]*//[ \t]*expect:[ \t]*" "" _regex "${_lines}")
  string(REPLACE "\\;" ";" _regex "${_regex}")  # back to a plain ';' (keep the result quoted)
  string(STRIP "${_regex}" _regex)
  if(_regex STREQUAL "")
    message(FATAL_ERROR "compile-fail test ${file}: the `// expect:` line is empty")
  endif()
  string(REGEX MATCH "${_regex}" _ignored "")  # an invalid regular expression stops here
  set(${out_var} "${_regex}" PARENT_SCOPE)
endfunction()

if(NOT CMAKE_SCRIPT_MODE_FILE)
  return()  # included: only the function above is wanted
endif()

# ---- script mode -------------------------------------------------------------------------------
foreach(_var TYPEGRAD_CF_FLAGS_FILE TYPEGRAD_CF_SOURCE TYPEGRAD_CF_MODE)
  if(NOT DEFINED ${_var})
    message(FATAL_ERROR "typegrad-compile-fail: FAILED: ${_var} is not set")
  endif()
endforeach()
include("${TYPEGRAD_CF_FLAGS_FILE}")  # sets TYPEGRAD_CF_COMPILER and TYPEGRAD_CF_FLAGS

set(_flags ${TYPEGRAD_CF_FLAGS})
if(TYPEGRAD_CF_MODE STREQUAL "twin")
  list(APPEND _flags -DTYPEGRAD_MUST_COMPILE)
elseif(NOT TYPEGRAD_CF_MODE STREQUAL "fail")
  message(FATAL_ERROR "typegrad-compile-fail: FAILED: unknown TYPEGRAD_CF_MODE '${TYPEGRAD_CF_MODE}'")
endif()

# Untranslated, uncoloured diagnostics so that expectations are stable.
set(ENV{LC_ALL} C)
set(ENV{GCC_COLORS} "")

list(JOIN _flags " " _shown_flags)
message("command: ${TYPEGRAD_CF_COMPILER} ${_shown_flags} ${TYPEGRAD_CF_SOURCE}")
execute_process(
  COMMAND "${TYPEGRAD_CF_COMPILER}" ${_flags} "${TYPEGRAD_CF_SOURCE}"
  RESULT_VARIABLE _rc
  OUTPUT_VARIABLE _out
  ERROR_VARIABLE _out)
message("---- compiler output (exit status ${_rc}) ----\n${_out}---- end of compiler output ----")

if(TYPEGRAD_CF_MODE STREQUAL "twin")
  if(NOT _rc STREQUAL "0")
    message(FATAL_ERROR "typegrad-compile-fail: FAILED: the must-compile twin "
                        "(-DTYPEGRAD_MUST_COMPILE) of ${TYPEGRAD_CF_SOURCE} does not compile")
  endif()
  message("typegrad-compile-fail: twin compiled")
  return()
endif()

typegrad_read_expectation("${TYPEGRAD_CF_SOURCE}" _regex)
if(_rc STREQUAL "0")
  message(FATAL_ERROR "typegrad-compile-fail: FAILED: ${TYPEGRAD_CF_SOURCE} compiled without "
                      "error, but it must fail with a diagnostic matching the `// expect:` line")
endif()
# Match only the error lines, so that a regex cannot pass by matching a file name or a note.
# (';' is parked in an ASCII unit separator meanwhile, so that it does not split the list.)
string(ASCII 31 _us)
string(REPLACE ";" "${_us}" _errors "${_out}")
string(REGEX MATCHALL "[^\n]*error: [^\n]*" _errors "${_errors}")
list(JOIN _errors "\n" _errors)
string(REPLACE "${_us}" ";" _errors "${_errors}")
if(NOT _errors MATCHES "${_regex}")
  message(FATAL_ERROR "typegrad-compile-fail: FAILED: ${TYPEGRAD_CF_SOURCE} failed to compile, "
                      "but no error line matches its `// expect:` line")
endif()
# Optional `// expect-context: <regex>` lines must each match somewhere in the whole output: for
# what a diagnostic shows outside its error line (the numbers in an "In instantiation of" line).
file(STRINGS "${TYPEGRAD_CF_SOURCE}" _contexts REGEX "^[ \t]*//[ \t]*expect-context:")
foreach(_context IN LISTS _contexts)
  string(REGEX REPLACE "^[ \t]*//[ \t]*expect-context:[ \t]*" "" _context_regex "${_context}")
  string(STRIP "${_context_regex}" _context_regex)
  if(NOT _out MATCHES "${_context_regex}")
    message(FATAL_ERROR "typegrad-compile-fail: FAILED: the compiler output of ${TYPEGRAD_CF_SOURCE} does "
                        "not show `${_context_regex}` (an `// expect-context:` line)")
  endif()
endforeach()
message("typegrad-compile-fail: failed as expected; an error line matches the expectation")
