#!/usr/bin/env python3
"""Writes small .xlsx workbooks for the tests with the standard library only
(zipfile), so every kind of cell is produced exactly as the test wants it:
shared or inline strings, numbers, booleans, dates (a date-formatted style),
formula results, empty cells and rows, several sheets, hidden columns.

A cell is given as a Python value:
  str                      text (shared string, or inline when inline=True)
  ('inline', text)         an inline string whatever the default
  ('rich', [run, ...])     a shared string made of rich-text runs
  int / float              a number cell
  bool                     a boolean cell
  ('date', serial)         a number cell with a date style
  ('formula', f, text)     a formula with its cached string result
  ('error', '#N/A')        an error cell
  None                     no cell at all
A row given as None is written as an empty <row> element.

Usage as a program: xlsx_fixtures.py KIND OUT  (see KINDS at the end)."""
import sys
import zipfile
from xml.sax.saxutils import escape

NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'


def col_letters(index):
    letters = ''
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_xml(rows, shared, inline, first_row=1, hidden_cols=(), prefix=''):
    p = prefix + ':' if prefix else ''
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n']
    ns = f'xmlns:{prefix}="{NS}"' if prefix else f'xmlns="{NS}"'
    out.append(f'<{p}worksheet {ns} xmlns:r="{REL}">')
    if hidden_cols:
        out.append(f'<{p}cols>')
        for c in hidden_cols:
            out.append(f'<{p}col min="{c + 1}" max="{c + 1}" width="0" hidden="1"/>')
        out.append(f'</{p}cols>')
    out.append(f'<{p}sheetData>')
    for offset, row in enumerate(rows):
        number = first_row + offset
        if row is None:
            out.append(f'<{p}row r="{number}"/>')
            continue
        out.append(f'<{p}row r="{number}">')
        for column, value in enumerate(row):
            if value is None:
                continue
            ref = f'{col_letters(column)}{number}'
            out.append(cell_xml(p, ref, value, shared, inline))
        out.append(f'</{p}row>')
    out.append(f'</{p}sheetData></{p}worksheet>')
    return ''.join(out)


def cell_xml(p, ref, value, shared, inline):
    if isinstance(value, bool):
        return f'<{p}c r="{ref}" t="b"><{p}v>{1 if value else 0}</{p}v></{p}c>'
    if isinstance(value, (int, float)):
        return f'<{p}c r="{ref}"><{p}v>{value!r}</{p}v></{p}c>'
    if isinstance(value, tuple):
        kind = value[0]
        if kind == 'inline':
            return (f'<{p}c r="{ref}" t="inlineStr"><{p}is><{p}t>{escape(value[1])}</{p}t>'
                    f'</{p}is></{p}c>')
        if kind == 'rich':
            return f'<{p}c r="{ref}" t="s"><{p}v>{shared.add(value)}</{p}v></{p}c>'
        if kind == 'date':
            return f'<{p}c r="{ref}" s="1"><{p}v>{value[1]}</{p}v></{p}c>'
        if kind == 'formula':
            return (f'<{p}c r="{ref}" t="str"><{p}f>{escape(value[1])}</{p}f>'
                    f'<{p}v>{escape(value[2])}</{p}v></{p}c>')
        if kind == 'error':
            return f'<{p}c r="{ref}" t="e"><{p}v>{escape(value[1])}</{p}v></{p}c>'
        if kind == 'raw':
            return value[1]
        raise ValueError(kind)
    if inline:
        return (f'<{p}c r="{ref}" t="inlineStr"><{p}is><{p}t xml:space="preserve">'
                f'{escape(value)}</{p}t></{p}is></{p}c>')
    return f'<{p}c r="{ref}" t="s"><{p}v>{shared.add(value)}</{p}v></{p}c>'


class SharedStrings:
    def __init__(self):
        self.items = []
        self.index = {}

    def add(self, value):
        key = repr(value)
        if key not in self.index:
            self.index[key] = len(self.items)
            self.items.append(value)
        return self.index[key]

    def xml(self):
        out = [f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" '
               f'count="{len(self.items)}" uniqueCount="{len(self.items)}">']
        for item in self.items:
            if isinstance(item, tuple):
                runs = ''.join(f'<r><rPr><b/></rPr><t xml:space="preserve">{escape(r)}</t></r>'
                               for r in item[1])
                out.append(f'<si>{runs}<rPh sb="0" eb="1"><t>PHONETIC</t></rPh></si>')
            else:
                out.append(f'<si><t xml:space="preserve">{escape(item)}</t></si>')
        out.append('</sst>')
        return ''.join(out)


STYLES = (f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{NS}">'
          '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>'
          '<cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs>'
          '<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/>'
          '<xf numFmtId="49" applyNumberFormat="1"/></cellXfs></styleSheet>')


