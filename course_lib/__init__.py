"""course_lib: the from-scratch implementations behind *LLM Engineering in 30 Days*.

One module per concept, named by topic (never by day). Importing the package is
cheap: heavy libraries (torch, transformers, ipywidgets, matplotlib) are imported
inside the functions that need them.

Example:
    >>> from course_lib.tokenizers import WordTokenizer
    >>> tok = WordTokenizer().build_vocabulary(["the cat sat", "the dog sat"])
    >>> tok.decode(tok.encode("the cat sat"))
    'the cat sat'
"""

__version__ = "0.1.0"
