#version 450
// A bilinear texel modulated by the instance's alpha.
layout(set = 0, binding = 0) uniform sampler2D tex;
layout(location = 0) in vec2 v_uv;
layout(location = 1) in float v_alpha;
layout(location = 0) out vec4 o;
void main() {
    vec4 t = texture(tex, v_uv);
    o = vec4(t.rgb, t.a * v_alpha);
}
