#version 450
// As draw.vert, for points: 4 pixels wide when the colour's alpha is above 0.7, else 2
// (even widths around these vertices leave no pixel centre on a point's edge).
layout(location = 0) in vec2 pos;
layout(location = 1) in vec4 color;
layout(location = 2) in vec2 offset;
layout(location = 0) out vec4 v_color;
void main() {
    v_color = color;
    gl_PointSize = color.a > 0.7 ? 4.0 : 2.0;
    gl_Position = vec4(pos + offset, 0.0, 1.0);
}
