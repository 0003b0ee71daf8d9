/*
 * test_json.c - unit tests of the two small JSON pieces: mgmd's writer
 * (escaping, commas, nesting) read back by mgmctl's reader, and the reader
 * on valid and invalid text (RFC 8259 corners, depth limit).
 *
 * SPDX-License-Identifier: MIT
 */
#include <arpa/inet.h>
#include <stdlib.h>

#include "check.h"
#include "json.h"
#include "jsonp.h"

static void test_roundtrip(void) {
  struct jw j;
  struct jv *v;
  char *text, err[128];

  jw_init(&j);
  jw_obj(&j);
  jw_kstr(&j, "plain", "lan2");
  jw_kstr(&j, "esc", "q\"b\\n\n\tc\x01\x7f\xc3\xa9");
  jw_ku64(&j, "big", 4294967295u);
  jw_key(&j, "neg");
  jw_i64(&j, -5);
  jw_kbool(&j, "t", 1);
  jw_key(&j, "n");
  jw_null(&j);
  jw_kip(&j, "ip", inet_addr("10.1.2.3"));
  jw_key(&j, "arr");
  jw_arr(&j);
  jw_u64(&j, 1);
  jw_arr(&j);
  jw_arr_end(&j);
  jw_obj(&j);
  jw_obj_end(&j);
  jw_str(&j, NULL);
  jw_arr_end(&j);
  jw_obj_end(&j);
  text = jw_take(&j);
  CHECK(text != NULL, "writer failed");
  v = text ? jv_parse(text, err, sizeof(err)) : NULL;
  CHECK(v != NULL, "reader rejects the writer's text (%s): %s", err,
        check_str(text));
  if (v != NULL) {
    CHECK(strcmp(jv_str(jv_get(v, "plain"), ""), "lan2") == 0, "plain");
    /* bytes outside printable ASCII come back as U+00XX, UTF-8 encoded */
    CHECK(strcmp(jv_str(jv_get(v, "esc"), ""),
                 "q\"b\\n\n\tc\x01\x7f\xc3\x83\xc2\xa9") == 0,
          "escapes \"%s\"", jv_str(jv_get(v, "esc"), ""));
    CHECK(jv_int(jv_get(v, "big"), 0) == 4294967295LL, "big");
    CHECK(jv_int(jv_get(v, "neg"), 0) == -5, "neg");
    CHECK(jv_bool(jv_get(v, "t"), 0) == 1, "bool");
    CHECK(jv_get(v, "n") && jv_get(v, "n")->type == JV_NULL, "null");
    CHECK(jv_len(jv_get(v, "arr")) == 4, "array length");
    CHECK(jv_at(jv_get(v, "arr"), 3)->type == JV_NULL, "NULL string");
    CHECK(jv_get(v, "missing") == NULL && jv_at(jv_get(v, "arr"), 9) == NULL,
          "absent members");
  }
  if (v != NULL)
    CHECK(strcmp(jv_str(jv_get(v, "ip"), ""), "10.1.2.3") == 0, "ip %s",
          jv_str(jv_get(v, "ip"), ""));
  jv_free(v);
  free(text);
}

static void good(const char *text) {
  char err[128] = "";
  struct jv *v = jv_parse(text, err, sizeof(err));

  CHECK(v != NULL, "rejected %s: %s", text, err);
  jv_free(v);
}

static void bad(const char *text) {
  char err[128] = "";
  struct jv *v = jv_parse(text, err, sizeof(err));

  CHECK(v == NULL, "accepted %s", text);
  CHECK_CONTAINS(err, "offset ");
  jv_free(v);
}

static void test_reader(void) {
  char deep[300];
  struct jv *v;
  char err[64];
  int i;

  good("{}");
  good(" [ 1 , -0.5e+3 , \"\\u00e9\\ud83d\\ude00\" , true , false , null ] ");
  good("{\"a\":{\"b\":[{}]}}");
  good("0");
  bad("");
  bad("{");
  bad("[1,]");
  bad("{\"a\" 1}");
  bad("{\"a\":1,}");
  bad("{1:2}");
  bad("\"open");
  bad("\"ctl\x01\"");
  bad("\"\\x\"");
  bad("\"\\ud800\"");
  bad("\"\\u0000\"");
  bad("01");
  bad("1.");
  bad("-");
  bad("tru");
  bad("nul");
  bad("[1] 2");
  /* Beyond a double: strtod's infinity would be printed as "inf", which
   * is not JSON (parser fuzzing, mgmctl-01-number-overflow). */
  bad("2e2222");
  bad("{\"now_ms\":-1e400}");
  good("1.7e308");
  good("1e-400");
  for (i = 0; i < 100; i++)
    deep[i] = '[';
  for (i = 100; i < 200; i++)
    deep[i] = ']';
  deep[200] = '\0';
  bad(deep);
  v = jv_parse("{\"x\":{\"y\":\"z\"}}", err, sizeof(err));
  CHECK(strcmp(jv_str(jv_path(v, "x.y"), ""), "z") == 0, "path");
  CHECK(jv_path(v, "x.q") == NULL, "path miss");
  jv_free(v);
}

int main(void) {
  test_roundtrip();
  test_reader();
  return check_report("test_json");
}
