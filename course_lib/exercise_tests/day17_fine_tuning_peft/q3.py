OK_FORMAT = True

test = {   'name': 'q3',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': ">>> shapes = {'blocks.0.attn.q_proj': (128, 128), 'blocks.0.attn.k_proj': (128, 64), 'lm_head': (128, 1024)}\n"
                                               ">>> assert count_lora_parameters(shapes, ['q_proj', 'k_proj'], rank=8) == 3584\n"
                                               ">>> assert count_lora_parameters(shapes, ['lm_head'], rank=1) == 1152\n",
                                       'failure_message': 'q_proj (128 -> 128) and k_proj (128 -> 64) at rank 8 train 8 * (128 + 128) + 8 * (128 + 64) = 3584 parameters; lm_head is not a target. A '
                                                          "layer counts when its name equals a target or ends with '.' + target.",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> shapes = {'blocks.0.attn.q_proj': (4, 4), 'blocks.0.attn.qq_proj': (4, 2)}\n"
                                               ">>> assert count_lora_parameters(shapes, ['q_proj'], rank=2) == 16\n"
                                               ">>> for bad in ((['proj'], 2), (['q_proj'], 0)):\n"
                                               '...     try:\n'
                                               '...         count_lora_parameters(shapes, *bad)\n'
                                               '...     except ValueError:\n'
                                               '...         pass\n'
                                               '...     else:\n'
                                               "...         raise AssertionError(f'expected ValueError for targets {bad[0]} and rank {bad[1]}')\n",
                                       'failure_message': "Match whole name parts: 'proj' must not match 'blocks.0.attn.q_proj' (it is not '.proj' at the end), so with only that target nothing "
                                                          'matches and you should raise ValueError, as for rank 0.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
