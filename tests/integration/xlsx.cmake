# .xlsx manifests, outputs and templates (issue 12): workbooks written by the
# test itself (tests/integration/xlsx_fixtures.py, Python's zipfile).
lattigo_script_test(xlsx_manifest ${CMAKE_CURRENT_SOURCE_DIR}/integration/xlsx_manifest.sh TIMEOUT 120)
lattigo_script_test(xlsx_outputs ${CMAKE_CURRENT_SOURCE_DIR}/integration/xlsx_outputs.sh TIMEOUT 120)
lattigo_script_test(xlsx_resume ${CMAKE_CURRENT_SOURCE_DIR}/integration/xlsx_resume.sh TIMEOUT 180)
