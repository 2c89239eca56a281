# resock_target_defaults(<target>): the flags every resock target gets —
# C++20, warnings, and (per target, never globally) the sanitizer or
# fuzzer instrumentation chosen by RESOCK_SANITIZE / RESOCK_FUZZ.
function(resock_target_defaults target)
  target_compile_features(${target} PRIVATE cxx_std_20)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wno-unused-parameter)
  get_target_property(_type ${target} TYPE)
  if(RESOCK_SANITIZE OR RESOCK_FUZZ)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined
                                             -fno-sanitize-recover=undefined
                                             -fno-omit-frame-pointer)
    if(NOT _type STREQUAL "STATIC_LIBRARY" AND NOT _type STREQUAL "OBJECT_LIBRARY")
      target_link_options(${target} PRIVATE -fsanitize=address,undefined)
    endif()
  endif()
  if(RESOCK_FUZZ AND (_type STREQUAL "STATIC_LIBRARY" OR _type STREQUAL "OBJECT_LIBRARY"))
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link)
  endif()
endfunction()
