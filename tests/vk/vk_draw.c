/*
 * vk_draw - renders one frame offscreen with a Vulkan graphics pipeline on the first
 * device and prints its pixels, so the same program can be compared across drivers (anv
 * on gemu against lavapipe).
 *
 *   vk_draw VERT.spv FRAG.spv [push|depth|depthread|points|lines|linestrip]
 *
 * A 64x48 R8G8B8A8_UNORM colour attachment is cleared by the render pass (load op
 * CLEAR) to (0.1, 0.2, 0.3, 1.0); one indexed draw of two triangles (a quad) with
 * per-vertex positions and colours, three instances offset by a per-instance attribute,
 * blends over it (SRC_ALPHA, ONE_MINUS_SRC_ALPHA). With "push", 32 bytes of push
 * constants (two vec4: a scale and a bias) go to the fragment shader. With "depth", a
 * D32_SFLOAT depth attachment cleared to 1.0 is tested (LESS) and written; "depthread"
 * does the same and prints the depth attachment (as float words) instead of the colour.
 * With "points", the same indexed, instanced draw is a POINT_LIST (the vertex shader
 * sets the point size); "lines" and "linestrip" draw it as a LINE_LIST or LINE_STRIP
 * (one pixel wide, the default non-strict lines).
 * The image is copied to a buffer.
 * Prints "w <index> <hex word>" per pixel, then "device <name>". Exit status: 0 done,
 * 1 a Vulkan call failed, 2 usage.
 */
#include "vk_common.h"

#define W 64
#define H 48

static VkDevice dev;
static VkPhysicalDeviceMemoryProperties mp;

static VkBuffer make_buffer(VkDeviceSize size, uint32_t **map)
{
	return make_buffer_for(size,
			       VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
			       map, NULL);
}


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

