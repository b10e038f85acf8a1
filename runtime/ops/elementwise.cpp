#include "runtime/ops/elementwise.h"

#include "runtime/ops/grid.h"
#include "shaders/push.h"

namespace rotary::ops {

void add(vk::Recorder& rec, const vk::BufferView& a, const vk::BufferView& b, const vk::BufferView& y, uint32_t n,
         const ElementwiseTuning& tuning) {
  const vk::Pipeline& p = rec.pipeline({"add", {tuning.workgroup_size}, 3, sizeof(push::BinaryPush)});
  const push::BinaryPush pc{n, 0, 0, 0};
  const Grid g = grid_for(rec.caps(), n, tuning.workgroup_size);
  rec.dispatch(p, {a.sub(0, n * 4ull), b.sub(0, n * 4ull), y.sub(0, n * 4ull)}, pc, g.x, g.y);
}

}  // namespace rotary::ops
