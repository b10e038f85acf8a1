// Shared by every rotary shader: version, extensions and the workgroup size as specialization
// constant 0 (x). Include first.
#ifndef ROTARY_COMMON_GLSL
#define ROTARY_COMMON_GLSL

#extension GL_EXT_control_flow_attributes : enable
#if ROTARY_SUBGROUP_ARITH
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif

#if ROTARY_STORAGE16
#extension GL_EXT_shader_16bit_storage : require
#extension GL_EXT_shader_8bit_storage : require
#endif

#include "push.h"

#endif
