/*
 * gl_draw - renders offscreen with GLES 3.0 through EGL on a surfaceless display and
 * prints the pixels glReadPixels returns, so iris on gemu can be compared with llvmpipe.
 *
 *   gl_draw MODE
 *
 * MODE:
 *   clear      glClear of a 61x33 RGBA8 renderbuffer, then a scissored glClear of
 *              another colour
 *   blit       the same picture blitted (glBlitFramebuffer, GL_NEAREST, unscaled)
 *              into a second, cleared framebuffer at an offset
 *   triangle   a vertex-coloured triangle over a cleared framebuffer (vertex shader,
 *              interpolated varyings)
 *   depth      two vertex-coloured triangles crossing in depth over a 24-bit depth
 *              renderbuffer cleared to 1.0, depth test LESS
 *   clip       the same two in perspective, crossing the near and far planes
 *   lines      the six vertices of those two as GL_LINES, then the first four as a
 *              GL_LINE_STRIP
 *   points     the six as GL_POINTS, 2 or 4 pixels wide (gl_PointSize)
 *   stencil    the first of the two triangles marks the stencil buffer (a
 *              DEPTH24_STENCIL8 renderbuffer cleared to 0); the second draws only where it
 *              is not marked
 *   restart    two triangle strips in one glDrawElements, split by the fixed
 *              primitive restart index
 *   viewport   a triangle reaching far outside a 30x20 viewport at (10, 5): only
 *              the viewport is drawn
 *   texture    a quad textured from an 8x8 RGBA8 texture (glTexImage2D) with bilinear
 *              filtering and repeat wrapping, magnified and tiled
 *   gather     the 8x8 texture's four texels around each sample (textureGather, red and
 *              green components)
 *   mipmap     a 32x32 texture with glGenerateMipmap, sampled minified with
 *              nearest-mipmap filtering, at an explicit level (textureLod) and sized
 *              (textureSize)
 *
 * Prints "w <index> <hex word>" for every pixel (RGBA8 as one little-endian word), then
 * "device <GL_RENDERER>". Exit status 0, 1 with the failing call, 2 usage.
 */
#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLES3/gl3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define W 61
#define H 33

static void fail(const char *what)
{
	fprintf(stderr, "%s failed (EGL 0x%x, GL 0x%x)\n", what, eglGetError(), glGetError());
	exit(1);
}

static GLuint framebuffer(void)
{
	GLuint rb, fb;
	glGenRenderbuffers(1, &rb);
	glBindRenderbuffer(GL_RENDERBUFFER, rb);
	glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8, W, H);
	glGenFramebuffers(1, &fb);
	glBindFramebuffer(GL_FRAMEBUFFER, fb);
	glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, rb);
	if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE)
		fail("glCheckFramebufferStatus");
	return fb;
}

static void picture(void)
{
	glClearColor(0.2f, 0.4f, 0.6f, 0.8f);
	glClear(GL_COLOR_BUFFER_BIT);
	glEnable(GL_SCISSOR_TEST);
	glScissor(5, 7, 20, 9);
	glClearColor(1.0f, 0.0f, 0.5f, 1.0f);
	glClear(GL_COLOR_BUFFER_BIT);
	glDisable(GL_SCISSOR_TEST);
}

static GLuint shader(GLenum kind, const char *src)
{
	GLuint sh = glCreateShader(kind);
	glShaderSource(sh, 1, &src, NULL);
	glCompileShader(sh);
	GLint ok = 0;
	glGetShaderiv(sh, GL_COMPILE_STATUS, &ok);
	if (!ok)
		fail("glCompileShader");
	return sh;
}

static const char *vs_src =
	"#version 300 es\n"
	"layout(location = 0) in vec2 pos;\n"
	"layout(location = 1) in vec4 color;\n"
	"out vec4 v_color;\n"
	"void main() { v_color = color; gl_Position = vec4(pos, 0.0, 1.0); }\n";

static const char *depth_vs_src =
	"#version 300 es\n"
	"layout(location = 0) in vec2 pos;\n"
	"layout(location = 1) in vec4 color;\n"
	"out vec4 v_color;\n"
	"void main() {\n"
	"    v_color = vec4(color.rgb, 1.0);\n"
	"    gl_Position = vec4(pos, color.a * 2.0 - 1.0, 1.0);\n"
	"}\n";

/* In perspective (w from 0.55 to 1.45 down the screen) with z/w running from about -2
 * to 2 across it: both triangles cross GL's near (z = -w) and far (z = w) planes. */
