/* `ehcp holidays` and `ehcp workdays`: the calendar commands. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char holidays_usage[] =
    "usage: ehcp holidays [--region R] --from D --to D [--ics FILE ...] [--closed D[..D] ...]\n"
    "                     [--format table|csv|json]\n"
    "\n"
    "Lists the non-working days from D to D (inclusive) other than weekends:\n"
    "bank holidays of the region and any closures given, with their names.\n"
    "\n"
    "  --region R      england-and-wales (default), scotland, northern-ireland, none\n"
    "  --from D, --to D  the days to list (YYYY-MM-DD, DD/MM/YYYY or YYYY-Mon-DD)\n"
    "  --ics FILE      closures from an iCalendar file (all-day events; repeatable)\n"
    "  --closed D[..D] an extra closed day or inclusive range (repeatable)\n"
    "  --format F      table (default on a terminal), csv (default otherwise) or json\n";

static const char workdays_usage[] =
    "usage: ehcp workdays [--region R] [--ics FILE ...] [--closed D[..D] ...] FROM TO\n"
    "       ehcp workdays [--region R] [--ics FILE ...] [--closed D[..D] ...] --add N FROM\n"
    "\n"
    "The first form prints the number of working days in [FROM, TO): FROM counted,\n"
    "TO not; when TO is before FROM the count is negative, so counts add up.\n"
    "The second prints the N-th working day after FROM (FROM itself excluded);\n"
    "a negative N counts back. Working days are Monday to Friday except the\n"
    "region's bank holidays and the closures given (timescales.md 3.6).\n"
    "\n"
    "  --region R, --ics FILE, --closed D[..D]   as for `ehcp holidays`\n"
    "  --add N         print the N-th working day after FROM instead of a count\n"
    "  --format F      table, csv or json\n";

enum { OPT_REGION = 1000, OPT_ICS, OPT_CLOSED, OPT_FROM, OPT_TO, OPT_FORMAT, OPT_ADD, OPT_HELP };

static const struct option calendar_long_options[] = {
    {"region", required_argument, NULL, OPT_REGION}, {"ics", required_argument, NULL, OPT_ICS},
    {"closed", required_argument, NULL, OPT_CLOSED}, {"from", required_argument, NULL, OPT_FROM},
    {"to", required_argument, NULL, OPT_TO},         {"format", required_argument, NULL, OPT_FORMAT},
    {"add", required_argument, NULL, OPT_ADD},       {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0}};

/* Options of both commands; each command rejects the ones it does not take. */
struct calendar_args {
  struct calendar_options cal;
  const char *from, *to, *add;
  enum out_format format;
  int help;
};

static int parse_args(struct calendar_args *a, int argc, char **argv, const char *usage) {
  *a = (struct calendar_args){.format = format_default(stdout)};
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, "", calendar_long_options, NULL)) != -1) {
    switch (c) {
    case OPT_REGION: calendar_options_add(&a->cal, "region", optarg); break;
    case OPT_ICS:
    case OPT_CLOSED:
      if (calendar_options_add(&a->cal, c == OPT_ICS ? "ics" : "closed", optarg) != 0)
        return cli_error("out of memory");
      break;
    case OPT_FROM: a->from = optarg; break;
    case OPT_TO: a->to = optarg; break;
    case OPT_ADD: a->add = optarg; break;
    case OPT_FORMAT:
      if (cli_format(&a->format, optarg) != 0)
        return EXIT_USAGE;
      break;
    case OPT_HELP: fputs(usage, stdout); a->help = 1; return 0;
    default:
      cli_error("%s: unknown option or missing value '%s'\n%s", argv[0], argv[optind - 1], usage);
      return EXIT_USAGE;
    }
  }
  return 0;
}

