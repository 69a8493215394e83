OK_FORMAT = True

test = {   'name': 'q2',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> result = streaming_mask(6, window=2, sinks=1)\n'
                                               '>>> assert isinstance(result, torch.Tensor) and result.dtype == torch.bool and (result.shape == (6, 6))\n'
                                               '>>> assert result.int().tolist() == [[1, 0, 0, 0, 0, 0], [1, 1, 0, 0, 0, 0], [1, 1, 1, 0, 0, 0], [1, 0, 1, 1, 0, 0], [1, 0, 0, 1, 1, 0], [1, 0, 0, 0, '
                                               '1, 1]]\n',
                                       'failure_message': 'streaming_mask(6, window=2, sinks=1) should be the lower triangle restricted to the diagonal and the one below it, plus column 0 (the sink) '
                                                          'in every row. Return a boolean torch tensor of shape (seq_len, seq_len).',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> assert torch.equal(streaming_mask(9, window=3, sinks=0), sliding_window_mask(9, 3))\n'
                                               '>>> assert not streaming_mask(7, window=1, sinks=4).triu(1).any()\n'
                                               '>>> try:\n'
                                               '...     streaming_mask(5, window=0, sinks=1)\n'
                                               '... except ValueError:\n'
                                               '...     pass\n'
                                               '... else:\n'
                                               "...     raise AssertionError('window=0 must raise ValueError')\n",
                                       'failure_message': "With sinks=0 the mask is course_lib's sliding_window_mask(seq_len, window); a sink never makes a query see the future (a sink j is visible "
                                                          'only to queries i >= j); window=0 must raise ValueError.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
