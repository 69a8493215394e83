OK_FORMAT = True

test = {   'name': 'q1',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> weights, indices = top_k_routing(torch.tensor([[0.0, 2.0, 1.0]]), 2)\n'
                                               '>>> assert indices.tolist() == [[1, 2]]\n'
                                               '>>> assert torch.allclose(weights, torch.tensor([[0.7311, 0.2689]]), atol=0.0001)\n',
                                       'failure_message': 'For logits [[0, 2, 1]] and k = 2 the softmax is about [0.09, 0.67, 0.24]; the two largest belong to experts 1 and 2, and renormalized they '
                                                          'are about 0.7311 and 0.2689. Return (weights, indices), each of shape (N, k).',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> logits = torch.tensor([[1000.0, 990.0, 0.0, 995.0], [0.5, 0.1, 0.3, 0.2]])\n'
                                               '>>> weights, indices = top_k_routing(logits, 3)\n'
                                               '>>> assert weights.shape == indices.shape == (2, 3) and torch.isfinite(weights).all()\n'
                                               '>>> assert torch.allclose(weights.sum(-1), torch.ones(2))\n'
                                               '>>> assert top_k_routing(logits, 1)[0].tolist() == [[1.0], [1.0]]\n',
                                       'failure_message': 'Every row of weights must sum to 1 (renormalize after top-k); with k = 1 the single weight is 1.0; and large logits must not give nan or '
                                                          'inf (torch.softmax subtracts the row maximum for you).',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