int cmd_holidays(int argc, char **argv) {
  struct calendar_args a;
  int status = parse_args(&a, argc, argv, holidays_usage);
  ehcp_date from, to;
  ehcp_calendar *cal = NULL;
  if (status || a.help)
    goto done;
  status = EXIT_USAGE;
  if (a.add || optind < argc) {
    cli_error("holidays: unexpected argument\n%s", holidays_usage);
    goto done;
  }
  if (!a.from || !a.to) {
    cli_error("holidays: --from and --to are required\n%s", holidays_usage);
    goto done;
  }
  if (cli_date(&from, a.from, "--from") || cli_date(&to, a.to, "--to"))
    goto done;
  if (to < from) {
    cli_error("holidays: --to %s is before --from %s", a.to, a.from);
    goto done;
  }
  if (calendar_options_build(&cal, &a.cal) != 0)
    goto done;

  ehcp_date first, last;
  ehcp_calendar_range(&first, &last, cal);
  if (from < first || to > last) {
    char f[EHCP_DATE_ISO_SIZE], l[EHCP_DATE_ISO_SIZE];
    ehcp_date_format(f, first);
    ehcp_date_format(l, last);
    cli_error("holidays: dates must lie within the calendar's range %s..%s", f, l);
    goto done;
  }
  /* Name each weekday closed in [from, to], preferring a bank holiday's name
   * where closures overlap (a council closure over Christmas). */
  size_t ndays = (size_t)(to - from) + 1;
  const char **names = calloc(ndays, sizeof *names);
  if (!names) {
    cli_error("out of memory");
    goto done;
  }
  for (size_t i = 0; i < ehcp_calendar_closure_count(cal); i++) {
    ehcp_date cf, cl;
    const char *name;
    int kind;
    ehcp_calendar_closure(&cf, &cl, &name, &kind, cal, i);
    for (ehcp_date d = cf > from ? cf : from; d <= cl && d <= to; d++)
      if (!names[d - from] || kind == EHCP_CLOSURE_BANK_HOLIDAY)
        names[d - from] = name;
  }
  json_t *list = json_array();
  struct table t;
  table_init(&t, 2, (const char *const[]){"date", "name"});
  for (size_t i = 0; i < ndays; i++) {
    if (!names[i] || ehcp_date_weekday(from + (ehcp_date)i) >= EHCP_SATURDAY)
      continue;
    char iso[EHCP_DATE_ISO_SIZE];
    ehcp_date_format(iso, from + (ehcp_date)i);
    json_array_append_new(list, json_pack("{s:s, s:o}", "date", iso, "name", json_text(names[i])));
    table_add_row(&t, (const char *const[]){iso, names[i]});
  }
  free(names);
  if (a.format == FORMAT_JSON) {
    json_print(json_pack("{s:s, s:o}", "region", a.cal.region ? a.cal.region : "england-and-wales",
                         "holidays", list),
               stdout);
  } else {
    json_decref(list);
    table_print(&t, stdout, a.format);
  }
  table_free(&t);
  status = 0;
done:
  ehcp_calendar_free(cal);
  calendar_options_free(&a.cal);
  return status;
}

static int parse_int32(int32_t *out, const char *text) {
  char *end;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (errno || end == text || *end || v < INT32_MIN || v > INT32_MAX)
    return -1;
  *out = (int32_t)v;
  return 0;
}

int cmd_workdays(int argc, char **argv) {
  struct calendar_args a;
  int status = parse_args(&a, argc, argv, workdays_usage);
  ehcp_calendar *cal = NULL;
  if (status || a.help)
    goto done;
  status = EXIT_USAGE;
  int npos = argc - optind, want = a.add ? 1 : 2;
  if (a.from || a.to || npos != want) {
    cli_error("workdays: expected %s\n%s", a.add ? "--add N FROM" : "FROM TO", workdays_usage);
    goto done;
  }
  ehcp_date from, to = 0;
  int32_t n = 0;
  if (cli_date(&from, argv[optind], "FROM") || (!a.add && cli_date(&to, argv[optind + 1], "TO")))
    goto done;
  if (a.add && parse_int32(&n, a.add) != 0) {
    cli_error("--add: '%s' is not a whole number", a.add);
    goto done;
  }
  if (calendar_options_build(&cal, &a.cal) != 0)
    goto done;

  const char *region = a.cal.region ? a.cal.region : "england-and-wales";
  char fiso[EHCP_DATE_ISO_SIZE], tiso[EHCP_DATE_ISO_SIZE];
  ehcp_date_format(fiso, from);
  if (a.add) {
    ehcp_date out;
    if (ehcp_calendar_add(&out, cal, from, n) != EHCP_OK) {
      cli_error("workdays: the %d-th working day after %s is outside the calendar's range", n,
                fiso);
      goto done;
    }
    ehcp_date_format(tiso, out);
    if (a.format == FORMAT_JSON)
      json_print(json_pack("{s:s, s:s, s:i, s:s}", "region", region, "from", fiso, "add", (int)n,
                           "date", tiso),
                 stdout);
    else
      printf("%s\n", tiso);
  } else {
    int32_t count;
    ehcp_date_format(tiso, to);
    if (ehcp_calendar_count(&count, cal, from, to) != EHCP_OK) {
      cli_error("workdays: %s..%s is outside the calendar's range", fiso, tiso);
      goto done;
    }
    if (a.format == FORMAT_JSON)
      json_print(json_pack("{s:s, s:s, s:s, s:i}", "region", region, "from", fiso, "to", tiso,
                           "working_days", (int)count),
                 stdout);
    else
      printf("%d\n", count);
  }
  status = 0;
done:
  ehcp_calendar_free(cal);
  calendar_options_free(&a.cal);
  return status;
}
