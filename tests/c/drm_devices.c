/*
 * libdrm's device scan (drmGetDevices2, drmGetDevice2) finds gemu under
 * gemu run: the shim makes the nodes character devices and the sysfs view
 * describes the PCI device behind them, its BARs included.
 */
#include "gemu_test.h"

static int find_gemu(drmDevicePtr *devs, int n)
{
	for (int i = 0; i < n; i++)
		if (devs[i]->bustype == DRM_BUS_PCI &&
		    devs[i]->deviceinfo.pci->vendor_id == 0x8086 &&
		    devs[i]->deviceinfo.pci->device_id == 0x9a49)
			return i;
	return -1;
}

/* Without DRM_DEVICE_GET_PCI_REVISION libdrm does not read the revision and
 * reports 0xff (it would wake a sleeping GPU on a real machine). */
static void check_device(drmDevicePtr d, int revision)
{
	CHECK_EQ(d->bustype, DRM_BUS_PCI);
	CHECK_EQ(d->businfo.pci->domain, 0);
	CHECK_EQ(d->businfo.pci->bus, 0);
	CHECK_EQ(d->businfo.pci->dev, 2);
	CHECK_EQ(d->businfo.pci->func, 0);
	CHECK_EQ(d->deviceinfo.pci->vendor_id, 0x8086);
	CHECK_EQ(d->deviceinfo.pci->device_id, 0x9a49);
	CHECK_EQ(d->deviceinfo.pci->subvendor_id, 0x8086);
	CHECK_EQ(d->deviceinfo.pci->revision_id, revision);
	REQUIRE(d->available_nodes & (1 << DRM_NODE_PRIMARY));
	REQUIRE(d->available_nodes & (1 << DRM_NODE_RENDER));
	CHECK(strcmp(d->nodes[DRM_NODE_PRIMARY], GEMU_CARD) == 0);
	CHECK(strcmp(d->nodes[DRM_NODE_RENDER], GEMU_RENDER) == 0);
}

TEST(get_devices2_lists_gemu)
{
	drmDevicePtr devs[16];
	int n = drmGetDevices2(0, devs, 16);
	int i;

	REQUIRE(n >= 1);
	i = find_gemu(devs, n);
	REQUIRE(i >= 0);
	check_device(devs[i], 0xff);
	/* The driver behind the primary node is i915. */
	{
		int fd = open_node(devs[i]->nodes[DRM_NODE_PRIMARY]);
		drmVersionPtr v;

		REQUIRE(fd >= 0);
		v = drmGetVersion(fd);
		REQUIRE(v != NULL);
		CHECK(strcmp(v->name, "i915") == 0);
		drmFreeVersion(v);
		close(fd);
	}
	drmFreeDevices(devs, n);
	/* Counting only (NULL array) gives the same number. */
	CHECK_EQ(drmGetDevices2(0, NULL, 0), n);
}

TEST(get_devices2_with_pci_revision)
{
	drmDevicePtr devs[16];
	int n = drmGetDevices2(DRM_DEVICE_GET_PCI_REVISION, devs, 16);
	int i;

	REQUIRE(n >= 1);
	i = find_gemu(devs, n);
	REQUIRE(i >= 0);
	check_device(devs[i], 1);
	drmFreeDevices(devs, n);
}

TEST(get_device2_from_either_node)
{
	const char *paths[] = { GEMU_CARD, GEMU_RENDER };

	for (int k = 0; k < 2; k++) {
		drmDevicePtr d = NULL;
		int fd = open_node(paths[k]);

		REQUIRE(fd >= 0);
		REQUIRE_OK(drmGetDevice2(fd, 0, &d));
		check_device(d, 0xff);
		drmFreeDevice(&d);
		REQUIRE_OK(drmGetDevice2(fd, DRM_DEVICE_GET_PCI_REVISION, &d));
		check_device(d, 1);
		drmFreeDevice(&d);
		/* drmGetDeviceNameFromFd2 resolves the node's name through sysfs. */
		{
			char *name = drmGetDeviceNameFromFd2(fd);

			REQUIRE(name != NULL);
			CHECK(strcmp(name, paths[k]) == 0);
			free(name);
		}
		CHECK_EQ(drmGetNodeTypeFromFd(fd), k == 0 ? DRM_NODE_PRIMARY : DRM_NODE_RENDER);
		close(fd);
	}
}

/*
 * The PCI `resource` attribute lists the BARs (resource_show: start, end,
 * flags per line): BAR2 is the 256 MiB mappable aperture, 64-bit
 * prefetchable memory, which IGT's gem_mappable_aperture_size reads through
 * libpciaccess.
 */
TEST(pci_resources_show_the_aperture)
{
	unsigned long long start[13], end[13], flags[13];
	FILE *f = fopen("/sys/bus/pci/devices/0000:00:02.0/resource", "r");
	int n = 0;

	REQUIRE(f);
	while (n < 13 && fscanf(f, "%llx %llx %llx", &start[n], &end[n],
				&flags[n]) == 3)
		n++;
	fclose(f);
	CHECK_EQ(n, 13);
	/* BAR0 GTTMMADR: 16 MiB of 64-bit memory */
	CHECK_EQ(end[0] - start[0] + 1, 16ull << 20);
	CHECK_EQ(flags[0] & 0x204, 0x204);
	/* BAR2 GMADR: 256 MiB, prefetchable */
	CHECK_EQ(end[2] - start[2] + 1, 256ull << 20);
	CHECK_EQ(flags[2] & 0x2000, 0x2000);
	/* BAR4: I/O */
	CHECK_EQ(flags[4] & 0x100, 0x100);
	CHECK_EQ(start[1] | end[1] | start[6], 0);
}
