OK_FORMAT = True

test = {   'name': 'q2',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> result = np.asarray(cache_causal_mask(2, 4))\n'
                                               '>>> assert result.dtype == bool and result.shape == (2, 4)\n'
                                               '>>> assert result.tolist() == [[True, True, True, False], [True, True, True, True]]\n',
                                       'failure_message': "cache_causal_mask(2, 4) is [[T, T, T, F], [T, T, T, T]]: the 2 queries are positions 2 and 3 of 4, so the last one sees every key. torch's "
                                                          'is_causal would give [[T, F, F, F], [T, T, F, F]] (top-left), which is wrong here. Return a numpy array of dtype bool.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> assert np.asarray(cache_causal_mask(3, 3)).tolist() == np.tril(np.ones((3, 3), dtype=bool)).tolist()\n',
                                       'failure_message': 'With as many queries as keys the mask is the lower triangle (np.tril of ones): cache_causal_mask(3, 3) is [[T, F, F], [T, T, F], [T, T, '
                                                          'T]].',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
