OK_FORMAT = True

test = {   'name': 'q3',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': ">>> toy = lambda texts: np.array([[t.count('a'), t.count('b') + 1e-09] for t in texts], dtype=float)\n"
                                               ">>> assert abs(groundedness_score(['aa', 'bb'], ['a', 'ab'], toy) - (1 + 2 ** (-0.5)) / 2) < 1e-06\n",
                                       'failure_message': "With toy = counts of 'a' and 'b', 'aa' points the same way as 'a' (cosine 1.0) and 'bb' is best matched by 'ab' (cosine 0.707), so the mean "
                                                          'is about 0.854. Normalize the rows: embed does not return unit vectors.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> flip = lambda texts: np.array([[1.0, 0.0] if t == 'up' else [-1.0, 0.0] for t in texts])\n"
                                               ">>> assert groundedness_score(['up'], ['down'], flip) == 0.0\n"
                                               ">>> assert groundedness_score([], ['a'], flip) == 0.0 and groundedness_score(['a'], [], flip) == 0.0\n",
                                       'failure_message': 'Clip negative cosines at 0, and return 0.0 when either list is empty.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
