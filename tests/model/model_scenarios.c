/*
 * model_scenarios.c - checks the reference model against the step tables
 * of mgm-spec.md section 4 (4.1 start-up, 4.2 shutdown, 4.3 local joins,
 * 4.4 MFE creation, 4.5 alert propagation, 4.7 lifetime, 4.8 buffers).
 *
 * SPDX-License-Identifier: MIT
 *
 * The model is the oracle of the differential fuzzer, so it is itself
 * checked here against the spec's worked examples, written out call by
 * call: every callback the model makes is formatted as one line and
 * compared with the lines the table expects.  Exit status 0 when every
 * scenario matches.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model.h"

static char got[64][160];
static int n_got, failures;
static DWORD g_timeout_reply = 0xFFFFFFFFu; /* prune alerts: keep the preset */
static int g_veto_if = -1;                  /* creation alerts: veto this if */

static const char *const KIND[] = {"Rpf",        "Creation",    "Prune",
                                   "Join",       "WrongIf",     "LocalJoin",
                                   "LocalLeave", "DisableIgmp", "EnableIgmp"};

static DWORD ip(unsigned a, unsigned b, unsigned c, unsigned d) {
  DWORD v;
  BYTE *p = (BYTE *)&v;

  p[0] = (BYTE)a;
  p[1] = (BYTE)b;
  p[2] = (BYTE)c;
  p[3] = (BYTE)d;
  return v;
}

