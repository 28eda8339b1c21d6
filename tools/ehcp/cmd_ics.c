/* `ehcp ics`: open statutory deadlines as an iCalendar file for Outlook or
 * any calendar (one file, or one per caseworker). The library writes the
 * calendar (export.h); this file picks the cases and the files. */
#include "cases.h"
#include "progress.h"

#include <ehcp/export.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

int cmd_ics(int argc, char **argv);

static const char usage[] =
    "usage: ehcp ics FILE... [--as-of D] [--within N] [--case ID ...] [--local]\n"
    "                [--output FILE | --group-by ATTR --output-dir DIR] [--name NAME]\n"
    "                [--rules FILE] [--region R] [--setting REF=FILE.ics ...]\n"
    "\n"
    "Writes the open deadlines (overdue, or due) of the cases in the files as an\n"
    "iCalendar (.ics) file: one all-day event on each due date (the last compliant\n"
    "day), named by case id and step, with the start event, the legal source, the\n"
    "status and the days late or left in its description. UIDs are stable, so\n"
    "importing a newer file updates the events rather than duplicating them.\n"
    "\n"
    "  --within N         only what is overdue or due within N days\n"
    "  --case ID          only this case (repeatable)\n"
    "  --local            also local targets of the rule set (default: statutory only)\n"
    "  --output FILE      write to FILE (default: standard output)\n"
    "  --group-by ATTR    one file per value of the case attribute ATTR (e.g.\n"
    "                     caseworker) into --output-dir; cases without it go to\n"
    "                     unassigned.ics\n"
    "  --output-dir DIR   where --group-by writes (created if missing)\n"
    "  --name NAME        the calendar's display name (default \"EHC deadlines\")\n"
    "  --as-of D          evaluate as of this date (default: today)\n"
    "  --rules FILE       rule-set file extending england-2014 (docs/ruleset-format.md)\n"
    "  --region R         bank holidays: england-and-wales (default), scotland,\n"
    "                     northern-ireland, none (default: the rule set's region)\n"
    "  --closed D[..D]    extra closed days of the authority (repeatable)\n"
    "  --ics FILE         the authority's closures from an .ics file (repeatable)\n"
    "  --setting REF=FILE a setting's term calendar (.ics of closed days), for the\n"
    "                     school-closure exception (repeatable)\n"
    "  --quiet            no row accounting or progress on stderr\n";

enum { OPT_WITHIN = 1, OPT_CASE, OPT_LOCAL, OPT_OUTPUT, OPT_GROUP_BY, OPT_OUTPUT_DIR, OPT_NAME };

struct ics_cmd {
  struct ehcp_ics_options o;
  const char **ids;
  size_t nids;
  const char *output, *group_by, *dir, *name;
  int quiet;
};

/* Write to path through a temporary file renamed into place, so a failed
 * run never leaves half a calendar behind. Returns 0 or -1 (reported). */
static int write_file(const char *path, size_t *nevents, const struct cases *c,
                      const struct ehcp_ics_options *o) {
  size_t len = strlen(path) + 32;
  char *tmp = malloc(len);
  if (!tmp)
    return cli_error("out of memory"), -1;
  snprintf(tmp, len, "%s.tmp%ld", path, (long)getpid());
  FILE *f = fopen(tmp, "wb");
  if (!f) {
    cli_error("ics: cannot write '%s': %s", tmp, strerror(errno));
    free(tmp);
    return -1;
  }
  int rc = ehcp_ics_write(f, nevents, c->ev, c->rules, c->set, o);
  if (fclose(f) != 0 && rc == EHCP_OK)
    rc = EHCP_ERR_IO;
  if (rc == EHCP_OK && rename(tmp, path) != 0) {
    cli_error("ics: cannot write '%s': %s", path, strerror(errno));
    rc = EHCP_ERR_IO;
  } else if (rc != EHCP_OK) {
    cli_error("ics: writing '%s': %s", path, ehcp_strerror(rc));
  }
  if (rc != EHCP_OK)
    remove(tmp);
  free(tmp);
  return rc == EHCP_OK ? 0 : -1;
}

/* ---- --group-by ---------------------------------------------------------- */

struct member {
  const char *value; /* attribute value, NULL = unassigned */
  const char *id;
  size_t order;
};

static int member_cmp(const void *pa, const void *pb) {
  const struct member *a = pa, *b = pb;
  if (!a->value != !b->value)
    return a->value ? -1 : 1; /* unassigned last */
  int c = a->value ? strcmp(a->value, b->value) : 0;
  if (c)
    return c;
  return a->order < b->order ? -1 : a->order > b->order;
}

/* A file name from an attribute value: letters, digits, '-', '_' and '.'
 * kept (not leading '.'), anything else '_', at most 64 bytes. When that
 * changed the value, or the name is taken already (compared ignoring case,
 * for case-insensitive file systems), an 8-hex-digit hash of the value is
 * appended, so distinct values never share a file. */
