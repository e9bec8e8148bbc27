/*
 * vk_transfer - runs one transfer operation on the first Vulkan device and
 * prints the bytes it produced, so the same program can be compared across
 * drivers (anv on gemu against lavapipe). On Tiger Lake anv runs these as
 * BLORP rectangle draws on the 3D pipeline.
 *
 *   vk_transfer MODE [FORMAT]
 *
 * MODE:
 *   clear  vkCmdClearColorImage of a whole 37x21 optimal-tiling image, then
 *          an 8x5 patch at (5, 3) uploaded from a buffer (vkCmdCopyBufferToImage)
 *   fill   vkCmdFillBuffer of part of a buffer, then vkCmdCopyBuffer of a
 *          range of it at an odd offset
 *   copy   a buffer pattern uploaded to an image (vkCmdCopyBufferToImage),
 *          copied to a second, cleared image at an offset (vkCmdCopyImage)
 *   layers vkCmdClearColorImage of a 3-layer array image, then of layer 1 alone
 *          with the second colour; all layers read back
 *   blit   the same pattern blitted (vkCmdBlitImage) into the cleared image: a
 *          region magnified with linear filtering, another minified and mirrored
 *          with nearest filtering
 * FORMAT (clear and copy): rgba8 (R8G8B8A8_UNORM, default), bgra8
 * (B8G8R8A8_UNORM), srgb8 (R8G8B8A8_SRGB), rgba32f (R32G32B32A32_SFLOAT),
 * r32ui (R32_UINT).
 *
 * Images are read back with vkCmdCopyImageToBuffer into a host-visible
 * buffer. It prints "w <index> <hex word>" for each word of the result, then
 * "device <name>". Exit status: 0 done, 1 a Vulkan call failed, 2 usage.
 */
#include "vk_common.h"

#define W 37
#define H 21

static VkDevice dev;
static VkPhysicalDeviceMemoryProperties mp;

static VkBuffer make_buffer(VkDeviceSize size, uint32_t **map)
{
	return make_buffer_for(size,
			       VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
			       map, NULL);
}

static uint32_t layers = 1;

static VkImage make_image(VkFormat format)
{
	VkImageCreateInfo ici = {
		.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
		.imageType = VK_IMAGE_TYPE_2D,
		.format = format,
		.extent = {W, H, 1},
		.mipLevels = 1,
		.arrayLayers = layers,
		.samples = VK_SAMPLE_COUNT_1_BIT,
		.tiling = VK_IMAGE_TILING_OPTIMAL,
		.usage = VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT,
		.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED,
	};
	VkImage img;
	CHECK_VK(vkCreateImage(dev, &ici, NULL, &img));
	VkMemoryRequirements req;
	vkGetImageMemoryRequirements(dev, img, &req);
	VkMemoryAllocateInfo mai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
		.allocationSize = req.size,
		.memoryTypeIndex = memory_type(req.memoryTypeBits,
					       VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT),
	};
	VkDeviceMemory m;
	CHECK_VK(vkAllocateMemory(dev, &mai, NULL, &m));
	CHECK_VK(vkBindImageMemory(dev, img, m, 0));
	return img;
}

static void barrier(VkCommandBuffer cmd, VkImage img, VkImageLayout from, VkImageLayout to)
{
	VkImageMemoryBarrier b = {
		.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER,
		.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
		.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
		.oldLayout = from,
		.newLayout = to,
		.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
		.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
		.image = img,
		.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, layers},
	};
	vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0,
			     0, NULL, 0, NULL, 1, &b);
}

