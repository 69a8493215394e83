OK_FORMAT = True

test = {   'name': 'q3',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': ">>> assert llama_parameter_count(json.loads((folder / 'config.json').read_text())) == 869504\n",
                                       'failure_message': "For our exported model's config.json the count is 869504 (the model has that many parameters). Per layer: q_proj and o_proj are C x C, "
                                                          'k_proj and v_proj C x (num_key_value_heads * head_dim), the MLP 3 x C x intermediate_size, two norms of C; plus the embedding and the final '
                                                          'norm.',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> untied = dict(json.loads((folder / 'config.json').read_text()), tie_word_embeddings=False)\n"
                                               '>>> assert llama_parameter_count(untied) == 869504 + 1024 * 128\n',
                                       'failure_message': 'An untied lm_head has its own vocab_size x hidden_size matrix: with tie_word_embeddings False the count grows by exactly that.',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
