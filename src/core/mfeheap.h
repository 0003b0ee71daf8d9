/*
 * mfeheap.h - the MFEs' expiry heap (mfeheap.c), for mfe.c.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef MGM_MFEHEAP_H
#define MGM_MFEHEAP_H

#include "core/core.h"

/* Restore the heap order after the deadline of the MFE at position i fell
 * (up) or rose (down). */
void mgm__mfeheap_up(struct mgm_core *c, uint32_t i);
void mgm__mfeheap_down(struct mgm_core *c, uint32_t i);
/* Take m out of the heap. */
void mgm__mfeheap_remove(struct mgm_core *c, struct mgm_mfe *m);

#endif /* MGM_MFEHEAP_H */
