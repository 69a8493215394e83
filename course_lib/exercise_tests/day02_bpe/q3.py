OK_FORMAT = True

test = {   'name': 'q3',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> merges = {(32, 116): 256, (104, 101): 257, (256, 257): 258}\n'
                                               ">>> assert encode_with_merges('the theme', merges, GPT2_SPLIT_PATTERN) == [116, 257, 258, 109, 101]\n",
                                       'failure_message': "With merges {(32, 116): 256, (104, 101): 257, (256, 257): 258} and GPT-2's pattern, 'the theme' splits into 'the' and ' theme' and encodes "
                                                          "to [116, 257, 258, 109, 101]. Apply each merge, in order, to every chunk's UTF-8 bytes.",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> merges = {(32, 116): 256, (104, 101): 257, (256, 257): 258}\n'
                                               ">>> assert encode_with_merges('a the', merges, '\\\\S+|\\\\s+') == [97, 32, 116, 257]\n"
                                               ">>> assert encode_with_merges('a the', merges, None) == [97, 258]\n"
                                               ">>> assert encode_with_merges('', merges, None) == [] and encode_with_merges('', merges, GPT4_SPLIT_PATTERN) == []\n",
                                       'failure_message': "Merges never cross chunks: with pattern r'\\S+|\\s+', 'a the' has chunks 'a', ' ', 'the', so ' t' cannot merge: [97, 32, 116, 257]. "
                                                          "pattern=None means one chunk, and '' gives [].",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
