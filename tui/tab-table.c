/* The tab table: the number of tabs, their order and their keys come from it. Adding a tab
 * is one file (tab-NAME.c, a const struct tab) and one line here. */
#include "config.h"
#include "top.h"

const struct tab *const tab_table[] = {
	&tab_overview, &tab_metrics, &tab_threads, &tab_loglevel, &tab_config, &tab_meta,
	&tab_inference,
};
const int ntabs = (int)(sizeof tab_table / sizeof tab_table[0]);

int tab_by_key(int key)
{
	for (int i = 0; i < ntabs; i++)
		if (tab_table[i]->key == key)
			return i;
	return -1;
}
