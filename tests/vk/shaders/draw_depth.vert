#version 450
// As draw.vert, with a depth from the vertex alpha and the instance offset.
layout(location = 0) in vec2 pos;
layout(location = 1) in vec4 color;
layout(location = 2) in vec2 offset;
layout(location = 0) out vec4 v_color;
void main() {
    v_color = vec4(color.rgb, 1.0);
    gl_Position = vec4(pos + offset, color.a * 0.5 + offset.x * 0.8, 1.0);
}
