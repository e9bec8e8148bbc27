// Local memory with barriers, global and local atomics, loops that diverge.
kernel void k(global uint *in, global uint *out1, global uint *out2) {
    local uint tmp[64];
    local uint sum;
    uint l = get_local_id(0), g = get_group_id(0), i = get_global_id(0);
    if (l == 0) sum = 0;
    tmp[l] = in[i];
    barrier(CLK_LOCAL_MEM_FENCE);
    out1[i] = tmp[63 - l];
    atomic_add(&sum, in[i] & 0xff);
    uint n = in[i] & 31, acc = 0;
    for (uint j = 0; j < n; j++)
        acc = acc * 3 + j;
    barrier(CLK_LOCAL_MEM_FENCE);
    out2[i] = acc;
    if (l == 0) out2[1000 + g] = sum;
    atomic_inc(&out2[1023]);
}
