# Installs the public headers, the exported targets (resock::wire, ...),
# a CMake package config with a version file, and a pkg-config file.
include(CMakePackageConfigHelpers)

set(RESOCK_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/resock)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/lib/include/resock
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")

install(EXPORT resockTargets
        NAMESPACE resock::
        DESTINATION ${RESOCK_CMAKE_DIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/resockConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/resockConfig.cmake
                              INSTALL_DESTINATION ${RESOCK_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/resockConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/resockConfig.cmake
              ${PROJECT_BINARY_DIR}/resockConfigVersion.cmake
        DESTINATION ${RESOCK_CMAKE_DIR})

# A relocatable .pc: the prefix is found from the file's own location.
string(REGEX REPLACE "[^/]+" ".." RESOCK_PC_UP "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
configure_file(${PROJECT_SOURCE_DIR}/cmake/resock.pc.in ${PROJECT_BINARY_DIR}/resock.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/resock.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
