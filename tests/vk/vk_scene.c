/*
 * vk_scene - one offscreen frame of a small scene, printed so that the same program can
 * be compared across drivers (anv on gemu against lavapipe).
 *
 *   vk_scene VERT.spv FRAG.spv [depth]
 *
 * A render pass clears a 64x48 R8G8B8A8_UNORM colour attachment and a D32_SFLOAT depth
 * attachment. Inside it, textured quads (an indexed draw with 32-bit indices, three
 * instances with their own offset, depth and alpha from a per-instance vertex buffer)
 * are depth-tested (LESS, written) and alpha-blended (SRC_ALPHA, ONE_MINUS_SRC_ALPHA)
 * with a bilinear, repeating 8x8 texture uploaded by a buffer-to-image copy; then
 * vkCmdClearAttachments clears a rectangle of the colour and depth attachments, and
 * textured triangles (a second indexed draw, from the same buffers at another first
 * index and vertex offset, two more instances) are drawn over it.
 * Prints "w <index> <hex word>" per pixel of the colour attachment (or, with "depth",
 * of the depth attachment), then "device <name>". Exit status: 0 done, 1 a Vulkan call
 * failed, 2 usage.
 */
#include "vk_common.h"

#define W 64
#define H 48
#define T 8

static VkShaderModule module(const char *path)
{
	size_t size;
	uint32_t *code = read_file(path, &size);
	VkShaderModuleCreateInfo ci = {
		.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
		.codeSize = size,
		.pCode = code,
	};
	VkShaderModule m;
	CHECK_VK(vkCreateShaderModule(dev, &ci, NULL, &m));
	return m;
}

/* A device-local 2D image of `format` with `usage`, and its view for `aspect`. */
static VkImage make_image(VkFormat format, uint32_t w, uint32_t h, VkImageUsageFlags usage,
			  VkImageAspectFlags aspect, VkImageView *view)
{
	VkImageCreateInfo ici = {
		.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
		.imageType = VK_IMAGE_TYPE_2D,
		.format = format,
		.extent = {w, h, 1},
		.mipLevels = 1,
		.arrayLayers = 1,
		.samples = VK_SAMPLE_COUNT_1_BIT,
		.tiling = VK_IMAGE_TILING_OPTIMAL,
		.usage = usage,
		.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED,
	};
	VkImage img;
	CHECK_VK(vkCreateImage(dev, &ici, NULL, &img));
	VkMemoryRequirements req;
	vkGetImageMemoryRequirements(dev, img, &req);
	VkMemoryAllocateInfo mai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
		.allocationSize = req.size,
		.memoryTypeIndex =
			memory_type(req.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT),
	};
	VkDeviceMemory mem;
	CHECK_VK(vkAllocateMemory(dev, &mai, NULL, &mem));
	CHECK_VK(vkBindImageMemory(dev, img, mem, 0));
	VkImageViewCreateInfo ivci = {
		.sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO,
		.image = img,
		.viewType = VK_IMAGE_VIEW_TYPE_2D,
		.format = format,
		.subresourceRange = {aspect, 0, 1, 0, 1},
	};
	CHECK_VK(vkCreateImageView(dev, &ivci, NULL, view));
	return img;
}

static VkAttachmentDescription cleared_attachment(VkFormat format)
{
	return (VkAttachmentDescription){
		.format = format,
		.samples = VK_SAMPLE_COUNT_1_BIT,
		.loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR,
		.storeOp = VK_ATTACHMENT_STORE_OP_STORE,
		.stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE,
		.stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE,
		.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED,
		.finalLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
	};
}

