#version 450
// The scene's vertices: a position and texture coordinates per vertex; per instance an
// offset, a depth and an alpha.
layout(location = 0) in vec2 pos;
layout(location = 1) in vec2 uv;
layout(location = 2) in vec4 inst;
layout(location = 0) out vec2 v_uv;
layout(location = 1) out float v_alpha;
void main() {
    v_uv = uv;
    v_alpha = inst.w;
    gl_Position = vec4(pos + inst.xy, inst.z, 1.0);
}
