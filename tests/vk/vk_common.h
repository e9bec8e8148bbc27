/*
 * What the Vulkan test programs share: the error check, the device they open
 * (the first one, with a queue of the family they ask for), memory type choice,
 * host-visible buffers and reading SPIR-V files. Every failure exits with
 * status 1 after saying what failed.
 */
#ifndef VK_COMMON_H
#define VK_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vulkan/vulkan.h>

#define CHECK_VK(call)                                                       \
	do {                                                                 \
		VkResult r_ = (call);                                        \
		if (r_ != VK_SUCCESS) {                                      \
			fprintf(stderr, "%s failed: %d\n", #call, (int)r_);  \
			exit(1);                                             \
		}                                                            \
	} while (0)

static VkInstance inst;
static VkDevice dev;
static VkPhysicalDeviceMemoryProperties mp;

/* Opens the first device with one queue of the first family that has all of
 * `flags`; gives its properties, the family and the queue. */
static inline void vk_open(VkQueueFlags flags, VkPhysicalDeviceProperties *props,
		    uint32_t *family, VkQueue *queue)
{
	VkApplicationInfo app = {
		.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
		.apiVersion = VK_API_VERSION_1_1,
	};
	VkInstanceCreateInfo inci = {
		.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
		.pApplicationInfo = &app,
	};
	CHECK_VK(vkCreateInstance(&inci, NULL, &inst));
	uint32_t ndev = 1;
	VkPhysicalDevice phys;
	VkResult er = vkEnumeratePhysicalDevices(inst, &ndev, &phys);
	if ((er != VK_SUCCESS && er != VK_INCOMPLETE) || ndev == 0) {
		fprintf(stderr, "no Vulkan device\n");
		exit(1);
	}
	vkGetPhysicalDeviceProperties(phys, props);
	vkGetPhysicalDeviceMemoryProperties(phys, &mp);
	uint32_t nq = 0;
	vkGetPhysicalDeviceQueueFamilyProperties(phys, &nq, NULL);
	VkQueueFamilyProperties qf[16];
	if (nq > 16)
		nq = 16;
	vkGetPhysicalDeviceQueueFamilyProperties(phys, &nq, qf);
	*family = UINT32_MAX;
	for (uint32_t i = 0; i < nq; i++)
		if ((qf[i].queueFlags & flags) == flags) {
			*family = i;
			break;
		}
	if (*family == UINT32_MAX) {
		fprintf(stderr, "no queue family with flags %#x\n", (unsigned)flags);
		exit(1);
	}
	float prio = 1.0f;
	VkDeviceQueueCreateInfo qci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
		.queueFamilyIndex = *family,
		.queueCount = 1,
		.pQueuePriorities = &prio,
	};
	VkDeviceCreateInfo dci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
		.queueCreateInfoCount = 1,
		.pQueueCreateInfos = &qci,
	};
	CHECK_VK(vkCreateDevice(phys, &dci, NULL, &dev));
	vkGetDeviceQueue(dev, *family, 0, queue);
}

/* The first memory type among `bits` with all of `want`. */
static inline uint32_t memory_type(uint32_t bits, VkMemoryPropertyFlags want)
{
	for (uint32_t t = 0; t < mp.memoryTypeCount; t++)
		if ((bits & (1u << t)) && (mp.memoryTypes[t].propertyFlags & want) == want)
			return t;
	fprintf(stderr, "no memory type for %#x\n", (unsigned)want);
	exit(1);
}

/* A host-visible, coherent, zeroed buffer of `size` bytes with `usage`, mapped
 * at *map; its memory in *memory unless that is NULL. */
static inline VkBuffer make_buffer_for(VkDeviceSize size, VkBufferUsageFlags usage, uint32_t **map,
				       VkDeviceMemory *memory)
{
	VkBufferCreateInfo bci = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
		.size = size,
		.usage = usage,
	};
	VkBuffer b;
	CHECK_VK(vkCreateBuffer(dev, &bci, NULL, &b));
	VkMemoryRequirements req;
	vkGetBufferMemoryRequirements(dev, b, &req);
	VkMemoryAllocateInfo mai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
		.allocationSize = req.size,
		.memoryTypeIndex = memory_type(req.memoryTypeBits,
					       VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
						       VK_MEMORY_PROPERTY_HOST_COHERENT_BIT),
	};
	VkDeviceMemory m;
	CHECK_VK(vkAllocateMemory(dev, &mai, NULL, &m));
	CHECK_VK(vkBindBufferMemory(dev, b, m, 0));
	CHECK_VK(vkMapMemory(dev, m, 0, size, 0, (void **)map));
	memset(*map, 0, size);
	if (memory)
		*memory = m;
	return b;
}

/* A command buffer of a new pool on `family`, recording for one submission. */
static inline VkCommandBuffer vk_begin(uint32_t family, VkCommandPool *pool)
{
	VkCommandPoolCreateInfo cpoci = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
		.queueFamilyIndex = family,
	};
	CHECK_VK(vkCreateCommandPool(dev, &cpoci, NULL, pool));
	VkCommandBufferAllocateInfo cbai = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
		.commandPool = *pool,
		.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
		.commandBufferCount = 1,
	};
	VkCommandBuffer cmd;
	CHECK_VK(vkAllocateCommandBuffers(dev, &cbai, &cmd));
	VkCommandBufferBeginInfo cbbi = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
		.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
	};
	CHECK_VK(vkBeginCommandBuffer(cmd, &cbbi));
	return cmd;
}

/* Ends `cmd`, submits it on `queue` and waits for it (at most `seconds`). */
static inline void vk_submit_wait(VkQueue queue, VkCommandBuffer cmd, unsigned seconds)
{
	CHECK_VK(vkEndCommandBuffer(cmd));
	VkFenceCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
	VkFence fence;
	CHECK_VK(vkCreateFence(dev, &fci, NULL, &fence));
	VkSubmitInfo si = {
		.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
		.commandBufferCount = 1,
		.pCommandBuffers = &cmd,
	};
	CHECK_VK(vkQueueSubmit(queue, 1, &si, fence));
	CHECK_VK(vkWaitForFences(dev, 1, &fence, VK_TRUE, seconds * 1000ull * 1000 * 1000));
	vkDestroyFence(dev, fence, NULL);
}

/* The whole file at `path` (a SPIR-V module), its size in *size. */
static inline uint32_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint32_t *buf = malloc(n);
	if (!buf || fread(buf, 1, n, f) != (size_t)n) {
		perror(path);
		exit(1);
	}
	fclose(f);
	*size = n;
	return buf;
}

#endif
