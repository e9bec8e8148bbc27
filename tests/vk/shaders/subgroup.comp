#version 450
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#extension GL_KHR_shader_subgroup_ballot : require
#extension GL_KHR_shader_subgroup_vote : require
#extension GL_KHR_shader_subgroup_shuffle : require
// Subgroup operations, checked inside the shader against the same results
// computed serially from shared memory over the invocations that report the
// same gl_SubgroupID, so whatever subgroup size the driver runs gives the same
// output: o[i] has one bit per check that passed (0x7f: all), p[i] the votes.
layout(local_size_x = 32) in;
layout(std430, binding = 0) readonly buffer In { uint a[]; };
layout(std430, binding = 1) buffer Out { uint o[]; };
layout(std430, binding = 2) buffer Out2 { uint p[]; };
shared uint tmp[32];
shared uint sg[32];
shared uint lane[32];
void main() {
    uint l = gl_LocalInvocationID.x;
    uint i = gl_GlobalInvocationID.x;
    uint x = a[i] & 0xffffu;
    uint me = gl_SubgroupInvocationID;
    tmp[l] = x;
    sg[l] = gl_SubgroupID;
    lane[l] = me;
    barrier();
    uint sum = 0u, mx = 0u, scan = 0u, odd = 0u, count = 0u, first = 0u;
    for (uint j = 0u; j < 32u; j++) {
        if (sg[j] != gl_SubgroupID) continue;
        count++;
        sum += tmp[j];
        mx = max(mx, tmp[j]);
        if (lane[j] <= me) scan += tmp[j];
        if (lane[j] == 0u) first = tmp[j];
        odd += tmp[j] & 1u;
    }
    uint next = 0u;
    for (uint j = 0u; j < 32u; j++)
        if (sg[j] == gl_SubgroupID && lane[j] == (me + 1u) % count) next = tmp[j];
    uint ok = 0u;
    if (subgroupAdd(x) == sum) ok |= 1u;
    if (subgroupMax(x) == mx) ok |= 2u;
    if (subgroupBroadcastFirst(x) == first) ok |= 4u;
    if (subgroupInclusiveAdd(x) == scan) ok |= 8u;
    if (subgroupBallotBitCount(subgroupBallot((x & 1u) != 0u)) == odd) ok |= 16u;
    if (subgroupElect() == (me == 0u)) ok |= 32u;
    if (subgroupShuffle(x, (me + 1u) % count) == next) ok |= 64u;
    o[i] = ok;
    p[i] = uint(subgroupAll(x < 0x10000u)) + uint(subgroupAny(x == 0xffffffffu)) * 2u;
}
