// compare: b2 ulp 4 (OpenCL allows 4 ULP for exp and sin, 3 for sqrt)
// Integer arithmetic, float math built-ins.
kernel void k(global uint *in, global uint *out1, global uint *out2, uint m, uint s) {
    uint i = get_global_id(0);
    uint x = in[i];
    out1[i] = (x * m + (x >> s)) ^ rotate(x, 7u) ^ (uint)clz(x) ^ mul_hi(x, 0x9e3779b9u);
    float y = (float)(x & 0xffffu) * 0.001f;
    out2[i] = as_uint(sqrt(y) + exp(-y) * sin(y) + y / 3.0f);
}
