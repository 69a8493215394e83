OK_FORMAT = True

test = {   'name': 'q2',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> result = swiglu_ffn(torch.ones(1, 2), torch.ones(3, 2), torch.ones(3, 2), torch.ones(2, 3))\n'
                                               '>>> assert isinstance(result, torch.Tensor) and result.shape == (1, 2)\n'
                                               '>>> torch.testing.assert_close(result, torch.full((1, 2), 3 * 2 * 2 / (1 + math.exp(-2))))\n',
                                       'failure_message': 'With x = ones(1, 2) and all-ones weights (3 hidden units), each hidden unit is silu(2) * 2 = 3.5230 and each output the sum of three of '
                                                          'them, 10.5691. Compute x @ W.T for the gate and the up projection, multiply silu(gate) by up element by element, then project with w_down.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> result = swiglu_ffn(torch.tensor([[1.0, -1.0]]), torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, 1.0]]), torch.tensor([[1.0], [0.0]]))\n'
                                               '>>> assert isinstance(result, torch.Tensor) and result.shape == (1, 2)\n'
                                               '>>> torch.testing.assert_close(result, torch.tensor([[-1.0 / (1 + math.exp(-1)), 0.0]]))\n',
                                       'failure_message': 'The gate is the one that goes through SiLU, not the up projection: swapping them changes the result. Check on x = [[1, -1]] with w_gate = '
                                                          '[[1, 0]], w_up = [[0, 1]], w_down = [[1], [0]]: the answer is [[silu(1) * (-1), 0]] = [[-0.7311, 0]].',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
