# One warning set for every rotary target; third-party sources (volk) do not use it.
# -Wno-missing-field-initializers: Vulkan structs are zero-initialised with the idiom
# `VkFooInfo info{VK_STRUCTURE_TYPE_FOO_INFO};`, which that warning would flag at every use.
function(rotary_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wcast-align -Wunused -Woverloaded-virtual
                                           -Wno-missing-field-initializers)
  if(ROTARY_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
