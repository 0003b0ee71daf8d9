/*
 * conf.h - mgmd's configuration: the parsed form of the line-based file
 * format documented in tools/mgmd/README.md, and the built-in default.
 *
 * SPDX-License-Identifier: MIT
 *
 * The parser is pure (no libmgm, no sockets, no interface look-ups) so
 * that `mgmd --check` and the unit tests run anywhere.  Errors are one
 * line, "SOURCE:LINE: message", the first problem found.
 */
#ifndef MGMD_CONF_H
#define MGMD_CONF_H

#include <stddef.h>
#include <stdint.h>

#define MGMD_NAME_MAX 32 /* interface and protocol names, with the NUL */
#define MGMD_PATH_MAX 512
#define MGMD_LINE_MAX 1024 /* longest accepted line, without the newline */
#define MGMD_ERR_MAX 768

enum mgmd_igmp_role { MGMD_IGMP_DOWNSTREAM = 1, MGMD_IGMP_UPSTREAM = 2 };

struct mgmd_conf_simif {
  char name[MGMD_NAME_MAX];
  uint32_t ifindex;
  uint32_t addr; /* network order */
  uint32_t prefixlen;
  int up;
  unsigned line;
};

struct mgmd_conf_route {
  uint32_t network; /* network order */
  uint32_t mask;    /* network order */
  char ifname[MGMD_NAME_MAX];
  uint32_t upstream; /* network order; 0 = directly connected */
  uint32_t protocol;
  unsigned line;
};

struct mgmd_conf_igmpif {
  char name[MGMD_NAME_MAX]; /* "*" = every suitable interface */
  int role;                 /* enum mgmd_igmp_role */
  unsigned line;
};

struct mgmd_conf_igmp {
  int present;      /* an [igmp] section exists */
  unsigned line;    /* of the section header */
  uint32_t version; /* 2 or 3 */
  uint32_t robustness;
  uint32_t query_interval_s;
  uint32_t query_response_ms;
  uint32_t last_member_query_ms;
  uint32_t last_member_query_count;   /* 0 = robustness */
  uint32_t startup_query_interval_ms; /* 0 = derived */
  uint32_t startup_query_count;       /* 0 = robustness */
  int proxy_forward_upstream;
  int require_ttl1;
  uint32_t ssm_group; /* SSM range, network order (232.0.0.0/8) */
  uint32_t ssm_mask;  /* 0 = none ("ssm-range none") */
  size_t n_ifs;
  struct mgmd_conf_igmpif *ifs;
};

struct mgmd_conf_proto {
  char name[MGMD_NAME_MAX];
  char plugin[MGMD_PATH_MAX]; /* as written */
  unsigned line;              /* of the section header */
  unsigned args_line;         /* file line of the first line of args */
  char *args;                 /* section body, one line per file line */
};

struct mgmd_conf {
  char source[MGMD_PATH_MAX]; /* file name, or "(built-in)" */
  char dir[MGMD_PATH_MAX];    /* directory of source ("." if none) */
  char backend[16];           /* "" = not set (linux) */
  uint32_t table;
  uint32_t mfe_lifetime_s;
  int strict;
  int wrongif_alerts;
  char libmgm_log[128]; /* LIBMGM_LOG syntax */
  int log_level;        /* MGMD_LOG_* of mgmd_plugin.h */
  char socket[MGMD_PATH_MAX];
  char pidfile[MGMD_PATH_MAX];
  /* the control socket's group (name or number); "" = owner only */
  char socket_group[MGMD_NAME_MAX];
  int has_sim; /* a [sim] section exists */
  unsigned sim_line;
  size_t n_simifs;
  struct mgmd_conf_simif *simifs;
  size_t n_routes;
  struct mgmd_conf_route *routes;
  struct mgmd_conf_igmp igmp;
  size_t n_protos;
  struct mgmd_conf_proto *protos;
};

/* The configuration used when mgmd is started without a file. */
extern const char mgmd_conf_builtin[];

/* Parse text (NUL-terminated, len bytes; embedded NULs are an error).
 * Returns 0 and *out, or -1 with err filled ("SOURCE:LINE: msg"). */
int mgmd_conf_parse(const char *text, size_t len, const char *source,
                    struct mgmd_conf **out, char *err, size_t errlen);

/* Read and parse a file. */
int mgmd_conf_load(const char *path, struct mgmd_conf **out, char *err,
                   size_t errlen);
/* The same, or the built-in configuration when path is NULL or "". */
int mgmd_conf_load_or_builtin(const char *path, struct mgmd_conf **out,
                              char *err, size_t errlen);

/* Checks that depend on the backend finally used (the command line may
 * override the file's): on sim, every interface named in [igmp] and the
 * route interfaces must be [sim] interfaces.  0 or -1 with err. */
int mgmd_conf_validate(const struct mgmd_conf *c, const char *backend,
                       char *err, size_t errlen);

void mgmd_conf_free(struct mgmd_conf *c);

/* Look-ups used by mgmd. */
const struct mgmd_conf_simif *mgmd_conf_simif_by_name(const struct mgmd_conf *c,
                                                      const char *name);
const struct mgmd_conf_proto *mgmd_conf_proto_by_name(const struct mgmd_conf *c,
                                                      const char *name);

/* Compare the IGMP parameters (not the interface lists): 0 if equal. */
int mgmd_conf_igmp_params_cmp(const struct mgmd_conf_igmp *a,
                              const struct mgmd_conf_igmp *b);

/* Parse helpers shared with the control protocol. */
int mgmd_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);
int mgmd_parse_ipv4(const char *s, uint32_t *out); /* network order */
int mgmd_parse_prefix(const char *s, uint32_t *net, uint32_t *plen);

#endif /* MGMD_CONF_H */
