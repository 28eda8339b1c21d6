#!/usr/bin/python3
"""cffi build script of the `ehcp` Python package: the extension module
`ehcp._ehcp_cffi`, in cffi's API (out-of-line) mode.

API mode means the declarations below are not trusted: cffi turns them into
C that is compiled against the real <ehcp.h>, so a declaration that does not
match the header (a wrong argument type, a missing function, a struct field
of another type) fails at build time instead of corrupting memory at run
time. Enum values, #define constants and struct layouts are taken from the
compiler (`...`), never copied here.

Two ways in:
  * meson (bindings/python/ehcp/meson.build) runs this file as a script,
    `ehcp_build.py --emit OUT.c`, and compiles OUT.c itself against the
    libehcp of the build tree;
  * setuptools (setup.py, `cffi_modules=["ehcp_build.py:ffibuilder"]`) imports
    it and lets cffi compile; where the headers and the library are is found
    as described in `_library_settings()`.
"""
import os
import shlex
import subprocess
import sys

import cffi

# The public C API (include/ehcp/*.h, the umbrella <ehcp.h>), declaration by
# declaration. Keep in the headers' order; tests/test_api.py checks that every
# function a header declares is here.
CDEF = r"""
/* common.h */
enum ehcp_error {
  EHCP_OK, EHCP_ERR_NOMEM, EHCP_ERR_INVALID, EHCP_ERR_PARSE, EHCP_ERR_RANGE,
  EHCP_ERR_IO, EHCP_ERR_NOT_FOUND, EHCP_ERR_LIMIT, ...
};
const char *ehcp_strerror(int code);
const char *ehcp_version(void);

/* date.h */
typedef int32_t ehcp_date;
#define EHCP_DATE_MIN ...
#define EHCP_DATE_MAX ...
#define EHCP_DATE_NONE ...
#define EHCP_DATE_ISO_SIZE ...
int ehcp_date_from_ymd(ehcp_date *out, int year, int month, int day);
int ehcp_date_to_ymd(int *year, int *month, int *day, ehcp_date date);
int ehcp_date_weekday(ehcp_date date);
int ehcp_is_leap_year(int year);
int ehcp_days_in_month(int year, int month);
int ehcp_date_parse(ehcp_date *out, const char *text, size_t len, const char **reason);
int ehcp_date_format(char *buf, ehcp_date date);
int ehcp_date_add_days(ehcp_date *out, ehcp_date date, int64_t days);
int ehcp_date_add_weeks(ehcp_date *out, ehcp_date date, int64_t weeks);
int ehcp_date_add_months(ehcp_date *out, ehcp_date date, int64_t months);

/* calendar.h */
enum ehcp_region {
  EHCP_REGION_NONE, EHCP_REGION_ENGLAND_AND_WALES, EHCP_REGION_SCOTLAND,
  EHCP_REGION_NORTHERN_IRELAND, ...
};
#define EHCP_HOLIDAYS_FIRST_YEAR ...
#define EHCP_HOLIDAYS_LAST_YEAR ...
#define EHCP_WEEKEND_SAT_SUN ...
enum ehcp_closure_kind { EHCP_CLOSURE_BANK_HOLIDAY, EHCP_CLOSURE_USER, EHCP_CLOSURE_ICS, ... };
typedef struct ehcp_calendar_builder ehcp_calendar_builder;
typedef struct ehcp_calendar ehcp_calendar;
int ehcp_region_from_name(int *out, const char *name);
const char *ehcp_region_name(int region);
int ehcp_calendar_builder_new(ehcp_calendar_builder **out);
void ehcp_calendar_builder_free(ehcp_calendar_builder *b);
const char *ehcp_calendar_builder_errmsg(const ehcp_calendar_builder *b);
int ehcp_calendar_builder_set_region(ehcp_calendar_builder *b, int region);
int ehcp_calendar_builder_set_weekend(ehcp_calendar_builder *b, unsigned mask);
int ehcp_calendar_builder_set_range(ehcp_calendar_builder *b, ehcp_date first, ehcp_date last);
int ehcp_calendar_builder_add_closure(ehcp_calendar_builder *b, ehcp_date first,
                                      ehcp_date last, const char *name);
int ehcp_calendar_builder_add_ics(ehcp_calendar_builder *b, const char *data, size_t len,
                                  const char *source_name);
int ehcp_calendar_builder_add_ics_file(ehcp_calendar_builder *b, const char *path);
int ehcp_calendar_build(ehcp_calendar **out, ehcp_calendar_builder *b);
void ehcp_calendar_free(ehcp_calendar *cal);
void ehcp_calendar_range(ehcp_date *first, ehcp_date *last, const ehcp_calendar *cal);
int ehcp_calendar_region(const ehcp_calendar *cal);
int ehcp_calendar_is_working_day(const ehcp_calendar *cal, ehcp_date day);
int ehcp_calendar_count(int32_t *out, const ehcp_calendar *cal, ehcp_date b, ehcp_date e);
int ehcp_calendar_add(ehcp_date *out, const ehcp_calendar *cal, ehcp_date day, int32_t n);
int ehcp_calendar_next(ehcp_date *out, const ehcp_calendar *cal, ehcp_date day);
int ehcp_calendar_previous(ehcp_date *out, const ehcp_calendar *cal, ehcp_date day);
int ehcp_calendar_count_batch(int32_t *out, const ehcp_calendar *cal, const ehcp_date *b,
                              const ehcp_date *e, size_t n);
int ehcp_calendar_add_batch(ehcp_date *out, const ehcp_calendar *cal, const ehcp_date *day,
                            const int32_t *nth, size_t n);
int ehcp_calendar_is_working_day_batch(int8_t *out, const ehcp_calendar *cal,
                                       const ehcp_date *day, size_t n);
size_t ehcp_calendar_closure_count(const ehcp_calendar *cal);
int ehcp_calendar_closure(ehcp_date *first, ehcp_date *last, const char **name, int *kind,
                          const ehcp_calendar *cal, size_t index);

/* case.h */
enum ehcp_event_type { EHCP_EV_REQUEST_RECEIVED, EHCP_EV_TYPE_COUNT, ... };
enum ehcp_exception_kind { EHCP_EXC_SCHOOL_CLOSURE, EHCP_EXC_UNSPECIFIED, ... };
typedef struct ehcp_case_set ehcp_case_set;
typedef struct ehcp_case ehcp_case;
int ehcp_event_type_from_name(int *out, const char *name, size_t len);
const char *ehcp_event_type_name(int type);
int ehcp_event_detail_check(int type, const char *detail);
int ehcp_case_set_new(ehcp_case_set **out);
void ehcp_case_set_free(ehcp_case_set *set);
const char *ehcp_case_set_errmsg(const ehcp_case_set *set);
int ehcp_case_set_set_source(ehcp_case_set *set, const char *name);
int ehcp_case_set_add_event(ehcp_case_set *set, const char *case_id, int type, ehcp_date date,
                            const char *detail, ehcp_date end_date, const char *ref);
int ehcp_case_set_add_event_at(ehcp_case_set *set, const char *case_id, int type,
                               ehcp_date date, const char *detail, ehcp_date end_date,
                               const char *ref, uint32_t line);
int ehcp_case_set_set_attribute(ehcp_case_set *set, const char *case_id, const char *name,
                                const char *value);
size_t ehcp_case_set_count(const ehcp_case_set *set);
const ehcp_case *ehcp_case_set_get(const ehcp_case_set *set, size_t index);
const ehcp_case *ehcp_case_set_find(const ehcp_case_set *set, const char *case_id);
const char *ehcp_case_id(const ehcp_case *c);
size_t ehcp_case_event_count(const ehcp_case *c);
int ehcp_case_event(int *type, ehcp_date *date, const char **detail, ehcp_date *end_date,
                    const char **ref, const ehcp_case *c, size_t index);
int ehcp_case_event_source(const char **source, uint32_t *line, const ehcp_case *c,
                           size_t index);
const char *ehcp_case_attribute(const ehcp_case *c, const char *name);
size_t ehcp_case_attribute_count(const ehcp_case *c);
int ehcp_case_attribute_at(const char **name, const char **value, const ehcp_case *c,
                           size_t index);

/* diagnostic.h */
enum ehcp_severity { EHCP_SEVERITY_ERROR, EHCP_SEVERITY_WARNING, EHCP_SEVERITY_NOTE, ... };
struct ehcp_diagnostic {
  int severity;
  int code;
  const char *source;
  uint32_t line;
  const char *path;
  const char *case_id;
  const char *message;
  ...;
};
typedef struct ehcp_diagnostics ehcp_diagnostics;
int ehcp_diagnostics_new(ehcp_diagnostics **out);
void ehcp_diagnostics_free(ehcp_diagnostics *d);
size_t ehcp_diagnostics_count(const ehcp_diagnostics *d);
size_t ehcp_diagnostics_count_severity(const ehcp_diagnostics *d, int severity);
const struct ehcp_diagnostic *ehcp_diagnostics_get(const ehcp_diagnostics *d, size_t index);
void ehcp_diagnostics_clear(ehcp_diagnostics *d);
int ehcp_diagnostics_add(ehcp_diagnostics *d, int severity, int code, const char *source,
                         uint32_t line, const char *path, const char *case_id,
                         const char *message);
const char *ehcp_diag_code_name(int code);
const char *ehcp_severity_name(int severity);
int ehcp_validate_case(ehcp_diagnostics *d, const ehcp_case *c, ehcp_date as_of);
int ehcp_validate_set(ehcp_diagnostics *d, const ehcp_case_set *set, ehcp_date as_of);

/* reader.h */
enum ehcp_format {
  EHCP_FORMAT_AUTO, EHCP_FORMAT_EVENTS_CSV, EHCP_FORMAT_ATTRIBUTES_CSV,
  EHCP_FORMAT_CASES_CSV, EHCP_FORMAT_SEN2_XML, ...
};
typedef struct ehcp_reader ehcp_reader;
int ehcp_reader_new(ehcp_reader **out, ehcp_case_set *set, ehcp_diagnostics *diags);
void ehcp_reader_free(ehcp_reader *r);
const char *ehcp_reader_errmsg(const ehcp_reader *r);
int ehcp_reader_detect(int *format, const char *data, size_t len);
int ehcp_reader_read_file(ehcp_reader *r, const char *path, int format);
int ehcp_reader_read_buffer(ehcp_reader *r, const char *data, size_t len, const char *name,
                            int format);
void ehcp_reader_last_counts(uint64_t *read, uint64_t *accepted, uint64_t *rejected,
                             const ehcp_reader *r);
void ehcp_reader_total_counts(uint64_t *read, uint64_t *accepted, uint64_t *rejected,
                              const ehcp_reader *r);
int ehcp_reader_last_format(const ehcp_reader *r);
ehcp_date ehcp_reader_reference_date(const ehcp_reader *r);
const char *ehcp_format_name(int format);
int ehcp_reader_map_column(ehcp_reader *r, const char *field, const char *header);

/* ruleset.h */
typedef struct ehcp_ruleset ehcp_ruleset;
int ehcp_ruleset_new(ehcp_ruleset **out, const char *base);
void ehcp_ruleset_free(ehcp_ruleset *rs);
const char *ehcp_ruleset_errmsg(const ehcp_ruleset *rs);
int ehcp_ruleset_load_string(ehcp_ruleset *rs, const char *text, size_t len,
                             const char *source_name);
int ehcp_ruleset_load_file(ehcp_ruleset *rs, const char *path);
int ehcp_ruleset_set_option(ehcp_ruleset *rs, const char *option, const char *value);
const char *ehcp_ruleset_option(const ehcp_ruleset *rs, const char *option);
const char *ehcp_ruleset_name(const ehcp_ruleset *rs);
int ehcp_ruleset_region(const ehcp_ruleset *rs);
size_t ehcp_ruleset_count(const ehcp_ruleset *rs);
int ehcp_ruleset_milestone(const char **id, const char **name, int *statutory,
                           const ehcp_ruleset *rs, size_t index);
int ehcp_ruleset_milestone_text(const char **label, const char **source,
                                const ehcp_ruleset *rs, size_t index);
int ehcp_ruleset_find(size_t *index, const ehcp_ruleset *rs, const char *id);

/* timeline.h */
enum ehcp_status {
  EHCP_STATUS_MET, EHCP_STATUS_MISSED, EHCP_STATUS_DUE, EHCP_STATUS_OVERDUE,
  EHCP_STATUS_NOT_APPLICABLE, ...
};
enum ehcp_stage { EHCP_STAGE_NONE, EHCP_STAGE_CEASED, ... };
#define EHCP_NO_VALUE ...
struct ehcp_milestone_result {
  size_t milestone;
  const char *id;
  const char *name;
  int statutory;
  ehcp_date start;
  ehcp_date due;
  ehcp_date done;
  int status;
  int32_t days_late;
  int32_t days_left;
  int32_t working_days_left;
  int exception;
  int exception_kind;
  const char *ref;
  int detail;
  ...;
};
typedef struct ehcp_evaluator ehcp_evaluator;
typedef struct ehcp_timeline ehcp_timeline;
int ehcp_evaluator_new(ehcp_evaluator **out, const ehcp_ruleset *rs, const ehcp_calendar *cal);
const ehcp_ruleset *ehcp_evaluator_ruleset(const ehcp_evaluator *ev);
const ehcp_calendar *ehcp_evaluator_calendar(const ehcp_evaluator *ev);
void ehcp_evaluator_free(ehcp_evaluator *ev);
int ehcp_evaluator_add_setting_calendar(ehcp_evaluator *ev, const char *ref,
                                        const ehcp_calendar *setting);
int ehcp_timeline_new(ehcp_timeline **out);
void ehcp_timeline_free(ehcp_timeline *tl);
int ehcp_evaluate(ehcp_timeline *tl, const ehcp_evaluator *ev, const ehcp_case *c,
                  ehcp_date as_of);
size_t ehcp_timeline_count(const ehcp_timeline *tl);
const struct ehcp_milestone_result *ehcp_timeline_get(const ehcp_timeline *tl, size_t index);
int ehcp_timeline_stage(const ehcp_timeline *tl);
int ehcp_timeline_next(size_t *index, const ehcp_timeline *tl);
ehcp_date ehcp_timeline_as_of(const ehcp_timeline *tl);
const char *ehcp_status_name(int status);
const char *ehcp_stage_name(int stage);
const char *ehcp_exception_kind_name(int kind);
int ehcp_evaluate_set(const ehcp_evaluator *ev, const ehcp_case_set *set, ehcp_date as_of,
                      unsigned nthreads,
                      int (*fn)(const ehcp_case *c, const ehcp_timeline *tl, void *payload),
                      void *payload);

/* measures.h */
enum ehcp_period {
  EHCP_PERIOD_MONTH, EHCP_PERIOD_QUARTER, EHCP_PERIOD_YEAR, EHCP_PERIOD_FY,
  EHCP_PERIOD_AY, EHCP_PERIOD_ALL, ...
};
struct ehcp_measures_options {
  unsigned version;
  int period;
  const char *const *group_by;
  size_t ngroup_by;
  const char *const *measures;
  size_t nmeasures;
  ehcp_date from, to;
  ...;
};
#define EHCP_MEASURES_OPTIONS_VERSION ...
struct ehcp_measure_row {
  const char *measure;
  const char *period;
  const char *group;
  uint64_t numerator;
  uint64_t denominator;
  double percent;
  ...;
};
struct ehcp_waiting_summary {
  const char *group;
  uint64_t plans;
  uint64_t within_20w;
  uint64_t within_52w;
  uint64_t over_52w;
  double mean_weeks;
  double median_weeks;
  double p90_weeks;
  double longest_weeks;
  uint64_t open_past_20w;
  double open_past_20w_mean_weeks;
  double open_past_20w_max_weeks;
  uint64_t overdue_reviews;
  uint64_t phase_transfers_due;
  ...;
};
typedef struct ehcp_measures ehcp_measures;
double ehcp_percent(uint64_t a, uint64_t b);
const char *ehcp_period_name(int period);
int ehcp_period_from_name(int *out, const char *name);
int ehcp_measures_new(ehcp_measures **out, const ehcp_ruleset *rs,
                      const struct ehcp_measures_options *opts);
void ehcp_measures_free(ehcp_measures *m);
const char *ehcp_measures_errmsg(const ehcp_measures *m);
int ehcp_measures_add(ehcp_measures *m, const ehcp_case *c, const ehcp_timeline *tl);
int ehcp_measures_merge(ehcp_measures *into, const ehcp_measures *from);
int ehcp_measures_compute(ehcp_measures **out, const ehcp_evaluator *ev,
                          const ehcp_case_set *set, ehcp_date as_of,
                          const struct ehcp_measures_options *opts);
size_t ehcp_measures_count(const ehcp_measures *m);
const struct ehcp_measure_row *ehcp_measures_get(const ehcp_measures *m, size_t index);
size_t ehcp_measures_summary_count(const ehcp_measures *m);
const struct ehcp_waiting_summary *ehcp_measures_summary(const ehcp_measures *m, size_t index);

/* cohort.h */
struct ehcp_cohort_counts {
  uint64_t requests;
  uint64_t assess_yes;
  uint64_t assess_no;
  uint64_t withdrawn;
  uint64_t issued_within_20w;
  uint64_t issued_after_20w;
  uint64_t not_issued;
  uint64_t open_request;
  uint64_t open_assessment;
  uint64_t open_draft;
  uint64_t open_past_20w;
  ...;
};
struct ehcp_km_point {
  int week;
  double share;
  uint64_t at_risk;
  ...;
};
#define EHCP_KM_POINTS ...
typedef struct ehcp_cohorts ehcp_cohorts;
int ehcp_cohorts_new(ehcp_cohorts **out, ehcp_date as_of);
void ehcp_cohorts_free(ehcp_cohorts *co);
int ehcp_cohorts_add(ehcp_cohorts *co, const ehcp_case *c, const ehcp_timeline *tl);
int ehcp_cohorts_merge(ehcp_cohorts *into, const ehcp_cohorts *from);
int ehcp_cohorts_compute(ehcp_cohorts **out, const ehcp_evaluator *ev,
                         const ehcp_case_set *set, ehcp_date as_of);
size_t ehcp_cohorts_count(const ehcp_cohorts *co);
int ehcp_cohorts_month(int *year, int *month, const ehcp_cohorts *co, size_t index);
const struct ehcp_cohort_counts *ehcp_cohorts_counts(const ehcp_cohorts *co, size_t index);
size_t ehcp_cohorts_history_count(const ehcp_cohorts *co, size_t index);
const struct ehcp_cohort_counts *ehcp_cohorts_history(ehcp_date *at, const ehcp_cohorts *co,
                                                      size_t index, size_t k);
const struct ehcp_km_point *ehcp_cohorts_km(const ehcp_cohorts *co, size_t index);

/* export.h (FILE is cffi's opaque stdio type) */
void ehcp_export_free(char *buf);
struct ehcp_ics_options {
  unsigned version;
  ehcp_date as_of;
  int use_within;
  int32_t within;
  const char *const *case_ids;
  size_t ncase_ids;
  int local_targets;
  const char *name;
  int (*progress)(uint64_t done, uint64_t total, void *payload);
  void *payload;
  ...;
};
#define EHCP_ICS_OPTIONS_VERSION ...
#define EHCP_ICS_UID_SIZE ...
int ehcp_ics_uid(char *buf, const char *case_id, const struct ehcp_milestone_result *r);
int ehcp_ics_write(FILE *out, size_t *nevents, const ehcp_evaluator *ev, const ehcp_ruleset *rs,
                   const ehcp_case_set *set, const struct ehcp_ics_options *opts);
int ehcp_ics_string(char **out, size_t *len, size_t *nevents, const ehcp_evaluator *ev,
                    const ehcp_ruleset *rs, const ehcp_case_set *set,
                    const struct ehcp_ics_options *opts);
struct ehcp_report_options {
  unsigned version;
  ehcp_date as_of;
  const char *title;
  const char *subtitle;
  double target_20w;
  double target_reviews;
  double target_advice;
  unsigned months;
  unsigned advice_periods;
  ...;
};
#define EHCP_REPORT_OPTIONS_VERSION ...
int ehcp_report_write_html(FILE *out, const ehcp_measures *monthly, const ehcp_measures *advice,
                           const ehcp_cohorts *co, const struct ehcp_report_options *opts);
int ehcp_report_html(char **out, size_t *len, const ehcp_measures *monthly,
                     const ehcp_measures *advice, const ehcp_cohorts *co,
                     const struct ehcp_report_options *opts);

/* The binding's own: ehcp_evaluate_set()'s callback, implemented in Python
 * (ehcp/_evaluate.py) with @ffi.def_extern(). cffi takes the GIL back for
 * the duration of each call. */
extern "Python" int _ehcpy_on_case(const ehcp_case *c, const ehcp_timeline *tl, void *payload);
"""

