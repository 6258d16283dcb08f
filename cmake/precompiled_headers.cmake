# One precompiled header for every test executable, set in one place after all targets exist.
# Why: gtest/gtest.h and nlohmann/json.hpp take about 3 s each to parse, and every test file
# includes both; parsing them once per build directory instead of once per test cuts about a third
# of each test's compile time, and the tests are most of what CI compiles on its two cores. The
# tests reuse one header (REUSE_FROM), which needs identical compile flags, so only headers whose
# meaning no target-specific macro changes belong here (not httplib.h: CPPHTTPLIB_* vary).
# Libraries keep plain includes: GCC 12 reports false array-bounds warnings in std::string code
# of some library files when compiled with a precompiled header at -O2.
file(WRITE ${CMAKE_BINARY_DIR}/pch_anchor.cc "// anchors the tests' precompiled header\n")
add_library(chipledger_test_pch OBJECT ${CMAKE_BINARY_DIR}/pch_anchor.cc)
target_link_libraries(chipledger_test_pch PRIVATE nlohmann_json::nlohmann_json GTest::gtest)
target_precompile_headers(
  chipledger_test_pch PRIVATE <gtest/gtest.h> <nlohmann/json.hpp> <map> <memory> <optional> <string>
  <string_view> <vector>)

# Every executable that links GoogleTest, in `dir` and below.
function(chipledger_precompile_tests dir)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(target ${targets})
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "EXECUTABLE")
      get_target_property(libraries ${target} LINK_LIBRARIES)
      if("GTest::gtest_main" IN_LIST libraries)
        target_precompile_headers(${target} REUSE_FROM chipledger_test_pch)
      endif()
    endif()
  endforeach()
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(subdir ${subdirs})
    chipledger_precompile_tests(${subdir})
  endforeach()
endfunction()
chipledger_precompile_tests(${CMAKE_SOURCE_DIR})