static void transfer_barrier(VkCommandBuffer cmd)
{
	VkMemoryBarrier mb = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
		.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
		.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_HOST_READ_BIT,
	};
	vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT,
			     VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &mb,
			     0, NULL, 0, NULL);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s clear|layers|fill|copy|blit [rgba8|bgra8|srgb8|rgba32f|r32ui]\n",
			argv[0]);
		return 2;
	}
	const char *mode = argv[1];
	const char *fname = argc > 2 ? argv[2] : "rgba8";
	VkFormat format;
	uint32_t bpp;
	VkClearColorValue c0 = {0}, c1 = {0};
	if (!strcmp(fname, "rgba8") || !strcmp(fname, "bgra8") || !strcmp(fname, "srgb8")) {
		format = !strcmp(fname, "rgba8")   ? VK_FORMAT_R8G8B8A8_UNORM
			 : !strcmp(fname, "bgra8") ? VK_FORMAT_B8G8R8A8_UNORM
						   : VK_FORMAT_R8G8B8A8_SRGB;
		bpp = 4;
		c0 = (VkClearColorValue){.float32 = {0.25f, 0.5f, 0.75f, 1.0f}};
		c1 = (VkClearColorValue){.float32 = {1.0f, 0.0f, 0.2f, 0.6f}};
	} else if (!strcmp(fname, "rgba32f")) {
		format = VK_FORMAT_R32G32B32A32_SFLOAT;
		bpp = 16;
		c0 = (VkClearColorValue){.float32 = {0.125f, -2.5f, 1e10f, 3.0f}};
		c1 = (VkClearColorValue){.float32 = {-1.0f, 0.0f, 0.333f, 7.0f}};
	} else if (!strcmp(fname, "r32ui")) {
		format = VK_FORMAT_R32_UINT;
		bpp = 4;
		c0 = (VkClearColorValue){.uint32 = {0xdeadbeef}};
		c1 = (VkClearColorValue){.uint32 = {0x01234567}};
	} else {
		fprintf(stderr, "unknown format %s\n", fname);
		return 2;
	}

	VkPhysicalDeviceProperties props;
	uint32_t family;
	VkQueue queue;
	vk_open(VK_QUEUE_GRAPHICS_BIT, &props, &family, &queue);

	VkCommandPool cpool;
	VkCommandBuffer cmd = vk_begin(family, &cpool);

	uint32_t *out;
	size_t out_words;
	VkImageSubresourceLayers color = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
	if (!strcmp(mode, "fill")) {
		out_words = 1024;
		uint32_t *src;
		VkBuffer a = make_buffer(out_words * 4, &src);
		VkBuffer b = make_buffer(out_words * 4, &out);
		for (uint32_t i = 0; i < out_words; i++)
			src[i] = i * 2654435761u;
		vkCmdFillBuffer(cmd, a, 64, 2000, 0x5a5aa5a5);
		transfer_barrier(cmd);
		VkBufferCopy r[2] = {{.srcOffset = 4, .dstOffset = 12, .size = 3000},
				     {.srcOffset = 3100, .dstOffset = 3300, .size = 700}};
		vkCmdCopyBuffer(cmd, a, b, 2, r);
	} else if (!strcmp(mode, "layers")) {
		layers = 3;
		out_words = (size_t)W * H * bpp / 4 * layers;
		VkBuffer b = make_buffer(out_words * 4, &out);
		VkImage img = make_image(format);
		barrier(cmd, img, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
		VkImageSubresourceRange all = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 3};
		VkImageSubresourceRange one = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 1, 1};
		vkCmdClearColorImage(cmd, img, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &c0, 1, &all);
		barrier(cmd, img, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
			VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
		vkCmdClearColorImage(cmd, img, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &c1, 1, &one);
		barrier(cmd, img, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
			VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
		VkBufferImageCopy rb = {
			.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 3},
			.imageExtent = {W, H, 1},
		};
		vkCmdCopyImageToBuffer(cmd, img, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, b, 1, &rb);
	} else if (!strcmp(mode, "clear") || !strcmp(mode, "copy") || !strcmp(mode, "blit")) {
		out_words = (size_t)W * H * bpp / 4;
		VkBuffer b = make_buffer(out_words * 4, &out);
		VkImage img = make_image(format);
		barrier(cmd, img, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
		VkImageSubresourceRange all = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
		if (!strcmp(mode, "clear")) {
			vkCmdClearColorImage(cmd, img, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &c0, 1,
					     &all);
			barrier(cmd, img, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
				VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
			/* Then a patch of the second colour, uploaded from a buffer. */
			uint32_t *patch;
			VkBuffer pb = make_buffer(8 * 5 * bpp, &patch);
			for (uint32_t i = 0; i < 8 * 5 * bpp / 4; i++)
				patch[i] = c1.uint32[i % (bpp / 4 > 1 ? bpp / 4 : 1)] ^
					   (bpp == 4 ? i * 0x01010101u : 0);
			VkBufferImageCopy pr = {
				.imageSubresource = color,
				.imageOffset = {5, 3, 0},
				.imageExtent = {8, 5, 1},
			};
			vkCmdCopyBufferToImage(cmd, pb, img, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1,
					       &pr);
			barrier(cmd, img, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
				VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
			VkBufferImageCopy rb = {.imageSubresource = color, .imageExtent = {W, H, 1}};
			vkCmdCopyImageToBuffer(cmd, img, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, b, 1,
					       &rb);
		} else {
			uint32_t *src;
			VkBuffer sb = make_buffer(out_words * 4, &src);
			for (uint32_t i = 0; i < out_words; i++)
				src[i] = i * 2654435761u;
			if (format == VK_FORMAT_R32G32B32A32_SFLOAT)
				for (uint32_t i = 0; i < out_words; i++)
					((float *)src)[i] = (float)(int32_t)src[i] / 65536.0f;
			VkBufferImageCopy up = {.imageSubresource = color, .imageExtent = {W, H, 1}};
			vkCmdCopyBufferToImage(cmd, sb, img, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1,
					       &up);
			VkImage img2 = make_image(format);
			barrier(cmd, img2, VK_IMAGE_LAYOUT_UNDEFINED,
				VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
			vkCmdClearColorImage(cmd, img2, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &c1, 1,
					     &all);
			barrier(cmd, img, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
				VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
			barrier(cmd, img2, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
				VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
			if (!strcmp(mode, "copy")) {
				VkImageCopy ic = {
					.srcSubresource = color,
					.srcOffset = {2, 1, 0},
					.dstSubresource = color,
					.dstOffset = {9, 4, 0},
					.extent = {20, 13, 1},
				};
				vkCmdCopyImage(cmd, img, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, img2,
					       VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &ic);
			} else {
				VkImageBlit up = {
					.srcSubresource = color,
					.srcOffsets = {{3, 2, 0}, {11, 9, 1}},
					.dstSubresource = color,
					.dstOffsets = {{1, 1, 0}, {25, 19, 1}},
				};
				vkCmdBlitImage(cmd, img, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, img2,
					       VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &up,
					       VK_FILTER_LINEAR);
				VkImageBlit down = {
					.srcSubresource = color,
					.srcOffsets = {{36, 0, 0}, {1, 19, 1}},
					.dstSubresource = color,
					.dstOffsets = {{26, 2, 0}, {35, 12, 1}},
				};
				vkCmdBlitImage(cmd, img, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, img2,
					       VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &down,
					       VK_FILTER_NEAREST);
			}
			barrier(cmd, img2, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
				VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
			VkBufferImageCopy rb = {.imageSubresource = color, .imageExtent = {W, H, 1}};
			vkCmdCopyImageToBuffer(cmd, img2, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, b, 1,
					       &rb);
		}
	} else {
		fprintf(stderr, "unknown mode %s\n", mode);
		return 2;
	}
	transfer_barrier(cmd);
	vk_submit_wait(queue, cmd, 30);
	for (size_t i = 0; i < out_words; i++)
		printf("w %zu %08x\n", i, out[i]);
	printf("device %s\n", props.deviceName);
	/* Process exit releases every object. */
	return 0;
}
