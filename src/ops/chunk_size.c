/* How many rows one call of an operation carries. */
#include "ops/op.h"

size_t op_chunk_size(const struct op *op, size_t requested)
{
	if (op->flags & OP_PER_ROW)
		return 1;
	return requested ? requested : 1;
}
