# HvWarnings.cmake: hv_warnings(<target>) turns on the warnings HipVision keeps clean.
# HV_WARNINGS_AS_ERRORS=ON (for CI) makes them errors.
option(HV_WARNINGS_AS_ERRORS "Treat compiler warnings as errors" OFF)

function(hv_warnings target)
  set(flags -Wall -Wextra -Wno-unused-parameter)
  if(HV_WARNINGS_AS_ERRORS)
    list(APPEND flags -Werror)
  endif()
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:${flags}>)
  if(HV_GPU STREQUAL "nvidia")
    string(REPLACE ";" "," host_flags "${flags}")
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=${host_flags}>)
  endif()
endfunction()
