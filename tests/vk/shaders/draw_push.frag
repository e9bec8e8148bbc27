#version 450
// The vertex colour scaled and offset by push constants.
layout(location = 0) in vec4 v_color;
layout(location = 0) out vec4 o;
layout(push_constant) uniform Push {
    vec4 scale;
    vec4 bias;
} pc;
void main() {
    o = v_color * pc.scale + pc.bias;
}
