OK_FORMAT = True

test = {   'name': 'q3',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> assert moe_budget(4, 6, 1, 4, 1, shared_per_layer=56, shared_other=84) == (444, 228)\n',
                                       'failure_message': 'In moe_budget(4, 6, 1, 4, 1, 56, 84) each expert has 3 * 4 * 6 = 72 weights and the router 4 * 4 = 16: total = 4 * 72 + 16 + 56 + 84 = 444, '
                                                          'active = 1 * 72 + 16 + 56 + 84 = 228.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> total_params, active_params = moe_budget(4096, 14336, 32, 8, 2, 41943040 + 8192, 262148096)\n'
                                               '>>> assert (total_params, active_params) == (46702792704, 12879925248)\n',
                                       'failure_message': 'Mixtral 8x7B: d_model 4096, d_ff 14336, 32 layers, 8 experts, top-2, with 41,943,040 attention + 8,192 norm parameters per layer and '
                                                          '262,148,096 outside the layers, gives 46,702,792,704 parameters in total and 12,879,925,248 active (section 7).',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
