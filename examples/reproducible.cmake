# Runs an example twice with the same arguments and --out directories a and b, and requires the
# checkpoints it writes to be identical, byte for byte: the same seed trains the same weights.
# ARGS_b, if given, is added to the second run's arguments only (--threads 2: the same weights on
# two threads as on one).
#   cmake -DEXE=<program> -DOUT=<dir> -DARGS=<;-list> [-DARGS_b=<;-list>] -P reproducible.cmake
foreach(run a b)
  execute_process(COMMAND "${EXE}" ${ARGS} ${ARGS_${run}} --out "${OUT}/${run}" RESULT_VARIABLE rc OUTPUT_QUIET)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "run ${run} of ${EXE} failed with exit status ${rc}")
  endif()
endforeach()
execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${OUT}/a/model.safetensors" "${OUT}/b/model.safetensors"
                RESULT_VARIABLE different)
if(different)
  message(FATAL_ERROR "two runs with the same seed (the second with '${ARGS_b}') wrote different weights")
endif()
message("two runs with the same seed (the second with '${ARGS_b}') wrote identical weights")
