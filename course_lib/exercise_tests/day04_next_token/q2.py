OK_FORMAT = True

test = {   'name': 'q2',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> P = bigram_probs([[2, 4, 5, 3], [2, 4, 3]], vocab_size=6, k=1.0)\n'
                                               '>>> assert np.shape(P) == (6, 6)\n'
                                               '>>> assert np.isclose(P[2, 4], 0.375)\n'
                                               '>>> assert np.isclose(P[2, 5], 0.125) and np.isclose(P[4, 5], 0.25)\n'
                                               '>>> assert np.allclose(P[0], 1 / 6)\n',
                                       'failure_message': 'For [[2, 4, 5, 3], [2, 4, 3]] with vocab_size 6 and k 1: id 2 starts 2 pairs, both (2, 4), so P[2, 4] = (2 + 1) / (2 + 6) = 0.375; id 4 '
                                                          'starts (4, 5) and (4, 3), so P[4, 5] = (1 + 1) / (2 + 6) = 0.25; id 0 starts none, so its row is 1/6 everywhere.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> P = bigram_probs([[2, 4, 3]], vocab_size=5, k=0.5)\n>>> assert np.isclose(P[2, 4], 1.5 / 3.5)\n>>> assert np.allclose(np.sum(P, axis=1), 1.0)\n',
                                       'failure_message': 'Every row of the table must sum to 1 (it is a distribution over the next id), for any k > 0. With k = 0.5 and [[2, 4, 3]] in a vocabulary '
                                                          'of 5: P[2, 4] = (1 + 0.5) / (1 + 2.5) = 0.4286. Count a pair once for each time it occurs, across all sequences.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
