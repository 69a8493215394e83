OK_FORMAT = True

test = {   'name': 'q2',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> import torch\n'
                                               '>>> W = torch.zeros(2, 2)\n'
                                               '>>> merged = merge_lora_weight(W, torch.tensor([[1.0, 2.0]]), torch.tensor([[1.0], [1.0]]), 1.0)\n'
                                               '>>> assert torch.allclose(merged, torch.tensor([[1.0, 2.0], [1.0, 2.0]])) and torch.equal(W, torch.zeros(2, 2))\n'
                                               '>>> merged = merge_lora_weight(torch.eye(2), torch.eye(2), torch.eye(2), 4.0)\n'
                                               '>>> assert torch.allclose(merged, 3 * torch.eye(2))\n',
                                       'failure_message': 'With W = 0, A = [[1, 2]] and B = [[1], [1]], r = 1 and alpha = 1, so the merged weight is B @ A = [[1, 2], [1, 2]]. With alpha = 4 and r = '
                                                          '2 the scale is 2. Return a new tensor: W itself must not change.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
