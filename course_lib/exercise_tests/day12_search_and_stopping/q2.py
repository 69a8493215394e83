OK_FORMAT = True

test = {   'name': 'q2',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': ">>> assert clipped_matches('the the the the'.split(), ['the cat'.split()], 1) == (1, 4)\n"
                                               ">>> assert clipped_matches('the cat sat on the mat'.split(), ['the cat is on the mat'.split()], 2) == (3, 5)\n",
                                       'failure_message': "'the the the the' against 'the cat' at n=1 gives (1, 4): 'the' occurs 4 times but only once in the reference. At n=2, 'the cat sat on the "
                                                          "mat' vs 'the cat is on the mat' has 5 bigrams of which 3 match: (3, 5).",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> assert clipped_matches(['a', 'a', 'a'], [['a', 'b'], ['a', 'a', 'c']], 1) == (2, 3)\n"
                                               ">>> assert clipped_matches(['a'], [['a', 'b']], 2) == (0, 0)\n",
                                       'failure_message': "With several references, clip each n-gram by its largest count in any ONE reference (not the sum over references): 'a a a' vs ['a b', 'a a "
                                                          "c'] gives (2, 3). A hypothesis shorter than n has (0, 0).",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
