# SPDX-License-Identifier: MIT
#
# platform-checks.cmake - feature probes for the kernel backends, included
# by the top-level CMakeLists.txt after the mgm_platform target exists.
#
# design.md 4 prefers HAVE_* macros from check_symbol_exists over naming an
# OS in #ifdefs.  Each probe that succeeds becomes a HAVE_*=1 definition on
# mgm_platform; the list is also kept in the global property
# MGM_PLATFORM_CHECK_DEFS so test targets that compile backend sources on
# their own (tests/linux, tests/netns, bench/kernel) use the same set.
include(CheckSymbolExists)
include(CheckStructHasMember)

set(_mgm_check_defs)
if("linux" IN_LIST LIBMGM_BUILT_BACKENDS)
  set(CMAKE_REQUIRED_DEFINITIONS -D_GNU_SOURCE=1)
  # <netinet/in.h> first: glibc then suppresses linux/in.h's duplicates.
  set(_mr_hdrs "netinet/in.h;linux/mroute.h")
  check_symbol_exists(MRT_TABLE "${_mr_hdrs}" HAVE_MRT_TABLE)
  check_symbol_exists(VIFF_USE_IFINDEX "${_mr_hdrs}" HAVE_VIFF_USE_IFINDEX)
  check_struct_has_member("struct igmpmsg" im_vif_hi "${_mr_hdrs}"
                          HAVE_STRUCT_IGMPMSG_IM_VIF_HI LANGUAGE C)
  check_symbol_exists(SO_RCVBUFFORCE "sys/socket.h" HAVE_SO_RCVBUFFORCE)
  check_symbol_exists(SO_RXQ_OVFL "sys/socket.h" HAVE_SO_RXQ_OVFL)
  check_symbol_exists(RTM_F_FIB_MATCH "linux/rtnetlink.h"
                      HAVE_RTM_F_FIB_MATCH)
  unset(CMAKE_REQUIRED_DEFINITIONS)
  foreach(_v HAVE_MRT_TABLE HAVE_VIFF_USE_IFINDEX
          HAVE_STRUCT_IGMPMSG_IM_VIF_HI HAVE_SO_RCVBUFFORCE HAVE_SO_RXQ_OVFL
          HAVE_RTM_F_FIB_MATCH)
    if(${_v})
      list(APPEND _mgm_check_defs ${_v}=1)
    endif()
  endforeach()
  if(NOT HAVE_VIFF_USE_IFINDEX)
    message(WARNING "libmgm: linux/mroute.h has no VIFF_USE_IFINDEX "
                    "(headers older than Linux 2.6.33): the linux backend "
                    "will not compile; build with -DLIBMGM_BACKENDS=sim")
  endif()
endif()

# The syscall table (src/platform/posix/sys.c) of the linux and bsd
# backends: calls some systems lack (FreeBSD before 10 has no pipe2, only
# the BSDs have sysctl).
if("linux" IN_LIST LIBMGM_BUILT_BACKENDS OR "bsd" IN_LIST LIBMGM_BUILT_BACKENDS)
  set(CMAKE_REQUIRED_DEFINITIONS -D_GNU_SOURCE=1)
  check_symbol_exists(pipe2 "unistd.h;fcntl.h" HAVE_PIPE2)
  check_symbol_exists(recvmmsg "sys/types.h;sys/socket.h" HAVE_RECVMMSG)
  unset(CMAKE_REQUIRED_DEFINITIONS)
  set(_mgm_posix_checks HAVE_PIPE2 HAVE_RECVMMSG)
  if("bsd" IN_LIST LIBMGM_BUILT_BACKENDS)
    check_symbol_exists(sysctl "sys/types.h;sys/sysctl.h" HAVE_SYSCTL)
    list(APPEND _mgm_posix_checks HAVE_SYSCTL)
  endif()
  foreach(_v IN LISTS _mgm_posix_checks)
    if(${_v})
      list(APPEND _mgm_check_defs ${_v}=1)
    endif()
  endforeach()
  if("linux" IN_LIST LIBMGM_BUILT_BACKENDS AND NOT HAVE_RECVMMSG)
    message(WARNING "libmgm: no recvmmsg: the linux backend's router "
                    "socket reads will fail (ENOSYS)")
  endif()
endif()

if(_mgm_check_defs)
  target_compile_definitions(mgm_platform PRIVATE ${_mgm_check_defs})
endif()
set_property(GLOBAL PROPERTY MGM_PLATFORM_CHECK_DEFS "${_mgm_check_defs}")
message(STATUS "libmgm: platform checks: ${_mgm_check_defs}")
