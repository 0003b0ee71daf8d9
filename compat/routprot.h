/*
 * compat/routprot.h - the routing-protocol identifiers MGM relies on, for
 * non-Windows builds (subset of the SDK's routprot.h).
 *
 * SPDX-License-Identifier: MIT
 *
 * MGM recognises an IGMP client by its protocol id: PROTO_IP_IGMP or
 * MS_IP_IGMP (mgm-spec.md D-IGMP-ID).
 */
#ifndef LIBMGM_COMPAT_ROUTPROT_H
#define LIBMGM_COMPAT_ROUTPROT_H

#ifdef _WIN32
#error "compat/routprot.h is for non-Windows builds; use the SDK's routprot.h"
#endif

#define PROTO_IP_OTHER 1
#define PROTO_IP_LOCAL 2
#define PROTO_IP_NETMGMT 3
#define PROTO_IP_RIP 8
#define PROTO_IP_OSPF 13
#define PROTO_IP_BGP 14

#define PROTO_IP_MSDP 9
#define PROTO_IP_IGMP 10
#define PROTO_IP_BGMP 11

#define PROTO_IP_NT_STATIC 10006
#define PROTO_IP_MGM 10009

#define PROTOCOL_ID(Type, VendorId, ProtocolId) \
  ((((Type)&0x03) << 30) | (((VendorId)&0x3FFF) << 16) | ((ProtocolId)&0xFFFF))
#define TYPE_FROM_PROTO_ID(X) (((X) >> 30) & 0x03)
#define VENDOR_FROM_PROTO_ID(X) (((X) >> 16) & 0x3FFF)
#define PROTO_FROM_PROTO_ID(X) ((X)&0xFFFF)

#define PROTO_TYPE_UCAST 0
#define PROTO_TYPE_MCAST 1
#define PROTO_TYPE_MS0 2
#define PROTO_TYPE_MS1 3

#define PROTO_VENDOR_MS0 0x0000
#define PROTO_VENDOR_MS1 0x137
#define PROTO_VENDOR_MS2 0x3FFF

#define MS_IP_IGMP PROTOCOL_ID(PROTO_TYPE_MCAST, PROTO_VENDOR_MS1, PROTO_IP_IGMP)
#define MS_IP_BGMP PROTOCOL_ID(PROTO_TYPE_MCAST, PROTO_VENDOR_MS1, PROTO_IP_BGMP)
#define MS_IP_MSDP PROTOCOL_ID(PROTO_TYPE_MCAST, PROTO_VENDOR_MS1, PROTO_IP_MSDP)
#define MS_IP_MGM PROTOCOL_ID(PROTO_TYPE_MS0, PROTO_VENDOR_MS1, PROTO_IP_MGM)

#endif /* LIBMGM_COMPAT_ROUTPROT_H */