MODULE = "ehcp._ehcp_cffi"
SOURCE = '#include "ehcp.h"\n'

HERE = os.path.dirname(os.path.abspath(__file__))
TREE = os.path.normpath(os.path.join(HERE, "..", ".."))


def _pkg_config(*args):
    try:
        out = subprocess.run(["pkg-config", *args, "ehcp"], capture_output=True, text=True,
                             check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return shlex.split(out)


def _library_settings():
    """Where <ehcp.h> and libehcp are, for a setuptools build, first that applies:

    1. EHCP_INCLUDE_DIR and EHCP_LIBRARY_DIR: that header directory and that
       library directory (the module gets an RPATH to the library directory);
    2. EHCP_BUILD_DIR: a meson build directory of this source tree (headers
       from the tree's include/, the library from BUILD/lib, with RPATH);
    3. pkg-config ehcp: an installed libehcp (`meson install`);
    4. the tree's include/ and build/lib/libehcp.so, if both exist.
    """
    inc, libdir = os.environ.get("EHCP_INCLUDE_DIR"), os.environ.get("EHCP_LIBRARY_DIR")
    build = os.environ.get("EHCP_BUILD_DIR")
    if not (inc and libdir) and build:
        inc, libdir = os.path.join(TREE, "include"), os.path.join(os.path.abspath(build), "lib")
    if inc and libdir:
        return dict(include_dirs=[inc], library_dirs=[libdir], runtime_library_dirs=[libdir],
                    libraries=["ehcp"])
    cflags, libs = _pkg_config("--cflags"), _pkg_config("--libs")
    if cflags is not None and libs is not None:
        libdirs = [f[2:] for f in libs if f.startswith("-L")]
        return dict(include_dirs=[f[2:] for f in cflags if f.startswith("-I")],
                    library_dirs=libdirs, runtime_library_dirs=libdirs,
                    libraries=[f[2:] for f in libs if f.startswith("-l")] or ["ehcp"])
    inc, libdir = os.path.join(TREE, "include"), os.path.join(TREE, "build", "lib")
    if os.path.exists(os.path.join(inc, "ehcp.h")) and os.path.exists(
            os.path.join(libdir, "libehcp.so")):
        return dict(include_dirs=[inc], library_dirs=[libdir], runtime_library_dirs=[libdir],
                    libraries=["ehcp"])
    raise RuntimeError(
        "ehcp: cannot find libehcp. Install it (meson install -C build), or build the tree "
        "and set EHCP_BUILD_DIR=/path/to/build, or set EHCP_INCLUDE_DIR and EHCP_LIBRARY_DIR")


def make_ffi(**settings):
    ffi = cffi.FFI()
    ffi.cdef(CDEF)
    ffi.set_source(MODULE, SOURCE, **settings)
    return ffi


if __name__ == "__main__":
    # meson: write the C source only; meson compiles and links it.
    if len(sys.argv) != 3 or sys.argv[1] != "--emit":
        sys.exit("usage: ehcp_build.py --emit OUTPUT.c")
    make_ffi().emit_c_code(sys.argv[2])
else:
    # setuptools (cffi_modules) imports this module and compiles `ffibuilder`.
    ffibuilder = make_ffi(**_library_settings())
