# hazmon_add_module(NAME <m> DEPS <hazmon modules> LIBS <third-party targets> [PRIVATE_LIBS ...]
#                   [SOURCES <files>])  (default: every *.cpp of the module's directory)
# One static library per module of docs/architecture.md; only the listed edges are linked,
# and tests/unit/core/layering_test.cpp rejects #includes outside them.
function(hazmon_add_module)
  cmake_parse_arguments(M "" "NAME" "DEPS;LIBS;PRIVATE_LIBS;SOURCES" ${ARGN})
  if(M_SOURCES)
    set(_src ${M_SOURCES})
  else()
    file(GLOB _src CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/*.cpp")
  endif()
  if(NOT _src)  # a module being started: headers only so far
    file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/empty_module.cpp" "")
    set(_src "${CMAKE_CURRENT_BINARY_DIR}/empty_module.cpp")
  endif()
  add_library(hazmon_${M_NAME} STATIC ${_src})
  add_library(hazmon::${M_NAME} ALIAS hazmon_${M_NAME})
  target_include_directories(hazmon_${M_NAME}
    PUBLIC ${PROJECT_SOURCE_DIR}/include
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  set(_deps)
  foreach(d IN LISTS M_DEPS)
    list(APPEND _deps hazmon::${d})
  endforeach()
  target_link_libraries(hazmon_${M_NAME} PUBLIC ${_deps} ${M_LIBS} PRIVATE ${M_PRIVATE_LIBS})
  set_property(GLOBAL APPEND PROPERTY HAZMON_MODULES ${M_NAME})
  set_property(GLOBAL PROPERTY HAZMON_DEPS_${M_NAME} "${M_DEPS}")
endfunction()
