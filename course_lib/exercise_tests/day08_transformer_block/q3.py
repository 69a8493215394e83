OK_FORMAT = True

test = {   'name': 'q3',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> double, add_one, identity, times_ten = (lambda h: 2 * h, lambda h: h + 1, lambda h: h, lambda h: 10 * h)\n'
                                               '>>> torch.testing.assert_close(block_forward(torch.ones(1, 1, 2), double, add_one, identity, identity, pre_norm=True), torch.full((1, 1, 2), 7.0))\n'
                                               '>>> torch.testing.assert_close(block_forward(torch.ones(1, 1, 2), double, add_one, times_ten, times_ten, pre_norm=True), torch.full((1, 1, 2), '
                                               '232.0))\n',
                                       'failure_message': 'Pre-LN with attn = 2h, ffn = h + 1 and identity norms: x = 1 becomes 1 + 2 = 3, then 3 + (3 + 1) = 7. With norm1 = norm2 = (lambda h: 10 * '
                                                          'h) it becomes 1 + 20 = 21, then 21 + (210 + 1) = 232: the norms apply to the input of each sub-layer, not to the residual stream.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> double, add_one, times_ten = (lambda h: 2 * h, lambda h: h + 1, lambda h: 10 * h)\n'
                                               '>>> torch.testing.assert_close(block_forward(torch.ones(1, 1, 2), double, add_one, times_ten, times_ten, pre_norm=False), torch.full((1, 1, 2), '
                                               '610.0))\n',
                                       'failure_message': 'Post-LN with attn = 2h, ffn = h + 1 and norm1 = norm2 = (lambda h: 10 * h): x = 1 becomes 10 * (1 + 2) = 30, then 10 * (30 + 31) = 610. The '
                                                          'norm is applied after each residual addition.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
