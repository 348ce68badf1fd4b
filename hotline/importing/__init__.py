"""Import and export of the records as CSV, XLSX and JSON: one implementation for the admin
(django-import-export's views) and the `import_records` / `export_records` commands.

encodings: which text encoding a CSV has · readers: rows out of a file, streamed ·
columns: headers and cells of each record type · constraints: the models' constraints checked
in Python · lookups: natural keys of related records · service: validate and write a file in
one transaction · exporting: streamed downloads · workbook: a report laid out as printed ·
resources: the bridge to django-import-export.
"""
