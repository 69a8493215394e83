OK_FORMAT = True

test = {   'name': 'q1',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> import torch\n'
                                               '>>> W = torch.eye(2)\n'
                                               '>>> A, B = (torch.tensor([[1.0, 1.0]]), torch.tensor([[1.0], [0.0]]))\n'
                                               '>>> assert torch.allclose(lora_forward(torch.tensor([[1.0, 2.0]]), W, None, A, B, 2.0), torch.tensor([[7.0, 2.0]]))\n'
                                               '>>> assert torch.allclose(lora_forward(torch.tensor([[1.0, 2.0]]), W, torch.tensor([0.5, -1.0]), A, B, 2.0), torch.tensor([[7.5, 1.0]]))\n',
                                       'failure_message': 'With W = I, A = [[1, 1]], B = [[1], [0]] and alpha = 2 (so r = 1 and the scale is 2), x = [1, 2] gives [1, 2] + 2 * (1 + 2) * [1, 0] = [7, '
                                                          '2]. Add the bias b when it is not None.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> import torch\n'
                                               '>>> x = torch.ones(2, 3, 4)\n'
                                               '>>> out = lora_forward(x, torch.zeros(5, 4), None, torch.ones(2, 4), torch.ones(5, 2), alpha=1.0)\n'
                                               '>>> assert tuple(out.shape) == (2, 3, 5) and torch.allclose(out, torch.full((2, 3, 5), 4.0))\n'
                                               '>>> try:\n'
                                               '...     lora_forward(x, torch.zeros(5, 4), None, torch.ones(2, 3), torch.ones(5, 2), alpha=1.0)\n'
                                               '... except ValueError:\n'
                                               '...     pass\n'
                                               '... else:\n'
                                               "...     raise AssertionError('A of shape (2, 3) does not fit W of shape (5, 4): expected ValueError')\n",
                                       'failure_message': 'Any leading dimensions: x of shape (2, 3, in) gives (2, 3, out). Read r from A (A.shape[0]), divide alpha by it, and raise ValueError when '
                                                          'A, B or x do not fit W.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
