OK_FORMAT = True

test = {   'name': 'q3',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> assert count_parameters(GPTConfig.gpt2_style(vocab_size=50257, block_size=1024, n_layer=12, n_head=12, d_model=768)) == 124439808\n',
                                       'failure_message': 'GPT-2 small (vocab 50257, block 1024, 12 layers, 12 heads, width 768, d_ff 3072, biases, LayerNorm, tied embeddings) has 124,439,808 '
                                                          'parameters (section 6). Count the embedding table once: with tied embeddings lm_head adds nothing.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> small = GPTConfig.llama_style(vocab_size=99, n_layer=2, n_head=4, n_kv_head=2, d_model=32, d_ff=37)\n'
                                               '>>> assert count_parameters(small) == GPT(small).num_parameters()\n',
                                       'failure_message': 'A tiny Llama-style model: vocab 99, 2 layers, 4 heads of 8 with 2 key/value heads, SwiGLU d_ff 37, no biases, RMSNorm, RoPE (no pos_emb), '
                                                          'untied. k_proj and v_proj map 32 -> 2 * 8 = 16; SwiGLU has three matrices. Compare with GPT(config).num_parameters().',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
