OK_FORMAT = True

test = {   'name': 'q3',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> s_t, values_t = (torch.tensor([[1.0, 2.0, 3.0]]), torch.eye(3))\n'
                                               '>>> out, lse = merge_attention(s_t[:, :2].softmax(-1) @ values_t[:2], s_t[:, :2].logsumexp(-1), s_t[:, 2:].softmax(-1) @ values_t[2:], s_t[:, '
                                               '2:].logsumexp(-1))\n'
                                               '>>> torch.testing.assert_close(out, s_t.softmax(-1) @ values_t)\n'
                                               '>>> torch.testing.assert_close(lse, s_t.logsumexp(-1))\n',
                                       'failure_message': 'For scores [1, 2, 3] split as [1, 2] | [3] with values = the identity, the merged output must be softmax([1, 2, 3]) = [0.0900, 0.2447, '
                                                          '0.6652] and the merged lse = logsumexp([1, 2, 3]) = 3.4076. Part A gets the weight exp(lse_a - lse), part B exp(lse_b - lse).',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> s_t = torch.tensor([[1000.0, 2000.0, 3000.0, 2999.0]])\n'
                                               '>>> out, lse = merge_attention(s_t[:, :2].softmax(-1) @ torch.eye(3)[:1].expand(2, 3), s_t[:, :2].logsumexp(-1), s_t[:, 2:].softmax(-1) @ '
                                               'torch.eye(3)[1:], s_t[:, 2:].logsumexp(-1))\n'
                                               '>>> assert torch.isfinite(out).all() and torch.isfinite(lse).all()\n'
                                               '>>> torch.testing.assert_close(lse, s_t.logsumexp(-1))\n',
                                       'failure_message': 'Scores in the thousands must not overflow: never exponentiate an lse itself, only differences such as lse_a - lse (torch.logaddexp computes '
                                                          'log(e^a + e^b) safely). The result must contain no nan or inf.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
