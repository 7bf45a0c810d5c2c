#!/usr/bin/env python3
"""Turns a CSV into an .xlsx workbook of text cells, streaming (standard
library only), for bench/validate.sh:
  csv_to_xlsx.py IN.csv OUT.xlsx [--shared]
Without --shared every cell is an inline string (what streaming writers such
as libxlsxwriter's constant-memory mode produce); with --shared the cells
refer to a shared-strings table, as Excel writes them."""
import csv
import sys
import zipfile
from xml.sax.saxutils import escape

NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'


def letters(index):
    out = ''
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


def main():
    source, target = sys.argv[1], sys.argv[2]
    shared = '--shared' in sys.argv[3:]
    strings, index = [], {}
    with zipfile.ZipFile(target, 'w', zipfile.ZIP_DEFLATED, compresslevel=6) as book:
        with book.open('xl/worksheets/sheet1.xml', 'w', force_zip64=True) as part, \
                open(source, newline='', encoding='utf-8-sig') as rows:
            part.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">'
                       '<sheetData>'.encode())
            columns = None
            buffer = []
            for number, row in enumerate(csv.reader(rows), 1):
                if columns is None:
                    columns = [letters(i) for i in range(len(row))]
                cells = []
                for column, value in zip(columns, row):
                    if not value:
                        continue
                    if shared:
                        slot = index.get(value)
                        if slot is None:
                            slot = index[value] = len(strings)
                            strings.append(value)
                        cells.append(f'<c r="{column}{number}" t="s"><v>{slot}</v></c>')
                    else:
                        cells.append(f'<c r="{column}{number}" t="inlineStr"><is><t>'
                                     f'{escape(value)}</t></is></c>')
                buffer.append(f'<row r="{number}">{"".join(cells)}</row>')
                if len(buffer) == 4096:
                    part.write(''.join(buffer).encode())
                    buffer = []
            part.write((''.join(buffer) + '</sheetData></worksheet>').encode())
        if shared:
            with book.open('xl/sharedStrings.xml', 'w', force_zip64=True) as part:
                part.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}">'.encode())
                for start in range(0, len(strings), 4096):
                    part.write(''.join(f'<si><t>{escape(s)}</t></si>'
                                       for s in strings[start:start + 4096]).encode())
                part.write(b'</sst>')
        book.writestr('xl/workbook.xml', f'<?xml version="1.0"?><workbook xmlns="{NS}" '
                      f'xmlns:r="{REL}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
                      '</sheets></workbook>')
        book.writestr('xl/_rels/workbook.xml.rels', '<?xml version="1.0"?><Relationships '
                      'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                      f'<Relationship Id="rId1" Type="{REL}/worksheet" '
                      'Target="worksheets/sheet1.xml"/></Relationships>')
        book.writestr('[Content_Types].xml', '<?xml version="1.0"?><Types xmlns="http://schemas.'
                      'openxmlformats.org/package/2006/content-types"/>')


if __name__ == '__main__':
    main()
