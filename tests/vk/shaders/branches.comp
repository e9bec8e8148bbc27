#version 450
// Divergent branches and loops whose trip counts differ per invocation.
layout(local_size_x = 32) in;
layout(std430, binding = 0) readonly buffer In { uint a[]; };
layout(std430, binding = 1) buffer Out { uint o[]; };
layout(std430, binding = 2) buffer Out2 { uint p[]; };
void main() {
    uint i = gl_GlobalInvocationID.x;
    uint x = a[i];
    uint acc = 0u;
    if ((x & 3u) == 0u) {
        acc = x / 7u;
    } else if ((x & 3u) == 1u) {
        for (uint j = 0u; j < (x & 15u); j++)
            acc += j * j + (acc >> 1);
    } else {
        uint n = x;
        while (n > 1u && acc < 100u) {
            n = (n & 1u) != 0u ? 3u * n + 1u : n >> 1;
            acc++;
        }
    }
    o[i] = acc;
    p[i] = uint(int(x) % 13) + uint(min(int(x), 12345));
}