static const char *clip_vs_src =
	"#version 300 es\n"
	"layout(location = 0) in vec2 pos;\n"
	"layout(location = 1) in vec4 color;\n"
	"out vec4 v_color;\n"
	"void main() {\n"
	"    float w = 1.0 + 0.5 * pos.y;\n"
	"    v_color = vec4(color.rgb, 1.0);\n"
	"    gl_Position = vec4(pos * w, (pos.x * 2.2 + color.a - 0.5) * w, w);\n"
	"}\n";

static const char *points_vs_src =
	"#version 300 es\n"
	"layout(location = 0) in vec2 pos;\n"
	"layout(location = 1) in vec4 color;\n"
	"out vec4 v_color;\n"
	"void main() {\n"
	"    v_color = vec4(color.rgb, 1.0);\n"
	"    gl_PointSize = color.a > 0.45 ? 4.0 : 2.0;\n"
	"    gl_Position = vec4(pos, 0.0, 1.0);\n"
	"}\n";

static const char *tex_vs_src =
	"#version 300 es\n"
	"layout(location = 0) in vec2 pos;\n"
	"out vec2 v_uv;\n"
	"void main() { v_uv = pos * 1.7 + vec2(0.3, 0.1); gl_Position = vec4(pos, 0.0, 1.0); }\n";

static const char *tex_fs_src =
	"#version 300 es\n"
	"precision highp float;\n"
	"uniform sampler2D tex;\n"
	"in vec2 v_uv;\n"
	"out vec4 o;\n"
	"void main() { o = texture(tex, v_uv); }\n";

static const char *mip_fs_src =
	"#version 300 es\n"
	"precision highp float;\n"
	"uniform sampler2D tex;\n"
	"in vec2 v_uv;\n"
	"out vec4 o;\n"
	"void main() {\n"
	"    vec2 size = vec2(textureSize(tex, 2));\n"
	"    o = texture(tex, v_uv * 2.0) * 0.5 + textureLod(tex, v_uv, 1.0) * 0.25\n"
	"        + vec4(size / 32.0, 0.0, 0.25);\n"
	"}\n";

static const char *gather_vs_src =
	"#version 310 es\n"
	"layout(location = 0) in vec2 pos;\n"
	"out vec2 v_uv;\n"
	"void main() { v_uv = pos * 1.7 + vec2(0.3, 0.1); gl_Position = vec4(pos, 0.0, 1.0); }\n";

static const char *gather_fs_src =
	"#version 310 es\n"
	"precision highp float;\n"
	"uniform highp sampler2D tex;\n"
	"in vec2 v_uv;\n"
	"out vec4 o;\n"
	"void main() {\n"
	"    o = textureGather(tex, v_uv) * 0.75 + textureGather(tex, v_uv, 1).wzyx * 0.25;\n"
	"}\n";

