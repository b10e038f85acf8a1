# rotary_discover_tests(TARGET [TEST_PREFIX P] [PROPERTIES name value ...])
#
# Registers every doctest test case of TARGET as its own ctest test, found when ctest runs: the
# executable is asked for its cases (--list-test-cases) the first time ctest reads the test list
# after it was built, and the answer is kept beside it. Building never runs a test executable
# (Debian's doctest module lists the cases in a post-build step, which ran the GPU suite, and so
# the Vulkan driver, at build time: building without the validation layer failed).
#
# An executable that cannot list its cases becomes one test that runs it whole, so that its
# error (or its skip code) shows in ctest's report instead of vanishing.

set(_ROTARY_DISCOVER_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/DoctestList.cmake")

function(rotary_discover_tests target)
  cmake_parse_arguments(arg "" "TEST_PREFIX" "PROPERTIES" ${ARGN})
  set(include_file "${CMAKE_CURRENT_BINARY_DIR}/${target}_include.cmake")
  set(list_file "${CMAKE_CURRENT_BINARY_DIR}/${target}_tests.cmake")
  file(GENERATE OUTPUT "${include_file}" CONTENT
"set(ROTARY_TEST_EXECUTABLE [==[$<TARGET_FILE:${target}>]==])
set(ROTARY_TEST_TARGET [==[${target}]==])
set(ROTARY_TEST_LIST_FILE [==[${list_file}]==])
set(ROTARY_TEST_PREFIX [==[${arg_TEST_PREFIX}]==])
set(ROTARY_TEST_PROPERTIES [==[${arg_PROPERTIES}]==])
set(ROTARY_TEST_WORKING_DIRECTORY [==[${CMAKE_CURRENT_BINARY_DIR}]==])
include([==[${_ROTARY_DISCOVER_SCRIPT}]==])
")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${include_file}")
endfunction()
