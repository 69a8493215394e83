OK_FORMAT = True

test = {   'name': 'q2',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': ">>> result = weighted_rrf([['a', 'b'], ['b', 'c']], weights=[2.0, 1.0])\n"
                                               ">>> assert [item for item, _ in result] == ['b', 'a', 'c']\n"
                                               '>>> assert np.allclose([s for _, s in result], [2 / 62 + 1 / 61, 2 / 61, 1 / 62])\n',
                                       'failure_message': 'With weights [2, 1]: a earns 2/61, b earns 2/62 + 1/61, c earns 1/62, so the order is b, a, c. Ranks count from 1.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> assert [i for i, _ in weighted_rrf([['a', 'b', 'c'], ['c', 'd', 'a']])] == ['a', 'c', 'b', 'd']\n"
                                               '>>> try:\n'
                                               "...     weighted_rrf([['a'], ['b']], weights=[1.0])\n"
                                               '... except ValueError:\n'
                                               '...     pass\n'
                                               '... else:\n'
                                               "...     raise AssertionError('one weight for two rankings must raise ValueError')\n",
                                       'failure_message': 'Without weights every ranking counts 1 (the plain RRF of section 3), ties keep first-met order, and a wrong number of weights raises '
                                                          'ValueError.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
