/* Unit tests of the merge's output buffers (src/common/prom-out.c): a large output freed is
 * kept and written over by the next merge; one block at most is kept, never much larger
 * than what the last merge needed. */
#include "config.h"
#include "buf.h"
#include "prom.h"
#include "prom-out.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

#define MB ((size_t)1 << 20)

static void test_small(struct prom_out_slot *s)
{
	char *out = prom_out_take(s, 100);

	ok(prom_out_room(out) >= 100, "a small output has its room");
	prom_out_give(s, out);
	ok(s->kept == NULL, "a small output is not kept");
	prom_out_give(s, NULL);
	ok(s->kept == NULL, "NULL is fine");
}

/* A 16-node merge's output, about 130 KB: malloc maps such a block afresh each time. */
static void test_middle(struct prom_out_slot *s)
{
	char *a = prom_out_take(s, 130000), *b;

	ok(prom_out_room(a) >= 130000, "a 130 KB output has its room");
	prom_out_give(s, a);
	ok(s->kept == a - 64, "a 130 KB output freed is kept");
	b = prom_out_take(s, 130500);
	ok(b == a, "the next output, a little longer, is written into it");
	prom_out_give(s, b);
	b = prom_out_take(s, PROM_OUT_KEEP - 100);
	ok(prom_out_room(b) < 130000 && s->kept == NULL,
	   "an output under the keep size after it: a block of its own, its size");
	prom_out_give(s, b);
	ok(s->kept == NULL, "and not kept");
}

static void test_reuse(struct prom_out_slot *s)
{
	char *a = prom_out_take(s, 3 * MB), *b, *c;

	ok(prom_out_room(a) >= 3 * MB, "a large output has its room");
	a[3 * MB - 1] = 'x';
	prom_out_give(s, a);
	ok(s->kept != NULL, "a large output freed is kept");
	b = prom_out_take(s, 3 * MB + 1000);
	ok(b == a, "the next large output is written into it");
	ok(s->kept == NULL, "and the slot is empty while it is out");
	c = prom_out_take(s, 3 * MB);
	ok(c != b, "a second output at once gets a block of its own");
	prom_out_give(s, b);
	prom_out_give(s, c);
	ok(s->kept == b - 64, "one block kept at most: the first back; the second is freed");
	prom_out_drain(s);
	ok(s->kept == NULL, "drained");
}

/* An output that grew gives back its first, smaller block before its final one. */
static void test_larger_kept(struct prom_out_slot *s)
{
	char *small = prom_out_take(s, 1 * MB), *large = prom_out_take(s, 4 * MB);
	char *other = prom_out_take(s, 100 * 1024), *next;

	prom_out_give(s, small);
	prom_out_give(s, large);
	ok(s->kept == large - 64, "the larger block is kept, the smaller freed");
	prom_out_give(s, other);
	ok(s->kept == large - 64, "a smaller block given back while one is kept is freed");
	next = prom_out_take(s, 3 * MB);
	ok(next == large, "and the next output is written into the kept one");
	prom_out_give(s, next);
	prom_out_drain(s);
}

static void test_sizes(struct prom_out_slot *s)
{
	char *big = prom_out_take(s, 7 * MB), *next;

	prom_out_give(s, big);
	next = prom_out_take(s, 2 * MB + 100);
	ok(prom_out_room(next) < 7 * MB,
	   "a block more than twice the need is freed, a smaller one made");
	prom_out_give(s, next);
	next = prom_out_take(s, 5 * MB);
	ok(prom_out_room(next) >= 5 * MB, "a block too small is freed, a larger one made");
	prom_out_give(s, next);
	next = prom_out_take(s, 1000);
	ok(s->kept == NULL, "a small output after a large one: nothing kept");
	prom_out_give(s, next);
}

static void test_append(struct prom_out_slot *s)
{
	char *out = prom_out_take(s, 3 * MB), *moved;
	size_t len = 5;

	memcpy(out, "abcde", 6);
	moved = prom_out_append(s, out, &len, "fg", 2);
	ok(moved == out && len == 7 && strcmp(out, "abcdefg") == 0, "appended in the block's room");
	prom_out_give(s, moved);
	out = prom_out_take(s, 6);
	memcpy(out, "abcde", 6);
	len = 5;
	moved = prom_out_append(s, out, &len, "0123456789", 10);
	ok(len == 15 && strcmp(moved, "abcde0123456789") == 0, "moved when there is no room");
	prom_out_give(s, moved);
	prom_out_drain(s);
}

/* Through prom_merge: a large merge's output, freed, is where the next one is written. */
static void test_merge(void)
{
	struct buf body = BUF_INIT;
	static const char *const names[] = { "a", "b", "c", "d" };
	struct prom_node nodes[4];
	size_t len, len2;
	char *first, *copy, *second;

	buf_puts(&body, "# TYPE m gauge\n");
	for (int i = 0; i < 40000; i++)
		buf_printf(&body, "m{i=\"%d\"} 1\n", i);
	for (int i = 0; i < 4; i++)
		nodes[i] = (struct prom_node){ names[i], body.data, body.len, NULL, 0.5 };
	first = prom_merge(nodes, 4, &len, NULL);
	ok(len > 2 * MB, "a merge of more than 2 MB");
	copy = malloc(len + 1);
	memcpy(copy, first, len + 1);
	prom_text_free(first);
	second = prom_merge(nodes, 4, &len2, NULL);
	ok(second == first, "the next merge writes into the same memory");
	ok(len2 == len && memcmp(second, copy, len + 1) == 0, "the same text");
	prom_text_free(second);
	prom_out_drain(&prom_out_slot);
	free(copy);
	buf_free(&body);
}

int main(void)
{
	struct prom_out_slot s = PROM_OUT_SLOT_INIT;

	no_plan();
	test_small(&s);
	test_middle(&s);
	test_reuse(&s);
	test_larger_kept(&s);
	test_sizes(&s);
	test_append(&s);
	test_merge();
	return done_testing();
}