def workbook(path, sheets, inline=False, prefix='', date1904=False, extra=None):
    """sheets: list of (name, rows) or (name, rows, options dict)."""
    shared = SharedStrings()
    parts = {}
    names = []
    for index, sheet in enumerate(sheets):
        name, rows = sheet[0], sheet[1]
        options = sheet[2] if len(sheet) > 2 else {}
        parts[f'xl/worksheets/sheet{index + 1}.xml'] = sheet_xml(
            rows, shared, options.get('inline', inline), options.get('first_row', 1),
            options.get('hidden_cols', ()), prefix)
        names.append(name)
    sheets_xml = ''.join(f'<sheet name="{escape(n, {chr(34): "&quot;"})}" sheetId="{i + 1}" '
                         f'r:id="rId{i + 1}"/>' for i, n in enumerate(names))
    pr = '<workbookPr date1904="1"/>' if date1904 else ''
    parts['xl/workbook.xml'] = (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" '
                                f'xmlns:r="{REL}">{pr}<sheets>{sheets_xml}</sheets></workbook>')
    rels = ''.join(f'<Relationship Id="rId{i + 1}" Type="{REL}/worksheet" '
                   f'Target="worksheets/sheet{i + 1}.xml"/>' for i in range(len(names)))
    rels += (f'<Relationship Id="rId{len(names) + 1}" Type="{REL}/styles" Target="styles.xml"/>'
             f'<Relationship Id="rId{len(names) + 2}" Type="{REL}/sharedStrings" '
             f'Target="sharedStrings.xml"/>')
    parts['xl/_rels/workbook.xml.rels'] = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        f'openxmlformats.org/package/2006/relationships">{rels}</Relationships>')
    parts['xl/styles.xml'] = STYLES
    parts['xl/sharedStrings.xml'] = shared.xml()
    parts['[Content_Types].xml'] = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
        '</Types>')
    if extra:
        parts.update(extra)
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as archive:
        for name in ['[Content_Types].xml'] + sorted(p for p in parts if p != '[Content_Types].xml'):
            archive.writestr(name, parts[name])


# ---- the hostile and special workbooks the tests use ----
ICCID = '89440000000000000002'  # Luhn-valid 20 digits, as text
ICCID2 = '89440000000000000010'


def zip_bomb(path):
    """A sheet that inflates far beyond its compressed size (and the cap)."""
    head = (f'<?xml version="1.0"?><worksheet xmlns="{NS}"><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>iccid</t></is></c></row>'
            '<row r="2"><c r="A2" t="inlineStr"><is><t>')
    workbook(path, [('Sheet1', [['iccid']])])
    entries = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            entries[name] = archive.read(name)
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            if name == 'xl/worksheets/sheet1.xml':
                with archive.open(name, 'w', force_zip64=True) as part:
                    part.write(head.encode())
                    block = b' ' * (1 << 20)
                    for _ in range(64):  # 64 MiB of spaces, ~1000:1: past the ratio cap
                        part.write(block)
                    part.write(b'</t></is></c></row></sheetData></worksheet>')
            else:
                archive.writestr(name, data)


def entity_bomb(path):
    lol = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
           '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>'
           f'<worksheet xmlns="{NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is>'
           '<t>&lol2;</t></is></c></row></sheetData></worksheet>')
    workbook(path, [('Sheet1', [['iccid']])],
             extra={'xl/worksheets/sheet1.xml': lol})


def external_entity(path):
    xml = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
           f'<sst xmlns="{NS}"><si><t>&secret;</t></si></sst>')
    workbook(path, [('Sheet1', [['iccid'], [ICCID]])], extra={'xl/sharedStrings.xml': xml})


