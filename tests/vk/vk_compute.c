/*
 * vk_compute - runs one compute shader on the first Vulkan device and prints
 * its storage buffers, so the same program can be compared across drivers
 * (anv on gemu against lavapipe).
 *
 *   vk_compute SHADER.spv GROUPS_X WORDS [PUSH0 [PUSH1 ...]]
 *
 * The shader sees three storage buffers of WORDS 32-bit words at set 0,
 * bindings 0, 1 and 2: binding 0 holds input (word i = i * 2654435761 >> 7,
 * a fixed pattern), bindings 1 and 2 start as zeros. Up to 8 push-constant
 * words follow in order. After one vkCmdDispatch(GROUPS_X, 1, 1) and a wait,
 * it prints "b<binding> <index> <hex word>" for every word of bindings 1 and
 * 2, then "device <name>". Exit status: 0 done, 1 a Vulkan call failed (it
 * prints which and the VkResult).
 */
#include "vk_common.h"

#define NBUF 3

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s SHADER.spv GROUPS_X WORDS [PUSH...]\n", argv[0]);
		return 2;
	}
	uint32_t groups = strtoul(argv[2], NULL, 0);
	uint32_t words = strtoul(argv[3], NULL, 0);
	uint32_t push[8] = {0};
	uint32_t npush = 0;
	for (int i = 4; i < argc && npush < 8; i++)
		push[npush++] = strtoul(argv[i], NULL, 0);

	VkPhysicalDeviceProperties props;
	uint32_t family;
	VkQueue queue;
	vk_open(VK_QUEUE_COMPUTE_BIT, &props, &family, &queue);
	VkDeviceSize size = (VkDeviceSize)words * 4;
	VkBuffer buf[NBUF];
	VkDeviceMemory mem[NBUF];
	uint32_t *map[NBUF];
	for (int b = 0; b < NBUF; b++) {
		buf[b] = make_buffer_for(size, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, &map[b], &mem[b]);
		for (uint32_t i = 0; i < words; i++)
			map[b][i] = b == 0 ? (uint32_t)(i * 2654435761u) >> 7 : 0;
	}

	size_t code_size;
	uint32_t *code = read_file(argv[1], &code_size);
	VkShaderModuleCreateInfo smci = {
		.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
		.codeSize = code_size,
		.pCode = code,
	};
	VkShaderModule module;
	CHECK_VK(vkCreateShaderModule(dev, &smci, NULL, &module));

	VkDescriptorSetLayoutBinding bind[NBUF];
	for (int b = 0; b < NBUF; b++)
		bind[b] = (VkDescriptorSetLayoutBinding){
			.binding = b,
			.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
			.descriptorCount = 1,
			.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
		};
	VkDescriptorSetLayoutCreateInfo dslci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
		.bindingCount = NBUF,
		.pBindings = bind,
	};
	VkDescriptorSetLayout dsl;
	CHECK_VK(vkCreateDescriptorSetLayout(dev, &dslci, NULL, &dsl));
	VkPushConstantRange pcr = {
		.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
		.offset = 0,
		.size = sizeof(push),
	};
	VkPipelineLayoutCreateInfo plci = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
		.setLayoutCount = 1,
		.pSetLayouts = &dsl,
		.pushConstantRangeCount = 1,
		.pPushConstantRanges = &pcr,
	};
	VkPipelineLayout layout;
	CHECK_VK(vkCreatePipelineLayout(dev, &plci, NULL, &layout));
	VkComputePipelineCreateInfo cpci = {
		.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
		.stage = {
			.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
			.stage = VK_SHADER_STAGE_COMPUTE_BIT,
			.module = module,
			.pName = "main",
		},
		.layout = layout,
	};
	VkPipeline pipe;
	CHECK_VK(vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &cpci, NULL, &pipe));

	VkDescriptorPoolSize ps = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, NBUF};
	VkDescriptorPoolCreateInfo dpci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
		.maxSets = 1,
		.poolSizeCount = 1,
		.pPoolSizes = &ps,
	};
	VkDescriptorPool pool;
	CHECK_VK(vkCreateDescriptorPool(dev, &dpci, NULL, &pool));
	VkDescriptorSetAllocateInfo dsai = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
		.descriptorPool = pool,
		.descriptorSetCount = 1,
		.pSetLayouts = &dsl,
	};
	VkDescriptorSet set;
	CHECK_VK(vkAllocateDescriptorSets(dev, &dsai, &set));
	VkDescriptorBufferInfo dbi[NBUF];
	VkWriteDescriptorSet wds[NBUF];
	for (int b = 0; b < NBUF; b++) {
		dbi[b] = (VkDescriptorBufferInfo){buf[b], 0, VK_WHOLE_SIZE};
		wds[b] = (VkWriteDescriptorSet){
			.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
			.dstSet = set,
			.dstBinding = b,
			.descriptorCount = 1,
			.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
			.pBufferInfo = &dbi[b],
		};
	}
	vkUpdateDescriptorSets(dev, NBUF, wds, 0, NULL);

	VkCommandPool cpool;
	VkCommandBuffer cmd = vk_begin(family, &cpool);
	vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipe);
	vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &set, 0, NULL);
	vkCmdPushConstants(cmd, layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(push), push);
	vkCmdDispatch(cmd, groups, 1, 1);
	VkMemoryBarrier mb = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
		.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
		.dstAccessMask = VK_ACCESS_HOST_READ_BIT,
	};
	vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_HOST_BIT,
			     0, 1, &mb, 0, NULL, 0, NULL);
	vk_submit_wait(queue, cmd, 10);

	for (int b = 1; b < NBUF; b++)
		for (uint32_t i = 0; i < words; i++)
			printf("b%d %u %08x\n", b, i, map[b][i]);
	printf("device %s\n", props.deviceName);

	vkDestroyCommandPool(dev, cpool, NULL);
	vkDestroyDescriptorPool(dev, pool, NULL);
	vkDestroyPipeline(dev, pipe, NULL);
	vkDestroyPipelineLayout(dev, layout, NULL);
	vkDestroyDescriptorSetLayout(dev, dsl, NULL);
	vkDestroyShaderModule(dev, module, NULL);
	for (int b = 0; b < NBUF; b++) {
		vkUnmapMemory(dev, mem[b]);
		vkDestroyBuffer(dev, buf[b], NULL);
		vkFreeMemory(dev, mem[b], NULL);
	}
	vkDestroyDevice(dev, NULL);
	vkDestroyInstance(inst, NULL);
	free(code);
	return 0;
}
