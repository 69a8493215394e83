OK_FORMAT = True

test = {   'name': 'q1',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> probs = torch.tensor([0.5, 0.3, 0.15, 0.05])\n'
                                               '>>> out = min_p_filter(probs.log(), 0.4)\n'
                                               '>>> assert isinstance(out, torch.Tensor) and out.shape == (4,)\n'
                                               '>>> assert out.isfinite().tolist() == [True, True, False, False]\n'
                                               ">>> assert torch.equal(out[:2], probs.log()[:2]) and (out[2:] == float('-inf')).all()\n"
                                               '>>> assert min_p_filter(probs.log(), 0.0).isfinite().all()\n',
                                       'failure_message': 'For probabilities [0.5, 0.3, 0.15, 0.05] and min_p = 0.4 the bar is 0.4 * 0.5 = 0.2: the first two tokens stay with their logits unchanged, '
                                                          'the others become -inf. min_p = 0 keeps every token.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> rows = torch.tensor([[2.0, 1.0, 0.0], [0.0, 0.0, -0.5]])\n'
                                               '>>> before = rows.clone()\n'
                                               '>>> out = min_p_filter(rows, 0.5)\n'
                                               '>>> assert out.shape == (2, 3) and torch.equal(rows, before)\n'
                                               '>>> assert out.isfinite().tolist() == [[True, False, False], [True, True, True]]\n',
                                       'failure_message': "Filter each row of a (batch, vocab) tensor with its own bar (the bar depends on that row's largest probability), return a new tensor and "
                                                          'leave the input unchanged.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
