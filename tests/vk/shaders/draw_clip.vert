#version 450
// As draw.vert, in perspective: w grows with y (0.4 to 1.7), and depth z/w runs from
// about -0.75 to 1.3 across x, so every quad crosses the near plane (z = 0, at x = -0.2
// for the first instance) and the far plane (z = w, at x = 0.47): the clipper must cut
// the triangles there. Each instance is nearer by 0.6 times its y offset, so overlaps
// never tie in depth. The screen position stays x, y times 0.9; colours interpolate
// perspective-correctly.
layout(location = 0) in vec2 pos;
layout(location = 1) in vec4 color;
layout(location = 2) in vec2 offset;
layout(location = 0) out vec4 v_color;
void main() {
    vec2 p = pos + offset;
    float w = 0.4 + 0.8 * (p.y + 0.8);
    v_color = color;
    gl_Position = vec4(p * 0.9 * w, (p.x * 1.5 + 0.3 - offset.y * 0.6) * w, w);
}
