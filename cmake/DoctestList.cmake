# Run by ctest (through the include file rotary_discover_tests writes, cmake/DoctestDiscover.cmake)
# each time it reads the test list: lists the doctest cases of ROTARY_TEST_EXECUTABLE when the
# executable is newer than the kept list, then adds one test per case.

function(_rotary_quote out value)
  set(${out} "[==[${value}]==]" PARENT_SCOPE)
endfunction()

function(_rotary_write_test_list)
  execute_process(COMMAND "${ROTARY_TEST_EXECUTABLE}" --list-test-cases --no-version=true
                  WORKING_DIRECTORY "${ROTARY_TEST_WORKING_DIRECTORY}"
                  OUTPUT_VARIABLE output ERROR_VARIABLE errors RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(WARNING "${ROTARY_TEST_EXECUTABLE} --list-test-cases failed (${result}): ${errors}\n"
                    "It runs as one test instead.")
    return()
  endif()
  set(script "")
  set(props "")
  foreach(p IN LISTS ROTARY_TEST_PROPERTIES)
    _rotary_quote(q "${p}")
    string(APPEND props " ${q}")
  endforeach()
  _rotary_quote(exe "${ROTARY_TEST_EXECUTABLE}")
  _rotary_quote(dir "${ROTARY_TEST_WORKING_DIRECTORY}")
  string(REPLACE ";" "\\;" output "${output}")
  string(REPLACE "\n" ";" lines "${output}")
  foreach(line IN LISTS lines)
    if(line STREQUAL "" OR line MATCHES "^\\[doctest\\] " OR line MATCHES "^=+$")
      continue()
    endif()
    # doctest reads --test-case as a comma-separated list of patterns: escape the commas.
    string(REPLACE "," "\\," filter "${line}")
    _rotary_quote(name "${ROTARY_TEST_PREFIX}${line}")
    _rotary_quote(filter "--test-case=${filter}")
    string(APPEND script "add_test(${name} ${exe} ${filter})\n")
    string(APPEND script "set_tests_properties(${name} PROPERTIES WORKING_DIRECTORY ${dir}${props})\n")
  endforeach()
  file(WRITE "${ROTARY_TEST_LIST_FILE}" "${script}")
endfunction()

if(NOT EXISTS "${ROTARY_TEST_EXECUTABLE}")
  # Not built (yet): one test that fails, naming the executable.
  add_test("${ROTARY_TEST_PREFIX}${ROTARY_TEST_TARGET}_NOT_BUILT" "${ROTARY_TEST_EXECUTABLE}")
else()
  if(NOT EXISTS "${ROTARY_TEST_LIST_FILE}" OR "${ROTARY_TEST_EXECUTABLE}" IS_NEWER_THAN "${ROTARY_TEST_LIST_FILE}")
    file(REMOVE "${ROTARY_TEST_LIST_FILE}")
    _rotary_write_test_list()
  endif()
  if(EXISTS "${ROTARY_TEST_LIST_FILE}")
    include("${ROTARY_TEST_LIST_FILE}")
  else()
    set(whole "${ROTARY_TEST_PREFIX}${ROTARY_TEST_TARGET}")
    add_test("${whole}" "${ROTARY_TEST_EXECUTABLE}")
    set_tests_properties("${whole}" PROPERTIES WORKING_DIRECTORY "${ROTARY_TEST_WORKING_DIRECTORY}"
                         ${ROTARY_TEST_PROPERTIES})
  endif()
endif()
