OK_FORMAT = True

test = {   'name': 'q1',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> out = attend_to_cache(torch.tensor([[[[1.0, 0.0]]]]), torch.tensor([[[[1.0, 0.0], [0.0, 1.0]]]]), torch.tensor([[[[10.0, 0.0], [0.0, 10.0]]]]))\n'
                                               '>>> assert isinstance(out, torch.Tensor) and out.shape == (1, 1, 1, 2)\n'
                                               '>>> assert torch.allclose(out, torch.tensor([[[[6.6976, 3.3024]]]]), atol=0.001)\n',
                                       'failure_message': 'For q = [1, 0], keys [1, 0] and [0, 1] and values [10, 0] and [0, 10], the scores are [1, 0] / sqrt(2), the softmax weights about [0.670, '
                                                          '0.330], so the output is about [6.698, 3.302], with the shape of q: (1, 1, 1, 2).',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> q = torch.randn(1, 4, 1, 8, generator=torch.Generator().manual_seed(0))\n'
                                               '>>> k = torch.randn(1, 2, 5, 8, generator=torch.Generator().manual_seed(1))\n'
                                               '>>> v = torch.cat([torch.ones(1, 1, 5, 8), 2 * torch.ones(1, 1, 5, 8)], dim=1)\n'
                                               '>>> out = attend_to_cache(q, k, v)\n'
                                               '>>> assert out.shape == (1, 4, 1, 8)\n'
                                               '>>> assert torch.allclose(out[:, :2], torch.ones(1, 2, 1, 8)) and torch.allclose(out[:, 2:], 2 * torch.ones(1, 2, 1, 8))\n',
                                       'failure_message': 'With 4 query heads and 2 key/value heads, query heads 0 and 1 read key/value head 0, heads 2 and 3 read head 1. Here the value heads are '
                                                          'all ones and all twos, so the outputs must be ones for heads 0-1 and twos for heads 2-3, whatever the weights.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
