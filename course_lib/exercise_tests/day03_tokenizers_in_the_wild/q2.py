OK_FORMAT = True

test = {   'name': 'q2',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': ">>> assert math.isclose(tokens_per_word(len, ['ab cd', 'efg']), 8 / 3)\n",
                                       'failure_message': "tokens_per_word(len, ['ab cd', 'efg']) should be (5 + 3) / (2 + 1) = 2.67: add up count_tokens over all texts and divide by the total "
                                                          'number of words (text.split()), rather than averaging the ratios (2.75).',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> english_ratio = tokens_per_word(lambda t: len(cl100k.encode(t)), [sentences['English']])\n"
                                               '>>> assert math.isclose(english_ratio, 14 / 12)\n'
                                               ">>> for empty in ([], ['', '   ']):\n"
                                               '...     try:\n'
                                               '...         tokens_per_word(len, empty)\n'
                                               '...     except ValueError:\n'
                                               '...         pass\n'
                                               '...     else:\n'
                                               "...         raise AssertionError(f'expected a ValueError for {empty!r}')\n",
                                       'failure_message': 'Use the count_tokens function you are given (here cl100k: 14 tokens for the 12 words of the English sentence), and raise ValueError when '
                                                          "the texts hold no words at all, e.g. [] or ['', '   '].",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
