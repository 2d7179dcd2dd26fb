/* How a runtime plugin is started: its interpreter (PROTOCOL section 4). */
#ifndef LMC_AGENT_PLUGIN_INTERP_H
#define LMC_AGENT_PLUGIN_INTERP_H

/* The full path of an executable: word itself when it contains '/', else the first match in
 * search_path (a PATH-style list; NULL or "" finds nothing). NULL when none. */
char *plugin_which(const char *word, const char *search_path);

/* The command that runs the plugin at path: the words of its "#!" line when the interpreter
 * resolves (an env interpreter must also find its program), else python3 or python for
 * ".py" and bash for ".sh"; path is the last word. A NULL-terminated list to free with
 * str_list_free, or NULL with *cause. *warning (may be NULL; malloc'd) says why a "#!" line
 * was not used. */
char **plugin_command(const char *path, const char *search_path, char **warning, char **cause);

#endif