static uint32_t fnv32(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

static int name_taken(char **names, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (strcasecmp(names[i], name) == 0)
      return 1;
  return 0;
}

static char *file_name(const char *value, char **taken, size_t ntaken) {
  const char *v = value ? value : "unassigned";
  char base[80];
  size_t n = 0;
  int changed = 0;
  for (const char *p = v; *p && n < 64; p++) {
    unsigned char ch = (unsigned char)*p;
    int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
             ch == '-' || ch == '_' || (ch == '.' && n > 0);
    base[n++] = ok ? (char)ch : '_';
    changed |= !ok;
  }
  changed |= strlen(v) > n || n == 0;
  base[n] = '\0';
  char name[112];
  snprintf(name, sizeof name, "%s.ics", base);
  if (changed || name_taken(taken, ntaken, name)) {
    /* "unassigned" for cases without the attribute is distinct from a value
     * "unassigned": hash a marker that no value can equal. */
    uint32_t h = value ? fnv32(value) : 0;
    for (unsigned salt = 0;; salt++) {
      snprintf(name, sizeof name, "%s-%08x.ics", base, h + salt);
      if (!name_taken(taken, ntaken, name))
        break;
    }
  }
  return strdup(name);
}

struct group_progress {
  struct progress *pg;
  uint64_t base;
};

static int group_progress(uint64_t done, uint64_t total, void *payload) {
  (void)total;
  struct group_progress *g = payload;
  progress_set(g->pg, g->base + done);
  return 0;
}

static int write_groups(const struct ics_cmd *cmd, const struct cases *c, struct progress *pg) {
  size_t n = cmd->ids ? cmd->nids : ehcp_case_set_count(c->set);
  struct member *m = calloc(n ? n : 1, sizeof *m);
  if (!m)
    return cli_error("out of memory"), -1;
  for (size_t i = 0; i < n; i++) {
    const ehcp_case *k = cmd->ids ? ehcp_case_set_find(c->set, cmd->ids[i])
                                  : ehcp_case_set_get(c->set, i);
    m[i] = (struct member){ehcp_case_attribute(k, cmd->group_by), ehcp_case_id(k), i};
    if (m[i].value && !*m[i].value)
      m[i].value = NULL;
  }
  qsort(m, n, sizeof *m, member_cmp);
  if (mkdir(cmd->dir, 0777) != 0 && errno != EEXIST) {
    free(m);
    return cli_error("ics: cannot create '%s': %s", cmd->dir, strerror(errno)), -1;
  }
  const char **ids = malloc((n ? n : 1) * sizeof *ids);
  char **names = calloc(n ? n : 1, sizeof *names);
  size_t nnames = 0;
  int status = ids && names ? 0 : (cli_error("out of memory"), -1);
  struct group_progress gp = {pg, 0};
  for (size_t i = 0; i < n && status == 0;) {
    size_t j = i;
    while (j < n && member_cmp(&(struct member){m[i].value, NULL, 0},
                               &(struct member){m[j].value, NULL, 0}) == 0)
      ids[j - i] = m[j].id, j++;
    char *name = file_name(m[i].value, names, nnames);
    size_t plen = strlen(cmd->dir) + (name ? strlen(name) : 0) + 2;
    char *path = malloc(plen);
    char calname[256];
    if (!name || !path) {
      free(name), free(path);
      cli_error("out of memory");
      status = -1;
      break;
    }
    names[nnames++] = name;
    snprintf(path, plen, "%s/%s", cmd->dir, name);
    snprintf(calname, sizeof calname, "%s: %s %s", cmd->name ? cmd->name : "EHC deadlines",
             cmd->group_by, m[i].value ? m[i].value : "(none)");
    struct ehcp_ics_options o = cmd->o;
    o.case_ids = ids, o.ncase_ids = j - i;
    o.name = calname;
    o.progress = group_progress, o.payload = &gp;
    size_t nevents = 0;
    if (write_file(path, &nevents, c, &o) != 0)
      status = -1;
    else if (!cmd->quiet)
      progress_note(pg, "%s: %zu deadline%s, %zu case%s", path, nevents, nevents == 1 ? "" : "s",
                    j - i, j - i == 1 ? "" : "s");
    gp.base += j - i;
    free(path);
    i = j;
  }
  for (size_t i = 0; i < nnames; i++)
    free(names[i]);
  free(names);
  free(ids);
  free(m);
  return status;
}

/* ---- the command --------------------------------------------------------- */

static int parse_within(int32_t *out, const char *arg) {
  char *end;
  errno = 0;
  long v = strtol(arg, &end, 10);
  if (errno || *end || end == arg || v < 0 || v > 100000)
    return cli_error("--within: '%s' is not a number of days", arg), -1;
  *out = (int32_t)v;
  return 0;
}

int cmd_ics(int argc, char **argv) {
  static const struct option long_options[] = {
      CASE_LONG_OPTIONS,
      {"within", required_argument, NULL, OPT_WITHIN},
      {"case", required_argument, NULL, OPT_CASE},
      {"local", no_argument, NULL, OPT_LOCAL},
      {"output", required_argument, NULL, OPT_OUTPUT},
      {"group-by", required_argument, NULL, OPT_GROUP_BY},
      {"output-dir", required_argument, NULL, OPT_OUTPUT_DIR},
      {"name", required_argument, NULL, OPT_NAME},
      {NULL, 0, NULL, 0}};
  struct case_options co = {0};
  struct ics_cmd cmd = {.o = {.version = EHCP_ICS_OPTIONS_VERSION}};
  struct cases c = {0};
  struct progress *pg = NULL;
  enum out_format format = FORMAT_TABLE;
  int status = EXIT_USAGE, opt;
  optind = 1;
  opterr = 0;
  while ((opt = getopt_long(argc, argv, "o:", long_options, NULL)) != -1) {
    switch (opt) {
    case OPT_WITHIN:
      if (parse_within(&cmd.o.within, optarg))
        goto done;
      cmd.o.use_within = 1;
      continue;
    case OPT_CASE: {
      int seen = 0;
      for (size_t i = 0; i < cmd.nids && !seen; i++)
        seen = strcmp(cmd.ids[i], optarg) == 0;
      if (seen)
        continue;
      const char **grown = realloc(cmd.ids, (cmd.nids + 1) * sizeof *grown);
      if (!grown) {
        cli_error("out of memory");
        goto done;
      }
      grown[cmd.nids++] = optarg;
      cmd.ids = grown;
      continue;
    }
    case OPT_LOCAL: cmd.o.local_targets = 1; continue;
    case 'o':
    case OPT_OUTPUT: cmd.output = optarg; continue;
    case OPT_GROUP_BY: cmd.group_by = optarg; continue;
    case OPT_OUTPUT_DIR: cmd.dir = optarg; continue;
    case OPT_NAME: cmd.name = optarg; continue;
    case CASE_OPT_FORMAT:
      cli_error("ics: --format does not apply (the output is always iCalendar)");
      goto done;
    default: break;
    }
    int rc = opt == '?' ? -1 : case_options_take(&co, &format, opt, optarg, usage);
    if (rc == 1)
      status = 0;
    if (rc == -1 && opt == '?')
      cli_error("ics: unknown option or missing value '%s'", argv[optind - 1]);
    if (rc)
      goto done;
  }
  cmd.quiet = co.quiet;
  if (optind >= argc) {
    cli_error("ics: no input files\n%s", usage);
    goto done;
  }
  if (cmd.group_by && !cmd.dir) {
    cli_error("ics: --group-by needs --output-dir DIR");
    goto done;
  }
  if (cmd.dir && !cmd.group_by) {
    cli_error("ics: --output-dir goes with --group-by ATTR");
    goto done;
  }
  if (cmd.group_by && cmd.output) {
    cli_error("ics: --output and --group-by exclude each other");
    goto done;
  }
  if (cases_read(&c, argv + optind, (size_t)(argc - optind), &co) || cases_prepare(&c, &co))
    goto done;
  for (size_t i = 0; i < cmd.nids; i++)
    if (!ehcp_case_set_find(c.set, cmd.ids[i])) {
      cli_error("ics: --case '%s': no such case in the input", cmd.ids[i]);
      goto done;
    }
  cmd.o.as_of = c.as_of;
  cmd.o.case_ids = cmd.ids;
  cmd.o.ncase_ids = cmd.nids;
  cmd.o.name = cmd.name;
  pg = progress_start("writing deadlines", PROGRESS_CASES,
                      cmd.ids ? cmd.nids : ehcp_case_set_count(c.set), co.quiet);
  if (cmd.group_by) {
    if (write_groups(&cmd, &c, pg) != 0)
      goto done;
  } else {
    cmd.o.progress = progress_callback, cmd.o.payload = pg;
    size_t nevents = 0;
    if (cmd.output) {
      if (write_file(cmd.output, &nevents, &c, &cmd.o) != 0)
        goto done;
    } else {
      int rc = ehcp_ics_write(stdout, &nevents, c.ev, c.rules, c.set, &cmd.o);
      if (rc != EHCP_OK) {
        cli_error("ics: %s", ehcp_strerror(rc));
        goto done;
      }
    }
    if (!co.quiet)
      progress_note(pg, "%s: %zu deadline%s", cmd.output ? cmd.output : "ics", nevents,
                    nevents == 1 ? "" : "s");
  }
  status = 0;
done:
  progress_end(pg);
  free(cmd.ids);
  cases_free(&c);
  case_options_free(&co);
  return status;
}
