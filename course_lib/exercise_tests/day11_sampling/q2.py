OK_FORMAT = True

test = {   'name': 'q2',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> two_rows = torch.tensor([[0.0, 3.0, 1.0], [5.0, 4.0, 0.0]])\n'
                                               '>>> greedy = sample_step(torch.tensor([[0.0, 3.0, 1.0], [5.0, 5.0, 0.0]]), None, temperature=0)\n'
                                               '>>> assert isinstance(greedy, torch.Tensor) and greedy.dtype == torch.int64 and (greedy.tolist() == [[1], [0]])\n'
                                               '>>> for seed in range(5):\n'
                                               '...     assert sample_step(two_rows, torch.Generator().manual_seed(seed), top_k=1).tolist() == [[1], [0]]\n',
                                       'failure_message': 'temperature=0 is greedy: [[0, 3, 1], [5, 5, 0]] gives [[1], [0]] (first index on a tie), as a (batch, 1) int64 tensor. With top_k=1 only '
                                                          'the largest logit can be drawn.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> row = torch.tensor([0.5, 0.3, 0.2]).log().expand(400, 3)\n'
                                               '>>> draws = sample_step(row, torch.Generator().manual_seed(0), top_p=0.5)\n'
                                               '>>> assert draws.shape == (400, 1) and (draws == 0).all()\n'
                                               '>>> first = sample_step(row, torch.Generator().manual_seed(7), temperature=1.0)\n'
                                               '>>> assert torch.equal(first, sample_step(row, torch.Generator().manual_seed(7), temperature=1.0))\n'
                                               '>>> share = (first == 0).float().mean().item()\n'
                                               ">>> assert 0.4 < share < 0.6, f'token 0 drawn {share:.0%} of the time, expected about 50%'\n",
                                       'failure_message': 'Sampling must be repeatable and follow the filters: with the same seeded generator the same ids come out, a token removed by top-p is never '
                                                          'drawn (with top_p=0.5 only the 50% token of [0.5, 0.3, 0.2] can come), and draws follow softmax(logits / temperature).',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
