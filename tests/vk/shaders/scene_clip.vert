#version 450
// scene.vert in perspective: w grows down the screen (about 0.6 to 1.7) and depth z/w
// runs across it from below 0 to above 1 around the instance's depth, so the textured
// triangles cross the near and far planes and are cut there; texture coordinates must
// stay perspective-correct at the cut vertices. The screen position is unchanged.
layout(location = 0) in vec2 pos;
layout(location = 1) in vec2 uv;
layout(location = 2) in vec4 inst;
layout(location = 0) out vec2 v_uv;
layout(location = 1) out float v_alpha;
void main() {
    vec2 p = pos + inst.xy;
    float w = 0.5 + 0.7 * (p.y + 0.9);
    v_uv = uv;
    v_alpha = inst.w;
    gl_Position = vec4(p * w, (inst.z + (p.x - 0.1) * 1.4) * w, w);
}
