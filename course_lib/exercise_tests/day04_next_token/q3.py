OK_FORMAT = True

test = {   'name': 'q3',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> assert math.isclose(perplexity([0.25, 0.25, 0.25]), 4.0)\n>>> assert math.isclose(perplexity([0.5, 0.125]), 4.0)\n',
                                       'failure_message': 'perplexity([0.25, 0.25, 0.25]) and perplexity([0.5, 0.125]) should both be 4.0: the exponential of minus the mean of the natural logarithms '
                                                          '(math.log) of the probabilities.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> assert math.isclose(perplexity([1e-200] * 5), 1e+200, rel_tol=1e-09)\n'
                                               '>>> assert perplexity([0.5, 0.0]) == math.inf\n'
                                               '>>> try:\n'
                                               '...     perplexity([])\n'
                                               '... except ValueError:\n'
                                               '...     pass\n'
                                               '... else:\n'
                                               "...     raise AssertionError('expected a ValueError for an empty list')\n",
                                       'failure_message': 'Edge cases. perplexity([1e-200] * 5) should be about 1e200: the product of the probabilities underflows to 0.0, so sum their logarithms '
                                                          'instead. A probability of 0 gives math.inf, and an empty list raises ValueError.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
