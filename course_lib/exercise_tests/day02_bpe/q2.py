OK_FORMAT = True

test = {   'name': 'q2',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': ">>> assert decode_with_merges([258, 100, 258, 97, 99], {(97, 97): 256, (97, 98): 257, (256, 257): 258}) == 'aaabdaaabac'\n",
                                       'failure_message': "The textbook example: with merges {(97, 97): 256, (97, 98): 257, (256, 257): 258}, id 256 is b'aa', 257 is b'ab' and 258 is b'aa' + b'ab' = "
                                                          "b'aaab', so [258, 100, 258, 97, 99] decodes to 'aaabdaaabac'. Build the id -> bytes table in the order of the merges.",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> assert decode_with_merges([240, 159, 153, 130], {}) == '🙂'\n"
                                               ">>> assert decode_with_merges([240, 159], {}) == '�'\n"
                                               ">>> assert decode_with_merges([], {(97, 98): 256}) == ''\n"
                                               ">>> assert decode_with_merges([256, 32, 256], {(195, 169): 256}) == 'é é'\n",
                                       'failure_message': "Join the bytes of all ids first, then decode once: a character can be split across ids. [240, 159, 153, 130] is '🙂', [240, 159] alone is "
                                                          "'�' (errors='replace'), and no ids give ''.",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
