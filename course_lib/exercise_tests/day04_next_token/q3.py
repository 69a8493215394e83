OK_FORMAT = True

test = {   'name': 'q3',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> loss, grad = bigram_loss_and_grad(np.zeros((2, 3)), np.array([0]), np.array([2]))\n'
                                               '>>> assert math.isclose(loss, math.log(3), rel_tol=1e-09)\n'
                                               '>>> assert np.shape(grad) == (2, 3)\n'
                                               '>>> assert np.allclose(grad, [[1 / 3, 1 / 3, -2 / 3], [0, 0, 0]])\n',
                                       'failure_message': 'With W all zeros every row is uniform: for one pair (0 -> 2) over 3 tokens the loss is log 3 = 1.0986, and row 0 of the gradient is softmax '
                                                          '- onehot = [1/3, 1/3, 1/3 - 1]; row 1 was not used, so its gradient is 0.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> W_check = np.array([[1.0, 0.0], [0.0, 1000.0]])\n'
                                               '>>> loss, grad = bigram_loss_and_grad(W_check, np.array([0, 0, 1]), np.array([0, 1, 0]))\n'
                                               '>>> p = 1 / (1 + math.exp(-1))\n'
                                               '>>> assert math.isclose(loss, (-math.log(p) - math.log(1 - p) + 1000) / 3, rel_tol=1e-09)\n'
                                               '>>> assert np.allclose(grad[0], [(p - 1 + p) / 3, (1 - p + (1 - p) - 1) / 3])\n'
                                               '>>> assert np.isfinite(grad).all()\n',
                                       'failure_message': 'Two pairs share row 0 here, so row 0 gets the sum of both gradients, each divided by N = 3 (np.add.at, or a loop, adds repeated rows; '
                                                          "W[prev] += ... would keep only one). Large logits such as 1000 must not give nan: subtract each row's maximum first.",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
