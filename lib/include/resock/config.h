// Build-wide macros of the public API: symbol visibility and the version.
#pragma once

// Symbols are hidden by default (-fvisibility=hidden); RESOCK_API marks
// the ones that form the ABI so a shared libresock exports nothing else.
#if defined(_WIN32)
#define RESOCK_API
#else
#define RESOCK_API __attribute__((visibility("default")))
#endif

#define RESOCK_VERSION_MAJOR 0
#define RESOCK_VERSION_MINOR 1
#define RESOCK_VERSION_PATCH 0
