OK_FORMAT = True

test = {   'name': 'q2',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> codes, absmax = nf4_blocks(torch.tensor([0.0, 2.0, -2.0, 0.2, 0.0, 0.0, 0.0, 0.0]), 4)\n'
                                               '>>> assert codes.tolist() == [7, 15, 0, 8, 7, 7, 7, 7] and absmax.tolist() == [2.0, 0.0]\n',
                                       'failure_message': "For [0, 2, -2, 0.2 | 0, 0, 0, 0] with blocks of 4: the first block's absmax is 2, so the scaled values are 0, 1, -1, 0.1 -> levels 7, 15, "
                                                          '0, 8; the zero block has absmax 0 and codes 7.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> codes, absmax = nf4_blocks(torch.tensor([[1.0, 0.5, -0.5, 0.0], [0.1, -0.1, 0.3, -0.3]]), 4)\n'
                                               '>>> assert tuple(codes.shape) == (2, 4) and absmax.shape == (2,)\n'
                                               '>>> assert codes[0].tolist() == [15, 12, 2, 7]\n',
                                       'failure_message': "codes must have w's shape (here (2, 4)) and absmax one entry per block (here 2); values between two levels go to the nearer one: 0.5 of the "
                                                          'absmax is nearer to level 12 (0.4407) than to level 13 (0.5626).',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
