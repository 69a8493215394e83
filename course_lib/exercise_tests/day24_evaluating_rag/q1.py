OK_FORMAT = True

test = {   'name': 'q1',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': ">>> assert abs(mrr([['a', 'b', 'c'], ['x', 'y', 'z']], [{'b'}, {'q'}], k=3) - 0.25) < 1e-12\n",
                                       'failure_message': "mrr([['a', 'b', 'c'], ['x', 'y', 'z']], [{'b'}, {'q'}], k=3) should be 0.25: the first question's first relevant id is at rank 2 (1/2), the "
                                                          'second has none (0), and the mean is 0.25.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> assert mrr([['a', 'b']], [{'a', 'b'}], k=2) == 1.0\n"
                                               ">>> assert mrr([['a', 'b']], [{'b'}], k=1) == 0.0\n"
                                               '>>> try:\n'
                                               "...     mrr([['a']], [], k=1)\n"
                                               '... except ValueError:\n'
                                               '...     pass\n'
                                               '... else:\n'
                                               "...     raise AssertionError('expected a ValueError')\n",
                                       'failure_message': "Only the FIRST relevant id counts, and only within the top k: mrr([['a', 'b']], [{'a', 'b'}], k=2) is 1.0, and mrr([['a', 'b']], [{'b'}], "
                                                          'k=1) is 0.0. Different lengths raise ValueError.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
