# The read side's pure parts: endpoint table (and the docs describing it), dates, paging, decisions, formatting.
lattigo_unit_test(test_export SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_export.c LINK lattigo_export)
target_compile_definitions(test_export PRIVATE DOCS_USAGE="${CMAKE_SOURCE_DIR}/docs/usage.md")
# Every read endpoint of the table is a GET route of lattigo-sim.
lattigo_unit_test(test_export_routes SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_export_routes.c LINK lattigo_export lattigo_sim_core)
