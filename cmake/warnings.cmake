# One warning set per compiler; LIBMGM_WERROR turns them into errors.
set(MGM_WARNINGS -Wall -Wextra -Wshadow -Wstrict-prototypes
    -Wmissing-prototypes -Wno-unused-parameter)
if(CMAKE_C_COMPILER_ID MATCHES "Clang")
  list(APPEND MGM_WARNINGS -Wno-gnu-zero-variadic-macro-arguments)
endif()
if(LIBMGM_WERROR)
  list(APPEND MGM_WARNINGS -Werror)
endif()
