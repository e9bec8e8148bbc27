/*
 * What IGT's allocator does first: make a message queue and raise its size to 1 MiB,
 * which the host's default msgmnb (16 KiB) allows only with CAP_SYS_RESOURCE. Then one
 * object, mapped and written, to show the device is there. Uses libdrm's headers only
 * (no libdrm.so), so it runs in the bare gemu image too.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <unistd.h>
#include <i915_drm.h>

int main(void)
{
	struct msqid_ds ds;
	int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (q < 0 || msgctl(q, IPC_STAT, &ds)) { perror("msgget"); return 2; }
	ds.msg_qbytes = 1 << 20;
	printf("IPC_SET 1 MiB: %s\n", msgctl(q, IPC_SET, &ds) ? strerror(errno) : "ok");
	msgctl(q, IPC_RMID, NULL);

	int fd = open("/dev/dri/card0", O_RDWR);
	struct drm_i915_gem_create c = { .size = 4096 };
	if (fd < 0 || ioctl(fd, DRM_IOCTL_I915_GEM_CREATE, &c)) { perror("create"); return 2; }
	struct drm_i915_gem_mmap_offset m = { .handle = c.handle, .flags = I915_MMAP_OFFSET_WB };
	if (ioctl(fd, DRM_IOCTL_I915_GEM_MMAP_OFFSET, &m)) { perror("mmap_offset"); return 2; }
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, m.offset);
	if (p == MAP_FAILED) { perror("mmap"); return 2; }
	strcpy(p, "gemu");
	char back[5] = { 0 };
	struct drm_i915_gem_pread r = { .handle = c.handle, .size = 4, .data_ptr = (unsigned long)back };
	if (ioctl(fd, DRM_IOCTL_I915_GEM_PREAD, &r)) { perror("pread"); return 2; }
	printf("mmap then pread: %s\n", back);
	return 0;
}