def truncated(path):
    workbook(path, [('Sheet1', [['iccid']] + [[ICCID]] * 50)])
    data = open(path, 'rb').read()
    open(path, 'wb').write(data[: len(data) * 2 // 3])


def corrupt(path):
    workbook(path, [('Sheet1', [['iccid']] + [[f'8944{i:016d}'] for i in range(200)])],
             inline=True)
    data = bytearray(open(path, 'rb').read())
    # damage deflated bytes in the middle of the largest entry, keep the directory
    for i in range(len(data) // 3, len(data) // 3 + 64):
        data[i] ^= 0x5A
    open(path, 'wb').write(bytes(data))


def encrypted(path):
    """An OLE compound file with an EncryptedPackage stream, as Office writes
    a password-protected .xlsx (only the structure matters here)."""
    sector = 512
    header = bytearray(sector)
    header[0:8] = b'\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1'
    header[0x1A:0x1C] = (0x3E).to_bytes(2, 'little')
    header[0x1C:0x1E] = (3).to_bytes(2, 'little')
    header[0x1E:0x20] = (9).to_bytes(2, 'little')
    header[0x20:0x22] = (6).to_bytes(2, 'little')
    header[0x30:0x34] = (0).to_bytes(4, 'little')  # directory at sector 0
    directory = bytearray(sector)
    for slot, name in enumerate(['Root Entry', 'EncryptionInfo', 'EncryptedPackage']):
        raw = name.encode('utf-16-le') + b'\0\0'
        directory[slot * 128: slot * 128 + len(raw)] = raw
        directory[slot * 128 + 64: slot * 128 + 66] = len(raw).to_bytes(2, 'little')
    open(path, 'wb').write(bytes(header) + bytes(directory) + bytes(sector * 2))


def old_xls(path):
    sector = 512
    header = bytearray(sector)
    header[0:8] = b'\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1'
    header[0x1E:0x20] = (9).to_bytes(2, 'little')
    directory = bytearray(sector)
    for slot, name in enumerate(['Root Entry', 'Workbook']):
        raw = name.encode('utf-16-le') + b'\0\0'
        directory[slot * 128: slot * 128 + len(raw)] = raw
    open(path, 'wb').write(bytes(header) + bytes(directory) + bytes(sector * 2))


def no_sheets(path):
    workbook(path, [])


def not_a_workbook(path):
    with zipfile.ZipFile(path, 'w') as archive:
        archive.writestr('readme.txt', 'hello')


def zip_encrypted_entry(path):
    """A zip whose entries carry the traditional-encryption flag."""
    workbook(path, [('Sheet1', [['iccid'], [ICCID]])])
    data = bytearray(open(path, 'rb').read())
    at = 0
    while True:
        at = data.find(b'PK\x03\x04', at)
        if at < 0:
            break
        data[at + 6] |= 1
        at += 4
    at = 0
    while True:
        at = data.find(b'PK\x01\x02', at)
        if at < 0:
            break
        data[at + 8] |= 1
        at += 4
    open(path, 'wb').write(bytes(data))


def row_limit(path):
    """A row numbered 1,048,577: past what a worksheet holds."""
    xml = (f'<?xml version="1.0"?><worksheet xmlns="{NS}"><sheetData>'
           '<row r="1"><c r="A1" t="inlineStr"><is><t>iccid</t></is></c></row>'
           f'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>{ICCID}</t></is></c></row>'
           f'<row r="1048577"><c r="A1048577" t="inlineStr"><is><t>{ICCID2}</t></is></c></row>'
           '</sheetData></worksheet>')
    workbook(path, [('Sheet1', [['iccid']])], extra={'xl/worksheets/sheet1.xml': xml})


def last_row(path):
    """The header in row 1 and the only data row in row 1,048,576 (allowed)."""
    xml = (f'<?xml version="1.0"?><worksheet xmlns="{NS}"><sheetData>'
           '<row r="1"><c r="A1" t="inlineStr"><is><t>iccid</t></is></c></row>'
           f'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>{ICCID}</t></is></c></row>'
           '</sheetData></worksheet>')
    workbook(path, [('Sheet1', [['iccid']])], extra={'xl/worksheets/sheet1.xml': xml})


def malformed_xml(path):
    workbook(path, [('Sheet1', [['iccid']])],
             extra={'xl/worksheets/sheet1.xml': f'<worksheet xmlns="{NS}"><sheetData><row>'})


def huge_tag(path):
    """A cell with an 80 MB attribute: a 16 KB block of random letters over
    and over, which deflate shrinks about 90 times (under the ratio cap), and
    expat would hold the whole tag."""
    import random
    rng = random.Random(7)
    head = (f'<?xml version="1.0"?><worksheet xmlns="{NS}"><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>iccid</t></is></c></row>'
            '<row r="2"><c r="A2" t="inlineStr" junk="')
    workbook(path, [('Sheet1', [['iccid']])])
    entries = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            entries[name] = archive.read(name)
    letters = bytes(range(97, 123))
    block = bytes(rng.choice(letters) for _ in range(1 << 14))
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            if name != 'xl/worksheets/sheet1.xml':
                archive.writestr(name, data)
        with archive.open('xl/worksheets/sheet1.xml', 'w', force_zip64=True) as part:
            part.write(head.encode())
            for _ in range(80 * 64):  # 80 MB
                part.write(block)
            part.write(b'"><is><t>x</t></is></c></row></sheetData></worksheet>')


KINDS = {
    'huge-tag': huge_tag,
    'zip-bomb': zip_bomb, 'entity-bomb': entity_bomb, 'external-entity': external_entity,
    'truncated': truncated, 'corrupt': corrupt, 'encrypted': encrypted, 'xls': old_xls,
    'no-sheets': no_sheets, 'not-a-workbook': not_a_workbook,
    'zip-encrypted-entry': zip_encrypted_entry, 'row-limit': row_limit, 'last-row': last_row,
    'malformed': malformed_xml,
}

if __name__ == '__main__':
    KINDS[sys.argv[1]](sys.argv[2])
