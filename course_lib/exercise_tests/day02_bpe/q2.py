OK_FORMAT = True

test = {   'name': 'q2',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> merges = {(32, 116): 256, (104, 101): 257, (256, 257): 258}\n'
                                               ">>> end = {'<|end|>': 300}\n"
                                               ">>> ids = encode_text('the<|end|> the', merges, GPT2_SPLIT_PATTERN, end, 'all')\n"
                                               '>>> assert ids == [116, 257, 300, 258]\n'
                                               ">>> plain = encode_text('the<|end|> the', merges, GPT2_SPLIT_PATTERN, end, 'none')\n"
                                               '>>> assert 300 not in plain\n'
                                               '>>> assert plain[:2] == [116, 257]\n'
                                               '>>> assert plain[-1] == 258\n'
                                               '>>> assert len(plain) == 10\n',
                                       'failure_message': "With merges {(32, 116): 256, (104, 101): 257, (256, 257): 258} and GPT-2's pattern, 'the<|end|> the' gives [116, 257, 300, 258] when "
                                                          "special tokens are allowed: 'the', the control id 300, then ' the'. With 'none' the special token is ordinary text, and ' the' is still "
                                                          'merged.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> merges = {(32, 116): 256, (104, 101): 257, (256, 257): 258}\n'
                                               '>>> try:\n'
                                               "...     encode_text('hi<|end|>', merges, GPT2_SPLIT_PATTERN, {'<|end|>': 300})\n"
                                               '... except ValueError:\n'
                                               '...     pass\n'
                                               '... else:\n'
                                               "...     raise AssertionError('expected a ValueError: the text spells a special token')\n"
                                               ">>> ids = encode_text('the theme', merges, GPT2_SPLIT_PATTERN, {'<|end|>': 300})\n"
                                               '>>> assert ids == [116, 257, 258, 109, 101]\n',
                                       'failure_message': "By default (allowed_special='none_raise') text holding a special token must raise ValueError; text without one encodes normally, e.g. 'the "
                                                          "theme' -> [116, 257, 258, 109, 101] with GPT-2's pattern.",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
