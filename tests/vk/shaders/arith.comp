#version 450
// compare: b2 ulp 4 (float division and square root differ by design between drivers; Vulkan allows 2.5 ULP for division)
// Integer and float arithmetic per invocation, with push constants.
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer In { uint a[]; };
layout(std430, binding = 1) buffer Out { uint o[]; };
layout(std430, binding = 2) buffer Out2 { float f[]; };
layout(push_constant) uniform P { uint k; uint m; } pc;
void main() {
    uint i = gl_GlobalInvocationID.x;
    uint x = a[i];
    o[i] = (x * pc.k + (x >> 3)) ^ (x << 5) ^ pc.m;
    float y = float(x & 0xffffu) * 0.25 - 100.0;
    f[i] = sqrt(abs(y)) + y * y / 3.0;
}