static void image_barrier(VkCommandBuffer cmd, VkImage img, VkImageLayout from, VkImageLayout to,
			  VkAccessFlags src, VkAccessFlags dst, VkPipelineStageFlags src_stage,
			  VkPipelineStageFlags dst_stage)
{
	VkImageMemoryBarrier b = {
		.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER,
		.srcAccessMask = src,
		.dstAccessMask = dst,
		.oldLayout = from,
		.newLayout = to,
		.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
		.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
		.image = img,
		.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1},
	};
	vkCmdPipelineBarrier(cmd, src_stage, dst_stage, 0, 0, NULL, 0, NULL, 1, &b);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s VERT.spv FRAG.spv [depth]\n", argv[0]);
		return 2;
	}
	int depthread = argc > 3 && !strcmp(argv[3], "depth");
	VkPhysicalDeviceProperties props;
	uint32_t family;
	VkQueue queue;
	vk_open(VK_QUEUE_GRAPHICS_BIT, &props, &family, &queue);

	VkImageView view, dview, tview;
	VkImage img = make_image(VK_FORMAT_R8G8B8A8_UNORM, W, H,
				 VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT |
					 VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
				 VK_IMAGE_ASPECT_COLOR_BIT, &view);
	VkImage dimg = make_image(VK_FORMAT_D32_SFLOAT, W, H,
				  VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT |
					  VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
				  VK_IMAGE_ASPECT_DEPTH_BIT, &dview);
	VkImage timg = make_image(VK_FORMAT_R8G8B8A8_UNORM, T, T,
				  VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT,
				  VK_IMAGE_ASPECT_COLOR_BIT, &tview);

	VkAttachmentDescription atts[2] = {
		cleared_attachment(VK_FORMAT_R8G8B8A8_UNORM),
		cleared_attachment(VK_FORMAT_D32_SFLOAT),
	};
	VkAttachmentReference ref = {0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
	VkAttachmentReference dref = {1, VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL};
	VkSubpassDescription sub = {
		.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS,
		.colorAttachmentCount = 1,
		.pColorAttachments = &ref,
		.pDepthStencilAttachment = &dref,
	};
	VkSubpassDependency dep = {
		.srcSubpass = 0,
		.dstSubpass = VK_SUBPASS_EXTERNAL,
		.srcStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT |
				VK_PIPELINE_STAGE_LATE_FRAGMENT_TESTS_BIT,
		.dstStageMask = VK_PIPELINE_STAGE_TRANSFER_BIT,
		.srcAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT |
				 VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT,
		.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT,
	};
	VkRenderPassCreateInfo rpci = {
		.sType = VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO,
		.attachmentCount = 2,
		.pAttachments = atts,
		.subpassCount = 1,
		.pSubpasses = &sub,
		.dependencyCount = 1,
		.pDependencies = &dep,
	};
	VkRenderPass rp;
	CHECK_VK(vkCreateRenderPass(dev, &rpci, NULL, &rp));
	VkImageView views[2] = {view, dview};
	VkFramebufferCreateInfo fbci = {
		.sType = VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO,
		.renderPass = rp,
		.attachmentCount = 2,
		.pAttachments = views,
		.width = W,
		.height = H,
		.layers = 1,
	};
	VkFramebuffer fb;
	CHECK_VK(vkCreateFramebuffer(dev, &fbci, NULL, &fb));

	/* The texture's sampler and descriptor set. */
	VkSamplerCreateInfo sci = {
		.sType = VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO,
		.magFilter = VK_FILTER_LINEAR,
		.minFilter = VK_FILTER_LINEAR,
		.mipmapMode = VK_SAMPLER_MIPMAP_MODE_NEAREST,
		.addressModeU = VK_SAMPLER_ADDRESS_MODE_REPEAT,
		.addressModeV = VK_SAMPLER_ADDRESS_MODE_REPEAT,
		.addressModeW = VK_SAMPLER_ADDRESS_MODE_REPEAT,
		.maxLod = 0.0f,
	};
	VkSampler sampler;
	CHECK_VK(vkCreateSampler(dev, &sci, NULL, &sampler));
	VkDescriptorSetLayoutBinding lb = {
		.binding = 0,
		.descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER,
		.descriptorCount = 1,
		.stageFlags = VK_SHADER_STAGE_FRAGMENT_BIT,
	};
	VkDescriptorSetLayoutCreateInfo dslci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
		.bindingCount = 1,
		.pBindings = &lb,
	};
	VkDescriptorSetLayout dsl;
	CHECK_VK(vkCreateDescriptorSetLayout(dev, &dslci, NULL, &dsl));
	VkDescriptorPoolSize ps = {VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1};
	VkDescriptorPoolCreateInfo dpci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
		.maxSets = 1,
		.poolSizeCount = 1,
		.pPoolSizes = &ps,
	};
	VkDescriptorPool dpool;
	CHECK_VK(vkCreateDescriptorPool(dev, &dpci, NULL, &dpool));
	VkDescriptorSetAllocateInfo dsai = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
		.descriptorPool = dpool,
		.descriptorSetCount = 1,
		.pSetLayouts = &dsl,
	};
	VkDescriptorSet set;
	CHECK_VK(vkAllocateDescriptorSets(dev, &dsai, &set));
	VkDescriptorImageInfo dii = {sampler, tview, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
	VkWriteDescriptorSet wds = {
		.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
		.dstSet = set,
		.dstBinding = 0,
		.descriptorCount = 1,
		.descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER,
		.pImageInfo = &dii,
	};
	vkUpdateDescriptorSets(dev, 1, &wds, 0, NULL);

	/* The pipeline. */
	VkPipelineShaderStageCreateInfo stages[2] = {
		{
			.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
			.stage = VK_SHADER_STAGE_VERTEX_BIT,
			.module = module(argv[1]),
			.pName = "main",
		},
		{
			.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
			.stage = VK_SHADER_STAGE_FRAGMENT_BIT,
			.module = module(argv[2]),
			.pName = "main",
		},
	};
	VkVertexInputBindingDescription binds[2] = {
		{0, 4 * sizeof(float), VK_VERTEX_INPUT_RATE_VERTEX},
		{1, 4 * sizeof(float), VK_VERTEX_INPUT_RATE_INSTANCE},
	};
	VkVertexInputAttributeDescription attrs[3] = {
		{0, 0, VK_FORMAT_R32G32_SFLOAT, 0},
		{1, 0, VK_FORMAT_R32G32_SFLOAT, 2 * sizeof(float)},
		{2, 1, VK_FORMAT_R32G32B32A32_SFLOAT, 0},
	};
	VkPipelineVertexInputStateCreateInfo vi = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO,
		.vertexBindingDescriptionCount = 2,
		.pVertexBindingDescriptions = binds,
		.vertexAttributeDescriptionCount = 3,
		.pVertexAttributeDescriptions = attrs,
	};
	VkPipelineInputAssemblyStateCreateInfo ia = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO,
		.topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST,
	};
	VkViewport vp = {0, 0, W, H, 0, 1};
	VkRect2D scissor = {{0, 0}, {W, H}};
	VkPipelineViewportStateCreateInfo vps = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO,
		.viewportCount = 1,
		.pViewports = &vp,
		.scissorCount = 1,
		.pScissors = &scissor,
	};
	VkPipelineRasterizationStateCreateInfo rs = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO,
		.polygonMode = VK_POLYGON_MODE_FILL,
		.cullMode = VK_CULL_MODE_BACK_BIT,
		.frontFace = VK_FRONT_FACE_CLOCKWISE,
		.lineWidth = 1.0f,
	};
	VkPipelineMultisampleStateCreateInfo ms = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO,
		.rasterizationSamples = VK_SAMPLE_COUNT_1_BIT,
	};
	VkPipelineDepthStencilStateCreateInfo ds = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_DEPTH_STENCIL_STATE_CREATE_INFO,
		.depthTestEnable = VK_TRUE,
		.depthWriteEnable = VK_TRUE,
		.depthCompareOp = VK_COMPARE_OP_LESS,
	};
	VkPipelineColorBlendAttachmentState cba = {
		.blendEnable = VK_TRUE,
		.srcColorBlendFactor = VK_BLEND_FACTOR_SRC_ALPHA,
		.dstColorBlendFactor = VK_BLEND_FACTOR_ONE_MINUS_SRC_ALPHA,
		.colorBlendOp = VK_BLEND_OP_ADD,
		.srcAlphaBlendFactor = VK_BLEND_FACTOR_ONE,
		.dstAlphaBlendFactor = VK_BLEND_FACTOR_ONE_MINUS_SRC_ALPHA,
		.alphaBlendOp = VK_BLEND_OP_ADD,
		.colorWriteMask = 0xf,
	};
	VkPipelineColorBlendStateCreateInfo cb = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO,
		.attachmentCount = 1,
		.pAttachments = &cba,
	};
	VkPipelineLayoutCreateInfo plci = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
		.setLayoutCount = 1,
		.pSetLayouts = &dsl,
	};
	VkPipelineLayout layout;
	CHECK_VK(vkCreatePipelineLayout(dev, &plci, NULL, &layout));
	VkGraphicsPipelineCreateInfo gpci = {
		.sType = VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO,
		.stageCount = 2,
		.pStages = stages,
		.pVertexInputState = &vi,
		.pInputAssemblyState = &ia,
		.pViewportState = &vps,
		.pRasterizationState = &rs,
		.pMultisampleState = &ms,
		.pDepthStencilState = &ds,
		.pColorBlendState = &cb,
		.layout = layout,
		.renderPass = rp,
	};
	VkPipeline pipe;
	CHECK_VK(vkCreateGraphicsPipelines(dev, VK_NULL_HANDLE, 1, &gpci, NULL, &pipe));

	/* Geometry: a quad (vertices 0-3) and a triangle (4-6), clockwise on screen (y
	 * down); the triangle's indices count from a vertex offset of 4. */
	uint32_t *vmap, *imap, *omap, *tmap, *out;
	static const float verts[7][4] = {
		{-0.6f, -0.5f, -0.25f, -0.25f}, {0.2f, -0.6f, 1.5f, -0.1f},
		{0.3f, 0.2f, 1.25f, 1.5f},      {-0.5f, 0.3f, -0.1f, 1.25f},
		{-0.3f, -0.4f, 0.5f, 0.0f},     {0.5f, 0.0f, 1.0f, 1.0f},
		{-0.4f, 0.5f, 0.0f, 1.0f},
	};
	static const uint32_t idx[9] = {0, 1, 2, 2, 3, 0, 0, 1, 2};
	/* Per instance: offset x, y, depth, alpha; quads first, then triangles. */
	static const float inst[5][4] = {
		{0.0f, 0.0f, 0.5f, 0.8f},   {0.35f, 0.25f, 0.3f, 0.6f}, {0.5f, -0.2f, 0.7f, 1.0f},
		{0.1f, 0.3f, 0.4f, 0.7f},   {0.45f, 0.1f, 0.6f, 0.9f},
	};
	VkBufferUsageFlags xfer =
		VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
	VkBuffer vb = make_buffer_for(sizeof(verts), VK_BUFFER_USAGE_VERTEX_BUFFER_BIT, &vmap,
				      NULL);
	VkBuffer ib = make_buffer_for(sizeof(idx), VK_BUFFER_USAGE_INDEX_BUFFER_BIT, &imap, NULL);
	VkBuffer ob = make_buffer_for(sizeof(inst), VK_BUFFER_USAGE_VERTEX_BUFFER_BIT, &omap,
				      NULL);
	VkBuffer tb = make_buffer_for(T * T * 4, xfer, &tmap, NULL);
	VkBuffer rb = make_buffer_for(W * H * 4, xfer, &out, NULL);
	memcpy(vmap, verts, sizeof(verts));
	memcpy(imap, idx, sizeof(idx));
	memcpy(omap, inst, sizeof(inst));
	/* The texture: smooth ramps with a brighter diagonal, alpha from 0.5 to 1. */
	for (int y = 0; y < T; y++)
		for (int x = 0; x < T; x++) {
			uint32_t r = 30 * x + 10, g = 30 * y + 5, b = x == y ? 250 : 60 + 8 * (x + y);
			uint32_t a = 128 + 16 * ((x + y) / 2);
			tmap[y * T + x] = r | g << 8 | b << 16 | a << 24;
		}

	VkCommandPool cpool;
	VkCommandBuffer cmd = vk_begin(family, &cpool);
	image_barrier(cmd, timg, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 0,
		      VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT,
		      VK_PIPELINE_STAGE_TRANSFER_BIT);
	VkBufferImageCopy up = {
		.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1},
		.imageExtent = {T, T, 1},
	};
	vkCmdCopyBufferToImage(cmd, tb, timg, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &up);
	image_barrier(cmd, timg, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
		      VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, VK_ACCESS_TRANSFER_WRITE_BIT,
		      VK_ACCESS_SHADER_READ_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
		      VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT);

	VkClearValue clears[2] = {
		{.color = {.float32 = {0.1f, 0.2f, 0.3f, 1.0f}}},
		{.depthStencil = {1.0f, 0}},
	};
	VkRenderPassBeginInfo rpbi = {
		.sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO,
		.renderPass = rp,
		.framebuffer = fb,
		.renderArea = {{0, 0}, {W, H}},
		.clearValueCount = 2,
		.pClearValues = clears,
	};
	vkCmdBeginRenderPass(cmd, &rpbi, VK_SUBPASS_CONTENTS_INLINE);
	vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, pipe);
	vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, layout, 0, 1, &set, 0, NULL);
	VkBuffer vbs[2] = {vb, ob};
	VkDeviceSize voffs[2] = {0, 0};
	vkCmdBindVertexBuffers(cmd, 0, 2, vbs, voffs);
	vkCmdBindIndexBuffer(cmd, ib, 0, VK_INDEX_TYPE_UINT32);
	vkCmdDrawIndexed(cmd, 6, 3, 0, 0, 0);
	/* A rectangle of both attachments cleared mid-pass: colour and a nearer depth. */
	VkClearAttachment ca[2] = {
		{VK_IMAGE_ASPECT_COLOR_BIT, 0, {.color = {.float32 = {0.9f, 0.8f, 0.1f, 0.5f}}}},
		{VK_IMAGE_ASPECT_DEPTH_BIT, 0, {.depthStencil = {0.45f, 0}}},
	};
	VkClearRect cr = {{{10, 6}, {24, 20}}, 0, 1};
	vkCmdClearAttachments(cmd, 2, ca, 1, &cr);
	vkCmdDrawIndexed(cmd, 3, 2, 6, 4, 3);
	vkCmdEndRenderPass(cmd);
	VkBufferImageCopy rbc = {
		.imageSubresource = {depthread ? VK_IMAGE_ASPECT_DEPTH_BIT : VK_IMAGE_ASPECT_COLOR_BIT,
				     0, 0, 1},
		.imageExtent = {W, H, 1},
	};
	vkCmdCopyImageToBuffer(cmd, depthread ? dimg : img, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, rb,
			       1, &rbc);
	VkMemoryBarrier mb = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
		.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
		.dstAccessMask = VK_ACCESS_HOST_READ_BIT,
	};
	vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1,
			     &mb, 0, NULL, 0, NULL);
	vk_submit_wait(queue, cmd, 30);
	for (int i = 0; i < W * H; i++)
		printf("w %d %08x\n", i, out[i]);
	printf("device %s\n", props.deviceName);
	/* Process exit releases every object. */
	return 0;
}
