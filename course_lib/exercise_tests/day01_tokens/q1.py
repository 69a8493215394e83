OK_FORMAT = True

test = {   'name': 'q1',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': ">>> specials = ['<pad>', '<unk>', '<bos>', '<eos>']\n"
                                               ">>> assert build_char_vocabulary(['abba', 'cab']) == specials + ['a', 'b', 'c']\n"
                                               ">>> assert build_char_vocabulary(['abba', 'cab'], min_frequency=2) == specials + ['a', 'b']\n",
                                       'failure_message': "build_char_vocabulary(['abba', 'cab']) should be ['<pad>', '<unk>', '<bos>', '<eos>', 'a', 'b', 'c']: the specials first, then characters "
                                                          "by count (a and b 3 times, tied, so in sorted order), and min_frequency=2 drops 'c'.",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> assert build_char_vocabulary(['Aa a'])[4:] == ['a', ' ', 'A']\n>>> assert build_char_vocabulary([]) == list(SPECIAL_TOKENS)\n",
                                       'failure_message': "Count characters exactly as they are: 'Aa a' has 'a' twice, 'A' once and the space once, and ties go in sorted order (' ' before 'A'). No "
                                                          'texts at all gives the four specials only.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
