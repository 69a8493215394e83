OK_FORMAT = True

test = {   'name': 'q2',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': ">>> assert llama_name_to_ours('model.layers.3.self_attn.k_proj.weight') == 'blocks.3.attn.k_proj.weight'\n"
                                               ">>> assert llama_name_to_ours('model.embed_tokens.weight') == 'tok_emb.weight'\n",
                                       'failure_message': "llama_name_to_ours('model.layers.3.self_attn.k_proj.weight') should be 'blocks.3.attn.k_proj.weight', and 'model.embed_tokens.weight' "
                                                          "should be 'tok_emb.weight'.",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> from course_lib.transformer import GPT\n'
                                               '>>> renamed = {llama_name_to_ours(n): t for n, t in model.state_dict().items()}\n'
                                               '>>> assert sorted(renamed) == sorted(gpt.state_dict())\n'
                                               '>>> fresh = GPT(gpt.config).eval()\n'
                                               '>>> _ = fresh.load_state_dict(renamed)\n'
                                               '>>> assert torch.allclose(fresh(ids), gpt(ids))\n'
                                               '>>> try:\n'
                                               "...     llama_name_to_ours('model.layers.0.mystery.weight')\n"
                                               '... except ValueError:\n'
                                               '...     pass\n'
                                               '... else:\n'
                                               "...     raise AssertionError('expected a ValueError')\n",
                                       'failure_message': "Renaming every tensor of the exported model must give exactly our GPT's state dict names, and loading them must give the same logits. A "
                                                          "name that is not a Llama tensor (e.g. 'model.layers.0.mystery.weight') must raise ValueError.",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
