OK_FORMAT = True

test = {   'name': 'q2',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> k = torch.arange(3.0).view(1, 1, 3, 1)\n'
                                               '>>> new = torch.tensor([[[[3.0], [4.0]]]])\n'
                                               '>>> k2, v2 = sliding_window_update(k, -k, new, -new, window=4)\n'
                                               '>>> assert k2.flatten().tolist() == [1.0, 2.0, 3.0, 4.0] and v2.flatten().tolist() == [-1.0, -2.0, -3.0, -4.0]\n',
                                       'failure_message': 'Positions 0, 1, 2 cached, 3 and 4 new, window 4: append to get 0 1 2 3 4, then keep the last four, 1 2 3 4 (along dimension 2, for keys and '
                                                          'values alike).',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> empty = torch.zeros(2, 3, 0, 4)\n'
                                               '>>> new = torch.randn(2, 3, 2, 4)\n'
                                               '>>> k2, v2 = sliding_window_update(empty, empty, new, new, window=5)\n'
                                               '>>> assert k2.shape == (2, 3, 2, 4) and torch.equal(k2, new) and torch.equal(v2, new)\n',
                                       'failure_message': 'While the text is shorter than the window nothing is dropped: an empty cache (seq 0) plus 2 new positions with window 5 gives those 2 '
                                                          'positions. The cache must not be changed in place.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
