# typegrad_fix_xsimd.cmake - repair Debian's xsimd 8.1 imported target.
#
# Debian 12's libxsimd-dev (8.1) exports `xsimd` with INTERFACE_LINK_LIBRARIES "xtl", but the
# xtl package is not a dependency and is usually not installed. CMake then treats "xtl" as a
# plain library name and every link fails with `cannot find -lxtl`. xsimd 8 does not need xtl
# (only its optional xtl/xcomplex interop does), so when no `xtl` target exists we drop that
# entry. Used by the top-level CMakeLists.txt and by the installed typegradConfig.cmake, after
# find_package(xsimd) / find_dependency(xsimd) has run in the calling directory.

if(TARGET xsimd AND NOT TARGET xtl)
  get_target_property(_typegrad_xsimd_links xsimd INTERFACE_LINK_LIBRARIES)
  if(_typegrad_xsimd_links)
    list(REMOVE_ITEM _typegrad_xsimd_links xtl)
    set_property(TARGET xsimd PROPERTY INTERFACE_LINK_LIBRARIES "${_typegrad_xsimd_links}")
  endif()
  unset(_typegrad_xsimd_links)
endif()