static const char *a2s(DWORD v, char *b) {
  const BYTE *p = (const BYTE *)&v;

  if (v == 0)
    return "*";
  if (v == 0xFFFFFFFFu)
    return "~0";
  sprintf(b, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
  return b;
}

static void on_call(void *ctx, struct model_call *k) {
  char s[20], sm[20], g[20], gm[20], *out;
  DWORD j;

  (void)ctx;
  if (n_got >= 64)
    return;
  out = got[n_got++];
  switch (k->kind) {
  case MODEL_CB_JOIN:
    sprintf(out, "c%d.Join(%s,%s,%s,%s,%s)", k->client, a2s(k->s, s),
            a2s(k->smask, sm), a2s(k->g, g), a2s(k->gmask, gm),
            k->flag ? "TRUE" : "FALSE");
    break;
  case MODEL_CB_PRUNE:
    sprintf(out, "c%d.Prune(%s,%s,%s,%s,%lu,%lu,%s,t=%lu)", k->client,
            a2s(k->s, s), a2s(k->smask, sm), a2s(k->g, g), a2s(k->gmask, gm),
            (unsigned long)k->ifx, (unsigned long)k->nh,
            k->flag ? "TRUE" : "FALSE", (unsigned long)k->timeout);
    if (g_timeout_reply != 0xFFFFFFFFu)
      k->timeout = g_timeout_reply;
    break;
  case MODEL_CB_RPF:
    sprintf(out, "c%d.Rpf(%s,%s,if %lu,up %s)", k->client, a2s(k->s, s),
            a2s(k->g, g), (unsigned long)k->rpf_iif, a2s(k->rpf_up, sm));
    break;
  case MODEL_CB_CREATION:
    out += sprintf(out, "c%d.Creation(%s,%s,iif %lu,", k->client, a2s(k->s, s),
                   a2s(k->g, g), (unsigned long)k->ifx);
    for (j = 0; j < k->n_if; j++) {
      out += sprintf(out, " %lu%s", (unsigned long)k->ifs[j].dwIfIndex,
                     k->ifs[j].bIGMP ? "i" : "");
      if ((int)k->ifs[j].dwIfIndex == g_veto_if)
        k->ifs[j].bIsEnabled = FALSE;
    }
    sprintf(out, ")");
    break;
  case MODEL_CB_LOCAL_JOIN:
  case MODEL_CB_LOCAL_LEAVE:
    sprintf(out, "c%d.%s(%s,%s,%s,%s,%lu,%lu)", k->client, KIND[k->kind],
            a2s(k->s, s), a2s(k->smask, sm), a2s(k->g, g), a2s(k->gmask, gm),
            (unsigned long)k->ifx, (unsigned long)k->nh);
    break;
  default:
    sprintf(out, "c%d.%s(%lu,%lu)", k->client, KIND[k->kind],
            (unsigned long)k->ifx, (unsigned long)k->nh);
    break;
  }
}

/* Compare what was called since the last expect() with the lines given
 * (NULL-terminated). */
static void expect(const char *step, ...) {
  va_list ap;
  const char *want;
  int i = 0, bad = 0;

  va_start(ap, step);
  while ((want = va_arg(ap, const char *)) != NULL) {
    if (i >= n_got || strcmp(got[i], want) != 0)
      bad = 1;
    i++;
  }
  va_end(ap);
  if (i != n_got)
    bad = 1;
  if (bad) {
    failures++;
    printf("FAIL %s\n  expected:\n", step);
    va_start(ap, step);
    while ((want = va_arg(ap, const char *)) != NULL)
      printf("    %s\n", want);
    va_end(ap);
    printf("  got:\n");
    for (i = 0; i < n_got; i++)
      printf("    %s\n", got[i]);
  }
  n_got = 0;
}

static void rc_is(const char *step, DWORD got_rc, DWORD want) {
  if (got_rc != want) {
    failures++;
    printf("FAIL %s: returned %lu, expected %lu\n", step, (unsigned long)got_rc,
           (unsigned long)want);
  }
}

#define G1 ip(239, 1, 1, 1)
#define S1 ip(10, 1, 0, 5)
#define ALL 0xFFFFFFFFu
#define JOIN MGM_JOIN_STATE_FLAG

/* 4.1 and 4.2: start-up and shutdown of P next to IGMP and Q. */
static void scenario_startup_shutdown(void) {
  struct model *m = model_new(on_call, NULL);
  struct model_h igmp, q, p, e;
  DWORD pid = 0, cid = 0, size, n;
  SOURCE_GROUP_ENTRY buf[4];

  n_got = 0;
  model_register(m, 1, MODEL_CB_ALL, 10, 1, &igmp);   /* c0 */
  model_register(m, 1, MODEL_CB_ALL, 0x20002, 1, &q); /* c1 */
  model_take(m, igmp, 1, 0);
  model_take(m, igmp, 2, 0);
  model_add(m, igmp, 0, 0, G1, ALL, 2, 0, JOIN); /* IGMP alone: Q alerted */
  model_take(m, q, 4, 0);
  model_add(m, q, 0, 0, G1, ALL, 4, 0, JOIN);
  expect("4.1 setup", "c1.Join(*,*,239.1.1.1,~0,TRUE)",
         "c0.Join(*,*,239.1.1.1,~0,TRUE)", NULL);
  rc_is("4.1 #1", model_register(m, 1, MODEL_CB_ALL, 0x20001, 1, &p), 0);
  rc_is("4.1 #2", model_get_protocol(m, 2, 0, &pid, &cid), 0);
  rc_is("4.1 #2 pid", pid, 10);
  rc_is("4.1 #3", model_get_protocol(m, 3, 0, &pid, &cid), ERROR_NOT_FOUND);
  rc_is("4.1 #4", model_take(m, p, 2, 0), 0);
  expect("4.1 #4", "c0.DisableIgmp(2,0)",
         "c1.Prune(*,*,239.1.1.1,~0,2,0,TRUE,t=900)", "c0.EnableIgmp(2,0)",
         NULL);
  rc_is("4.1 #5", model_add(m, igmp, 0, 0, G1, ALL, 2, 0, JOIN), 0);
  expect("4.1 #5", "c2.LocalJoin(*,*,239.1.1.1,~0,2,0)", NULL);
  rc_is("4.1 #6", model_add(m, p, 0, 0, G1, ALL, 2, 0, JOIN), 0);
  expect("4.1 #6", "c1.Join(*,*,239.1.1.1,~0,TRUE)", NULL);
  rc_is("4.1 #7", model_take(m, p, 3, 0), 0);
  rc_is("4.1 #8", model_add(m, p, 0, 0, 0, 0, 3, 0, JOIN), 0);
  expect("4.1 #8", "c0.Join(*,*,*,*,TRUE)", "c1.Join(*,*,*,*,TRUE)", NULL);
  rc_is("4.1 #9", model_enum_start(m, p, ALL_SOURCES, &e), 0);
  size = 16;
  rc_is("4.1 #10", model_enum_next(m, e, &size, (BYTE *)buf, &n),
        ERROR_MORE_DATA);
  rc_is("4.1 #10 n", n, 1);
  rc_is("4.1 #11", model_enum_next(m, e, &size, (BYTE *)buf, &n),
        ERROR_NO_MORE_ITEMS);
  rc_is("4.1 #11 n", n, 1);
  rc_is("4.1 #12", model_enum_end(m, e), 0);
  /* 4.2 */
  rc_is("4.2 #3 early", model_deregister(m, p), ERROR_CAN_NOT_COMPLETE);
  rc_is("4.2 #1", model_release(m, p, 2, 0), 0);
  expect("4.2 #1", "c0.DisableIgmp(2,0)",
         "c1.Prune(*,*,239.1.1.1,~0,2,0,TRUE,t=900)", "c0.EnableIgmp(2,0)",
         NULL);
  rc_is("4.2 #1e", model_add(m, igmp, 0, 0, G1, ALL, 2, 0, JOIN), 0);
  expect("4.2 #1e", "c1.Join(*,*,239.1.1.1,~0,TRUE)", NULL);
  rc_is("4.2 #2", model_release(m, p, 3, 0), 0);
  expect("4.2 #2", "c0.Prune(*,*,*,*,3,0,TRUE,t=900)",
         "c1.Prune(*,*,*,*,3,0,TRUE,t=900)", NULL);
  rc_is("4.2 #3", model_deregister(m, p), 0);
  rc_is("4.2 stale", model_take(m, p, 3, 0), ERROR_INVALID_PARAMETER);
  model_free(m);
}

/* 4.3: IGMP joins on an interface P owns are latent. */
static void scenario_local(void) {
  struct model *m = model_new(on_call, NULL);
  struct model_h igmp, p;
  DWORD S = ip(10, 9, 9, 9);

  n_got = 0;
  model_register(m, 1, MODEL_CB_ALL, 0x4137000Au, 1, &igmp); /* c0 */
  model_register(m, 1, MODEL_CB_ALL, 0x20001, 1, &p);        /* c1 */
  model_take(m, p, 5, 0);
  rc_is("4.3 take", model_take(m, igmp, 5, 0), 0);
  expect("4.3 take", NULL);
  model_add(m, igmp, 0, 0, G1, ALL, 5, 0, JOIN);
  expect("4.3 #1", "c1.LocalJoin(*,*,239.1.1.1,~0,5,0)", NULL);
  rc_is("4.3 #2", model_add(m, igmp, 0, 0, G1, ALL, 5, 0, JOIN), 0);
  expect("4.3 #2", NULL);
  model_add(m, p, 0, 0, G1, ALL, 5, 0, JOIN);
  expect("4.3 #3", "c0.Join(*,*,239.1.1.1,~0,TRUE)", NULL);
  model_add(m, igmp, S, ALL, G1, ALL, 5, 0, JOIN);
  expect("4.3 #4", "c1.LocalJoin(10.9.9.9,~0,239.1.1.1,~0,5,0)", NULL);
  model_delete(m, igmp, 0, 0, G1, ALL, 5, 0, JOIN);
  expect("4.3 #5", "c1.LocalLeave(*,*,239.1.1.1,~0,5,0)", NULL);
  model_delete(m, p, 0, 0, G1, ALL, 5, 0, JOIN);
  expect("4.3 #6", "c0.Prune(*,*,239.1.1.1,~0,5,0,TRUE,t=900)", NULL);
  model_release(m, igmp, 5, 0);
  expect("4.3 #7", "c1.LocalLeave(10.9.9.9,~0,239.1.1.1,~0,5,0)", NULL);
  model_free(m);
}

/* 4.4 (with the veto of step 7) and 4.7. */
static void scenario_creation(void) {
  struct model *m = model_new(on_call, NULL);
  struct model_h p, q, igmp;
  BYTE buf[512];
  MIB_IPMCAST_MFE key, r;
  DWORD size;

  n_got = 0;
  model_route_set(m, ip(10, 1, 0, 0), ip(255, 255, 0, 0), 1, ip(10, 1, 0, 1),
                  8);
  model_register(m, 1, MODEL_CB_ALL, 0x20001, 1, &p); /* c0 */
  model_register(m, 1, MODEL_CB_ALL, 0x20002, 1, &q); /* c1 */
  model_register(m, 1, MODEL_CB_ALL, 10, 1, &igmp);   /* c2 */
  model_take(m, p, 1, 0);
  model_take(m, q, 2, 0);
  model_take(m, q, 3, 0);
  model_take(m, igmp, 4, 0);
  model_add(m, q, 0, 0, G1, ALL, 2, 0, JOIN);
  model_add(m, q, 0, 0, G1, ALL, 3, 0, JOIN);
  model_add(m, igmp, 0, 0, G1, ALL, 4, 0, JOIN);
  model_add(m, p, 0, 0, 0, 0, 1, 0, JOIN);
  n_got = 0;
  g_veto_if = 3;
  model_packet(m, 1, S1, G1);
  g_veto_if = -1;
  expect("4.4 #4-6", "c0.Rpf(10.1.0.5,239.1.1.1,if 1,up 10.1.0.1)",
         "c1.Creation(10.1.0.5,239.1.1.1,iif 1, 2 3)",
         "c2.Creation(10.1.0.5,239.1.1.1,iif 1, 4i)", NULL);
  memset(&key, 0, sizeof(key));
  key.dwGroup = G1;
  key.dwSource = S1;
  size = sizeof(buf);
  rc_is("4.4 #8", model_get_mfe(m, 0, 0, &key, &size, buf), 0);
  memcpy(&r, buf, sizeof(r));
  rc_is("4.4 #8 oifs", r.ulNumOutIf, 2);
  rc_is("4.4 #8 proto", r.dwInIfProtocol, 0x20001);
  rc_is("4.4 #8 timeout", r.ulTimeOut, 900);
  rc_is("4.4 #8 route proto", r.dwRouteProtocol, 8);
  /* 4.7: empty the list -> negative prune; the reply re-arms. */
  g_timeout_reply = 30;
  model_delete(m, q, 0, 0, G1, ALL, 2, 0, JOIN);
  model_delete(m, igmp, 0, 0, G1, ALL, 4, 0, JOIN);
  expect("4.7 #5", "c1.Prune(*,*,239.1.1.1,~0,4,0,TRUE,t=900)",
         "c0.Prune(10.1.0.5,~0,239.1.1.1,~0,4,0,FALSE,t=900)", NULL);
  g_timeout_reply = 0xFFFFFFFFu;
  model_advance(m, 10000);
  size = sizeof(buf);
  model_get_mfe(m, 0, 0, &key, &size, buf);
  memcpy(&r, buf, sizeof(r));
  rc_is("4.7 #5 timeout", r.ulTimeOut, 30);
  rc_is("4.7 #2 expiry", r.ulExpiryTime, 20);
  rc_is("4.7 #2 uptime", r.ulUpTime, 10);
  model_add(m, q, 0, 0, G1, ALL, 2, 0, JOIN);
  expect("4.7 #6", "c0.Join(10.1.0.5,~0,239.1.1.1,~0,FALSE)", NULL);
  model_advance(m, 20000);
  size = sizeof(buf);
  rc_is("4.7 #4", model_get_mfe(m, 0, 0, &key, &size, buf), ERROR_NOT_FOUND);
  /* 4.7 #8: re-owning the incoming interface deletes the MFE. */
  model_packet(m, 1, S1, G1);
  n_got = 0;
  model_release(m, p, 1, 0);
  size = sizeof(buf);
  rc_is("4.7 #8", model_get_mfe(m, 0, 0, &key, &size, buf), ERROR_NOT_FOUND);
  model_free(m);
}

/* 4.5: the join/prune delivery rule. */
static void scenario_alerts(void) {
  struct model *m = model_new(on_call, NULL);
  struct model_h a, b, c, o;
  DWORD S = ip(10, 1, 0, 5);

  n_got = 0;
  model_route_set(m, ip(10, 1, 0, 0), ip(255, 255, 0, 0), 9, 0, 8);
  model_register(m, 1, MODEL_CB_ALL, 0x20001, 1, &a); /* c0 */
  model_register(m, 1, MODEL_CB_ALL, 0x20002, 1, &b); /* c1 */
  model_register(m, 1, MODEL_CB_ALL, 0x20003, 1, &c); /* c2 */
  model_register(m, 1, MODEL_CB_ALL, 0x20004, 1, &o); /* c3 */
  model_take(m, a, 1, 0);
  model_take(m, a, 5, 0);
  model_take(m, b, 2, 0);
  model_take(m, c, 3, 0);
  model_take(m, o, 9, 0);
  model_add(m, a, 0, 0, G1, ALL, 1, 0, JOIN);
  expect("4.5 #1", "c1.Join(*,*,239.1.1.1,~0,TRUE)",
         "c2.Join(*,*,239.1.1.1,~0,TRUE)", "c3.Join(*,*,239.1.1.1,~0,TRUE)",
         NULL);
  model_add(m, b, 0, 0, G1, ALL, 2, 0, JOIN);
  expect("4.5 #2", "c0.Join(*,*,239.1.1.1,~0,TRUE)", NULL);
  model_add(m, c, 0, 0, G1, ALL, 3, 0, JOIN);
  expect("4.5 #3", NULL);
  model_add(m, a, 0, 0, G1, ALL, 5, 0, JOIN);
  expect("4.5 #4", NULL);
  model_delete(m, a, 0, 0, G1, ALL, 1, 0, JOIN);
  model_delete(m, a, 0, 0, G1, ALL, 5, 0, JOIN);
  expect("4.5 #5", NULL);
  model_delete(m, b, 0, 0, G1, ALL, 2, 0, JOIN);
  expect("4.5 #6", "c2.Prune(*,*,239.1.1.1,~0,2,0,TRUE,t=900)", NULL);
  model_delete(m, c, 0, 0, G1, ALL, 3, 0, JOIN);
  expect("4.5 #7", "c0.Prune(*,*,239.1.1.1,~0,3,0,TRUE,t=900)",
         "c1.Prune(*,*,239.1.1.1,~0,3,0,TRUE,t=900)",
         "c3.Prune(*,*,239.1.1.1,~0,3,0,TRUE,t=900)", NULL);
  model_add(m, a, S, ALL, G1, ALL, 1, 0, JOIN);
  expect("4.5 #8", "c3.Join(10.1.0.5,~0,239.1.1.1,~0,TRUE)", NULL);
  model_add(m, b, S, ALL, G1, ALL, 2, 0, JOIN);
  expect("4.5 #9", NULL);
  model_delete(m, a, S, ALL, G1, ALL, 1, 0, JOIN);
  model_delete(m, b, S, ALL, G1, ALL, 2, 0, JOIN);
  expect("4.5 #10", "c3.Prune(10.1.0.5,~0,239.1.1.1,~0,2,0,TRUE,t=900)", NULL);
  model_add(m, o, S, ALL, G1, ALL, 9, 0, JOIN);
  expect("4.5 #11a", NULL);
  model_add(m, a, S, ALL, G1, ALL, 1, 0, JOIN);
  expect("4.5 #11b", "c3.Join(10.1.0.5,~0,239.1.1.1,~0,TRUE)", NULL);
  model_delete(m, o, S, ALL, G1, ALL, 9, 0, JOIN);
  model_delete(m, a, S, ALL, G1, ALL, 1, 0, JOIN);
  n_got = 0;
  model_packet(m, 9, S, G1); /* negative MFE: prune FALSE to O */
  expect("4.5 #12 setup", "c3.Rpf(10.1.0.5,239.1.1.1,if 9,up *)",
         "c3.Prune(10.1.0.5,~0,239.1.1.1,~0,9,0,FALSE,t=900)", NULL);
  model_add(m, c, 0, 0, G1, ALL, 3, 0, JOIN);
  expect("4.5 #12", "c0.Join(*,*,239.1.1.1,~0,TRUE)",
         "c1.Join(*,*,239.1.1.1,~0,TRUE)", "c3.Join(*,*,239.1.1.1,~0,TRUE)",
         "c3.Join(10.1.0.5,~0,239.1.1.1,~0,FALSE)", NULL);
  model_free(m);
}

/* 4.8: the buffer protocol example (M1 2 OIFs, M2 1, M3 0). */
static void scenario_buffers(void) {
  struct model *m = model_new(on_call, NULL);
  struct model_h p;
  BYTE buf[4096];
  MIB_IPMCAST_MFE key;
  DWORD size, n, Ga = ip(239, 0, 0, 1), Gb = ip(239, 0, 0, 2),
                 Gc = ip(239, 0, 0, 3);

  n_got = 0;
  model_register(m, 1, 0, 0x20001, 1, &p);
  model_take(m, p, 1, 0);
  model_take(m, p, 2, 0);
  model_take(m, p, 3, 0);
  model_add(m, p, 0, 0, Ga, ALL, 2, 0, JOIN);
  model_add(m, p, 0, 0, Ga, ALL, 3, 0, JOIN);
  model_add(m, p, 0, 0, Gb, ALL, 2, 0, JOIN);
  model_packet(m, 1, S1, Ga); /* no route: iif 1 */
  model_packet(m, 1, S1, Gb);
  model_packet(m, 1, S1, Gc);
  size = 50;
  rc_is("4.8 a", model_enum_mfe(m, 0, 0, 0, NULL, &size, buf, &n),
        ERROR_INSUFFICIENT_BUFFER);
  rc_is("4.8 a size", size, 92);
  size = 100;
  rc_is("4.8 b", model_enum_mfe(m, 0, 0, 0, NULL, &size, buf, &n),
        ERROR_MORE_DATA);
  rc_is("4.8 b n", n, 1);
  memcpy(&key, buf, 12);
  size = 200;
  rc_is("4.8 c", model_enum_mfe(m, 0, 0, 1, &key, &size, buf, &n),
        ERROR_NO_MORE_ITEMS);
  rc_is("4.8 c n", n, 2);
  memcpy(&key, buf + 76, 12);
  rc_is("4.8 d", model_enum_mfe(m, 0, 0, 1, &key, &size, buf, &n),
        ERROR_NO_MORE_ITEMS);
  rc_is("4.8 d n", n, 0);
  size = 100;
  rc_is("4.8 e", model_enum_mfe(m, 1, MGM_MFE_STATS_0, 0, NULL, &size, buf, &n),
        ERROR_INSUFFICIENT_BUFFER);
  rc_is("4.8 e size", size, 120);
  size = 4096;
  rc_is("4.8 f", model_enum_mfe(m, 1, MGM_MFE_STATS_1, 0, NULL, &size, buf, &n),
        ERROR_NO_MORE_ITEMS);
  rc_is("4.8 f n", n, 3);
  key.dwGroup = Gb;
  key.dwSource = S1;
  size = 50;
  rc_is("4.8 g", model_get_mfe(m, 0, 0, &key, &size, buf),
        ERROR_INSUFFICIENT_BUFFER);
  rc_is("4.8 g size", size, 76);
  rc_is("4.8 h", model_get_mfe(m, 0, 0, &key, &size, buf), 0);
  key.dwGroup = ip(239, 9, 9, 9);
  rc_is("4.8 i", model_get_mfe(m, 0, 0, &key, &size, buf), ERROR_NOT_FOUND);
  rc_is("4.8 i size", size, 76);
  model_free(m);
}

int main(void) {
  scenario_startup_shutdown();
  scenario_local();
  scenario_creation();
  scenario_alerts();
  scenario_buffers();
  printf("%s: %d failure(s)\n", failures ? "FAIL" : "ok", failures);
  return failures != 0;
}
