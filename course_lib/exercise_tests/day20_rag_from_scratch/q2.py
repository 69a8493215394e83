OK_FORMAT = True

test = {   'name': 'q2',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> result = cosine_top_k(np.array([1.0, 0.0]), np.array([[3.0, 0.0], [0.0, 2.0], [1.0, 1.0]]), k=2)\n'
                                               '>>> assert [i for i, _ in result] == [0, 2]\n'
                                               '>>> assert np.allclose([s for _, s in result], [1.0, 2 ** (-0.5)])\n',
                                       'failure_message': 'On query [1, 0] and rows [3, 0], [0, 2], [1, 1] the cosines are 1, 0 and 0.707, so k=2 gives [(0, 1.0), (2, 0.707...)]. Divide by both '
                                                          'lengths: the first row is long but points the same way.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> result = cosine_top_k(np.array([2.0, 1.0]), np.array([[100.0, 0.0], [0.2, 0.1], [0.1, 0.3]]), k=5)\n'
                                               '>>> assert [i for i, _ in result] == [1, 0, 2]\n',
                                       'failure_message': 'Length must not matter: a short vector pointing the same way as the query beats a long one pointing elsewhere. And k larger than the number '
                                                          'of rows returns every row.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
