#pragma once
// The matvec paths of the decode weight kernels (matvec, grouped experts; docs/kernels.md):
//   u32  weights read as 32-bit words, f32 activations (every device)
//   u16  8/16-bit storage loads where blocks are only 2- or 1-byte aligned (storageBuffer16BitAccess
//        and storageBuffer8BitAccess), f32 activations
//   dot  activations quantised to Q8_1 blocks and integer dot products of packed 4 x 8-bit values
//        (VK_KHR_shader_integer_dot_product), for the weight types that have it; the others take
//        the u16 or u32 path
// `automatic` picks from the device's capabilities; --matvec-path / ROTARY_MATVEC_PATH force one.
#include <cstdint>
#include <string>
#include <string_view>

namespace rotary::vk {

struct DeviceCaps;

enum class MatvecPath : uint8_t { automatic, u32, u16, dot };

const char* matvec_path_name(MatvecPath path);
// "auto", "u32", "u16", "dot"; throws Error(InvalidArgument) naming `what` and the accepted values.
MatvecPath parse_matvec_path(std::string_view text, const std::string& what);

// Why the device cannot take `path`, or "" when it can (automatic: always).
std::string matvec_path_unsupported(const DeviceCaps& caps, MatvecPath path);

// The path `requested` resolves to on this device for a weight type that has (`type_has_dot`) or
// lacks the dot kernels: a forced path as given (dot falls back to u16/u32 for types without dot
// kernels); automatic: dot where the device reports 4x8-bit packed dot products as accelerated
// and the type has them, else u16 where the device has 8- and 16-bit storage and is a GPU, else
// u32. Throws Error(Unsupported) for a forced path the device lacks.
MatvecPath resolve_matvec_path(const DeviceCaps& caps, MatvecPath requested, bool type_has_dot);

// The prefill matmul's paths: scalar f32 tiles (every device) or cooperative matrices
// (VK_KHR_cooperative_matrix, f16 16 x 16 x 16 tiles, shaders/matmul_coopmat.comp). `automatic`
// takes scalar: the coopmat path has not run on a device yet (docs/kernels.md), so it is taken
// only when forced (--matmul-path coopmat, ROTARY_MATMUL_PATH).
enum class MatmulPath : uint8_t { automatic, scalar, coopmat };
const char* matmul_path_name(MatmulPath path);
MatmulPath parse_matmul_path(std::string_view text, const std::string& what);
// Why the device cannot take the coopmat path, or "": VK_KHR_cooperative_matrix with the f16 x
// f16 + f32 16 x 16 x 16 subgroup configuration, shaderFloat16, the Vulkan memory model, a
// required subgroup size for compute pipelines and room for 4 subgroups of it in a workgroup.
std::string coopmat_unsupported(const DeviceCaps& caps);
// The path a matmul takes: `requested` (automatic: scalar); coopmat also needs the variant in
// this build (`variant_built`). Throws Error(Unsupported) for a forced coopmat the device or
// build lacks.
MatmulPath resolve_matmul_path(const DeviceCaps& caps, MatmulPath requested, bool variant_built);

}  // namespace rotary::vk
