# Runs a fuzz target once on each file of INPUTS and CRASHES (libFuzzer runs files given by name
# and does not fuzz), so that a crash found once stays fixed. Called by ctest (label fuzz).
file(GLOB inputs LIST_DIRECTORIES false ${INPUTS}/* ${CRASHES}/*)
list(FILTER inputs EXCLUDE REGEX "/README[^/]*$")
list(LENGTH inputs count)
if(count EQUAL 0)
  message(FATAL_ERROR "no input to replay in ${INPUTS} or ${CRASHES}")
endif()
execute_process(COMMAND ${FUZZER} -runs=1 ${inputs} RESULT_VARIABLE status OUTPUT_QUIET ERROR_VARIABLE log)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${FUZZER} failed on one of ${count} inputs (status ${status}):\n${log}")
endif()
message(STATUS "${count} inputs replayed without a failure")
