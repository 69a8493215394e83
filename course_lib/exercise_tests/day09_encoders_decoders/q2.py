OK_FORMAT = True

test = {   'name': 'q2',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> result = prefix_lm_mask([2, 0], 3)\n'
                                               '>>> assert isinstance(result, torch.Tensor) and result.dtype == torch.bool and (result.shape == (2, 3, 3))\n'
                                               '>>> assert result.int().tolist() == [[[1, 1, 0], [1, 1, 0], [1, 1, 1]], [[1, 0, 0], [1, 1, 0], [1, 1, 1]]]\n',
                                       'failure_message': 'prefix_lm_mask([2, 0], 3) must be a boolean tensor of shape (2, 3, 3): the first sequence [[1, 1, 0], [1, 1, 0], [1, 1, 1]] (tokens 0 and 1 '
                                                          'see each other), the second the plain causal mask.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> assert prefix_lm_mask([4], 4).all() and torch.equal(prefix_lm_mask([0], 4)[0], causal_mask(4))\n'
                                               '>>> for bad in ([5], [1, -1]):\n'
                                               '...     try:\n'
                                               '...         prefix_lm_mask(bad, 4)\n'
                                               '...     except ValueError:\n'
                                               '...         pass\n'
                                               '...     else:\n'
                                               "...         raise AssertionError(f'expected a ValueError for prefix lengths {bad}')\n",
                                       'failure_message': 'Prefix length seq_len gives the full mask and 0 the causal mask; a prefix length of 5 with seq_len 4 (or -1) must raise ValueError.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
