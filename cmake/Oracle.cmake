# The llama.cpp oracle: prebuilt shared libraries from the npm package node-llama-cpp, installed with
# llama.cpp's headers of the same release by scripts/setup-oracle.sh into ROTARY_ORACLE_DIR.
# Defines imported targets (headers + libraries, found by rpath at run time):
#   rotary::llama_cpu     libllama + libggml + libggml-base of the CPU package
#   rotary::llama_vulkan  the same from the Vulkan package
#   rotary::ggml_base     libggml-base of the CPU package alone (quantisers, type traits, gguf)
# A ROTARY_ORACLE_DIR that is set but broken is a configure error: CI must never lose the oracle
# tests silently.

set(_oracle_modules "${ROTARY_ORACLE_DIR}/node_modules/@node-llama-cpp")
set(ROTARY_ORACLE_CPU_BINS "${_oracle_modules}/linux-x64/bins/linux-x64")
set(ROTARY_ORACLE_VULKAN_BINS "${_oracle_modules}/linux-x64-vulkan/bins/linux-x64-vulkan")
set(_oracle_include "${ROTARY_ORACLE_DIR}/llama.cpp/include")
set(_oracle_ggml_include "${ROTARY_ORACLE_DIR}/llama.cpp/ggml/include")

set(_oracle_required
  "${_oracle_include}/llama.h"
  "${_oracle_ggml_include}/ggml.h"
  "${_oracle_ggml_include}/ggml-backend.h"
  "${ROTARY_ORACLE_CPU_BINS}/libllama.v0.5.0.so"
  "${ROTARY_ORACLE_CPU_BINS}/libggml.v0.5.0.so"
  "${ROTARY_ORACLE_CPU_BINS}/libggml-base.so"
  "${ROTARY_ORACLE_CPU_BINS}/libggml-cpu-x64.so"
  "${ROTARY_ORACLE_VULKAN_BINS}/libllama.vulkan.v0.5.0.so"
  "${ROTARY_ORACLE_VULKAN_BINS}/libggml.vulkan.v0.5.0.so"
  "${ROTARY_ORACLE_VULKAN_BINS}/libggml-base.so"
  "${ROTARY_ORACLE_VULKAN_BINS}/libggml-vulkan.so")
foreach(_f IN LISTS _oracle_required)
  if(NOT EXISTS "${_f}")
    message(FATAL_ERROR "ROTARY_ORACLE_DIR=${ROTARY_ORACLE_DIR} is not a complete llama.cpp oracle: "
                        "${_f} is missing. Run scripts/setup-oracle.sh [DIR] and pass that DIR, or "
                        "configure with -DROTARY_ORACLE_DIR= to build without the oracle.")
  endif()
endforeach()
file(STRINGS "${ROTARY_ORACLE_DIR}/installed.stamp" _oracle_what LIMIT_COUNT 2)
list(GET _oracle_what -1 _oracle_what)
message(STATUS "rotary: llama.cpp oracle: ${_oracle_what} in ${ROTARY_ORACLE_DIR}")

function(_rotary_oracle_import target location)
  add_library(${target} SHARED IMPORTED GLOBAL)
  get_filename_component(_name "${location}" NAME)
  set_target_properties(${target} PROPERTIES IMPORTED_LOCATION "${location}" IMPORTED_SONAME "${_name}")
endfunction()

_rotary_oracle_import(rotary_oracle_ggml_base_cpu "${ROTARY_ORACLE_CPU_BINS}/libggml-base.so")
_rotary_oracle_import(rotary_oracle_ggml_cpu "${ROTARY_ORACLE_CPU_BINS}/libggml.v0.5.0.so")
_rotary_oracle_import(rotary_oracle_llama_cpu "${ROTARY_ORACLE_CPU_BINS}/libllama.v0.5.0.so")
_rotary_oracle_import(rotary_oracle_ggml_base_vulkan "${ROTARY_ORACLE_VULKAN_BINS}/libggml-base.so")
_rotary_oracle_import(rotary_oracle_ggml_vulkan "${ROTARY_ORACLE_VULKAN_BINS}/libggml.vulkan.v0.5.0.so")
_rotary_oracle_import(rotary_oracle_llama_vulkan "${ROTARY_ORACLE_VULKAN_BINS}/libllama.vulkan.v0.5.0.so")

# The headers are llama.cpp's, not ours: SYSTEM keeps rotary's warning set off them.
add_library(rotary_oracle_headers INTERFACE)
target_include_directories(rotary_oracle_headers SYSTEM INTERFACE "${_oracle_include}" "${_oracle_ggml_include}")

add_library(rotary::ggml_base INTERFACE IMPORTED GLOBAL)
target_link_libraries(rotary::ggml_base INTERFACE rotary_oracle_headers rotary_oracle_ggml_base_cpu)
add_library(rotary::llama_cpu INTERFACE IMPORTED GLOBAL)
target_link_libraries(rotary::llama_cpu INTERFACE rotary_oracle_headers rotary_oracle_llama_cpu
                      rotary_oracle_ggml_cpu rotary_oracle_ggml_base_cpu ${CMAKE_DL_LIBS})
add_library(rotary::llama_vulkan INTERFACE IMPORTED GLOBAL)
target_link_libraries(rotary::llama_vulkan INTERFACE rotary_oracle_headers rotary_oracle_llama_vulkan
                      rotary_oracle_ggml_vulkan rotary_oracle_ggml_base_vulkan ${CMAKE_DL_LIBS})
