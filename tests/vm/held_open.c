/*
 * held_open: hold a gemu node open across the daemon's exit and report what
 * the next call gets. A CUSE node must fail the call with an error, not hang.
 *
 * Usage: held_open NODE READY_FILE GO_FILE
 *   opens NODE, checks DRM_IOCTL_VERSION answers, creates READY_FILE, waits
 *   (at most 60 s) for GO_FILE to exist, then calls VERSION and poll() again.
 * Exit: 0 when both calls failed with an error after GO_FILE, 1 otherwise.
 */
#define _GNU_SOURCE /* strerrorname_np */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <xf86drm.h>

static int version(int fd)
{
	char name[8] = { 0 };
	struct drm_version v = { .name_len = sizeof(name) - 1, .name = name };

	return ioctl(fd, DRM_IOCTL_VERSION, &v) < 0 ? -errno : 0;
}

int main(int argc, char **argv)
{
	struct pollfd p;
	int fd, r, i;

	if (argc != 4) {
		fprintf(stderr, "usage: held_open NODE READY_FILE GO_FILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_CLOEXEC);
	if (fd < 0 || version(fd) != 0) {
		printf("held_open: %s does not answer: %s\n", argv[1],
		       strerrorname_np(errno));
		return 1;
	}
	close(open(argv[2], O_CREAT | O_WRONLY, 0644));
	for (i = 0; i < 6000 && access(argv[3], F_OK) != 0; i++)
		usleep(10000);
	r = version(fd);
	printf("held_open: VERSION after the daemon stopped: %s\n",
	       r ? strerrorname_np(-r) : "answered");
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	i = poll(&p, 1, 1000);
	printf("held_open: poll after the daemon stopped: %d revents=%#x\n", i,
	       p.revents);
	close(fd);
	return r != 0 ? 0 : 1;
}
