OK_FORMAT = True

test = {   'name': 'q1',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> from transformers import GPT2Config, GPT2Model\n'
                                               '>>> _ = torch.manual_seed(1)\n'
                                               '>>> tiny_gpt2 = GPT2Model(GPT2Config(vocab_size=99, n_positions=16, n_embd=48, n_layer=2, n_head=3)).eval()\n'
                                               '>>> with torch.no_grad():\n'
                                               '...     tiny_states = tiny_gpt2(torch.tensor([[5, 17, 2, 80, 41, 3]]), output_hidden_states=True).hidden_states\n'
                                               '...     answer = gpt2_block_forward(tiny_gpt2.h[0], tiny_states[0])\n'
                                               '>>> assert torch.is_tensor(answer) and answer.shape == (1, 6, 48)\n'
                                               '>>> assert torch.allclose(answer, tiny_states[1], atol=1e-05)\n',
                                       'failure_message': 'On a tiny GPT-2 (n_embd=48, 3 heads), gpt2_block_forward(model.h[0], h0) should equal the hidden state after block 0 (model(..., '
                                                          'output_hidden_states=True).hidden_states[1]). Check the order: x + attention(ln_1(x)), then + mlp(ln_2(...)); Conv1D weights are (in, out), '
                                                          "so x @ weight + bias; q, k, v are the three C-wide thirds of c_attn's output.",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
