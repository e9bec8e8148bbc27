// compare: b2 ulp 3 (OpenCL allows 2.5 ULP for single-precision division)
// 64-bit integer arithmetic (emulated with 32-bit halves, the accumulator's low half),
// integer division and remainder, float division and conversions.
kernel void k(global uint *in, global uint *out1, global uint *out2) {
    uint i = get_global_id(0);
    uint x = in[i];
    ulong y = (ulong)x * 0x9e3779b97f4a7c15UL + (ulong)i;
    long z = (long)y >> 7;
    out1[i] = (uint)(y >> 29) ^ (uint)z ^ (x / (i + 1)) ^ (x % (i + 3)) ^ (uint)(y % 1000003UL);
    float f = (float)x / (float)(i + 1);
    out2[i] = as_uint(f);
}
