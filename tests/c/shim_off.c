/*
 * gemu run --no-shim: nothing is preloaded, so gemu's nodes stat as what
 * they are (regular FUSE files) while the device works as before.
 *
 * gemu-run: --no-shim
 */
#include "gemu_test.h"

#include <sys/stat.h>

TEST(nodes_are_regular_files)
{
	struct stat st;
	int fd = open_card();

	REQUIRE(fd >= 0);
	CHECK(getenv("GEMU_NODES") == NULL);
	CHECK(stat(GEMU_CARD, &st) == 0 && S_ISREG(st.st_mode));
	CHECK(fstat(fd, &st) == 0 && S_ISREG(st.st_mode));
	CHECK(device_answers_version(fd));
	close(fd);
}
