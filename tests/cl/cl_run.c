/*
 * cl_run - runs one OpenCL C kernel on the first device of the platform whose
 * name contains PLATFORM, and prints its buffers, so the same program can be
 * compared across runtimes (Intel's compute runtime on gemu against pocl).
 *
 *   cl_run PLATFORM KERNEL.cl GLOBAL LOCAL WORDS [ARG...]
 *
 * The kernel named "k" gets (global uint *in, global uint *out1, global uint
 * *out2, uint ARG...). in holds word i = i * 2654435761 >> 7; out1 is filled
 * with 0 by clEnqueueFillBuffer, out2 is written from the host with
 * clEnqueueWriteBuffer (zeros). After the kernel, out1 is also copied to a
 * fourth buffer with clEnqueueCopyBuffer and read back from there. Prints
 * "b1 <i> <hex>" and "b2 <i> <hex>" lines, then "device <name>".
 */
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_CL(call)                                                       \
	do {                                                                 \
		cl_int e_ = (call);                                          \
		if (e_ != CL_SUCCESS) {                                      \
			fprintf(stderr, "%s failed: %d\n", #call, (int)e_);  \
			exit(1);                                             \
		}                                                            \
	} while (0)

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = calloc(1, n + 1);
	if (fread(buf, 1, n, f) != (size_t)n) {
		perror(path);
		exit(1);
	}
	fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	if (argc < 6) {
		fprintf(stderr, "usage: %s PLATFORM KERNEL.cl GLOBAL LOCAL WORDS [ARG...]\n", argv[0]);
		return 2;
	}
	size_t global = strtoul(argv[3], NULL, 0), local = strtoul(argv[4], NULL, 0);
	cl_uint words = strtoul(argv[5], NULL, 0);

	cl_platform_id plats[8];
	cl_uint np = 0;
	CHECK_CL(clGetPlatformIDs(8, plats, &np));
	cl_platform_id plat = NULL;
	for (cl_uint i = 0; i < np; i++) {
		char name[256] = "";
		clGetPlatformInfo(plats[i], CL_PLATFORM_NAME, sizeof(name), name, NULL);
		if (strstr(name, argv[1])) {
			plat = plats[i];
			break;
		}
	}
	if (!plat) {
		fprintf(stderr, "no platform matching %s\n", argv[1]);
		return 1;
	}
	cl_device_id dev;
	CHECK_CL(clGetDeviceIDs(plat, CL_DEVICE_TYPE_ALL, 1, &dev, NULL));
	char devname[256] = "";
	clGetDeviceInfo(dev, CL_DEVICE_NAME, sizeof(devname), devname, NULL);
	cl_int err;
	cl_context ctx = clCreateContext(NULL, 1, &dev, NULL, NULL, &err);
	CHECK_CL(err);
	cl_command_queue q = clCreateCommandQueue(ctx, dev, 0, &err);
	CHECK_CL(err);

	char *src = read_text(argv[2]);
	cl_program prog = clCreateProgramWithSource(ctx, 1, (const char **)&src, NULL, &err);
	CHECK_CL(err);
	if (clBuildProgram(prog, 1, &dev, "", NULL, NULL) != CL_SUCCESS) {
		char log[16384] = "";
		clGetProgramBuildInfo(prog, dev, CL_PROGRAM_BUILD_LOG, sizeof(log), log, NULL);
		fprintf(stderr, "build failed:\n%s\n", log);
		return 1;
	}
	cl_kernel k = clCreateKernel(prog, "k", &err);
	CHECK_CL(err);

	size_t size = (size_t)words * 4;
	cl_uint *host = malloc(size);
	for (cl_uint i = 0; i < words; i++)
		host[i] = (cl_uint)(i * 2654435761u) >> 7;
	cl_mem in = clCreateBuffer(ctx, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, size, host, &err);
	CHECK_CL(err);
	cl_mem out1 = clCreateBuffer(ctx, CL_MEM_READ_WRITE, size, NULL, &err);
	CHECK_CL(err);
	cl_mem out2 = clCreateBuffer(ctx, CL_MEM_READ_WRITE, size, NULL, &err);
	CHECK_CL(err);
	cl_mem copy = clCreateBuffer(ctx, CL_MEM_READ_WRITE, size, NULL, &err);
	CHECK_CL(err);
	cl_uint zero = 0;
	CHECK_CL(clEnqueueFillBuffer(q, out1, &zero, 4, 0, size, 0, NULL, NULL));
	memset(host, 0, size);
	CHECK_CL(clEnqueueWriteBuffer(q, out2, CL_TRUE, 0, size, host, 0, NULL, NULL));

	CHECK_CL(clSetKernelArg(k, 0, sizeof(cl_mem), &in));
	CHECK_CL(clSetKernelArg(k, 1, sizeof(cl_mem), &out1));
	CHECK_CL(clSetKernelArg(k, 2, sizeof(cl_mem), &out2));
	for (int a = 6; a < argc; a++) {
		cl_uint v = strtoul(argv[a], NULL, 0);
		CHECK_CL(clSetKernelArg(k, a - 3, sizeof(v), &v));
	}
	CHECK_CL(clEnqueueNDRangeKernel(q, k, 1, NULL, &global, &local, 0, NULL, NULL));
	CHECK_CL(clEnqueueCopyBuffer(q, out1, copy, 0, 0, size, 0, NULL, NULL));
	CHECK_CL(clFinish(q));

	cl_uint *r1 = malloc(size), *r2 = malloc(size);
	CHECK_CL(clEnqueueReadBuffer(q, copy, CL_TRUE, 0, size, r1, 0, NULL, NULL));
	CHECK_CL(clEnqueueReadBuffer(q, out2, CL_TRUE, 0, size, r2, 0, NULL, NULL));
	for (cl_uint i = 0; i < words; i++)
		printf("b1 %u %08x\n", i, r1[i]);
	for (cl_uint i = 0; i < words; i++)
		printf("b2 %u %08x\n", i, r2[i]);
	printf("device %s\n", devname);
	return 0;
}
