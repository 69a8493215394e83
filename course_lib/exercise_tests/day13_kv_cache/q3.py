OK_FORMAT = True

test = {   'name': 'q3',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> llama3_8b = GPTConfig.llama_style(n_layer=32, n_head=32, n_kv_head=8, d_model=4096)\n'
                                               '>>> n = longest_context(llama3_8b, memory_bytes=24 * 2 ** 30, weight_bytes=16 * 2 ** 30)\n'
                                               '>>> assert isinstance(n, int) and n == 65536\n',
                                       'failure_message': "Llama-3-8B's cache takes 2 x 32 layers x 8 KV heads x 128 x 2 bytes = 128 KiB per token; 24 GiB - 16 GiB = 8 GiB leaves room for 65,536 "
                                                          'tokens. The answer must be an int.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> llama3_8b = GPTConfig.llama_style(n_layer=32, n_head=32, n_kv_head=8, d_model=4096)\n'
                                               '>>> assert longest_context(llama3_8b, 24 * 2 ** 30, 16 * 2 ** 30, batch=4) == 16384\n'
                                               '>>> assert longest_context(llama3_8b, 16 * 2 ** 30 + 128 * 1024 - 1, 16 * 2 ** 30) == 0\n'
                                               '>>> assert longest_context(llama3_8b, 8 * 2 ** 30, 16 * 2 ** 30) == 0\n',
                                       'failure_message': 'The batch multiplies the cache (4 sequences: a quarter of the tokens each), a partly filled last token does not count (round down), and '
                                                          'when the weights alone do not fit the answer is 0, not a negative number.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
