"""``python -m course_lib.rag build|check``: the book's embedding snapshot (see course_lib.rag.book)."""

import sys

from course_lib.rag.book import main

raise SystemExit(main(sys.argv[1:]))
