/* Module-scoped, rate-limited logging (after OVS's vlog).
 *
 * In a .c file:   LOG_MODULE(ledger);
 * then:           log_info("recorded %s", path);  log_warn_rl("...");
 * Messages go to stderr (or the file set by log_set_file()) as
 * "2026-11-29T02:11:28.123Z|module|LEVEL|message". */
#ifndef NODELAB_LOG_H
#define NODELAB_LOG_H

#include <stdio.h>

enum log_level { LOG_LEVEL_ERR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

#define LOG_MODULE(name) static const char log_module_[] __attribute__((unused)) = #name

/* Sets the most verbose level written (default: LOG_LEVEL_INFO). */
void log_set_level(enum log_level level);
/* Sends log lines to f (not owned) instead of stderr. */
void log_set_file(FILE *f);
/* Parses "err|warn|info|debug"; returns -1 when unknown. */
int log_level_from_string(const char *s, enum log_level *level);

void log_write(enum log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* True at most `burst` times per `seconds` for this call site's counter. */
struct log_rate {
  long window_start;
  int count;
};
int log_rate_allow(struct log_rate *rl, int burst, int seconds);

#define log_err(...) log_write(LOG_LEVEL_ERR, log_module_, __VA_ARGS__)
#define log_warn(...) log_write(LOG_LEVEL_WARN, log_module_, __VA_ARGS__)
#define log_info(...) log_write(LOG_LEVEL_INFO, log_module_, __VA_ARGS__)
#define log_debug(...) log_write(LOG_LEVEL_DEBUG, log_module_, __VA_ARGS__)
#define log_warn_rl(...)                                                                           \
  do {                                                                                             \
    static struct log_rate rl_;                                                                    \
    if (log_rate_allow(&rl_, 5, 60))                                                               \
      log_write(LOG_LEVEL_WARN, log_module_, __VA_ARGS__);                                         \
  } while (0)

#endif
