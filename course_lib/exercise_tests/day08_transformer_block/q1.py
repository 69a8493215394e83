OK_FORMAT = True

test = {   'name': 'q1',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> result = rms_norm(torch.tensor([[3.0, 4.0]]), torch.ones(2), eps=0.0)\n'
                                               '>>> assert isinstance(result, torch.Tensor) and result.shape == (1, 2)\n'
                                               '>>> torch.testing.assert_close(result, torch.tensor([[3.0, 4.0]]) / math.sqrt(12.5))\n',
                                       'failure_message': 'rms_norm([[3, 4]], ones(2), eps=0) should be [[0.8485, 1.1314]]: the root mean square of (3, 4) is sqrt((9 + 16) / 2) = 3.5355. Average the '
                                                          'squares over the last axis only (keepdim=True), put eps inside the square root, and multiply by weight.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> x_t = torch.arange(24, dtype=torch.float64).reshape(2, 3, 4) - 5.0\n'
                                               '>>> result = rms_norm(x_t, torch.full((4,), 2.0, dtype=torch.float64), eps=0.0)\n'
                                               '>>> assert result.shape == (2, 3, 4)\n'
                                               '>>> torch.testing.assert_close((result / 2.0).pow(2).mean(-1), torch.ones(2, 3, dtype=torch.float64))\n',
                                       'failure_message': 'With a gain of 2 everywhere the output doubles, and for a batch of shape (2, 3, 4) each of the 6 vectors is normalized on its own: every '
                                                          'output vector (divided by the gain) has a root mean square of 1.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
