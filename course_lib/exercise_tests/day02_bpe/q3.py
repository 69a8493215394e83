OK_FORMAT = True

test = {   'name': 'q3',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> merges = {(97, 97): 256, (97, 98): 257, (256, 257): 258}\n'
                                               ">>> assert decode_ids([258, 100, 300, 97, 99], merges, {'<|end|>': 300}) == 'aaabd<|end|>ac'\n",
                                       'failure_message': "With merges {(97, 97): 256, (97, 98): 257, (256, 257): 258}, id 256 is b'aa', 257 is b'ab' and 258 is b'aa' + b'ab' = b'aaab'; the special "
                                                          "token 300 is b'<|end|>'. So [258, 100, 300, 97, 99] decodes to 'aaabd<|end|>ac'.",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> assert decode_ids([240, 159, 153, 130], {}, {}) == '🙂'\n"
                                               ">>> assert decode_ids([240, 159], {}, {}) == '�'\n"
                                               ">>> assert decode_ids([], {(97, 98): 256}, {}) == ''\n"
                                               ">>> assert decode_ids([256, 32, 256], {(195, 169): 256}, {}) == 'é é'\n"
                                               '>>> try:\n'
                                               '...     decode_ids([97, 999], {}, {})\n'
                                               '... except ValueError:\n'
                                               '...     pass\n'
                                               '... else:\n'
                                               "...     raise AssertionError('expected a ValueError for the unknown id 999')\n",
                                       'failure_message': "Join the bytes of all ids first, then decode once: a character can be split across ids. [240, 159, 153, 130] is '🙂', [240, 159] alone is "
                                                          "'�' (errors='replace'), no ids give '', and an id that is not a byte, a merge or a special token (such as 999 here) raises ValueError.",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
