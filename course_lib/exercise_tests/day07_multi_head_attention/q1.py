OK_FORMAT = True

test = {   'name': 'q1',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> generator = torch.Generator().manual_seed(71)\n'
                                               '>>> q_t, k_t, v_t = (torch.randn(2, 4, 5, 8, generator=generator), torch.randn(2, 4, 5, 8, generator=generator), torch.randn(2, 4, 5, 3, '
                                               'generator=generator))\n'
                                               '>>> result = grouped_query_attention(q_t, k_t, v_t)\n'
                                               '>>> assert isinstance(result, torch.Tensor) and result.shape == (2, 4, 5, 3)\n'
                                               '>>> torch.testing.assert_close(result, F.scaled_dot_product_attention(q_t, k_t, v_t))\n'
                                               '>>> torch.testing.assert_close(grouped_query_attention(q_t, k_t[:, :1], v_t[:, :1]), F.scaled_dot_product_attention(q_t, k_t[:, :1].expand(-1, 4, -1, '
                                               '-1), v_t[:, :1].expand(-1, 4, -1, -1)))\n',
                                       'failure_message': 'With H == H_kv (plain multi-head attention) or H_kv == 1 (multi-query), your function must give what F.scaled_dot_product_attention gives, '
                                                          "shape (B, H, T, d_v). Scale the scores by 1/sqrt(d) where d is the query's last dimension, and softmax over the keys (the last axis).",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> generator = torch.Generator().manual_seed(72)\n'
                                               '>>> q_t, k_t, v_t = (torch.randn(2, 4, 5, 8, generator=generator), torch.randn(2, 4, 5, 8, generator=generator), torch.randn(2, 4, 5, 3, '
                                               'generator=generator))\n'
                                               '>>> result = grouped_query_attention(q_t, k_t, v_t, is_causal=True)\n'
                                               '>>> assert isinstance(result, torch.Tensor) and result.shape == (2, 4, 5, 3)\n'
                                               '>>> torch.testing.assert_close(result[:, :, 0], v_t[:, :, 0])\n'
                                               '>>> try:\n'
                                               '...     grouped_query_attention(torch.randn(1, 6, 2, 4), torch.randn(1, 4, 2, 4), torch.randn(1, 4, 2, 4))\n'
                                               '... except ValueError:\n'
                                               '...     pass\n'
                                               '... else:\n'
                                               "...     raise AssertionError('expected a ValueError for 6 query heads and 4 key/value heads')\n",
                                       'failure_message': "Causal: query i may only see keys j <= i, so the first query's output is exactly the first value (of its key/value head). Indivisible "
                                                          'heads, such as 6 query heads with 4 key/value heads, must raise ValueError.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
