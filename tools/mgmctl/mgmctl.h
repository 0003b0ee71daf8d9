/*
 * mgmctl.h - what mgmctl's files share: the request round trip and the
 * two printers (tables and JSON).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef MGMCTL_H
#define MGMCTL_H

#include <stdio.h>

#include "jsonp.h"

/* One request line to mgmd on path; the reply text (malloc'd) or NULL
 * with err filled. */
char *mgmctl_request(const char *path, const char *line, char *err,
                     size_t errlen);

/* Tables for the command words (words[0] is "show", "sim", ...). */
void mgmctl_render(FILE *f, const char *const *words, int nw,
                   const struct jv *result);

/* Indented JSON. */
void mgmctl_print_json(FILE *f, const struct jv *v);

#endif /* MGMCTL_H */
