/*
 * gl_compute - runs a GLES 3.1 compute shader through EGL on a surfaceless display and
 * prints its output buffer, so iris on gemu can be compared with llvmpipe.
 *
 *   gl_compute GROUPS WORDS
 *
 * The shader (below) reads an SSBO of WORDS words (word i = i * 2654435761 >> 7) and
 * writes a second one. Prints "b1 <i> <hex>" for every output word, then
 * "device <GL_RENDERER>". Exit status 0, or 1 with the failing call.
 */
#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLES3/gl31.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *src =
	"#version 310 es\n"
	"layout(local_size_x = 64) in;\n"
	"layout(std430, binding = 0) readonly buffer In { uint a[]; };\n"
	"layout(std430, binding = 1) buffer Out { uint o[]; };\n"
	"void main() {\n"
	"    uint i = gl_GlobalInvocationID.x;\n"
	"    uint x = a[i];\n"
	"    uint acc = 0u;\n"
	"    for (uint j = 0u; j < (x & 7u); j++) acc += x >> j;\n"
	"    o[i] = (x * 7u) ^ acc ^ (i << 3);\n"
	"}\n";

static void fail(const char *what)
{
	fprintf(stderr, "%s failed (EGL 0x%x, GL 0x%x)\n", what, eglGetError(), glGetError());
	exit(1);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s GROUPS WORDS\n", argv[0]);
		return 2;
	}
	GLuint groups = strtoul(argv[1], NULL, 0), words = strtoul(argv[2], NULL, 0);
	PFNEGLGETPLATFORMDISPLAYEXTPROC get_display =
		(PFNEGLGETPLATFORMDISPLAYEXTPROC)eglGetProcAddress("eglGetPlatformDisplayEXT");
	if (!get_display)
		fail("eglGetPlatformDisplayEXT");
	EGLDisplay dpy = get_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, NULL);
	if (dpy == EGL_NO_DISPLAY || !eglInitialize(dpy, NULL, NULL))
		fail("eglInitialize");
	if (!eglBindAPI(EGL_OPENGL_ES_API))
		fail("eglBindAPI");
	const EGLint ctx_attr[] = {EGL_CONTEXT_MAJOR_VERSION, 3, EGL_CONTEXT_MINOR_VERSION, 1, EGL_NONE};
	EGLContext ctx = eglCreateContext(dpy, EGL_NO_CONFIG_KHR, EGL_NO_CONTEXT, ctx_attr);
	if (ctx == EGL_NO_CONTEXT)
		fail("eglCreateContext");
	if (!eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, ctx))
		fail("eglMakeCurrent");

	GLuint sh = glCreateShader(GL_COMPUTE_SHADER);
	glShaderSource(sh, 1, &src, NULL);
	glCompileShader(sh);
	GLint ok = 0;
	glGetShaderiv(sh, GL_COMPILE_STATUS, &ok);
	if (!ok)
		fail("glCompileShader");
	GLuint prog = glCreateProgram();
	glAttachShader(prog, sh);
	glLinkProgram(prog);
	glGetProgramiv(prog, GL_LINK_STATUS, &ok);
	if (!ok)
		fail("glLinkProgram");

	GLuint *in = malloc(words * 4);
	for (GLuint i = 0; i < words; i++)
		in[i] = (GLuint)(i * 2654435761u) >> 7;
	GLuint buf[2];
	glGenBuffers(2, buf);
	glBindBuffer(GL_SHADER_STORAGE_BUFFER, buf[0]);
	glBufferData(GL_SHADER_STORAGE_BUFFER, words * 4, in, GL_STATIC_DRAW);
	glBindBufferBase(GL_SHADER_STORAGE_BUFFER, 0, buf[0]);
	memset(in, 0, words * 4);
	glBindBuffer(GL_SHADER_STORAGE_BUFFER, buf[1]);
	glBufferData(GL_SHADER_STORAGE_BUFFER, words * 4, in, GL_DYNAMIC_READ);
	glBindBufferBase(GL_SHADER_STORAGE_BUFFER, 1, buf[1]);
	glUseProgram(prog);
	glDispatchCompute(groups, 1, 1);
	glMemoryBarrier(GL_BUFFER_UPDATE_BARRIER_BIT);
	GLuint *out = glMapBufferRange(GL_SHADER_STORAGE_BUFFER, 0, words * 4, GL_MAP_READ_BIT);
	if (!out)
		fail("glMapBufferRange");
	for (GLuint i = 0; i < words; i++)
		printf("b1 %u %08x\n", i, out[i]);
	printf("device %s\n", (const char *)glGetString(GL_RENDERER));
	glUnmapBuffer(GL_SHADER_STORAGE_BUFFER);
	eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
	eglTerminate(dpy);
	return 0;
}
