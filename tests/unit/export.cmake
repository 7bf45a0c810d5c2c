# The read side's pure parts: endpoint table (and the docs describing it), dates, paging, decisions, formatting.
lattigo_unit_test(test_export SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_export.c LINK lattigo_export)
target_compile_definitions(test_export PRIVATE DOCS_USAGE="${CMAKE_SOURCE_DIR}/docs/usage.md")
