'''Sphinx extension: the book shows public test cells without otter's test-config scaffolding.

A public test cell starts with a ``""" # BEGIN TEST CONFIG ... """ # END TEST CONFIG`` block (the
failure message the grader prints). Learners need the asserts below it, not the markup, so
this extension drops that block from the code the book shows. The notebook itself is unchanged.
'''

from __future__ import annotations

import re

from docutils import nodes

_CONFIG = re.compile(r'^[ \t]*"""[ \t]*# BEGIN TEST CONFIG.*?"""[ \t]*# END TEST CONFIG[ \t]*\n?', re.S | re.M)


def strip_test_config(text: str) -> str:
    r'''``text`` without its test-config block(s).

    Example:
        >>> strip_test_config('""" # BEGIN TEST CONFIG\nfailure_message: "x"\n""" # END TEST CONFIG\nassert f(2) == 4')
        'assert f(2) == 4'
    '''
    return _CONFIG.sub("", text)


def _strip(app, doctree) -> None:
    for block in list(doctree.findall(nodes.literal_block)):
        text = block.astext()
        if "# BEGIN TEST CONFIG" not in text:
            continue
        shown = strip_test_config(text)
        if shown != text:
            block.rawsource = shown
            block.children = [nodes.Text(shown)]


def setup(app):
    app.connect("doctree-read", _strip)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
