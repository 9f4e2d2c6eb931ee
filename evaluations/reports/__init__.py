"""Downloadable reports (PRODUCT.md section 7): ``data`` gathers what a report shows, ``pdf``
draws it as HTML and PDF (``weasy`` runs WeasyPrint, with no Django import, so a child process
can render), ``tables`` writes CSV and XLSX. Kept import-free so that ``weasy`` can be loaded
on its own."""
