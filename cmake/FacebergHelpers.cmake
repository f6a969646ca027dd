# Project-wide compile settings live on INTERFACE targets, never in global flags.
add_library(faceberg_warnings INTERFACE)
target_compile_options(faceberg_warnings INTERFACE -Wall -Wextra -Wno-missing-field-initializers)
# GCC 12 reports false "may be used uninitialized" warnings inside std::variant at -O2 (the
# release build); the debug and sanitizer builds keep the check.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND NOT CMAKE_BUILD_TYPE STREQUAL "Debug")
  target_compile_options(faceberg_warnings INTERFACE -Wno-maybe-uninitialized)
endif()
if(FACEBERG_WERROR)
  target_compile_options(faceberg_warnings INTERFACE -Werror)
endif()

add_library(faceberg_sanitizers INTERFACE)
set(_faceberg_san "")
if(FACEBERG_ENABLE_ASAN)
  list(APPEND _faceberg_san address)
endif()
if(FACEBERG_ENABLE_UBSAN)
  list(APPEND _faceberg_san undefined)
endif()
if(_faceberg_san)
  list(JOIN _faceberg_san "," _faceberg_san_list)
  target_compile_options(faceberg_sanitizers INTERFACE -fsanitize=${_faceberg_san_list}
                                                       -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(faceberg_sanitizers INTERFACE -fsanitize=${_faceberg_san_list})
endif()
# libFuzzer's coverage instrumentation on everything that links faceberg_sanitizers (all faceberg
# libraries, their tests and the CLI). Without -fsanitize=fuzzer at link time the hooks resolve to
# the sanitizer runtime's no-op defaults, so tests and the CLI link and run as usual.
if(FACEBERG_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "FACEBERG_BUILD_FUZZERS needs clang (use the asan-ubsan preset)")
  endif()
  if(NOT _faceberg_san)
    message(FATAL_ERROR "FACEBERG_BUILD_FUZZERS needs FACEBERG_ENABLE_ASAN or FACEBERG_ENABLE_UBSAN "
                        "(their runtime provides the coverage hooks tests link against)")
  endif()
  target_compile_options(faceberg_sanitizers INTERFACE -fsanitize=fuzzer-no-link)
endif()

# faceberg_add_library(NAME SOURCES ... DEPS ...)
# Declares one layer library. Include paths are rooted at src/, so headers are included as
# "layer/file.h". DEPS must only name lower layers.
function(faceberg_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE faceberg_warnings)
  target_link_libraries(${name} PUBLIC faceberg_sanitizers)
endfunction()

# faceberg_add_test(NAME SOURCES ... DEPS ...)
# One gtest executable registered with ctest; tests/data is passed as FACEBERG_TEST_DATA.
function(faceberg_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} faceberg_test_support GTest::gtest GTest::gmock
                                        GTest::gtest_main faceberg_warnings)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES ENVIRONMENT
                       "FACEBERG_TEST_DATA=${PROJECT_SOURCE_DIR}/tests/data")
endfunction()
