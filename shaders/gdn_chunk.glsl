// Gated DeltaNet chunked form: the scratch block of one (chunk, value head) written by
// gdn_chunk_prep.comp and read by gdn_chunk_scan.comp, and where q, k, v sit in a conv output
// row. Needs `p` (GdnRecurrencePush) declared before inclusion. Floats of one block, CS = chunk:
//   U [CS][dim_v]  = T beta V              (T = (I + A)^-1, the UT transform of the chunk)
//   W [CS][dim_k]  = T diag(beta exp(G)) K
//   P [CS][CS]     = exp(G_t - G_s) q_t.k_s for s <= t, else 0
//   G [CS]         = cumulative sum of g within the chunk
// with A[t][s] = beta_t exp(G_t - G_s) k_t.k_s for s < t. Rows past the chunk's last token are
// zero, so a partial last chunk needs no special case downstream.
#ifndef ROTARY_GDN_CHUNK_GLSL
#define ROTARY_GDN_CHUNK_GLSL

const uint CS = ROTARY_GDN_CHUNK;

uint block_floats() { return CS * (p.dim_v + p.dim_k + CS + 1); }
uint block_base(uint pass_chunk, uint h) { return (pass_chunk * p.v_heads + h) * block_floats(); }
uint u_at(uint t, uint j) { return t * p.dim_v + j; }
uint w_at(uint t, uint k) { return CS * p.dim_v + t * p.dim_k + k; }
uint p_at(uint t, uint s) { return CS * (p.dim_v + p.dim_k) + t * CS + s; }
uint g_at(uint t) { return CS * (p.dim_v + p.dim_k + CS) + t; }

uint key_head(uint h) { return p.v_grouped != 0 ? h / (p.v_heads / p.k_heads) : h % p.k_heads; }
// Columns of a conv output row.
uint q_col(uint kh) { return kh * p.dim_k; }
uint k_col(uint kh) { return (p.k_heads + kh) * p.dim_k; }
uint v_col(uint h) { return 2 * p.k_heads * p.dim_k + h * p.dim_v; }

#endif