static const char *fs_src =
	"#version 300 es\n"
	"precision highp float;\n"
	"in vec4 v_color;\n"
	"out vec4 o;\n"
	"void main() { o = v_color; }\n";

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s clear|blit|triangle|depth|stencil|restart|viewport|texture|gather|mipmap\n", argv[0]);
		return 2;
	}
	const char *mode = argv[1];
	PFNEGLGETPLATFORMDISPLAYEXTPROC get_display =
		(PFNEGLGETPLATFORMDISPLAYEXTPROC)eglGetProcAddress("eglGetPlatformDisplayEXT");
	if (!get_display)
		fail("eglGetPlatformDisplayEXT");
	EGLDisplay dpy = get_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, NULL);
	if (dpy == EGL_NO_DISPLAY || !eglInitialize(dpy, NULL, NULL))
		fail("eglInitialize");
	if (!eglBindAPI(EGL_OPENGL_ES_API))
		fail("eglBindAPI");
	const EGLint ctx_attr[] = {EGL_CONTEXT_MAJOR_VERSION, 3, EGL_NONE};
	EGLContext ctx = eglCreateContext(dpy, EGL_NO_CONFIG_KHR, EGL_NO_CONTEXT, ctx_attr);
	if (ctx == EGL_NO_CONTEXT)
		fail("eglCreateContext");
	if (!eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, ctx))
		fail("eglMakeCurrent");

	GLuint fb = framebuffer();
	glViewport(0, 0, W, H);
	if (!strcmp(mode, "clear")) {
		picture();
	} else if (!strcmp(mode, "blit")) {
		picture();
		GLuint dst = framebuffer();
		glClearColor(0.0f, 1.0f, 0.0f, 1.0f);
		glClear(GL_COLOR_BUFFER_BIT);
		glBindFramebuffer(GL_READ_FRAMEBUFFER, fb);
		glBindFramebuffer(GL_DRAW_FRAMEBUFFER, dst);
		glBlitFramebuffer(2, 3, 40, 25, 11, 6, 49, 28, GL_COLOR_BUFFER_BIT, GL_NEAREST);
		glBindFramebuffer(GL_FRAMEBUFFER, dst);
	} else if (!strcmp(mode, "texture") || !strcmp(mode, "mipmap") ||
		   !strcmp(mode, "gather")) {
		int mip = !strcmp(mode, "mipmap");
		int gather = !strcmp(mode, "gather");
		static uint32_t texels[32 * 32];
		int n = mip ? 32 : 8;
		for (int i = 0; i < n * n; i++)
			texels[i] = (uint32_t)(i * 2654435761u) | 0xff000000u;
		GLuint tex;
		glGenTextures(1, &tex);
		glBindTexture(GL_TEXTURE_2D, tex);
		glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, n, n, 0, GL_RGBA, GL_UNSIGNED_BYTE, texels);
		if (mip)
			glGenerateMipmap(GL_TEXTURE_2D);
		glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER,
				mip ? GL_NEAREST_MIPMAP_NEAREST : GL_LINEAR);
		glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
		glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_REPEAT);
		glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_REPEAT);
		GLuint prog = glCreateProgram();
		glAttachShader(prog, shader(GL_VERTEX_SHADER, gather ? gather_vs_src : tex_vs_src));
		glAttachShader(prog, shader(GL_FRAGMENT_SHADER,
					    mip ? mip_fs_src : gather ? gather_fs_src : tex_fs_src));
		glLinkProgram(prog);
		GLint ok = 0;
		glGetProgramiv(prog, GL_LINK_STATUS, &ok);
		if (!ok)
			fail("glLinkProgram");
		glUseProgram(prog);
		static const float quad[] = {-1, -1, 1, -1, -1, 1, 1, 1};
		GLuint vbo;
		glGenBuffers(1, &vbo);
		glBindBuffer(GL_ARRAY_BUFFER, vbo);
		glBufferData(GL_ARRAY_BUFFER, sizeof(quad), quad, GL_STATIC_DRAW);
		glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, (void *)0);
		glEnableVertexAttribArray(0);
		glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
	} else if (!strcmp(mode, "triangle") || !strcmp(mode, "viewport") ||
		   !strcmp(mode, "depth") || !strcmp(mode, "restart") || !strcmp(mode, "stencil") ||
		   !strcmp(mode, "clip") || !strcmp(mode, "lines") || !strcmp(mode, "points")) {
		int lines = !strcmp(mode, "lines"), points = !strcmp(mode, "points");
		int restart = !strcmp(mode, "restart");
		int stencil = !strcmp(mode, "stencil");
		if (stencil) {
			GLuint srb;
			glGenRenderbuffers(1, &srb);
			glBindRenderbuffer(GL_RENDERBUFFER, srb);
			glRenderbufferStorage(GL_RENDERBUFFER, GL_DEPTH24_STENCIL8, W, H);
			glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_DEPTH_STENCIL_ATTACHMENT,
						  GL_RENDERBUFFER, srb);
			if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE)
				fail("stencil framebuffer");
			glClearStencil(0);
			glClear(GL_STENCIL_BUFFER_BIT);
			glEnable(GL_STENCIL_TEST);
		}
		int clip = !strcmp(mode, "clip");
		int depth = clip || !strcmp(mode, "depth");
		if (depth) {
			GLuint drb;
			glGenRenderbuffers(1, &drb);
			glBindRenderbuffer(GL_RENDERBUFFER, drb);
			glRenderbufferStorage(GL_RENDERBUFFER, GL_DEPTH_COMPONENT24, W, H);
			glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_DEPTH_ATTACHMENT,
						  GL_RENDERBUFFER, drb);
			if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE)
				fail("depth framebuffer");
			glEnable(GL_DEPTH_TEST);
			glDepthFunc(GL_LESS);
			glClearDepthf(1.0f);
			glClear(GL_DEPTH_BUFFER_BIT);
		}
		glClearColor(0.1f, 0.1f, 0.1f, 1.0f);
		glClear(GL_COLOR_BUFFER_BIT);
		GLuint prog = glCreateProgram();
		glAttachShader(prog, shader(GL_VERTEX_SHADER,
					    clip     ? clip_vs_src
					    : points ? points_vs_src
					    : depth  ? depth_vs_src
						     : vs_src));
		glAttachShader(prog, shader(GL_FRAGMENT_SHADER, fs_src));
		glLinkProgram(prog);
		GLint ok = 0;
		glGetProgramiv(prog, GL_LINK_STATUS, &ok);
		if (!ok)
			fail("glLinkProgram");
		glUseProgram(prog);
		static const float v[] = {
			-0.9f, -0.8f, 1.0f, 0.0f, 0.0f, 1.0f,
			0.8f,  -0.6f, 0.0f, 1.0f, 0.0f, 1.0f,
			-0.2f, 0.9f,  0.0f, 0.0f, 1.0f, 0.5f,
		};
		static const float big[] = {
			-3.0f, -2.5f, 1.0f, 0.0f, 0.0f, 1.0f,
			3.5f,  -3.0f, 0.0f, 1.0f, 0.0f, 1.0f,
			0.2f,  3.0f,  0.0f, 0.0f, 1.0f, 0.5f,
		};
		/* Two triangles whose depths (the alpha) cross. */
		static const float two[] = {
			-0.9f, -0.8f, 1.0f, 0.0f, 0.0f, 0.2f,
			0.9f,  -0.7f, 1.0f, 0.0f, 0.0f, 0.8f,
			0.0f,  0.9f,  1.0f, 0.0f, 0.0f, 0.5f,
			-0.8f, 0.6f,  0.0f, 1.0f, 0.0f, 0.9f,
			0.8f,  0.7f,  0.0f, 1.0f, 0.0f, 0.1f,
			0.1f,  -0.9f, 0.0f, 1.0f, 0.0f, 0.5f,
		};
		int vp = !strcmp(mode, "viewport");
		if (vp)
			glViewport(10, 5, 30, 20);
		GLuint vbo;
		glGenBuffers(1, &vbo);
		glBindBuffer(GL_ARRAY_BUFFER, vbo);
		if (depth || restart || stencil || lines || points)
			glBufferData(GL_ARRAY_BUFFER, sizeof(two), two, GL_STATIC_DRAW);
		else
			glBufferData(GL_ARRAY_BUFFER, sizeof(v), vp ? big : v, GL_STATIC_DRAW);
		glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 6 * sizeof(float), (void *)0);
		glVertexAttribPointer(1, 4, GL_FLOAT, GL_FALSE, 6 * sizeof(float),
				      (void *)(2 * sizeof(float)));
		glEnableVertexAttribArray(0);
		glEnableVertexAttribArray(1);
		if (restart) {
			/* The six vertices of "two" as two 3-vertex strips and a 4-vertex one. */
			static const GLushort idx[] = {0, 1, 2, 0xffff, 3, 4, 5, 1};
			GLuint ibo;
			glGenBuffers(1, &ibo);
			glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, ibo);
			glBufferData(GL_ELEMENT_ARRAY_BUFFER, sizeof(idx), idx, GL_STATIC_DRAW);
			glEnable(GL_PRIMITIVE_RESTART_FIXED_INDEX);
			glDrawElements(GL_TRIANGLE_STRIP, 8, GL_UNSIGNED_SHORT, (void *)0);
		} else if (stencil) {
			glStencilFunc(GL_ALWAYS, 1, 0xff);
			glStencilOp(GL_KEEP, GL_KEEP, GL_REPLACE);
			glDrawArrays(GL_TRIANGLES, 0, 3);
			glStencilFunc(GL_EQUAL, 0, 0xff);
			glStencilOp(GL_KEEP, GL_KEEP, GL_INCR);
			glDrawArrays(GL_TRIANGLES, 3, 3);
		} else if (lines) {
			glDrawArrays(GL_LINES, 0, 6);
			glDrawArrays(GL_LINE_STRIP, 0, 4);
		} else if (points) {
			glDrawArrays(GL_POINTS, 0, 6);
		} else {
			glDrawArrays(GL_TRIANGLES, 0, depth ? 6 : 3);
		}
	} else {
		fprintf(stderr, "unknown mode %s\n", mode);
		return 2;
	}
	static uint32_t px[W * H];
	glReadPixels(0, 0, W, H, GL_RGBA, GL_UNSIGNED_BYTE, px);
	if (glGetError() != GL_NO_ERROR)
		fail("glReadPixels");
	for (int i = 0; i < W * H; i++)
		printf("w %d %08x\n", i, px[i]);
	printf("device %s\n", (const char *)glGetString(GL_RENDERER));
	return 0;
}
