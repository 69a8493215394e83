OK_FORMAT = True

test = {   'name': 'q1',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': ">>> assert chunk_words('a b c d e f g', chunk_size=4, chunk_overlap=1) == ['a b c d', 'd e f g']\n"
                                               ">>> assert chunk_words('a b c d e', chunk_size=3, chunk_overlap=1) == ['a b c', 'c d e']\n",
                                       'failure_message': "chunk_words('a b c d e f g', 4, 1) should be ['a b c d', 'd e f g']: the second window starts 4 - 1 = 3 words later and already reaches the "
                                                          'last word, so it is the last one.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> assert chunk_words('', 3, 1) == [] and chunk_words('  \\n ', 3, 1) == []\n"
                                               ">>> assert chunk_words('one  two\\nthree', 5, 2) == ['one two three']\n"
                                               '>>> try:\n'
                                               "...     chunk_words('a b c', 2, 2)\n"
                                               '... except ValueError:\n'
                                               '...     pass\n'
                                               '... else:\n'
                                               "...     raise AssertionError('chunk_overlap >= chunk_size must raise ValueError')\n",
                                       'failure_message': 'Edge cases. A text without words gives [], a text shorter than one chunk gives one chunk, spaces and new lines only separate words, and '
                                                          'chunk_overlap >= chunk_size must raise ValueError.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
