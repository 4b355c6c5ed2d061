# The core as every CMake build of it sees it: its sources from core/sources.txt and its warning
# flags from core/cflags.txt (the one list of each; shell builds read them through
# scripts/lib/core.sh, the Go amalgamation through scripts/amalgamate.py). Included by the
# top-level project (core/CMakeLists.txt, core/fuzz/) and by the standalone projects that build
# the core themselves (bindings/java/, samples/):
#
#   include(${CMAKE_CURRENT_SOURCE_DIR}/../cmake/HftipcCore.cmake)
#
# Sets HFTIPC_CORE_DIR (absolute core/), HFTIPC_CORE_SOURCES (absolute paths, in list order) and
# HFTIPC_CORE_WARNINGS (flags). Editing either list re-runs the configure step.
get_filename_component(HFTIPC_CORE_DIR "${CMAKE_CURRENT_LIST_DIR}/../core" ABSOLUTE)

# _hftipc_read_list(FILE OUT): the lines of FILE, with '#' comments and blank lines dropped.
function(_hftipc_read_list file out)
  file(STRINGS "${file}" _lines)
  set(_entries)
  foreach(_line IN LISTS _lines)
    string(REGEX REPLACE "#.*$" "" _line "${_line}")
    string(STRIP "${_line}" _line)
    if(NOT _line STREQUAL "")
      list(APPEND _entries "${_line}")
    endif()
  endforeach()
  set(${out} "${_entries}" PARENT_SCOPE)
endfunction()

_hftipc_read_list("${HFTIPC_CORE_DIR}/sources.txt" _hftipc_rel_sources)
set(HFTIPC_CORE_SOURCES)
foreach(_src IN LISTS _hftipc_rel_sources)
  if(NOT EXISTS "${HFTIPC_CORE_DIR}/${_src}")
    message(FATAL_ERROR "core/sources.txt names ${_src}, which does not exist under core/")
  endif()
  list(APPEND HFTIPC_CORE_SOURCES "${HFTIPC_CORE_DIR}/${_src}")
endforeach()
_hftipc_read_list("${HFTIPC_CORE_DIR}/cflags.txt" HFTIPC_CORE_WARNINGS)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  "${HFTIPC_CORE_DIR}/sources.txt" "${HFTIPC_CORE_DIR}/cflags.txt")
