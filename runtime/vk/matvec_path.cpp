#include "runtime/vk/matvec_path.h"

#include "base/error.h"
#include "runtime/vk/caps.h"

namespace rotary::vk {

const char* matvec_path_name(MatvecPath path) {
  switch (path) {
    case MatvecPath::automatic:
      return "auto";
    case MatvecPath::u32:
      return "u32";
    case MatvecPath::u16:
      return "u16";
    case MatvecPath::dot:
      return "dot";
  }
  return "?";
}

MatvecPath parse_matvec_path(std::string_view text, const std::string& what) {
  for (MatvecPath p : {MatvecPath::automatic, MatvecPath::u32, MatvecPath::u16, MatvecPath::dot})
    if (text == matvec_path_name(p)) return p;
  throw Error(ErrorKind::InvalidArgument,
              what + ": not a matvec path; give auto, u32, u16 or dot (docs/kernels.md)");
}

std::string matvec_path_unsupported(const DeviceCaps& caps, MatvecPath path) {
  if (path == MatvecPath::u16 && !(caps.storage16 && caps.storage8))
    return "the device has no 8- and 16-bit storage buffer access";
  if (path == MatvecPath::dot && !caps.integer_dot_product)
    return "the device has no integer dot product (VK_KHR_shader_integer_dot_product)";
  return "";
}

MatvecPath resolve_matvec_path(const DeviceCaps& caps, MatvecPath requested, bool type_has_dot) {
  const std::string why = matvec_path_unsupported(caps, requested);
  if (!why.empty())
    throw Error(ErrorKind::Unsupported,
                std::string("matvec path ") + matvec_path_name(requested) + ": " + why);
  const bool storage = caps.storage16 && caps.storage8;
  const bool gpu = caps.type != VK_PHYSICAL_DEVICE_TYPE_CPU;
  switch (requested) {
    case MatvecPath::u32:
    case MatvecPath::u16:
      return requested;
    case MatvecPath::dot:
      return type_has_dot ? MatvecPath::dot : storage ? MatvecPath::u16 : MatvecPath::u32;
    case MatvecPath::automatic:
      break;
  }
  if (type_has_dot && caps.integer_dot_product && caps.integer_dot_accelerated) return MatvecPath::dot;
  return storage && gpu ? MatvecPath::u16 : MatvecPath::u32;
}

const char* matmul_path_name(MatmulPath path) {
  switch (path) {
    case MatmulPath::automatic:
      return "auto";
    case MatmulPath::scalar:
      return "scalar";
    case MatmulPath::coopmat:
      return "coopmat";
  }
  return "?";
}

MatmulPath parse_matmul_path(std::string_view text, const std::string& what) {
  for (MatmulPath p : {MatmulPath::automatic, MatmulPath::scalar, MatmulPath::coopmat})
    if (text == matmul_path_name(p)) return p;
  throw Error(ErrorKind::InvalidArgument,
              what + ": not a matmul path; give auto, scalar or coopmat (docs/kernels.md)");
}

std::string coopmat_unsupported(const DeviceCaps& caps) {
  if (!caps.cooperative_matrix) return "the device has no VK_KHR_cooperative_matrix";
  if (!caps.coopmat_f16_16x16x16)
    return "the device offers no f16 x f16 + f32 16 x 16 x 16 subgroup cooperative matrix";
  if (!caps.float16) return "the device has no shaderFloat16";
  if (!caps.vulkan_memory_model) return "the device has no Vulkan memory model";
  if (!caps.required_subgroup_size_compute || !caps.subgroup_size_control)
    return "compute pipelines cannot require a subgroup size";
  if (caps.max_compute_workgroup_subgroups < 4 || 4 * caps.subgroup_size > caps.max_workgroup_invocations ||
      4 * caps.subgroup_size > caps.max_workgroup_size_x)
    return "a workgroup cannot hold 4 subgroups";
  if (caps.max_shared_memory < 26 * 1024) return "less than 26 KiB of shared memory";
  return "";
}

MatmulPath resolve_matmul_path(const DeviceCaps& caps, MatmulPath requested, bool variant_built) {
  if (requested != MatmulPath::coopmat) return MatmulPath::scalar;
  std::string why = coopmat_unsupported(caps);
  if (why.empty() && !variant_built) why = "this build has no cooperative-matrix shader for the type";
  if (!why.empty()) throw Error(ErrorKind::Unsupported, "matmul path coopmat: " + why);
  return MatmulPath::coopmat;
}

}  // namespace rotary::vk
