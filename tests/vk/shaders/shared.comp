#version 450
// Shared memory with barriers and atomics: a per-group reversal and sums.
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer In { uint a[]; };
layout(std430, binding = 1) buffer Out { uint o[]; };
layout(std430, binding = 2) buffer Out2 { uint s[]; };
shared uint tmp[64];
shared uint total;
void main() {
    uint l = gl_LocalInvocationID.x;
    uint i = gl_GlobalInvocationID.x;
    if (l == 0u) total = 0u;
    tmp[l] = a[i];
    barrier();
    o[i] = tmp[63u - l];
    atomicAdd(total, a[i] & 0xffu);
    barrier();
    if (l == 0u) s[gl_WorkGroupID.x] = total;
    atomicAdd(s[1023], 1u);
}
