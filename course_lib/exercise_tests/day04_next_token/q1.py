OK_FORMAT = True

test = {   'name': 'q1',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> assert np.allclose(softmax_with_temperature([1.0, 2.0, 3.0], 1.0), [0.09003057, 0.24472847, 0.66524096])\n'
                                               '>>> assert np.allclose(softmax_with_temperature([1.0, 2.0, 3.0], 0.5), [0.01587624, 0.11731043, 0.86681333])\n',
                                       'failure_message': 'softmax_with_temperature([1.0, 2.0, 3.0], 1.0) should be about [0.090, 0.245, 0.665], and with temperature 0.5 about [0.016, 0.117, 0.867]: '
                                                          'divide the logits by the temperature, exponentiate, then divide by the sum.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> assert np.allclose(softmax_with_temperature([1000.0, 1001.0], 1.0), [0.26894142, 0.73105858])\n'
                                               '>>> try:\n'
                                               '...     softmax_with_temperature([1.0, 2.0], 0)\n'
                                               '... except ValueError:\n'
                                               '...     pass\n'
                                               '... else:\n'
                                               "...     raise AssertionError('expected a ValueError for temperature 0')\n",
                                       'failure_message': 'Large logits. softmax_with_temperature([1000.0, 1001.0], 1.0) should be about [0.269, 0.731], not nan: subtract the largest logit before '
                                                          'np.exp (the answer does not change, and no exp overflows). And temperature 0 or below must raise ValueError.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
