# HvCompiler.cmake: compiler choice per HV_GPU, before project() (CMake fixes compilers there).
#   amd:      hipcc (or any clang that understands -x hip) as the C++ compiler for every source, so the
#             API layer and the kernels see the same HIP headers. Override with -DCMAKE_CXX_COMPILER.
#   nvidia:   the host C++ compiler stays; nvcc comes in through enable_language(CUDA) (HvGpu.cmake).
#   emulator: the host C++ compiler (g++ or clang++) compiles the .hip sources as C++.
if(NOT HV_GPU MATCHES "^(amd|nvidia|emulator)$")
  message(FATAL_ERROR "HV_GPU must be amd, nvidia or emulator, not '${HV_GPU}'")
endif()

if(HV_GPU STREQUAL "amd" AND NOT CMAKE_CXX_COMPILER AND NOT DEFINED ENV{CXX})
  find_program(HV_HIPCC NAMES hipcc PATHS /opt/rocm/bin ENV ROCM_PATH PATH_SUFFIXES bin)
  if(NOT HV_HIPCC)
    message(FATAL_ERROR "HV_GPU=amd needs hipcc (ROCm, or Debian's `apt-get install hipcc`); "
                        "or pass -DCMAKE_CXX_COMPILER=<a clang with HIP support>")
  endif()
  set(CMAKE_CXX_COMPILER "${HV_HIPCC}" CACHE FILEPATH "C++ compiler (hipcc for HV_GPU=amd)" FORCE)
endif()