/* An attachment cleared at the start of the render pass, stored at its end and then
 * read back by a transfer. */
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

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s VERT.spv FRAG.spv\n", argv[0]);
		return 2;
	}
	VkPhysicalDeviceProperties props;
	uint32_t family;
	VkQueue queue;
	vk_open(VK_QUEUE_GRAPHICS_BIT, &props, &family, &queue);

	/* The colour attachment. */
	VkImageCreateInfo ici = {
		.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
		.imageType = VK_IMAGE_TYPE_2D,
		.format = VK_FORMAT_R8G8B8A8_UNORM,
		.extent = {W, H, 1},
		.mipLevels = 1,
		.arrayLayers = 1,
		.samples = VK_SAMPLE_COUNT_1_BIT,
		.tiling = VK_IMAGE_TILING_OPTIMAL,
		.usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
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
	VkDeviceMemory img_mem;
	CHECK_VK(vkAllocateMemory(dev, &mai, NULL, &img_mem));
	CHECK_VK(vkBindImageMemory(dev, img, img_mem, 0));
	VkImageViewCreateInfo ivci = {
		.sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO,
		.image = img,
		.viewType = VK_IMAGE_VIEW_TYPE_2D,
		.format = VK_FORMAT_R8G8B8A8_UNORM,
		.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1},
	};
	VkImageView view;
	CHECK_VK(vkCreateImageView(dev, &ivci, NULL, &view));

	int depthread = argc > 3 && !strcmp(argv[3], "depthread");
	int depth = depthread || (argc > 3 && !strcmp(argv[3], "depth"));
	VkImageView dview = VK_NULL_HANDLE;
	VkImage dimg = VK_NULL_HANDLE;
	if (depth) {
		VkImageCreateInfo dci2 = ici;
		dci2.format = VK_FORMAT_D32_SFLOAT;
		dci2.usage =
			VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT;
		CHECK_VK(vkCreateImage(dev, &dci2, NULL, &dimg));
		VkMemoryRequirements dreq;
		vkGetImageMemoryRequirements(dev, dimg, &dreq);
		VkMemoryAllocateInfo dmai = {
			.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
			.allocationSize = dreq.size,
			.memoryTypeIndex = memory_type(dreq.memoryTypeBits,
						       VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT),
		};
		VkDeviceMemory dmem;
		CHECK_VK(vkAllocateMemory(dev, &dmai, NULL, &dmem));
		CHECK_VK(vkBindImageMemory(dev, dimg, dmem, 0));
		VkImageViewCreateInfo dvci = {
			.sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO,
			.image = dimg,
			.viewType = VK_IMAGE_VIEW_TYPE_2D,
			.format = VK_FORMAT_D32_SFLOAT,
			.subresourceRange = {VK_IMAGE_ASPECT_DEPTH_BIT, 0, 1, 0, 1},
		};
		CHECK_VK(vkCreateImageView(dev, &dvci, NULL, &dview));
	}
	VkAttachmentDescription atts[2] = {
		cleared_attachment(VK_FORMAT_R8G8B8A8_UNORM),
		cleared_attachment(VK_FORMAT_D32_SFLOAT),
	};
	VkAttachmentReference dref = {1, VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL};
	VkAttachmentReference ref = {0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
	VkSubpassDescription sub = {
		.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS,
		.colorAttachmentCount = 1,
		.pColorAttachments = &ref,
		.pDepthStencilAttachment = depth ? &dref : NULL,
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
		.attachmentCount = depth ? 2 : 1,
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
		.attachmentCount = depth ? 2 : 1,
		.pAttachments = views,
		.width = W,
		.height = H,
		.layers = 1,
	};
	VkFramebuffer fb;
	CHECK_VK(vkCreateFramebuffer(dev, &fbci, NULL, &fb));

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
		{0, 6 * sizeof(float), VK_VERTEX_INPUT_RATE_VERTEX},
		{1, 2 * sizeof(float), VK_VERTEX_INPUT_RATE_INSTANCE},
	};
	VkVertexInputAttributeDescription attrs[3] = {
		{0, 0, VK_FORMAT_R32G32_SFLOAT, 0},
		{1, 0, VK_FORMAT_R32G32B32A32_SFLOAT, 2 * sizeof(float)},
		{2, 1, VK_FORMAT_R32G32_SFLOAT, 0},
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
	if (argc > 3 && !strcmp(argv[3], "points"))
		ia.topology = VK_PRIMITIVE_TOPOLOGY_POINT_LIST;
	if (argc > 3 && !strcmp(argv[3], "lines"))
		ia.topology = VK_PRIMITIVE_TOPOLOGY_LINE_LIST;
	if (argc > 3 && !strcmp(argv[3], "linestrip"))
		ia.topology = VK_PRIMITIVE_TOPOLOGY_LINE_STRIP;
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
		.cullMode = VK_CULL_MODE_NONE,
		.frontFace = VK_FRONT_FACE_COUNTER_CLOCKWISE,
		.lineWidth = 1.0f,
	};
	VkPipelineMultisampleStateCreateInfo ms = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO,
		.rasterizationSamples = VK_SAMPLE_COUNT_1_BIT,
	};
	VkPipelineColorBlendAttachmentState cba = {
		.blendEnable = VK_TRUE,
		.srcColorBlendFactor = VK_BLEND_FACTOR_SRC_ALPHA,
		.dstColorBlendFactor = VK_BLEND_FACTOR_ONE_MINUS_SRC_ALPHA,
		.colorBlendOp = VK_BLEND_OP_ADD,
		.srcAlphaBlendFactor = VK_BLEND_FACTOR_ONE,
		.dstAlphaBlendFactor = VK_BLEND_FACTOR_ZERO,
		.alphaBlendOp = VK_BLEND_OP_ADD,
		.colorWriteMask = 0xf,
	};
	VkPipelineColorBlendStateCreateInfo cb = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO,
		.attachmentCount = 1,
		.pAttachments = &cba,
	};
	int push = argc > 3 && !strcmp(argv[3], "push");
	VkPushConstantRange pcr = {VK_SHADER_STAGE_FRAGMENT_BIT, 0, 8 * sizeof(float)};
	VkPipelineLayoutCreateInfo plci = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
		.pushConstantRangeCount = push ? 1 : 0,
		.pPushConstantRanges = &pcr,
	};
	VkPipelineLayout layout;
	CHECK_VK(vkCreatePipelineLayout(dev, &plci, NULL, &layout));
	VkPipelineDepthStencilStateCreateInfo ds = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_DEPTH_STENCIL_STATE_CREATE_INFO,
		.depthTestEnable = VK_TRUE,
		.depthWriteEnable = VK_TRUE,
		.depthCompareOp = VK_COMPARE_OP_LESS,
	};
	VkGraphicsPipelineCreateInfo gpci = {
		.pDepthStencilState = depth ? &ds : NULL,
		.sType = VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO,
		.stageCount = 2,
		.pStages = stages,
		.pVertexInputState = &vi,
		.pInputAssemblyState = &ia,
		.pViewportState = &vps,
		.pRasterizationState = &rs,
		.pMultisampleState = &ms,
		.pColorBlendState = &cb,
		.layout = layout,
		.renderPass = rp,
	};
	VkPipeline pipe;
	CHECK_VK(vkCreateGraphicsPipelines(dev, VK_NULL_HANDLE, 1, &gpci, NULL, &pipe));

	/* Geometry: a quad of two triangles, three instances. */
	uint32_t *vmap, *imap, *omap, *out;
	VkBuffer vb = make_buffer(4 * 6 * sizeof(float), &vmap);
	VkBuffer ib = make_buffer(6 * sizeof(uint16_t), &imap);
	VkBuffer ob = make_buffer(3 * 2 * sizeof(float), &omap);
	VkBuffer rb = make_buffer(W * H * 4, &out);
	static const float verts[4][6] = {
		{-0.7f, -0.6f, 1.0f, 0.2f, 0.1f, 0.9f},
		{0.1f, -0.8f, 0.1f, 1.0f, 0.3f, 0.6f},
		{0.2f, 0.3f, 0.2f, 0.3f, 1.0f, 0.4f},
		{-0.6f, 0.1f, 0.9f, 0.9f, 0.2f, 0.75f},
	};
	static const uint16_t idx[6] = {0, 1, 2, 2, 3, 0};
	static const float offs[3][2] = {{0.0f, 0.0f}, {0.45f, 0.2f}, {0.3f, 0.55f}};
	memcpy(vmap, verts, sizeof(verts));
	memcpy(imap, idx, sizeof(idx));
	memcpy(omap, offs, sizeof(offs));

	VkCommandPool cpool;
	VkCommandBuffer cmd = vk_begin(family, &cpool);
	VkClearValue clears[2] = {
		{.color = {.float32 = {0.1f, 0.2f, 0.3f, 1.0f}}},
		{.depthStencil = {1.0f, 0}},
	};
	VkRenderPassBeginInfo rpbi = {
		.sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO,
		.renderPass = rp,
		.framebuffer = fb,
		.renderArea = {{0, 0}, {W, H}},
		.clearValueCount = depth ? 2 : 1,
		.pClearValues = clears,
	};
	vkCmdBeginRenderPass(cmd, &rpbi, VK_SUBPASS_CONTENTS_INLINE);
	vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, pipe);
	VkBuffer vbs[2] = {vb, ob};
	VkDeviceSize voffs[2] = {0, 0};
	vkCmdBindVertexBuffers(cmd, 0, 2, vbs, voffs);
	vkCmdBindIndexBuffer(cmd, ib, 0, VK_INDEX_TYPE_UINT16);
	if (push) {
		static const float pc[8] = {0.5f, 1.0f, 0.25f, 1.0f, 0.25f, 0.0f, 0.5f, 0.0f};
		vkCmdPushConstants(cmd, layout, VK_SHADER_STAGE_FRAGMENT_BIT, 0, sizeof(pc), pc);
	}
	vkCmdDrawIndexed(cmd, 6, 3, 0, 0, 0);
	vkCmdEndRenderPass(cmd);
	VkBufferImageCopy rbc = {
		.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1},
		.imageExtent = {W, H, 1},
	};
	if (depthread) {
		rbc.imageSubresource.aspectMask = VK_IMAGE_ASPECT_DEPTH_BIT;
		vkCmdCopyImageToBuffer(cmd, dimg, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, rb, 1, &rbc);
	} else {
		vkCmdCopyImageToBuffer(cmd, img, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, rb, 1, &rbc);
	}
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
