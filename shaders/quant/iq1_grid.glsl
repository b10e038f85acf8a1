// The signed grid of IQ1_S and IQ1_M: 2048 entries of 8 values -1, 0, 1 (quant/iq_grid.glsl).
#ifndef ROTARY_QUANT_IQ1_GRID_GLSL
#define ROTARY_QUANT_IQ1_GRID_GLSL

// The 8 values of entry e plus delta (+-1/8: exact), into q[2l], q[2l + 1].
void iq1_put8(uint e, float delta, uint l, inout vec4 q[8]) {
  q[2u * l] = bytes_s8(iq_tables[IQ1S_GRID_AT + 2u * e]) + delta;
  q[2u * l + 1u] = bytes_s8(iq_tables[IQ1S_GRID_AT + 2u * e + 1u]) + delta;
}

#endif
